"""The stitched result on hand-made trades and candles: exact marked-to-market equity."""

from __future__ import annotations

import pandas as pd
import pytest

from ftpack.evaluate.stitch import FoldWindow, buy_and_hold, daily_equity, trades_frame
from ftpack.report import time_in_market, worst_utc_day


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def ms(text: str) -> int:
    return int(ts(text).timestamp() * 1000)


CANDLES = {"X/USDT": pd.DataFrame({
    "date": [ts(d) for d in ("2024-12-31 12:00", "2025-01-01 00:00", "2025-01-01 12:00",
                             "2025-01-02 00:00", "2025-01-02 12:00", "2025-01-03 00:00",
                             "2025-01-03 12:00")],
    "close": [100.0, 100.0, 110.0, 105.0, 120.0, 90.0, 95.0],
})}
FOLDS = [FoldWindow(0, ts("2025-01-01"), ts("2025-01-03"), ("X/USDT",)),
         FoldWindow(1, ts("2025-01-03"), ts("2025-01-04"), ("X/USDT",))]


def trade(open_: str, close: str, **fields: object) -> dict:
    return {"pair": "X/USDT", "open_timestamp": ms(open_), "close_timestamp": ms(close),
            "is_short": False, "fee_open": 0.0, "fee_close": 0.0, "leverage": 1.0, **fields}


TRADES = trades_frame([
    (0, [trade("2025-01-01 06:00", "2025-01-02 06:00", open_rate=100.0, amount=1.0,
               fee_open=0.001, profit_abs=4.8, profit_ratio=0.048)]),
    (1, [trade("2025-01-03 01:00", "2025-01-03 23:00", open_rate=90.0, amount=2.0,
               is_short=True, profit_abs=3.0, profit_ratio=0.0167)]),
])


def test_daily_equity_marks_open_trades_at_the_days_last_close() -> None:
    equity = daily_equity(TRADES, FOLDS, CANDLES, 1000.0)
    assert list(equity.index.strftime("%m-%d")) == ["01-01", "01-02", "01-03"]
    # Jan 1: the long is open; the 12:00 candle closed at 110: 1 x (110 - 100) - 0.1 entry fee
    assert equity["equity"].tolist() == pytest.approx([1009.9, 1004.8, 1007.8])
    assert equity["realized"].tolist() == pytest.approx([0.0, 4.8, 3.0])
    assert equity["fold"].tolist() == [0, 0, 1]
    assert equity["equity_at_day_start_in_fold"].tolist() == pytest.approx([1000.0] * 3)
    assert equity["unpriced"].tolist() == [0, 0, 0]


def test_a_position_without_a_candle_that_day_is_carried_at_cost() -> None:
    unpriced = trades_frame([(0, [trade("2025-01-01 06:00", "2025-01-02 06:00", pair="Y/USDT",
                                        open_rate=5.0, amount=3.0, profit_abs=-1.0,
                                        profit_ratio=-0.07)])])
    equity = daily_equity(unpriced, FOLDS[:1], CANDLES, 1000.0)
    assert equity["equity"].tolist() == pytest.approx([1000.0, 999.0])
    assert equity["unpriced"].tolist() == [1, 0]


def test_buy_and_hold_adds_the_folds_up() -> None:
    bh = buy_and_hold(FOLDS, CANDLES, 1000.0)
    # fold 0 buys at 100 (Dec 31 close): 110, 120; fold 1 buys at 120: 95
    assert bh.tolist() == pytest.approx([1100.0, 1200.0, 1200.0 + 1000 * (95 / 120 - 1)])


def test_trades_frame_orders_by_open_time_and_keeps_the_fold() -> None:
    assert TRADES["fold"].tolist() == [0, 1]
    assert TRADES["open_date"].tolist() == [ts("2025-01-01 06:00"), ts("2025-01-03 01:00")]
    assert TRADES["is_short"].tolist() == [False, True]


def test_time_in_market_merges_overlapping_trades() -> None:
    trades = pd.DataFrame({
        "open_date": [ts("2025-01-01 00:00"), ts("2025-01-01 01:00"), ts("2025-01-01 06:00")],
        "close_date": [ts("2025-01-01 02:00"), ts("2025-01-01 03:00"), ts("2025-01-01 07:00")],
    })
    # [00:00, 03:00) ∪ [06:00, 07:00) = 4 h of a 10 h range.
    assert time_in_market(trades, ts("2025-01-01 00:00"), ts("2025-01-01 10:00")) == 0.4


def test_worst_utc_day_sums_realized_profit_by_close_day() -> None:
    trades = pd.DataFrame({
        "close_date": [ts("2025-01-01 23:59"), ts("2025-01-02 00:01"), ts("2025-01-02 12:00")],
        "profit_abs": [-5.0, -3.0, -4.0],
    })
    assert worst_utc_day(trades) == -7.0
    assert worst_utc_day(trades.assign(profit_abs=[1.0, 2.0, 3.0])) == 0.0
