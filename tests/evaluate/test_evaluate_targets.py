"""The pack's targets on hand-built performance figures, and how the report names the misses."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ftpack.evaluate.performance import Performance
from ftpack.evaluate.targets import judge_targets
from ftpack.report import missed_targets
from ftpack.results_readme import summary_row

BALANCE = 1000.0
# 120 trades, +12 USDT, 3 % drawdown, worst day -15 USDT (-1.5 %), PF 1.5: every target met
GOOD = Performance(
    trades=120, win_rate_pct=55.0, profit_factor=1.5, expectancy_abs=0.1, expectancy_ratio=0.001,
    net_profit_abs=12.0, net_profit_pct=1.2, final_equity=1012.0, days=90,
    mean_daily_return=0.00013, sharpe_daily=0.1, sharpe=1.9, sortino=2.5, max_drawdown_abs=30.0,
    max_drawdown_pct=3.0, annualised_return_pct=5.0, calmar=1.6, worst_trade_abs=-4.0,
    worst_trade_ratio=-0.02, worst_day_abs=-15.0, worst_day="2025-02-03",
    worst_realized_day_abs=-15.0, time_in_market_pct=40.0, skewness=0.0, kurtosis=3.0,
)


def test_a_result_inside_every_target_meets_them_all() -> None:
    judged = judge_targets(GOOD, 0.0001, BALANCE)
    assert judged["met"] and judged["missed"] == []
    assert [t["name"] for t in judged["targets"]] == [
        "net_profit", "ci_lower_mean_daily_return", "max_drawdown_pct", "worst_day_pct",
        "profit_factor", "trades"]
    assert judged["targets"][3]["value"] == pytest.approx(-1.5)


@pytest.mark.parametrize(("change", "ci_lower", "missed"), [
    ({"net_profit_abs": 0.0}, 0.0001, ["net_profit"]),
    ({}, 0.0, ["ci_lower_mean_daily_return"]),
    ({}, float("nan"), ["ci_lower_mean_daily_return"]),
    ({"max_drawdown_pct": 5.0}, 0.0001, ["max_drawdown_pct"]),
    ({"worst_day_abs": -20.0}, 0.0001, ["worst_day_pct"]),  # exactly -2 % misses
    ({"profit_factor": 1.3}, 0.0001, ["profit_factor"]),
    ({"trades": 99}, 0.0001, ["trades"]),
    ({"profit_factor": None}, 0.0001, []),  # no losing trade, profit > 0
    ({"profit_factor": None, "net_profit_abs": 0.0, "trades": 0}, 0.0001,
     ["net_profit", "profit_factor", "trades"]),
])
def test_each_boundary_is_missed_alone(change: dict, ci_lower: float, missed: list[str]) -> None:
    judged = judge_targets(replace(GOOD, **change), ci_lower, BALANCE)
    assert judged["missed"] == missed and judged["met"] is (not missed)


def test_the_report_names_each_missed_target_with_its_value() -> None:
    judged = judge_targets(replace(GOOD, trades=40, profit_factor=0.8), 0.0001, BALANCE)
    assert missed_targets(judged) == ("missed: profit_factor 0.8 (needs > 1.3); "
                                      "trades 40 (needs >= 100)")
    assert missed_targets(judge_targets(GOOD, 0.0001, BALANCE)) == "all met"


def test_summary_row_gives_both_fee_levels_and_the_trial_count() -> None:
    mean = {"estimate": 0.0, "lower": 0.0, "upper": 0.0}
    doc = {
        "strategy": "StablecoinSpread",
        "data": {"out_of_sample": ["2025-03-15", "2025-04-19"]},
        "warnings": ["folds [0] test data the fixed parameters were tuned on: in-sample"],
        "fees": {"per_side": {"zero": 0.0, "maker": 0.001, "realistic": 0.0, "taker": 0.001,
                              "taker+slippage": 0.003}},
        "trials": {"total": 72, "ledger_variants": 12, "hyperopt_epochs": 0,
                   "variants_tried_by_hand": 60},
        "by_cost": {
            "realistic": {"verdict": "edge", "failed": [], "mean_daily_return": mean,
                          "targets": judge_targets(GOOD, 0.0001, BALANCE)},
            "taker": {"verdict": "no edge", "failed": ["out_of_sample_trades"],
                      "mean_daily_return": mean,
                      "targets": judge_targets(replace(GOOD, trades=0), 0.0001, BALANCE)},
        },
    }
    row = summary_row(doc)
    assert row["verdict realistic"] == "edge (0 %)"
    assert row["verdict taker"] == "no edge (0.1 %)"
    assert row["targets realistic"] == "all met"
    assert row["targets taker"] == "missed: trades 0 (needs >= 100)"
    assert row["trials"] == "72 = 12 + 0 + 60"
    assert row["warnings"] == "folds [0] test data the fixed parameters were tuned on: in-sample"
