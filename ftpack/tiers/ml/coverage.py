"""Startup check: every pair and timeframe FreqAI builds features from has candles.

FreqAI joins the features of every whitelisted pair and every ``include_corr_pairlist`` pair at
every ``include_timeframes`` timeframe into one row per candle and drops rows holding a NaN. A
pair/timeframe without candles makes every row NaN: each window then logs "all training data
dropped due to NaNs" and the run fails later with an unrelated error. This module names the
missing pair and timeframe before any training starts.

- Backtesting, hyperopt, plotting, webserver (candles from ``datadir``): each (pair, timeframe)
  needs candles in FreqAI's first training window ``[start - train_period_days, start)`` and in
  the run ``[start, stop)``, with ``start``/``stop`` from ``config["timerange"]`` (only a
  non-empty file is required when the timerange is open).
- Dry-run/live (candles from the exchange): every pair must be a market of the exchange.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from freqtrade.configuration import TimeRange
from freqtrade.data.history import load_pair_history
from freqtrade.enums import TRADE_MODES, CandleType

from risk_protections.errors import PackConfigError


def feature_pairs(config: dict[str, Any], whitelist: list[str]) -> list[tuple[str, str]]:
    """(pair, config key) for every pair FreqAI reads: the whitelist, then correlation pairs."""
    corr = config["freqai"]["feature_parameters"].get("include_corr_pairlist", [])
    named = [(p, "exchange.pair_whitelist") for p in whitelist]
    named += [(p, "freqai.feature_parameters.include_corr_pairlist") for p in corr]
    first_key: dict[str, str] = {}
    for pair, key in named:
        first_key.setdefault(pair, key)
    return list(first_key.items())


def feature_timeframes(config: dict[str, Any], timeframe: str) -> list[str]:
    """The strategy timeframe and every ``include_timeframes`` entry, without repeats."""
    extra = config["freqai"]["feature_parameters"].get("include_timeframes", [])
    return list(dict.fromkeys([timeframe, *extra]))


def _windows(config: dict[str, Any]) -> list[tuple[str, datetime, datetime]]:
    """(name, start, stop) of the ranges that must hold candles; empty for an open timerange."""
    timerange = TimeRange.parse_timerange(config.get("timerange"))
    if not (timerange.startts and timerange.stopts):
        return []
    start = datetime.fromtimestamp(timerange.startts, tz=UTC)
    stop = datetime.fromtimestamp(timerange.stopts, tz=UTC)
    train = start - timedelta(days=float(config["freqai"]["train_period_days"]))
    return [("FreqAI's first training window", train, start), ("the run", start, stop)]


def missing_candles(
    config: dict[str, Any], pair: str, timeframe: str, datadir: Path, candle_type: CandleType
) -> str | None:
    """Why ``pair`` at ``timeframe`` cannot feed FreqAI from ``datadir``; None when it can."""
    candles = load_pair_history(
        pair=pair,
        timeframe=timeframe,
        datadir=datadir,
        data_format=config.get("dataformat_ohlcv", "feather"),
        candle_type=candle_type,
    )
    where = f"{pair} {timeframe} {candle_type.value} candles in {datadir}"
    if candles.empty:
        return f"no {where}"
    dates = candles["date"]
    for name, begin, end in _windows(config):
        if not ((dates >= begin) & (dates < end)).any():
            return (
                f"no {where} in {name} {begin:%Y-%m-%d %H:%M} -> {end:%Y-%m-%d %H:%M} UTC "
                f"(the file holds {dates.iloc[0]:%Y-%m-%d %H:%M} -> "
                f"{dates.iloc[-1]:%Y-%m-%d %H:%M})"
            )
    return None


def check_feature_data(
    config: dict[str, Any], whitelist: list[str], timeframe: str, exchange: Any | None
) -> None:
    """Raise PackConfigError naming the key, pair and timeframe FreqAI would lack."""
    pairs = feature_pairs(config, whitelist)
    if config.get("runmode") in TRADE_MODES:
        markets = exchange.markets if exchange is not None else {}
        absent = [(p, key) for p, key in pairs if markets and p not in markets]
        if absent:
            pair, key = absent[0]
            raise PackConfigError(f"{key}: {pair} is not a market of the exchange.")
        return
    candle_type = CandleType.get_default(config.get("trading_mode", "spot"))
    datadir = Path(config["datadir"])
    for pair, key in pairs:
        for tf in feature_timeframes(config, timeframe):
            reason = missing_candles(config, pair, tf, datadir, candle_type)
            if reason:
                raise PackConfigError(
                    f"{key}: FreqAI needs {pair} at {tf}, but there are {reason}. Download "
                    f"them (freqtrade download-data --pairs {pair} -t {tf} "
                    f"--trading-mode {config.get('trading_mode', 'spot')}) or remove the pair."
                )
