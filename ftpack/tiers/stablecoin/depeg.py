"""De-peg guard: when a stablecoin stops behaving like one, take no entries and get out.

The guard fires on candle ``t`` when any of these holds (all in basis points, rows ``<= t``):

- peg:      ``max(|low − 1|, |high − 1|) · 10⁴ > peg_limit_bps``  (the coin left $1);
- basket:   ``|close / basket_value − 1| · 10⁴ > basket_limit_bps``  (it left the other coins);
- widening: ``|d|`` rose on each of the last ``widen_candles`` candles and ``|d| > widen_min_bps``,
  with ``d`` the deviation from fair value (the gap keeps opening instead of closing).

Once fired it stays on for ``cooldown_candles`` candles (a rolling maximum), so a coin that
snaps back for one candle in the middle of a de-peg is not bought.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ftpack.tiers.stablecoin.fair_value import BPS, deviation_bps


@dataclass(frozen=True)
class DepegLimits:
    """Thresholds of the de-peg guard (see module docstring)."""

    peg_limit_bps: float = 50.0
    basket_limit_bps: float = 50.0
    widen_candles: int = 3
    widen_min_bps: float = 10.0
    cooldown_candles: int = 288


def peg_distance_bps(candles: pd.DataFrame) -> pd.Series:
    """Farthest distance of the candle's range from $1: ``max(|low−1|, |high−1|) · 10⁴``."""
    return (
        pd.concat([(candles["low"] - 1.0).abs(), (candles["high"] - 1.0).abs()], axis=1).max(
            axis=1, skipna=False
        )
        * BPS
    )


def widening(deviation: pd.Series, candles: int, min_bps: float) -> pd.Series:
    """``|d|`` strictly rose on each of the last ``candles`` candles and is above ``min_bps``."""
    size = deviation.abs()
    rising = (size.diff() > 0).astype(float).rolling(candles, min_periods=candles).min() == 1.0
    return rising & (size > min_bps)


def depeg_trigger(candles: pd.DataFrame, fair: pd.DataFrame, limits: DepegLimits) -> pd.Series:
    """True on candles where one of the three rules fires (before the cooldown latch)."""
    peg = peg_distance_bps(candles) > limits.peg_limit_bps
    basket = deviation_bps(candles["close"], fair["basket_value"]).abs() > limits.basket_limit_bps
    widen = widening(
        deviation_bps(candles["close"], fair["fair_value"]),
        limits.widen_candles,
        limits.widen_min_bps,
    )
    return peg | basket | widen


def depeg_guard(candles: pd.DataFrame, fair: pd.DataFrame, limits: DepegLimits) -> pd.Series:
    """The trigger held on for ``cooldown_candles`` candles after it last fired."""
    trigger = depeg_trigger(candles, fair, limits).astype(float)
    return trigger.rolling(limits.cooldown_candles, min_periods=1).max() == 1.0
