"""Unit tests of ftpack.tiers.momentum.setups on hand-built frames with exact expected values."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from ftpack.tiers.momentum import setups


def candles(rows: list[tuple[float, float, float, float]], start: str = "2025-05-01 00:00",
            freq: str = "5min") -> pd.DataFrame:
    """OHLC rows (open, high, low, close) with unit volume and candle open times from ``start``."""
    o, h, lo, c = (list(x) for x in zip(*rows, strict=True))
    return pd.DataFrame({"date": pd.date_range(start, periods=len(rows), freq=freq, tz="UTC"),
                         "open": o, "high": h, "low": lo, "close": c, "volume": 1.0})


def test_bar_portion_exact_values():
    df = candles([(10, 12, 8, 11), (10, 10, 10, 10), (12, 12, 8, 8), (9, 10, 9, 10)])
    np.testing.assert_allclose(setups.bar_portion(df), [0.25, 0.0, -1.0, 1.0])


def test_bar_portion_nan_input_gives_nan():
    df = candles([(10, 12, 8, np.nan)])
    assert np.isnan(setups.bar_portion(df).iloc[0])


@given(st.lists(st.tuples(st.floats(1, 100), st.floats(1, 100), st.floats(0, 1), st.floats(0, 1)),
                min_size=1, max_size=20))
def test_bar_portion_is_bounded(raw):
    rows = []
    for a, b, u, v in raw:
        lo, hi = min(a, b), max(a, b)
        rows.append((lo + u * (hi - lo), hi, lo, lo + v * (hi - lo)))
    bp = setups.bar_portion(candles(rows))
    assert ((bp >= -1 - 1e-12) & (bp <= 1 + 1e-12)).all()


def test_flush_reversal_needs_close_at_low_on_a_wide_candle():
    # three quiet candles of range 1, then a range-3 candle closing at its low, then a
    # range-3 candle closing at its high
    rows = [(10, 10.5, 9.5, 10)] * 3 + [(10, 10.5, 7.5, 7.5), (7.5, 10.5, 7.5, 10.5)]
    sig = setups.flush_reversal(candles(rows), bp_max=-0.8, range_window=3, range_mult=2.0)
    assert sig.tolist() == [False, False, False, True, False]
    # the same flush is not wide enough against a 4x threshold
    sig4 = setups.flush_reversal(candles(rows), bp_max=-0.8, range_window=3, range_mult=4.0)
    assert not sig4.any()


def test_consolidation_breakout_burst_base_and_break():
    # burst 100 -> 110 over 2 candles, then a 3-candle base 109.5..110.5, then a close of 111
    rows = [(100, 100, 100, 100), (100, 105, 100, 105), (105, 110, 105, 110),
            (110, 110.5, 109.5, 110), (110, 110.5, 109.5, 110.2), (110.2, 110.5, 109.8, 110),
            (110, 111.2, 110, 111)]
    sig = setups.consolidation_breakout(candles(rows), burst=2, burst_min=0.09, base=3,
                                        base_max=0.01)
    assert sig.tolist() == [False] * 6 + [True]
    # a base wider than 0.5 % or a burst below 12 % does not qualify
    assert not setups.consolidation_breakout(candles(rows), 2, 0.09, 3, 0.005).any()
    assert not setups.consolidation_breakout(candles(rows), 2, 0.12, 3, 0.01).any()


def test_consolidation_breakout_uses_no_later_candle():
    rows = [(100, 100, 100, 100), (100, 105, 100, 105), (105, 110, 105, 110),
            (110, 110.5, 109.5, 110), (110, 110.5, 109.5, 110.2), (110.2, 110.5, 109.8, 110),
            (110, 111.2, 110, 111), (111, 130, 90, 95)]
    full = setups.consolidation_breakout(candles(rows), 2, 0.09, 3, 0.01)
    cut = setups.consolidation_breakout(candles(rows[:7]), 2, 0.09, 3, 0.01)
    assert full.iloc[:7].tolist() == cut.tolist()


def test_trend_up_and_breadth_and_market_on():
    close = pd.Series([1.0, 2.0, 3.0, 2.0, 1.0])
    # SMA(3): nan, nan, 2, 2.333, 2
    assert setups.trend_up(close, 3).tolist() == [False, False, True, False, False]
    trends = pd.DataFrame({"a": [True, True, False], "b": [True, False, np.nan],
                           "c": [np.nan, np.nan, np.nan]})
    np.testing.assert_allclose(setups.breadth(trends), [1.0, 0.5, 0.0])
    on = setups.market_on(pd.Series([True, True, False]), pd.Series([1.0, 0.5, 1.0]), 0.6)
    assert on.tolist() == [True, False, False]


def test_oversold_dip_exact():
    close = [10.0] * 20 + [9.0]
    rows = [(c, c, c, c) for c in close]
    # after 20 flat closes the 21st close of 9 is far below the band; RSI(14) is 0 there
    sig = setups.oversold_dip(candles(rows), window=20, n_std=2.0, rsi_max=30)
    assert sig.tolist() == [False] * 20 + [True]


def test_opening_range_breakout_first_close_above_once_per_day():
    rows = [(1, 1, 1, 1), (1, 5, 1, 5), (1, 1, 1, 1), (1, 2, 1, 1.5), (1.5, 2.6, 1.5, 2.5),
            (2.5, 3, 2.5, 3), (3, 4, 3, 4), (4, 9, 4, 9)]
    # 23:50, 23:55 | 00:00 00:05 = opening range (high 2) | 00:10 first close above | later no
    sig = setups.opening_range_breakout(candles(rows, start="2025-01-01 23:50"), 0, 10)
    assert sig.tolist() == [False, False, False, False, True, False, False, False]


def test_top_k_per_row_ignores_missing():
    scores = pd.DataFrame({"a": [0.1, np.nan], "b": [0.3, 0.2], "c": [-0.1, 0.5]})
    assert setups.top_k(scores, 1).to_numpy().tolist() == [[False, True, False],
                                                           [False, False, True]]
    assert setups.top_k(scores, 1, largest=False).to_numpy().tolist() == [[False, False, True],
                                                                          [False, True, False]]


def test_realized_vol_exact():
    close = pd.Series(np.exp([0.0, 0.1, 0.0, 0.1]))
    vol = setups.realized_vol(close, 3)
    np.testing.assert_allclose(vol.iloc[-1], np.std([0.1, -0.1, 0.1], ddof=1))
    assert vol.iloc[:3].isna().all()


@settings(deadline=None, max_examples=40)
@given(st.lists(st.floats(-0.02, 0.02, allow_subnormal=False), min_size=60, max_size=120),
       st.integers(30, 59))
def test_every_setup_uses_no_later_candle(steps, cut):
    """A rule's value at row i is the same whether or not rows after i exist."""
    close = 100 * np.exp(np.cumsum(steps))
    open_ = np.r_[100.0, close[:-1]]
    rows = [(o, max(o, c) * 1.002, min(o, c) * 0.998, c) for o, c in zip(open_, close, strict=True)]
    full, cut_df = candles(rows), candles(rows[:cut])
    rules = [
        lambda d: setups.bar_portion(d),
        lambda d: setups.flush_reversal(d, -0.5, 5, 1.5),
        lambda d: setups.consolidation_breakout(d, 6, 0.01, 4, 0.02),
        lambda d: setups.oversold_dip(d, 20, 1.5, 40),
        lambda d: setups.opening_range_breakout(d, 0, 30),
        lambda d: setups.trend_up(d["close"], 10),
        lambda d: setups.realized_vol(d["close"], 10),
    ]
    for rule in rules:
        a, b = rule(full).iloc[:cut].to_numpy(), rule(cut_df).to_numpy()
        np.testing.assert_array_equal(np.asarray(a, float), np.asarray(b, float))
