"""Random-entry null model: the strategy's trades re-entered at random candles, as a p-value.

Each strategy trade ``i`` gets one random counterpart per seed. Kept from trade ``i``: its pair,
its out-of-sample window, side (``is_short``), ``stake_amount``, ``leverage``, ``fee_open`` and
``fee_close``, its holding time ``d_i = close_date - open_date`` (so the random trades' holding
times are exactly the strategy's, trade by trade) and its initial stop distance. Random: the entry
candle. Not kept: the entry signal and its timing, exits other than time and the initial stop (ROI,
exit signals, trailing or custom stops), funding fees, liquidation, the open-trade limit and order
fills other than at candle prices.

With candle length ``tf`` of the pair and ``k_i = ceil(d_i / tf)`` candles held:

- entry candle ``j`` uniform over the pair's candles with ``window_start ≤ date_j`` and
  ``date_j + max(k_i, 1)·tf ≤ window_end`` whose ``k_i`` held candles ``j … j+k_i-1`` have no gap,
  so a random trade never leaves its window; entry price ``P = open_j``, amount ``A = stake·L/P``;
- stop price (Freqtrade's ``adjust_stop_loss``: the stop ratio ``ρ = |initial_stop_loss_ratio|``
  is on the leveraged stake, its price distance is ``ρ/L``): long ``P(1 - ρ/L)``, short
  ``P(1 + ρ/L)``; no stop when the export has no ``initial_stop_loss_ratio``;
- exit price ``X``: at the first held candle whose low (long) or high (short) crosses the stop,
  the stop price, or that candle's open when the whole candle lies beyond the stop (a gap, as
  Freqtrade's backtesting fills it); otherwise the close of the last held candle (the price at
  ``entry + d_i``); ``X = P`` for a trade closed within its entry candle (``k_i = 0``: fees only);
- profit, fees on each side's notional as Freqtrade's trade model charges them:
  long ``A·X·(1 - f_close) - A·P·(1 + f_open)``, short ``A·P·(1 - f_open) - A·X·(1 + f_close)``.

Seed ``s`` totals ``T_s = Σ_i profit_{s,i}``; the strategy's total is ``Σ profit_abs`` as
exported; the one-sided p-value is ``(1 + #{s : T_s ≥ strategy}) / (n_seeds + 1)``.
Draws come from one ``numpy.random.Generator(seed)``: the same inputs and seed give the same result.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

MAX_CHUNK_CELLS = 2_000_000  # seeds × held candles compared at once


def trade_profit(
    amount: npt.ArrayLike,
    open_rate: npt.ArrayLike,
    close_rate: npt.ArrayLike,
    fee_open: npt.ArrayLike,
    fee_close: npt.ArrayLike,
    is_short: npt.ArrayLike,
) -> npt.NDArray[np.float64]:
    """Net profit (stake currency) of closing ``amount`` bought or sold at ``open_rate``."""
    a, p, x = np.asarray(amount), np.asarray(open_rate), np.asarray(close_rate)
    long_profit = a * x * (1 - np.asarray(fee_close)) - a * p * (1 + np.asarray(fee_open))
    short_profit = a * p * (1 - np.asarray(fee_open)) - a * x * (1 + np.asarray(fee_close))
    return np.where(np.asarray(is_short, dtype=bool), short_profit, long_profit)


@dataclass(frozen=True)
class _Candles:
    dates: npt.NDArray[np.int64]  # ns since epoch, ascending
    open: npt.NDArray[np.float64]
    high: npt.NDArray[np.float64]
    low: npt.NDArray[np.float64]
    close: npt.NDArray[np.float64]
    timeframe: int  # ns


def _candles(pair: str, frame: pd.DataFrame, timeframe: pd.Timedelta | None) -> _Candles:
    dates = pd.to_datetime(frame["date"], utc=True).to_numpy(dtype="datetime64[ns]")
    dates = dates.astype(np.int64)
    steps = np.diff(dates)
    if len(dates) == 0 or np.any(steps <= 0):
        raise ValueError(f"Candles of {pair} must be non-empty with unique ascending dates.")
    prices = {c: frame[c].to_numpy(dtype=float) for c in ("open", "high", "low", "close")}
    if not all(np.all(np.isfinite(v)) for v in prices.values()):
        raise ValueError(f"Candles of {pair} hold NaN prices.")
    tf = int(timeframe.value) if timeframe is not None else int(steps.min()) if len(steps) else 0
    if tf <= 0:
        raise ValueError(f"The candle length of {pair} cannot be inferred from one candle.")
    return _Candles(dates, timeframe=tf, **prices)


def _valid_starts(
    c: _Candles, start: pd.Timestamp, end: pd.Timestamp, held: int
) -> npt.NDArray[np.int64]:
    """Candle positions where a trade holding ``held`` gap-free candles fits in [start, end]."""
    lo = np.searchsorted(c.dates, start.value, side="left")
    hi = np.searchsorted(c.dates, end.value - max(held, 1) * c.timeframe, side="right")
    hi = min(hi, len(c.dates) - max(held, 1) + 1)
    starts = np.arange(lo, max(lo, hi))
    if held > 1:
        span = c.dates[starts + held - 1] - c.dates[starts]
        starts = starts[span == (held - 1) * c.timeframe]
    return starts


def _exits(
    c: _Candles, entry: npt.NDArray[np.int64], held: int, stop: npt.NDArray[np.float64] | None,
    is_short: bool,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """(exit price, exit candle position, stopped) of trades entered at positions ``entry``."""
    if held == 0:
        return c.open[entry], entry, np.zeros(len(entry), dtype=bool)
    last = entry + held - 1
    price, position = c.close[last].copy(), last.copy()
    stopped = np.zeros(len(entry), dtype=bool)
    if stop is None:
        return price, position, stopped
    chunk = max(1, MAX_CHUNK_CELLS // held)
    for lo in range(0, len(entry), chunk):
        sl = slice(lo, lo + chunk)
        idx = entry[sl, None] + np.arange(held)
        level = stop[sl, None]
        hits = c.high[idx] >= level if is_short else c.low[idx] <= level
        hit = hits.any(axis=1)
        first = idx[np.arange(len(idx)), hits.argmax(axis=1)][hit]
        gapped = c.low[first] > stop[sl][hit] if is_short else c.high[first] < stop[sl][hit]
        price[sl][hit] = np.where(gapped, c.open[first], stop[sl][hit])
        position[sl][hit] = first
        stopped[sl] = hit
    return price, position, stopped


@dataclass(frozen=True)
class RandomTrades:
    """Every seed's random counterpart of every strategy trade (rows = seeds, columns = trades)."""

    profit: npt.NDArray[np.float64]
    entry_date: npt.NDArray[np.datetime64]
    exit_date: npt.NDArray[np.datetime64]
    stopped: npt.NDArray[np.bool_]
    holding: npt.NDArray[np.timedelta64]  # per strategy trade: d_i
    window: npt.NDArray[np.int64]  # per strategy trade: index of its window


