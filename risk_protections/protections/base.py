"""Base of the pack's protections: account-wide rules that lock every pair, never one pair."""

from __future__ import annotations

import logging
from datetime import datetime

from freqtrade.constants import LongShort
from freqtrade.plugins.protections import IProtection, ProtectionReturn

logger = logging.getLogger(__name__)


class GlobalRiskProtection(IProtection):
    """An ``IProtection`` with only a global stop; ``lock`` logs the reason once and locks."""

    has_global_stop: bool = True
    has_local_stop: bool = False

    def lock(self, reason: str, until: datetime) -> ProtectionReturn:
        """Global lock of every pair until ``until``, with ``reason`` shown in /locks and FreqUI."""
        self.log_once(reason, logger.info)
        return ProtectionReturn(lock=True, until=until, reason=reason)

    def stop_per_pair(
        self, pair: str, date_now: datetime, side: LongShort, starting_balance: float
    ) -> ProtectionReturn | None:
        return None
