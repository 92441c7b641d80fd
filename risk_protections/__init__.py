"""Absolute-money risk rules for Freqtrade: protections, one sizing layer, audit, emergency stop.

Importing this package registers DailyLossGuard, WeeklyLossGuard, ConsecutiveLossPause and
ReserveGuard with Freqtrade's ProtectionResolver (see ``registration``) and adds the risk section
to Freqtrade's backtest report (see ``backtest_report``).
"""

from risk_protections import backtest_report
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
backtest_report.install()

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
