"""Live order-book capture for Freqtrade and the loader that makes it backtestable.

A strategy creates one :class:`OrderBookRecorder` and calls :meth:`OrderBookRecorder.sample`
from ``bot_loop_start``; every ``interval_s`` seconds per pair it reads ``dp.orderbook(pair,
depth)``, computes the snapshot features with :func:`flowbook.book_snapshot` and the sampled
order-flow imbalance eₙ between consecutive samples (:func:`flowbook.ofi_events`), and folds them
into the current candle. When a sample falls in a later candle, the finished candle is written
as one small feather file under ``<datadir>/flowbook_orderbook/<PAIR>-<tf>/`` (write to a temp
file, then atomic rename: append-only and safe to kill at any moment). A restart loses at most
the unfinished candle's earlier samples. :func:`load_orderbook_features` reads all parts
(duplicate candles: the row with most samples wins) and :func:`merge_orderbook_features` joins
them to a candle frame on ``date``, in backtests and live alike.
"""

from __future__ import annotations

import itertools
import math
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd

from flowbook import book_snapshot, ofi_events
from flowbook._convert import timeframe_ms

#: Per-candle columns written and merged (besides ``date``).
FEATURE_COLUMNS = [
    "ob_samples",
    "ob_imbalance",
    "ob_imbalance_last",
    "ob_micro_price",
    "ob_micro_dev_bps",
    "ob_spread_bps",
    "ob_bid_depth",
    "ob_ask_depth",
    "ob_ofi",
]
_SUBDIR = "flowbook_orderbook"
_counter = itertools.count()


class OrderBookSource(Protocol):
    """What the recorder needs from Freqtrade's DataProvider."""

    def orderbook(self, pair: str, maximum: int) -> dict[str, Any]: ...


@dataclass
class _Candle:
    """Running aggregate of one pair's samples inside one candle."""

    start_ms: int
    samples: int = 0
    imbalance_sum: float = 0.0
    imbalance_last: float = math.nan
    micro_price: float = math.nan
    micro_dev_bps: float = math.nan
    spread_sum: float = 0.0
    bid_depth_sum: float = 0.0
    ask_depth_sum: float = 0.0
    ofi: float = 0.0

    def row(self) -> dict[str, Any]:
        n = self.samples
        return {
            "date": pd.Timestamp(self.start_ms, unit="ms", tz="UTC"),
            "ob_samples": n,
            "ob_imbalance": self.imbalance_sum / n,
            "ob_imbalance_last": self.imbalance_last,
            "ob_micro_price": self.micro_price,
            "ob_micro_dev_bps": self.micro_dev_bps,
            "ob_spread_bps": self.spread_sum / n,
            "ob_bid_depth": self.bid_depth_sum / n,
            "ob_ask_depth": self.ask_depth_sum / n,
            "ob_ofi": self.ofi,
        }


@dataclass
class _PairState:
    candle: _Candle | None = None
    last_sample_s: float = -math.inf
    best: tuple[float, float, float, float] | None = None


def pair_dir(datadir: str | Path, pair: str, timeframe: str) -> Path:
    """Folder of one pair's parts: ``<datadir>/flowbook_orderbook/<PAIR>-<tf>``."""
    safe = pair.replace("/", "_").replace(":", "_")
    return Path(datadir) / _SUBDIR / f"{safe}-{timeframe}"


