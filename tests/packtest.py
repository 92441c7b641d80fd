"""Shared test helpers: repository paths and an in-process ``freqtrade-offline`` runner.

Import them as ``from packtest import …`` (``tests/`` is on pytest's pythonpath). They do not live
in a conftest.py: several test folders have their own conftest, and ``from conftest import``
would pick whichever of them pytest imported last.
"""

from __future__ import annotations

import importlib.util
import socket
from pathlib import Path

import pandas as pd
from freqtrade.commands import Arguments
from freqtrade.data.btanalysis import get_latest_backtest_filename
from freqtrade.enums import RunMode

from ftpack.offline import install

REPO = Path(__file__).resolve().parents[1]
CONFIG_DIR = REPO / "user_data" / "config"
TEST_STRATEGIES = REPO / "tests" / "strategies"
SHARED_DATA = REPO.parent / "shared" / "data"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (for servers that need it up front)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_freqtrade_offline(args: list[str]) -> None:
    """Run one freqtrade subcommand in this process with markets from the snapshot."""
    install()
    parsed = Arguments(args).get_parsed_arg()
    parsed["func"](parsed)


def latest_result(directory: Path) -> Path:
    """The newest exported backtest result in ``directory``."""
    return directory / get_latest_backtest_filename(directory)


def load_strategy_class(name: str) -> type:
    """The strategy class ``name`` from ``user_data/strategies/<name>.py``, imported fresh."""
    path = REPO / "user_data" / "strategies" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, name)


class FakeDataProvider:
    """The part of Freqtrade's DataProvider a strategy reads in these tests: pair frames."""

    runmode = RunMode.BACKTEST

    def __init__(self, frames: dict[str, pd.DataFrame]) -> None:
        self.frames = frames

    def get_pair_dataframe(self, pair: str, timeframe: str) -> pd.DataFrame:
        return self.frames.get(pair, pd.DataFrame())
