"""Fixtures shared by every test folder (helpers to import live in packtest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from packtest import REPO


@pytest.fixture
def in_repo(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run the test from the repository root (Freqtrade resolves ./user_data from there)."""
    monkeypatch.chdir(REPO)
    return REPO
