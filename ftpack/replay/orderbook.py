"""Order books for the replay: recorded depth where it exists, else derived from the candle.

Recorded: ``binance_l2_top20.parquet`` (the development data's ``orderbook/`` folder) holds the
top 20 levels of Binance books rebuilt from depth snapshots and the diff stream, for a few
minutes of BTC and ETH (spot and USDT-M). When the replay time lies inside such a recording,
the book is the last recorded one at or before that time.

Derived (everywhere else), from the candle and the market's price tick:
  * best bid = the path price (:mod:`ftpack.replay.path`) rounded down to the tick, best ask
    = best bid + one tick (the one-tick spread of Binance's liquid books);
  * level ``i`` (0-based) of each side sits ``i`` ticks further out;
  * every level holds the volume of the last closed candle divided by 20 (so the top 20
    levels hold one candle's volume), and at least the market's minimum order amount.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

Level = tuple[float, float]
L2_FILE = "binance_l2_top20.parquet"
# A recorded book older than this (ms) no longer stands for the book at the replay time.
RECORDED_MAX_AGE_MS = 5_000
LEVELS = 20


@dataclass(frozen=True)
class Book:
    """Bids (best first) and asks (best first), as [price, amount] pairs."""

    bids: list[Level]
    asks: list[Level]
    recorded: bool


def round_to_tick(price: float, tick: float) -> float:
    """``price`` on the tick grid (nearest tick), with the tick's decimals."""
    exponent = Decimal(str(tick)).normalize().as_tuple().exponent
    decimals = max(0, -exponent) if isinstance(exponent, int) else 0
    return round(round(price / tick) * tick, decimals)


def derived_book(
    price: float, tick: float, candle_volume: float, min_amount: float, depth: int
) -> Book:
    """The derived book around ``price`` (rule in the module docstring), ``depth`` levels a side."""
    steps = math.floor(price / tick + 1e-9)
    size = max(candle_volume / LEVELS, min_amount)
    bids = [(round_to_tick((steps - i) * tick, tick), size) for i in range(depth) if steps - i > 0]
    asks = [(round_to_tick((steps + 1 + i) * tick, tick), size) for i in range(depth)]
    return Book(bids, asks, recorded=False)


class RecordedBooks:
    """Recorded L2 books by (market, Binance symbol), market being ``spot`` or ``usdm``."""

    def __init__(self, folder: Path | None) -> None:
        self._books: dict[
            tuple[str, str], tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]
        ] = {}
        path = None if folder is None else Path(folder) / L2_FILE
        if path is None:
            return
        if not path.is_file():
            raise FileNotFoundError(f"recorded order books not found: {path}")
        frame = pd.read_parquet(path).sort_values("timestamp", kind="stable")
        bid_p = [f"bid_price_{i}" for i in range(1, LEVELS + 1)]
        bid_s = [f"bid_size_{i}" for i in range(1, LEVELS + 1)]
        ask_p = [f"ask_price_{i}" for i in range(1, LEVELS + 1)]
        ask_s = [f"ask_size_{i}" for i in range(1, LEVELS + 1)]
        for (market, symbol), rows in frame.groupby(["market", "symbol"], sort=False):
            self._books[(str(market), str(symbol))] = (
                rows["timestamp"].to_numpy(dtype="int64"),
                rows[bid_p].to_numpy(dtype=float),
                rows[bid_s].to_numpy(dtype=float),
                rows[ask_p].to_numpy(dtype=float),
                rows[ask_s].to_numpy(dtype=float),
            )

    def at(self, market: str, symbol: str, now_ms: int, depth: int) -> Book | None:
        """The last recorded book at or before ``now_ms`` (None if none recent enough)."""
        book = self._books.get((market, symbol))
        if book is None:
            return None
        stamps, bid_p, bid_s, ask_p, ask_s = book
        i = int(np.searchsorted(stamps, now_ms, side="right")) - 1
        if i < 0 or now_ms - stamps[i] > RECORDED_MAX_AGE_MS:
            return None
        n = min(depth, LEVELS)
        return Book(
            list(zip(bid_p[i, :n].tolist(), bid_s[i, :n].tolist(), strict=True)),
            list(zip(ask_p[i, :n].tolist(), ask_s[i, :n].tolist(), strict=True)),
            recorded=True,
        )
