"""Absolute-money risk rules for Freqtrade: protections, one sizing layer, audit, emergency stop.

Importing this package registers DailyLossGuard, WeeklyLossGuard, ConsecutiveLossPause and
ReserveGuard with Freqtrade's ProtectionResolver (see ``registration``).
"""

from risk_protections.config import RiskConfig, parse_risk_config
from risk_protections.mixin import RiskManagedMixin
from risk_protections.protections import (
    PROTECTIONS,
    ConsecutiveLossPause,
    DailyLossGuard,
    ReserveGuard,
    WeeklyLossGuard,
)
from risk_protections.registration import register

register()

__all__ = [
    "PROTECTIONS",
    "ConsecutiveLossPause",
    "DailyLossGuard",
    "ReserveGuard",
    "RiskConfig",
    "RiskManagedMixin",
    "WeeklyLossGuard",
    "parse_risk_config",
    "register",
]
