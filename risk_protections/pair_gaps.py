"""Worst adverse price moves per pair, measured from its candles, and the gap each pair is sized
with.

For one pair's OHLCV candles of timeframe ``tf`` (rows with a missing, non-finite or non-positive
price, or zero volume — no trade, or a filled-up missing candle repeating a stale close — are
left out; missing candles are not filled), with ``n = max(1, 1h / tf)``:

* worst candle, long:   ``candle_down = max_t (open_t - low_t) / open_t``;
* worst candle, short:  ``candle_up   = max_t (high_t - open_t) / open_t``;
* worst hour, long:     ``hour_down = max_t (open_t - min(low_t .. low_{t+n-1})) / open_t``;
* worst hour, short:    ``hour_up   = max_t (max(high_t .. high_{t+n-1}) - open_t) / open_t``,

the hour windows running over the ``n`` timeframe slots from ``t`` on (a missing candle inside
the window is skipped, never filled). ``hour >= candle`` on every side. ``days`` is the history
measured (valid candles times ``tf``).

The gap a position on a pair is sized with (``GapBound``), per side:

* the owner's ``risk.gap.pairs[pair]`` when set (both sides, both horizons);
* else, with at least ``MIN_HISTORY_DAYS`` of history: ``max(floor, hour)`` where ``floor`` is
  ``risk.gap[spot|futures]`` (source ``measured``, or ``floor`` when the floor is larger);
* else (short, empty or unreadable history): ``max(floor, worst hour of every pair with enough
  history)`` (source ``universe``), or the floor alone when no pair has enough history.

The single-position gap is the worst *hour*, not the worst candle: a spot stop-limit whose limit
price a candle trades through stays unfilled while the fall goes on, so the move a position can
suffer runs past its candle. The same hour is what every open position suffers at once in the
correlated crash (``crash``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from freqtrade.exchange import timeframe_to_seconds

from risk_protections.config import RiskConfig

#: Pairs with less measured history than this take the universe's worst hour (or the floor).
MIN_HISTORY_DAYS = 30.0
HOUR_SECONDS = 3600


@dataclass(frozen=True)
class AdverseMoves:
    """A pair's worst measured adverse moves (price fractions) and the history they cover."""

    candle_down: float
    candle_up: float
    hour_down: float
    hour_up: float
    days: float
    #: When the worst candle / the worst hour of each side started (UTC).
    candle_down_at: pd.Timestamp | None = None
    candle_up_at: pd.Timestamp | None = None
    hour_down_at: pd.Timestamp | None = None
    hour_up_at: pd.Timestamp | None = None


@dataclass(frozen=True)
class GapBound:
    """The adverse move a position is sized with: ``long`` / ``short`` (price fractions), and
    where it comes from (``override``, ``measured``, ``floor``, ``universe``)."""

    long: float
    short: float
    source: str
    moves: AdverseMoves | None = None

    def for_side(self, is_short: bool) -> float:
        return self.short if is_short else self.long

    def source_for(self, is_short: bool, floor: float) -> str:
        """Where the side's bound comes from: a measured pair at the floor says ``floor``."""
        if self.source == "measured" and self.for_side(is_short) <= floor:
            return "floor"
        return self.source


