"""Fee break-even: a scalp is only worth taking when its expected move pays the round trip.

The round trip is a maker entry plus a taker exit at the exchange's listed fees for the pair
(:func:`risk_protections.fees.exchange_fee`; Binance USDⓈ-M VIP 0: 0.02 % + 0.05 %). The stop
moves to breakeven at entry ± that round trip, and an entry needs its 1R move to exceed the
round trip plus a buffer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from risk_protections.fees import exchange_fee


def round_trip_fee(market: Mapping[str, Any] | None) -> float:
    """Maker entry plus taker exit, as a fraction of notional: fee_maker + fee_taker."""
    return exchange_fee(market, "maker") + exchange_fee(market, "taker")


def min_expected_move(round_trip: float, buffer: float) -> float:
    """Smallest expected price move worth trading: round-trip fee + buffer.

    With 0.02 % + 0.05 % and a 0.08 % buffer this is 0.15 %.
    """
    return round_trip + buffer


def clears_fees(expected_move: npt.ArrayLike, threshold: float) -> npt.NDArray[np.bool_]:
    """True where the expected move (fraction of price) exceeds the fee threshold; NaN → False."""
    move = np.asarray(expected_move, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.nan_to_num(move, nan=-np.inf) > threshold
