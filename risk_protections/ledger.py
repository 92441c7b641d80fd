"""Realized profit and loss read from Freqtrade's trades (the database live, memory in backtests).

Nothing here keeps state between calls, so a restart loses nothing: every figure is recomputed
from ``Trade`` rows. A realized event is one filled exit: a partial exit of an open or closed
trade (profit by Freqtrade's ``calculate_profit`` at the average entry price at that moment), or
the final exit of a closed trade (``close_profit_abs`` minus its earlier partial exits, so the
events of a trade always sum to Freqtrade's own total).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from freqtrade.persistence import Trade

_TICK = timedelta(microseconds=1)


@dataclass(frozen=True)
class RealizedEvent:
    """One filled exit: when it filled and the profit it realized (stake currency)."""

    time: datetime
    pnl: float
    trade_id: int | None


@dataclass(frozen=True)
class LedgerSnapshot:
    """Account figures at ``now``; ``equity`` is ``starting_balance + all realized profit``.

    ``pnl_day`` / ``pnl_week``: realized P&L since the period start; ``*_low``: the lowest that
    running sum reached (0 before the first exit), so a limit once reached stays reached.
    """

    now: datetime
    starting_balance: float
    equity: float
    open_stake: float
    day_start: datetime
    week_start: datetime
    pnl_day: float
    pnl_week: float
    pnl_day_low: float
    pnl_week_low: float

    @property
    def equity_at_day_start(self) -> float:
        return self.equity - self.pnl_day

    @property
    def equity_at_week_start(self) -> float:
        return self.equity - self.pnl_week


def as_utc(value: datetime) -> datetime:
    """Database datetimes are naive UTC; make every datetime timezone-aware UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def day_start(now: datetime, reset: time) -> datetime:
    """Latest daily reset (``reset`` UTC) at or before ``now``."""
    now = as_utc(now)
    start = now.replace(hour=reset.hour, minute=reset.minute, second=0, microsecond=0)
    return start - timedelta(days=1) if start > now else start


def week_start(now: datetime, reset: time) -> datetime:
    """Latest Monday ``reset`` (UTC) at or before ``now``; with 00:00 this is the ISO week."""
    now = as_utc(now)
    monday = now.replace(hour=reset.hour, minute=reset.minute, second=0, microsecond=0)
    monday -= timedelta(days=now.weekday())
    return monday - timedelta(days=7) if monday > now else monday


def trade_events(trade: Any) -> list[RealizedEvent]:
    """Realized events of one Freqtrade trade (see module docstring)."""
    if trade.is_open and not trade.nr_of_successful_exits:
        return []
    if not trade.is_open and trade.nr_of_successful_exits <= 1:
        return [RealizedEvent(as_utc(trade.close_date), trade.close_profit_abs or 0.0, trade.id)]
    events: list[RealizedEvent] = []
    amount = cost = 0.0
    for order in trade.orders:
        if order.ft_is_open or not order.filled or not order.order_filled_date:
            continue
        qty, price = order.safe_amount_after_fee, order.safe_price
        if order.ft_order_side == trade.entry_side:
            amount, cost = amount + qty, cost + qty * price
            continue
        average = cost / amount if amount else price
        pnl = trade.calculate_profit(price, qty, average).profit_abs
        events.append(RealizedEvent(as_utc(order.order_filled_date), pnl, trade.id))
        amount, cost = amount - qty, cost - qty * average
    if not trade.is_open and events:
        earlier = sum(e.pnl for e in events[:-1])
        last = events[-1]
        events[-1] = RealizedEvent(last.time, (trade.close_profit_abs or 0.0) - earlier, trade.id)
    return events


def running_low(pnls: Iterable[float]) -> float:
    """``min(0, lowest prefix sum)`` of ``pnls`` in time order."""
    low = total = 0.0
    for pnl in pnls:
        total += pnl
        low = min(low, total)
    return low


def events_since(trades: Iterable[Any], since: datetime) -> list[RealizedEvent]:
    """Events at or after ``since``, oldest first."""
    since = as_utc(since)
    events = [e for t in trades for e in trade_events(t) if e.time >= since]
    return sorted(events, key=lambda e: e.time)


def realized_equity(starting_balance: float, open_trades: list[Any] | None = None) -> float:
    """``E = starting balance + closed trades' profit + partial exits of open trades``."""
    if open_trades is None:
        open_trades = Trade.get_trades_proxy(is_open=True)
    partials = sum(t.realized_profit or 0.0 for t in open_trades)
    return starting_balance + Trade.get_total_closed_profit() + partials


def snapshot(now: datetime, starting_balance: float, reset: time) -> LedgerSnapshot:
    """Equity, open stake and realized P&L of the current day and ISO week, from ``Trade``."""
    now = as_utc(now)
    d0, w0 = day_start(now, reset), week_start(now, reset)
    open_trades = Trade.get_trades_proxy(is_open=True)
    recent = Trade.get_trades_proxy(is_open=False, close_date=w0 - _TICK) + open_trades
    week_events = events_since(recent, w0)
    return LedgerSnapshot(
        now=now,
        starting_balance=starting_balance,
        equity=realized_equity(starting_balance, open_trades),
        open_stake=sum(t.stake_amount for t in open_trades),
        day_start=d0,
        week_start=w0,
        pnl_day=sum(e.pnl for e in week_events if e.time >= d0),
        pnl_week=sum(e.pnl for e in week_events),
        pnl_day_low=running_low(e.pnl for e in week_events if e.time >= d0),
        pnl_week_low=running_low(e.pnl for e in week_events),
    )


def loss_streak() -> tuple[int, datetime | None]:
    """Latest closed trades that lost (``close_profit_abs < 0``) in a row, and the last close."""
    closed = sorted(
        Trade.get_trades_proxy(is_open=False), key=lambda t: as_utc(t.close_date), reverse=True
    )
    streak = 0
    for trade in closed:
        if (trade.close_profit_abs or 0.0) >= 0:
            break
        streak += 1
    return streak, (as_utc(closed[0].close_date) if closed else None)
