"""Line up the basket's candles on one pair's candle dates.

The basket is every ``<COIN>/<QUOTE>`` pair being traded; a configured direct cross ``A/B``
(both A and B in the basket) adds a traded cross rate for A against B and, inverted, for B
against A. Only closes of candles that traded are used (:func:`traded_close`); a pair with no
candle at a date gives NaN there.
"""

from __future__ import annotations

import pandas as pd

from ftpack.tiers.stablecoin.fair_value import traded_close


def base_quote(pair: str) -> tuple[str, str]:
    """``"USDC/USDT"`` → ``("USDC", "USDT")`` (a ``:settle`` suffix is dropped)."""
    base, quote = pair.split(":")[0].split("/")
    return base, quote


def on_dates(dates: pd.Series, candles: pd.DataFrame | None) -> pd.Series:
    """Traded closes of ``candles`` at ``dates`` (NaN where missing), indexed like ``dates``."""
    if candles is None or candles.empty:
        return pd.Series(float("nan"), index=dates.index)
    closes = pd.Series(traded_close(candles).to_numpy(), index=candles["date"])
    return pd.Series(closes.reindex(dates.to_numpy()).to_numpy(), index=dates.index)


def basket_closes(
    dataframe: pd.DataFrame, pair: str, others: dict[str, pd.DataFrame | None]
) -> pd.DataFrame:
    """One column per basket pair (``pair`` first) of traded closes on ``dataframe``'s dates."""
    columns = {pair: traded_close(dataframe)}
    for other, candles in others.items():
        if other != pair:
            columns[other] = on_dates(dataframe["date"], candles)
    return pd.DataFrame(columns, index=dataframe.index)


def direct_crosses(
    dataframe: pd.DataFrame, pair: str, crosses: dict[str, pd.DataFrame | None]
) -> dict[str, pd.Series]:
    """Traded rates of ``pair``'s coin per other coin, keyed by the other coin's basket pair."""
    coin, quote = base_quote(pair)
    rates: dict[str, pd.Series] = {}
    for cross, candles in crosses.items():
        base, counter = base_quote(cross)
        rate = on_dates(dataframe["date"], candles)
        if base == coin:
            rates[f"{counter}/{quote}"] = rate
        elif counter == coin:
            rates[f"{base}/{quote}"] = 1.0 / rate
    return rates
