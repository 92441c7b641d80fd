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
that still holds there: ``trade_cap`` against the gap bound.

``E`` is realized equity (starting balance + realized events before the moment).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import accumulate

from risk_protections.config import RiskConfig, parse_risk_config
from risk_protections.ledger import day_start, week_start
from risk_protections.limits import describe_limits, looser_than_defaults

CHECKED = {
    "filled": frozenset(
        {"trade_cap", "daily_loss", "weekly_loss", "deployment", "reserve", "consecutive_losses"}
    ),
    "repriced": frozenset({"trade_cap"}),
}
STOP_EXITS = frozenset({"stop_loss", "stoploss_on_exchange", "trailing_stop_loss", "liquidation"})
TOL = 1e-6


@dataclass(frozen=True)
class Fill:
    """One filled order: time, price, amount (base currency)."""

    time: datetime
    price: float
    amount: float


@dataclass(frozen=True)
class TradeRecord:
    """What the audit needs of one trade (from a backtest export or the trades database)."""

    trade_id: int
    pair: str
    is_short: bool
    leverage: float
    open_date: datetime
    close_date: datetime | None
    stake: float
    profit_abs: float
    exit_reason: str
    fee_open: float
    fee_close: float
    entries: tuple[Fill, ...]
    exits: tuple[Fill, ...]

    def events(self, final_price: float | None = None) -> list[tuple[datetime, float]]:
        """Realized (time, pnl) per exit; ``final_price`` re-prices the last exit of a close."""
        side = -1.0 if self.is_short else 1.0
        events: list[tuple[datetime, float]] = []
        amount = cost = 0.0
        entries = iter(sorted(self.entries, key=lambda f: f.time))
        pending = next(entries, None)
        for fill in sorted(self.exits, key=lambda f: f.time):
            while pending is not None and pending.time <= fill.time:
                amount, cost = amount + pending.amount, cost + pending.amount * pending.price
                pending = next(entries, None)
            average = cost / amount if amount else fill.price
            gross = side * fill.amount * (fill.price - average)
            fees = self.fee_open * fill.amount * average + self.fee_close * fill.amount * fill.price
            events.append((fill.time, gross - fees))
            amount, cost = amount - fill.amount, cost - fill.amount * average
        if self.close_date is None:
            return events
        earlier = sum(p for _, p in events[:-1])
        final = self.profit_abs - earlier
        if final_price is not None and self.exits:
            last = max(self.exits, key=lambda f: f.time)
            final += side * last.amount * (final_price - last.price) * (1 - side * self.fee_close)
        return [*events[:-1], (self.close_date, final)]


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

    @property
    def breaches(self) -> list[Breach]:
        return self.filled.breaches

    @property
    def repriced_breaches(self) -> list[Breach]:
        return self.repriced.breaches

    def to_text(self) -> str:
        """Human-readable report: per view, per rule worst case, then every breach."""
        lines = [
            f"Risk audit: {self.trade_count} trades, starting balance {self.starting_balance:.2f}",
            f"Judged against the {self.limits}",
        ]
        lines += [f"LOOSER THAN THE PACK'S DEFAULT: {item}" for item in self.looser]
        for view in (self.filled, self.repriced):
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
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)


class _Equity:
    """Realized equity as a step function of time."""

    def __init__(self, start: float, events: list[tuple[datetime, float]]) -> None:
        ordered = sorted(events, key=lambda e: e[0])
        self.times = [t for t, _ in ordered]
        self.cumulative = [0.0, *accumulate(p for _, p in ordered)]
        self.start = start

    def before(self, when: datetime) -> float:
        return self.start + self.cumulative[bisect_left(self.times, when)]

    def through(self, when: datetime) -> float:
        return self.start + self.cumulative[bisect_right(self.times, when)]


