"""Tier 2 entry setups and the market-wide regime filter, as pure look-ahead-free rules.

Every function takes candle columns (5m candles, ``date`` = candle open time, UTC) and returns a
Series aligned to its input; the value at row ``i`` uses rows ``<= i`` only. Windows are counted
in candles of the input timeframe (a day of 5m candles = 288).

* Bar portion: ``bp = (close - open) / (high - low)`` in [-1, 1], 0 for a candle with no range.
  A strongly negative ``bp`` on a wide candle (close near the low after a fall) is the
  short-horizon reversal setup: buy the flush.
* Micro-consolidation pullback (Bonde): after a momentum burst (``roc(burst) >= burst_min``), the
  last ``base`` candles trade in a tight box, ``(max high - min low) / close <= base_max``; the
  entry is the close above that box's high.
* Market regime: ``trend_up(close, n) = close > SMA(close, n)``; breadth = the share of the basket's
  pairs in ``trend_up``; ``market_on`` = BTC in trend_up and breadth >= ``breadth_min``.
* Dip: close below the ``window``-candle ``n_std``-sigma Bollinger band with RSI(14) < ``rsi_max``.
* Opening-range breakout: the first close of the UTC day above the high of the candles that open
  in ``[start, start + minutes)``.
* Cross-sectional leader: the ``k`` pairs with the largest (smallest) score in a row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import talib


def bar_portion(candles: pd.DataFrame) -> pd.Series:
    """(close - open) / (high - low); 0 where high == low; NaN where a price is NaN."""
    span = candles["high"] - candles["low"]
    body = candles["close"] - candles["open"]
    out = body / span.where(span > 0)
    return out.where(span != 0, 0.0).where(body.notna() & span.notna())


def range_fraction(candles: pd.DataFrame, window: int) -> pd.Series:
    """(max high - min low) / close over the last ``window`` candles, this one included."""
    top = talib.MAX(candles["high"], timeperiod=window)
    bottom = talib.MIN(candles["low"], timeperiod=window)
    return (top - bottom) / candles["close"]


def flush_reversal(
    candles: pd.DataFrame, bp_max: float, range_window: int, range_mult: float
) -> pd.Series:
    """Bar-portion reversal signal: ``bp <= bp_max`` (e.g. -0.8) on a candle whose range is at
    least ``range_mult`` x the mean range of the prior ``range_window`` candles.
    """
    span = candles["high"] - candles["low"]
    prior_mean = talib.SMA(span, timeperiod=range_window).shift(1)
    wide = span >= range_mult * prior_mean
    return ((bar_portion(candles) <= bp_max) & wide).fillna(False).astype(bool)


def consolidation_breakout(
    candles: pd.DataFrame, burst: int, burst_min: float, base: int, base_max: float
) -> pd.Series:
    """Bonde pullback entry: a burst of at least ``burst_min`` (fraction) over ``burst`` candles
    ending where the base starts, a base of ``base`` candles with range fraction <= ``base_max``,
    and this candle closing above the base's high.
    """
    close = candles["close"]
    base_range = range_fraction(candles, base).shift(1)
    base_high = talib.MAX(candles["high"], timeperiod=base).shift(1)
    burst_ret = close.shift(base + 1) / close.shift(base + 1 + burst) - 1.0
    setup = (burst_ret >= burst_min) & (base_range <= base_max) & (close > base_high)
    return setup.fillna(False).astype(bool)


def trend_up(close: pd.Series, window: int) -> pd.Series:
    """close > SMA(close, window) (False while the SMA is unknown)."""
    sma = talib.SMA(close.astype(float), timeperiod=window)
    return (close > sma).fillna(False).astype(bool)


def breadth(trends: pd.DataFrame) -> pd.Series:
    """Share of columns that are True per row among the columns with data (NaN = no data)."""
    valid = trends.notna().sum(axis=1)
    return trends.fillna(False).astype(float).sum(axis=1) / valid.where(valid > 0)


def market_on(btc_trend: pd.Series, basket_breadth: pd.Series, breadth_min: float) -> pd.Series:
    """The long-only regime: BTC in its uptrend and at least ``breadth_min`` of the basket too."""
    on = btc_trend.astype(bool) & (basket_breadth >= breadth_min)
    return on.fillna(False).astype(bool)


def realized_vol(close: pd.Series, window: int) -> pd.Series:
    """Standard deviation of log returns over the last ``window`` candles."""
    logret = np.log(close.astype(float)).diff()
    return logret.rolling(window, min_periods=window).std()


def oversold_dip(candles: pd.DataFrame, window: int, n_std: float, rsi_max: float) -> pd.Series:
    """Dip in the 5m noise: close < SMA(window) - n_std x stdev(window) and RSI(14) < rsi_max."""
    close = candles["close"].astype(float)
    _, _, lower = talib.BBANDS(close, timeperiod=window, nbdevup=n_std, nbdevdn=n_std)
    rsi = talib.RSI(close, timeperiod=14)
    return ((close < lower) & (rsi < rsi_max)).fillna(False).astype(bool)


def opening_range_breakout(candles: pd.DataFrame, start_minute: int, minutes: int) -> pd.Series:
    """First close above the day's opening range: the range is the high of the candles that open in
    [start_minute, start_minute + minutes) of the UTC day; only candles opening after it count,
    once per day."""
    dates = candles["date"]
    minute = dates.dt.hour * 60 + dates.dt.minute
    day = dates.dt.floor("D")
    in_range = (minute >= start_minute) & (minute < start_minute + minutes)
    # every range candle opens before any candle that may signal: no look-ahead
    range_high = candles["high"].where(in_range).groupby(day).transform("max")
    above = ((candles["close"] > range_high) & (minute >= start_minute + minutes)).fillna(False)
    earlier = above.astype(int).groupby(day).cumsum() - above.astype(int)
    return (above & (earlier == 0)).astype(bool)


def top_k(scores: pd.DataFrame, k: int, largest: bool = True) -> pd.DataFrame:
    """True for the ``k`` columns with the largest (or smallest) score in each row; NaN = absent."""
    ranks = scores.rank(axis=1, ascending=not largest, method="first")
    return (ranks <= k).fillna(False)
