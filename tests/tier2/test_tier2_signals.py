"""Unit tests of ftpack.tiers.indicators on small hand-built frames with known answers."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest

from ftpack.tiers import indicators
from ftpack.tiers.momentum import session
from risk_protections.errors import PackConfigError


def frame(
    close: list[float],
    high: list[float] | None = None,
    low: list[float] | None = None,
    volume: list[float] | None = None,
    start: str = "2025-05-01 00:00",
    freq: str = "5min",
) -> pd.DataFrame:
    """OHLCV frame with candle open times from ``start``; open = previous close."""
    n = len(close)
    close_s = pd.Series(close, dtype=float)
    return pd.DataFrame(
        {
            "date": pd.date_range(start, periods=n, freq=freq, tz="UTC"),
            "open": close_s.shift(1).fillna(close_s.iloc[0] if n else np.nan),
            "high": high if high is not None else close,
            "low": low if low is not None else close,
            "close": close,
            "volume": volume if volume is not None else [1.0] * n,
        }
    )


def test_range_high_uses_only_prior_candles():
    df = frame([1, 2, 3, 2, 5], high=[1, 2, 3, 2, 5])
    expected = [np.nan, np.nan, np.nan, 3.0, 3.0]
    np.testing.assert_array_equal(indicators.range_high(df, 3).to_numpy(), expected)
    np.testing.assert_array_equal(
        indicators.range_low(df, 3).to_numpy(), [np.nan, np.nan, np.nan, 1.0, 2.0]
    )


def test_breakout_up_needs_close_above_prior_high():
    df = frame([1, 2, 3, 3, 3.5], high=[1, 2, 3, 3.2, 3.6])
    assert indicators.breakout_up(df, 3).tolist() == [False, False, False, False, True]


def test_volume_ratio_against_prior_mean():
    df = frame([1] * 4, volume=[1, 3, 2, 6])
    ratio = indicators.volume_ratio(df, window=3)
    assert ratio.iloc[3] == pytest.approx(3.0)  # 6 / mean(1, 3, 2)
    assert ratio.iloc[:3].isna().all()


def test_volume_ratio_zero_prior_volume_is_nan():
    df = frame([1] * 4, volume=[0, 0, 0, 5])
    assert np.isnan(indicators.volume_ratio(df, window=3).iloc[3])


def test_efficiency_ratio_trend_and_chop():
    trend = frame([1, 2, 3, 4, 5])
    chop = frame([1, 2, 1, 2, 1])
    assert indicators.efficiency_ratio(trend, 4).iloc[4] == pytest.approx(1.0)
    assert indicators.efficiency_ratio(chop, 4).iloc[4] == pytest.approx(0.0)


def test_efficiency_ratio_short_frame_is_nan():
    assert indicators.efficiency_ratio(frame([1, 2]), 10).isna().all()


def test_htf_rate_of_change_sees_only_closed_htf_candles():
    # 15m candles from 5m: closes 1..12 -> 15m closes 3, 6, 9, 12 at 00:00, 00:15, 00:30, 00:45.
    df = frame([float(c) for c in range(1, 13)])
    roc = indicators.htf_rate_of_change(df, "5m", "15m", periods=1)
    # The 00:15 15m candle (close 6) is known from the 5m candle at 00:25 (its last one).
    assert roc.iloc[:5].isna().all()
    assert roc.iloc[5] == pytest.approx((6 / 3 - 1) * 100)
    assert roc.iloc[8] == pytest.approx((9 / 6 - 1) * 100)
    assert roc.iloc[11] == pytest.approx((12 / 9 - 1) * 100)


def test_htf_rate_of_change_does_not_change_with_future_rows():
    df = frame([float(c) for c in range(1, 40)])
    full = indicators.htf_rate_of_change(df, "5m", "15m", periods=2)
    cut = indicators.htf_rate_of_change(df.iloc[:20].copy(), "5m", "15m", periods=2)
    np.testing.assert_array_equal(full.iloc[:20].to_numpy(), cut.to_numpy())


def test_empty_frame_does_not_crash():
    empty = frame([])
    assert indicators.htf_rate_of_change(empty, "5m", "1h", 3).empty
    assert indicators.breakout_up(empty, 3).empty
    assert indicators.market_rate_of_change(empty, frame([1.0]), "5m", "1h", 1).empty


def test_cutoff_helpers():
    assert session.cutoff_minute("23:30") == 1410
    with pytest.raises(PackConfigError, match="utc_cutoff: must be 'HH:MM'"):
        session.cutoff_minute("24:00")
    dates = pd.Series(
        pd.to_datetime(
            ["2025-05-01 21:55", "2025-05-01 22:25", "2025-05-01 22:30", "2025-05-01 23:55"],
            utc=True,
        )
    )
    # cut-off 23:30, last entry 60 min before: fills at 22:00 and 22:30 ok, 22:35 not, 00:00 ok.
    assert session.entry_window_open(dates, "5m", 1410, 60).tolist() == [True, True, False, True]
    assert session.past_cutoff(datetime(2025, 5, 1, 23, 30, tzinfo=UTC), 1410)
    assert not session.past_cutoff(datetime(2025, 5, 1, 23, 29, tzinfo=UTC), 1410)


def test_orderflow_delta_falls_back_to_candle_proxy():
    # CLV = (9.5 - 8) / (10 - 8) = 0.75 -> proxy = 4 * (2 * 0.75 - 1) = 2; flat bar -> 0.
    df = frame([9.5, 5.0], high=[10.0, 5.0], low=[8.0, 5.0], volume=[4.0, 3.0])
    assert indicators.orderflow_delta(df).tolist() == [2.0, 0.0]


def test_orderflow_delta_prefers_trades_delta_per_candle():
    df = frame([9.5, 9.5], high=[10.0, 10.0], low=[8.0, 8.0], volume=[4.0, 4.0])
    df["delta"] = [np.nan, -7.0]  # Freqtrade's orderflow column; first candle had no trades
    assert indicators.orderflow_delta(df).tolist() == [2.0, -7.0]


def test_orderflow_surge_against_prior_mean_abs_delta():
    df = frame([1.0] * 4, volume=[1.0] * 4)
    df["delta"] = [1.0, -3.0, 6.0, 0.0]
    surge = indicators.orderflow_surge(df, 2)
    assert surge.iloc[:2].isna().all()
    assert surge.iloc[2] == pytest.approx(3.0)  # 6 / mean(|1|, |-3|)
    assert surge.iloc[3] == pytest.approx(0.0)


def test_orderflow_inconsistent_candles_give_nan_not_errors():
    df = frame([11.0, 9.0, np.nan], high=[10.0, 10.0, 10.0], low=[8.0, 8.0, 8.0])
    delta = indicators.orderflow_delta(df)
    assert np.isnan(delta.iloc[0]) and np.isnan(delta.iloc[2])
    assert delta.iloc[1] == pytest.approx(0.0)
    assert indicators.orderflow_surge(frame([]), 20).empty


def test_market_rate_of_change_aligns_on_dates():
    pair = frame([1.0] * 24)
    market = frame([float(c) for c in range(1, 21)])  # BTC data ends 4 candles earlier
    roc = indicators.market_rate_of_change(pair, market, "5m", "15m", 1)
    expected = indicators.htf_rate_of_change(market, "5m", "15m", 1)
    np.testing.assert_array_equal(roc.iloc[:20].to_numpy(), expected.to_numpy())
    assert roc.iloc[20:].isna().all()
    assert roc.iloc[8] == pytest.approx((9 / 6 - 1) * 100)
