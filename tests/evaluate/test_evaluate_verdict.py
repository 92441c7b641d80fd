"""The verdict: each rule alone flips `edge` to `no edge` and is named; thresholds from config."""

import math

import pytest

from ftpack.evaluate.verdict import Thresholds, decide

PASSING = {"ci_lower": 0.0004, "dsr": 0.97, "null_p": 0.01, "trades": 250, "breaches": 0}

FAILING = [
    ("ci_lower", 0.0, "ci_lower_mean_daily_return_taker", "> 0"),
    ("ci_lower", -0.001, "ci_lower_mean_daily_return_taker", "> 0"),
    ("dsr", 0.9499, "deflated_sharpe_ratio", ">= 0.95"),
    ("null_p", 0.05, "random_entry_p_value", "< 0.05"),
    ("trades", 99, "out_of_sample_trades", ">= 100"),
    ("breaches", 1, "risk_breaches", "<= 0"),
    ("in_sample_folds", 1, "in_sample_folds", "<= 0"),
    ("dsr", math.nan, "deflated_sharpe_ratio", ">= 0.95"),
    ("ci_lower", math.nan, "ci_lower_mean_daily_return_taker", "> 0"),
]


def test_all_rules_passing_is_an_edge():
    verdict = decide(**PASSING)
    assert verdict.edge and verdict.label == "edge" and verdict.failed == ()
    assert verdict.to_dict()["verdict"] == "edge"
    assert len(verdict.checks) == 6


def test_boundaries_that_pass():
    verdict = decide(**PASSING | {"dsr": 0.95, "trades": 100})
    assert verdict.edge


@pytest.mark.parametrize(("key", "value", "name", "needs"), FAILING)
def test_each_rule_alone_flips_the_verdict_and_is_named(key, value, name, needs):
    verdict = decide(**PASSING | {key: value})
    assert not verdict.edge and verdict.label == "no edge"
    assert [c.name for c in verdict.failed] == [name]
    assert verdict.summary().startswith("no edge: ")
    assert name in verdict.summary() and f"needs {needs})" in verdict.summary()
    assert verdict.to_dict()["verdict"] == "no edge"


def test_every_failure_is_named():
    verdict = decide(ci_lower=-1e-4, dsr=0.2, null_p=0.4, trades=12, breaches=3,
                     in_sample_folds=2)
    assert len(verdict.failed) == 6
    assert verdict.summary().count("needs") == 6


def test_thresholds_from_config():
    config = {"evaluation": {"thresholds": {"dsr_min": 0.9, "min_trades": 30,
                                            "ci_lower_min": -0.0001}}}
    thresholds = Thresholds.from_config(config)
    assert thresholds == Thresholds(ci_lower_min=-0.0001, dsr_min=0.9, null_p_max=0.05,
                                    min_trades=30, max_breaches=0)
    assert decide(**PASSING | {"dsr": 0.92, "trades": 40, "ci_lower": 0.0},
                  thresholds=thresholds).edge
    assert Thresholds.from_config({}) == Thresholds()
    assert Thresholds.from_config({"evaluation": {}}) == Thresholds()


@pytest.mark.parametrize(("thresholds", "message"), [
    ({"dsr_minimum": 0.9}, "Unknown setting evaluation.thresholds.dsr_minimum"),
    ({"min_trades": 10.5}, "evaluation.thresholds.min_trades must be an integer"),
    ({"min_trades": -1}, "evaluation.thresholds.min_trades is a count"),
    ({"null_p_max": 5}, "evaluation.thresholds.null_p_max is a probability"),
    ({"dsr_min": "high"}, "evaluation.thresholds.dsr_min must be a number"),
    ({"max_breaches": True}, "evaluation.thresholds.max_breaches must be an integer"),
    ({"ci_lower_min": math.inf}, "evaluation.thresholds.ci_lower_min must be finite"),
])
def test_bad_thresholds_name_the_key(thresholds, message):
    with pytest.raises(ValueError, match=message):
        Thresholds.from_config({"evaluation": {"thresholds": thresholds}})
