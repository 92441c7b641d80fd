"""Freqtrade ``IProtection`` subclasses with absolute-money limits (see risk_protections.README)."""

from risk_protections.protections.consecutive_loss_pause import ConsecutiveLossPause
from risk_protections.protections.drawdown_breaker import DrawdownBreaker
from risk_protections.protections.loss_guards import DailyLossGuard, WeeklyLossGuard
from risk_protections.protections.reserve_guard import ReserveGuard

PROTECTIONS = {
    cls.__name__: cls
    for cls in (
        DailyLossGuard, WeeklyLossGuard, ConsecutiveLossPause, ReserveGuard, DrawdownBreaker
    )
}

__all__ = [
    "PROTECTIONS",
    "ConsecutiveLossPause",
    "DailyLossGuard",
    "DrawdownBreaker",
    "ReserveGuard",
    "WeeklyLossGuard",
]