def _view(
    name: str,
    trades: list[TradeRecord],
    events: dict[int, list[tuple[datetime, float]]],
    risk: RiskConfig,
    start: float,
) -> AuditView:
    rules = {
        r: RuleResult(r)
        for r in ("trade_cap", "daily_loss", "weekly_loss", "deployment", "reserve")
    }
    if name == "filled":
        rules["consecutive_losses"] = RuleResult("consecutive_losses")
    all_events = [(t, p, tid) for tid, evs in events.items() for t, p in evs]
    equity = _Equity(start, [(t, p) for t, p, _ in all_events])
    by_id = {t.trade_id: t for t in trades}
    multiple = 1.0 if name == "filled" else risk.gap_cap_multiple

    for trade in trades:
        e_entry = max(equity.before(trade.open_date), equity.through(trade.open_date))
        cap = risk.trade_cap(e_entry, start) * multiple
        loss = -sum(p for _, p in events[trade.trade_id])
        share = loss / e_entry if e_entry > 0 else float("inf")
        detail = f"{trade.pair} #{trade.trade_id} {trade.exit_reason} ({share:.2%} of E)"
        rules["trade_cap"].consider(loss, cap, detail, share=True)
        if loss > cap * (1 + TOL) + TOL:
            rules["trade_cap"].breaches.append(
                Breach("trade_cap", name, trade.close_date or trade.open_date, loss, cap, detail)
            )

    for rule, period_start, limit_of in (
        ("daily_loss", lambda t: day_start(t, risk.daily_reset), risk.daily_limit),
        ("weekly_loss", lambda t: week_start(t, risk.daily_reset), risk.weekly_limit),
    ):
        _period_rule(rules[rule], name, all_events, by_id, equity, period_start, limit_of)

    opens = sorted(trades, key=lambda t: t.open_date)
    reserve = risk.reserve_amount(start)
    for trade in opens:
        now = trade.open_date
        open_stake = sum(
            t.stake
            for t in opens
            if t.open_date <= now and (t.close_date is None or t.close_date > now)
        )
        e_now = max(equity.before(now), equity.through(now))
        limit = risk.deploy_limit(e_now)
        share_detail = f"{open_stake / e_now:.1%} of E after entry {trade.pair} #{trade.trade_id}"
        rules["deployment"].consider(open_stake, limit, share_detail, share=True)
        if open_stake > limit * (1 + TOL) + TOL:
            rules["deployment"].breaches.append(
                Breach("deployment", name, now, open_stake, limit, share_detail)
            )
        free = e_now - open_stake
        reserve_detail = f"E {e_now:.2f} - open stake {open_stake:.2f} after #{trade.trade_id}"
        result = rules["reserve"]
        if not result.detail or free < result.worst:
            result.worst, result.limit, result.detail = free, reserve, reserve_detail
        if free < reserve * (1 - TOL) - TOL:
            result.breaches.append(Breach("reserve", name, now, free, reserve, reserve_detail))

    if "consecutive_losses" in rules:
        _pause_rule(rules["consecutive_losses"], opens, risk)
    return AuditView(name, rules)


def _period_rule(
    result: RuleResult,
    view: str,
    all_events: list[tuple[datetime, float, int]],
    by_id: dict[int, TradeRecord],
    equity: _Equity,
    period_start: Callable[[datetime], datetime],
    limit_of: Callable[[float], float],
) -> None:
    periods: dict[datetime, list[tuple[datetime, float, int]]] = defaultdict(list)
    for event in sorted(all_events, key=lambda e: e[0]):
        periods[period_start(event[0])].append(event)
    for p0, evs in periods.items():
        limit = limit_of(equity.before(p0))
        net, t_star = 0.0, None
        for when, pnl, _ in evs:
            net += pnl
            if t_star is None and -net >= limit:
                t_star = when
        loss = -net
        allowance = 0.0
        late: list[int] = []
        if t_star is not None:
            for when, pnl, tid in evs:
                if when >= t_star:
                    if by_id[tid].open_date > t_star:
                        late.append(tid)
                    else:
                        allowance += max(0.0, -pnl)
        detail = f"{p0:%Y-%m-%d} realized loss {loss:.2f}, limit {limit:.2f}"
        if t_star is not None:
            detail += f", reached {t_star:%H:%M}, open-trade allowance {allowance:.2f}"
        result.consider(loss, limit, detail)
        bound = limit + allowance
        if late or loss > bound * (1 + TOL) + TOL:
            detail += f"; trades opened after the limit: {late}" if late else ""
            result.breaches.append(Breach(result.rule, view, p0, loss, bound, detail))


def _pause_rule(result: RuleResult, opens: list[TradeRecord], risk: RiskConfig) -> None:
    closed = sorted((t for t in opens if t.close_date), key=lambda t: t.close_date)  # type: ignore
    pause = timedelta(minutes=risk.pause_minutes)
    streak = 0
    result.limit = float(risk.consecutive_losses)
    for trade in closed:
        streak = streak + 1 if trade.profit_abs < 0 else 0
        if streak > result.worst:
            result.worst, result.detail = float(streak), f"streak ending #{trade.trade_id}"
        if streak and streak % risk.consecutive_losses == 0:
            end = trade.close_date + pause  # type: ignore[operator]
            for other in opens:
                if trade.close_date < other.open_date < end:  # type: ignore[operator]
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
    repriced: dict[int, list[tuple[datetime, float]]] = {}
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
