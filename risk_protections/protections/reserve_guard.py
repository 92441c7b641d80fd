"""ReserveGuard: global lock while free cash is at or below the emergency reserve.

Free cash = ``E - open stake`` with ``E = starting balance + realized profit`` (from the trades
database). Reserve = ``reserve_abs`` or ``reserve * starting balance`` (default ``risk.reserve``;
rules in :mod:`risk_protections.rules`). The lock lasts ``stop_duration`` minutes (Freqtrade's
default 60) and is renewed at every exit while the condition holds; the strategy-side layer also
refuses any entry that would draw on the reserve.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from freqtrade.constants import Config, LongShort
from freqtrade.plugins.protections import ProtectionReturn

from risk_protections.config import DEFAULTS, check_positive, check_share
from risk_protections.protections.base import GlobalRiskProtection
from risk_protections.rules import free_above_reserve, money_limit


class ReserveGuard(GlobalRiskProtection):
    """Lock all pairs while ``E - open stake <= reserve``."""

    def __init__(self, config: Config, protection_config: dict[str, Any]) -> None:
        super().__init__(config, protection_config)
        name = f"protections.{self.name}"
        self._share = check_share(
            protection_config.get("reserve", DEFAULTS["reserve"]), f"{name}.reserve"
        )
        raw_abs = protection_config.get("reserve_abs")
        self._abs = None if raw_abs is None else check_positive(raw_abs, f"{name}.reserve_abs")
        check_positive(self._stop_duration, f"{name}.stop_duration")
        self._currency = config.get("stake_currency", "")

    def reserve(self, starting_balance: float) -> float:
        """Reserve in stake currency."""
        return money_limit(self._share, self._abs, starting_balance)

    def short_desc(self) -> str:
        amount = (
            f"{self._abs:.2f} {self._currency}"
            if self._abs is not None
            else f"{self._share:.0%} of the starting balance"
        )
        return f"{self.name} - lock all pairs while equity less open stake <= reserve {amount}."

    def account_stop(
        self, date_now: datetime, side: LongShort, starting_balance: float
    ) -> ProtectionReturn | None:
        view = self.account(date_now, starting_balance)
        snap = view.snapshot
        equity, open_stake = snap.equity, snap.open_stake
        reserve = self.reserve(snap.starting_balance)
        if free_above_reserve(equity, open_stake, reserve) > 0:
            return None
        free = equity - open_stake
        until = date_now + timedelta(minutes=self._stop_duration)
        note = view.stake_note()
        reason = (
            f"{self.name}: equity {equity:.2f} less open stake = {free:.2f} {self._currency} "
            f"<= reserve {reserve:.2f} {self._currency}{f' ({note})' if note else ''}; "
            f"locked for {self.stop_duration_str}."
        )
        return self.lock(reason, until)
