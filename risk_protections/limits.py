"""The pack's bounds on the owner's risk limits and the checks between them, run at every start.

Every money limit is judged as a share of the starting balance ``B``: a share key as it is, an
``*_abs`` override as ``amount / B``, the per-trade cap as the largest share any capital phase
allows.

Contradictions, always refused (``PackConfigError``, exit status 2):

* daily limit >= per-trade cap (one stop-out must fit into a day's limit);
* weekly limit >= daily limit;
* reserve + ``max_deployed`` <= 100 % of the account.

Hard bounds of the pack's promise, refused unless ``risk.i_accept_larger_losses`` is true (then
logged as a warning at every start): per-trade cap <= 5 %, daily limit <= 10 %, weekly limit
<= 20 %, ``max_deployed`` <= 80 %, ``crash_day_multiple`` <= 2.5 (a correlated crash of the
open positions costs at most 2.5 daily limits). A reserve below 10 % is allowed with a warning.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from risk_protections.errors import PackConfigError

if TYPE_CHECKING:
    from risk_protections.config import RiskConfig

logger = logging.getLogger(__name__)

#: Largest share of the account each limit may have without ``risk.i_accept_larger_losses``.
HARD_BOUNDS = {"per_trade": 0.05, "daily": 0.10, "weekly": 0.20, "max_deployed": 0.80}
#: Largest ``risk.crash_day_multiple`` (daily limits a correlated crash may cost) without it.
CRASH_MULTIPLE_BOUND = 2.5
#: A reserve below this share of the starting balance is logged as a warning.
RESERVE_WARNING = 0.10
ACCEPT_KEY = "risk.i_accept_larger_losses"


@dataclass(frozen=True)
class Limit:
    """One effective limit: the owner's key that sets it and its share of the starting balance."""

    key: str
    share: float


def effective_limits(risk: RiskConfig, balance: float) -> dict[str, Limit]:
    """Per-trade, daily, weekly, reserve and deployment limits as shares of ``balance``."""
    absolute = risk.absolute

    def share_of(name: str, share: float) -> Limit:
        key = f"{name}_abs"
        if key in absolute:
            return Limit(f"risk.{key}", absolute[key] / balance)
        return Limit(f"risk.{name}", share)

    per_trade = share_of("risk_per_trade", risk.risk_per_trade)
    if risk.capital_phases and "risk_per_trade_abs" not in absolute:
        per_trade = Limit("risk.capital_phases", max(s for _, s in risk.capital_phases))
    daily = share_of("daily_loss_limit", risk.daily_loss_limit)
    return {
        "per_trade": per_trade,
        "daily": daily,
        "weekly": share_of("weekly_loss_limit", risk.weekly_loss_limit),
        "reserve": share_of("reserve", risk.reserve),
        "max_deployed": Limit("risk.max_deployed", risk.max_deployed),
        "crash": Limit("risk.crash_day_multiple", risk.crash_day_multiple * daily.share),
    }


def limit_problems(risk: RiskConfig, balance: float) -> tuple[list[str], list[str]]:
    """(errors, warnings) of ``risk`` for an account of ``balance``, each naming its key."""
    lim = effective_limits(risk, balance)
    errors: list[str] = []
    warnings: list[str] = []
    above = [
        f"{lim[name].key}: {_label(name)} {_pct(lim[name].share)} of the account is above the "
        f"pack's bound {_pct(bound)}"
        for name, bound in HARD_BOUNDS.items()
        if lim[name].share > bound
    ]
    if risk.crash_day_multiple > CRASH_MULTIPLE_BOUND:
        above.append(
            f"risk.crash_day_multiple: {risk.crash_day_multiple:g} daily limits is above the "
            f"pack's bound {CRASH_MULTIPLE_BOUND:g}"
        )
    for text in above:
        if risk.i_accept_larger_losses:
            warnings.append(f"{text}; accepted because {ACCEPT_KEY} is true.")
        else:
            errors.append(f"{text}; set {ACCEPT_KEY}: true to accept larger losses.")
    for low, high in (("per_trade", "daily"), ("daily", "weekly")):
        if lim[high].share < lim[low].share:
            errors.append(
                f"{lim[high].key}: {_pct(lim[high].share)} of the account is below the "
                f"{_label(low)} {_pct(lim[low].share)} ({lim[low].key}); it must be at least that."
            )
    if lim["reserve"].share + lim["max_deployed"].share > 1 + 1e-12:
        errors.append(
            f"risk.max_deployed: {_pct(lim['max_deployed'].share)} plus the reserve "
            f"{_pct(lim['reserve'].share)} ({lim['reserve'].key}) exceed 100 % of the account."
        )
    if lim["reserve"].share < RESERVE_WARNING:
        warnings.append(
            f"{lim['reserve'].key}: reserve {_pct(lim['reserve'].share)} of the account is below "
            f"{_pct(RESERVE_WARNING)}; little cash is kept out of trading."
        )
    return errors, warnings


