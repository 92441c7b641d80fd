"""Stake sizing and entry checks: pure functions of the account, the risk config and the order.

Notation: stake ``S`` (margin), leverage ``L``, notional ``N = S * L``, stop distance ``d`` (price
fraction from the entry), fee ``f`` per side, stop slippage allowance ``s``, worst gap ``g``
(the pair's ``pair_gaps.GapBound`` for the side when the caller measured one, else
``risk.gap_for(trading_mode, pair)``), crash loss ``C_open`` of the open positions (``crash``).

* loss per unit notional at the stop, ``k``: long ``1 + f - (1-d)(1-s)(1-f)``,
  short ``(1+d)(1+s)(1+f) - 1 + f`` (entry fee + price loss + exit fee on the exit value);
* per-trade cap:  ``N * k(d, s) <= cap``;
* gap bound:      ``N * k(g, 0) <= gap_cap_multiple * cap``;
* crash bound:    ``C_open + N * k(g, 0) <= crash_day_multiple * daily limit(E)``;
* deployment:     ``open_stake + S <= max_deployed * E``;
* reserve:        ``open_stake + S <= E - reserve`` (a stake never draws on the reserve).
"""

from __future__ import annotations

from dataclasses import dataclass

from risk_protections.config import RiskConfig
from risk_protections.rules import free_above_reserve

REL_TOL = 1e-9


@dataclass(frozen=True)
class Account:
    """Account state at decision time (stake currency); ``equity`` is realized equity E."""

    starting_balance: float
    equity: float
    open_stake: float
    #: Loss of the open positions in the correlated crash (``crash.crash_loss``).
    open_crash_loss: float = 0.0


@dataclass(frozen=True)
class StakeDecision:
    """Chosen stake (0.0 = do not trade), the rule that bound it, and every rule's stake bound."""

    stake: float
    rule: str
    bounds: dict[str, float]
    cap: float


def loss_per_notional(distance: float, fee: float, slippage: float, is_short: bool) -> float:
    """Loss per unit of entry notional for an adverse exit ``distance`` (+``slippage``) away."""
    if is_short:
        return (1 + distance) * (1 + slippage) * (1 + fee) - 1 + fee
    return 1 + fee - (1 - distance) * (1 - slippage) * (1 - fee)


def stake_bounds(
    risk: RiskConfig,
    account: Account,
    *,
    stop_distance: float,
    leverage: float,
    is_short: bool,
    fee: float,
    trading_mode: str,
    pair: str | None = None,
    gap: float | None = None,
) -> tuple[dict[str, float], float]:
    """Upper stake bound per rule, and the per-trade cap used."""
    cap = risk.trade_cap(account.equity, account.starting_balance)
    k_stop = loss_per_notional(stop_distance, fee, risk.slippage, is_short)
    gap = risk.gap_for(trading_mode, pair) if gap is None else gap
    k_gap = loss_per_notional(gap, fee, 0.0, is_short)
    crash_room = risk.crash_limit(account.equity) - account.open_crash_loss
    reserve = risk.reserve_amount(account.starting_balance)
    bounds = {
        "trade_cap": cap / (k_stop * leverage),
        "gap": risk.gap_cap_multiple * cap / (k_gap * leverage),
        "crash": crash_room / (k_gap * leverage),
        "deployment": risk.deploy_limit(account.equity) - account.open_stake,
        "reserve": free_above_reserve(account.equity, account.open_stake, reserve),
    }
    return bounds, cap


def size_stake(
    risk: RiskConfig,
    account: Account,
    *,
    stop_distance: float,
    leverage: float,
    is_short: bool,
    fee: float,
    trading_mode: str,
    proposed_stake: float,
    min_stake: float | None,
    max_stake: float,
    pair: str | None = None,
    gap: float | None = None,
) -> StakeDecision:
    """The largest stake within every rule, Freqtrade's proposed stake and the market maximum.

    Returns stake 0.0 when the leverage exceeds ``max_leverage``, the stop distance is not
    positive, or the result is below ``min_stake`` (Freqtrade would round it *up* to the
    minimum, which could break the cap).
    """
    if leverage > risk.max_leverage * (1 + REL_TOL):
        return StakeDecision(0.0, "max_leverage", {}, 0.0)
    if not stop_distance > 0:
        return StakeDecision(0.0, "stop_distance", {}, 0.0)
    bounds, cap = stake_bounds(
        risk,
        account,
        stop_distance=stop_distance,
        leverage=leverage,
        is_short=is_short,
        fee=fee,
        trading_mode=trading_mode,
        pair=pair,
        gap=gap,
    )
    bounds["proposed_stake"] = proposed_stake
    bounds["max_stake"] = max_stake
    rule = min(bounds, key=lambda name: bounds[name])
    stake = bounds[rule] * (1 - REL_TOL)
    if stake <= 0 or (min_stake is not None and stake < min_stake):
        return StakeDecision(0.0, rule if stake <= 0 else "min_stake", bounds, cap)
    return StakeDecision(stake, rule, bounds, cap)


def entry_violations(
    risk: RiskConfig,
    account: Account,
    *,
    stake: float,
    stop_distance: float,
    leverage: float,
    is_short: bool,
    fee: float,
    trading_mode: str,
    pair: str | None = None,
    gap: float | None = None,
) -> list[str]:
    """Rules (with amounts) that an entry of ``stake`` at ``leverage`` would break."""
    bounds, cap = stake_bounds(
        risk,
        account,
        stop_distance=stop_distance,
        leverage=leverage,
        is_short=is_short,
        fee=fee,
        trading_mode=trading_mode,
        pair=pair,
        gap=gap,
    )
    gap = risk.gap_for(trading_mode, pair) if gap is None else gap
    stop_loss = stake * leverage * loss_per_notional(stop_distance, fee, risk.slippage, is_short)
    messages = {
        "trade_cap": f"loss at stop {stop_loss:.2f} > cap {cap:.2f}",
        "gap": f"loss at a {gap:.1%} gap exceeds {risk.gap_cap_multiple:g} x cap {cap:.2f}",
        "crash": f"open positions' loss in a correlated crash {account.open_crash_loss:.2f} "
        f"+ this entry's at a {gap:.1%} move exceeds {risk.crash_limit(account.equity):.2f} "
        f"({risk.crash_day_multiple:g} x daily limit)",
        "deployment": f"open stake {account.open_stake + stake:.2f} > "
        f"{risk.deploy_limit(account.equity):.2f} ({risk.max_deployed:.0%} of equity)",
        "reserve": f"free cash after entry {account.equity - account.open_stake - stake:.2f} < "
        f"reserve {risk.reserve_amount(account.starting_balance):.2f}",
    }
    violations = [
        f"{rule}: {messages[rule]}"
        for rule, bound in bounds.items()
        if stake > bound + REL_TOL * max(1.0, abs(bound))
    ]
    if leverage > risk.max_leverage * (1 + REL_TOL):
        violations.append(f"max_leverage: {leverage:g} > {risk.max_leverage:g}")
    return violations
