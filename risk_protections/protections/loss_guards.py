"""DailyLossGuard and WeeklyLossGuard: global lock once a period's realized loss reaches a limit.

Period loss = the largest ``-(running sum of realized events since the period start)`` (closed
trades and partial exits, from the trades database; a later profit does not undo a reached
limit). Limit = ``max_loss_abs`` or ``max_loss * E(period start)`` where ``E = starting balance
+ realized profit`` (rules in :mod:`risk_protections.rules`, defaults those of the ``risk``
section). The lock lasts until the next period start.
"""

from __future__ import annotations

from abc import abstractmethod
from datetime import datetime, timedelta
from typing import Any

from freqtrade.constants import Config, LongShort
from freqtrade.plugins.protections import ProtectionReturn

from risk_protections.config import DEFAULTS, check_positive, check_share, parse_utc_hhmm
from risk_protections.ledger import LedgerSnapshot
from risk_protections.protections.base import GlobalRiskProtection
from risk_protections.rules import money_limit, period_loss_reached


class _PeriodLossGuard(GlobalRiskProtection):
    """Shared logic; subclasses set the period name, length and the ``risk`` key of its limit."""

    period: str
    period_days: int
    risk_key: str

    def __init__(self, config: Config, protection_config: dict[str, Any]) -> None:
        super().__init__(config, protection_config)
        name = f"protections.{self.name}"
        self._share = check_share(
            protection_config.get("max_loss", DEFAULTS[self.risk_key]), f"{name}.max_loss"
        )
        raw_abs = protection_config.get("max_loss_abs")
        self._abs = None if raw_abs is None else check_positive(raw_abs, f"{name}.max_loss_abs")
        self._reset = parse_utc_hhmm(
            protection_config.get("reset_time", DEFAULTS["daily_reset"]), f"{name}.reset_time"
        )
        self._currency = config.get("stake_currency", "")

    def _limit_text(self) -> str:
        if self._abs is not None:
            return f"{self._abs:.2f} {self._currency}"
        return f"{self._share:.2%} of equity at the {self.period} start"

    def short_desc(self) -> str:
        return (
            f"{self.name} - lock all pairs once the realized loss this {self.period} "
            f"(reset {self._reset:%H:%M} UTC) reaches {self._limit_text()}."
        )

    @abstractmethod
    def _period(self, snap: LedgerSnapshot) -> tuple[datetime, float, float]:
        """(period start, lowest running realized P&L, equity at the period start)."""

    def limit(self, equity_at_start: float) -> float:
        """Loss limit in stake currency."""
        return money_limit(self._share, self._abs, equity_at_start)

    def account_stop(
        self, date_now: datetime, side: LongShort, starting_balance: float
    ) -> ProtectionReturn | None:
        view = self.account(date_now, starting_balance, self._reset)
        start, pnl, equity_at_start = self._period(view.snapshot)
        limit = self.limit(equity_at_start)
        if not period_loss_reached(pnl, limit):
            return None
        until = start + timedelta(days=self.period_days)
        note = view.period_note(start, limit)
        reason = (
            f"{self.name}: realized loss {-pnl:.2f} {self._currency} since {start:%Y-%m-%d %H:%M}"
            f" UTC reached the {self.period} limit {limit:.2f} {self._currency} "
            f"({self._limit_text()}){f' ({note})' if note else ''}; "
            f"locked until {until:%Y-%m-%d %H:%M} UTC."
        )
        return self.lock(reason, until)


class DailyLossGuard(_PeriodLossGuard):
    """Daily realized-loss limit (defaults: ``risk.daily_loss_limit``, ``risk.daily_reset``)."""

    period = "day"
    period_days = 1
    risk_key = "daily_loss_limit"

    def _period(self, snap: LedgerSnapshot) -> tuple[datetime, float, float]:
        return snap.day_start, snap.pnl_day_low, snap.equity_at_day_start


class WeeklyLossGuard(_PeriodLossGuard):
    """ISO-week realized-loss limit from Monday's reset (default ``risk.weekly_loss_limit``)."""

    period = "week"
    period_days = 7
    risk_key = "weekly_loss_limit"

    def _period(self, snap: LedgerSnapshot) -> tuple[datetime, float, float]:
        return snap.week_start, snap.pnl_week_low, snap.equity_at_week_start
