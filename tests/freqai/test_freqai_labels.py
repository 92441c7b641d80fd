"""Triple-barrier and regime labels: exact values on hand-built candles, and no leak of the
future into FreqAI features (real bundled data)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ftpack.tiers.ml import features
from ftpack.tiers.ml.labels import DOWN, FLAT, UP, triple_barrier
from ftpack.tiers.ml.regime import HIGH_VOL, RANGING, TREND_DOWN, TREND_UP, forward_regime
from packtest import REPO

DATA = REPO / "user_data" / "data" / "binance"


def candles(high: list[float], low: list[float], close: list[float]) -> pd.DataFrame:
    dates = pd.date_range("2025-08-01", periods=len(close), freq="5min", tz="UTC")
    return pd.DataFrame({"date": dates, "open": close, "high": high, "low": low,
                         "close": close, "volume": 1.0})


def test_triple_barrier_exact_classes():
    # close 100, ATR 1: upper 102 (2 ATR), lower 99 (1 ATR), horizon 2 candles.
    df = candles(
        high=[100, 100.5, 102.5, 100, 100, 100, 100],
        low=[100, 99.5, 100, 98.0, 99.5, 99.5, 99.5],
        close=[100, 100, 100, 100, 100, 100, 100],
    )
    atr = pd.Series([1.0, 1.0, 1.0, 1.0, 1.0, np.nan, 1.0])
    labels = triple_barrier(df, atr, up_atr=2.0, down_atr=1.0, horizon=2)
    # row 0: candle 2 reaches 102 first -> up; row 1: candle 2 up (102.5) before candle 3 down;
    # row 2: candle 3 low 98 -> down; rows 3, 4: no touch in 2 candles -> flat;
    # row 5: NaN ATR; row 6: horizon runs past the data end with no touch -> NaN.
    assert labels.iloc[:5].tolist() == [UP, UP, DOWN, FLAT, FLAT]
    assert labels.iloc[5:].isna().all()


def test_triple_barrier_same_candle_touch_counts_as_stop():
    df = candles(high=[100, 103], low=[100, 98], close=[100, 100])
    labels = triple_barrier(df, pd.Series([1.0, 1.0]), 2.0, 1.0, horizon=1)
    assert labels.iloc[0] == DOWN


def test_forward_regime_rules():
    n = 60
    up = np.linspace(100, 110, n)  # clean trend: efficiency ratio 1
    df = candles(list(up), list(up), list(up))
    regime = forward_regime(df, window=5, ref_window=5)
    assert set(regime.dropna()) == {TREND_UP}
    assert regime.iloc[-5:].isna().all()  # the next 5 candles are unknown
    down = candles(list(up[::-1]), list(up[::-1]), list(up[::-1]))
    assert set(forward_regime(down, 5, 5).dropna()) == {TREND_DOWN}
    zigzag = 100 + 0.1 * (np.arange(n) % 2)
    chop = candles(list(zigzag), list(zigzag), list(zigzag))
    assert set(forward_regime(chop, 5, 5).dropna()) == {RANGING}
    burst = zigzag.copy()
    burst[40:46] = 100 + 3.0 * (np.arange(6) % 2)  # 30x wider swings after row 39
    vol = forward_regime(candles(list(burst), list(burst), list(burst)), 5, 20)
    assert vol.iloc[39] == HIGH_VOL


@pytest.fixture(scope="module")
def real() -> pd.DataFrame:
    df = pd.read_feather(DATA / "SUI_USDT-5m.feather")
    return df[(df["date"] >= "2025-07-01") & (df["date"] < "2025-07-08")].reset_index(drop=True)


def feature_frame(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for period in (12, 48):
        expanded = features.expand_all(df.copy(), period)
        for col in (c for c in expanded.columns if c.startswith("%")):
            out[f"{col}-{period}"] = expanded[col]
    out = features.standard(features.expand_basic(out))
    return out[[c for c in out.columns if c.startswith("%")]]


FREQAI = {"feature_parameters": {"label_period_candles": 24},
          "ftpack": {"labels": {"atr_period": 14, "up_atr": 3.0, "down_atr": 1.5}}}


def test_changing_the_future_changes_labels_but_not_features(real: pd.DataFrame):
    cut = 1500
    future = real.copy()
    rng = np.random.default_rng(0)
    scale = 1 + 0.05 * rng.standard_normal(len(real) - cut)
    for col in ("open", "high", "low", "close"):
        future.loc[cut:, col] = real.loc[cut:, col].to_numpy() * scale
    future.loc[cut:, "high"] = future.loc[cut:, ["open", "high", "low", "close"]].max(axis=1)
    future.loc[cut:, "low"] = future.loc[cut:, ["open", "high", "low", "close"]].min(axis=1)
    future.loc[cut:, "volume"] = real.loc[cut:, "volume"].to_numpy()[::-1]

    base, moved = feature_frame(real), feature_frame(future)
    pd.testing.assert_frame_equal(base.iloc[:cut], moved.iloc[:cut])
    assert not base.iloc[cut:].equals(moved.iloc[cut:])

    labels = features.targets(real.copy(), FREQAI)
    labels_moved = features.targets(future.copy(), FREQAI)
    before = slice(cut - 24, cut - 1)  # label horizons that reach into the changed candles
    assert not labels["&-tb"].iloc[before].equals(labels_moved["&-tb"].iloc[before])
    assert not labels["&-regime"].iloc[before].equals(labels_moved["&-regime"].iloc[before])
    early = slice(0, cut - 25)  # horizons that end before the change: labels identical
    assert labels["&-tb"].iloc[early].equals(labels_moved["&-tb"].iloc[early])


def test_features_survive_nan_gaps_and_tiny_frames(real: pd.DataFrame):
    gappy = real.iloc[:300].copy()
    gappy.loc[100:120, ["open", "high", "low", "close", "volume"]] = np.nan
    out = feature_frame(gappy)
    assert len(out) == 300
    assert np.isfinite(out.iloc[-1].to_numpy(dtype=float)).all()  # recovers after the gap
    assert feature_frame(real.iloc[:5]).shape[0] == 5
    assert features.targets(real.iloc[:0].copy(), FREQAI).empty
