"""Helpers for the risk tests: repository paths, config layers and in-process freqtrade runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from freqtrade.commands import Arguments

from ftpack.offline import install

REPO = Path(__file__).resolve().parents[2]
CONFIG_DIR = REPO / "user_data" / "config"
RISK_STRATEGIES = Path(__file__).resolve().parent / "strategies"


def write_layer(directory: Path, name: str, content: dict[str, Any]) -> Path:
    """A config layer file (merged after the repository configs by ``-c``)."""
    path = directory / name
    path.write_text(json.dumps(content), encoding="utf-8")
    return path


def run_offline(args: list[str]) -> Any:
    """Run one freqtrade subcommand in this process with the bundled markets snapshot."""
    install()
    parsed = Arguments(args).get_parsed_arg()
    return parsed["func"](parsed)


def backtest_args(
    layers: list[Path],
    *,
    strategy: str = "RiskProbe",
    market: str = "spot",
    pairs: tuple[str, ...] = ("BTC/USDT",),
    timerange: str = "20250601-20250603",
    extra: tuple[str, ...] = (),
) -> list[str]:
    """``backtesting`` CLI arguments over ``<market>.json`` plus ``layers``."""
    args = ["backtesting", "-c", str(CONFIG_DIR / f"{market}.json")]
    for layer in layers:
        args += ["-c", str(layer)]
    return [
        *args,
        "--strategy-path",
        str(RISK_STRATEGIES),
        "-s",
        strategy,
        "--pairs",
        *pairs,
        "--timerange",
        timerange,
        *extra,
    ]
