"""Evaluator speed, from one run of each on this machine: a 12-fold fixed-parameter evaluation
of tier 2 (SmallCapMomentum, bundled real data) on the local process pool against the same
evaluation on one process, and the evaluator's overhead over the sum of its backtests.

    .venv/bin/python bench/bench_evaluate.py [--jobs 2]

A fold's Freqtrade time (its backtests' own wall time, measured inside the worker: Backtesting
set-up and the test window's data load, and every backtest) is summed over the folds;
overhead = sequential wall time / that sum - 1 (process start-up, planning, stitching,
statistics, bootstrap, null model and the report). A first, unmeasured pool run warms the page
cache so neither measured run pays the cold data reads.
"""

from __future__ import annotations

import argparse
import logging
import time

from ftpack.evaluate.evaluator import Evaluator, Options

CONFIG = "user_data/config/backtest-tier2.json"


def run(jobs: int) -> tuple[float, float, int, int]:
    """(wall seconds, Σ Freqtrade seconds, folds, backtests) of one evaluation."""
    start = time.perf_counter()
    evaluator = Evaluator(Options(config_files=[CONFIG], profile="bundled", jobs=jobs))
    doc = evaluator.run(lambda _: None).document
    wall = time.perf_counter() - start
    t = doc["timings"]
    return wall, t["freqtrade_seconds"], len(doc["folds"]), t["backtests"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    logging.disable(logging.INFO)
    run(args.jobs)  # warm-up: the data files in the page cache, the fork server started
    seq_wall, seq_backtests, _, _ = run(1)
    pool_wall, _, folds, backtests = run(args.jobs)
    print(f"{CONFIG} (profile bundled): {folds} folds, {backtests} backtests")
    print(f"process pool ({args.jobs} workers) {pool_wall:.1f} s, sequential {seq_wall:.1f} s, "
          f"speed-up {seq_wall / pool_wall:.2f}x")
    print(f"sequential: sum of the backtests' own wall time {seq_backtests:.1f} s, evaluator "
          f"overhead {100 * (seq_wall / seq_backtests - 1):.1f} % (goal <= 10 %)")


if __name__ == "__main__":
    main()
