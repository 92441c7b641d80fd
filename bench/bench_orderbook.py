"""Benchmark: flowbook.book_batch vs the vectorised NumPy reference on 100,000 real snapshots.

Input: the first 100,000 rows of ../shared/data/orderbook/binance_l2_top20.parquet (real
Binance top-20 books), as four C-contiguous (100000, 20) float64 arrays prepared before timing.
Both compute OBI (uniform weights over 20 levels), micro-price, mid, spread in bps and depth
within 10 bps; the reference is ``tests/rust_ext/flowbook_reference.book_reference``. Best of
7 runs each; prints milliseconds and the ratio.

    .venv/bin/python bench/bench_orderbook.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

import flowbook

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "rust_ext"))
from flowbook_reference import book_reference  # noqa: E402

ROWS = 100_000


def best_ms(fn, runs: int = 7) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times) * 1000


def main() -> None:
    frame = pd.read_parquet(
        ROOT / ".." / "shared" / "data" / "orderbook" / "binance_l2_top20.parquet"
    )
    frame = frame.iloc[:ROWS]
    arrays = [
        np.ascontiguousarray(frame[[f"{name}_{i}" for i in range(1, 21)]].to_numpy())
        for name in ("bid_price", "bid_size", "ask_price", "ask_size")
    ]
    ours = flowbook.book_batch(*arrays)
    ref = book_reference(*arrays)
    for field in ("imbalance", "micro_price", "spread_bps", "bid_depth", "ask_depth"):
        np.testing.assert_allclose(getattr(ours, field), ref[field], rtol=1e-12, atol=1e-9)
    rust = best_ms(lambda: flowbook.book_batch(*arrays))
    numpy_ms = best_ms(lambda: book_reference(*arrays))
    print(f"input: {len(frame):,} real 20-level snapshots ({frame['symbol'].nunique()} symbols)")
    print(f"flowbook.book_batch        {rust:8.2f} ms")
    print(f"NumPy reference            {numpy_ms:8.2f} ms")
    print(f"speed-up                   {numpy_ms / rust:8.1f}x")


if __name__ == "__main__":
    main()
