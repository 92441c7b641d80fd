"""Measure the pairs' gaps (``pair_gaps``) from the candle files a bot or an audit has, and say
what they allow.

The moves come from the candles of the pair's data file in the data directory, read without
Freqtrade's fill-up of missing candles: a dry-run or live bot measures the whole file (every
crash on record); a backtest or hyperopt run measures only the candles before its timerange's
start (``run_history_end``), the history a bot started that day would have had, so no crash
after the start sizes a stake inside the run (no look-ahead; a run without a start measures
nothing). A
missing, empty or unreadable file, or one without candles before the end, gives no measurement,
and the pair is sized with the universe bound or the floor (fails closed).
A running bot measures each whitelisted pair without a file once from its dataprovider's candles
(``measure_new_pairs``; usually under ``MIN_HISTORY_DAYS``, so the universe bound again).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from freqtrade.configuration import TimeRange
from freqtrade.data.history import load_pair_history
from freqtrade.enums import CandleType, RunMode
from pandas import DataFrame

from risk_protections.config import RiskConfig
from risk_protections.pair_gaps import AdverseMoves, GapTable, adverse_moves, gap_table
from risk_protections.sizing import Account, stake_bounds

logger = logging.getLogger(__name__)

#: The rules that bound one position's notional before anything is open.
NOTIONAL_RULES = ("trade_cap", "gap", "crash", "deployment", "reserve")
#: The end of the history a run without a timerange start may measure: none of it.
NO_HISTORY = datetime.min.replace(tzinfo=UTC)


def history_end(timerange: str | TimeRange | None) -> datetime:
    """Where the gap history of a run over ``timerange`` ends: its start (``NO_HISTORY``
    without one)."""
    parsed = (
        timerange if isinstance(timerange, TimeRange) else TimeRange.parse_timerange(timerange)
    )
    return parsed.startdt if parsed.startdt is not None else NO_HISTORY


def run_history_end(config: dict[str, Any]) -> datetime | None:
    """A backtest's or hyperopt's ``history_end``; None (the whole file) in other run modes."""
    if config.get("runmode") not in (RunMode.BACKTEST, RunMode.HYPEROPT):
        return None
    return history_end(config.get("timerange"))


def measure_pairs(
    datadir: Path,
    pairs: Iterable[str],
    timeframe: str,
    trading_mode: str,
    data_format: str,
    end: datetime | None = None,
) -> dict[str, AdverseMoves | None]:
    """Each pair's ``AdverseMoves`` from its candle file, only candles opened before ``end``
    when given (None: no file, no valid candle)."""
    candle_type = CandleType.FUTURES if trading_mode == "futures" else CandleType.SPOT
    moves: dict[str, AdverseMoves | None] = {}
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
            if end is not None and not frame.empty:
                frame = frame[frame["date"] < end]
            moves[pair] = adverse_moves(frame, timeframe)
        except Exception:
            logger.exception(f"risk: could not measure the gap of {pair}; using the floor.")
            moves[pair] = None
    return moves


def config_gap_table(
    config: dict[str, Any],
    risk: RiskConfig,
    pairs: Iterable[str],
    timeframe: str,
    end: datetime | None = None,
) -> GapTable:
    """The ``GapTable`` of ``pairs`` from the data directory of a Freqtrade ``config``, from
    candles opened before ``end`` (None: the whole files)."""
    trading_mode = config.get("trading_mode") or "spot"
    datadir = config.get("datadir")
    if not datadir:
        exchange = config.get("exchange", {}).get("name", "binance")
        datadir = Path(config.get("user_data_dir", "user_data")) / "data" / exchange
    moves = measure_pairs(
        Path(datadir),
        pairs,
        timeframe,
        trading_mode,
        config.get("dataformat_ohlcv", "feather"),
        end,
    )
    return gap_table(moves, risk, trading_mode)


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


def measure_new_pairs(
    table: GapTable,
    pairs: Iterable[str],
    frame_of: Callable[[str], DataFrame],
    timeframe: str,
    risk: RiskConfig,
    trading_mode: str,
) -> GapTable:
    """``table`` with ``pairs`` it holds no candles for measured from ``frame_of(pair)`` (a
    running bot's dataprovider candles); a frame that fails to load counts as no candles."""
    fresh: dict[str, AdverseMoves | None] = {}
    for pair in pairs:
        if table.bound(pair).moves is not None:
            continue
        try:
            fresh[pair] = adverse_moves(frame_of(pair), timeframe)
        except Exception:
            logger.exception(f"risk: could not measure the gap of {pair}; using the floor.")
            fresh[pair] = None
    if not fresh:
        return table
    moves = {pair: bound.moves for pair, bound in table.bounds.items()} | fresh
    return gap_table(moves, risk, trading_mode)


def _when(at: Any) -> str:
    return f" at {at:%Y-%m-%d %H:%M}" if at is not None else ""
