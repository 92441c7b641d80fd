"""Fixtures shared by every test folder (helpers to import live in packtest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from freqtrade.persistence import PairLocks, Trade
from freqtrade.persistence.usedb_context import disable_database_use, enable_database_use

from packtest import REPO


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under ``--dist loadgroup`` a test without an ``xdist_group`` joins its file's group, so a
    file's module fixtures serve all its tests on one worker; tests that share a named group (the
    replayed bots) run one after the other on one worker."""
    for item in items:
        if item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))


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
