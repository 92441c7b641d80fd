"""Funding-rate bias: the side that pays funding needs a stronger signal, extreme funding blocks it.

Positive funding means longs pay shorts, so positive funding tilts the scalper to shorts and
negative funding to longs. For the paying side the order-flow surge threshold is multiplied by

    m = 1 + (|rate| − neutral) / (extreme − neutral)   for neutral < |rate| < extreme,
    m = inf (entry blocked)                              for |rate| ≥ extreme,

and m = 1 for the receiving side or when |rate| ≤ neutral (or the rate is unknown).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt


def surge_multiplier(
    funding_rate: npt.ArrayLike, side: str, neutral: float, extreme: float
) -> npt.NDArray[np.float64]:
    """Multiplier on the surge threshold for entries on ``side`` ('long'/'short')."""
    if not 0 <= neutral < extreme:
        raise ValueError("need 0 <= neutral < extreme")
    rate = np.nan_to_num(np.asarray(funding_rate, dtype=float), nan=0.0)
    paying = rate > 0 if side == "long" else rate < 0
    size = np.abs(rate)
    mult = 1.0 + np.clip(size - neutral, 0.0, None) / (extreme - neutral)
    mult = np.where(size >= extreme, np.inf, mult)
    return np.where(paying, mult, 1.0)
