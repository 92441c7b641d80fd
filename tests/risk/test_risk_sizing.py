"""Stake sizing: exact bounds for a $1,000 account, and which rule binds."""

from __future__ import annotations

import pytest

from risk_protections.config import parse_risk_config
from risk_protections.sizing import Account, entry_violations, loss_per_notional, size_stake

RISK = parse_risk_config(None)  # 1 % cap, 2 % day, 20 % reserve, 50 % deployed, gap 15 % x3
FEE = 0.001
FRESH = Account(starting_balance=1000.0, equity=1000.0, open_stake=0.0)


def size(account: Account = FRESH, **kw: object) -> object:
    args = {
        "stop_distance": 0.03,
        "leverage": 1.0,
        "is_short": False,
        "fee": FEE,
        "trading_mode": "spot",
        "proposed_stake": 1e9,
        "min_stake": 5.0,
        "max_stake": 1e9,
    }
    args.update(kw)
    return size_stake(RISK, account, **args)


def test_loss_per_notional_formula() -> None:
    assert loss_per_notional(0.03, FEE, 0.002, False) == pytest.approx(
        1 + FEE - 0.97 * 0.998 * 0.999
    )
    assert loss_per_notional(0.03, FEE, 0.002, True) == pytest.approx(
        1.03 * 1.002 * 1.001 - 1 + FEE
    )


def test_gap_bound_binds_for_a_3pct_spot_stop() -> None:
    decision = size()
    k_gap = loss_per_notional(0.15, FEE, 0.0, False)
    assert decision.rule == "gap"
    assert decision.stake == pytest.approx(30.0 / k_gap, rel=1e-6)  # 197.56
    assert decision.stake * loss_per_notional(0.03, FEE, 0.002, False) < 10.0


def test_trade_cap_binds_for_a_wide_stop_and_the_stop_loss_equals_the_cap() -> None:
    decision = size(stop_distance=0.10)
    assert decision.rule == "trade_cap" and decision.cap == 10.0
    assert decision.stake * loss_per_notional(0.10, FEE, 0.002, False) == pytest.approx(10.0)


def test_deployment_and_reserve_bounds() -> None:
    assert size(Account(1000.0, 1000.0, 450.0)).rule == "deployment"
    assert size(Account(1000.0, 1000.0, 450.0)).stake == pytest.approx(50.0)
    low = size(Account(1000.0, 380.0, 150.0))  # free 230, reserve 200 -> 30
    assert low.rule == "reserve" and low.stake == pytest.approx(30.0)


def test_futures_leverage_divides_the_stake_and_short_costs_more() -> None:
    spot = size(stop_distance=0.01)
    fut = size(stop_distance=0.01, leverage=3.0, trading_mode="futures")
    assert fut.stake == pytest.approx(spot.stake / 3.0)
    short = size(stop_distance=0.01, leverage=3.0, trading_mode="futures", is_short=True)
    assert short.stake < fut.stake


def test_no_trade_below_min_stake_above_max_leverage_or_without_stop() -> None:
    tiny = size(Account(1000.0, 1000.0, 497.0))
    assert tiny.stake == 0.0 and tiny.rule == "min_stake"
    assert size(leverage=5.0, trading_mode="futures").rule == "max_leverage"
    assert size(stop_distance=0.0).stake == 0.0
    assert size(proposed_stake=50.0).stake == pytest.approx(50.0)


def test_entry_violations_agree_with_the_sizer() -> None:
    decision = size(stop_distance=0.10)
    args = {
        "stop_distance": 0.10,
        "leverage": 1.0,
        "is_short": False,
        "fee": FEE,
        "trading_mode": "spot",
    }
    assert entry_violations(RISK, FRESH, stake=decision.stake, **args) == []
    broken = entry_violations(RISK, FRESH, stake=decision.stake * 1.01, **args)
    assert [v.split(":")[0] for v in broken] == ["trade_cap"]
    many = entry_violations(RISK, Account(1000.0, 300.0, 100.0), stake=200.0, **args)
    assert {v.split(":")[0] for v in many} == {
            "trade_cap", "gap", "crash", "deployment", "reserve"
        }
