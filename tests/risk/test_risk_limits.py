"""Limits that keep the pack's promise: contradictions and unaccepted large limits are refused,
the limits are logged at every start, and the audit states what it judged against."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from freqtrade.persistence import LocalTrade
from risk_helpers import make_trade

from risk_protections.audit_rules import audit_trades
from risk_protections.config import parse_risk_config, risk_section, validate_against_wallet
from risk_protections.errors import PackConfigError
from risk_protections.limits import limit_problems
from risk_protections.pnl import from_export

T0 = datetime(2025, 6, 2, tzinfo=UTC)


def start(raw: dict) -> None:
    validate_against_wallet(parse_risk_config(raw), 1000.0, "USDT")


@pytest.mark.parametrize(
    ("raw", "key", "text"),
    [
        ({"daily_loss_limit_abs": 5}, "risk.daily_loss_limit_abs", "below the per-trade cap 1 %"),
        ({"weekly_loss_limit": 0.01}, "risk.weekly_loss_limit", "below the daily limit 2 %"),
        ({"reserve": 0.6}, "risk.max_deployed", "plus the reserve 60 %"),
        ({"risk_per_trade": 0.5}, "risk.risk_per_trade", "above the pack's bound 5 %"),
        ({"risk_per_trade_abs": 60}, "risk.risk_per_trade_abs", "above the pack's bound 5 %"),
        (
            {"capital_phases": [[0, 0.01], [1, 0.08]], "daily_loss_limit": 0.1},
            "risk.capital_phases",
            "bound 5 %",
        ),
        ({"daily_loss_limit": 0.2, "weekly_loss_limit": 0.2}, "risk.daily_loss_limit", "10 %"),
        ({"weekly_loss_limit": 0.3}, "risk.weekly_loss_limit", "bound 20 %"),
        ({"max_deployed": 1.0, "reserve": 0.1}, "risk.max_deployed", "bound 80 %"),
        ({"pause_minutes": 0.5}, "risk.pause_minutes", "whole number of minutes >= 1"),
        ({"pause_minutes": 90.5}, "risk.pause_minutes", "whole number of minutes >= 1"),
    ],
)
def test_contradictions_and_large_limits_are_refused(raw: dict, key: str, text: str) -> None:
    with pytest.raises(PackConfigError, match=f"^{key}: ") as err:
        start(raw)
    assert text in str(err.value).splitlines()[0]
    assert "protections." not in str(err.value)


def test_only_the_explicit_flag_widens_the_bounds_and_says_so(
    caplog: pytest.LogCaptureFixture,
) -> None:
    wide = {"risk_per_trade": 0.5, "daily_loss_limit": 0.6, "weekly_loss_limit": 0.7}
    with pytest.raises(PackConfigError, match="i_accept_larger_losses"):
        start(wide)
    with caplog.at_level(logging.INFO):
        start({**wide, "i_accept_larger_losses": True})
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warned) == 3 and all("accepted because" in w for w in warned), warned
    assert "per-trade cap 500.00 USDT (50 %, risk.risk_per_trade)" in caplog.text
    with pytest.raises(PackConfigError, match=r"^risk\.i_accept_larger_losses: "):
        parse_risk_config({"i_accept_larger_losses": "yes"})
    with pytest.raises(PackConfigError, match=r"^risk\.daily_loss_limit: .* below"):
        start({"risk_per_trade": 0.5, "i_accept_larger_losses": True})  # contradictions stay


def test_every_start_logs_the_limits_and_a_tiny_reserve_warns(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO):
        start({})
        start({"reserve_abs": 0.01})
    lines = [r.getMessage() for r in caplog.records]
    assert lines[0] == (
        "risk: limits for a 1000.00 USDT account: per-trade cap 10.00 USDT (1 %, "
        "risk.risk_per_trade); daily limit 20.00 USDT (2 %, risk.daily_loss_limit); weekly limit "
        "50.00 USDT (5 %, risk.weekly_loss_limit); reserve 200.00 USDT (20 %, risk.reserve); max "
        "deployed 500.00 USDT (50 %, risk.max_deployed); correlated crash loss 50.00 USDT (5 %, "
        "risk.crash_day_multiple); pause 60 min after 3 losses"
    )
    assert lines[-1] == (
        "risk: risk.reserve_abs: reserve 0.001 % of the account is below 10 %; little cash is "
        "kept out of trading."
    )


@pytest.mark.parametrize("section", ["off", None, [], 0])
def test_a_risk_section_that_is_not_an_object_is_refused(section: object) -> None:
    with pytest.raises(PackConfigError, match=r"^risk: must be an object") as err:
        risk_section({"risk": section})
    assert repr(section) in str(err.value)


def test_a_missing_risk_section_means_the_defaults_and_says_so(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO):
        assert risk_section({"stake_currency": "USDT"}) == {}
    assert "no 'risk' section in the config; using the pack's defaults" in caplog.text
    assert risk_section({"risk": {"reserve": 0.3}}) == {"reserve": 0.3}


def test_audit_states_the_limits_it_judged_against_and_flags_looser_ones() -> None:
    trades = [
        from_export(
            i,
            make_trade(
                LocalTrade,
                open_date=T0 + timedelta(hours=i),
                close_date=T0 + timedelta(hours=i, minutes=5),
                stake=400.0,
                close_rate=95.0,
                fee=0.0,
            ).to_json(True),
        )
        for i in (1, 2)
    ]
    loose = parse_risk_config(
        {
            "risk_per_trade": 0.5,
            "daily_loss_limit": 0.5,
            "reserve_abs": 0.01,
            "max_deployed": 1.0,
            "pause_minutes": 1,
        }
    )
    report = audit_trades(trades, loose, 1000.0, lambda trade: None)
    assert report.breaches == []  # the trades keep the loosened limits ...
    text = report.to_text()
    assert "Judged against the limits for a 1000.00 account: per-trade cap 500.00 (50 %" in text
    assert report.looser == [  # ... and the report says how loose those are
        "risk.risk_per_trade: per-trade cap 50 % > default 1 %",
        "risk.daily_loss_limit: daily limit 50 % > default 2 %",
        "risk.max_deployed: max deployed 100 % > default 50 %",
        "risk.reserve_abs: reserve 0.001 % < default 20 %",
        "risk.pause_minutes: 1 < default 60",
    ]
    assert text.count("LOOSER THAN THE PACK'S DEFAULT: ") == 5
    strict = audit_trades(trades, parse_risk_config(None), 1000.0, lambda trade: None)
    assert strict.looser == [] and {b.rule for b in strict.breaches} >= {"trade_cap"}


def test_a_crash_bound_above_the_packs_needs_the_explicit_flag() -> None:
    with pytest.raises(PackConfigError, match=r"^risk\.crash_day_multiple: 3 daily limits"):
        start({"crash_day_multiple": 3})
    accepted = parse_risk_config({"crash_day_multiple": 3, "i_accept_larger_losses": True})
    errors, warnings = limit_problems(accepted, 1000.0)
    assert not errors and any("risk.crash_day_multiple: 3 daily limits" in w for w in warnings)
