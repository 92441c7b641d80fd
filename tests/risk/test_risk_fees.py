"""The one fee lookup: config fee, per-pair table, exchange market data, and the sizing fee."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest

from ftpack.offline import BUNDLED_SNAPSHOT, load_snapshot
from risk_protections.errors import PackConfigError
from risk_protections.fees import (
    FeePeriod,
    charged_fee,
    exchange_fee,
    largest_fee,
    parse_fee_schedule,
    scheduled_fee,
    sizing_fee,
)

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


PROMOTION = [{"maker": 0.001, "taker": 0.001, "until": "2023-06-30"},
             {"maker": 0.0, "taker": 0.0, "since": "2023-06-30", "source": "announcement 1705"}]


def test_a_dated_schedule_charges_the_period_in_force() -> None:
    schedule = parse_fee_schedule(PROMOTION, "stablecoin.fees.USDC/USDT")
    table = {"USDC/USDT": schedule}
    before = datetime(2023, 6, 29, 23, 55, tzinfo=UTC)
    since = datetime(2023, 6, 30, tzinfo=UTC)
    assert charged_fee({}, "USDC/USDT", table=table, when=before) == 0.001
    assert charged_fee({}, "USDC/USDT", table=table, when=since) == 0.0
    assert charged_fee({}, "USDC/USDT", table=table) == 0.0  # now: the open-ended period
    assert charged_fee({"fee": 0.002}, "USDC/USDT", table=table, when=since) == 0.002
    assert schedule[1].source == "announcement 1705"
    assert scheduled_fee(schedule, pd.Timestamp("2024-01-01"), "taker") == 0.0  # naive = UTC
    assert largest_fee(schedule, before, datetime(2023, 7, 2, tzinfo=UTC), "maker") == 0.001
    assert largest_fee(schedule, since, datetime(2025, 1, 1, tzinfo=UTC), "maker") == 0.0
    assert parse_fee_schedule(0.00075, "x") == (FeePeriod(0.00075, 0.00075),)


def test_an_ended_promotion_leaves_no_fee_after_it() -> None:
    ended = parse_fee_schedule({"maker": 0.0, "taker": 0.0, "since": "2023-06-30",
                                "until": "2025-01-01"}, "stablecoin.fees.TUSD/USDT")
    with pytest.raises(PackConfigError, match=r"TUSD/USDT: no fee period covers 2025-01-01"):
        charged_fee({}, "TUSD/USDT", table={"TUSD/USDT": ended}, table_key="stablecoin.fees",
                    when=datetime(2025, 1, 1, tzinfo=UTC))
    with pytest.raises(PackConfigError, match="no fee period covers 2025-01-01 00:00"):
        largest_fee((*ended, FeePeriod(0.001, 0.001, datetime(2025, 1, 2, tzinfo=UTC))),
                    datetime(2024, 12, 1, tzinfo=UTC), datetime(2025, 2, 1, tzinfo=UTC), "maker")


@pytest.mark.parametrize(("raw", "match"), [
    ({"maker": 0.0}, "needs maker and taker"),
    ({"maker": 0.0, "taker": 0.2}, r"x\.taker: must be a fee per side"),
    ({"maker": 0.0, "taker": 0.0, "since": "soon"}, r"x\.since: not a date"),
    ({"maker": 0.0, "taker": 0.0, "since": "2024-01-02", "until": "2024-01-01"}, "before until"),
    ([{"maker": 0.0, "taker": 0.0}, {"maker": 0.0, "taker": 0.0, "since": "2024-01-01"}],
     "overlap"),
    ([{"maker": 0.0, "taker": 0.0, "feee": 1}], r"x\[0\]: needs maker and taker"),
    ("0.001", "must be a fee or"),
])
def test_bad_schedules_name_the_key(raw, match: str) -> None:
    with pytest.raises(PackConfigError, match=match):
        parse_fee_schedule(raw, "x")
