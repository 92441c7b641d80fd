"""Position additions (``adjust_trade_position``, DCA) capped so the whole position stays within
the per-trade cap at its stop, and within the account's deployment cap and reserve.

A position of amount ``A`` (base) at average entry ``ā``, stop price ``P``, stop-fill slippage
``s`` and fee ``f`` per side, that already realized ``R`` (partial exits), loses at its stop

    long:  L(X) = (1+f)·(A·ā + X) − (1−f)·(A + X/p)·P·(1−s) − R
    short: L(X) = (1+f)·(A + X/p)·P·(1+s) − (1−f)·(A·ā + X) − R

after adding notional ``X`` at price ``p`` (all entry fees and the exit fee counted, as the
sizing's ``k`` does for a new trade). ``L`` is linear in ``X``: the largest addition is
``X = (cap − L(0)) / L'`` while ``L' > 0``, none when the stop is already past (``L' ≤ 0``).
The addition's stake ``X / leverage`` is further bounded by the gap rule (the whole position's
loss if the price gaps ``gap`` from ``p``, no slippage, at most ``gap_cap_multiple · cap``: the
same ``L`` with ``P = p·(1∓gap)``, ``gap`` the pair's measured gap known now, as
``sizing.stake_bounds`` bounds a new trade), by the correlated crash (the open positions, this
one included, plus the addition in their worst hours at once), by the account's deployment cap
and reserve, and no addition is placed while a lock rule holds.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from risk_protections.account import account_lock_violations
from risk_protections.sizing import stake_bounds

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Position:
    """An open position as the cap reads it (stake currency, base amounts, prices)."""

    amount: float
    average: float
    stop: float
    realized: float
    leverage: float
    is_short: bool


def loss_at_stop(
    pos: Position, add_notional: float, price: float, fee: float, slip: float
) -> float:
    """``L(X)``: the position's loss at its stop after adding ``add_notional`` at ``price``."""
    amount = pos.amount + add_notional / price
    cost = pos.amount * pos.average + add_notional
    if pos.is_short:
        fill = pos.stop * (1 + slip)
        return (1 + fee) * amount * fill - (1 - fee) * cost - pos.realized
    fill = pos.stop * (1 - slip)
    return (1 + fee) * cost - (1 - fee) * amount * fill - pos.realized


def max_addition(pos: Position, price: float, fee: float, slip: float, cap: float) -> float:
    """The largest stake (margin) to add at ``price`` with ``L(X) <= cap``; 0.0 for none."""
    base = loss_at_stop(pos, 0.0, price, fee, slip)
    slope = loss_at_stop(pos, 1.0, price, fee, slip) - base
    if slope <= 0 or base >= cap:
        return 0.0
    return (cap - base) / slope / pos.leverage


def position_of(trade: Any) -> Position:
    """The cap's view of a Freqtrade trade: ``open_rate`` is its average entry."""
    return Position(
        amount=float(trade.amount),
        average=float(trade.open_rate),
        stop=float(trade.stop_loss),
        realized=float(trade.realized_profit or 0.0),
        leverage=float(trade.leverage or 1.0),
        is_short=bool(trade.is_short),
    )


def addition_bound(strategy: Any, trade: Any, now: datetime, price: float) -> tuple[float, str]:
    """The largest stake a ``RiskManagedMixin`` strategy may add to ``trade`` now, and the rule
    that binds it (per-trade cap of the whole position, gap, crash, deployment, reserve or a
    lock)."""
    risk = strategy.risk_config
    view = strategy.risk_account(now)
    locks = account_lock_violations(risk, view)
    if locks:
        return 0.0, "; ".join(locks)
    snap = view.snapshot
    pos = position_of(trade)
    distance = (pos.stop - price) / price if pos.is_short else (price - pos.stop) / price
    if not distance > 0:
        return 0.0, "stop_distance: the price is at or past the stop"
    fee = strategy.risk_fee()
    gaps = strategy.risk_gaps_at(now)
    gap = gaps.gap(trade.pair, pos.is_short)
    bounds, cap = stake_bounds(
        risk,
        strategy.risk_sizing_account(snap, gaps),
        stop_distance=distance,
        leverage=pos.leverage,
        is_short=pos.is_short,
        fee=fee,
        trading_mode=strategy.config.get("trading_mode", "spot"),
        pair=trade.pair,
        gap=gap,
    )
    gapped = replace(pos, stop=price * (1 + gap if pos.is_short else 1 - gap))
    limits = {
        "trade_cap": max_addition(pos, price, fee, risk.slippage, cap),
        "gap": max_addition(gapped, price, fee, 0.0, risk.gap_cap_multiple * cap),
        "crash": bounds["crash"],
        "deployment": bounds["deployment"],
        "reserve": bounds["reserve"],
    }
    rule = min(limits, key=lambda name: limits[name])
    return max(limits[rule], 0.0), f"{rule} (bound {limits[rule]:.2f})"


def capped_adjustment(adjust: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a strategy's ``adjust_trade_position`` (called by Freqtrade with keywords): an
    addition above ``addition_bound`` is cut to it, or dropped below ``min_stake``; reductions
    pass unchanged; an error refuses the addition."""

    @functools.wraps(adjust)
    def adjust_trade_position(self: Any, *args: Any, **kwargs: Any) -> Any:
        result = adjust(self, *args, **kwargs)
        stake, tag = result if isinstance(result, tuple) else (result, None)
        if stake is None or stake <= 0:
            return result
        trade = kwargs["trade"]
        try:
            bound, rule = addition_bound(
                self, trade, kwargs["current_time"], kwargs["current_rate"]
            )
        except Exception:
            logger.exception(f"risk: position addition check failed for {trade.pair}; none.")
            bound, rule = 0.0, "error"
        if stake > bound:
            wanted = stake
            min_stake = kwargs.get("min_stake")
            stake = bound * (1 - 1e-9)
            if stake <= 0 or (min_stake is not None and stake < min_stake):
                stake = None
            logger.info(
                f"risk: addition to {trade.pair} cut from {wanted:.2f} to "
                f"{stake or 0.0:.2f}: {rule}."
            )
        return (stake, tag) if isinstance(result, tuple) else stake

    return adjust_trade_position
