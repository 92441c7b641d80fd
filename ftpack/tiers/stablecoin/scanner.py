"""Triangular-arbitrage scanner: detects, never executes, three-leg cycles.

Freqtrade trades one pair at a time and cannot place three legs atomically (its maintainers
declined multi-leg arbitrage, freqtrade #4597), and retail three-leg bots on Binance lose to
latency and fees. So this only measures: for each configured cycle it walks the three books
for a given size (:mod:`ftpack.tiers.stablecoin.triangular`, NumPy: the depth walk is not in the
Rust crate) and reports both directions' net return after each leg's taker fee, with each
leg's spread and micro-price from ``flowbook`` (Rust).

- In a bot: :class:`ScannerHook` (called from ``bot_loop_start`` in live/dry-run) logs every
  scan and alerts through ``dp.send_msg`` when a direction nets more than ``alert_bps``.
- Offline: ``python -m ftpack.tiers.stablecoin.scanner --books <l2.parquet> --cycle A/B C/A C/B
  --start B --size 100 --fee 0.001`` reports over recorded L2 books (the layout of
  ``shared/data/orderbook/binance_l2_top20.parquet``: ``timestamp``, ``market``, ``symbol``,
  ``bid_price_1..N``, ``bid_size_1..N``, ``ask_price_1..N``, ``ask_size_1..N``). The three
  books are aligned as of each update of any leg; a moment counts only when every leg's book
  is at most ``--max-age-ms`` old. The recorded Binance books bundled with the project hold
  BTCUSDT and ETHUSDT only (no cross such as ETHBTC), so no real three-leg cycle recording
  is bundled; the CLI runs on any recording that has all three legs. (flowbook's live
  capture stores per-candle book features, not levels, so it cannot feed a depth walk.)
"""

from __future__ import annotations

import argparse
import logging
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import flowbook
from ftpack.tiers.stablecoin.fair_value import BPS
from ftpack.tiers.stablecoin.settings import ScannerSettings
from ftpack.tiers.stablecoin.triangular import Book, Leg, quote_cycle

logger = logging.getLogger(__name__)


def book_from_ccxt(orderbook: dict[str, Any]) -> Book:
    """A :class:`Book` from a ccxt order book (``{"bids": [[price, size], …], "asks": …}``)."""
    bids = np.asarray([level[:2] for level in orderbook["bids"]], dtype=float).reshape(-1, 2)
    asks = np.asarray([level[:2] for level in orderbook["asks"]], dtype=float).reshape(-1, 2)
    return Book(bids[:, 0], bids[:, 1], asks[:, 0], asks[:, 1])


def leg_features(book: Book) -> flowbook.BookBatch:
    """flowbook's per-row spread (bps), micro-price and mid of one leg's books."""
    return flowbook.book_batch(
        *(np.atleast_2d(a) for a in (book.bid_price, book.bid_size, book.ask_price, book.ask_size))
    )


def legs_text(books: dict[str, Book]) -> str:
    """``"BTC/USDT spread 0.02 bps, micro-price 61800.1; …"``: median spread, last micro-price."""
    parts = []
    for pair, book in books.items():
        features = leg_features(book)
        parts.append(
            f"{pair} spread {np.nanmedian(features.spread_bps):.2f} bps, "
            f"micro-price {features.micro_price[-1]:.8g}"
        )
    return "; ".join(parts)


def describe(legs: list[Leg]) -> str:
    """``"USDT→BTC (buy BTC/USDT) → …"``: the path of a direction, for logs and alerts."""
    return " → ".join(f"{leg.source}→{leg.target} ({leg.side} {leg.pair})" for leg in legs)


class ScannerHook:
    """Scan the configured cycles at most every ``interval_seconds`` and alert on edges."""

    def __init__(self, settings: ScannerSettings) -> None:
        self.settings = settings
        self.last_scan: datetime | None = None

    def due(self, now: datetime) -> bool:
        """True when cycles are configured and the interval since the last scan has passed."""
        if not self.settings.cycles:
            return False
        return (
            self.last_scan is None
            or (now - self.last_scan).total_seconds() >= self.settings.interval_seconds
        )

    def run(self, dp: Any, now: datetime) -> list[str]:
        """Scan every cycle with ``dp.orderbook``; return (and send) the alert messages."""
        if not self.due(now):
            return []
        self.last_scan = now
        s = self.settings
        alerts = []
        for cycle in s.cycles:
            books = {pair: book_from_ccxt(dp.orderbook(pair, s.depth)) for pair in cycle}
            quote = quote_cycle(books, cycle, s.start_asset, s.size, s.fees)
            directions = ((quote.forward_legs, quote.forward), (quote.reverse_legs, quote.reverse))
            for legs, ret in directions:
                net_bps = float(ret[0]) * BPS
                logger.debug("Cycle %s: %.2f bps net", describe(legs), net_bps)
                if net_bps > s.alert_bps:
                    msg = (
                        f"Triangular cycle {describe(legs)} nets {net_bps:.2f} bps after fees "
                        f"for {s.size:g} {s.start_asset} (detected only, not executed). "
                        f"Legs: {legs_text(books)}."
                    )
                    logger.info(msg)
                    dp.send_msg(msg)
                    alerts.append(msg)
        return alerts


