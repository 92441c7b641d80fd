"""Fold planning over coverage windows, the evaluation settings and the cost levels."""

from __future__ import annotations

import pandas as pd
import pytest
from freqtrade.exceptions import ConfigurationError

from ftpack.evaluate.coverage import Window, coverage_windows
from ftpack.evaluate.evaluator import cost_runs
from ftpack.evaluate.folds import plan_folds
from ftpack.evaluate.settings import parse_settings
from risk_protections.errors import PackConfigError

H = pd.Timedelta(hours=1)


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def window(start: str, end: str) -> list[Window]:
    return [Window(ts(start), ts(end))]


def test_coverage_splits_at_holes_longer_than_a_day() -> None:
    dates = pd.Series([*pd.date_range("2025-01-01", "2025-01-03", freq="1h", tz="UTC"),
                       *pd.date_range("2025-01-03 20:00", "2025-01-04", freq="1h", tz="UTC"),
                       *pd.date_range("2025-02-01", "2025-02-02", freq="1h", tz="UTC")])
    assert coverage_windows(dates, H) == [
        Window(ts("2025-01-01"), ts("2025-01-04 01:00")),  # a 19 h hole stays inside
        Window(ts("2025-02-01"), ts("2025-02-02 01:00")),
    ]


def test_rolling_folds_give_each_fold_the_pairs_with_data() -> None:
    folds, skipped = plan_folds(
        {"A": window("2025-01-01", "2025-01-31"), "B": window("2025-01-10", "2025-01-31")},
        train_days=4, test_days=5, step_days=5, warmup=12 * H, retune=True,
    )
    # first midnight after the warm-up: Jan 2; train Jan 2-6, test Jan 6-11, ...
    assert [(f.train_start.day, f.test_start.day, f.test_end.day) for f in folds] == [
        (2, 6, 11), (7, 11, 16), (12, 16, 21), (17, 21, 26), (22, 26, 31)]
    # B needs data from the train start minus the warm-up (Jan 11 12:00 for the fold testing
    # Jan 16-21): it joins there.
    assert [f.pairs for f in folds] == [("A",), ("A",), ("A", "B"), ("A", "B"), ("A", "B")]
    assert skipped == []
    assert [f.index for f in folds] == [0, 1, 2, 3, 4]


def test_fixed_parameters_need_only_the_test_window_and_anchored_train_windows_grow() -> None:
    pairs = {"A": window("2025-01-01", "2025-01-20"), "B": window("2025-01-08", "2025-01-20")}
    fixed, _ = plan_folds(pairs, train_days=4, test_days=5, step_days=5, warmup=H,
                          retune=False)
    assert fixed[1].pairs == ("A", "B")  # test Jan 11-16 only needs B from Jan 10 23:00
    anchored, _ = plan_folds(pairs, train_days=4, test_days=5, step_days=5, warmup=H,
                             retune=True, anchored=True)
    assert [f.train_start.day for f in anchored] == [2, 2]
    assert [f.pairs for f in anchored] == [("A",), ("A",)]  # B never covers Jan 1 23:00


def test_folds_restart_after_a_gap_and_skip_without_required_data() -> None:
    pairs = {"A": [Window(ts("2025-01-01"), ts("2025-01-12")),
                   Window(ts("2025-03-01"), ts("2025-03-12"))]}
    btc = {"BTC": window("2025-01-01", "2025-01-08")}
    folds, skipped = plan_folds(pairs, train_days=0, test_days=3, step_days=3, warmup=H,
                                retune=False, required=btc)
    assert [f.test_start.strftime("%m-%d") for f in folds] == ["01-02", "01-05"]
    assert [(s.test_start.strftime("%m-%d"), s.reason) for s in skipped] == [
        ("01-08", "no data for BTC"), ("03-02", "no data for BTC"),
        ("03-05", "no data for BTC"), ("03-08", "no data for BTC")]


def test_min_pairs_and_bounds() -> None:
    pairs = {"A": window("2025-01-01", "2025-01-30"), "B": window("2025-01-15", "2025-01-30")}
    folds, skipped = plan_folds(pairs, train_days=0, test_days=5, step_days=5, warmup=H,
                                retune=False, min_pairs=2, start=ts("2025-01-05"),
                                end=ts("2025-01-26"))
    # B needs its data from Jan 14 23:00 (the warm-up) to test Jan 15-20
    assert [(f.test_start.day, f.test_end.day) for f in folds] == [(20, 25)]
    assert [(s.test_start.day, s.reason) for s in skipped] == [
        (5, "1 pair(s) with data, fewer than 2"), (10, "1 pair(s) with data, fewer than 2"),
        (15, "1 pair(s) with data, fewer than 2")]


