"""Backtest wall time of a tier next to Freqtrade's SampleStrategy on the same pairs and range.

    .venv/bin/python bench/bench_backtest_vs_sample.py \
        --config user_data/config/backtest-tier2.json --timerange 20250801-20251001 [--fee 0.001] \
        [--sample-timeframe 1m]

Both run as ``freqtrade-offline backtesting`` in their own process, one after the other, with the
same config (pairs, fee, protections) and ``--export none``; SampleStrategy is loaded from the
installed Freqtrade templates folder (never copied), on the tier's timeframe when
``--sample-timeframe`` is given (its own 5m otherwise). Prints both wall times and the ratio.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import freqtrade

REPO = Path(__file__).resolve().parents[1]
TEMPLATES = Path(freqtrade.__file__).parent / "templates"


def wall_seconds(args: list[str]) -> float:
    """Wall time of one offline backtest run (fails loudly if freqtrade fails)."""
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "ftpack.offline", "backtesting", *args],
        cwd=REPO,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", required=True)
    parser.add_argument("--timerange", required=True)
    parser.add_argument("--fee", type=float)
    parser.add_argument("--sample-timeframe", help="run SampleStrategy on this timeframe")
    args = parser.parse_args()
    common = ["-c", args.config, "--timerange", args.timerange, "--export", "none"]
    if args.fee is not None:
        common += ["--fee", str(args.fee)]
    tier = wall_seconds(common)
    sample_args = ["--strategy-path", str(TEMPLATES), "-s", "SampleStrategy"]
    if args.sample_timeframe:
        sample_args += ["--timeframe", args.sample_timeframe]
    sample = wall_seconds([*common, *sample_args])
    print(
        f"{args.config} {args.timerange}: tier {tier:.2f} s, SampleStrategy {sample:.2f} s, "
        f"ratio {tier / sample:.2f}"
    )


if __name__ == "__main__":
    main()
