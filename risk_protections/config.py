"""The ``risk`` config section: defaults, parsing and validation of values that need no market.

Every money limit is a share of the account with an optional absolute override (``*_abs``,
stake currency). "Account" means realized equity ``E = starting balance + realized profit``;
the reserve is anchored to the starting balance (it must not shrink as the account loses).
For a $1,000 account the defaults give $10 per trade, $20 per UTC day, $200 reserve and at
most $500 (50 %) deployed.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from datetime import time
from typing import Any

from risk_protections.errors import PackConfigError
from risk_protections.limits import enforce_limits
from risk_protections.rules import money_limit

logger = logging.getLogger(__name__)

DEFAULTS: dict[str, Any] = {
    "risk_per_trade": 0.01,
    "daily_loss_limit": 0.02,
    "weekly_loss_limit": 0.05,
    "reserve": 0.20,
    "max_deployed": 0.50,
    "consecutive_losses": 3,
    "pause_minutes": 60,
    "max_drawdown": 0.05,
    "drawdown_pause_minutes": 10080,
    "daily_reset": "00:00",
    "slippage": 0.002,
    "fee_rate": 0.001,
    "gap": {"spot": 0.15, "futures": 0.15},
    "gap_cap_multiple": 3.0,
    "crash_day_multiple": 2.5,
    "max_leverage": 3.0,
    "stoploss_on_exchange": True,
    "allow_live_without_edge": False,
    "i_accept_larger_losses": False,
    "capital_phases": None,
}
SHARE_KEYS = ("risk_per_trade", "daily_loss_limit", "weekly_loss_limit", "reserve")
ABS_KEYS = tuple(f"{k}_abs" for k in SHARE_KEYS)
#: Keys validated by their own module: ``account`` (``risk_protections.account``) and
#: ``strategy`` (``risk_protections.guarded``).
SECTIONS = ("account", "strategy")
KNOWN_KEYS = frozenset(DEFAULTS) | frozenset(ABS_KEYS) | frozenset(SECTIONS)


def _fail(key: str, message: str) -> PackConfigError:
    return PackConfigError(f"risk.{key}: {message}")


def check_number(value: Any, name: str) -> float:
    """A finite number, else PackConfigError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise PackConfigError(f"{name}: must be a finite number, got {value!r}.")
    return float(value)


def check_share(value: Any, name: str, *, upper_inclusive: bool = False) -> float:
    """A share of the account: 0 < value < 1 (or <= 1 when ``upper_inclusive``)."""
    number = check_number(value, name)
    upper_ok = number <= 1 if upper_inclusive else number < 1
    if number <= 0 or not upper_ok:
        bound = "<= 1" if upper_inclusive else "< 1"
        raise PackConfigError(
            f"{name}: must be a share of the account with 0 < value {bound}, got {number}."
        )
    return number


def check_positive(value: Any, name: str) -> float:
    """A number > 0, else PackConfigError naming ``name``."""
    number = check_number(value, name)
    if number <= 0:
        raise PackConfigError(f"{name}: must be > 0, got {number}.")
    return number


def _number(section: dict[str, Any], key: str) -> float:
    return check_number(section[key], f"risk.{key}")


def _share(section: dict[str, Any], key: str, *, upper_inclusive: bool = False) -> float:
    return check_share(section[key], f"risk.{key}", upper_inclusive=upper_inclusive)


def _positive(section: dict[str, Any], key: str) -> float:
    return check_positive(section[key], f"risk.{key}")


def parse_utc_hhmm(value: Any, name: str) -> time:
    """A config time of day ``"HH:MM"`` (UTC) as a ``datetime.time``; PackConfigError naming
    ``name`` otherwise. Every HH:MM setting of the pack is read here.
    """
    try:
        hours, minutes = str(value).split(":")
        return time(int(hours), int(minutes))
    except ValueError as err:
        raise PackConfigError(f"{name}: must be 'HH:MM' (UTC), got {value!r}.") from err


def _phases(value: Any) -> tuple[tuple[float, float], ...] | None:
    """``[[growth_from, share], ...]``: first row from growth 0, growth strictly increasing."""
    if value is None:
        return None
    key = "capital_phases"
    if not isinstance(value, list) or not value:
        raise _fail(key, "must be a non-empty list of [growth_from, risk_share] rows.")
    rows: list[tuple[float, float]] = []
    for i, row in enumerate(value):
        if not isinstance(row, list | tuple) or len(row) != 2:
            raise _fail(f"{key}[{i}]", f"must be [growth_from, risk_share], got {row!r}.")
        growth = check_number(row[0], f"risk.{key}[{i}][0]")
        share = check_share(row[1], f"risk.{key}[{i}][1]")
        if rows and growth <= rows[-1][0]:
            raise _fail(f"{key}[{i}][0]", "growth_from must increase from row to row.")
        rows.append((growth, share))
    if rows[0][0] != 0:
        raise _fail(f"{key}[0][0]", "the first phase must start at growth 0.")
    return tuple(rows)


