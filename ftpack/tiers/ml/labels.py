"""Triple-barrier labels (López de Prado) with ATR-scaled barriers, as FreqAI string classes.

For an entry at ``close[i]``: upper barrier ``close[i] + up_atr * atr[i]``, lower barrier
``close[i] - down_atr * atr[i]``, time barrier ``horizon`` candles. Scanning candles
``i+1 .. i+horizon``: the first candle whose high reaches the upper barrier gives ``"up"``,
whose low reaches the lower barrier gives ``"down"`` (a candle touching both counts as
``"down"``: the stop is assumed first); no touch within the horizon gives ``"flat"``.
Rows whose horizon runs past the data end without a touch, or with a NaN/non-positive ATR,
are NaN (unknown), so FreqAI drops them from training.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

UP, DOWN, FLAT = "up", "down", "flat"


def triple_barrier(
    dataframe: pd.DataFrame, atr: pd.Series, up_atr: float, down_atr: float, horizon: int
) -> pd.Series:
    """Triple-barrier class per row (``"up"``, ``"down"``, ``"flat"`` or NaN), see module doc."""
    close = dataframe["close"].to_numpy(dtype=float)
    high = dataframe["high"].to_numpy(dtype=float)
    low = dataframe["low"].to_numpy(dtype=float)
    atr_v = atr.to_numpy(dtype=float)
    n = len(close)
    valid = np.isfinite(close) & np.isfinite(atr_v) & (atr_v > 0)
    upper = close + up_atr * atr_v
    lower = close - down_atr * atr_v
    first_up = np.full(n, horizon + 1)
    first_down = np.full(n, horizon + 1)
    for k in range(horizon, 0, -1):  # descending, so the earliest touch is written last
        fut_high = np.full(n, np.nan)
        fut_low = np.full(n, np.nan)
        fut_high[: n - k] = high[k:]
        fut_low[: n - k] = low[k:]
        first_up[fut_high >= upper] = k
        first_down[fut_low <= lower] = k
    labels = np.full(n, np.nan, dtype=object)
    touched = np.minimum(first_up, first_down) <= horizon
    labels[touched & (first_down <= first_up)] = DOWN
    labels[touched & (first_up < first_down)] = UP
    complete = np.arange(n) + horizon <= n - 1
    labels[~touched & complete] = FLAT
    labels[~valid] = np.nan
    return pd.Series(labels, index=dataframe.index, dtype="object")
