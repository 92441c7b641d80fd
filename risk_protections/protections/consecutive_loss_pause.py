"""ConsecutiveLossPause: a global pause after every ``max_losses`` losing trades in a row.

The streak counts closed trades with ``close_profit_abs < 0`` back to the latest non-loss; a
pause of ``stop_duration`` minutes (or ``stop_duration_candles``) starts at the close that makes
the streak a multiple of ``max_losses``: 3 losses pause, 3 more losses pause again (rules in
:mod:`risk_protections.rules`; defaults ``risk.consecutive_losses`` and ``risk.pause_minutes``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from freqtrade.constants import Config, LongShort
from freqtrade.plugins.protections import ProtectionReturn

from risk_protections.config import DEFAULTS, check_positive
from risk_protections.errors import PackConfigError
from risk_protections.protections.base import GlobalRiskProtection
from risk_protections.rules import pause_end

_DURATION_KEYS = ("stop_duration", "stop_duration_candles", "unlock_at")


class ConsecutiveLossPause(GlobalRiskProtection):
    """Pause all entries for ``stop_duration`` after ``max_losses`` losing trades in a row."""

    def __init__(self, config: Config, protection_config: dict[str, Any]) -> None:
        if not any(key in protection_config for key in _DURATION_KEYS):
            protection_config = {**protection_config, "stop_duration": DEFAULTS["pause_minutes"]}
        super().__init__(config, protection_config)
        name = f"protections.{self.name}"
        raw = protection_config.get("max_losses", DEFAULTS["consecutive_losses"])
        count = check_positive(raw, f"{name}.max_losses")
        if count != int(count):
            raise PackConfigError(f"{name}.max_losses: must be a whole number, got {raw}.")
        self._max_losses = int(count)
        self.check_cool_down(name)

    def short_desc(self) -> str:
        return (
            f"{self.name} - pause all pairs {self.unlock_reason_time_element} after "
            f"{self._max_losses} losing trades in a row."
        )

    def account_stop(
        self, date_now: datetime, side: LongShort, starting_balance: float
    ) -> ProtectionReturn | None:
        view = self.account(date_now, starting_balance)
        streak, last_close = view.streak, view.last_close
        until = pause_end(streak, self._max_losses, last_close, self._stop_duration)
        if until is None or until <= date_now:
            return None
        note = view.streak_note()
        reason = (
            f"{self.name}: {streak} losing trades in a row (limit {self._max_losses})"
            f"{f' ({note})' if note else ''}; "
            f"paused {self.unlock_reason_time_element}, until {until:%Y-%m-%d %H:%M} UTC."
        )
        return self.lock(reason, until)