@dataclass(frozen=True)
class RiskConfig:
    """Validated ``risk`` section: shares are fractions (0.01 = 1 %), ``*_abs`` stake currency."""

    risk_per_trade: float
    daily_loss_limit: float
    weekly_loss_limit: float
    reserve: float
    max_deployed: float
    consecutive_losses: int
    pause_minutes: int
    max_drawdown: float
    drawdown_pause_minutes: int
    daily_reset: time
    slippage: float
    fee_rate: float
    gap: dict[str, float]
    gap_pairs: dict[str, float]
    gap_cap_multiple: float
    crash_day_multiple: float
    max_leverage: float
    stoploss_on_exchange: bool
    allow_live_without_edge: bool
    i_accept_larger_losses: bool
    capital_phases: tuple[tuple[float, float], ...] | None
    absolute: dict[str, float] = field(default_factory=dict)

    def trade_share(self, equity: float, starting_balance: float) -> float:
        """Risk share per trade: the last capital phase with ``E >= start * (1 + growth_from)``."""
        if not self.capital_phases:
            return self.risk_per_trade
        reached = [s for g, s in self.capital_phases if equity >= starting_balance * (1 + g)]
        return reached[-1] if reached else self.capital_phases[0][1]

    def trade_cap(self, equity: float, starting_balance: float) -> float:
        """Max loss of one trade: ``risk_per_trade_abs`` or ``trade_share * E``."""
        if "risk_per_trade_abs" in self.absolute:
            return self.absolute["risk_per_trade_abs"]
        return self.trade_share(equity, starting_balance) * max(equity, 0.0)

    def daily_limit(self, equity_at_reset: float) -> float:
        """Max realized loss per day: ``daily_loss_limit_abs`` or share * E at the reset."""
        absolute = self.absolute.get("daily_loss_limit_abs")
        return money_limit(self.daily_loss_limit, absolute, equity_at_reset)

    def weekly_limit(self, equity_at_week_start: float) -> float:
        """Max realized loss per ISO week: ``weekly_loss_limit_abs`` or share * E at its start."""
        absolute = self.absolute.get("weekly_loss_limit_abs")
        return money_limit(self.weekly_loss_limit, absolute, equity_at_week_start)

    def reserve_amount(self, starting_balance: float) -> float:
        """Untouchable cash: ``reserve_abs`` or ``reserve * starting balance``."""
        return money_limit(self.reserve, self.absolute.get("reserve_abs"), starting_balance)

    def crash_limit(self, equity: float) -> float:
        """Max loss of the open positions in a correlated crash: ``crash_day_multiple`` daily
        limits (``crash``)."""
        return self.crash_day_multiple * self.daily_limit(equity)

    def deploy_limit(self, equity: float) -> float:
        """Max total open stake: ``max_deployed * E``."""
        return self.max_deployed * max(equity, 0.0)

    def gap_for(self, trading_mode: str, pair: str | None = None) -> float:
        """Worst-case adverse price gap (price fraction): ``gap.pairs[pair]`` when the config
        bounds that pair's gap on its own (e.g. a stablecoin's de-peg guard exit), else the
        market type's ``gap``."""
        if pair is not None and pair in self.gap_pairs:
            return self.gap_pairs[pair]
        return self.gap["futures" if trading_mode == "futures" else "spot"]