CONFIG = {
    "trading_mode": "spot",
    "risk": {"slippage": 0.002},
    "evaluation": {
        "mode": "retune", "train_days": 28, "test_days": 14,
        "hyperopt": {"epochs": 10, "spaces": ["buy"]},
        "profiles": {"quick": {"mode": "fixed", "train_days": 0, "hyperopt": {"epochs": 3}}},
    },
}


def test_settings_merge_section_profile_and_command_line() -> None:
    s = parse_settings(CONFIG)
    assert (s.mode, s.train_days, s.test_days, s.step, s.hyperopt.epochs) == (
        "retune", 28, 14, 14, 10)
    quick = parse_settings(CONFIG, "quick", {"test_days": 7, "hyperopt": {"top_k": 2}})
    assert (quick.mode, quick.train_days, quick.test_days, quick.hyperopt.epochs,
            quick.hyperopt.spaces, quick.hyperopt.top_k) == ("fixed", 0, 7, 3, ("buy",), 2)


@pytest.mark.parametrize(("section", "key"), [
    ({"mode": "magic"}, "evaluation.mode"),
    ({"test_days": 0}, "evaluation.test_days"),
    ({"mode": "retune", "train_days": 0}, "evaluation.train_days"),
    ({"trainday": 3}, "evaluation.trainday"),
    ({"hyperopt": {"epoch": 3}}, "evaluation.hyperopt.epoch"),
    ({"fees": {"spot": {"taker": 0.5}}}, "evaluation.fees.spot.taker"),
])
def test_bad_settings_fail_naming_the_key(section: dict, key: str) -> None:
    with pytest.raises(ConfigurationError, match=key):
        parse_settings({"evaluation": section})
    with pytest.raises(ConfigurationError, match="no profile 'x'"):
        parse_settings(CONFIG, "x")


def test_cost_levels_per_market_type_and_the_bnb_discount() -> None:
    spot = parse_settings(CONFIG)
    assert spot.costs() == {"zero": 0.0, "maker": 0.001, "realistic": 0.001, "taker": 0.001,
                            "taker+slippage": pytest.approx(0.003)}
    bnb = parse_settings({**CONFIG, "evaluation": {"fees": {"bnb_discount": True}}})
    assert bnb.costs()["maker"] == bnb.costs()["taker"] == pytest.approx(0.00075)
    assert bnb.costs()["realistic"] == pytest.approx(0.00075)
    futures = parse_settings({"trading_mode": "futures", "risk": {"slippage": 0.001}})
    assert futures.costs() == {"zero": 0.0, "maker": 0.0002, "realistic": 0.0005,
                               "taker": 0.0005, "taker+slippage": pytest.approx(0.0015)}
    # spot maker = taker: one run serves both, the taker run is the verdict's
    alias, runs = cost_runs(spot)
    assert alias == {"zero": "zero", "maker": "taker", "realistic": "taker", "taker": "taker",
                     "taker+slippage": "taker+slippage"}
    assert [label for label, _ in runs] == ["zero", "taker", "taker+slippage"]
    assert len(cost_runs(futures)[1]) == 4


def test_realistic_level_from_the_orders_and_the_verdict_cost() -> None:
    mixed = parse_settings({"trading_mode": "futures", "evaluation": {
        "verdict_cost": "realistic", "fees": {"realistic": {"entry": "maker", "exit": "taker"}}}})
    assert mixed.costs()["realistic"] == pytest.approx(0.00035)  # (0.02 % + 0.05 %) / 2
    assert mixed.realistic_basis == "maker entries, taker exits"
    alias, runs = cost_runs(mixed)
    assert alias["realistic"] == "realistic" and runs[0] == ("zero", 0.0)
    assert [label for label, _ in runs] == ["zero", "maker", "realistic", "taker",
                                             "taker+slippage"]
    with pytest.raises(ConfigurationError, match=r"evaluation\.verdict_cost"):
        parse_settings({"evaluation": {"verdict_cost": "cheap"}})
    with pytest.raises(ConfigurationError, match=r"evaluation\.fees\.realistic"):
        parse_settings({"evaluation": {"fees": {"realistic": {"entry": "free", "exit": "taker"}}}})
    with pytest.raises(ConfigurationError, match=r"evaluation\.realistic_fee"):
        parse_settings({"evaluation": {"realistic_fee": 0.0}})


