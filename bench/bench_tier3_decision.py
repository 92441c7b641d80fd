"""Tier 3 speed: one full 1m candle decision per pair.

    .venv/bin/python bench/bench_tier3_decision.py [--samples 200]

Decision: PerpScalper's ``advise_indicators`` + ``advise_entry`` + ``advise_exit`` on the last
``startup_candle_count + 1`` closed 1m candles, with every informative (5m own pair, 5m BTC and
ETH, 1h funding rate) cut to the candles closed before the decision, as the bot sees them live.
Decision times are spread evenly over the bundled 1m futures data; the median and p95 per pair
are printed in ms, wall clock and CPU time of this process (the CPU figure is the one to
read on a shared machine); goal ≤ 20 ms, limit 50 ms.

The backtest wall time next to SampleStrategy comes from ``bench/bench_backtest_vs_sample.py``
(``--sample-timeframe 1m``), as for the other tiers.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np
import pandas as pd
from freqtrade.configuration import Configuration
from freqtrade.data.dataprovider import DataProvider
from freqtrade.data.history import load_pair_history
from freqtrade.enums import CandleType, RunMode
from freqtrade.exchange import timeframe_to_minutes
from freqtrade.resolvers import ExchangeResolver, StrategyResolver

from ftpack.offline import install

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "user_data" / "config" / "backtest-tier3.json"


class WindowedData(DataProvider):
    """Every pair/timeframe answers with its candles closed before ``now`` (live-like size)."""

    def __init__(
        self, config: dict, frames: dict[tuple[str, str, str], pd.DataFrame], window: int
    ) -> None:
        super().__init__(config, exchange=ExchangeResolver.load_exchange(config, validate=False))
        self.frames = frames
        self.window = window
        self.now = pd.Timestamp(0, tz="UTC")
        self.closes: dict[int, np.ndarray] = {}

    def get_pair_dataframe(
        self, pair: str, timeframe: str | None = None, candle_type: str = ""
    ) -> pd.DataFrame:
        frame = self.frames[(pair, timeframe or "1m", candle_type or "futures")]
        closes = self.closes.get(id(frame))
        if closes is None:
            span = pd.Timedelta(minutes=timeframe_to_minutes(timeframe or "1m"))
            closes = pd.DatetimeIndex(frame["date"] + span).as_unit("ns").asi8
            self.closes[id(frame)] = closes
        end = int(np.searchsorted(closes, self.now.as_unit("ns").value, side="right"))
        return frame.iloc[max(0, end - self.window) : end]


def load_frames(config: dict, pairs: list[str]) -> dict[tuple[str, str, str], pd.DataFrame]:
    """The bundled futures candles, 5m candles and 1h funding rates of ``pairs``."""
    frames = {}
    for pair in pairs:
        for timeframe, candle_type in (
            ("1m", "futures"),
            ("5m", "futures"),
            ("1h", "funding_rate"),
        ):
            frames[(pair, timeframe, candle_type)] = load_pair_history(
                pair=pair,
                timeframe=timeframe,
                datadir=config["datadir"],
                data_format=config["dataformat_ohlcv"],
                candle_type=CandleType(candle_type),
            )
    return frames


def time_decisions(samples: int) -> dict[str, list[tuple[float, float]]]:
    """(wall, CPU) seconds per full decision, per pair, at ``samples`` evenly spaced candles."""
    config = Configuration.from_files([str(CONFIG)])
    config["runmode"] = RunMode.OTHER
    strategy = StrategyResolver.load_strategy(config)
    pairs = config["exchange"]["pair_whitelist"]
    window = strategy.startup_candle_count + 1
    data = WindowedData(config, load_frames(config, pairs), window)
    strategy.dp = data
    timings: dict[str, list[tuple[float, float]]] = {}
    for pair in pairs:
        candles = data.frames[(pair, "1m", "futures")]
        ends = np.linspace(window + 600, len(candles) - 1, samples).astype(int)
        for end in ends:
            data.now = candles["date"].iloc[end] + pd.Timedelta(minutes=1)
            frame = candles.iloc[end - window + 1 : end + 1].reset_index(drop=True)
            wall, cpu = time.perf_counter(), time.process_time()
            frame = strategy.advise_indicators(frame, {"pair": pair})
            frame = strategy.advise_entry(frame, {"pair": pair})
            strategy.advise_exit(frame, {"pair": pair})
            timings.setdefault(pair, []).append(
                (time.perf_counter() - wall, time.process_time() - cpu)
            )
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args()
    install()
    for pair, secs in time_decisions(args.samples).items():
        wall = sorted(1000 * w for w, _ in secs)
        cpu = sorted(1000 * c for _, c in secs)
        print(
            f"{pair}: median {statistics.median(wall):.1f} ms wall "
            f"({statistics.median(cpu):.1f} ms CPU), p95 {wall[int(0.95 * (len(wall) - 1))]:.1f}"
            f" ms wall, over {len(wall)} decisions"
        )


if __name__ == "__main__":
    main()
