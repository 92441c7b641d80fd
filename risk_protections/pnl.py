"""Realized profit and loss per exit: one formula for the guards and for the audit.

A trade is its fills in time order (entries before exits at the same time). With side
``s`` (+1 long, −1 short), fee rates ``f_open`` / ``f_close`` per side and ``ā`` the
amount-weighted average entry price of the position at that moment, an exit of amount ``a`` at
price ``p`` realizes

    pnl = s·a·(p − ā) − f_open·a·ā − f_close·a·p

(Freqtrade's ``calculate_profit`` for spot and futures, funding aside). An exit leaves ``ā``
unchanged; the position's stake is ``(Σ entry a·p − Σ exit a·ā) / leverage``.

Funding: Freqtrade books a futures position's funding into the profit of its next fill, but a
backtest export carries only the trade's total (``funding_fees``). Both readers therefore book
it with the trade's final exit: the final event of a closed trade is Freqtrade's total profit
minus the trade's earlier (partial-exit) events, so a trade's events always sum to Freqtrade's
own total (funding, fees in base currency and rounding included). An open trade's partial exits
realize their price move and fees; the funding it has paid or received is realized when it
closes.

Two adapters read the same ``TradeRecord``: :func:`from_trade` (a Freqtrade ``Trade`` or
``LocalTrade``: the live guards) and :func:`from_export` (``Trade.to_json()``: a backtest
export or the trades database, the audit).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


def as_utc(value: datetime) -> datetime:
    """Database datetimes are naive UTC; make every datetime timezone-aware UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def exit_pnl(
    amount: float, price: float, average: float, fee_open: float, fee_close: float, is_short: bool
) -> float:
    """Profit of closing ``amount`` at ``price`` against the average entry ``average`` (above)."""
    side = -1.0 if is_short else 1.0
    return side * amount * (price - average) - fee_open * amount * average - (
        fee_close * amount * price
    )


@dataclass(frozen=True)
class Fill:
    """One filled order: time, price, amount (base currency, net of a fee charged in base)."""

    time: datetime
    price: float
    amount: float
    is_entry: bool


@dataclass(frozen=True)
class RealizedEvent:
    """One filled exit: when it filled and the profit it realized (stake currency)."""

    time: datetime
    pnl: float
    trade_id: int


@dataclass(frozen=True)
class TradeRecord:
    """What the guards and the audit read of one trade.

    ``profit_abs`` is Freqtrade's total realized profit of a closed trade (``close_profit_abs``);
    ``close_date`` is None while the trade is open. ``stake`` is the largest stake the trade held.
    """

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
    fills: tuple[Fill, ...]

    @property
    def entries(self) -> tuple[Fill, ...]:
        return tuple(f for f in self.fills if f.is_entry)

    @property
    def exits(self) -> tuple[Fill, ...]:
        return tuple(f for f in self.fills if not f.is_entry)

    def _walk(self) -> Iterator[tuple[Fill, float, float]]:
        """Each fill in order, the average entry price it meets and the position's cost after it."""
        amount = cost = 0.0
        for fill in sorted(self.fills, key=lambda f: (f.time, not f.is_entry)):
            average = cost / amount if amount else fill.price
            if fill.is_entry:
                amount, cost = amount + fill.amount, cost + fill.amount * fill.price
            else:
                amount, cost = amount - fill.amount, cost - fill.amount * average
            yield fill, average, cost

    def events(self, final_price: float | None = None) -> list[RealizedEvent]:
        """Realized events, one per exit fill (see the module docstring).

        ``final_price`` re-prices the final exit of a closed trade at that price (the audit's
        counterfactual stop fill): the formula's difference between the two prices is added.
        """
        fees = (self.fee_open, self.fee_close, self.is_short)
        events: list[RealizedEvent] = []
        last: tuple[Fill, float] | None = None
        for fill, average, _ in self._walk():
            if not fill.is_entry:
                pnl = exit_pnl(fill.amount, fill.price, average, *fees)
                events.append(RealizedEvent(fill.time, pnl, self.trade_id))
                last = (fill, average)
        if self.close_date is None:
            return events
        final = self.profit_abs - sum(e.pnl for e in events[:-1])
        if final_price is not None and last is not None:
            fill, average = last
            final += exit_pnl(fill.amount, final_price, average, *fees) - exit_pnl(
                fill.amount, fill.price, average, *fees
            )
        return [*events[:-1], RealizedEvent(self.close_date, final, self.trade_id)]

    def stake_at(self, when: datetime) -> float:
        """Stake held at ``when``: 0 before the open and from the close on; the position's cost
        after the fills up to ``when`` over leverage (the first entry's while it is pending).
        """
        if when < self.open_date or (self.close_date is not None and self.close_date <= when):
            return 0.0
        walked = [(fill.time, cost) for fill, _, cost in self._walk()]
        held = [cost for time, cost in walked if time <= when] or [c for _, c in walked[:1]]
        return max(held[-1], 0.0) / (self.leverage or 1.0) if held else self.stake


