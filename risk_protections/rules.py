"""The account-wide rules, one pure function each: what the protections lock on, what the entry
veto refuses and what the audit checks.

* money limit: ``absolute`` when set, else ``share · base`` (the base is equity at the period
  start for the loss limits, the starting balance for the reserve);
* period loss: locked once ``−(lowest running realized P&L since the period start) ≥ limit``
  (a later profit does not reopen the period);
* loss streak: the latest closed trades with ``profit < 0`` in a row; a pause of
  ``pause_minutes`` starts at the close that makes it a multiple of ``max_losses``;
* reserve: ``free = equity − open stake − reserve``; an entry may not make it negative and the
  account is locked while it is ``≤ 0``;
* drawdown from peak: ``peak = max(start, start + Σ closed profits up to each close, E)``,
  ``drawdown = 1 − E / peak``; the account breaker locks while it exceeds its limit.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from itertools import accumulate


def money_limit(share: float, absolute: float | None, base: float) -> float:
    """The limit in stake currency: ``absolute`` when set, else ``share · base``."""
    return absolute if absolute is not None else share * base


def period_loss_reached(pnl_low: float, limit: float) -> bool:
    """True once the period's lowest running realized P&L is a loss of at least ``limit``."""
    return -pnl_low >= limit


def is_loss(profit: float | None) -> bool:
    """A trade counts as a loss when its realized profit is below zero."""
    return (profit or 0.0) < 0


def loss_streak(profits_newest_first: Iterable[float | None]) -> int:
    """Number of losing trades in a row, counted back from the newest."""
    streak = 0
    for profit in profits_newest_first:
        if not is_loss(profit):
            break
        streak += 1
    return streak


def pause_due(streak: int, max_losses: int) -> bool:
    """True when the streak just reached a multiple of ``max_losses``."""
    return streak > 0 and streak % max_losses == 0


def pause_end(
    streak: int, max_losses: int, last_close: datetime | None, pause_minutes: float
) -> datetime | None:
    """End of the pause started by the close at ``last_close``; None when no pause is due."""
    if last_close is None or not pause_due(streak, max_losses):
        return None
    return last_close + timedelta(minutes=pause_minutes)


def free_above_reserve(equity: float, open_stake: float, reserve: float) -> float:
    """Cash left to stake without touching the reserve: ``equity − open stake − reserve``."""
    return equity - open_stake - reserve


def equity_peak(starting_balance: float, closed_profits_oldest_first: Iterable[float | None],
                equity: float) -> float:
    """Highest realized equity so far: the starting balance, the balance after each closed
    trade (in close order) and the current realized equity ``equity``.
    """
    closes = accumulate((p or 0.0 for p in closed_profits_oldest_first), initial=starting_balance)
    return max(max(closes), equity)


def drawdown_from_peak(peak: float, equity: float) -> float:
    """``1 − equity / peak`` (0 at or above the peak; 1 when the peak is not positive)."""
    if peak <= 0:
        return 1.0
    return max(0.0, 1.0 - equity / peak)
