"""Crash-stressed audit view: the trades' losses had their pairs' worst recorded moves happened
while they were open.

With ``g`` the pair's gap for the trade's side (``pair_gaps.GapTable``, measured from the same
candles the bot sizes with, as known at the trade's entry), notional ``N = stake * leverage``, fee
``f = max(risk.fee_rate, the trade's entry and exit fee)`` and ``k = sizing.loss_per_notional``:

* ``trade_cap``: a trade's stressed loss ``max(realized loss, N * k(g))`` <= ``gap_cap_multiple
  * cap`` (cap from equity at entry);
* ``daily_loss``: at every entry, the crash loss of every position then open
  (``crash.crash_loss``, gaps known then) <= ``crash_day_multiple * daily limit(E)``, ``E`` at
  that entry; the
  worst day is the day of the worst such moment.

Both are checked in the ``stressed`` view: sizing promises them for any trade it sized with the
same gaps. The ``record`` view applies the same rules at the gaps of all the data (crashes after the
entries included): reported, not checked.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from risk_protections.audit_rules import AuditView, Breach, RealizedEquity, RuleResult
from risk_protections.config import RiskConfig
from risk_protections.crash import Position, crash_loss
from risk_protections.ledger import day_start
from risk_protections.pair_gaps import GapTable
from risk_protections.pnl import RealizedEvent, TradeRecord
from risk_protections.sizing import loss_per_notional

TOL = 1e-6


def stressed_view(
    trades: list[TradeRecord],
    events: dict[int, list[RealizedEvent]],
    risk: RiskConfig,
    start: float,
    gaps_at: Callable[[datetime], GapTable],
    view: str = "stressed",
) -> AuditView:
    """The ``view`` (``stressed`` or ``record``) of ``trades`` (their ``events`` as filled) at
    the gaps ``gaps_at(moment)``."""
    equity = RealizedEquity(start, [e for evs in events.values() for e in evs])
    worst_trade, worst_day = RuleResult("trade_cap"), RuleResult("daily_loss")

    def fee_of(trade: TradeRecord) -> float:
        return max(risk.fee_rate, trade.fee_open, trade.fee_close)

    def notional(trade: TradeRecord, when: datetime) -> float:
        return trade.stake_at(when) * trade.leverage

    for trade in trades:
        e_entry = max(equity.before(trade.open_date), equity.through(trade.open_date))
        limit = risk.trade_cap(e_entry, start) * risk.gap_cap_multiple
        gaps = gaps_at(trade.open_date)
        gap = gaps.gap(trade.pair, trade.is_short)
        stressed = trade.stake * trade.leverage * loss_per_notional(
            gap, fee_of(trade), 0.0, trade.is_short
        )
        loss = max(stressed, -sum(e.pnl for e in events[trade.trade_id]))
        source = gaps.bound(trade.pair).source_for(trade.is_short, gaps.floor)
        detail = f"{trade.pair} #{trade.trade_id} at a {gap:.1%} gap ({source})"
        worst_trade.consider(loss, limit, detail, share=True)
        if loss > limit * (1 + TOL) + TOL:
            when = trade.close_date or trade.open_date
            worst_trade.breaches.append(Breach("trade_cap", view, when, loss, limit, detail))

    for now in sorted({t.open_date for t in trades}):
        held = [t for t in trades if t.stake_at(now) > 0]
        if not held:
            continue
        fees = max(fee_of(t) for t in held)
        positions = [Position(t.pair, t.is_short, notional(t, now)) for t in held]
        loss = crash_loss(positions, gaps_at(now).gap, fees)
        e_now = max(equity.before(now), equity.through(now))
        limit = risk.crash_limit(e_now)
        day = day_start(now, risk.daily_reset)
        detail = (
            f"{day:%Y-%m-%d} {now:%H:%M}: {len(held)} open ("
            + ", ".join(sorted({t.pair for t in held}))
            + ") in their worst hours at once"
        )
        worst_day.consider(loss, limit, detail, share=True)
        if loss > limit * (1 + TOL) + TOL:
            worst_day.breaches.append(Breach("daily_loss", view, now, loss, limit, detail))
    return AuditView(view, {"trade_cap": worst_trade, "daily_loss": worst_day})
