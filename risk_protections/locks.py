"""The protections' locks, checked on the strategy side before every entry.

The protections lock the account when a rule of :mod:`risk_protections.rules` fires; the entry
veto asks the same rule functions, so an entry is refused even before Freqtrade has placed the
lock (or in backtests run without ``--enable-protections``):

* ``daily_loss`` / ``weekly_loss``: the period's realized loss reached its limit;
* ``consecutive_losses``: a loss-streak pause is running.
"""

from __future__ import annotations

from datetime import datetime

from risk_protections.config import RiskConfig
from risk_protections.ledger import LedgerSnapshot
from risk_protections.rules import pause_end, period_loss_reached


def lock_violations(
    risk: RiskConfig, snap: LedgerSnapshot, streak: int, last_close: datetime | None
) -> list[str]:
    """Rules (with amounts) that forbid any entry at ``snap.now``."""
    violations = []
    daily = risk.daily_limit(snap.equity_at_day_start)
    if period_loss_reached(snap.pnl_day_low, daily):
        violations.append(f"daily_loss: realized {-snap.pnl_day_low:.2f} >= {daily:.2f}")
    weekly = risk.weekly_limit(snap.equity_at_week_start)
    if period_loss_reached(snap.pnl_week_low, weekly):
        violations.append(f"weekly_loss: realized {-snap.pnl_week_low:.2f} >= {weekly:.2f}")
    pause = pause_end(streak, risk.consecutive_losses, last_close, risk.pause_minutes)
    if pause is not None and snap.now < pause:
        violations.append(f"consecutive_losses: {streak} losses in a row, pause running")
    return violations
