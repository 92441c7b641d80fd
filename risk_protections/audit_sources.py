"""Former name of ``risk_protections.audit`` (tests/tier2 imports it); use that module instead."""

from risk_protections.audit import audit_backtest, audit_trades_db

__all__ = ["audit_backtest", "audit_trades_db"]
