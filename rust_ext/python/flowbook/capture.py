"""Live order-book capture for Freqtrade and the loader that makes it backtestable.

A strategy creates one :class:`OrderBookRecorder` and calls :meth:`OrderBookRecorder.sample`
from ``bot_loop_start``; every ``interval_s`` seconds per pair it reads ``dp.orderbook(pair,
depth)``, computes the snapshot features with :func:`flowbook.book_snapshot` and the sampled
order-flow imbalance eₙ between consecutive samples (:func:`flowbook.ofi_events`), and folds them
into the current candle. When a sample falls in a later candle, the finished candle is appended
to the pair's file of that UTC day, ``<datadir>/flowbook_orderbook/<PAIR>-<tf>/<YYYY-MM-DD>.obrec``.

File layout: one header line (``HEADER``, naming the record fields) followed by fixed-size
little-endian records (``RECORD``: ``date_ms`` int64, ``ob_samples`` int64, then the float64
features), one per finished candle, each appended with a single ``write`` (a 1m bot adds 1,440
records, 115 KB, per pair and day). A write cut short by a crash leaves a partial record at the
end; it is ignored when reading and cut off before the next append. A restart loses at most the
unfinished candle's earlier samples. When a recorder starts it deletes stray ``.tmp`` files and
moves candles of the earlier one-file-per-candle layout (``*.feather``) into the day files.

:func:`load_orderbook_features` reads only the day files that overlap the requested range and
keeps them in a cache between calls (a day file is read again only from where it grew); a candle
recorded twice keeps the row with most samples. :func:`merge_orderbook_features` joins them to a
candle frame on ``date``, in backtests and live alike.
"""

from __future__ import annotations

import math
import os
import time
from collections import OrderedDict
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
_SUFFIX = ".obrec"
#: One finished candle on disk.
RECORD_NAMES = ("date_ms", "ob_samples", *FEATURE_COLUMNS[1:])
RECORD = np.dtype(
    [("date_ms", "<i8"), ("ob_samples", "<i8")] + [(c, "<f8") for c in FEATURE_COLUMNS[1:]]
)
#: First line of every day file; it names the record layout, so a changed layout is refused.
HEADER = (
    "flowbook-orderbook v1 records "
    + ",".join(f"{name}:{RECORD[name].str}" for name in RECORD_NAMES)
    + "\n"
).encode()
#: Day files kept in memory by the loader (a month of 20 pairs fits).
CACHE_FILES = 1024


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

    def record(self) -> np.ndarray:
        """The finished candle as one ``RECORD``."""
        n = self.samples
        return np.array(
            [
                (
                    self.start_ms,
                    n,
                    self.imbalance_sum / n,
                    self.imbalance_last,
                    self.micro_price,
                    self.micro_dev_bps,
                    self.spread_sum / n,
                    self.bid_depth_sum / n,
                    self.ask_depth_sum / n,
                    self.ofi,
                )
            ],
            dtype=RECORD,
        )


@dataclass
class _PairState:
    candle: _Candle | None = None
    last_sample_s: float = -math.inf
    best: tuple[float, float, float, float] | None = None


def pair_dir(datadir: str | Path, pair: str, timeframe: str) -> Path:
    """Folder of one pair's day files: ``<datadir>/flowbook_orderbook/<PAIR>-<tf>``."""
    safe = pair.replace("/", "_").replace(":", "_")
    return Path(datadir) / _SUBDIR / f"{safe}-{timeframe}"


def day_file(folder: Path, start_ms: int) -> Path:
    """The day file holding the candle that starts at ``start_ms`` (its UTC date)."""
    return folder / f"{time.strftime('%Y-%m-%d', time.gmtime(start_ms // 1000))}{_SUFFIX}"


