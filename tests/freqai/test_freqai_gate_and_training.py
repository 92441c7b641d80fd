"""The ML gate on hand-built prediction columns, and one window's training on real data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ftpack.tiers.ml import features
from ftpack.tiers.ml.gate import GateConfig, apply_gate, predicted_regime, stake_scale
from ftpack.tiers.ml.regime import HIGH_VOL, RANGING, TREND_DOWN, TREND_UP
from ftpack.tiers.ml.training import (
    SelectedFeaturesClassifier,
    WindowSettings,
    choose_threshold,
    fit_target,
)
from packtest import REPO


def predictions() -> pd.DataFrame:
    return pd.DataFrame({
        "enter_long": [1, 1, 1, 1, 0],
        "enter_tag": ["breakout"] * 4 + [None],
        "do_predict": [1, 1, 1, 0, 1],
        "up": [0.7, 0.4, 0.9, 0.9, 0.9],
        "tb_threshold_up": [0.6] * 5,
        TREND_UP: [0.5, 0.5, 0.1, 0.5, 0.5],
        TREND_DOWN: [0.1, 0.1, 0.1, 0.1, 0.1],
        RANGING: [0.2, 0.2, 0.7, 0.2, 0.2],
        HIGH_VOL: [0.2, 0.2, 0.1, 0.2, 0.2],
    })


def test_gate_off_by_default_changes_nothing():
    assert GateConfig.from_config({}) == GateConfig(enabled=False)
    df = predictions()
    pd.testing.assert_frame_equal(apply_gate(df.copy(), "long", (TREND_UP,), GateConfig()), df)


def test_gate_vetoes_low_probability_wrong_regime_and_untrusted_rows():
    gate = GateConfig.from_config({"ml_gate": {"enabled": True}})
    out = apply_gate(predictions(), "long", (TREND_UP,), gate, "SUI/USDT")
    assert out["enter_long"].tolist() == [1, 0, 0, 0, 0]
    assert out["ml_veto"].tolist()[:4] == [None, "probability", "regime:ranging", "do_predict"]
    assert out["enter_tag"].iloc[0] == "breakout" and pd.isna(out["enter_tag"].iloc[1])


def test_gate_parts_can_be_switched_off():
    prob_only = GateConfig(enabled=True, use_regime=False)
    assert apply_gate(predictions(), "long", (TREND_UP,), prob_only)["enter_long"].tolist() == [
        1, 0, 1, 0, 0]
    regime_only = GateConfig(enabled=True, use_probability=False)
    assert apply_gate(predictions(), "long", (TREND_UP,), regime_only)["enter_long"].tolist() == [
        1, 1, 0, 0, 0]


def test_gate_without_model_columns_refuses_everything():
    df = pd.DataFrame({"enter_long": [1, 1], "enter_tag": ["x", "x"]})
    out = apply_gate(df, "long", (TREND_UP,), GateConfig(enabled=True))
    assert out["enter_long"].tolist() == [0, 0]
    assert predicted_regime(df).isna().all()


def test_stake_scale_follows_probability_over_threshold():
    row = pd.Series({"do_predict": 1, "up": 0.3, "tb_threshold_up": 0.6, "down": 0.9,
                     "tb_threshold_down": 0.6})
    assert stake_scale(row, "long") == pytest.approx(0.5)
    assert stake_scale(row, "short") == 1.0  # capped: never more than the tier's stake
    assert stake_scale(row.drop("down"), "short") == 0.0  # no model output: no trade
    assert stake_scale(row.replace({1: 0}), "long") == 0.0  # untrusted candle
    assert GateConfig.from_config({"ml_gate": {"size_by_probability": True}}).enabled is False


def test_choose_threshold_picks_best_precision_with_minimum_share():
    proba = np.linspace(0, 1, 101)
    is_class = proba > 0.8  # perfectly separable above 0.8
    best = choose_threshold(is_class, proba, min_share=0.05)
    assert best["precision"] == 1.0 and best["threshold"] > 0.8
    assert best["signal_share"] >= 0.05
    assert best["base_rate"] == pytest.approx(20 / 101)


@pytest.fixture(scope="module")
def window() -> pd.DataFrame:
    df = pd.read_feather(REPO / "user_data/data/binance/ETH_USDT-5m.feather")
    df = df[(df["date"] >= "2025-07-01") & (df["date"] < "2025-07-11")].reset_index(drop=True)
    for period in (12, 48):
        expanded = features.expand_all(df.copy(), period)
        for col in (c for c in expanded.columns if c.startswith("%")):
            df[f"{col}-{period}"] = expanded[col]
    freqai = {"feature_parameters": {"label_period_candles": 24},
              "ftpack": {"labels": {"atr_period": 14, "up_atr": 3.0, "down_atr": 1.5}}}
    return features.targets(features.standard(features.expand_basic(df)), freqai).dropna()


def test_fit_target_on_real_window(window: pd.DataFrame):
    x = window[[c for c in window.columns if c.startswith("%")]]
    settings = WindowSettings(
        lgbm_params={"n_estimators": 30, "num_leaves": 7, "n_jobs": 1, "verbosity": -1,
                     "random_state": 1},
        label_span=pd.Timedelta(minutes=120), embargo=pd.Timedelta(minutes=60),
        max_features=5, selection_estimators=10, gate_classes=("up",),
    )
    tb = fit_target("&-tb", x, window["&-tb"].to_numpy(), window["date"], settings)
    regime = fit_target("&-regime", x, window["&-regime"].to_numpy(), window["date"], settings)
    assert len(tb.features) <= 5 and set(tb.features) <= set(x.columns)
    assert tb.metrics["n_validation"] > 0 and 0.0 <= tb.metrics["auc_up"] <= 1.0
    assert 0.0 < tb.metrics["gate_up"]["threshold"] < 1.0
    model = SelectedFeaturesClassifier([tb, regime])
    proba = model.predict_proba(x.tail(10))
    assert proba.shape == (10, len(model.classes_))
    assert model.predict(x.tail(10)).shape == (10, 2)
    n_tb = len(tb.model.classes_)
    np.testing.assert_allclose(proba[:, :n_tb].sum(axis=1), 1.0)
