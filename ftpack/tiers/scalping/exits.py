"""Layered exits measured in R, the initial stop distance (fraction of the entry price).

- 1R: ``atr_multiple`` × ATR/close of the signal candle, at most ``max_stop``.
- Partial exits: 25 % of the initial position at 1R, 25 % at 2R, 25 % at 3R (one tranche per
  candle, checked on the candle close); the last 25 % rides the trailing stop.
- Stop: entry − 1R (long) until the best excursion reaches 1R, then breakeven (entry moved by
  the round-trip fee), and from 2R on an ATR trail below the best price, never under breakeven.
  The trail is 2 × ATR in a strong trend and 1 × ATR once momentum weakens.
- An immediate exit when the regime changes (the time exit is :mod:`ftpack.tiers.holding`).
"""

from __future__ import annotations

import pandas as pd

PARTIAL_LEVELS: tuple[float, ...] = (1.0, 2.0, 3.0)
PARTIAL_FRACTION = 0.25
BREAKEVEN_AT_R = 1.0
TRAIL_AT_R = 2.0


def stop_distance(atr_pct: pd.Series, atr_multiple: float, max_stop: float) -> pd.Series:
    """1R per candle: ``min(atr_multiple · atr_pct, max_stop)``; NaN where the ATR is unknown."""
    return (atr_multiple * atr_pct).clip(upper=max_stop)


def favourable_move(entry: float, rate: float, is_short: bool) -> float:
    """Price move in the trade's favour as a fraction of entry: ±(rate / entry − 1)."""
    move = rate / entry - 1.0
    return -move if is_short else move


def r_multiple(entry: float, rate: float, is_short: bool, stop_distance: float) -> float:
    """Favourable move in units of the initial stop distance."""
    return favourable_move(entry, rate, is_short) / stop_distance


def partial_exit_share(r_now: float, exits_done: int) -> float:
    """Share of the *current* position to close now (0 when no new level was reached).

    Tranche k (k = exits_done) is 25 % of the initial position and is due at PARTIAL_LEVELS[k];
    relative to what is still open that is 0.25 / (1 − 0.25·k): 1/4, then 1/3, then 1/2.
    """
    if exits_done >= len(PARTIAL_LEVELS) or r_now < PARTIAL_LEVELS[exits_done]:
        return 0.0
    return PARTIAL_FRACTION / (1.0 - PARTIAL_FRACTION * exits_done)


def trail_atr_multiple(momentum_weakening: bool, strong: float = 2.0, weak: float = 1.0) -> float:
    """ATR multiple of the trail: ``strong`` (2×) in a strong trend, ``weak`` (1×) once it fades."""
    return weak if momentum_weakening else strong


def stop_price(
    entry: float,
    is_short: bool,
    stop_distance: float,
    best_rate: float,
    trail_distance: float,
    breakeven_offset: float,
) -> float:
    """Stop price for the trade's best excursion so far (``best_rate``: max for long, min short).

    best R < 1: entry ∓ stop_distance·entry; 1 ≤ best R < 2: breakeven = entry ± offset·entry;
    best R ≥ 2: the tighter of breakeven and best_rate ∓ trail_distance (an absolute price
    distance, k × ATR).
    """
    sign = -1.0 if is_short else 1.0
    best_r = r_multiple(entry, best_rate, is_short, stop_distance)
    if best_r < BREAKEVEN_AT_R:
        return entry * (1.0 - sign * stop_distance)
    breakeven = entry * (1.0 + sign * breakeven_offset)
    if best_r < TRAIL_AT_R:
        return breakeven
    trail = best_rate - sign * trail_distance
    return min(breakeven, trail) if is_short else max(breakeven, trail)


def stop_hit(stop: float, low: float, high: float, is_short: bool) -> bool:
    """True when the candle touched the stop (low ≤ stop for long, high ≥ stop for short)."""
    return high >= stop if is_short else low <= stop


def regime_changed(
    is_short: bool, efficiency_ratio: float, trend_direction: float, exit_threshold: float
) -> bool:
    """True when the trend that justified the entry is gone.

    The regime counts as changed when the efficiency ratio falls below ``exit_threshold``
    (ranging) or the trend direction (sign of the 5m trend) turns against the position.
    A missing (NaN) reading is treated as a change: no data, no position.
    """
    if efficiency_ratio != efficiency_ratio or trend_direction != trend_direction:
        return True
    against = trend_direction > 0 if is_short else trend_direction < 0
    return efficiency_ratio < exit_threshold or against
