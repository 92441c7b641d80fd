"""Risk audit: check a list of trades against the ``risk`` rules, per rule worst case and breaches.

Two views: ``filled`` uses the exits as Freqtrade filled them; ``repriced`` re-prices every stop
exit at the exit candle's worst price (low for longs, high for shorts). Per view:

* ``trade_cap``: a trade's loss <= its cap (cap from equity at entry; ``repriced`` view: <=
  ``gap_cap_multiple * cap``, the gap bound);
* ``daily_loss`` / ``weekly_loss``: with ``t*`` the first exit at which the period's realized
  loss reached the limit, ``loss <= limit + losses realized at or after t* by trades open at
  t*``; equivalently no trade of that period opens after ``t*`` and loses;
* ``deployment``: after every entry, open stake <= ``max_deployed * E``;
* ``reserve``: after every entry, ``E - open stake >= reserve``;
* ``consecutive_losses`` (filled view only): no entry while a loss-streak pause runs.

The re-priced view is counterfactual (the bot would have locked and sized differently had those
fills happened), so it reports every rule's worst case but checks for breaches only the rule
that still holds there: ``trade_cap`` against the gap bound. A third view, ``stressed``
(``stress_audit``), puts each pair's worst recorded gap (as sizing measured it) into every trade
and the correlated crash into every day; ``record`` does the same at the gaps of all the data,
crashes after a backtest's start included, and is not checked.

``E`` is realized equity (starting balance + realized events before the moment); events and
open stakes come from :mod:`risk_protections.pnl`, as the live guards compute them.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from itertools import accumulate

from risk_protections.config import RiskConfig, parse_risk_config
from risk_protections.ledger import day_start, in_order, week_start
from risk_protections.limits import describe_limits, looser_than_defaults
from risk_protections.pnl import RealizedEvent, TradeRecord
from risk_protections.rules import free_above_reserve, is_loss, pause_end, period_loss_reached
from risk_protections.stop_fills import TradeThrough

CHECKED = {
    "filled": frozenset(
        {"trade_cap", "daily_loss", "weekly_loss", "deployment", "reserve", "consecutive_losses"}
    ),
    "repriced": frozenset({"trade_cap"}),
    "stressed": frozenset({"trade_cap", "daily_loss"}),
    "record": frozenset(),
}
STOP_EXITS = frozenset({"stop_loss", "stoploss_on_exchange", "trailing_stop_loss", "liquidation"})
TOL = 1e-6


@dataclass(frozen=True)
class Breach:
    """One broken rule: when, the measured amount and the limit it exceeded."""

    rule: str
    view: str
    time: datetime
    amount: float
    limit: float
    detail: str


@dataclass
class RuleResult:
    """Worst case of one rule in one view, and its breaches."""

    rule: str
    worst: float = 0.0
    limit: float = 0.0
    detail: str = ""
    breaches: list[Breach] = field(default_factory=list)

    def consider(self, amount: float, limit: float, detail: str, share: bool = False) -> None:
        """Keep the worst ``amount`` (by ``amount/limit`` when ``share``)."""
        key_new = amount / limit if share and limit else amount
        key_old = self.worst / self.limit if share and self.limit else self.worst
        if not self.detail or key_new > key_old:
            self.worst, self.limit, self.detail = amount, limit, detail


@dataclass
class AuditView:
    """All rules for one pricing of the exits."""

    name: str
    rules: dict[str, RuleResult]

    @property
    def breaches(self) -> list[Breach]:
        return [b for r in self.rules.values() if r.rule in CHECKED[self.name] for b in r.breaches]

    @property
    def exceeded(self) -> list[Breach]:
        """Every amount above its limit, checked rule or not."""
        return [b for r in self.rules.values() for b in r.breaches]


@dataclass
class AuditReport:
    """Result of ``audit_trades``; ``breaches`` are the filled view's (as Freqtrade filled)."""

    starting_balance: float
    trade_count: int
    filled: AuditView
    repriced: AuditView
    notes: list[str] = field(default_factory=list)
    #: The limits the trades were judged against, and those looser than the pack's defaults.
    limits: str = ""
    looser: list[str] = field(default_factory=list)
    #: Crash-stressed view (``stress_audit``) and the stop-limit trade-through count
    #: (``stop_fills``), when the audit had the candles to measure them.
    stressed: AuditView | None = None
    record: AuditView | None = None
    stop_fills: TradeThrough | None = None

    @property
    def breaches(self) -> list[Breach]:
        return self.filled.breaches

    @property
    def repriced_breaches(self) -> list[Breach]:
        return self.repriced.breaches

    @property
    def stressed_breaches(self) -> list[Breach]:
        return self.stressed.breaches if self.stressed is not None else []

    @property
    def views(self) -> list[AuditView]:
        """As filled, re-priced and (when measured) crash-stressed, sized's gaps and record's."""
        views = (self.filled, self.repriced, self.stressed, self.record)
        return [v for v in views if v is not None]

    def to_text(self) -> str:
        """Human-readable report: per view, per rule worst case, then every breach."""
        lines = [
            f"Risk audit: {self.trade_count} trades, starting balance {self.starting_balance:.2f}",
            f"Judged against the {self.limits}",
        ]
        lines += [f"LOOSER THAN THE PACK'S DEFAULT: {item}" for item in self.looser]
        for view in self.views:
            lines.append(f"\n[{view.name}] {len(view.breaches)} breach(es)")
            for rule in view.rules.values():
                checked = "" if rule.rule in CHECKED[view.name] else " (not checked)"
                lines.append(
                    f"  {rule.rule:<19} worst {rule.worst:10.2f} limit {rule.limit:10.2f}  "
                    f"{rule.detail}{checked}"
                )
            lines += [
                f"  BREACH {b.rule} {b.time:%Y-%m-%d %H:%M} {b.amount:.2f} vs limit {b.limit:.2f}: "
                f"{b.detail}"
                for b in view.breaches
            ]
            if view.name == "record" and view.exceeded:
                lines.append(
                    f"  {len(view.exceeded)} amount(s) above the limit at all the data's gaps "
                    "(not checked: crashes after the entries included)"
                )
        if self.stop_fills is not None:
            lines.append(f"\nstops: {self.stop_fills.text()}")
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)


