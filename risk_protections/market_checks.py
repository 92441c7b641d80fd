"""Startup checks of the risk config against the exchange's markets.

* per-trade cap >= loss of a minimum-size order at the strategy stop:
  ``limits.cost.min * k(|stoploss|, fee, slippage)`` at leverage 1 (widest price stop);
* futures: ``risk.max_leverage`` <= the market's maximum leverage (lowest tier), judged when
  the maximum is known: always in the run modes that trade (dry-run, live, backtesting,
  hyperopt: Freqtrade loads the leverage tiers there and caps leverage by them), elsewhere only
  if the exchange has leverage tiers loaded. ``plot-dataframe`` and ``webserver`` build their
  exchange without tiers, and Freqtrade's ``get_max_leverage`` then answers 1 for every pair.
"""

from __future__ import annotations

from typing import Any

from freqtrade.enums import NON_UTIL_MODES

from risk_protections.config import RiskConfig
from risk_protections.errors import PackConfigError
from risk_protections.sizing import loss_per_notional


def leverage_known(exchange: Any) -> bool:
    """True when ``exchange.get_max_leverage`` reflects the market: a trading run mode, or
    leverage tiers loaded (Freqtrade loads them only where it trades)."""
    return exchange._config.get("runmode") in NON_UTIL_MODES or bool(exchange._leverage_tiers)


def validate_markets(
    risk: RiskConfig, exchange: Any, pairs: list[str], *, wallet: float, stoploss: float
) -> None:
    """Raise PackConfigError naming the risk key that no whitelisted market can satisfy."""
    cap = risk.trade_cap(wallet, wallet)
    if "risk_per_trade_abs" in risk.absolute:
        cap_key = "risk_per_trade_abs"
    else:
        cap_key = "capital_phases" if risk.capital_phases else "risk_per_trade"
    futures = exchange.trading_mode.value == "futures" and leverage_known(exchange)
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
