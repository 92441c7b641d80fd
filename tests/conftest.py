"""Fixtures shared by every test folder (helpers to import live in packtest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from freqtrade.persistence import PairLocks, Trade
from freqtrade.persistence.usedb_context import disable_database_use, enable_database_use

from packtest import REPO


@pytest.fixture
def in_repo(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run the test from the repository root (Freqtrade resolves ./user_data from there)."""
    monkeypatch.chdir(REPO)
    return REPO


@pytest.fixture
def bt_trades() -> Iterator[None]:
    """Freqtrade's in-memory (backtest) trades and locks, empty before and after the test."""
    disable_database_use("5m")
    Trade.reset_trades()
    PairLocks.reset_locks()
    yield
    Trade.reset_trades()
    PairLocks.reset_locks()
    enable_database_use()
