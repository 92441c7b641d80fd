"""Hard guards: flash-crash moves and the distance to liquidation (isolated margin)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt


def one_minute_move(
    open_: npt.ArrayLike, high: npt.ArrayLike, low: npt.ArrayLike, prev_close: npt.ArrayLike
) -> npt.NDArray[np.float64]:
    """Largest move inside one candle: max(high, prev_close) / min(low, prev_close) − 1.

    The previous close is included so a gap between candles counts as part of the move;
    a missing previous close falls back to the candle's open. NaN candles give 0.
    """
    ref = np.asarray(prev_close, dtype=float)
    ref = np.where(np.isnan(ref), np.asarray(open_, dtype=float), ref)
    top = np.fmax(np.asarray(high, dtype=float), ref)
    bottom = np.fmin(np.asarray(low, dtype=float), ref)
    with np.errstate(invalid="ignore", divide="ignore"):
        move = top / bottom - 1.0
    return np.nan_to_num(move, nan=0.0, posinf=0.0, neginf=0.0)


def is_flash_move(move: float, threshold: float = 0.05) -> bool:
    """True when a one-minute move exceeds ``threshold`` (default 5 %)."""
    return bool(move > threshold)


def liquidation_distance(leverage: float, maintenance_margin_rate: float) -> float:
    """Price move (fraction of entry) that liquidates an isolated position: 1/L − mmr."""
    return max(1.0 / leverage - maintenance_margin_rate, 0.0)


def stop_clears_liquidation(
    stop_distance: float, leverage: float, maintenance_margin_rate: float, buffer: float
) -> bool:
    """True when the stop triggers before the liquidation price, with a safety buffer.

    Rule: stop_distance ≤ (1 − buffer) · (1/L − mmr). With buffer 0.5 the stop must sit in
    the nearer half of the way to liquidation.
    """
    return stop_distance <= (1.0 - buffer) * liquidation_distance(leverage, maintenance_margin_rate)


def max_safe_leverage(stop_distance: float, maintenance_margin_rate: float, buffer: float) -> float:
    """Largest leverage whose liquidation lies beyond the stop with the buffer.

    Solves stop = (1 − buffer)(1/L − mmr) for L: L = 1 / (stop / (1 − buffer) + mmr).
    """
    return 1.0 / (stop_distance / (1.0 - buffer) + maintenance_margin_rate)
