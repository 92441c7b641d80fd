"""Real Freqtrade backtests, offline, on the bundled real data (spot and futures)."""

from __future__ import annotations

import pytest

from ftpack.report import load_strategy_stats
from packtest import CONFIG_DIR, TEST_STRATEGIES, latest_result, run_freqtrade_offline

pytestmark = pytest.mark.slow  # real Freqtrade runs


def backtest(tmp_path, config: str, strategy: str, pairs: list[str], timerange: str) -> dict:
    run_freqtrade_offline([
        "backtesting", "-c", str(CONFIG_DIR / config),
        "--strategy-path", str(TEST_STRATEGIES), "-s", strategy,
        "--pairs", *pairs, "--timerange", timerange,
        "--stake-amount", "100", "--max-open-trades", str(len(pairs)),
        "--export", "trades", "--backtest-directory", str(tmp_path),
    ])
    return load_strategy_stats(latest_result(tmp_path), strategy)


def test_spot_backtest_trades_with_fees(in_repo, tmp_path) -> None:
    pairs = ["BTC/USDT", "ETH/USDT", "SUI/USDT"]
    stats = backtest(tmp_path, "spot.json", "ProbeEmaCross", pairs, "20250601-20250615")
    trades = stats["trades"]
    assert stats["total_trades"] == len(trades) > 10
    assert stats["trading_mode"] == "spot"
    assert {t["pair"] for t in trades} == set(pairs)
    # Binance spot fee from the snapshot (0.1 %) is charged on both sides of every trade.
    assert all(t["fee_open"] == t["fee_close"] == 0.001 for t in trades)
    assert all(not t["is_short"] for t in trades)


def test_futures_backtest_applies_funding(in_repo, tmp_path) -> None:
    pairs = ["BTC/USDT:USDT", "ETH/USDT:USDT"]
    stats = backtest(tmp_path, "futures.json", "ProbeEmaCrossFutures", pairs, "20250501-20250515")
    trades = stats["trades"]
    assert len(trades) > 10
    assert stats["trading_mode"] == "futures"
    assert {t["pair"] for t in trades} == set(pairs)
    assert all(t["leverage"] == 3.0 for t in trades)
    assert any(t["is_short"] for t in trades)
    assert all(t["fee_open"] == 0.0005 for t in trades)
    # The bundled 1h funding-rate and mark files are picked up: some trades paid or got funding.
    assert sum(1 for t in trades if t["funding_fees"] != 0.0) >= 5
