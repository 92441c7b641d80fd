"""Shared, look-ahead-free indicator rules of the pack's breakout tiers (Tier 2 and Tier 3).

Every function takes a Freqtrade OHLCV DataFrame (``date, open, high, low, close, volume``,
candle *open* times in UTC) or one of its columns and returns a Series aligned to its index.
A value at row ``i`` only uses candles ``<= i``; NaN inputs give NaN (or ``False``) outputs
instead of raising. Indicators come from TA-Lib, pandas-ta and ``technical``; this module only
combines them into rules.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandas_ta as pta
import talib
from freqtrade.exchange import timeframe_to_minutes
from freqtrade.strategy import merge_informative_pair
from technical.util import resample_to_interval

import flowbook


def range_high(dataframe: pd.DataFrame, window: int) -> pd.Series:
    """Donchian upper band of the *previous* ``window`` candles: max(high[i-window .. i-1])."""
    return talib.MAX(dataframe["high"], timeperiod=window).shift(1)


def range_low(dataframe: pd.DataFrame, window: int) -> pd.Series:
    """Donchian lower band of the *previous* ``window`` candles: min(low[i-window .. i-1])."""
    return talib.MIN(dataframe["low"], timeperiod=window).shift(1)


def breakout_up(dataframe: pd.DataFrame, window: int) -> pd.Series:
    """True where the candle closes above the prior ``window``-candle range high."""
    return (dataframe["close"] > range_high(dataframe, window)).fillna(False).astype(bool)


def volume_ratio(dataframe: pd.DataFrame, window: int = 20) -> pd.Series:
    """volume[i] / mean(volume[i-window .. i-1]); NaN when the prior mean is 0 or unknown.

    The mean is pandas' rolling mean: a NaN volume only blanks the windows that hold it
    (TA-Lib's SMA would stay NaN for every later candle).
    """
    volume = dataframe["volume"].astype(float)
    prior_mean = volume.rolling(window).mean().shift(1)
    return volume / prior_mean.where(prior_mean > 0)


def efficiency_ratio(dataframe: pd.DataFrame, window: int) -> pd.Series:
    """Kaufman efficiency ratio |close[i] - close[i-n]| / sum |close[k] - close[k-1]| (pandas-ta).

    Near 1 = a clean trend, near 0 = chop. NaN for flat windows (0 / 0).
    """
    er = pta.er(dataframe["close"], length=window)
    if er is None:  # pandas-ta returns None when the series is shorter than the window
        return pd.Series(np.nan, index=dataframe.index)
    return er.replace([np.inf, -np.inf], np.nan)


def htf_rate_of_change(
    dataframe: pd.DataFrame, timeframe: str, htf: str, periods: int
) -> pd.Series:
    """Rate of change (TA-Lib ROC, %) of ``htf`` candles resampled from ``dataframe``.

    The ``htf`` candles are built from the base candles with ``technical``'s resampler and merged
    back with Freqtrade's ``merge_informative_pair``, so a base row only sees ``htf`` candles
    that have fully closed by the end of that row. Works the same live and in backtests, with no
    extra data files.
    """
    if dataframe.empty:
        return pd.Series(dtype=float, index=dataframe.index)
    htf_frame = resample_to_interval(
        dataframe[["date", "open", "high", "low", "close", "volume"]], timeframe_to_minutes(htf)
    )
    htf_frame["roc"] = talib.ROC(htf_frame["close"], timeperiod=periods)
    merged = merge_informative_pair(
        dataframe[["date"]], htf_frame[["date", "roc"]], timeframe, htf, ffill=True
    )
    return pd.Series(merged[f"roc_{htf}"].to_numpy(), index=dataframe.index)


def market_rate_of_change(
    dataframe: pd.DataFrame, market: pd.DataFrame, timeframe: str, htf: str, periods: int
) -> pd.Series:
    """:func:`htf_rate_of_change` of another pair's candles (e.g. BTC as a market filter),
    aligned on ``dataframe``'s dates; NaN where ``market`` has no candle of that date.
    """
    if market.empty or dataframe.empty:
        return pd.Series(np.nan, index=dataframe.index)
    roc = pd.Series(
        htf_rate_of_change(market, timeframe, htf, periods).to_numpy(), index=market["date"]
    )
    return pd.Series(roc.reindex(dataframe["date"]).to_numpy(), index=dataframe.index)


def _valid_candles(dataframe: pd.DataFrame) -> pd.DataFrame:
    """high/low/close/volume as float, with inconsistent or non-finite candles set to NaN."""
    hlcv = dataframe[["high", "low", "close", "volume"]].astype(float)
    bad = ~np.isfinite(hlcv).all(axis=1) | (hlcv["high"] < hlcv["low"])
    bad |= (hlcv["close"] < hlcv["low"]) | (hlcv["close"] > hlcv["high"]) | (hlcv["volume"] < 0)
    return hlcv.mask(bad)


def candle_flow(dataframe: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Close-location value and net taker flow of each candle, from one flowbook pass.

    CLV = (close − low) / (high − low) in [0, 1]: 0.5 for a flat candle, NaN for an inconsistent
    or incomplete one. Net flow (base asset): Freqtrade's trades-based ``delta`` column
    (``use_public_trades``) where a candle has it, else flowbook's candle-only proxy
    volume · (2 · CLV − 1).
    """
    hlcv = _valid_candles(dataframe)
    clv, proxy = flowbook.candle_flow_proxy(*(hlcv[c].to_numpy() for c in hlcv.columns))
    flow = pd.Series(proxy, index=dataframe.index)
    if "delta" in dataframe.columns:
        trades = pd.to_numeric(dataframe["delta"], errors="coerce").astype(float)
        trades = trades.where(np.isfinite(trades))
        flow = trades.where(trades.notna(), flow)
    return pd.Series(clv, index=dataframe.index), flow


def orderflow_delta(dataframe: pd.DataFrame) -> pd.Series:
    """The net taker flow of :func:`candle_flow`."""
    return candle_flow(dataframe)[1]


def flow_surge(delta: pd.Series, window: int) -> pd.Series:
    """flowbook's net order-flow surge of a flow series:
    delta[i] / mean(|delta[i-window .. i-1]|); NaN while the window is incomplete or flat.
    """
    return pd.Series(flowbook.flow_surge(delta.to_numpy(dtype=float), window), index=delta.index)


def orderflow_surge(dataframe: pd.DataFrame, window: int) -> pd.Series:
    """:func:`flow_surge` of the candles' :func:`orderflow_delta`."""
    return flow_surge(orderflow_delta(dataframe), window)