def test_realistic_fee_from_a_dated_pair_table_fold_by_fold() -> None:
    from ftpack.evaluate.evaluator import EvaluationError, realistic_fold_fees, with_fold_fees
    from ftpack.evaluate.folds import Fold

    table = {"USDC/USDT": [{"maker": 0.001, "taker": 0.001, "until": "2023-06-30"},
                           {"maker": 0.0, "taker": 0.0, "since": "2023-06-30"}],
             "FDUSD/USDT": [{"maker": 0.0, "taker": 0.0, "since": "2023-07-26"}]}
    config = {"stablecoin": {"fees": table}, "evaluation": {
        "fees": {"realistic": {"pair_fees": "stablecoin.fees"}}}}
    settings = parse_settings(config)
    assert settings.realistic_fee is None
    with pytest.raises(ValueError, match="not resolved"):
        settings.costs()
    both = ("USDC/USDT", "FDUSD/USDT")
    folds = [  # USDC alone before the promotion, then both pairs under it
        Fold(0, ("USDC/USDT",), ts("2021-10-15"), ts("2021-10-22"), ts("2021-10-01"),
             ts("2021-10-15")),
        Fold(1, both, ts("2025-01-15"), ts("2025-01-22"), ts("2025-01-01"), ts("2025-01-15")),
        Fold(2, both, ts("2025-01-22"), ts("2025-01-29"), ts("2025-01-08"), ts("2025-01-22")),
    ]
    fees = realistic_fold_fees(settings, config, folds)
    assert fees == {0: 0.001, 1: 0.0, 2: 0.0}
    judged = with_fold_fees(settings, fees)
    assert judged.costs()["realistic"] == 0.001  # the level's headline: the largest fold fee
    assert "0.000 % in 2 folds, 0.100 % in 1 folds" in judged.realistic_basis
    # the realistic level has its own run in every fold, at that fold's fee
    assert dict(cost_runs(judged, fees[0])[1])["realistic"] == 0.001
    alias, runs = cost_runs(judged, fees[1])
    assert alias["realistic"] == "realistic" and dict(runs)["realistic"] == 0.0
    assert dict(runs)[alias["taker"]] == 0.001
    with pytest.raises(PackConfigError, match=r"stablecoin.fees.FDUSD/USDT: no fee period"):
        realistic_fold_fees(settings, config, [Fold(0, both, ts("2023-07-01"), ts("2023-08-01"))])
    with pytest.raises(EvaluationError, match="no fee for TUSD/USDT"):
        realistic_fold_fees(settings, config,
                            [Fold(0, ("TUSD/USDT",), ts("2025-01-01"), ts("2025-02-01"))])


@pytest.mark.parametrize("tier", ["backtest-tier1.json", "backtest-tier2.json",
                                  "backtest-tier3.json"])
def test_every_tier_states_its_evaluation_and_hand_tried_variants(tier: str) -> None:
    from freqtrade.configuration.load_config import load_from_files

    from packtest import CONFIG_DIR

    config = load_from_files([str(CONFIG_DIR / tier)])
    for profile in (None, "bundled", "full"):
        settings = parse_settings(config, profile)
        assert settings.variants_tried_by_hand is not None and settings.variants_tried_by_hand >= 1
    assert parse_settings(config, "bundled").mode == "fixed"
    assert parse_settings(config, "full").retune
    assert parse_settings(config, "full").datadir == "../shared/data/binance"


def test_realistic_spot_fee_with_the_bnb_discount_beside_the_standard_taker() -> None:
    s = parse_settings({**CONFIG, "evaluation": {"fees": {"realistic": {
        "entry": "maker", "exit": "taker", "bnb_discount": True}}}})
    assert s.costs()["realistic"] == pytest.approx(0.00075)
    assert s.costs()["taker"] == 0.001
    with pytest.raises(ConfigurationError, match=r"fees\.realistic\.bnb_discount"):
        parse_settings({"trading_mode": "futures", "evaluation": {"fees": {"realistic": {
            "entry": "maker", "exit": "taker", "bnb_discount": True}}}})
