"""Fixture of the flowbook tests: the real data folder, which must exist."""

from __future__ import annotations

from pathlib import Path

import pytest
from flowbook_testdata import DATA


@pytest.fixture(scope="session")
def data_dir() -> Path:
    if not DATA.is_dir():
        pytest.fail(f"real data folder missing: {DATA}")
    return DATA
