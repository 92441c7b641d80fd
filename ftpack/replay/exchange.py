"""What the replayed exchange knows at a replay time: markets, candles, prices, books, funding.

It joins the recorded data (:class:`~ftpack.replay.market_data.MarketData`), the recorded
books (:class:`~ftpack.replay.orderbook.RecordedBooks`), the markets snapshot and the run's
faults (price jumps, candle gaps, empty book sides). The HTTP layer (:mod:`ftpack.replay.endpoints`)
only turns its answers into Binance's JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from freqtrade.enums import CandleType

from ftpack.replay.clock import ReplayClock
from ftpack.replay.faults import FaultPlan
from ftpack.replay.market_data import Candle, MarketData
from ftpack.replay.orderbook import Book, RecordedBooks, derived_book, round_to_tick

SPOT, USDM, COINM = "spot", "usdm", "coinm"
DAY_MS = 86_400_000
FUNDING_HOURS = 8


@dataclass(frozen=True)
class Market:
    """A served market: ``kind`` (spot / usdm), Binance id, unified pair, snapshot entry."""

    kind: str
    id: str
    pair: str
    spec: dict[str, Any]

    @property
    def candle_type(self) -> CandleType:
        return CandleType.SPOT if self.kind == SPOT else CandleType.FUTURES

    @property
    def tick(self) -> float:
        return float(self.spec["precision"]["price"])

    @property
    def min_amount(self) -> float:
        return float((self.spec.get("limits") or {}).get("amount", {}).get("min") or 0.0)


class ReplayExchange:
    """The replayed exchange: every answer is as of the clock's time (or the time asked)."""

    def __init__(
        self,
        clock: ReplayClock,
        data: MarketData,
        markets: dict[str, dict[str, Any]],
        books: RecordedBooks | None = None,
        faults: FaultPlan | None = None,
    ) -> None:
        self.clock = clock
        self.data = data
        self.books = books or RecordedBooks(None)
        self.faults = faults or FaultPlan()
        self.markets: dict[tuple[str, str], Market] = {}
        spot_pairs = set(data.pairs(CandleType.SPOT))
        perp_pairs = set(data.pairs(CandleType.FUTURES))
        for pair, spec in markets.items():
            if spec.get("spot") and pair in spot_pairs:
                self.markets[(SPOT, spec["id"])] = Market(SPOT, spec["id"], pair, spec)
            elif spec.get("swap") and spec.get("linear") and pair in perp_pairs:
                self.markets[(USDM, spec["id"])] = Market(USDM, spec["id"], pair, spec)

    def market(self, kind: str, symbol: str) -> Market | None:
        return self.markets.get((kind, symbol))

    def listed(self, kind: str) -> list[Market]:
        return [m for (k, _), m in sorted(self.markets.items()) if k == kind]

    # --- prices --------------------------------------------------------------------------
    def candles(
        self,
        market: Market,
        candle_type: CandleType,
        interval_ms: int,
        endpoint: str,
        *,
        start_ms: int | None,
        end_ms: int | None,
        limit: int,
    ) -> list[Candle]:
        """Candles as served now, with the run's stale / gap / price-jump faults applied."""
        now = self.clock.now_ms()
        at = now
        for fault in self.faults.active("stale_candles", endpoint, market.pair, now):
            at = min(at, fault.start_ms)
            self.faults.record(fault, endpoint, market.pair, now)
        rows = self.data.candles(
            market.pair, candle_type, interval_ms, at, start_ms=start_ms, end_ms=end_ms, limit=limit
        )
        for fault in self.faults.gaps(endpoint, market.pair, now):
            kept = [r for r in rows if not fault.start_ms <= r[0] < fault.end_ms]
            if len(kept) < len(rows):
                self.faults.record(fault, endpoint, market.pair, now)
            rows = kept
        for fault in self.faults.price_jumps(market.pair):
            rows = [
                _scaled(r, fault.factor, market.tick) if fault.active(r[0]) else r for r in rows
            ]
        if rows and rows[-1][0] + interval_ms > at:
            rows[-1] = _scaled(rows[-1], 1.0, market.tick)  # the open candle's path prices
        return rows

    def price(self, market: Market) -> float | None:
        """Last price now: the path price, times any active price jump, on the tick grid."""
        now = self.clock.now_ms()
        price = self.data.price(market.pair, market.candle_type, now)
        if price is None:
            return None
        for fault in self.faults.active("price_jump", None, market.pair, now):
            price *= fault.factor
        return round_to_tick(price, market.tick)

    def book(self, market: Market, depth: int, endpoint: str) -> Book | None:
        """The order book now: recorded if the data holds one, else derived from the candle."""
        now = self.clock.now_ms()
        book = self.books.at(market.kind, market.id, now, depth)
        if book is None:
            price = self.price(market)
            if price is None:
                return None
            volume = self.data.last_volume(market.pair, market.candle_type, now)
            book = derived_book(price, market.tick, volume, market.min_amount, depth)
        for fault in self.faults.active("one_sided_book", endpoint, market.pair, now):
            self.faults.record(fault, endpoint, market.pair, now)
            book = Book(
                [] if fault.side == "bids" else book.bids,
                [] if fault.side == "asks" else book.asks,
                book.recorded,
            )
        return book

    def day(self, market: Market) -> Candle | None:
        """The rolling 24h candle up to now (price jumps scale its close only)."""
        now = self.clock.now_ms()
        return self.data.rolling(market.pair, market.candle_type, now, DAY_MS)

    # --- funding -------------------------------------------------------------------------
    def funding_history(
        self, market: Market, start_ms: int | None, end_ms: int | None, limit: int
    ) -> list[tuple[int, float]]:
        """Settled funding (time, rate) up to now, Binance's window rules."""
        events = self.data.funding(market.pair)
        if events is None:
            return []
        now = self.clock.now_ms()
        upto = min(end_ms if end_ms is not None else now, now)
        rows = [
            (int(t), float(r))
            for t, r in zip(events.time, events.rate, strict=True)
            if t <= upto and (start_ms is None or t >= start_ms)
        ]
        return rows[:limit] if start_ms is not None else rows[-limit:]

    def last_funding_rate(self, market: Market) -> float:
        """The last settled rate (Binance shows the running period's estimate, unknown here)."""
        settled = self.funding_history(market, None, None, 1)
        return settled[-1][1] if settled else 0.0

    def next_funding_ms(self) -> int:
        """The next 00/08/16 UTC settlement after now."""
        period = FUNDING_HOURS * 3_600_000
        return (self.clock.now_ms() // period + 1) * period


def _scaled(row: Candle, factor: float, tick: float) -> Candle:
    t, o, h, low, c, v, q = row
    o, h, low, c = (round_to_tick(x * factor, tick) for x in (o, h, low, c))
    return (t, o, h, low, c, v, q * factor)
