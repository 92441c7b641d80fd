"""Fee per side (fraction of notional): every fee the pack assumes is looked up here.

Three sources, read nowhere else:

* ``config["fee"]``: what Freqtrade charges on every fill in backtesting and dry-run
  (``--fee``), when set;
* a per-pair table from config, for fees the account really pays and the market data does not
  list (e.g. ``stablecoin.fees``: 0 % promotions). Each entry is a number (the same fee at
  every time) or a dated schedule (:func:`parse_fee_schedule`): one period
  ``{"maker": 0.0, "taker": 0.0, "since": "2023-06-30", "until": null, "source": "…"}`` or a
  list of non-overlapping periods (``since`` inclusive, ``until`` exclusive, UTC; a missing
  bound is open). A fill pays the period in force at its time; a live bot asks for "now"
  (the current UTC time), so a promotion's end date entered in the config takes effect on
  that day without a restart, and a time no period covers is a PackConfigError (fees are
  never assumed);
* the exchange's market data: ccxt's ``maker`` / ``taker`` rate of the market (Freqtrade's
  loaded markets live, the bundled snapshot offline).

:func:`charged_fee` is what a fill of a pair costs (config fee, else table, else market),
:func:`exchange_fee` the exchange's listed rate for a maker or a taker fill (a rule that prices
a maker entry and a taker exit reads this one), :func:`sizing_fee` the single rate the sizing
layer assumes for every whitelisted pair (the largest of them and ``risk.fee_rate``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any, Literal

import pandas as pd

from risk_protections.errors import PackConfigError

Liquidity = Literal["maker", "taker"]
MAX_FEE = 0.1


@dataclass(frozen=True)
class FeePeriod:
    """Maker and taker fee per side from ``since`` (inclusive) to ``until`` (exclusive), UTC."""

    maker: float
    taker: float
    since: datetime | None = None
    until: datetime | None = None
    source: str = ""

    def rate(self, liquidity: Liquidity) -> float:
        return self.maker if liquidity == "maker" else self.taker

    def covers(self, when: datetime) -> bool:
        return (self.since is None or self.since <= when) and (
            self.until is None or when < self.until)

    def overlaps(self, start: datetime, end: datetime) -> bool:
        """Does the period share any time with ``[start, end)``?"""
        return (self.since is None or self.since < end) and (
            self.until is None or start < self.until)


FeeSchedule = tuple[FeePeriod, ...]


def _utc(value: Any, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError) as err:
        raise PackConfigError(f"{name}: not a date, got {value!r}.") from err
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return stamp.to_pydatetime()


def _rate(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < MAX_FEE:
        raise PackConfigError(f"{name}: must be a fee per side with 0 <= fee < {MAX_FEE}, "
                              f"got {value!r}.")
    return float(value)


def parse_fee_schedule(raw: Any, name: str) -> FeeSchedule:
    """A per-pair fee entry (number, period or list of periods; module docstring) as periods
    in time order; overlapping periods, bad dates or rates are a PackConfigError naming ``name``.
    """
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        rate = _rate(raw, name)
        return (FeePeriod(rate, rate),)
    items = raw if isinstance(raw, list) else [raw]
    periods = []
    for i, item in enumerate(items):
        key = f"{name}[{i}]" if isinstance(raw, list) else name
        if not isinstance(item, Mapping):
            raise PackConfigError(f"{key}: must be a fee or {{maker, taker, since, until, "
                                  f"source}}, got {item!r}.")
        unknown = sorted(set(item) - {"maker", "taker", "since", "until", "source"})
        if unknown or "maker" not in item or "taker" not in item:
            raise PackConfigError(f"{key}: needs maker and taker (and optional since, until, "
                                  f"source), got keys {sorted(item)}.")
        period = FeePeriod(_rate(item["maker"], f"{key}.maker"),
                           _rate(item["taker"], f"{key}.taker"),
                           _utc(item.get("since"), f"{key}.since"),
                           _utc(item.get("until"), f"{key}.until"), str(item.get("source", "")))
        if period.since and period.until and period.since >= period.until:
            raise PackConfigError(f"{key}: since must be before until.")
        periods.append(period)
    periods.sort(key=lambda p: p.since or datetime.min.replace(tzinfo=UTC))
    for earlier, later in pairwise(periods):
        if earlier.until is None or later.since is None or later.since < earlier.until:
            raise PackConfigError(f"{name}: fee periods overlap.")
    return tuple(periods)


def scheduled_fee(schedule: FeeSchedule, when: datetime, liquidity: Liquidity,
                  name: str = "fees") -> float:
    """The ``liquidity`` fee of the period in force at ``when``."""
    when = _utc(when, name) or datetime.now(UTC)
    for period in schedule:
        if period.covers(when):
            return period.rate(liquidity)
    raise PackConfigError(f"{name}: no fee period covers {when:%Y-%m-%d %H:%M} UTC "
                          "(fees are never assumed).")


def largest_fee(schedule: FeeSchedule, start: datetime, end: datetime,
                liquidity: Liquidity, name: str = "fees") -> float:
    """The largest ``liquidity`` fee in force at any time of ``[start, end)``; every moment of
    it must be covered by a period (PackConfigError otherwise)."""
    rates: list[float] = []
    covered = start
    for period in schedule:
        if period.overlaps(start, end):
            if period.since is not None and period.since > covered:
                break
            rates.append(period.rate(liquidity))
            covered = period.until or end
    if covered < end:
        raise PackConfigError(f"{name}: no fee period covers {covered:%Y-%m-%d %H:%M} UTC "
                              "(fees are never assumed).")
    return max(rates)


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
    table: Mapping[str, float | FeeSchedule] | None = None,
    table_key: str = "fees",
    market: Mapping[str, Any] | None = None,
    liquidity: Liquidity = "taker",
    when: datetime | None = None,
) -> float:
    """Fee per side of a fill of ``pair`` at ``when`` (default: now): ``config["fee"]`` when
    set, else ``table[pair]`` (its period in force at ``when`` for a schedule), else the
    market's ``liquidity`` fee. With a table and no market, a pair missing from the table is a
    PackConfigError naming ``table_key`` (fees are never assumed).
    """
    if config.get("fee") is not None:
        return float(config["fee"])
    if table is not None and pair in table:
        entry = table[pair]
        if isinstance(entry, tuple):
            return scheduled_fee(entry, when or datetime.now(UTC), liquidity,
                                 f"{table_key}.{pair}")
        return float(entry)
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