def from_trade(trade: Any) -> TradeRecord:
    """The record of a Freqtrade ``Trade`` / ``LocalTrade`` (database live, memory offline)."""
    fills = tuple(
        Fill(
            as_utc(order.order_filled_date),
            float(order.safe_price),
            float(order.safe_amount_after_fee),
            order.ft_order_side == trade.entry_side,
        )
        for order in trade.orders
        if not order.ft_is_open and order.filled and order.order_filled_date
    )
    closed = not trade.is_open
    return TradeRecord(
        trade_id=int(trade.id or 0),
        pair=trade.pair,
        is_short=bool(trade.is_short),
        leverage=float(trade.leverage or 1.0),
        open_date=as_utc(trade.open_date),
        close_date=as_utc(trade.close_date) if closed and trade.close_date else None,
        stake=float(trade.max_stake_amount or trade.stake_amount),
        profit_abs=float(trade.close_profit_abs or 0.0) if closed else 0.0,
        exit_reason=str(trade.exit_reason or ""),
        fee_open=float(trade.fee_open or 0.0),
        fee_close=float(trade.fee_close or 0.0),
        fills=fills,
    )


def _ts(value: int) -> datetime:
    return datetime.fromtimestamp(value / 1000, tz=UTC)


def from_export(index: int, trade: dict[str, Any]) -> TradeRecord:
    """The record of Freqtrade's ``Trade.to_json()`` shape (backtest export or database)."""
    open_date = _ts(trade["open_timestamp"])
    closed = not trade.get("is_open") and trade.get("close_timestamp") is not None
    close_date = _ts(trade["close_timestamp"]) if closed else None
    fills = tuple(
        Fill(
            _ts(o["order_filled_timestamp"]),
            float(o["safe_price"]),
            float(o.get("filled") or o["amount"]) - float(o.get("ft_fee_base") or 0.0),
            bool(o["ft_is_entry"]),
        )
        for o in trade.get("orders") or []
        if o.get("order_filled_timestamp")
    )
    if not fills:
        fills = (Fill(open_date, float(trade["open_rate"]), float(trade["amount"]), True),)
        if close_date is not None:
            fills += (Fill(close_date, float(trade["close_rate"]), float(trade["amount"]), False),)
    return TradeRecord(
        trade_id=int(trade.get("trade_id") or index),
        pair=trade["pair"],
        is_short=bool(trade.get("is_short")),
        leverage=float(trade.get("leverage") or 1.0),
        open_date=open_date,
        close_date=close_date,
        stake=float(trade.get("max_stake_amount") or trade["stake_amount"]),
        profit_abs=float(trade.get("profit_abs") or 0.0) if closed else 0.0,
        exit_reason=str(trade.get("exit_reason") or ""),
        fee_open=float(trade.get("fee_open") or 0.0),
        fee_close=float(trade.get("fee_close") or 0.0),
        fills=fills,
    )