class RealizedEquity:
    """Realized equity as a step function of time."""

    def __init__(self, start: float, events: list[RealizedEvent]) -> None:
        ordered = sorted(events, key=lambda e: e.time)
        self.times = [e.time for e in ordered]
        self.cumulative = [0.0, *accumulate(e.pnl for e in ordered)]
        self.start = start

    def before(self, when: datetime) -> float:
        return self.start + self.cumulative[bisect_left(self.times, when)]

    def through(self, when: datetime) -> float:
        return self.start + self.cumulative[bisect_right(self.times, when)]


def _view(
    name: str,
    trades: list[TradeRecord],
    events: dict[int, list[RealizedEvent]],
    risk: RiskConfig,
    start: float,
) -> AuditView:
    results = {
        r: RuleResult(r)
        for r in ("trade_cap", "daily_loss", "weekly_loss", "deployment", "reserve")
    }
    if name == "filled":
        results["consecutive_losses"] = RuleResult("consecutive_losses")
    all_events = [e for evs in events.values() for e in evs]
    equity = RealizedEquity(start, all_events)
    by_id = {t.trade_id: t for t in trades}
    multiple = 1.0 if name == "filled" else risk.gap_cap_multiple

    for trade in trades:
        e_entry = max(equity.before(trade.open_date), equity.through(trade.open_date))
        cap = risk.trade_cap(e_entry, start) * multiple
        loss = -sum(e.pnl for e in events[trade.trade_id])
        share = loss / e_entry if e_entry > 0 else float("inf")
        detail = f"{trade.pair} #{trade.trade_id} {trade.exit_reason} ({share:.2%} of E)"
        results["trade_cap"].consider(loss, cap, detail, share=True)
        if loss > cap * (1 + TOL) + TOL:
            results["trade_cap"].breaches.append(
                Breach("trade_cap", name, trade.close_date or trade.open_date, loss, cap, detail)
            )

    for rule, period_start, limit_of in (
        ("daily_loss", lambda t: day_start(t, risk.daily_reset), risk.daily_limit),
        ("weekly_loss", lambda t: week_start(t, risk.daily_reset), risk.weekly_limit),
    ):
        _period_rule(results[rule], name, all_events, by_id, equity, period_start, limit_of)

    opens = sorted(trades, key=lambda t: t.open_date)
    reserve = risk.reserve_amount(start)
    for trade in opens:
        now = trade.open_date
        open_stake = sum(t.stake_at(now) for t in opens)
        e_now = max(equity.before(now), equity.through(now))
        limit = risk.deploy_limit(e_now)
        share_detail = f"{open_stake / e_now:.1%} of E after entry {trade.pair} #{trade.trade_id}"
        results["deployment"].consider(open_stake, limit, share_detail, share=True)
        if open_stake > limit * (1 + TOL) + TOL:
            results["deployment"].breaches.append(
                Breach("deployment", name, now, open_stake, limit, share_detail)
            )
        headroom = free_above_reserve(e_now, open_stake, reserve)
        free = headroom + reserve
        reserve_detail = f"E {e_now:.2f} - open stake {open_stake:.2f} after #{trade.trade_id}"
        result = results["reserve"]
        if not result.detail or free < result.worst:
            result.worst, result.limit, result.detail = free, reserve, reserve_detail
        if headroom < -(reserve * TOL + TOL):
            result.breaches.append(Breach("reserve", name, now, free, reserve, reserve_detail))

    if "consecutive_losses" in results:
        _pause_rule(results["consecutive_losses"], opens, risk)
    return AuditView(name, results)


