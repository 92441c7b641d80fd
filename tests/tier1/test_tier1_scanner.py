"""Triangular scanner: the bot_loop_start hook (alerts) and the CLI over recorded L2 books."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from test_tier1_triangular import forward_by_hand, reverse_by_hand

from ftpack.tiers.stablecoin.scanner import ScannerHook, align_books, main
from ftpack.tiers.stablecoin.settings import ScannerSettings
from packtest import SHARED_DATA, StubDataProvider

PAIRS = ("BTC/USDT", "ETH/BTC", "ETH/USDT")
LEVELS = {  # (bids, asks) as in test_tier1_triangular
    "BTC/USDT": ([(49900, 0.01), (49800, 1)], [(50000, 0.01), (50100, 1)]),
    "ETH/BTC": ([(0.0499, 0.1), (0.0498, 10)], [(0.05, 0.1), (0.0501, 10)]),
    "ETH/USDT": ([(2500, 0.1), (2490, 10)], [(2510, 0.1), (2520, 10)]),
}
# Cheap ETH/BTC: selling ETH for BTC at 0.0520 makes the reverse cycle pay.
RICH = {"ETH/BTC": ([(0.0520, 0.1), (0.0519, 10)], [(0.0521, 0.1), (0.0522, 10)])}


def books(levels: dict) -> dict[str, dict]:
    return {pair: {"bids": bids, "asks": asks} for pair, (bids, asks) in levels.items()}


def settings(alert_bps: float) -> ScannerSettings:
    return ScannerSettings(cycles=(PAIRS,), start_asset="USDT", size=1000.0,
                           alert_bps=alert_bps, interval_seconds=60,
                           fees=dict.fromkeys(PAIRS, 0.001))


def test_hook_alerts_only_above_threshold_and_respects_interval() -> None:
    now = datetime(2025, 1, 1, tzinfo=UTC)
    hook = ScannerHook(settings(alert_bps=5.0))
    dp = StubDataProvider(books=books(LEVELS))
    assert hook.run(dp, now) == []  # both directions lose (−85 / −163 bps)
    dp.books = books(LEVELS | RICH)
    assert hook.run(dp, now + timedelta(seconds=30)) == []  # not due yet
    alerts = hook.run(dp, now + timedelta(seconds=60))
    assert len(alerts) == 1 and dp.sent == alerts
    assert "USDT→ETH (buy ETH/USDT)" in alerts[0] and "not executed" in alerts[0]
    assert "ETH/BTC spread 19.21 bps" in alerts[0]  # (0.0521 − 0.0520) / 0.05205 · 10⁴


def test_hook_without_cycles_does_nothing() -> None:
    hook = ScannerHook(ScannerSettings())
    assert hook.run(StubDataProvider(), datetime(2025, 1, 1, tzinfo=UTC)) == []


def l2_rows(pair: str, timestamp: int, levels: tuple) -> dict:
    row = {"timestamp": timestamp, "market": "spot", "symbol": pair.replace("/", "")}
    for side, book in zip(("bid", "ask"), levels, strict=True):
        for i, (price, size) in enumerate(book, start=1):
            row[f"{side}_price_{i}"], row[f"{side}_size_{i}"] = float(price), float(size)
    return row


def test_align_books_uses_latest_fresh_book_of_each_leg() -> None:
    frames = {
        "A": pd.DataFrame([l2_rows("A/B", t, LEVELS["BTC/USDT"]) for t in (0, 100)]),
        "B": pd.DataFrame([l2_rows("C/B", t, LEVELS["ETH/USDT"]) for t in (50, 2000)]),
    }
    times, books = align_books(frames, max_age_ms=1000)
    # 0: B has no book yet; 50, 100: both fresh; 2000: A is 1900 ms old.
    assert times.tolist() == [50, 100]
    assert books["A"].ask_price.shape == (2, 2)


def test_cli_reports_hand_computed_returns(tmp_path, capsys) -> None:
    rows = [l2_rows(p, 1_000 + i, LEVELS[p]) for i, p in enumerate(PAIRS)]
    path = tmp_path / "books.parquet"
    pd.DataFrame(rows).to_parquet(path)
    main(["--books", str(path), "--cycle", *PAIRS, "--start", "USDT", "--size", "1000",
          "--fee", "0.001"])
    out = capsys.readouterr().out
    assert "Detects only; executes nothing." in out
    assert "1 aligned moments" in out
    # flowbook leg features: spread (50000 − 49900) / 49950 · 10⁴ = 20.02 bps; equal top sizes
    # put the micro-price at the mid, 49950.
    assert "BTC/USDT spread 20.02 bps, micro-price 49950" in out
    assert f"best {forward_by_hand(1000) * 1e4:.2f}" in out
    assert f"best {reverse_by_hand(1000) * 1e4:.2f}" in out


def test_cli_on_the_real_recording_names_the_missing_leg() -> None:
    recording = SHARED_DATA / "orderbook" / "binance_l2_top20.parquet"
    if not recording.is_file():
        pytest.skip(f"{recording} not present")
    with pytest.raises(SystemExit, match=r"no spot book for \['ETH/BTC'\]"):
        main(["--books", str(recording), "--cycle", *PAIRS, "--start", "USDT", "--fee", "0.001"])
