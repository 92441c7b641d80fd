"""Liquidation buffer, funding bias and fee break-even rules on exact numbers."""

import numpy as np
import pytest

from ftpack.tiers.scalping import fees, funding, guards


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


def test_fee_break_even():
    assert fees.round_trip_fee(True, False) == pytest.approx(0.0007)
    assert fees.round_trip_fee(False, False) == pytest.approx(0.0010)
    threshold = fees.min_expected_move(0.0008)
    assert threshold == pytest.approx(0.0015)  # the issue's ~0.15 % at VIP 0
    assert fees.clears_fees([0.001, 0.0016, np.nan], threshold).tolist() == [False, True, False]