def describe_limits(risk: RiskConfig, balance: float, currency: str = "") -> str:
    """One line: every money limit in stake currency and share, plus the loss-streak pause."""
    lim = effective_limits(risk, balance)
    unit = f" {currency}" if currency else ""
    parts = [
        f"{_label(name)} {lim[name].share * balance:.2f}{unit} ({_pct(lim[name].share)}, "
        f"{lim[name].key})"
        for name in ("per_trade", "daily", "weekly", "reserve", "max_deployed", "crash")
    ]
    parts.append(f"pause {risk.pause_minutes} min after {risk.consecutive_losses} losses")
    return f"limits for a {balance:.2f}{unit} account: " + "; ".join(parts)


def looser_than_defaults(risk: RiskConfig, defaults: RiskConfig, balance: float) -> list[str]:
    """Every limit of ``risk`` that allows more loss or exposure than ``defaults`` does."""
    own, base = effective_limits(risk, balance), effective_limits(defaults, balance)
    looser = [
        f"{own[name].key}: {_label(name)} {_pct(own[name].share)} > default "
        f"{_pct(base[name].share)}"
        for name in ("per_trade", "daily", "weekly", "max_deployed")
        if own[name].share > base[name].share * (1 + 1e-9)
    ]
    if own["reserve"].share < base["reserve"].share * (1 - 1e-9):
        looser.append(
            f"{own['reserve'].key}: reserve {_pct(own['reserve'].share)} < default "
            f"{_pct(base['reserve'].share)}"
        )
    for key, value, default, larger_is_looser in (
        ("consecutive_losses", risk.consecutive_losses, defaults.consecutive_losses, True),
        ("pause_minutes", risk.pause_minutes, defaults.pause_minutes, False),
        ("max_leverage", risk.max_leverage, defaults.max_leverage, True),
        ("gap_cap_multiple", risk.gap_cap_multiple, defaults.gap_cap_multiple, True),
        ("crash_day_multiple", risk.crash_day_multiple, defaults.crash_day_multiple, True),
    ):
        if (value > default) if larger_is_looser else (value < default):
            sign = ">" if larger_is_looser else "<"
            looser.append(f"risk.{key}: {value:g} {sign} default {default:g}")
    return looser


def enforce_limits(risk: RiskConfig, balance: float, currency: str = "") -> list[str]:
    """Refuse contradictions and unaccepted bounds; log the limits and every warning."""
    errors, warnings = limit_problems(risk, balance)
    if errors:
        raise PackConfigError("\n".join(errors))
    logger.info(f"risk: {describe_limits(risk, balance, currency)}")
    for warning in warnings:
        logger.warning(f"risk: {warning}")
    return warnings


def _pct(share: float) -> str:
    return f"{share * 100:.4g} %"


def _label(name: str) -> str:
    return {
        "per_trade": "per-trade cap",
        "daily": "daily limit",
        "weekly": "weekly limit",
        "reserve": "reserve",
        "max_deployed": "max deployed",
        "crash": "correlated crash loss",
    }[name]
