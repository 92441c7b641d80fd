"""flowbook's order flow equals Freqtrade 2026.9's ``populate_dataframe_with_trades``: on
every real trades file and on hypothesis-generated trades, with the drop-in producing the same
frame (numeric columns, footprint dicts, imbalances, stacked imbalances, cache behaviour)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from flowbook_testdata import TRADE_FILES, candle_frame, load_trades
from freqtrade.constants import ORDERFLOW_ADDED_COLUMNS
from freqtrade.data.converter.orderflow import (
    populate_dataframe_with_trades as ft_populate,
)
from freqtrade.strategy import IStrategy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flowbook.ft_orderflow import (
    ORDERFLOW_COLUMNS,
    FlowbookOrderflowMixin,
    populate_dataframe_with_trades,
)
from packtest import StubDataProvider, example_counts

NUMERIC = ["max_delta", "min_delta", "bid", "ask", "delta", "total_trades"]
OBJECTS = ["orderflow", "imbalances", "stacked_imbalances_bid", "stacked_imbalances_ask"]


def config(
    tf: str,
    scale: float,
    ratio: float = 3.0,
    volume: float = 0.0,
    stacked: int = 3,
    max_candles: int = 1500,
) -> dict[str, Any]:
    return {
        "timeframe": tf,
        "orderflow": {
            "scale": scale,
            "imbalance_ratio": ratio,
            "imbalance_volume": volume,
            "stacked_imbalance_range": stacked,
            "max_candles": max_candles,
            "cache_size": 1500,
        },
    }


def assert_same_frames(ours: pd.DataFrame, theirs: pd.DataFrame) -> None:
    assert list(ours.columns) == list(theirs.columns)
    for column in NUMERIC:
        np.testing.assert_array_equal(ours[column].to_numpy(), theirs[column].to_numpy(), column)
    for column in OBJECTS:
        a, b = ours[column].to_numpy(), theirs[column].to_numpy()
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            if isinstance(y, float):
                assert isinstance(x, float) and np.isnan(x) and np.isnan(y), (column, i)
            else:
                assert x == y, (column, i, x, y)


def run_both(cfg: dict, candles: pd.DataFrame, trades: pd.DataFrame):
    theirs, _ = ft_populate(None, cfg, candles.copy(), trades.copy())
    ours, _ = populate_dataframe_with_trades(None, cfg, candles.copy(), trades.copy())
    return ours, theirs


def test_column_list_is_freqtrades() -> None:
    assert ORDERFLOW_COLUMNS == ORDERFLOW_ADDED_COLUMNS


def test_no_trades_gives_freqtrades_empty_columns() -> None:
    candles = pd.DataFrame({"date": pd.date_range("2024-01-01", periods=3, freq="5min", tz="UTC")})
    empty = pd.DataFrame(columns=["timestamp", "id", "type", "side", "price", "amount", "cost"])
    ours, ours_cache = populate_dataframe_with_trades(
        None, config("5m", 1.0), candles.copy(), empty
    )
    theirs, theirs_cache = ft_populate(None, config("5m", 1.0), candles.copy(), empty)
    assert_same_frames(ours, theirs)
    assert ours_cache is None and theirs_cache is None


# The files whose comparison takes seconds (Freqtrade's converter is pure Python; tiny bins
# make many footprint levels) run in the slow set; the small spot files run in every loop.
SLOW_FILES = ("PEPE", "XRP_ETH", "futures/APE", "futures/BTC")
REAL_CASES = [
    pytest.param(f, tf, marks=[pytest.mark.slow] if any(k in f for k in SLOW_FILES) else [])
    for f, tf in [(f, "5m") for f in TRADE_FILES]
    + [(f, "1m") for f in TRADE_FILES if "BTC" in f or "ETH_USDT" in f]
]


@pytest.mark.parametrize(("relative", "tf"), REAL_CASES)
def test_real_trades_match_freqtrade(data_dir, relative: str, tf: str) -> None:
    trades = load_trades(relative)
    tf_ms = {"1m": 60_000, "5m": 300_000}[tf]
    candles = candle_frame(trades, tf_ms)
    cfg = config(tf, TRADE_FILES[relative], ratio=1.5, stacked=2)
    ours, theirs = run_both(cfg, candles, trades)
    assert_same_frames(ours, theirs)
    assert theirs["total_trades"].sum() == len(trades)
    stacked = sum(len(x) for x in theirs["stacked_imbalances_ask"] if isinstance(x, list))
    stacked += sum(len(x) for x in theirs["stacked_imbalances_bid"] if isinstance(x, list))
    assert stacked > 0, "the parameters must exercise stacked imbalances"


def test_max_candles_and_volume_threshold_match(data_dir) -> None:
    relative = "binance/futures/APE_USDT_USDT-trades.feather"
    trades = load_trades(relative)
    candles = candle_frame(trades, 300_000)
    cfg = config("5m", 0.0005, ratio=3.0, volume=2000.0, stacked=3, max_candles=100)
    ours, theirs = run_both(cfg, candles, trades)
    assert_same_frames(ours, theirs)
    assert theirs["delta"].notna().sum() < len(candles) - 100 + 1


def test_trade_records_and_cache_match(data_dir) -> None:
    trades = load_trades("binance/ETH_USDT-trades.feather")
    candles = candle_frame(trades, 60_000)
    cfg = config("1m", 0.5)
    theirs, ft_cache = ft_populate(None, cfg, candles.copy(), trades.copy())
    ours, cache = populate_dataframe_with_trades(
        None, cfg, candles.copy(), trades.copy(), trade_records=True
    )
    for a, b in zip(ours["trades"], theirs["trades"], strict=True):
        if isinstance(b, float):
            assert np.isnan(a)
            continue
        assert pd.DataFrame(a).equals(
            pd.DataFrame(b).drop(columns=["candle_start", "candle_end"], errors="ignore")
        )
    # Second call on fewer trades: cached candles keep the cached (fuller) values in both.
    fewer = trades.iloc[: len(trades) // 2]
    theirs2, _ = ft_populate(ft_cache, cfg, candles.copy(), fewer.copy())
    ours2, _ = populate_dataframe_with_trades(cache, cfg, candles.copy(), fewer.copy())
    assert_same_frames(ours2, theirs2)
    np.testing.assert_array_equal(
        ours2["delta"].to_numpy(), theirs["delta"].where(ours2["delta"].notna()).to_numpy()
    )


class _Host:
    """The attributes ``_if_enabled_populate_trades`` reads from a strategy."""

    def __init__(self, cfg: dict, trades: pd.DataFrame) -> None:
        self.config = cfg
        self._cached_grouped_trades_per_pair: dict = {}
        self.dp = StubDataProvider(trades={"BTC/USDT": trades})


class _MixinHost(FlowbookOrderflowMixin, _Host):
    pass


def test_mixin_overrides_freqtrades_hook(data_dir) -> None:
    assert "_if_enabled_populate_trades" in vars(IStrategy)
    trades = load_trades("binance/BTC_USDT-trades.feather")
    candles = candle_frame(trades, 60_000)
    cfg = config("1m", 5.0) | {"exchange": {"use_public_trades": True}}
    theirs_host, ours_host = _Host(cfg, trades), _MixinHost(cfg, trades)
    theirs = IStrategy._if_enabled_populate_trades(
        theirs_host, candles.copy(), {"pair": "BTC/USDT"}
    )
    ours = ours_host._if_enabled_populate_trades(candles.copy(), {"pair": "BTC/USDT"})
    assert_same_frames(ours, theirs)
    assert ours_host.dp.trade_requests[0].startts == theirs_host.dp.trade_requests[0].startts
    assert "BTC/USDT" in ours_host._cached_grouped_trades_per_pair


PRICE_GRID = [100.0, 100.5, 101.0, 101.25, 101.5, 102.0, 102.5, 103.0]


@st.composite
def trade_sets(draw):
    n = draw(st.integers(1, 60))
    gaps = draw(st.lists(st.integers(0, 40_000), min_size=n, max_size=n))
    start = draw(st.integers(0, 10**12)) // 1000 * 1000
    stamps = start + np.cumsum(gaps)
    sides = draw(st.lists(st.sampled_from(["buy", "sell"]), min_size=n, max_size=n))
    prices = draw(st.lists(st.sampled_from(PRICE_GRID), min_size=n, max_size=n))
    amounts = draw(
        st.lists(st.floats(0, 50, allow_nan=False, allow_subnormal=False), min_size=n, max_size=n)
    )
    return pd.DataFrame(
        {
            "timestamp": stamps.astype(np.int64),
            "id": [str(i) for i in range(n)],
            "type": None,
            "side": sides,
            "price": prices,
            "amount": amounts,
            "cost": np.array(prices) * np.array(amounts),
            "date": pd.to_datetime(stamps, unit="ms", utc=True),
        }
    )


def generated_case_matches(trades, scale, ratio, volume, stacked, max_candles) -> None:
    candles = candle_frame(trades, 60_000)
    cfg = config("1m", scale, ratio, volume, stacked, max_candles)
    ours, theirs = run_both(cfg, candles, trades)
    assert_same_frames(ours, theirs)


@pytest.mark.parametrize("max_examples", example_counts(thorough=150, fast=15))
def test_generated_trades_match_freqtrade(max_examples: int) -> None:
    cases = given(
        trades=trade_sets(),
        scale=st.sampled_from([0.5, 1.0, 0.25, 2.0]),
        ratio=st.sampled_from([0.5, 1.0, 2.0, 3.0]),
        volume=st.sampled_from([0.0, 5.0, 30.0]),
        stacked=st.integers(1, 3),
        max_candles=st.integers(1, 5),
    )(generated_case_matches)
    settings(
        max_examples=max_examples, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )(cases)()
