"""Base of the pack's protections: account-wide rules that lock every pair, never one pair.

With ``risk.account`` the account is every bot's trades (:mod:`risk_protections.account`); a
peer bot's database that cannot be read locks the bot for ``UNREADABLE_LOCK`` (renewed at every
check while it lasts), naming the peer.
"""

from __future__ import annotations

import logging
from abc import abstractmethod
from datetime import datetime, time, timedelta

from freqtrade.constants import LongShort
from freqtrade.plugins.protections import IProtection, ProtectionReturn

from risk_protections.account import AccountView, PeerUnreadable, account_view
from risk_protections.config import check_positive
from risk_protections.errors import PackConfigError

logger = logging.getLogger(__name__)

UNREADABLE_LOCK = timedelta(minutes=5)


class GlobalRiskProtection(IProtection):
    """An ``IProtection`` with only a global stop; ``lock`` logs the reason once and locks."""

    has_global_stop: bool = True
    has_local_stop: bool = False

    def check_cool_down(self, name: str) -> None:
        """A cool-down protection needs a positive ``stop_duration`` (or candles), not
        ``unlock_at``; PackConfigError naming ``name`` otherwise."""
        if self._unlock_at is not None:
            raise PackConfigError(f"{name}.unlock_at: not supported, use stop_duration.")
        check_positive(self._stop_duration, f"{name}.stop_duration")

    def lock(self, reason: str, until: datetime) -> ProtectionReturn:
        """Global lock of every pair until ``until``, with ``reason`` shown in /locks and FreqUI."""
        self.log_once(reason, logger.info)
        return ProtectionReturn(lock=True, until=until, reason=reason)

    def account(
        self, date_now: datetime, starting_balance: float, reset: time = time(0, 0)
    ) -> AccountView:
        """The account (this bot's trades and, with ``risk.account``, its peers') at ``date_now``;
        ``reset`` only places the day and week (the streak and the reserve do not use them)."""
        return account_view(self._config, date_now, starting_balance, reset)

    @abstractmethod
    def account_stop(
        self, date_now: datetime, side: LongShort, starting_balance: float
    ) -> ProtectionReturn | None:
        """The rule's global lock, if it fires."""

    def global_stop(
        self, date_now: datetime, side: LongShort, starting_balance: float
    ) -> ProtectionReturn | None:
        try:
            return self.account_stop(date_now, side, starting_balance)
        except PeerUnreadable as err:
            reason = f"{self.name}: {err}; no entries until it can be read."
            return self.lock(reason, date_now + UNREADABLE_LOCK)

    def stop_per_pair(
        self, pair: str, date_now: datetime, side: LongShort, starting_balance: float
    ) -> ProtectionReturn | None:
        return None
