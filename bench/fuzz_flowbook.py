"""Fuzz every public flowbook function with random, often malformed, small inputs.

Each call gets arrays of random (often mismatched) lengths drawn from pools of special values
(NaN, ±inf, ±0, negatives, subnormals, 1e308, i64 extremes, unsorted times, bad sides) and
random parameters. A call may return or raise ``ValueError``; anything else (a panic surfacing
as ``RuntimeError``, ``TypeError``, ``SystemError``, or the process dying) is a crash. Prints the
number of calls, results, ValueErrors and crashes; exits 1 on any crash.

    .venv/bin/python bench/fuzz_flowbook.py --calls 1000000 --seed 1
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter

import numpy as np

import flowbook

I64 = np.iinfo(np.int64)
FLOATS = np.array(
    [
        np.nan,
        np.inf,
        -np.inf,
        0.0,
        -0.0,
        -1.0,
        1.0,
        0.5,
        1e308,
        -1e308,
        5e-324,
        1e-300,
        100.0,
        100.5,
        101.0,
        99.5,
        2.0,
        3.0,
        1e9,
        7.25,
    ]
)
INTS = np.array([I64.min, I64.max, I64.max - 1, -1, 0, 1, 59_999, 60_000, 300_000, 10**12])


class Gen:
    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)

    def n(self) -> int:
        return int(self.rng.choice([0, 1, 2, 3, 5, 8, 13]))

    def floats(self, n: int | None = None) -> np.ndarray:
        n = self.n() if n is None else n
        r = self.rng.random()
        if r < 0.4:  # mostly valid: sorted positive prices
            return np.sort(self.rng.uniform(0.5, 200.0, n))
        if r < 0.7:
            return self.rng.choice(FLOATS, n)
        return self.rng.normal(0, 10 ** self.rng.integers(-3, 6), n)

    def ints(self, n: int | None = None) -> np.ndarray:
        n = self.n() if n is None else n
        r = self.rng.random()
        if r < 0.5:
            return np.sort(self.rng.integers(0, 10**7, n))
        if r < 0.8:
            return self.rng.choice(INTS, n)
        return self.rng.integers(-(10**12), 10**12, n)

    def sides(self, n: int | None = None):
        n = self.n() if n is None else n
        if self.rng.random() < 0.5:
            return self.rng.choice(np.array(["buy", "sell"]), n)
        return self.rng.choice(np.array([1, -1, 0, 2, -1, 1]), n)

    def param(self) -> float:
        return (
            float(self.rng.choice(FLOATS))
            if self.rng.random() < 0.3
            else float(self.rng.uniform(0.01, 5))
        )

    def count(self) -> int:
        return int(self.rng.choice([0, 1, 2, 3, 50, 10**6, 2**62]))

    def frame(self, n: int) -> int:
        return n if self.rng.random() < 0.7 else self.n()


def one_call(g: Gen) -> None:
    n = g.n()
    k = int(g.rng.integers(0, 10))
    f, c = g.frame, g.count
    if k == 0:
        flowbook.order_flow(
            g.ints(n),
            g.sides(f(n)),
            g.floats(f(n)),
            np.abs(g.floats(f(n))),
            g.ints(),
            g.rng.choice(["1m", "5m", 60_000, 1, 0, -5, "2w"]),
            scale=g.param(),
            imbalance_ratio=g.param(),
            imbalance_volume=g.param(),
            stacked_imbalance_range=c(),
            max_candles=c(),
            imbalance_basis=g.rng.choice(["count", "volume", "x"]),
        )
    elif k == 1:
        flowbook.book_snapshot(
            g.floats(n)[::-1],
            g.floats(f(n)),
            g.floats(),
            g.floats(),
            levels=g.rng.choice([None, 0, 1, 3, 10**9]),
            weighting=g.rng.choice(["uniform", "level", "distance", "bad"]),
            decay=g.param(),
            depth_bps=g.param(),
        )
    elif k == 2:
        rows, lb, la = g.n(), g.n(), g.n()
        lb2 = f(lb)
        flowbook.book_batch(
            g.floats(rows * lb).reshape(rows, lb)[:, ::-1],
            g.floats(rows * lb2).reshape(rows, lb2),
            g.floats(rows * la).reshape(rows, la),
            g.floats(rows * la).reshape(rows, la),
            levels=g.rng.choice([None, 1, 2]),
            weighting=g.rng.choice(["uniform", "level", "distance"]),
            decay=g.param(),
            depth_bps=g.param(),
        )
    elif k == 3:
        flowbook.ofi_events(
            g.ints(n), g.floats(f(n)), g.floats(f(n)), g.floats(f(n)), g.floats(f(n))
        )
    elif k == 4:
        flowbook.ofi_per_candle(
            g.ints(n),
            g.floats(f(n)),
            g.floats(f(n)),
            g.floats(f(n)),
            g.floats(f(n)),
            g.ints(),
            g.rng.choice(["1m", 1, 0, -1, 2**62]),
        )
    elif k == 5:
        flowbook.flow_surge(g.floats(n), c())
    elif k == 6:
        flowbook.candle_flow_proxy(g.floats(n), g.floats(f(n)), g.floats(f(n)), g.floats(f(n)))
    elif k == 7:
        flowbook.volume_profile(
            g.floats(n), g.floats(f(n)), bin_size=g.param(), value_area=g.param()
        )
    elif k == 8:
        flowbook.rolling_volume_profile(
            g.floats(n),
            g.floats(f(n)),
            g.floats(f(n)),
            g.floats(f(n)),
            window=c(),
            bin_size=g.param(),
            value_area=g.param(),
        )
    else:
        flowbook.vpin(g.ints(n), g.sides(f(n)), g.floats(f(n)), bucket_volume=g.param(), window=c())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    g = Gen(args.seed)
    outcome: Counter[str] = Counter()
    crashes: list[str] = []
    start = time.perf_counter()
    for i in range(args.calls):
        try:
            one_call(g)
            outcome["ok"] += 1
        except ValueError:
            outcome["ValueError"] += 1
        except Exception as exc:  # every other exception is a crash
            outcome["crash"] += 1
            crashes.append(f"call {i}: {type(exc).__name__}: {exc}")
    elapsed = time.perf_counter() - start
    print(
        f"calls {args.calls:,} in {elapsed:.0f} s: ok {outcome['ok']:,}, "
        f"ValueError {outcome['ValueError']:,}, crashes {outcome['crash']:,}"
    )
    for line in crashes[:20]:
        print(line)
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
