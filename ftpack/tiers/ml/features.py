"""FreqAI feature and target hooks shared by the pack's ML tier variants.

FreqAI expands ``expand_all`` over ``indicator_periods_candles``, ``include_timeframes`` and
``include_corr_pairlist`` (BTC context) and ``expand_basic`` over the timeframes and pairs;
``standard`` is added once. Every feature at row ``i`` uses candles ``<= i`` only (TA-Lib,
pandas-ta via :mod:`ftpack.tiers.indicators`, flowbook's order flow). The pool is kept small (about
30 columns on spot) and the model keeps the ``max_features`` most important per window.
Targets (``&-`` columns) are the triple-barrier class and the forward regime.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import talib

from ftpack.tiers import indicators
from ftpack.tiers.ml.labels import triple_barrier
from ftpack.tiers.ml.regime import forward_regime
from ftpack.tiers.momentum import session

FLOW_WINDOW = 20


def _filled(dataframe: pd.DataFrame) -> pd.DataFrame:
    """OHLCV with NaN candles carried forward from the last known one (causal), so TA-Lib's
    recursive indicators (RSI, ATR, ADX) recover after a gap instead of staying NaN.
    """
    return dataframe[["open", "high", "low", "close", "volume"]].astype(float).ffill()


def expand_all(dataframe: pd.DataFrame, period: int) -> pd.DataFrame:
    """Period-dependent features: RSI, ROC %, efficiency ratio, NATR %, ADX, relative volume.
    Rows whose own candle is missing (NaN close) get NaN features.
    """
    c = _filled(dataframe)
    mean_volume = talib.SMA(c["volume"], timeperiod=period)
    out = pd.DataFrame(
        {
            "%-rsi-period": talib.RSI(c["close"], timeperiod=period),
            "%-roc-period": talib.ROC(c["close"], timeperiod=period),
            "%-er-period": indicators.efficiency_ratio(c, period),
            "%-natr-period": talib.NATR(c["high"], c["low"], c["close"], timeperiod=period),
            "%-adx-period": talib.ADX(c["high"], c["low"], c["close"], timeperiod=period),
            "%-relvol-period": c["volume"] / mean_volume.where(mean_volume > 0),
        },
        index=dataframe.index,
    )
    dataframe[out.columns] = out.mask(dataframe["close"].isna())
    return dataframe


def expand_basic(dataframe: pd.DataFrame) -> pd.DataFrame:
    """Candle features: 1-candle return, close location, order-flow surge (trades delta when
    Freqtrade's orderflow columns exist, the candle proxy otherwise).
    """
    dataframe["%-ret1"] = dataframe["close"].pct_change(fill_method=None)
    clv, delta = indicators.candle_flow(dataframe)
    dataframe["%-clv"] = clv
    dataframe["%-flow_surge"] = indicators.flow_surge(delta, FLOW_WINDOW)
    return dataframe


def standard(dataframe: pd.DataFrame) -> pd.DataFrame:
    """Time of day (UTC) on the unit circle."""
    minute = session.minute_of_day(dataframe["date"]) / session.MINUTES_PER_DAY
    dataframe["%-day_sin"] = np.sin(2 * np.pi * minute)
    dataframe["%-day_cos"] = np.cos(2 * np.pi * minute)
    return dataframe


def targets(dataframe: pd.DataFrame, freqai: dict[str, Any]) -> pd.DataFrame:
    """``&-tb``: triple-barrier class; ``&-regime``: regime of the next candles.

    Barriers come from ``freqai["ftpack"]["labels"]`` (``atr_period``, ``up_atr``,
    ``down_atr``); both horizons are ``feature_parameters.label_period_candles``.
    """
    labels = freqai["ftpack"]["labels"]
    horizon = int(freqai["feature_parameters"]["label_period_candles"])
    c = _filled(dataframe)
    atr = pd.Series(
        talib.ATR(c["high"], c["low"], c["close"], timeperiod=int(labels["atr_period"])),
        index=dataframe.index,
    ).mask(dataframe["close"].isna())
    label_columns = pd.DataFrame(
        {
            "&-tb": triple_barrier(
                dataframe, atr, float(labels["up_atr"]), float(labels["down_atr"]), horizon
            ),
            "&-regime": forward_regime(
                dataframe, horizon, int(labels.get("regime_ref_window", 10 * horizon))
            ),
        },
        index=dataframe.index,
    )
    # One concat instead of two inserts into FreqAI's already wide feature frame.
    return pd.concat([dataframe, label_columns], axis=1)
