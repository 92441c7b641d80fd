"""Period and streak guards checked before every entry (the protections' rules, strategy side).

* ``daily_loss``: the realized loss since the daily reset reached ``daily_limit(E at the
  reset)`` at some point (a later profit does not reopen the day, as the lock would not);
* ``weekly_loss``: the same since the ISO-week reset;
* ``consecutive_losses``: the loss streak is a multiple of N and its pause is still running.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from risk_protections.config import RiskConfig
from risk_protections.ledger import LedgerSnapshot
from risk_protections.protections.consecutive_loss_pause import pause_due


def guard_violations(
    risk: RiskConfig, snap: LedgerSnapshot, streak: int, last_close: datetime | None
) -> list[str]:
    """Rules (with amounts) that forbid any entry at ``snap.now``."""
    violations = []
    daily = risk.daily_limit(snap.equity_at_day_start)
    if -snap.pnl_day_low >= daily:
        violations.append(f"daily_loss: realized {-snap.pnl_day_low:.2f} >= {daily:.2f}")
    weekly = risk.weekly_limit(snap.equity_at_week_start)
    if -snap.pnl_week_low >= weekly:
        violations.append(f"weekly_loss: realized {-snap.pnl_week_low:.2f} >= {weekly:.2f}")
    if (
        last_close is not None
        and pause_due(streak, risk.consecutive_losses)
        and snap.now < last_close + timedelta(minutes=risk.pause_minutes)
    ):
        violations.append(f"consecutive_losses: {streak} losses in a row, pause running")
    return violations
