"""Fee per side (fraction of notional): every fee the pack assumes is looked up here.

Three sources, read nowhere else:

* ``config["fee"]``: what Freqtrade charges on every fill in backtesting and dry-run
  (``--fee``), when set;
* a per-pair table from config, for fees the account really pays and the market data does not
  list (e.g. ``stablecoin.fees``: 0 % promotions);
* the exchange's market data: ccxt's ``maker`` / ``taker`` rate of the market (Freqtrade's
  loaded markets live, the bundled snapshot offline).

:func:`charged_fee` is what a fill of a pair costs (config fee, else table, else market),
:func:`exchange_fee` the exchange's listed rate for a maker or a taker fill (a rule that prices
a maker entry and a taker exit reads this one), :func:`sizing_fee` the single rate the sizing
layer assumes for every whitelisted pair (the largest of them and ``risk.fee_rate``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal

from risk_protections.errors import PackConfigError

Liquidity = Literal["maker", "taker"]


def exchange_fee(market: Mapping[str, Any] | None, liquidity: Liquidity) -> float:
    """The exchange's listed ``liquidity`` fee of ``market``; PackConfigError if it has none."""
    rate = (market or {}).get(liquidity)
    if rate is None:
        symbol = (market or {}).get("symbol", "this pair")
        raise PackConfigError(f"The exchange lists no {liquidity} fee for {symbol}.")
    return float(rate)


def charged_fee(
    config: Mapping[str, Any],
    pair: str,
    *,
    table: Mapping[str, float] | None = None,
    table_key: str = "fees",
    market: Mapping[str, Any] | None = None,
    liquidity: Liquidity = "taker",
) -> float:
    """Fee per side of a fill of ``pair``: ``config["fee"]`` when set, else ``table[pair]``, else
    the market's ``liquidity`` fee. With a table and no market, a pair missing from the table
    is a PackConfigError naming ``table_key`` (fees are never assumed).
    """
    if config.get("fee") is not None:
        return float(config["fee"])
    if table is not None and pair in table:
        return float(table[pair])
    if market is None:
        raise PackConfigError(
            f"No fee for {pair} in config '{table_key}' (fees are never assumed)."
        )
    return exchange_fee(market, liquidity)


def sizing_fee(
    floor: float,
    config: Mapping[str, Any],
    markets: Mapping[str, Mapping[str, Any]],
    pairs: Iterable[str],
) -> float:
    """The fee per side sizing assumes: the largest of ``floor`` (``risk.fee_rate``),
    ``config["fee"]`` and the taker fee of every whitelisted pair whose market lists one.
    """
    fees = [floor, float(config.get("fee") or 0.0)]
    listed = [markets[p] for p in pairs if markets.get(p, {}).get("taker") is not None]
    return max(fees + [exchange_fee(market, "taker") for market in listed])
