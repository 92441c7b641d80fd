"""Real backtests on the bundled Binance data with --enable-protections.

1. RiskProbe (RiskManagedMixin) with limits scaled down: Freqtrade's own results hold
   DailyLossGuard, WeeklyLossGuard and ConsecutiveLossPause locks, and the audit of the exported
   trades finds 0 breaches (as filled).
2. PlainReserveProbe (no mixin, ReserveGuard selected like a built-in): ReserveGuard locks, and
   the audit does find that its Freqtrade-sized stakes break the money rules.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from freqtrade.configuration.load_config import load_from_files
from freqtrade.data.btanalysis import load_backtest_stats
from risk_helpers import CONFIG_DIR, backtest_args, run_cli, write_layer

from risk_protections.audit import audit_backtest

pytestmark = pytest.mark.slow  # real Freqtrade runs

PAIRS = ("BTC/USDT", "ETH/USDT", "SUI/USDT")
SCALED = {
    "risk": {
        "daily_loss_limit_abs": 12,
        "weekly_loss_limit_abs": 25,
        "reserve": 0.42,
        "max_deployed": 0.58,
        "consecutive_losses": 2,
        "pause_minutes": 120,
        # the correlated-crash bound (2.5 day limits) would shrink the stakes below the losses
        # that reach these scaled limits; this test is about the locks
        "crash_day_multiple": 10,
        "i_accept_larger_losses": True,
    }
}


def _backtest(tmp_path: Path, strategy: str, layers: list[Path], timerange: str) -> dict:
    out = tmp_path / "bt"
    out.mkdir()
    args = backtest_args(
        layers,
        strategy=strategy,
        pairs=PAIRS,
        timerange=timerange,
        extra=(
            "--max-open-trades",
            "3",
            "--enable-protections",
            "--export",
            "trades",
            "--backtest-directory",
            str(out),
        ),
    )
    done = run_cli(args)
    assert done.returncode == 0, done.stderr[-3000:]
    return {"dir": out, "stats": load_backtest_stats(out)["strategy"][strategy]}


def test_scaled_limits_lock_in_freqtrade_and_audit_finds_no_breach(tmp_path: Path) -> None:
    layer = write_layer(tmp_path, "scaled.json", SCALED)
    run = _backtest(tmp_path, "RiskProbe", [layer], "20250601-20250701")
    locks = Counter(lock["reason"].split(":")[0] for lock in run["stats"]["locks"])
    assert locks["DailyLossGuard"] >= 1
    assert locks["WeeklyLossGuard"] >= 1
    assert locks["ConsecutiveLossPause"] >= 1
    assert any("reached the day limit 12.00 USDT" in lk["reason"] for lk in run["stats"]["locks"])
    config = load_from_files([str(CONFIG_DIR / "spot.json"), str(layer)])
    report = audit_backtest(run["dir"], config)
    assert report.trade_count == len(run["stats"]["trades"]) > 30
    assert report.breaches == [], report.to_text()
    daily = report.filled.rules["daily_loss"]
    assert daily.worst > daily.limit  # open trades' losses after the lock: the stated allowance
    assert report.repriced.rules["trade_cap"].worst >= report.filled.rules["trade_cap"].worst


def test_plain_strategy_reserve_guard_locks_and_audit_flags_its_stakes(tmp_path: Path) -> None:
    run = _backtest(tmp_path, "PlainReserveProbe", [], "20250601-20250615")
    reasons = [lock["reason"] for lock in run["stats"]["locks"]]
    assert reasons and all(r.startswith("ReserveGuard:") for r in reasons)
    assert "<= reserve 990.00 USDT" in reasons[0]
    report = audit_backtest(run["dir"], load_from_files([str(CONFIG_DIR / "spot.json")]))
    broken = {b.rule for b in report.breaches}
    assert {"deployment", "reserve", "trade_cap"} <= broken
