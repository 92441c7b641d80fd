"""The risk config section: defaults for a $1,000 account, overrides, phases, and bad values."""

from __future__ import annotations

import json
import re

import pytest
from risk_helpers import CONFIG_DIR

from risk_protections.config import DEFAULTS, parse_risk_config, validate_against_wallet
from risk_protections.errors import PackConfigError


def test_defaults_give_10_20_200_and_half_deployed_for_1000() -> None:
    risk = parse_risk_config(None)
    assert risk.trade_cap(1000.0, 1000.0) == 10.0
    assert risk.daily_limit(1000.0) == 20.0
    assert risk.reserve_amount(1000.0) == 200.0
    assert risk.deploy_limit(1000.0) == 500.0
    assert risk.consecutive_losses == 3 and risk.pause_minutes == 60


def test_shipped_risk_json_matches_the_defaults() -> None:
    shipped = json.loads((CONFIG_DIR / "risk.json").read_text())["risk"]
    assert parse_risk_config(shipped) == parse_risk_config(None)
    assert "risk.json" in json.loads((CONFIG_DIR / "base.json").read_text())["add_config_files"]


def test_rules_scale_with_the_account_and_reserve_stays_anchored() -> None:
    risk = parse_risk_config(None)
    assert risk.trade_cap(5000.0, 5000.0) == pytest.approx(50.0)
    assert risk.trade_cap(800.0, 1000.0) == pytest.approx(8.0)
    assert risk.reserve_amount(1000.0) == 200.0


def test_absolute_overrides_win() -> None:
    risk = parse_risk_config(
        {"risk_per_trade_abs": 7, "daily_loss_limit_abs": 15, "reserve_abs": 300}
    )
    assert risk.trade_cap(1000.0, 1000.0) == 7.0
    assert risk.daily_limit(1000.0) == 15.0
    assert risk.reserve_amount(1000.0) == 300.0
    assert risk.weekly_limit(1000.0) == pytest.approx(50.0)


def test_capital_phase_table() -> None:
    risk = parse_risk_config({"capital_phases": [[0, 0.005], [0.2, 0.01], [0.8, 0.015]]})
    start = 1000.0
    shares = {e: risk.trade_share(e, start) for e in (700, 1000, 1199, 1200, 1799, 1800, 5000)}
    assert shares == {
        700: 0.005,
        1000: 0.005,
        1199: 0.005,
        1200: 0.01,
        1799: 0.01,
        1800: 0.015,
        5000: 0.015,
    }
    assert risk.trade_cap(1200.0, start) == pytest.approx(12.0)


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ({"risk_per_trade": 0}, "risk.risk_per_trade"),
        ({"risk_per_trade": -0.01}, "risk.risk_per_trade"),
        ({"daily_loss_limit": 0}, "risk.daily_loss_limit"),
        ({"weekly_loss_limit": -1}, "risk.weekly_loss_limit"),
        ({"reserve": 1.0}, "risk.reserve"),
        ({"max_deployed": 0}, "risk.max_deployed"),
        ({"max_deployed": 1.5}, "risk.max_deployed"),
        ({"risk_per_trade_abs": 0}, "risk.risk_per_trade_abs"),
        ({"daily_loss_limit_abs": -20}, "risk.daily_loss_limit_abs"),
        ({"reserve_abs": 0}, "risk.reserve_abs"),
        ({"consecutive_losses": 0}, "risk.consecutive_losses"),
        ({"consecutive_losses": 2.5}, "risk.consecutive_losses"),
        ({"pause_minutes": -5}, "risk.pause_minutes"),
        ({"daily_reset": "25:00"}, "risk.daily_reset"),
        ({"slippage": -0.1}, "risk.slippage"),
        ({"fee_rate": 0.5}, "risk.fee_rate"),
        ({"gap": {"spot": 0.15}}, "risk.gap"),
        ({"gap": {"spot": 0, "futures": 0.15}}, "risk.gap.spot"),
        ({"gap_cap_multiple": 0.5}, "risk.gap_cap_multiple"),
        ({"max_leverage": 0.5}, "risk.max_leverage"),
        ({"stoploss_on_exchange": "yes"}, "risk.stoploss_on_exchange"),
        ({"capital_phases": [[0.1, 0.01]]}, "risk.capital_phases[0][0]"),
        ({"capital_phases": [[0, 0.01], [0, 0.02]]}, "risk.capital_phases[1][0]"),
        ({"capital_phases": [[0, 2]]}, "risk.capital_phases[0][1]"),
        ({"risk_per_trad": 0.01}, "risk.risk_per_trad"),
        ({"daily_loss_limit": "2%"}, "risk.daily_loss_limit"),
    ],
)
def test_bad_values_name_the_key(raw: dict, key: str) -> None:
    with pytest.raises(PackConfigError, match=f"^{re.escape(key)}:"):
        parse_risk_config(raw)


def test_reserve_at_or_above_the_wallet_is_refused() -> None:
    with pytest.raises(PackConfigError, match=r"^risk\.reserve_abs:"):
        validate_against_wallet(parse_risk_config({"reserve_abs": 1000}), 1000.0)
    validate_against_wallet(parse_risk_config({"reserve_abs": 500}), 1000.0)


def test_every_default_key_is_parsed() -> None:
    assert set(DEFAULTS) <= set(parse_risk_config(None).__dataclass_fields__)
