"""Measure the pairs' gaps (``pair_gaps``) from the candle files a bot or an audit has and from
the candles a running bot receives, and say what they allow.

The recorded moves come from every candle of the pair's data file in the data directory, read
without Freqtrade's fill-up of missing candles, as a ``MoveHistory``: sizing asks for the moves
known at the moment of the entry, so a backtest or hyperopt run sizes each trade with the crashes
before it (none after: no look-ahead) and a dry-run or live bot with every crash on record. A
missing, empty or unreadable file gives no measurement, and the pair is sized with the universe
bound or the floor (fails closed). A running bot adds the candles its dataprovider receives after
the recorded ones (``add_received``), so a crash it lives through sizes its next entries.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from freqtrade.configuration import TimeRange
from freqtrade.data.history import load_pair_history
from freqtrade.enums import CandleType, RunMode
from pandas import DataFrame

from risk_protections.config import RiskConfig
from risk_protections.pair_gaps import GapHistory, GapTable, MoveHistory, move_history
from risk_protections.sizing import Account, stake_bounds

logger = logging.getLogger(__name__)

#: The rules that bound one position's notional before anything is open.
NOTIONAL_RULES = ("trade_cap", "gap", "crash", "deployment", "reserve")
#: The start of a backtest without a timerange start: no candle is known yet.
NO_HISTORY = datetime.min.replace(tzinfo=UTC)
#: The columns a received candle keeps.
CANDLE_COLUMNS = ["date", "open", "high", "low", "close", "volume"]


def run_start(config: dict[str, Any]) -> datetime:
    """The moment a run starts: a backtest's or hyperopt's timerange start (``NO_HISTORY``
    without one), now for a dry-run or live bot."""
    if config.get("runmode") not in (RunMode.BACKTEST, RunMode.HYPEROPT):
        return datetime.now(UTC)
    timerange = config.get("timerange")
    parsed = (
        timerange if isinstance(timerange, TimeRange) else TimeRange.parse_timerange(timerange)
    )
    return parsed.startdt if parsed.startdt is not None else NO_HISTORY


def measure_pairs(
    datadir: Path, pairs: Iterable[str], timeframe: str, trading_mode: str, data_format: str
) -> dict[str, MoveHistory | None]:
    """Each pair's ``MoveHistory`` from its candle file (None: no file, no valid candle)."""
    candle_type = CandleType.FUTURES if trading_mode == "futures" else CandleType.SPOT
    moves: dict[str, MoveHistory | None] = {}
    for pair in pairs:
        try:
            frame = load_pair_history(
                pair=pair,
                timeframe=timeframe,
                datadir=datadir,
                candle_type=candle_type,
                data_format=data_format,
                fill_up_missing=False,
            )
            moves[pair] = move_history(frame, timeframe)
        except Exception:
            logger.exception(f"risk: could not measure the gap of {pair}; using the floor.")
            moves[pair] = None
    return moves


def data_directory(config: dict[str, Any]) -> Path:
    """``config["datadir"]``, else ``<user_data_dir>/data/<exchange>``."""
    if config.get("datadir"):
        return Path(config["datadir"])
    exchange = config.get("exchange", {}).get("name", "binance")
    return Path(config.get("user_data_dir", "user_data")) / "data" / exchange


def config_gap_history(
    config: dict[str, Any], risk: RiskConfig, pairs: Iterable[str], timeframe: str
) -> GapHistory:
    """The ``GapHistory`` of ``pairs`` from the data directory of a Freqtrade ``config``."""
    trading_mode = config.get("trading_mode") or "spot"
    recorded = measure_pairs(
        data_directory(config),
        pairs,
        timeframe,
        trading_mode,
        config.get("dataformat_ohlcv", "feather"),
    )
    return GapHistory(recorded, {}, risk, trading_mode)


def max_notional(
    risk: RiskConfig,
    balance: float,
    *,
    gap: float,
    stop_distance: float,
    fee: float,
    is_short: bool,
    leverage: float = 1.0,
    any_stop: bool = False,
) -> tuple[float, str]:
    """Largest notional of a first position on a fresh account of ``balance`` (and its rule);
    ``any_stop`` leaves the stop rule out (the bound for every stop distance)."""
    bounds, _ = stake_bounds(
        risk,
        Account(balance, balance, 0.0),
        stop_distance=stop_distance,
        leverage=leverage,
        is_short=is_short,
        fee=fee,
        trading_mode="spot",
        gap=gap,
    )
    rules = [name for name in NOTIONAL_RULES if not (any_stop and name == "trade_cap")]
    rule = min(rules, key=lambda name: bounds[name])
    return bounds[rule] * leverage, rule


def gap_lines(
    table: GapTable,
    pairs: Iterable[str],
    risk: RiskConfig,
    balance: float,
    *,
    stop_distance: float,
    fee: float,
    currency: str = "",
) -> list[str]:
    """One line per pair: its gap per side, where it comes from, and the max notional it allows."""
    unit = f" {currency}" if currency else ""
    lines = []
    for pair in pairs:
        bound = table.bound(pair)
        moves = bound.moves
        seen = (
            f"over {moves.days:.0f} days; worst candle -{moves.candle_down:.1%}"
            f"{_when(moves.candle_down_at)} / +{moves.candle_up:.1%}; worst hour "
            f"-{moves.hour_down:.1%}{_when(moves.hour_down_at)}"
            if moves is not None
            else "no candles measured"
        )
        long, rule = max_notional(
            risk, balance, gap=bound.long, stop_distance=stop_distance, fee=fee, is_short=False
        )
        lines.append(
            f"gap {pair}: long {bound.long:.1%}, short {bound.short:.1%} ({bound.source}, {seen});"
            f" max long notional {long:.2f}{unit} on a {balance:.2f}{unit} account (rule {rule})"
        )
    return lines


def add_received(
    history: GapHistory,
    kept: dict[str, DataFrame],
    pairs: Iterable[str],
    frame_of: Callable[[str], DataFrame],
    timeframe: str,
) -> GapHistory:
    """``history`` with the candles a running bot received for ``pairs`` (``frame_of(pair)``:
    its dataprovider's closed candles) after the recorded ones and the ones ``kept`` so far
    (appended to ``kept`` in place); a frame that fails to load adds nothing."""
    received: dict[str, MoveHistory | None] = {}
    for pair in pairs:
        try:
            frame = frame_of(pair)
        except Exception:
            logger.exception(f"risk: could not read {pair}'s candles for its gap; kept the last.")
            continue
        if frame is None or frame.empty:
            continue
        old = kept.get(pair)
        after = old["date"].iloc[-1] if old is not None else history.recorded_end(pair)
        if after is not None and frame["date"].iloc[-1] <= after:
            continue  # no candle since the last loop
        columns = [c for c in CANDLE_COLUMNS if c in frame]
        new = frame.loc[frame["date"] > after, columns] if after is not None else frame[columns]
        if new.empty:
            continue
        kept[pair] = pd.concat([old, new], ignore_index=True) if old is not None else new
        received[pair] = move_history(kept[pair], timeframe)
    if not received:
        return history
    return replace(history, received={**history.received, **received})


def _when(at: Any) -> str:
    return f" at {at:%Y-%m-%d %H:%M}" if at is not None else ""
