"""The one fee lookup: config fee, per-pair table, exchange market data, and the sizing fee."""

from __future__ import annotations

import pytest

from ftpack.offline import BUNDLED_SNAPSHOT, load_snapshot
from risk_protections.errors import PackConfigError
from risk_protections.fees import charged_fee, exchange_fee, sizing_fee

MARKETS = load_snapshot(BUNDLED_SNAPSHOT)
PERP = MARKETS["ETH/USDT:USDT"]  # maker 0.02 %, taker 0.05 %


def test_charged_fee_prefers_the_config_fee_then_the_table_then_the_market() -> None:
    table = {"ETH/USDT:USDT": 0.0001}
    assert charged_fee({"fee": 0.0007}, "ETH/USDT:USDT", table=table, market=PERP) == 0.0007
    assert charged_fee({"fee": 0.0}, "ETH/USDT:USDT", table=table, market=PERP) == 0.0
    assert charged_fee({}, "ETH/USDT:USDT", table=table, market=PERP) == 0.0001
    assert charged_fee({}, "ETH/USDT:USDT", market=PERP) == 0.0005
    assert charged_fee({}, "ETH/USDT:USDT", market=PERP, liquidity="maker") == 0.0002


def test_a_pair_without_any_fee_is_a_config_error() -> None:
    with pytest.raises(PackConfigError, match=r"No fee for TUSD/USDT in config 'x\.fees'"):
        charged_fee({}, "TUSD/USDT", table={"USDC/USDT": 0.0}, table_key="x.fees")
    with pytest.raises(PackConfigError, match="no taker fee for ABC/USDT"):
        exchange_fee({"symbol": "ABC/USDT", "maker": 0.001}, "taker")


def test_sizing_fee_is_the_largest_of_floor_config_and_listed_takers() -> None:
    pairs = ["BTC/USDT", "ETH/USDT:USDT", "NOT/LISTED"]
    assert sizing_fee(0.0, {}, MARKETS, pairs) == 0.001  # BTC/USDT spot taker
    assert sizing_fee(0.0, {}, MARKETS, ["ETH/USDT:USDT"]) == 0.0005
    assert sizing_fee(0.002, {}, MARKETS, pairs) == 0.002
    assert sizing_fee(0.0, {"fee": 0.003}, MARKETS, pairs) == 0.003
    assert sizing_fee(0.0004, {"fee": None}, {}, pairs) == 0.0004
