"""Startup checks of the risk config against the exchange's markets.

* per-trade cap >= loss of a minimum-size order at the strategy stop:
  ``limits.cost.min * k(|stoploss|, fee, slippage)`` at leverage 1 (widest price stop);
* futures: ``risk.max_leverage`` <= the market's maximum leverage (lowest tier).
"""

from __future__ import annotations

from typing import Any

from risk_protections.config import RiskConfig
from risk_protections.errors import PackConfigError
from risk_protections.sizing import loss_per_notional


def validate_markets(
    risk: RiskConfig, exchange: Any, pairs: list[str], *, wallet: float, stoploss: float
) -> None:
    """Raise PackConfigError naming the risk key that no whitelisted market can satisfy."""
    cap = risk.trade_cap(wallet, wallet)
    if "risk_per_trade_abs" in risk.absolute:
        cap_key = "risk_per_trade_abs"
    else:
        cap_key = "capital_phases" if risk.capital_phases else "risk_per_trade"
    futures = exchange.trading_mode.value == "futures"
    per_notional = loss_per_notional(abs(stoploss), risk.fee_rate, risk.slippage, False)
    for pair in pairs:
        market = exchange.markets.get(pair)
        if market is None:
            continue
        min_cost = ((market.get("limits") or {}).get("cost") or {}).get("min")
        if min_cost and min_cost * per_notional > cap:
            raise PackConfigError(
                f"risk.{cap_key}: per-trade cap {cap:.2f} is smaller than the loss "
                f"{min_cost * per_notional:.2f} of a minimum-size {pair} order "
                f"({min_cost:g} notional) at its stop {abs(stoploss):.2%}."
            )
        if futures:
            market_max = exchange.get_max_leverage(pair, 0)
            if risk.max_leverage > market_max:
                raise PackConfigError(
                    f"risk.max_leverage: {risk.max_leverage:g} is above the maximum leverage "
                    f"{market_max:g} of {pair}."
                )