def append_records(path: Path, records: np.ndarray) -> None:
    """Append ``records`` with one ``write``; a new file gets ``HEADER`` first, and a partial
    record left at the end by an interrupted write is cut off before appending."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        size = os.fstat(fd).st_size
        torn = (size - len(HEADER)) % RECORD.itemsize if size >= len(HEADER) else size
        if torn:
            os.ftruncate(fd, size - torn)
            size -= torn
        payload = memoryview((HEADER if size == 0 else b"") + records.astype(RECORD).tobytes())
        while payload:
            payload = payload[os.write(fd, payload) :]
    finally:
        os.close(fd)


def read_legacy_parts(folder: Path) -> pd.DataFrame:
    """Every candle of the earlier layout (one feather file per candle) in ``folder``."""
    parts = sorted(folder.glob("*.feather"))
    if not parts:
        return _empty_frame()
    frame = pd.concat([pd.read_feather(p) for p in parts], ignore_index=True)
    frame = frame.sort_values(["date", "ob_samples"], kind="stable")
    return frame.drop_duplicates(subset="date", keep="last").reset_index(drop=True)


def tidy(folder: Path) -> None:
    """Delete stray ``.tmp`` files and move earlier one-file-per-candle parts into day files."""
    for stray in folder.glob("*.tmp"):
        stray.unlink(missing_ok=True)
    parts = sorted(folder.glob("*.feather"))
    if not parts:
        return
    legacy = read_legacy_parts(folder)
    records = np.empty(len(legacy), dtype=RECORD)
    records["date_ms"] = legacy["date"].astype("datetime64[ms, UTC]").astype("int64").to_numpy()
    for column in FEATURE_COLUMNS:
        records[column] = legacy[column].to_numpy()
    days = np.array([day_file(folder, int(t)).name for t in records["date_ms"]])
    for name in np.unique(days):
        append_records(folder / name, records[days == name])
    for part in parts:  # only after every candle is in a day file (a rerun appends duplicates,
        part.unlink(missing_ok=True)  # which the loader folds)


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
        for folder in (self.datadir / _SUBDIR).glob(f"*-{timeframe}"):
            tidy(folder)

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
        append_records(day_file(folder, candle.start_ms), candle.record())


def _empty_frame() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype="float64") for c in FEATURE_COLUMNS})
    frame["ob_samples"] = frame["ob_samples"].astype("int64")
    frame.insert(0, "date", pd.Series(dtype="datetime64[ms, UTC]"))
    return frame


#: path -> (inode, records read so far); least recently used first.
_cache: OrderedDict[Path, tuple[int, np.ndarray]] = OrderedDict()


def read_day_file(path: Path) -> np.ndarray:
    """The complete records of one day file, from the cache plus whatever was appended since."""
    stat = path.stat()
    count = max(stat.st_size - len(HEADER), 0) // RECORD.itemsize
    inode, known = _cache.pop(path, (stat.st_ino, np.empty(0, dtype=RECORD)))
    if inode != stat.st_ino or len(known) > count:
        known = np.empty(0, dtype=RECORD)
    if len(known) < count or (not len(known) and stat.st_size):
        with path.open("rb") as fh:
            head = fh.read(len(HEADER))
            if head != HEADER[: len(head)]:  # a header cut short by a crash is a prefix
                raise ValueError(f"{path}: not a flowbook order-book file of this version")
            fh.seek(len(HEADER) + len(known) * RECORD.itemsize)
            new = np.frombuffer(fh.read((count - len(known)) * RECORD.itemsize), dtype=RECORD)
        known = np.concatenate([known, new])
    _cache[path] = (stat.st_ino, known)
    while len(_cache) > CACHE_FILES:
        _cache.popitem(last=False)
    return known


def _utc(when: Any) -> pd.Timestamp | None:
    """``when`` as a UTC timestamp (a naive one is taken as UTC)."""
    if when is None:
        return None
    ts = pd.Timestamp(when)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def load_orderbook_features(
    datadir: str | Path,
    pair: str,
    timeframe: str,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Recorded candles of a pair with ``start <= date <= end`` (either may be None), sorted by
    ``date``; only the day files of that range are read. Empty frame when none exist."""
    folder = pair_dir(datadir, pair, timeframe)
    start, end = _utc(start), _utc(end)
    first = None if start is None else f"{start:%Y-%m-%d}{_SUFFIX}"
    last = None if end is None else f"{end:%Y-%m-%d}{_SUFFIX}"
    files = sorted(folder.glob(f"*{_SUFFIX}")) if folder.is_dir() else []
    files = [
        f for f in files if (first is None or f.name >= first) and (last is None or f.name <= last)
    ]
    if not files:
        return _empty_frame()
    records = np.concatenate([read_day_file(f) for f in files])
    dates = records["date_ms"]
    keep = np.ones(len(records), dtype=bool)
    if start is not None:
        keep &= dates >= start.value // 1_000_000
    if end is not None:
        keep &= dates <= end.value // 1_000_000
    records = records[keep]
    order = np.lexsort((records["ob_samples"], records["date_ms"]))
    records = records[order]
    last_of_date = np.append(records["date_ms"][1:] != records["date_ms"][:-1], True)
    records = records[last_of_date]  # a candle recorded twice: most samples wins
    frame = pd.DataFrame({name: records[name] for name in RECORD_NAMES[1:]})
    frame.insert(0, "date", pd.to_datetime(records["date_ms"], unit="ms", utc=True))
    frame["date"] = frame["date"].astype("datetime64[ms, UTC]")
    return frame


def merge_orderbook_features(
    dataframe: pd.DataFrame, datadir: str | Path, pair: str, timeframe: str
) -> pd.DataFrame:
    """``dataframe`` with the recorded ``ob_*`` columns left-joined on ``date`` (NaN where no
    candle was recorded); only the days of ``dataframe``'s dates are read."""
    dates = dataframe["date"]
    start, end = (None, None) if dates.empty else (dates.min(), dates.max())
    features = load_orderbook_features(datadir, pair, timeframe, start, end)
    features["date"] = features["date"].astype(dataframe["date"].dtype)
    return dataframe.merge(features, on="date", how="left")
