"""How often a stop-limit order would have been left behind: candles that traded through its
limit price.

A stop-limit sell (Binance spot ``STOP_LOSS_LIMIT``, Freqtrade's ``stoploss: "limit"``) placed at
stop price ``p`` rests a limit at ``p * r`` once triggered, ``r`` = ``order_types.
stoploss_on_exchange_limit_ratio`` (Freqtrade's default 0.99); a buy-back (short) at
``p * (2 - r)``. A backtest fills every stop at its stop price; a stop exit whose candle went
beyond the limit (``low < p * r`` long, ``high > p * (2 - r)`` short) would live have left the
order unfilled while the price ran on. ``p`` is the stop exit's fill price in the backtest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from risk_protections.pnl import TradeRecord

#: Freqtrade's default ``stoploss_on_exchange_limit_ratio``.
DEFAULT_LIMIT_RATIO = 0.99


@dataclass(frozen=True)
class TradeThrough:
    """Stop exits checked (with an exit candle), and those whose candle passed the limit."""

    stop_exits: int
    traded_through: int
    limit_ratio: float

    def text(self) -> str:
        share = self.traded_through / self.stop_exits if self.stop_exits else 0.0
        return (
            f"{self.traded_through} of {self.stop_exits} stop exits ({share:.1%}) had a candle "
            f"that traded through a stop-limit's limit price (limit ratio {self.limit_ratio:g})"
        )


def limit_price(stop_price: float, ratio: float, is_short: bool) -> float:
    """The limit a triggered stop-limit rests at (Freqtrade's rule)."""
    return stop_price * (2 - ratio) if is_short else stop_price * ratio


def count_traded_through(
    stop_exits: Iterable[TradeRecord],
    worst_price: Callable[[TradeRecord], float | None],
    ratio: float = DEFAULT_LIMIT_RATIO,
) -> TradeThrough:
    """``TradeThrough`` of ``stop_exits``; ``worst_price`` gives the exit candle's low (long) or
    high (short), None when the candle is missing (not counted)."""
    checked = through = 0
    for trade in stop_exits:
        worst = worst_price(trade)
        if worst is None or not trade.exits:
            continue
        stop = max(trade.exits, key=lambda fill: fill.time).price
        limit = limit_price(stop, ratio, trade.is_short)
        checked += 1
        through += worst > limit if trade.is_short else worst < limit
    return TradeThrough(checked, through, ratio)
