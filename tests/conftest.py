"""Shared test helpers: repository paths and an in-process ``freqtrade-offline`` runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from freqtrade.commands import Arguments
from freqtrade.data.btanalysis import get_latest_backtest_filename

from ftpack.offline import install

REPO = Path(__file__).resolve().parents[1]
CONFIG_DIR = REPO / "user_data" / "config"
TEST_STRATEGIES = REPO / "tests" / "strategies"
SHARED_DATA = REPO.parent / "shared" / "data"


def run_freqtrade_offline(args: list[str]) -> None:
    """Run one freqtrade subcommand in this process with markets from the snapshot."""
    install()
    parsed = Arguments(args).get_parsed_arg()
    parsed["func"](parsed)


def latest_result(directory: Path) -> Path:
    """The newest exported backtest result in ``directory``."""
    return directory / get_latest_backtest_filename(directory)


@pytest.fixture
def in_repo(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run the test from the repository root (Freqtrade resolves ./user_data from there)."""
    monkeypatch.chdir(REPO)
    return REPO
