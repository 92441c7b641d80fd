"""Each leverage rule gives the documented leverage (ftpack.tiers.scalping.leverage)."""

from dataclasses import replace

import pytest

from ftpack.tiers.scalping.leverage import (
    LeverageInputs,
    choose_leverage,
    drawdown,
    milestone_cap,
    realized_peak,
)

# $1,000 start, at its peak, nothing special: the base leverage.
BASE = LeverageInputs(
    base=2.0,
    high_confidence=False,
    low_volatility=False,
    last_trade_lost=False,
    equity=1000.0,
    peak_equity=1000.0,
    start_equity=1000.0,
    config_cap=10.0,
    market_max=125.0,
)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({}, 2.0),  # start at the base (2×)
        ({"base": 3.0}, 3.0),  # or 3×
        ({"high_confidence": True}, 3.0),  # +1 high-confidence setup
        ({"low_volatility": True}, 3.0),  # +1 low volatility
        ({"high_confidence": True, "low_volatility": True}, 4.0),
        ({"last_trade_lost": True}, 1.0),  # −1 after a loss
        (
            {
                "base": 3.0,
                "high_confidence": True,
                "low_volatility": True,
                "equity": 940.0,
                "peak_equity": 1000.0,
            },
            2.0,
        ),  # > 5 % under peak: at most 2×
        ({"base": 3.0, "equity": 960.0, "peak_equity": 1000.0}, 3.0),  # 4 % under: no cap
        (
            {"base": 3.0, "high_confidence": True, "low_volatility": True, "config_cap": 3.0},
            3.0,
        ),  # config cap
        (
            {"base": 3.0, "high_confidence": True, "low_volatility": True, "market_max": 2.0},
            2.0,
        ),  # market maximum
        ({"base": 1.0, "last_trade_lost": True}, 1.0),  # never below 1×
    ],
)
def test_leverage_rules(change, expected):
    assert choose_leverage(replace(BASE, **change)) == expected


def test_capital_milestones_scaled_to_the_account():
    # $50 -> $75: 5×, -> $100: 8×, -> $150: 10× (growth 1.5×, 2×, 3× of the start)
    assert milestone_cap(50.0, 50.0) == 5.0
    assert milestone_cap(74.9, 50.0) == 5.0
    assert milestone_cap(75.0, 50.0) == 8.0
    assert milestone_cap(100.0, 50.0) == 10.0
    assert milestone_cap(400.0, 50.0) == 10.0
    assert milestone_cap(1600.0, 1000.0) == 8.0  # the same ladder on a $1,000 account
    assert milestone_cap(40.0, 50.0) == 5.0  # below the start: the first rung
    hot = replace(BASE, base=3.0, high_confidence=True, low_volatility=True)  # wants 5×
    assert choose_leverage(replace(hot, base=10.0)) == 5.0  # capped by the first milestone
    assert choose_leverage(replace(hot, base=10.0, equity=1600.0, peak_equity=1600.0)) == 8.0


def test_drawdown_measure():
    assert drawdown(950.0, 1000.0) == pytest.approx(0.05)
    assert drawdown(1100.0, 1000.0) == 0.0
    assert drawdown(10.0, 0.0) == 0.0


def test_realized_peak_follows_closed_profits():
    assert realized_peak(1000.0, []) == 1000.0
    assert realized_peak(1000.0, [-10.0, 30.0, -50.0, 5.0]) == 1020.0
    assert realized_peak(1000.0, [-10.0, -5.0]) == 1000.0
