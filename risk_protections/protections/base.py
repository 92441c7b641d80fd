"""Base of the pack's protections: account-wide rules that lock every pair, never one pair."""

from __future__ import annotations

import logging
from datetime import datetime

from freqtrade.constants import LongShort
from freqtrade.plugins.protections import IProtection, ProtectionReturn

from risk_protections.config import check_positive
from risk_protections.errors import PackConfigError

logger = logging.getLogger(__name__)


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

    def stop_per_pair(
        self, pair: str, date_now: datetime, side: LongShort, starting_balance: float
    ) -> ProtectionReturn | None:
        return None