def _period_rule(
    result: RuleResult,
    view: str,
    all_events: list[RealizedEvent],
    by_id: dict[int, TradeRecord],
    equity: RealizedEquity,
    period_start: Callable[[datetime], datetime],
    limit_of: Callable[[float], float],
) -> None:
    periods: dict[datetime, list[RealizedEvent]] = defaultdict(list)
    for event in sorted(all_events, key=in_order):
        periods[period_start(event.time)].append(event)
    for p0, evs in periods.items():
        limit = limit_of(equity.before(p0))
        net, t_star = 0.0, None
        for event in evs:
            net += event.pnl
            if t_star is None and period_loss_reached(net, limit):
                t_star = event.time
        loss = -net
        allowance = 0.0
        late: list[int] = []
        if t_star is not None:
            for event in evs:
                if event.time >= t_star:
                    if by_id[event.trade_id].open_date > t_star:
                        late.append(event.trade_id)
                    else:
                        allowance += max(0.0, -event.pnl)
        detail = f"{p0:%Y-%m-%d} realized loss {loss:.2f}, limit {limit:.2f}"
        if t_star is not None:
            detail += f", reached {t_star:%H:%M}, open-trade allowance {allowance:.2f}"
        result.consider(loss, limit, detail)
        bound = limit + allowance
        if late or loss > bound * (1 + TOL) + TOL:
            detail += f"; trades opened after the limit: {late}" if late else ""
            result.breaches.append(Breach(result.rule, view, p0, loss, bound, detail))


def _pause_rule(result: RuleResult, opens: list[TradeRecord], risk: RiskConfig) -> None:
    closed = sorted(
        ((t.close_date, t) for t in opens if t.close_date is not None), key=lambda c: c[0]
    )
    streak = 0
    result.limit = float(risk.consecutive_losses)
    for close_date, trade in closed:
        streak = streak + 1 if is_loss(trade.profit_abs) else 0
        if streak > result.worst:
            result.worst, result.detail = float(streak), f"streak ending #{trade.trade_id}"
        end = pause_end(streak, risk.consecutive_losses, close_date, risk.pause_minutes)
        if end is None:
            continue
        for other in opens:
            if close_date < other.open_date < end:
                result.breaches.append(
                    Breach(
                        "consecutive_losses",
                        "filled",
                        other.open_date,
                        float(streak),
                        result.limit,
                        f"#{other.trade_id} opened during the pause after #{trade.trade_id}",
                    )
                )


def audit_trades(
    trades: list[TradeRecord],
    risk: RiskConfig,
    starting_balance: float,
    worst_price: Callable[[TradeRecord], float | None],
) -> AuditReport:
    """Audit ``trades``; ``worst_price(trade)`` gives a stop exit's candle low/high (or None)."""
    filled = {t.trade_id: t.events() for t in trades}
    repriced: dict[int, list[RealizedEvent]] = {}
    notes: list[str] = []
    for trade in trades:
        repriced[trade.trade_id] = filled[trade.trade_id]
        if trade.close_date is None or trade.exit_reason not in STOP_EXITS or not trade.exits:
            continue
        worst = worst_price(trade)
        if worst is None:
            notes.append(f"no exit candle for {trade.pair} #{trade.trade_id}; kept its fill")
            continue
        last = max(trade.exits, key=lambda f: f.time).price
        adverse = worst > last if trade.is_short else worst < last
        if adverse:
            repriced[trade.trade_id] = trade.events(final_price=worst)
    return AuditReport(
        starting_balance=starting_balance,
        trade_count=len(trades),
        filled=_view("filled", trades, filled, risk, starting_balance),
        repriced=_view("repriced", trades, repriced, risk, starting_balance),
        notes=notes,
        limits=describe_limits(risk, starting_balance),
        looser=looser_than_defaults(risk, parse_risk_config(None), starting_balance),
    )
