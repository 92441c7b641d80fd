"""The account as the guards see it, read from Freqtrade's trades (the database live, memory in
backtests).

Nothing here keeps state between calls, so a restart loses nothing: every figure is recomputed
from ``Trade`` rows. Each filled exit is a realized event whose profit comes from
:mod:`risk_protections.pnl`, the formula the audit applies to exports too: a partial exit
realizes its price move and fees, a trade's final exit the rest of Freqtrade's own total
(funding included), so the events of a trade always sum to Freqtrade's ``close_profit_abs``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from freqtrade.persistence import Trade

from risk_protections import rules
from risk_protections.pnl import RealizedEvent, as_utc, from_trade

_TICK = timedelta(microseconds=1)


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
    """Realized events of one Freqtrade trade (see :mod:`risk_protections.pnl`)."""
    return from_trade(trade).events()


def in_order(event: RealizedEvent) -> tuple[datetime, float]:
    """Sort key of realized events: by time, and at the same time losses first, so the running
    low is the lowest any processing order of simultaneous exits could reach.
    """
    return event.time, event.pnl


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
    return sorted(events, key=in_order)


def realized_equity(starting_balance: float, open_trades: list[Any] | None = None) -> float:
    """``E = starting balance + closed trades' profit + partial exits of open trades``."""
    if open_trades is None:
        open_trades = Trade.get_trades_proxy(is_open=True)
    partials = sum(e.pnl for t in open_trades for e in trade_events(t))
    return starting_balance + Trade.get_total_closed_profit() + partials


def period_snapshot(
    now: datetime,
    starting_balance: float,
    reset: time,
    *,
    equity: float,
    open_stake: float,
    events: Iterable[RealizedEvent],
) -> LedgerSnapshot:
    """The snapshot at ``now`` of an account with realized ``equity`` and ``open_stake``; the
    day's and week's figures from the ``events`` between the period start and ``now``.
    """
    now = as_utc(now)
    d0, w0 = day_start(now, reset), week_start(now, reset)
    week = sorted((e for e in events if w0 <= e.time <= now), key=in_order)
    day = [e.pnl for e in week if e.time >= d0]
    return LedgerSnapshot(
        now=now,
        starting_balance=starting_balance,
        equity=equity,
        open_stake=open_stake,
        day_start=d0,
        week_start=w0,
        pnl_day=sum(day),
        pnl_week=sum(e.pnl for e in week),
        pnl_day_low=running_low(day),
        pnl_week_low=running_low(e.pnl for e in week),
    )


def snapshot(now: datetime, starting_balance: float, reset: time) -> LedgerSnapshot:
    """Equity, open stake and realized P&L of the current day and ISO week, from ``Trade``."""
    now = as_utc(now)
    w0 = week_start(now, reset)
    open_trades = Trade.get_trades_proxy(is_open=True)
    recent = Trade.get_trades_proxy(is_open=False, close_date=w0 - _TICK) + open_trades
    return period_snapshot(
        now,
        starting_balance,
        reset,
        equity=realized_equity(starting_balance, open_trades),
        open_stake=sum(t.stake_amount for t in open_trades),
        events=events_since(recent, w0),
    )


def loss_streak() -> tuple[int, datetime | None]:
    """Latest closed trades that lost in a row (``rules.loss_streak``), and the last close."""
    closed = sorted(
        Trade.get_trades_proxy(is_open=False), key=lambda t: as_utc(t.close_date), reverse=True
    )
    streak = rules.loss_streak(t.close_profit_abs for t in closed)
    return streak, (as_utc(closed[0].close_date) if closed else None)
