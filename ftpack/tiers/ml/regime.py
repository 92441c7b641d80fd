"""Market regimes: trending up, trending down, ranging, high volatility.

Rule over a window of ``w`` candles ending at row ``j``:

- ``"high_vol"`` if the std of 1-candle log returns over the window exceeds ``vol_mult`` x
  its reference (the median of that std over the ``ref_window`` candles before the window);
- else ``"trend_up"`` / ``"trend_down"`` if the Kaufman efficiency ratio of the window is at
  least ``er_min`` and the window's return is positive / negative;
- else ``"ranging"``.

:func:`trailing_regime` applies the rule to the window ending at each row (known at its close);
:func:`forward_regime` labels row ``i`` with the rule over the *next* ``w`` candles
(``i+1 .. i+w``) against the reference known at ``i`` -- the regime model's FreqAI target.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ftpack.tiers import indicators

TREND_UP, TREND_DOWN, RANGING, HIGH_VOL = "trend_up", "trend_down", "ranging", "high_vol"
REGIMES = (TREND_UP, TREND_DOWN, RANGING, HIGH_VOL)


def _window_stats(close: pd.Series, window: int) -> pd.DataFrame:
    """Per row: return, efficiency ratio and log-return std of the window ending there."""
    frame = pd.DataFrame({"close": close})
    log_ret = np.log(close).diff()
    return pd.DataFrame(
        {
            "ret": close / close.shift(window) - 1.0,
            "er": indicators.efficiency_ratio(frame, window),
            "vol": log_ret.rolling(window).std(),
        },
        index=close.index,
    )


def _classify(stats: pd.DataFrame, vol_ref: pd.Series, er_min: float, vol_mult: float) -> pd.Series:
    """The module rule on window stats; NaN where any input is NaN."""
    known = stats[["ret", "er", "vol"]].notna().all(axis=1) & vol_ref.notna()
    out = pd.Series(RANGING, index=stats.index, dtype="object")
    trend = stats["er"] >= er_min
    out[trend & (stats["ret"] > 0)] = TREND_UP
    out[trend & (stats["ret"] < 0)] = TREND_DOWN
    out[stats["vol"] > vol_mult * vol_ref] = HIGH_VOL
    out[~known] = np.nan
    return out


def trailing_regime(
    dataframe: pd.DataFrame, window: int, ref_window: int, er_min: float = 0.3,
    vol_mult: float = 1.5,
) -> pd.Series:
    """Regime of the ``window`` candles ending at each row (no look-ahead)."""
    stats = _window_stats(dataframe["close"].astype(float), window)
    vol_ref = stats["vol"].shift(window).rolling(ref_window, min_periods=ref_window // 2).median()
    return _classify(stats, vol_ref, er_min, vol_mult)


def forward_regime(
    dataframe: pd.DataFrame, window: int, ref_window: int, er_min: float = 0.3,
    vol_mult: float = 1.5,
) -> pd.Series:
    """Regime of the next ``window`` candles after each row (a label: uses the future)."""
    stats = _window_stats(dataframe["close"].astype(float), window)
    vol_ref = stats["vol"].rolling(ref_window, min_periods=ref_window // 2).median()
    return _classify(stats.shift(-window), vol_ref, er_min, vol_mult)
