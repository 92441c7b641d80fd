"""Net return of a three-leg conversion cycle, walking order-book depth, after each leg's fee.

A cycle is three pairs and a start asset, e.g. ``("BTC/USDT", "ETH/BTC", "ETH/USDT")`` from
USDT: USDT → BTC (buy BTC/USDT on the asks), BTC → ETH (buy ETH/BTC on the asks), ETH → USDT
(sell ETH/USDT into the bids). The reverse direction runs the same pairs backwards.

Depth walk (taker): spending ``q`` quote on asks ``(p_i, s_i)`` (best first) buys
``Σ_{i<k} s_i + (q − Σ_{i<k} p_i·s_i) / p_k`` base, where ``k`` is the first level whose
cumulative cost reaches ``q``; selling ``b`` base into bids receives
``Σ_{i<k} p_i·s_i + p_k·(b − Σ_{i<k} s_i)``. Each leg's output is multiplied by ``1 − fee``.
The cycle return is ``out / size − 1``; it is NaN when a book is too thin for the size.

Books are arrays of shape ``(levels,)`` or ``(rows, levels)``; with rows, every row is one
moment in time and the walk is vectorised over rows. This module computes and detects;
it never places orders.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ftpack.tiers.stablecoin.basket import base_quote


@dataclass(frozen=True)
class Book:
    """Bid and ask price/size arrays, best level first, sizes in base; NaN levels are empty."""

    bid_price: np.ndarray
    bid_size: np.ndarray
    ask_price: np.ndarray
    ask_size: np.ndarray


@dataclass(frozen=True)
class Leg:
    """Convert ``source`` into ``target`` on ``pair`` by buying (on asks) or selling (on bids)."""

    pair: str
    side: str
    source: str
    target: str


def _walk(
    price: np.ndarray, size: np.ndarray, amount: float | np.ndarray, spend_quote: bool
) -> np.ndarray:
    """Vectorised depth walk; see module docstring. Rows that run out of depth give NaN."""
    price = np.atleast_2d(np.asarray(price, dtype=float))
    size = np.atleast_2d(np.asarray(size, dtype=float))
    size = np.where(np.isfinite(price) & np.isfinite(size), size, 0.0)
    amount = np.broadcast_to(np.asarray(amount, dtype=float), price.shape[:1])
    notional = np.where(size > 0, price * size, 0.0)
    spent = np.cumsum(notional if spend_quote else size, axis=1)
    got = np.cumsum(size if spend_quote else notional, axis=1)
    full = (spent < amount[:, None]).sum(axis=1)  # levels taken completely
    rows = np.arange(price.shape[0])
    k = np.minimum(full, price.shape[1] - 1)
    spent_before = np.where(full > 0, spent[rows, np.maximum(full - 1, 0)], 0.0)
    got_before = np.where(full > 0, got[rows, np.maximum(full - 1, 0)], 0.0)
    rest = amount - spent_before
    partial = rest / price[rows, k] if spend_quote else rest * price[rows, k]
    out = got_before + partial
    depth_ok = spent[:, -1] >= amount
    return np.where(depth_ok, out, np.nan)


def buy_base(book: Book, quote_amount: float | np.ndarray) -> np.ndarray:
    """Base received for spending ``quote_amount`` on the asks (before fee)."""
    return _walk(book.ask_price, book.ask_size, quote_amount, spend_quote=True)


def sell_base(book: Book, base_amount: float | np.ndarray) -> np.ndarray:
    """Quote received for selling ``base_amount`` into the bids (before fee)."""
    return _walk(book.bid_price, book.bid_size, base_amount, spend_quote=False)


def cycle_legs(pairs: Sequence[str], start: str) -> list[Leg]:
    """The legs that take ``start`` through ``pairs`` in order and back to ``start``."""
    legs, asset = [], start
    for pair in pairs:
        base, quote = base_quote(pair)
        if asset == quote:
            legs.append(Leg(pair, "buy", quote, base))
            asset = base
        elif asset == base:
            legs.append(Leg(pair, "sell", base, quote))
            asset = quote
        else:
            raise ValueError(f"{pair} does not trade {asset} (cycle {list(pairs)} from {start})")
    if asset != start:
        raise ValueError(f"Cycle {list(pairs)} from {start} ends in {asset}, not {start}")
    return legs


def cycle_return(
    books: dict[str, Book], legs: list[Leg], size: float, fees: dict[str, float]
) -> np.ndarray:
    """Net return of ``size`` units of the start asset through ``legs`` (one value per row)."""
    amount: float | np.ndarray = size
    for leg in legs:
        book = books[leg.pair]
        amount = buy_base(book, amount) if leg.side == "buy" else sell_base(book, amount)
        amount = amount * (1.0 - fees[leg.pair])
    return np.asarray(amount) / size - 1.0


@dataclass(frozen=True)
class CycleQuote:
    """Net returns of both directions of one cycle (arrays: one value per book row)."""

    forward_legs: list[Leg]
    reverse_legs: list[Leg]
    forward: np.ndarray
    reverse: np.ndarray


def quote_cycle(
    books: dict[str, Book],
    pairs: Sequence[str],
    start: str,
    size: float,
    fees: dict[str, float],
) -> CycleQuote:
    """Both directions' net return of the cycle for ``size`` of ``start``, walking depth."""
    forward = cycle_legs(pairs, start)
    reverse = cycle_legs(list(reversed(pairs)), start)
    return CycleQuote(
        forward_legs=forward,
        reverse_legs=reverse,
        forward=cycle_return(books, forward, size, fees),
        reverse=cycle_return(books, reverse, size, fees),
    )
