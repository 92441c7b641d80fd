"""Fee break-even: a scalp is only worth taking when its expected move pays the round trip."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

# Binance USDⓈ-M VIP 0 fees (the bundled markets snapshot): taker 0.05 %, maker 0.02 %.
TAKER_FEE = 0.0005
MAKER_FEE = 0.0002


def round_trip_fee(
    entry_is_maker: bool, exit_is_maker: bool, maker: float = MAKER_FEE, taker: float = TAKER_FEE
) -> float:
    """Fee of one entry plus one exit as a fraction of notional: fee_in + fee_out."""
    return (maker if entry_is_maker else taker) + (maker if exit_is_maker else taker)


def min_expected_move(
    buffer: float, entry_is_maker: bool = True, exit_is_maker: bool = False
) -> float:
    """Smallest expected price move worth trading: round-trip fee + buffer.

    With a maker entry, a taker exit and a 0.08 % buffer this is 0.02 + 0.05 + 0.08 = 0.15 %.
    """
    return round_trip_fee(entry_is_maker, exit_is_maker) + buffer


def clears_fees(expected_move: npt.ArrayLike, threshold: float) -> npt.NDArray[np.bool_]:
    """True where the expected move (fraction of price) exceeds the fee threshold; NaN → False."""
    move = np.asarray(expected_move, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.nan_to_num(move, nan=-np.inf) > threshold