class OrderBookRecorder:
    """Samples order books, aggregates them per candle and appends finished candles to disk.

    Per candle: ``ob_samples``; means of imbalance, spread (bps) and depth within
    ``depth_bps`` per side; last imbalance, micro-price and micro-price deviation from mid
    (micro − mid)/mid·10⁴ bps; ``ob_ofi`` = Σ eₙ over consecutive samples (the CKS formula on
    sampled best levels; the first sample of a run contributes nothing). Crossed, empty or
    one-sided books are skipped; a malformed book raises ``ValueError``.
    """

    def __init__(
        self,
        datadir: str | Path,
        timeframe: str,
        *,
        interval_s: float = 1.0,
        depth: int = 20,
        levels: int | None = None,
        weighting: str = "uniform",
        decay: float = 0.0,
        depth_bps: float = 10.0,
    ) -> None:
        if not interval_s >= 0:
            raise ValueError(f"interval_s must be >= 0, got {interval_s}")
        self.datadir = Path(datadir)
        self.timeframe = timeframe
        self.tf_ms = timeframe_ms(timeframe)
        self.interval_s = interval_s
        self.depth = depth
        self.levels, self.weighting = levels, weighting
        self.decay, self.depth_bps = decay, depth_bps
        self._pairs: dict[str, _PairState] = {}

    def sample(self, dp: OrderBookSource, pairs: list[str], now_s: float | None = None) -> None:
        """Sample every pair whose last sample is ``interval_s`` or more seconds old."""
        now_s = time.time() if now_s is None else now_s
        for pair in pairs:
            state = self._pairs.setdefault(pair, _PairState())
            if now_s - state.last_sample_s >= self.interval_s:
                self.record(pair, dp.orderbook(pair, self.depth), now_s)

    def record(self, pair: str, book: dict[str, Any], now_s: float) -> None:
        """Fold one ccxt-style book ({'bids': [[price, size], ...], 'asks': ...}) taken at
        ``now_s`` into the pair's current candle, flushing the previous candle if it ended."""
        state = self._pairs.setdefault(pair, _PairState())
        state.last_sample_s = now_s
        bids = np.asarray(book.get("bids") or [], dtype=np.float64).reshape(-1, 2)[:, :2]
        asks = np.asarray(book.get("asks") or [], dtype=np.float64).reshape(-1, 2)[:, :2]
        snap = book_snapshot(
            bids[:, 0],
            bids[:, 1],
            asks[:, 0],
            asks[:, 1],
            levels=self.levels,
            weighting=self.weighting,
            decay=self.decay,
            depth_bps=self.depth_bps,
        )
        if math.isnan(snap.mid) or math.isnan(snap.micro_price):
            return
        now_ms = int(now_s * 1000)
        start = now_ms - now_ms % self.tf_ms
        if state.candle is not None and state.candle.start_ms != start:
            self._write(pair, state.candle)
            state.candle = None
        if state.candle is None:
            state.candle = _Candle(start)
        best = (bids[0, 0], bids[0, 1], asks[0, 0], asks[0, 1])
        if state.best is not None:
            (pb, qb, pa, qa), (nb, nqb, na, nqa) = state.best, best
            state.candle.ofi += float(
                ofi_events([0, 0], [pb, nb], [qb, nqb], [pa, na], [qa, nqa])[1]
            )
        state.best = best
        c = state.candle
        c.samples += 1
        c.imbalance_sum += snap.imbalance
        c.imbalance_last = snap.imbalance
        c.micro_price = snap.micro_price
        c.micro_dev_bps = (snap.micro_price - snap.mid) / snap.mid * 1e4
        c.spread_sum += snap.spread_bps
        c.bid_depth_sum += snap.bid_depth
        c.ask_depth_sum += snap.ask_depth

    def _write(self, pair: str, candle: _Candle) -> None:
        folder = pair_dir(self.datadir, pair, self.timeframe)
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{candle.start_ms}-{os.getpid()}-{next(_counter)}"
        tmp = folder / f".{name}.tmp"
        row = pd.DataFrame([candle.row()])
        row["date"] = row["date"].astype("datetime64[ms, UTC]")
        row.to_feather(tmp)
        os.replace(tmp, folder / f"{name}.feather")


def load_orderbook_features(datadir: str | Path, pair: str, timeframe: str) -> pd.DataFrame:
    """All recorded candles of a pair, sorted by ``date``; empty frame when none exist."""
    folder = pair_dir(datadir, pair, timeframe)
    parts = sorted(folder.glob("*.feather")) if folder.is_dir() else []
    if not parts:
        frame = pd.DataFrame({c: pd.Series(dtype="float64") for c in FEATURE_COLUMNS})
        frame.insert(0, "date", pd.Series(dtype="datetime64[ms, UTC]"))
        return frame
    frame = pd.concat([pd.read_feather(p) for p in parts], ignore_index=True)
    frame = frame.sort_values(["date", "ob_samples"], kind="stable")
    frame = frame.drop_duplicates(subset="date", keep="last")
    return frame.reset_index(drop=True)


def merge_orderbook_features(
    dataframe: pd.DataFrame, datadir: str | Path, pair: str, timeframe: str
) -> pd.DataFrame:
    """``dataframe`` with the recorded ``ob_*`` columns left-joined on ``date`` (NaN where no
    candle was recorded)."""
    features = load_orderbook_features(datadir, pair, timeframe)
    features["date"] = features["date"].astype(dataframe["date"].dtype)
    return dataframe.merge(features, on="date", how="left")
