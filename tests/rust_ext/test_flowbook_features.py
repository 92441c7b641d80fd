"""Surge, candle proxy, volume profile and VPIN on real Binance candles and trades against the
pure-Python references in ``flowbook_reference``; the rolling and empty-input edge cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from flowbook_reference import profile_reference, surge_reference, vpin_reference
from flowbook_testdata import load_trades

import flowbook


@pytest.fixture(scope="module")
def candles(data_dir):
    frame = pd.read_feather(data_dir / "binance" / "BTC_USDT-5m.feather")
    return frame.iloc[-3000:].reset_index(drop=True)


@pytest.fixture(scope="module")
def ape(data_dir):
    return load_trades("binance/futures/APE_USDT_USDT-trades.feather")


def test_surge_matches_reference_on_real_deltas(ape):
    flow = flowbook.order_flow(
        ape["timestamp"],
        ape["side"],
        ape["price"],
        ape["amount"],
        np.arange(1729209600000, 1729296000000, 300_000),
        "5m",
        scale=0.001,
    )
    delta = flow.delta.copy()
    delta[[10, 11]] = np.nan
    for window in (1, 12, 48):
        ours = flowbook.flow_surge(delta, window)
        np.testing.assert_allclose(ours, surge_reference(list(delta), window), rtol=1e-14)
        assert np.isnan(ours[:window]).all()
    assert np.nanmax(np.abs(flowbook.flow_surge(delta, 12))) > 3, "real surges exist"
    assert np.isnan(flowbook.flow_surge([0.0, 0.0, 5.0], 2)[2])
    with pytest.raises(ValueError, match="infinite"):
        flowbook.flow_surge([np.inf], 1)
    with pytest.raises(ValueError, match="window"):
        flowbook.flow_surge([1.0], 0)


def test_candle_proxy_matches_formula_on_real_candles(candles):
    h, low, c, v = (candles[k].to_numpy() for k in ("high", "low", "close", "volume"))
    clv, proxy = flowbook.candle_flow_proxy(h, low, c, v)
    rng = h - low
    ref = np.where(rng > 0, (c - low) / np.where(rng > 0, rng, 1.0), 0.5)
    np.testing.assert_array_equal(clv, ref)
    np.testing.assert_array_equal(proxy, v * (2 * ref - 1))
    clv, proxy = flowbook.candle_flow_proxy([np.nan], [1.0], [1.0], [1.0])
    assert np.isnan(clv[0]) and np.isnan(proxy[0])
    with pytest.raises(ValueError, match="inconsistent"):
        flowbook.candle_flow_proxy([2.0], [1.0], [3.0], [1.0])
    with pytest.raises(ValueError, match="length mismatch"):
        flowbook.candle_flow_proxy([2.0], [1.0], [1.5], [1.0, 2.0])


def test_trade_profile_matches_reference_per_hour(ape):
    hours = ape["timestamp"] // 3_600_000
    for _, window in list(ape.groupby(hours))[:24]:
        p, a = window["price"].to_numpy(), window["amount"].to_numpy()
        for bin_size, fraction in ((0.0005, 0.7), (0.002, 0.5)):
            ours = flowbook.volume_profile(p, a, bin_size=bin_size, value_area=fraction)
            assert tuple(ours) == profile_reference(p, a, bin_size, fraction)
            assert ours.val <= ours.poc <= ours.vah


def test_rolling_candle_profile_matches_reference(candles):
    h, low, c, v = (candles[k].to_numpy()[:600] for k in ("high", "low", "close", "volume"))
    poc, vah, val = flowbook.rolling_volume_profile(h, low, c, v, window=48, bin_size=25.0)
    typical = (h + low + c) / 3
    for t in range(0, 600, 7):
        s = max(0, t - 47)
        ref = profile_reference(typical[s : t + 1], v[s : t + 1], 25.0, 0.7)
        assert (poc[t], vah[t], val[t]) == ref


def test_profile_edge_cases():
    assert all(np.isnan(flowbook.volume_profile([], [], bin_size=1.0)))
    assert all(np.isnan(flowbook.volume_profile([1.0], [0.0], bin_size=1.0)))
    assert tuple(flowbook.volume_profile([1.0, np.nan], [2.0, 1.0], bin_size=1.0)) == (
        1.0,
        1.0,
        1.0,
    )
    with pytest.raises(ValueError, match="rows"):
        flowbook.volume_profile([1.0, 1e6], [1.0, 1.0], bin_size=1e-3)
    with pytest.raises(ValueError, match="value_area"):
        flowbook.volume_profile([1.0], [1.0], bin_size=1.0, value_area=1.5)
    with pytest.raises(ValueError, match="volumes"):
        flowbook.volume_profile([1.0], [-1.0], bin_size=1.0)


def test_vpin_matches_reference_on_real_trades(ape):
    sides = np.where(ape["side"] == "buy", 1, -1)
    amounts = ape["amount"].to_numpy()
    bucket = float(amounts.sum() / 200)
    ours = flowbook.vpin(ape["timestamp"], ape["side"], amounts, bucket_volume=bucket, window=20)
    buys, sells, vpin = vpin_reference(sides.tolist(), amounts.tolist(), bucket, 20)
    np.testing.assert_array_equal(ours.buy_volume, buys)
    np.testing.assert_array_equal(ours.sell_volume, sells)
    np.testing.assert_array_equal(ours.vpin, vpin)
    assert len(ours.vpin) in (199, 200)
    assert np.all(np.diff(ours.end_timestamp) >= 0)
    assert np.nanmin(ours.vpin) >= 0 and np.nanmax(ours.vpin) <= 1


def test_vpin_and_order_flow_reject_bad_trades():
    with pytest.raises(ValueError, match="sides"):
        flowbook.vpin([1], ["hold"], [1.0], bucket_volume=1.0)
    with pytest.raises(ValueError, match="bucket_volume"):
        flowbook.vpin([1], ["buy"], [1.0], bucket_volume=0.0)
    with pytest.raises(ValueError, match="sorted"):
        flowbook.order_flow([5, 1], ["buy", "sell"], [1.0, 1.0], [1.0, 1.0], [0], "1m", scale=1)
    with pytest.raises(ValueError, match="scale"):
        flowbook.order_flow([1], ["buy"], [1.0], [1.0], [0], "1m", scale=0)
    with pytest.raises(ValueError, match="strictly increasing"):
        flowbook.order_flow([1], ["buy"], [1.0], [1.0], [0, 0], "1m", scale=1)
    with pytest.raises(ValueError, match="timeframe"):
        flowbook.order_flow([1], ["buy"], [1.0], [1.0], [0], "1M", scale=1)
    with pytest.raises(ValueError, match="amounts"):
        flowbook.order_flow([1], ["buy"], [1.0], [np.nan], [0], "1m", scale=1)
    empty = flowbook.order_flow([], [], [], [], [0, 60_000], "1m", scale=1)
    assert np.isnan(empty.delta).all() and len(empty.fp_price) == 0


def test_volume_basis_imbalances_differ_from_counts():
    # one big sell at 100 against many small buys at 101: counts say ask-heavy, volume bid-heavy
    stamps, sides = [0] * 5, ["sell", "buy", "buy", "buy", "buy"]
    prices, amounts = [100.0, 101.0, 101.0, 101.0, 101.0], [40.0, 1.0, 1.0, 1.0, 1.0]
    kw = {"scale": 1.0, "imbalance_ratio": 3.0, "stacked_imbalance_range": 1}
    count = flowbook.order_flow(stamps, sides, prices, amounts, [0], "1m", **kw)
    volume = flowbook.order_flow(
        stamps, sides, prices, amounts, [0], "1m", imbalance_basis="volume", **kw
    )
    assert count.fp_ask_imbalance[0] and not count.fp_bid_imbalance[0]
    assert volume.fp_bid_imbalance[0] and not volume.fp_ask_imbalance[0]
    assert list(volume.stacked_bid_price) == [100.0]
