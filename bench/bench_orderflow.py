"""Benchmark: Freqtrade's order-flow converter vs flowbook on 1,500 5m candles of real trades.

Input (real prints, re-timed): a full day of Binance aggTrades (APE/USDT:USDT 2024-10-18 or
PEPE/USDT 2024-10-27 from ../shared/data) is laid end to end as many times as needed for
1,500 × 1,000 trades; the inter-trade gaps of the real day are kept in proportion but the clock
is compressed so that the 1,500 candles hold 1,000 trades each on average. Sides, prices,
amounts and trade order are the recorded ones. Every variant gets the same frames; Freqtrade
runs once, flowbook best of 5. Prints the times and the speed-up ratios.

    .venv/bin/python bench/bench_orderflow.py [--pair APE|PEPE]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
from freqtrade.data.converter.orderflow import populate_dataframe_with_trades as ft_populate

import flowbook
from flowbook.ft_orderflow import populate_dataframe_with_trades as fb_populate

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
FILES = {
    "APE": ("binance/futures/APE_USDT_USDT-trades.feather", 0.001),
    "PEPE": ("binance/PEPE_USDT-trades.feather", 1e-8),
}
CANDLES, PER_CANDLE, TF_MS = 1500, 1000, 300_000
START_MS = 1_729_209_600_000  # 2024-10-18 00:00 UTC


def build_trades(relative: str) -> pd.DataFrame:
    """Real trades of one day repeated end to end on one compressed, continuous clock."""
    day = pd.read_feather(DATA / relative)
    total = CANDLES * PER_CANDLE
    copies = -(-total // len(day))
    trades = pd.concat([day] * copies, ignore_index=True).iloc[:total].copy()
    stamps = day["timestamp"].to_numpy()
    # the seam between two copies gets the day's median gap; same-ms prints stay same-ms
    gaps = np.diff(stamps, prepend=stamps[0] - np.median(np.diff(stamps)))
    gaps = np.tile(gaps, copies)[:total].astype(np.float64)
    clock = np.cumsum(gaps)
    span = CANDLES * TF_MS - 1
    trades["timestamp"] = START_MS + np.floor(clock / clock[-1] * span).astype(np.int64)
    trades["date"] = pd.to_datetime(trades["timestamp"], unit="ms", utc=True)
    return trades.reset_index(drop=True)


def best_of(n: int, fn) -> float:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pair", choices=sorted(FILES), default="APE")
    args = parser.parse_args()
    relative, scale = FILES[args.pair]
    trades = build_trades(relative)
    dates = pd.date_range(pd.Timestamp(START_MS, unit="ms", tz="UTC"), periods=CANDLES, freq="5min")
    candles = pd.DataFrame({"date": dates})
    config = {
        "timeframe": "5m",
        "orderflow": {
            "scale": scale,
            "imbalance_ratio": 3,
            "imbalance_volume": 0,
            "stacked_imbalance_range": 3,
            "max_candles": 1500,
            "cache_size": 1500,
        },
    }
    counts = trades.groupby(trades["timestamp"] // TF_MS).size()
    print(
        f"input: {len(trades):,} real {args.pair} trades ({relative}), {CANDLES} 5m candles, "
        f"trades per candle mean {counts.mean():.0f}, min {counts.min()}, max {counts.max()}"
    )

    start = time.perf_counter()
    ft_frame, _ = ft_populate(None, config, candles.copy(), trades.copy())
    t_ft = time.perf_counter() - start

    def full():
        return fb_populate(None, config, candles.copy(), trades, trade_records=True)

    def dicts():
        return fb_populate(None, config, candles.copy(), trades)

    def numeric():
        return fb_populate(None, config, candles.copy(), trades, footprint=False)

    def core():
        return flowbook.order_flow(
            trades["timestamp"].to_numpy(),
            trades["side"],
            trades["price"].to_numpy(),
            trades["amount"].to_numpy(),
            dates,
            "5m",
            scale=scale,
        )

    ours, _ = dicts()
    for column in ("delta", "bid", "ask", "min_delta", "max_delta", "total_trades"):
        assert np.array_equal(ours[column].to_numpy(), ft_frame[column].to_numpy(), equal_nan=True)
    assert ours["stacked_imbalances_bid"].tolist() == ft_frame["stacked_imbalances_bid"].tolist()
    assert ours["orderflow"].tolist() == ft_frame["orderflow"].tolist()

    rows = [
        ("freqtrade populate_dataframe_with_trades", t_ft),
        ("flowbook drop-in, all columns incl. trades records", best_of(3, full)),
        ("flowbook drop-in, default (footprint dicts, no records)", best_of(5, dicts)),
        ("flowbook drop-in, numeric + stacked only", best_of(5, numeric)),
        ("flowbook.order_flow (arrays only)", best_of(5, core)),
    ]
    print(f"{'variant':58s} {'seconds':>9s} {'speed-up':>9s}")
    for name, secs in rows:
        print(f"{name:58s} {secs:9.4f} {t_ft / secs:8.0f}x")


if __name__ == "__main__":
    main()
