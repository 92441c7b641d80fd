"""Plain-text risk summary for Telegram, webhooks and Discord (sent through ``dp.send_msg``)."""

from __future__ import annotations

from risk_protections.config import RiskConfig
from risk_protections.evidence import GateStatus
from risk_protections.ledger import LedgerSnapshot
from risk_protections.notify import channel_text
from risk_protections.rules import free_above_reserve


def risk_summary(
    risk: RiskConfig,
    snap: LedgerSnapshot,
    *,
    currency: str,
    locks: list[str],
    gate: GateStatus | None = None,
) -> str:
    """Limits, loss used today / this week, reserve headroom, deployed share and the live gate
    (missing / stale / no edge / edge evidence), in under 4096 characters.
    """
    daily = risk.daily_limit(snap.equity_at_day_start)
    weekly = risk.weekly_limit(snap.equity_at_week_start)
    reserve = risk.reserve_amount(snap.starting_balance)
    deployed = snap.open_stake / snap.equity if snap.equity > 0 else float("inf")
    lines = [
        f"Risk summary {snap.now:%Y-%m-%d %H:%M} UTC",
        f"Equity (realized) {snap.equity:.2f} {currency}",
        f"Per-trade cap {risk.trade_cap(snap.equity, snap.starting_balance):.2f} {currency}",
        f"Today: lost {max(-snap.pnl_day, 0.0):.2f} of {daily:.2f} {currency}",
        f"This week: lost {max(-snap.pnl_week, 0.0):.2f} of {weekly:.2f} {currency}",
        f"Reserve {reserve:.2f} {currency}; free above it "
        f"{free_above_reserve(snap.equity, snap.open_stake, reserve):.2f} {currency}",
        f"Deployed {snap.open_stake:.2f} {currency} = {deployed:.1%} "
        f"(limit {risk.max_deployed:.0%})",
    ]
    if gate is not None:
        override = " (allowed by risk.allow_live_without_edge)" if (
            not gate.edge and risk.allow_live_without_edge) else ""
        lines.append(f"Live gate: {gate.text()}{override}")
    lines += [f"LOCK: {reason}" for reason in locks]
    return channel_text("\n".join(lines))[:4000]