def symbol_of(pair: str) -> str:
    """Binance stream symbol of a pair: ``"ETH/BTC"`` → ``"ETHBTC"``."""
    return pair.split(":")[0].replace("/", "")


def load_recorded_books(path: Path, market: str, pairs: list[str]) -> dict[str, pd.DataFrame]:
    """Rows of each pair's symbol in an L2 recording, sorted by ``timestamp``."""
    frame = pd.read_parquet(path, filters=[("market", "==", market)])
    found = set(frame["symbol"].unique())
    missing = [p for p in pairs if symbol_of(p) not in found]
    if missing:
        raise SystemExit(
            f"{path} has no {market} book for {missing} (it records {sorted(found)}); "
            "a three-leg cycle needs all three legs recorded."
        )
    return {
        p: frame[frame["symbol"] == symbol_of(p)].sort_values("timestamp").reset_index(drop=True)
        for p in pairs
    }


def book_columns(frame: pd.DataFrame, prefix: str) -> np.ndarray:
    """The ``<prefix>_1..N`` columns as an array of shape (rows, N)."""
    levels = sorted(
        (int(c.rsplit("_", 1)[1]), c) for c in frame.columns if c.startswith(prefix + "_")
    )
    return frame[[c for _, c in levels]].to_numpy(dtype=float)


def align_books(
    frames: dict[str, pd.DataFrame], max_age_ms: int
) -> tuple[np.ndarray, dict[str, Book]]:
    """Each leg's latest book as of every update time of any leg, with all legs fresh enough."""
    times = np.unique(np.concatenate([f["timestamp"].to_numpy() for f in frames.values()]))
    ok = np.ones(len(times), dtype=bool)
    index = {}
    for pair, frame in frames.items():
        stamps = frame["timestamp"].to_numpy()
        pos = np.searchsorted(stamps, times, side="right") - 1
        ok &= pos >= 0
        ok[pos >= 0] &= (times[pos >= 0] - stamps[pos[pos >= 0]]) <= max_age_ms
        index[pair] = pos
    books = {}
    for pair, frame in frames.items():
        rows = index[pair][ok]
        books[pair] = Book(
            *(
                book_columns(frame, side)[rows]
                for side in ("bid_price", "bid_size", "ask_price", "ask_size")
            )
        )
    return times[ok], books


def summary_lines(name: str, returns: np.ndarray, threshold_bps: float) -> list[str]:
    """Report lines for one direction: count, fillable share, above threshold, quantiles."""
    bps = returns * BPS
    valid = bps[np.isfinite(bps)]
    lines = [f"{name}: {len(bps)} moments, {len(valid)} with enough depth"]
    if len(valid):
        q = np.quantile(valid, [0.5, 0.99])
        lines.append(
            f"  net bps: median {q[0]:.2f}, p99 {q[1]:.2f}, best {valid.max():.2f}; "
            f"> {threshold_bps:g} bps in {(valid > threshold_bps).sum()} moments"
        )
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--books", type=Path, required=True, help="L2 parquet recording")
    parser.add_argument("--market", default="spot", help="market column value (spot, usdm, …)")
    parser.add_argument("--cycle", nargs=3, required=True, metavar="PAIR")
    parser.add_argument("--start", required=True, help="start (and end) asset, e.g. USDT")
    parser.add_argument("--size", type=float, default=100.0, help="amount of the start asset")
    parser.add_argument("--fee", type=float, required=True, help="taker fee per leg, e.g. 0.001")
    parser.add_argument("--threshold-bps", type=float, default=0.0)
    parser.add_argument("--max-age-ms", type=int, default=1000)
    args = parser.parse_args(argv)

    frames = load_recorded_books(args.books, args.market, args.cycle)
    times, books = align_books(frames, args.max_age_ms)
    fees = dict.fromkeys(args.cycle, args.fee)
    quote = quote_cycle(books, args.cycle, args.start, args.size, fees)
    span = pd.to_datetime(times[[0, -1]], unit="ms", utc=True) if len(times) else []
    print(
        f"Triangular scan of {args.books} ({args.market}), size {args.size:g} {args.start}, "
        f"taker fee {args.fee} per leg. Detects only; executes nothing."
    )
    if len(span):
        print(f"Window {span[0]} → {span[1]}, {len(times)} aligned moments.")
    if len(times):
        print(f"Legs (flowbook): {legs_text(books)}.")
    for legs, ret in ((quote.forward_legs, quote.forward), (quote.reverse_legs, quote.reverse)):
        print("\n".join(summary_lines(describe(legs), ret, args.threshold_bps)))


if __name__ == "__main__":
    main()