def _window_of(open_date: pd.Timestamp, close_date: pd.Timestamp,
               windows: Sequence[tuple[pd.Timestamp, pd.Timestamp]]) -> int:
    for w, (start, end) in enumerate(windows):
        if start <= open_date and close_date <= end:
            return w
    raise ValueError(f"The trade {open_date} → {close_date} lies in no out-of-sample window.")


def _stop_prices(trade: Any, open_rate: npt.NDArray[np.float64]) -> npt.NDArray[np.float64] | None:
    """Initial stop price of each entry; None when the trade had no initial stop."""
    ratio = getattr(trade, "initial_stop_loss_ratio", None)
    if ratio is None or not np.isfinite(ratio) or ratio == 0:
        return None
    distance = abs(ratio) / float(getattr(trade, "leverage", 1.0) or 1.0)
    return open_rate * (1 + distance if getattr(trade, "is_short", False) else 1 - distance)


def _random_trades(
    trades: pd.DataFrame,
    windows: list[tuple[pd.Timestamp, pd.Timestamp]],
    prepared: dict[str, _Candles],
    n_seeds: int,
    seed: int,
) -> RandomTrades:
    rng = np.random.default_rng(seed)
    shape = (n_seeds, len(trades))
    profit, stopped = np.zeros(shape), np.zeros(shape, dtype=bool)
    entry_ns, exit_ns = np.zeros(shape, dtype=np.int64), np.zeros(shape, dtype=np.int64)
    holding = np.zeros(len(trades), dtype=np.int64)
    window_of = np.zeros(len(trades), dtype=np.int64)
    starts_cache: dict[tuple[str, int, int], npt.NDArray[np.int64]] = {}
    for i, t in enumerate(trades.itertuples(index=False)):
        c = prepared[t.pair]
        open_date, close_date = pd.Timestamp(t.open_date), pd.Timestamp(t.close_date)
        w = window_of[i] = _window_of(open_date, close_date, windows)
        duration = holding[i] = (close_date - open_date).value
        held = math.ceil(duration / c.timeframe)
        if (t.pair, w, held) not in starts_cache:
            starts_cache[t.pair, w, held] = _valid_starts(c, *windows[w], held)
        starts = starts_cache[t.pair, w, held]
        if len(starts) == 0:
            raise ValueError(
                f"No gap-free run of {held} candles of {t.pair} in window {windows[w][0]} → "
                f"{windows[w][1]} for the trade opened {open_date}."
            )
        entry = starts[rng.integers(0, len(starts), size=n_seeds)]
        is_short = bool(getattr(t, "is_short", False))
        leverage = float(getattr(t, "leverage", 1.0) or 1.0)
        open_rate = c.open[entry]
        exit_rate, exit_pos, stopped[:, i] = _exits(
            c, entry, held, _stop_prices(t, open_rate), is_short
        )
        amount = t.stake_amount * leverage / open_rate
        profit[:, i] = trade_profit(amount, open_rate, exit_rate, t.fee_open, t.fee_close, is_short)
        entry_ns[:, i] = c.dates[entry]
        exit_ns[:, i] = np.where(stopped[:, i], c.dates[exit_pos], c.dates[entry] + duration)
    return RandomTrades(
        profit=profit,
        entry_date=entry_ns.astype("datetime64[ns]"),
        exit_date=exit_ns.astype("datetime64[ns]"),
        stopped=stopped,
        holding=holding.astype("timedelta64[ns]"),
        window=window_of,
    )


