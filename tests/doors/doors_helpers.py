"""Run the README's commands as a user types them, and read what Freqtrade writes.

``readme_commands(prefix)`` returns the README's fenced shell lines that start with ``prefix``
(without trailing comments), split like a shell would, so a test runs exactly what a user copies.
Tests may append output locations (``--backtest-directory <tmp>``) so nothing is written into
the clone beyond Freqtrade's own ``user_data/plot``.
"""

from __future__ import annotations

import fcntl
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from freqtrade.configuration.load_config import load_from_files
from freqtrade.misc import pair_to_filename

from packtest import REPO, api_secrets, load_strategy_class

BIN = Path(sys.executable).parent
README = REPO / "README.md"
PLOT_DIR = REPO / "user_data" / "plot"
STRATEGIES = REPO / "user_data" / "strategies"
SECRETS = api_secrets()


def _blocks() -> list[list[str]]:
    text = README.read_text(encoding="utf-8")
    blocks = re.findall(r"```(?:bash|sh)?\n(.*?)```", text, flags=re.S)
    return [[line.strip() for line in block.splitlines() if line.strip()] for block in blocks]


def readme_commands(prefix: str) -> list[list[str]]:
    """Every README code-block line starting with ``prefix``, shell-split, comment dropped."""
    lines = [line for block in _blocks() for line in block]
    return [shlex.split(line, comments=True) for line in lines if line.startswith(prefix)]


def readme_block(containing: str) -> list[list[str]]:
    """The commands of the one README code block holding ``containing``, shell-split."""
    found = [block for block in _blocks() if any(containing in line for line in block)]
    assert len(found) == 1, f"{len(found)} README code blocks hold {containing!r}"
    return [shlex.split(line, comments=True) for line in found[0]]


def run(command: list[str], *, env: dict[str, str] | None = None,
        timeout: float = 600) -> subprocess.CompletedProcess:
    """Run a README command with this venv's executables, from the repository root."""
    exe = BIN / command[0]
    return subprocess.run(
        [str(exe), *command[1:]], cwd=REPO, capture_output=True, text=True, timeout=timeout,
        env=os.environ | {"COLUMNS": "200"} | (env or {}), check=False,
    )


def option(command: list[str], name: str) -> str | None:
    """The value after ``name`` in ``command`` (None when absent)."""
    return command[command.index(name) + 1] if name in command else None


def command_config(command: list[str]) -> dict[str, Any]:
    """The merged config of a command's ``-c`` layers."""
    files = [command[i + 1] for i, arg in enumerate(command) if arg == "-c"]
    return load_from_files([str(REPO / f) for f in files])


def plot_columns(strategy: str) -> list[str]:
    """Every dataframe column the strategy's ``plot_config`` draws."""
    if str(STRATEGIES) not in sys.path:  # the ML variants import their tier by module name
        sys.path.append(str(STRATEGIES))
    config = load_strategy_class(strategy).plot_config
    columns = list(config.get("main_plot", {}))
    for indicators in config.get("subplots", {}).values():
        columns += list(indicators)
    return columns


@contextmanager
def plot_files_locked() -> Iterator[None]:
    """Hold the plot folder while a test removes, writes and reads ``plot_file`` charts: several
    tests chart the same pair and timeframe, and one worker's removal must not hit another's."""
    PLOT_DIR.mkdir(parents=True, exist_ok=True)
    with (PLOT_DIR / ".tests.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def plot_file(pair: str, timeframe: str) -> Path:
    """Where ``plot-dataframe`` stores the chart of ``pair`` at ``timeframe``."""
    return PLOT_DIR / f"freqtrade-plot-{pair_to_filename(pair)}-{timeframe}.html"


def trace_names(html: str) -> set[str]:
    """Names of the plotly traces in a ``plot-dataframe`` HTML file."""
    return set(re.findall(r'"name":"([^"]+)"', html))
