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

The moves are known point in time (``MoveHistory.at(when)``): a move that reached its extreme in
candle ``u`` counts from ``u``'s close on. A backtest sizes each trade with the crashes before its
entry and none after; a running bot with every crash in its data files and in the candles it has
received since (``GapHistory``).

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

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

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


@dataclass(frozen=True)
class _Side:
    """One move's per-slot values (``-inf`` where no candle) and their running worst."""

    values: np.ndarray
    running: np.ndarray
    running_at: np.ndarray  # slot of the running worst (first occurrence)

    @classmethod
    def of(cls, values: np.ndarray) -> _Side:
        filled = np.where(np.isfinite(values), values, -np.inf)
        running = np.maximum.accumulate(filled)
        previous = np.concatenate(([-np.inf], running[:-1]))
        slots = np.where(filled > previous, np.arange(len(filled)), 0)
        return cls(filled, running, np.maximum.accumulate(slots))


@dataclass(frozen=True)
class MoveHistory:
    """A pair's adverse moves as they became known: ``at(when)`` gives the ``AdverseMoves`` of
    the candles closed by ``when`` (a move through candle ``u`` is known when ``u`` closes), so
    a backtest sizes a trade with the crashes before it and none after."""

    slots: pd.DatetimeIndex  # every timeframe slot from the first to the last valid candle
    closes: pd.DatetimeIndex  # each slot's close, when its moves become known
    step: pd.Timedelta
    window: int
    opens: np.ndarray
    valid: np.ndarray  # running count of valid candles
    candle_down: _Side
    candle_up: _Side
    hour_down: _Side
    hour_up: _Side

    def at(self, when: datetime | None = None) -> AdverseMoves | None:
        """The moves known at ``when`` (None: every candle); None before the first close."""
        closed = len(self.closes) if when is None else self.closes.searchsorted(when, "right")
        last = int(closed) - 1
        if last < 0 or self.valid[last] == 0:
            return None
        candle_down, candle_down_at = self._worst(self.candle_down, last)
        candle_up, candle_up_at = self._worst(self.candle_up, last)
        hour_down, hour_down_at = self._worst(self.hour_down, last, np.argmax)
        hour_up, hour_up_at = self._worst(self.hour_up, last, np.argmin)
        return AdverseMoves(
            candle_down=candle_down,
            candle_up=candle_up,
            hour_down=hour_down,
            hour_up=hour_up,
            days=float(self.valid[last]) * self.step.total_seconds() / 86400,
            candle_down_at=candle_down_at,
            candle_up_at=candle_up_at,
            hour_down_at=hour_down_at,
            hour_up_at=hour_up_at,
        )

    def _worst(
        self, side: _Side, last: int, start_of_hour: Callable[[np.ndarray], Any] | None = None
    ) -> tuple[float, pd.Timestamp | None]:
        """The running worst at slot ``last`` (0 when none is positive) and when it started:
        its candle, or for an hour the window's highest (long) / lowest (short) open."""
        worst = float(side.running[last])
        if not worst > 0:
            return 0.0, None
        slot = int(side.running_at[last])
        if start_of_hour is not None:
            first = max(0, slot - self.window + 1)
            opens = self.opens[first : slot + 1]
            filled = np.where(np.isfinite(opens), opens, np.nan)
            slot = first + int(start_of_hour(np.nan_to_num(
                filled, nan=-np.inf if start_of_hour is np.argmax else np.inf
            )))
        return worst, self.slots[slot]


def move_history(frame: pd.DataFrame, timeframe: str) -> MoveHistory | None:
    """The ``MoveHistory`` of ``frame`` (columns date, open, high, low[, volume]); None without a
    valid candle. The hour move through candle ``u`` is ``(M - low_u) / M`` with ``M =
    max(open_{u-n+1..u})`` (short: ``(high_u - m) / m``, ``m`` the lowest open): every window
    of the module docstring, counted at the close of the candle that reached its extreme."""
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
    slots = pd.date_range(candles.index[0], candles.index[-1], freq=step)
    grid = candles.reindex(slots)
    window = max(1, HOUR_SECONDS // int(step.total_seconds()))
    opens, highs, lows = (grid[c].to_numpy(dtype=float) for c in ("open", "high", "low"))
    # the window's missing slots are skipped, never filled
    open_max = grid["open"].rolling(window, min_periods=1).max().to_numpy()
    open_min = grid["open"].rolling(window, min_periods=1).min().to_numpy()
    return MoveHistory(
        slots=slots,
        closes=slots + step,
        step=step,
        window=window,
        opens=opens,
        valid=np.cumsum(np.isfinite(opens)),
        candle_down=_Side.of((opens - lows) / opens),
        candle_up=_Side.of((highs - opens) / opens),
        hour_down=_Side.of((open_max - lows) / open_max),
        hour_up=_Side.of((highs - open_min) / open_min),
    )


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


def merged_moves(parts: list[AdverseMoves | None]) -> AdverseMoves | None:
    """The worst of each move over ``parts`` (disjoint candle sets), their days added."""
    known = [m for m in parts if m is not None]
    if len(known) < 2:
        return known[0] if known else None

    def worst(name: str) -> tuple[float, pd.Timestamp | None]:
        top = max(known, key=lambda m: getattr(m, name))
        return getattr(top, name), getattr(top, f"{name}_at")

    (cd, cd_at), (cu, cu_at) = worst("candle_down"), worst("candle_up")
    (hd, hd_at), (hu, hu_at) = worst("hour_down"), worst("hour_up")
    return AdverseMoves(cd, cu, hd, hu, sum(m.days for m in known), cd_at, cu_at, hd_at, hu_at)


@dataclass(frozen=True)
class GapHistory:
    """The gaps as they became known: each pair's ``MoveHistory`` from its recorded candles
    (data files) and from the candles a running bot received after them; ``at(when)`` is the
    ``GapTable`` of the moves known at ``when`` (both parts merged; an hour straddling the two
    is not seen)."""

    recorded: Mapping[str, MoveHistory | None]
    received: Mapping[str, MoveHistory | None]
    risk: RiskConfig
    trading_mode: str

    def at(self, when: datetime | None = None) -> GapTable:
        pairs = dict.fromkeys([*self.recorded, *self.received])
        moves = {
            pair: merged_moves([
                h.at(when) if h is not None else None
                for h in (self.recorded.get(pair), self.received.get(pair))
            ])
            for pair in pairs
        }
        return gap_table(moves, self.risk, self.trading_mode)

    def recorded_end(self, pair: str) -> pd.Timestamp | None:
        """The open of the pair's last recorded slot (None: no recorded candles)."""
        history = self.recorded.get(pair)
        return history.slots[-1] if history is not None else None
