"""Recorded candles, funding rates and trades, read as an exchange would serve them at a time.

The files are Freqtrade's own (feather, read with Freqtrade's data handler) in one or more data
directories; for each pair, timeframe and candle type the first directory holding the file wins.
At replay time ``now`` a series shows every candle that closed by ``now`` and the candle that is
still open, built from the finest recorded timeframe along the intra-candle path
(:mod:`ftpack.replay.path`). A requested interval the files do not hold is aggregated from the
coarsest recorded timeframe that divides it (e.g. 1h and 1d from 5m). Nothing after ``now`` is
ever served.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
from freqtrade.data.history import get_datahandler
from freqtrade.enums import CandleType, TradingMode
from freqtrade.exchange import timeframe_to_msecs

from ftpack.replay.path import partial_candle

# A price is served from the last close for at most this long after the data stops (ms).
STALE_PRICE_MS = 3_600_000
# One row of candles: open time, open, high, low, close, volume, quote volume (Σ close·volume).
Candle = tuple[int, float, float, float, float, float, float]


@dataclass(frozen=True)
class Series:
    """One recorded candle file as arrays (dates in ms, open times)."""

    timeframe_ms: int
    date: np.ndarray
    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    volume: np.ndarray

    def covers(self, t_ms: int) -> bool:
        """Whether ``t_ms`` lies between the first candle's open and the last candle's close."""
        return len(self.date) > 0 and self.date[0] <= t_ms < self.date[-1] + self.timeframe_ms

    @property
    def first_ms(self) -> int:
        return int(self.date[0])

    @property
    def end_ms(self) -> int:
        return int(self.date[-1]) + self.timeframe_ms


@dataclass(frozen=True)
class FundingEvents:
    """Recorded funding settlements: time (ms) and rate."""

    time: np.ndarray
    rate: np.ndarray


@dataclass(frozen=True)
class Trades:
    """Recorded public trades: time (ms), id, price, amount, aggressor side is sell."""

    time: np.ndarray
    id: np.ndarray
    price: np.ndarray
    amount: np.ndarray
    sell: np.ndarray


class MarketData:
    """The recorded data of some data directories, per pair and candle type."""

    def __init__(self, datadirs: list[Path]) -> None:
        self.datadirs = [Path(d) for d in datadirs]
        missing = [d for d in self.datadirs if not d.is_dir()]
        if missing:
            raise FileNotFoundError(f"replay data directory not found: {missing[0]}")
        self._series: dict[tuple[str, CandleType], list[Series]] = {}
        self._funding: dict[str, FundingEvents | None] = {}
        self._trades: dict[tuple[str, TradingMode], Trades | None] = {}

    @cached_property
    def available(self) -> dict[tuple[str, CandleType], dict[str, Path]]:
        """(pair, candle type) → {timeframe: data directory holding it}, first directory wins."""
        found: dict[tuple[str, CandleType], dict[str, Path]] = {}
        for datadir in self.datadirs:
            handler = get_datahandler(datadir, "feather")
            for mode in (TradingMode.SPOT, TradingMode.FUTURES):
                for pair, timeframe, ctype in handler.ohlcv_get_available_data(datadir, mode):
                    found.setdefault((pair, CandleType.from_string(ctype)), {}).setdefault(
                        timeframe, datadir
                    )
        return found

    def pairs(self, candle_type: CandleType) -> list[str]:
        """Pairs with candles of ``candle_type``."""
        return sorted(pair for pair, ctype in self.available if ctype == candle_type)

    def series(self, pair: str, candle_type: CandleType) -> list[Series]:
        """Every recorded timeframe of ``pair``, finest first (loaded once)."""
        key = (pair, candle_type)
        if key not in self._series:
            loaded = []
            for timeframe, datadir in self.available.get(key, {}).items():
                frame = get_datahandler(datadir, "feather").ohlcv_load(
                    pair, timeframe, candle_type, fill_missing=False, warn_no_data=False
                )
                if frame.empty:
                    continue
                loaded.append(
                    Series(
                        timeframe_to_msecs(timeframe),
                        _ms(frame["date"]),
                        *(
                            frame[c].to_numpy(dtype=float)
                            for c in ("open", "high", "low", "close", "volume")
                        ),
                    )
                )
            self._series[key] = sorted(loaded, key=lambda s: s.timeframe_ms)
        return self._series[key]

    def coverage(self, pair: str, candle_type: CandleType) -> tuple[int, int] | None:
        """(first open, last close) in ms over every recorded timeframe, or None."""
        series = self.series(pair, candle_type)
        if not series:
            return None
        return min(s.first_ms for s in series), max(s.end_ms for s in series)

    # --- candles -------------------------------------------------------------------------
    def candles(
        self,
        pair: str,
        candle_type: CandleType,
        interval_ms: int,
        now_ms: int,
        *,
        start_ms: int | None = None,
        end_ms: int | None = None,
        limit: int = 500,
    ) -> list[Candle]:
        """Candles of ``interval_ms`` as an exchange answers at ``now_ms`` (Binance's rules).

        With ``start_ms``: the first ``limit`` candles opening at or after it (and not after
        ``end_ms``); else the last ``limit`` candles opening at or before ``end_ms`` (default
        ``now_ms``). The candle holding ``now_ms`` is the open, partial one.
        """
        source = self._source(pair, candle_type, interval_ms)
        if source is None or limit <= 0:
            return []
        last_open = min(end_ms if end_ms is not None else now_ms, now_ms)
        last_open -= last_open % interval_ms
        if start_ms is not None:
            first_open = start_ms + (-start_ms % interval_ms)
            last_open = min(last_open, first_open + (limit - 1) * interval_ms)
        else:
            first_open = last_open - (limit - 1) * interval_ms
        if last_open < first_open:
            return []
        current_open = now_ms - now_ms % interval_ms
        rows = self._aggregate(
            source, interval_ms, first_open, min(last_open, current_open - interval_ms)
        )
        if first_open <= current_open <= last_open:
            current = self._open_candle(pair, candle_type, interval_ms, current_open, now_ms)
            if current is not None:
                rows.append(current)
        return rows[:limit] if start_ms is not None else rows[-limit:]

    def price(self, pair: str, candle_type: CandleType, now_ms: int) -> float | None:
        """The path price at ``now_ms``; inside a hole in the data the last close (for at most
        ``STALE_PRICE_MS``); None where the data holds no price."""
        for series in self.series(pair, candle_type):
            i = int(np.searchsorted(series.date, now_ms, side="right")) - 1
            if i >= 0 and series.date[i] + series.timeframe_ms > now_ms:
                return _partial(series, i, now_ms)[3]
        closed = self._last_closed(pair, candle_type, now_ms)
        if closed is None or now_ms - closed[0] > STALE_PRICE_MS:
            return None
        return closed[1]

    def _last_closed(
        self, pair: str, candle_type: CandleType, now_ms: int
    ) -> tuple[int, float] | None:
        """(close time, close) of the last candle closed by ``now_ms`` over every timeframe."""
        best: tuple[int, float] | None = None
        for series in self.series(pair, candle_type):
            i = int(np.searchsorted(series.date, now_ms - series.timeframe_ms, side="right")) - 1
            if i >= 0 and (best is None or series.date[i] + series.timeframe_ms > best[0]):
                best = (int(series.date[i]) + series.timeframe_ms, float(series.close[i]))
        return best

    def last_volume(self, pair: str, candle_type: CandleType, now_ms: int) -> float:
        """Volume of the last closed candle of the finest series covering ``now_ms`` (0 if none)."""
        for series in self.series(pair, candle_type):
            i = int(np.searchsorted(series.date, now_ms - series.timeframe_ms, side="right")) - 1
            if series.covers(now_ms) and i >= 0:
                return float(series.volume[i])
        return 0.0

    def rolling(
        self, pair: str, candle_type: CandleType, now_ms: int, span_ms: int
    ) -> Candle | None:
        """One candle over the last ``span_ms`` up to ``now_ms`` (the 24h ticker's window)."""
        series = self._finest_covering(pair, candle_type, now_ms)
        if series is None:
            return None
        lo = int(np.searchsorted(series.date, now_ms - span_ms, side="left"))
        hi = int(np.searchsorted(series.date, now_ms, side="right"))
        rows = [_row(series, i) for i in range(lo, hi - 1)]
        if hi - 1 >= lo:
            last = hi - 1
            if series.date[last] + series.timeframe_ms > now_ms:
                rows.append((int(series.date[last]), *_partial(series, last, now_ms)))
            else:
                rows.append(_row(series, last))
        return _merge(rows) if rows else None

    def _source(self, pair: str, candle_type: CandleType, interval_ms: int) -> Series | None:
        """The recorded series for ``interval_ms``: exact, else the coarsest that divides it."""
        fitting = [s for s in self.series(pair, candle_type) if interval_ms % s.timeframe_ms == 0]
        return fitting[-1] if fitting else None

    def _finest_covering(self, pair: str, candle_type: CandleType, t_ms: int) -> Series | None:
        for series in self.series(pair, candle_type):
            if series.covers(t_ms):
                return series
        return None

    def _aggregate(
        self, source: Series, interval_ms: int, first_open: int, last_open: int
    ) -> list[Candle]:
        """Closed candles of ``interval_ms`` opening in [first_open, last_open] from ``source``."""
        if last_open < first_open:
            return []
        lo = int(np.searchsorted(source.date, first_open, side="left"))
        hi = int(np.searchsorted(source.date, last_open + interval_ms, side="left"))
        if hi <= lo:
            return []
        date = source.date[lo:hi]
        bucket = date - date % interval_ms
        starts = np.flatnonzero(np.r_[True, bucket[1:] != bucket[:-1]])
        ends = np.r_[starts[1:], len(bucket)] - 1
        sl = slice(lo, hi)
        close = source.close[sl]
        volume = source.volume[sl]
        return [
            (
                int(b),
                float(o),
                float(h),
                float(low),
                float(c),
                float(v),
                float(q),
            )
            for b, o, h, low, c, v, q in zip(
                bucket[starts],
                source.open[sl][starts],
                np.maximum.reduceat(source.high[sl], starts),
                np.minimum.reduceat(source.low[sl], starts),
                close[ends],
                np.add.reduceat(volume, starts),
                np.add.reduceat(close * volume, starts),
                strict=True,
            )
        ]

    def _open_candle(
        self, pair: str, candle_type: CandleType, interval_ms: int, open_ms: int, now_ms: int
    ) -> Candle | None:
        """The still-open candle [open_ms, open_ms + interval) as it stands at ``now_ms``."""
        series = next(
            (
                s
                for s in self.series(pair, candle_type)
                if interval_ms % s.timeframe_ms == 0 and s.covers(now_ms)
            ),
            None,
        )
        if series is None:
            return None
        lo = int(np.searchsorted(series.date, open_ms, side="left"))
        hi = int(np.searchsorted(series.date, now_ms, side="right"))
        rows: list[Candle] = []
        for i in range(lo, hi):
            if series.date[i] + series.timeframe_ms <= now_ms:
                rows.append(_row(series, i))
            else:
                rows.append((int(series.date[i]), *_partial(series, i, now_ms)))
        if not rows:
            return None
        merged = _merge(rows)
        return (open_ms, *merged[1:])

    # --- funding and trades --------------------------------------------------------------
    def funding(self, pair: str) -> FundingEvents | None:
        """The recorded funding settlements of a perpetual (its funding_rate file)."""
        if pair not in self._funding:
            where = self.available.get((pair, CandleType.FUNDING_RATE), {})
            events = None
            for timeframe, datadir in where.items():
                frame = get_datahandler(datadir, "feather").ohlcv_load(
                    pair, timeframe, CandleType.FUNDING_RATE, fill_missing=False, warn_no_data=False
                )
                if not frame.empty:
                    events = FundingEvents(
                        _ms(frame["date"]),
                        frame["funding_rate"].to_numpy(dtype=float),
                    )
                    break
            self._funding[pair] = events
        return self._funding[pair]

    def trades(self, pair: str, mode: TradingMode) -> Trades | None:
        """The recorded public trades of ``pair`` (first data directory holding a file)."""
        key = (pair, mode)
        if key not in self._trades:
            found = None
            for datadir in self.datadirs:
                handler = get_datahandler(datadir, "feather")
                if not handler._pair_trades_filename(datadir, pair, mode).is_file():
                    continue
                frame = handler.trades_load(pair, mode)
                if not frame.empty:
                    found = Trades(
                        frame["timestamp"].to_numpy(dtype="int64"),
                        frame["id"].astype(str).to_numpy(),
                        frame["price"].to_numpy(dtype=float),
                        frame["amount"].to_numpy(dtype=float),
                        (frame["side"] == "sell").to_numpy(),
                    )
                    break
            self._trades[key] = found
        return self._trades[key]


def _ms(dates: pd.Series) -> np.ndarray:
    """Epoch milliseconds of a datetime column."""
    return dates.dt.as_unit("ms").astype("int64").to_numpy()


def _row(series: Series, i: int) -> Candle:
    return (
        int(series.date[i]),
        float(series.open[i]),
        float(series.high[i]),
        float(series.low[i]),
        float(series.close[i]),
        float(series.volume[i]),
        float(series.close[i] * series.volume[i]),
    )


def _partial(
    series: Series, i: int, now_ms: int
) -> tuple[float, float, float, float, float, float]:
    """The partial candle ``i`` at ``now_ms`` plus its quote volume."""
    fraction = (now_ms - int(series.date[i])) / series.timeframe_ms
    o, h, low, c, v = partial_candle(
        series.open[i], series.high[i], series.low[i], series.close[i], series.volume[i], fraction
    )
    return o, h, low, c, v, c * v


def _merge(rows: list[Candle]) -> Candle:
    """One candle from consecutive rows."""
    return (
        rows[0][0],
        rows[0][1],
        max(r[2] for r in rows),
        min(r[3] for r in rows),
        rows[-1][4],
        sum(r[5] for r in rows),
        sum(r[6] for r in rows),
    )
