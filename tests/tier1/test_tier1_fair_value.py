"""Fair value from the own level and the basket's implied cross rates (hand-built frames)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ftpack.tiers.stablecoin.basket import basket_closes, direct_crosses
from ftpack.tiers.stablecoin.fair_value import deviation_bps, fair_value, robust_level, traded_close


def candles(closes: list[float], volumes: list[float] | None = None) -> pd.DataFrame:
    dates = pd.date_range("2025-01-01", periods=len(closes), freq="5min", tz="UTC")
    return pd.DataFrame({
        "date": dates, "open": closes, "high": closes, "low": closes, "close": closes,
        "volume": volumes if volumes is not None else [1.0] * len(closes),
    })


def test_zero_volume_close_is_not_a_price() -> None:
    frame = candles([1.0, 0.99, 1.0], volumes=[5.0, 0.0, 5.0])
    assert traded_close(frame).isna().tolist() == [False, True, False]


def test_robust_level_is_rolling_median_ignoring_gaps() -> None:
    close = pd.Series([1.0, 3.0, np.nan, 2.0, 10.0])
    # window 4, at least 1 value: median of the non-NaN closes in the last 4 rows.
    assert robust_level(close, 4).tolist() == [1.0, 2.0, 2.0, 2.0, 3.0]


def test_usdt_move_is_not_a_deviation_but_a_single_coin_move_is() -> None:
    # Three coins at par for 4 candles; then USDT weakens: every coin +10 bp.
    up = [1.0] * 4 + [1.001]
    closes = pd.DataFrame({"A": up, "B": up, "C": up})
    fv = fair_value(closes, "A", window=4, stale_limit=1)
    # own level median(1,1,1,1.001)=1; implied via B and C: 1.001 * median(A/B)=1.001.
    assert fv["fair_value"].iat[-1] == pytest.approx(1.001)
    assert deviation_bps(closes["A"], fv["fair_value"]).iat[-1] == pytest.approx(0.0)

    # Only A drops 10 bp: own level 1, implied via B and C both 1 → fair 1, deviation −10 bp.
    closes = pd.DataFrame({"A": [1.0] * 4 + [0.999], "B": [1.0] * 5, "C": [1.0] * 5})
    fv = fair_value(closes, "A", window=4, stale_limit=1)
    assert fv["fair_value"].iat[-1] == pytest.approx(1.0)
    assert fv["basket_value"].iat[-1] == pytest.approx(1.0)
    assert deviation_bps(closes["A"], fv["fair_value"]).iat[-1] == pytest.approx(-10.0)


def test_stale_basket_price_is_dropped_after_stale_limit() -> None:
    closes = pd.DataFrame({"A": [1.0, 1.0, 1.0, 1.0], "B": [1.002, np.nan, np.nan, np.nan]})
    fv = fair_value(closes, "A", window=4, stale_limit=1)
    # B's last close 1.002 is carried one candle, then B drops out of the basket.
    assert fv["basket_value"].isna().tolist() == [False, False, True, True]
    assert fv["fair_value"].tolist() == [1.0, 1.0, 1.0, 1.0]


def test_direct_cross_replaces_the_implied_cross() -> None:
    closes = pd.DataFrame({"A": [1.0] * 3, "B": [1.0] * 3})
    traded = {"B": pd.Series([1.002] * 3)}  # A trades 20 bp above B on the direct pair
    fv = fair_value(closes, "A", window=3, stale_limit=1, direct_crosses=traded)
    assert fv["basket_value"].iat[-1] == pytest.approx(1.002)
    # fair = median(own 1.0, via B 1.002) = 1.001
    assert fv["fair_value"].iat[-1] == pytest.approx(1.001)


def test_basket_alignment_and_direct_cross_orientation() -> None:
    usdc = candles([1.0, 1.0, 1.0])
    tusd = candles([0.999, 0.998]).assign(date=usdc["date"].iloc[1:].to_numpy())
    others = {"USDC/USDT": usdc, "TUSD/USDT": tusd, "X/USDT": None}
    closes = basket_closes(usdc, "USDC/USDT", others)
    assert list(closes.columns) == ["USDC/USDT", "TUSD/USDT", "X/USDT"]
    assert closes["TUSD/USDT"].isna().tolist() == [True, False, False]
    assert closes["X/USDT"].isna().all()

    cross = candles([1.0005, 1.0005, 1.0005])
    assert direct_crosses(usdc, "USDC/USDT", {"USDC/TUSD": cross})["TUSD/USDT"].iat[0] == 1.0005
    tusd_rates = direct_crosses(usdc, "TUSD/USDT", {"USDC/TUSD": cross})
    assert tusd_rates["USDC/USDT"].iat[0] == pytest.approx(1 / 1.0005)
