"""Fair value of a stablecoin against USDT from its own level and the basket's cross rates.

All inputs are USDT-quoted closes aligned on one candle index. A close from a zero-volume
candle is only the previous close repeated, so callers pass it as NaN (:func:`traded_close`).

For coin X with close ``p_X`` and the other basket coins Y:

- own level:        ``L_X(t) = median(p_X[t-W+1 .. t])``
- cross rate:       ``r_XY = p_X / p_Y`` (or the close of a direct X/Y pair when one is traded)
- implied via Y:    ``I_XY(t) = p_Y(t) · median(r_XY[t-W+1 .. t])``
- basket value:     ``B_X(t) = median_Y I_XY(t)``
- fair value:       ``F_X(t) = median({L_X(t)} ∪ {I_XY(t)})``

A move of USDT itself shifts every ``p_Y`` and therefore every ``I_XY``, so it does not show up
as a deviation of X; a move of X alone does. Every value at row ``t`` uses rows ``<= t`` only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

BPS = 1e4


def traded_close(candles: pd.DataFrame) -> pd.Series:
    """Close of candles that traded (volume > 0); NaN for zero-volume or missing candles."""
    return candles["close"].where(candles["volume"] > 0)


def robust_level(close: pd.Series, window: int) -> pd.Series:
    """Rolling median of the last ``window`` closes, needing at least a quarter of them."""
    return close.rolling(window, min_periods=max(window // 4, 1)).median()


def basket_estimates(
    closes: pd.DataFrame,
    coin: str,
    window: int,
    stale_limit: int,
    direct_crosses: dict[str, pd.Series] | None = None,
) -> pd.DataFrame:
    """One column per other coin Y: ``I_XY``; ``direct_crosses[Y]`` is a traded X/Y close."""
    direct_crosses = direct_crosses or {}
    estimates = {}
    for other in closes.columns:
        if other == coin:
            continue
        cross = direct_crosses.get(other, closes[coin] / closes[other])
        estimates[other] = closes[other].ffill(limit=stale_limit) * robust_level(cross, window)
    return pd.DataFrame(estimates, index=closes.index)


def row_median(frame: pd.DataFrame) -> pd.Series:
    """Median across columns per row, ignoring NaN (NaN when the row has no value)."""
    if frame.shape[1] == 0:
        return pd.Series(np.nan, index=frame.index)
    return frame.median(axis=1, skipna=True)


def fair_value(
    closes: pd.DataFrame,
    coin: str,
    window: int,
    stale_limit: int,
    direct_crosses: dict[str, pd.Series] | None = None,
) -> pd.DataFrame:
    """Columns ``own_level``, ``basket_value`` and ``fair_value`` for ``coin`` (see module doc)."""
    own = robust_level(closes[coin], window)
    implied = basket_estimates(closes, coin, window, stale_limit, direct_crosses)
    return pd.DataFrame(
        {
            "own_level": own,
            "basket_value": row_median(implied),
            "fair_value": row_median(pd.concat([own.rename("own"), implied], axis=1)),
        },
        index=closes.index,
    )


def deviation_bps(price: pd.Series, reference: pd.Series) -> pd.Series:
    """``(price / reference − 1) · 10⁴``: negative when the price is below the reference."""
    return (price / reference - 1.0) * BPS


def entry_limit(fair: pd.Series | float, threshold_bps: float) -> pd.Series | float:
    """Highest price the tier buys at: ``fair · (1 − threshold_bps/10⁴)``."""
    return fair * (1 - threshold_bps / BPS)
