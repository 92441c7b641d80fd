"""`freqtrade-offline list-strategies` and `list-data` work on the bundled user_data."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from packtest import CONFIG_DIR, REPO

pytestmark = pytest.mark.slow  # real Freqtrade runs

FREQTRADE_OFFLINE = Path(sys.executable).with_name("freqtrade-offline")


def run(*args: str) -> str:
    out = subprocess.run([str(FREQTRADE_OFFLINE), *args], cwd=REPO, capture_output=True,
                         text=True, timeout=300, env=os.environ | {"COLUMNS": "200"})
    assert out.returncode == 0, out.stderr[-2000:]
    assert " ERROR " not in out.stderr and " WARNING " not in out.stderr, out.stderr[-2000:]
    return out.stdout


def test_list_strategies_loads_every_pack_strategy() -> None:
    listing = run("list-strategies", "-c", str(CONFIG_DIR / "spot.json"), "-1")
    names = set(listing.split())
    expected = {p.stem for p in (REPO / "user_data" / "strategies").glob("*.py")
                if not p.stem.startswith("_")}
    assert expected <= names


def test_list_data_shows_the_bundled_spot_and_futures_data() -> None:
    spot = run("list-data", "-c", str(CONFIG_DIR / "spot.json"), "--show-timerange")
    for pair in ("BTC/USDT", "SUI/USDT", "FDUSD/USDT"):
        assert pair in spot
    futures = run("list-data", "-c", str(CONFIG_DIR / "futures.json"), "--show-timerange",
                  "--trading-mode", "futures")
    assert "BTC/USDT:USDT" in futures and "funding_rate" in futures and "mark" in futures
