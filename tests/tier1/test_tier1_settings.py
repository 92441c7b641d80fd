"""The ``stablecoin`` config section: fees are explicit, --fee wins in backtests."""

from __future__ import annotations

import pytest
from freqtrade.exceptions import OperationalException

from ftpack.tiers.stablecoin.settings import load_settings, pair_fee, round_trip_bps


def test_fee_per_pair_and_backtest_override() -> None:
    config = {"stablecoin": {"fees": {"USDC/USDT": 0.0, "TUSD/USDT": 0.001}}}
    settings = load_settings(config)
    assert pair_fee(config, settings, "USDC/USDT") == 0.0
    assert pair_fee(config, settings, "TUSD/USDT") == 0.001
    assert pair_fee(config | {"fee": 0.00075}, settings, "USDC/USDT") == 0.00075
    assert round_trip_bps(0.001) == pytest.approx(20.0)


def test_missing_fee_is_an_error_not_zero() -> None:
    config = {"stablecoin": {"fees": {"USDC/USDT": 0.001}}}
    with pytest.raises(OperationalException, match="FDUSD/USDT"):
        pair_fee(config, load_settings(config), "FDUSD/USDT")


def test_unknown_keys_and_bad_cycles_are_rejected() -> None:
    with pytest.raises(OperationalException, match="feez"):
        load_settings({"stablecoin": {"feez": {}}})
    with pytest.raises(OperationalException, match="no taker fee"):
        load_settings({"stablecoin": {"scanner": {"cycles": [["A/B", "C/B", "C/A"]]}}})
    with pytest.raises(OperationalException, match="three pairs"):
        load_settings({"stablecoin": {"scanner": {"cycles": [["A/B", "C/B"]]}}})
