"""The pack's targets for a tier's stitched out-of-sample result, judged beside the verdict.

A tier ships trading only with an ``edge`` verdict; these targets say how far its result is from
what a small account needs, at the verdict's cost level:

- net profit ``> 0``;
- bootstrap CI lower bound of the mean daily return ``> 0``;
- max drawdown ``< 5 %`` (of the running peak of daily equity);
- worst UTC day ``> −2 %`` of the starting balance (marked to market);
- profit factor ``> 1.3`` (no losing trade counts as passing when there are trades);
- out-of-sample trades ``≥ 100``.
"""

from __future__ import annotations

import math
from typing import Any

from ftpack.evaluate.performance import Performance

MAX_DRAWDOWN_PCT = 5.0
WORST_DAY_PCT = -2.0
PROFIT_FACTOR = 1.3
MIN_TRADES = 100


def judge_targets(performance: Performance, ci_lower: float, balance: float) -> dict[str, Any]:
    """``{"met": bool, "missed": [names], "targets": [{name, value, rule, passed}]}``."""
    pf = performance.profit_factor
    if pf is None:
        pf = math.inf if performance.trades > 0 and performance.net_profit_abs > 0 else 0.0
    worst_day_pct = 100 * performance.worst_day_abs / balance
    rows = [
        ("net_profit", performance.net_profit_abs, "> 0", performance.net_profit_abs > 0),
        ("ci_lower_mean_daily_return", ci_lower, "> 0", math.isfinite(ci_lower) and ci_lower > 0),
        ("max_drawdown_pct", performance.max_drawdown_pct, f"< {MAX_DRAWDOWN_PCT:g}",
         performance.max_drawdown_pct < MAX_DRAWDOWN_PCT),
        ("worst_day_pct", worst_day_pct, f"> {WORST_DAY_PCT:g}", worst_day_pct > WORST_DAY_PCT),
        ("profit_factor", pf, f"> {PROFIT_FACTOR:g}", pf > PROFIT_FACTOR),
        ("trades", performance.trades, f">= {MIN_TRADES}", performance.trades >= MIN_TRADES),
    ]
    targets = [{"name": n, "value": v if math.isfinite(v) else None, "rule": r, "passed": bool(p)}
               for n, v, r, p in rows]
    missed = [t["name"] for t in targets if not t["passed"]]
    return {"met": not missed, "missed": missed, "targets": targets}
