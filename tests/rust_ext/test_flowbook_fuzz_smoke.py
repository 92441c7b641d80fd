"""A short run of bench/fuzz_flowbook.py: random malformed inputs to every public function
may only return or raise ValueError (the full ≥1,000,000-call run is a separate command)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from fuzz_flowbook import Gen, one_call


def test_random_inputs_only_return_or_raise_value_error() -> None:
    gen = Gen(seed=20261122)
    outcomes = {"ok": 0, "ValueError": 0}
    for _ in range(3000):
        try:
            one_call(gen)
            outcomes["ok"] += 1
        except ValueError:
            outcomes["ValueError"] += 1
    assert outcomes["ok"] > 100 and outcomes["ValueError"] > 100