@dataclass(frozen=True)
class NullModelResult:
    """The random-entry distribution of total profit and the strategy's place in it."""

    strategy_total: float
    p_value: float
    share_beaten: float
    n_seeds: int
    seed: int
    n_trades: int
    stop_exit_share: float
    null_totals: npt.NDArray[np.float64] = field(repr=False, compare=False)
    random_trades: RandomTrades = field(repr=False, compare=False)

    def to_dict(self) -> dict[str, object]:
        d = {k: v for k, v in vars(self).items() if k not in ("null_totals", "random_trades")}
        return d | {"null_totals": self.null_totals.tolist()}


def null_p_value(null_totals: npt.ArrayLike, strategy_total: float) -> float:
    """One-sided p-value ``(1 + #{null ≥ strategy}) / (N + 1)``."""
    totals = np.asarray(null_totals, dtype=float)
    return float((1 + np.sum(totals >= strategy_total)) / (len(totals) + 1))


def random_entry_null(
    trades: pd.DataFrame,
    windows: Sequence[tuple[pd.Timestamp, pd.Timestamp]],
    candles: Mapping[str, pd.DataFrame],
    *,
    n_seeds: int = 1000,
    seed: int = 0,
    timeframe: pd.Timedelta | None = None,
) -> NullModelResult:
    """The random-entry null distribution of total profit and the strategy's p-value against it.

    ``trades`` has Freqtrade's export columns; ``windows`` are the out-of-sample (start, end) UTC
    bounds; ``candles`` maps each traded pair to a frame with ``date, open, high, low, close``;
    ``timeframe`` is inferred from the candles when None (their shortest step).
    """
    if trades.empty:
        raise ValueError("The random-entry null model needs at least one trade.")
    if n_seeds < 1:
        raise ValueError(f"n_seeds must be at least 1, got {n_seeds}.")
    missing = sorted(set(trades["pair"]) - set(candles))
    if missing:
        raise ValueError(f"No candles for {missing}.")
    prepared = {p: _candles(p, candles[p], timeframe) for p in set(trades["pair"])}
    bounds = [(pd.Timestamp(start), pd.Timestamp(end)) for start, end in windows]
    random = _random_trades(trades, bounds, prepared, n_seeds, seed)
    totals = random.profit.sum(axis=1)
    strategy = float(trades["profit_abs"].sum())
    return NullModelResult(
        strategy_total=strategy,
        p_value=null_p_value(totals, strategy),
        share_beaten=float(np.mean(strategy > totals)),
        n_seeds=n_seeds,
        seed=seed,
        n_trades=len(trades),
        stop_exit_share=float(random.stopped.mean()),
        null_totals=totals,
        random_trades=random,
    )