def adverse_moves(frame: pd.DataFrame, timeframe: str) -> AdverseMoves | None:
    """The worst moves of ``frame`` (columns date, open, high, low); None without a valid candle."""
    if frame is None or frame.empty:
        return None
    prices = frame[["open", "high", "low"]].apply(pd.to_numeric, errors="coerce")
    valid = np.isfinite(prices.to_numpy(dtype=float)).all(axis=1) & (prices > 0).all(axis=1)
    if "volume" in frame:
        valid &= pd.to_numeric(frame["volume"], errors="coerce").fillna(0).to_numpy() != 0
    if not valid.any():
        return None
    step = pd.Timedelta(seconds=timeframe_to_seconds(timeframe))
    dates = pd.to_datetime(frame.loc[valid, "date"], utc=True)
    candles = prices[valid].set_index(dates)
    candles = candles[~candles.index.duplicated(keep="first")].sort_index()
    grid = candles.reindex(pd.date_range(candles.index[0], candles.index[-1], freq=step))
    window = max(1, HOUR_SECONDS // int(step.total_seconds()))
    # forward-looking window [t, t + n): roll over the reversed series
    low_ahead = grid["low"][::-1].rolling(window, min_periods=1).min()[::-1]
    high_ahead = grid["high"][::-1].rolling(window, min_periods=1).max()[::-1]
    opens = grid["open"]
    candle_down, candle_down_at = _worst((opens - grid["low"]) / opens)
    candle_up, candle_up_at = _worst((grid["high"] - opens) / opens)
    hour_down, hour_down_at = _worst((opens - low_ahead) / opens)
    hour_up, hour_up_at = _worst((high_ahead - opens) / opens)
    return AdverseMoves(
        candle_down=candle_down,
        candle_up=candle_up,
        hour_down=hour_down,
        hour_up=hour_up,
        days=len(candles) * step.total_seconds() / 86400,
        candle_down_at=candle_down_at,
        candle_up_at=candle_up_at,
        hour_down_at=hour_down_at,
        hour_up_at=hour_up_at,
    )


def _worst(moves: pd.Series) -> tuple[float, pd.Timestamp | None]:
    """The largest move (0 when none is positive) and the time of its candle."""
    if not moves.notna().any():
        return 0.0, None
    at = moves.idxmax(skipna=True)
    worst = float(moves[at])
    return (worst, at) if worst > 0 else (0.0, None)


def gap_bounds(
    moves: Mapping[str, AdverseMoves | None], risk: RiskConfig, trading_mode: str
) -> dict[str, GapBound]:
    """The gap each pair of ``moves`` is sized with (rules in the module docstring)."""
    universe = universe_bound(moves, risk, trading_mode)
    floor = risk.gap_for(trading_mode)
    bounds: dict[str, GapBound] = {}
    for pair, measured in moves.items():
        if pair in risk.gap_pairs:
            override = risk.gap_pairs[pair]
            bounds[pair] = GapBound(override, override, "override", measured)
        elif measured is None or measured.days < MIN_HISTORY_DAYS:
            bounds[pair] = GapBound(universe.long, universe.short, universe.source, measured)
        else:
            long, short = max(floor, measured.hour_down), max(floor, measured.hour_up)
            source = "measured" if max(measured.hour_down, measured.hour_up) > floor else "floor"
            bounds[pair] = GapBound(long, short, source, measured)
    return bounds


def universe_bound(
    moves: Mapping[str, AdverseMoves | None], risk: RiskConfig, trading_mode: str
) -> GapBound:
    """The bound of a pair without enough history: the floor or, when larger, the worst hour of
    every pair with at least ``MIN_HISTORY_DAYS`` of history (owner overrides left out)."""
    floor = risk.gap_for(trading_mode)
    known = [
        m
        for pair, m in moves.items()
        if m is not None and m.days >= MIN_HISTORY_DAYS and pair not in risk.gap_pairs
    ]
    long = max([floor, *(m.hour_down for m in known)])
    short = max([floor, *(m.hour_up for m in known)])
    return GapBound(long, short, "universe" if known else "floor")


@dataclass(frozen=True)
class GapTable:
    """Every pair's ``GapBound``; a pair it was not measured for gets the owner's override or
    the universe bound (short history)."""

    bounds: Mapping[str, GapBound]
    universe: GapBound
    overrides: Mapping[str, float]
    floor: float

    def bound(self, pair: str) -> GapBound:
        if pair in self.bounds:
            return self.bounds[pair]
        if pair in self.overrides:
            return GapBound(self.overrides[pair], self.overrides[pair], "override")
        return self.universe

    def gap(self, pair: str, is_short: bool) -> float:
        return self.bound(pair).for_side(is_short)


def gap_table(
    moves: Mapping[str, AdverseMoves | None], risk: RiskConfig, trading_mode: str
) -> GapTable:
    """The ``GapTable`` of the measured ``moves`` under ``risk``."""
    return GapTable(
        gap_bounds(moves, risk, trading_mode),
        universe_bound(moves, risk, trading_mode),
        dict(risk.gap_pairs),
        risk.gap_for(trading_mode),
    )