def parse_risk_config(raw: dict[str, Any] | None) -> RiskConfig:
    """Merge ``raw`` over DEFAULTS and validate; errors name the offending ``risk.<key>``."""
    raw = dict(raw or {})
    unknown = sorted(set(raw) - KNOWN_KEYS)
    if unknown:
        raise _fail(unknown[0], f"unknown key (known: {', '.join(sorted(KNOWN_KEYS))}).")
    section = {**DEFAULTS, **raw}
    absolute = {k: _positive(section, k) for k in ABS_KEYS if section.get(k) is not None}
    losses = _positive(section, "consecutive_losses")
    if losses != int(losses):
        raise _fail("consecutive_losses", f"must be a whole number, got {losses}.")
    pause = _positive(section, "pause_minutes")
    if pause < 1 or pause != int(pause):
        raise _fail("pause_minutes", f"must be a whole number of minutes >= 1, got {pause}.")
    max_drawdown = _share(section, "max_drawdown")
    drawdown_pause = _positive(section, "drawdown_pause_minutes")
    if drawdown_pause != int(drawdown_pause):
        raise _fail("drawdown_pause_minutes", f"must be a whole number of minutes, got "
                                              f"{drawdown_pause}.")
    slippage = _number(section, "slippage")
    if not 0 <= slippage < 1:
        raise _fail("slippage", f"must satisfy 0 <= value < 1, got {slippage}.")
    fee = _number(section, "fee_rate")
    if not 0 <= fee < 0.1:
        raise _fail("fee_rate", f"must satisfy 0 <= value < 0.1, got {fee}.")
    gap = section["gap"]
    if not isinstance(gap, dict) or set(gap) - {"pairs"} != {"spot", "futures"}:
        raise _fail("gap", f"must be {{'spot': share, 'futures': share}} (and optional "
                           f"'pairs': {{pair: share}}), got {gap!r}.")
    gaps = {k: check_share(gap[k], f"risk.gap.{k}") for k in ("spot", "futures")}
    pair_gaps = gap.get("pairs") or {}
    if not isinstance(pair_gaps, dict):
        raise _fail("gap.pairs", f"must be {{pair: share}}, got {pair_gaps!r}.")
    pair_gaps = {p: check_share(v, f"risk.gap.pairs.{p}") for p, v in pair_gaps.items()}
    multiple = _number(section, "gap_cap_multiple")
    if multiple < 1:
        raise _fail("gap_cap_multiple", f"must be >= 1 (a multiple of the cap), got {multiple}.")
    crash_multiple = _number(section, "crash_day_multiple")
    if crash_multiple < 1:
        raise _fail("crash_day_multiple", f"must be >= 1 (a multiple of the daily limit), got "
                                          f"{crash_multiple}.")
    leverage = _number(section, "max_leverage")
    if leverage < 1:
        raise _fail("max_leverage", f"must be >= 1, got {leverage}.")
    for flag in ("stoploss_on_exchange", "allow_live_without_edge", "i_accept_larger_losses"):
        if not isinstance(section[flag], bool):
            raise _fail(flag, "must be true or false.")
    return RiskConfig(
        risk_per_trade=_share(section, "risk_per_trade"),
        daily_loss_limit=_share(section, "daily_loss_limit"),
        weekly_loss_limit=_share(section, "weekly_loss_limit"),
        reserve=_share(section, "reserve"),
        max_deployed=_share(section, "max_deployed", upper_inclusive=True),
        consecutive_losses=int(losses),
        pause_minutes=int(pause),
        max_drawdown=max_drawdown,
        drawdown_pause_minutes=int(drawdown_pause),
        daily_reset=parse_utc_hhmm(section["daily_reset"], "risk.daily_reset"),
        slippage=slippage,
        fee_rate=fee,
        gap=gaps,
        gap_pairs=pair_gaps,
        gap_cap_multiple=multiple,
        crash_day_multiple=crash_multiple,
        max_leverage=leverage,
        stoploss_on_exchange=section["stoploss_on_exchange"],
        allow_live_without_edge=section["allow_live_without_edge"],
        i_accept_larger_losses=section["i_accept_larger_losses"],
        capital_phases=_phases(section["capital_phases"]),
        absolute=absolute,
    )


def risk_section(config: dict[str, Any]) -> dict[str, Any]:
    """The config's ``risk`` object; ``{}`` (the defaults, logged) when the section is absent.

    A section that is present but not an object (``null``, ``[]``, ``"off"``) is refused: it
    reads like an attempt to switch the rules off, which this layer never does.
    """
    if "risk" not in config:
        logger.info("risk: no 'risk' section in the config; using the pack's defaults.")
        return {}
    section = config["risk"]
    if not isinstance(section, dict):
        raise PackConfigError(
            f"risk: must be an object of risk limits (or left out for the defaults), got "
            f"{section!r}. The rules cannot be switched off; a strategy without "
            "RiskManagedMixin does not use them."
        )
    return section


def validate_against_wallet(risk: RiskConfig, wallet: float, currency: str = "") -> None:
    """Account-dependent checks: the reserve must leave money to trade, then the limits'
    contradictions and hard bounds (``limits.enforce_limits``, which logs them)."""
    reserve = risk.reserve_amount(wallet)
    key = "reserve_abs" if "reserve_abs" in risk.absolute else "reserve"
    if reserve >= wallet:
        raise _fail(key, f"reserve {reserve:.2f} >= wallet {wallet:.2f}; nothing left to trade.")
    enforce_limits(risk, wallet, currency)
