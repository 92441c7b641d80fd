"""Correlated crash: every open position suffers its pair's worst recorded hour at the same time.

Alts fall together (2025-02-03: ADA, OP, TAO, SUI and ETH each lost 25-33 % in the same hour), so
the positions' stops do not bound the account's loss in such an hour. With position ``i`` of
notional ``N_i`` on side ``side_i``, its pair's worst hour ``g_i`` for that side
(``pair_gaps.GapBound``) and the sizing fee ``f``:

* crash loss: ``C = sum_i N_i * k(g_i)`` with ``k = sizing.loss_per_notional(g, f, 0, side)``;
* bound (sizing's ``crash`` rule): ``C_open + N_new * k(g_new) <= crash_day_multiple * daily
  limit(E)``, so a stake ``S <= (crash_limit - C_open) / (k(g_new) * L)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from risk_protections.sizing import loss_per_notional


@dataclass(frozen=True)
class Position:
    """An open position as the crash sees it: pair, side and notional (stake * leverage)."""

    pair: str
    is_short: bool
    notional: float


def crash_loss(
    positions: Iterable[Position], gap: Callable[[str, bool], float], fee: float
) -> float:
    """``C``: the loss of ``positions`` if each suffered ``gap(pair, is_short)`` at once."""
    return sum(
        p.notional * loss_per_notional(gap(p.pair, p.is_short), fee, 0.0, p.is_short)
        for p in positions
    )


def positions_of(trades: Iterable[Any]) -> list[Position]:
    """The ``Position`` of each Freqtrade trade (``pair``, ``is_short``, stake times leverage)."""
    return [
        Position(t.pair, bool(t.is_short), float(t.stake_amount) * float(t.leverage or 1.0))
        for t in trades
    ]
