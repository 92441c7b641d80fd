"""The price path inside a recorded candle, for a replay time that falls inside it.

A candle records only open, high, low, close and volume. The replay moves the price through
the candle along the usual four-point path: a rising or flat candle (close ≥ open) goes
open → low → high → close, a falling one open → high → low → close, each leg taking a third
of the candle and the price moving linearly along it; volume accrues evenly. At a fraction
``f`` of the candle the partial candle is open, the extreme prices passed so far, the path
price (the close so far) and ``f`` × volume. Every price the path passes through was traded in
the candle; only the timing inside it is assumed.
"""

from __future__ import annotations

import numpy as np

LEG_POINTS = np.array([0.0, 1 / 3, 2 / 3, 1.0])


def waypoints(open_: float, high: float, low: float, close: float) -> np.ndarray:
    """The four path points: open, first extreme, second extreme, close."""
    if close >= open_:
        return np.array([open_, low, high, close])
    return np.array([open_, high, low, close])


def path_price(open_: float, high: float, low: float, close: float, fraction: float) -> float:
    """Price on the path at ``fraction`` (clipped to [0, 1]) of the candle."""
    return float(
        np.interp(min(max(fraction, 0.0), 1.0), LEG_POINTS, waypoints(open_, high, low, close))
    )


def partial_candle(
    open_: float, high: float, low: float, close: float, volume: float, fraction: float
) -> tuple[float, float, float, float, float]:
    """(open, high, low, close, volume) of the candle as it stands at ``fraction`` of its time."""
    fraction = min(max(fraction, 0.0), 1.0)
    points = waypoints(open_, high, low, close)
    price = float(np.interp(fraction, LEG_POINTS, points))
    passed = [*points[fraction >= LEG_POINTS], price]
    return open_, float(max(passed)), float(min(passed)), price, volume * fraction
