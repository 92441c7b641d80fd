"""The offline switch: bundled snapshot integrity, pair checks, and stock behaviour when off."""

from __future__ import annotations

import gzip
import hashlib
import subprocess
import sys

import pytest
from freqtrade.exceptions import OperationalException

from ftpack.offline import BUNDLED_SNAPSHOT, load_snapshot, missing_pairs, snapshot_path
from packtest import CONFIG_DIR, SHARED_DATA, TEST_STRATEGIES, run_freqtrade_offline

SNAPSHOT_SHA256 = "918bf282d8bb7a7fdf3cc3e0ac0d244bed8dc61ef046df469b14b4cd06112add"


def test_bundled_snapshot_is_the_development_snapshot() -> None:
    raw = gzip.decompress(BUNDLED_SNAPSHOT.read_bytes())
    assert hashlib.sha256(raw).hexdigest() == SNAPSHOT_SHA256
    shared = SHARED_DATA / "binance" / "markets" / "spot_and_futures_markets.json"
    if shared.is_file():
        assert hashlib.sha256(shared.read_bytes()).hexdigest() == SNAPSHOT_SHA256


def test_snapshot_holds_the_pack_markets() -> None:
    markets = load_snapshot(snapshot_path())
    for pair in ("BTC/USDT", "SUI/USDT", "FDUSD/USDT", "BTC/USDT:USDT", "ETH/USDT:USDT"):
        assert markets[pair]["symbol"] == pair
    assert markets["BTC/USDT:USDT"]["linear"] is True
    assert markets["BTC/USDT:USDT"]["taker"] == pytest.approx(0.0005)


def test_missing_pairs_skips_regex_patterns() -> None:
    markets = {"BTC/USDT": {}}
    assert missing_pairs(["BTC/USDT", "NOPE/USDT", ".*/USDT", "ETH/(USDT|BTC)"], markets) == [
        "NOPE/USDT"
    ]


@pytest.mark.slow
def test_pair_missing_from_snapshot_fails_naming_the_pair(in_repo) -> None:
    with pytest.raises(OperationalException, match=r"NOPE/USDT .*offline markets snapshot"):
        run_freqtrade_offline([
            "backtesting", "-c", str(CONFIG_DIR / "spot.json"),
            "--strategy-path", str(TEST_STRATEGIES), "-s", "ProbeEmaCross",
            "--pairs", "BTC/USDT", "NOPE/USDT", "--timerange", "20250601-20250602",
            "--export", "none",
        ])


def test_snapshot_env_override_must_exist(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("FTPACK_MARKETS_SNAPSHOT", str(tmp_path / "absent.json"))
    with pytest.raises(OperationalException, match=r"absent\.json"):
        load_snapshot(snapshot_path())


@pytest.mark.slow
def test_plain_freqtrade_stays_stock() -> None:
    """Importing the pack changes nothing; only install() swaps the markets loader."""
    code = (
        "import ftpack.offline as o; from freqtrade.exchange import Exchange; "
        "before = Exchange._load_async_markets; o.install(); "
        "print(before.__module__, Exchange._load_async_markets.__module__)"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert out.stdout.split() == ["freqtrade.exchange.exchange", "ftpack.offline"]
