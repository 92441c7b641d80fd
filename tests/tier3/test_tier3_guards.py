"""Liquidation buffer, funding bias and fee break-even rules on exact numbers."""

import numpy as np
import pytest

from ftpack.offline import BUNDLED_SNAPSHOT, load_snapshot
from ftpack.tiers.scalping import breakeven, funding, guards
from risk_protections.errors import PackConfigError


def test_liquidation_distance_and_buffer():
    assert guards.liquidation_distance(5.0, 0.004) == pytest.approx(0.196)
    # buffer 0.5: the stop may use at most half of the way to liquidation (9.8 % at 5×)
    assert guards.stop_clears_liquidation(0.098, 5.0, 0.004, 0.5)
    assert not guards.stop_clears_liquidation(0.099, 5.0, 0.004, 0.5)
    # the safe leverage puts the stop exactly on the buffered bound
    lev = guards.max_safe_leverage(0.02, 0.004, 0.5)
    assert guards.stop_clears_liquidation(0.02, lev * 0.999, 0.004, 0.5)
    assert not guards.stop_clears_liquidation(0.02, lev * 1.01, 0.004, 0.5)
    assert guards.liquidation_distance(1000.0, 0.004) == 0.0


def test_funding_tilts_and_blocks():
    rates = [0.0, 0.0001, 0.0003, 0.0005, -0.0003, np.nan]
    longs = funding.surge_multiplier(rates, "long", neutral=0.0001, extreme=0.0005)
    shorts = funding.surge_multiplier(rates, "short", neutral=0.0001, extreme=0.0005)
    # positive funding: longs pay -> stricter longs (1.5× at 0.03 %), blocked at 0.05 %
    assert longs.tolist() == [1.0, 1.0, pytest.approx(1.5), np.inf, 1.0, 1.0]
    # negative funding: shorts pay
    assert shorts.tolist() == [1.0, 1.0, 1.0, 1.0, pytest.approx(1.5), 1.0]
    with pytest.raises(ValueError):
        funding.surge_multiplier(rates, "long", neutral=0.001, extreme=0.0005)


def test_fee_break_even_prices_a_maker_entry_and_a_taker_exit_at_the_listed_fees():
    market = load_snapshot(BUNDLED_SNAPSHOT)["BTC/USDT:USDT"]  # Binance USDⓈ-M VIP 0
    assert breakeven.round_trip_fee(market) == pytest.approx(0.0002 + 0.0005)
    assert breakeven.round_trip_fee({"maker": 0.0, "taker": 0.0004}) == pytest.approx(0.0004)
    threshold = breakeven.min_expected_move(breakeven.round_trip_fee(market), 0.0008)
    assert threshold == pytest.approx(0.0015)
    clears = breakeven.clears_fees([0.001, 0.0016, np.nan], threshold)
    assert clears.tolist() == [False, True, False]
    with pytest.raises(PackConfigError, match="no maker fee for XYZ"):
        breakeven.round_trip_fee({"symbol": "XYZ", "taker": 0.0005})
