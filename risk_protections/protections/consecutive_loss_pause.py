"""ConsecutiveLossPause: a global pause after every ``max_losses`` losing trades in a row.

The streak counts closed trades with ``close_profit_abs < 0`` back to the latest non-loss; a
pause of ``stop_duration`` minutes (default 60; or ``stop_duration_candles``) starts at the
close that makes the streak a multiple of ``max_losses`` (default 3): 3 losses pause, 3 more
losses pause again.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from freqtrade.constants import Config, LongShort
from freqtrade.plugins.protections import ProtectionReturn

from risk_protections.config import check_positive
from risk_protections.errors import PackConfigError
from risk_protections.ledger import loss_streak
from risk_protections.protections.base import GlobalRiskProtection


def pause_due(streak: int, max_losses: int) -> bool:
    """True when the streak just reached a multiple of ``max_losses``."""
    return streak > 0 and streak % max_losses == 0


class ConsecutiveLossPause(GlobalRiskProtection):
    """Pause all entries for ``stop_duration`` after ``max_losses`` losing trades in a row."""

    def __init__(self, config: Config, protection_config: dict[str, Any]) -> None:
        super().__init__(config, protection_config)
        name = f"protections.{self.name}"
        raw = protection_config.get("max_losses", 3)
        count = check_positive(raw, f"{name}.max_losses")
        if count != int(count):
            raise PackConfigError(f"{name}.max_losses: must be a whole number, got {raw}.")
        self._max_losses = int(count)
        if self._unlock_at is not None:
            raise PackConfigError(f"{name}.unlock_at: not supported, use stop_duration.")
        check_positive(self._stop_duration, f"{name}.stop_duration")

    def short_desc(self) -> str:
        return (
            f"{self.name} - pause all pairs {self.unlock_reason_time_element} after "
            f"{self._max_losses} losing trades in a row."
        )

    def global_stop(
        self, date_now: datetime, side: LongShort, starting_balance: float
    ) -> ProtectionReturn | None:
        streak, last_close = loss_streak()
        if last_close is None or not pause_due(streak, self._max_losses):
            return None
        until = last_close + timedelta(minutes=self._stop_duration)
        if until <= date_now:
            return None
        reason = (
            f"{self.name}: {streak} losing trades in a row (limit {self._max_losses}); "
            f"paused {self.unlock_reason_time_element}, until {until:%Y-%m-%d %H:%M} UTC."
        )
        return self.lock(reason, until)
