"""Benchmark: loading a month of recorded 1m order-book features for one pair, old layout vs new.

Input: the real Binance USDT-M BTCUSDT top-20 books of ../shared/data/orderbook/
binance_l2_top20.parquet (segments 0-2, about 22 minutes) replayed through
``flowbook.capture.OrderBookRecorder`` (one sample per second), which gives one real feature row
per recorded minute. Those rows are repeated and re-timestamped, one per minute, to fill
``--days`` days of 1,440 candles (a load-speed input, not market data), then written twice:

* before: the earlier layout, one feather file per candle, read by the earlier loader (every
  file, concatenated, duplicates folded): ``flowbook.capture.read_legacy_parts``;
* after: one append-only file per day, one record per candle as the recorder appends it, read by
  ``flowbook.capture.load_orderbook_features`` for the month (cold: empty cache; warm: a second
  call, as the next candle of a bot would make).

Prints each load time (the new loader: best of ``--runs``; the old one: one run, it takes tens
of seconds) and the ratio, measured in this one run.

    .venv/bin/python bench/bench_recorder.py
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from bench_orderflow import best_of

from flowbook import capture

ROOT = Path(__file__).resolve().parents[1]
BOOKS = ROOT / ".." / "shared" / "data" / "orderbook" / "binance_l2_top20.parquet"
PAIR, TIMEFRAME = "BTC/USDT:USDT", "1m"
START = pd.Timestamp("2024-08-01", tz="UTC")


def recorded_rows(workdir: Path) -> pd.DataFrame:
    """Feature rows of the real recorded books, one per finished minute."""
    frame = pd.read_parquet(BOOKS)
    frame = frame[(frame["market"] == "usdm") & (frame["symbol"] == "BTCUSDT")]
    recorder = capture.OrderBookRecorder(workdir, TIMEFRAME, interval_s=1.0)
    sides = {
        name: [f"{name}_{i}" for i in range(1, 21)]
        for name in ("bid_price", "bid_size", "ask_price", "ask_size")
    }
    for _, segment in frame.groupby("segment", observed=True):
        bid_p, bid_q, ask_p, ask_q = (segment[cols].to_numpy() for cols in sides.values())
        for k, stamp in enumerate(segment["timestamp"].to_numpy()):
            book = {
                "bids": np.column_stack([bid_p[k], bid_q[k]]).tolist(),
                "asks": np.column_stack([ask_p[k], ask_q[k]]).tolist(),
            }
            recorder.sample(_OneBook(book), [PAIR], now_s=stamp / 1000)
    return capture.load_orderbook_features(workdir, PAIR, TIMEFRAME)


class _OneBook:
    """Hands the recorder the book of the current replay step."""

    def __init__(self, book: dict) -> None:
        self.book = book

    def orderbook(self, pair: str, maximum: int) -> dict:
        return self.book


def month_of(rows: pd.DataFrame, days: int) -> pd.DataFrame:
    """``rows`` repeated and re-timestamped to one row per minute over ``days`` days."""
    count = days * 1440
    month = rows.iloc[np.arange(count) % len(rows)].reset_index(drop=True)
    month["date"] = pd.date_range(START, periods=count, freq="1min").astype("datetime64[ms, UTC]")
    return month


def write_before(folder: Path, month: pd.DataFrame) -> None:
    folder.mkdir(parents=True)
    for i in range(len(month)):
        month.iloc[[i]].reset_index(drop=True).to_feather(folder / f"{i:06d}-1-{i}.feather")


def write_after(folder: Path, month: pd.DataFrame) -> None:
    folder.mkdir(parents=True)
    records = np.empty(len(month), dtype=capture.RECORD)
    records["date_ms"] = month["date"].astype("int64").to_numpy()
    for column in capture.FEATURE_COLUMNS:
        records[column] = month[column].to_numpy()
    for record in records:  # one append per finished candle, as the recorder writes
        capture.append_records(capture.day_file(folder, int(record["date_ms"])), record[None])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        rows = recorded_rows(work / "replay")
        month = month_of(rows, args.days)
        before_dir = work / "before"
        write_before(before_dir, month)
        datadir = work / "after"
        write_after(capture.pair_dir(datadir, PAIR, TIMEFRAME), month)

        old = capture.read_legacy_parts(before_dir)
        new = capture.load_orderbook_features(datadir, PAIR, TIMEFRAME, START, month["date"].max())
        assert new.equals(old), "the two layouts must load the same candles"
        t_before = best_of(1, lambda: capture.read_legacy_parts(before_dir))  # tens of seconds

        def cold() -> pd.DataFrame:
            capture._cache.clear()
            return capture.load_orderbook_features(datadir, PAIR, TIMEFRAME, START)

        t_cold = best_of(args.runs, cold)
        t_warm = best_of(
            args.runs, lambda: capture.load_orderbook_features(datadir, PAIR, TIMEFRAME, START)
        )
    print(
        f"Input: {len(rows)} real recorded 1m candles (Binance USDT-M BTCUSDT top-20 books, "
        f"{BOOKS.name} segments 0-2) repeated and re-timestamped to {len(month):,} candles "
        f"({args.days} days x 1,440) for one pair: a load-speed input, not market data."
    )
    print(f"before: one file per candle ({len(month):,} files), load: {t_before * 1000:10.1f} ms")
    print(f"after:  one file per day ({args.days} files), load (cold): {t_cold * 1000:10.1f} ms")
    print(f"after:  the same call again (cached):       {t_warm * 1000:10.1f} ms")
    print(f"ratio before / after: {t_before / t_cold:,.0f}x cold, {t_before / t_warm:,.0f}x warm")


if __name__ == "__main__":
    main()
