"""The stitched out-of-sample result: every test window's trades in one series, daily equity
marked to market, and buy-and-hold of the same pairs over the same windows.

Each fold's backtest starts from the same starting balance ``B``, so fold results add up
(no compounding across folds): the stitched equity at the end of UTC day ``d`` is

    E_d = B + Σ profit_abs of the trades closed before the day's end
            + Σ over trades open at the day's end of  side · amount · (close_d − open_rate)
              − amount · open_rate · fee_open

with ``close_d`` the close of the pair's last candle of day ``d`` and side +1 long, −1 short
(a position whose pair has no candle that day is carried at cost: "where candles allow").
Only the test windows' days are in the series; days between coverage eras are not days of the
evaluation. Buy-and-hold puts ``B`` in equal parts into the fold's pairs at the close before
the test window, marks it at each day's close, and adds the fold results up the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

DAY = pd.Timedelta(days=1)
TRADE_COLUMNS = (
    "pair", "open_date", "close_date", "profit_abs", "profit_ratio", "stake_amount", "amount",
    "open_rate", "close_rate", "is_short", "leverage", "fee_open", "fee_close", "exit_reason",
    "funding_fees", "initial_stop_loss_ratio", "fold",
)


@dataclass(frozen=True)
class FoldWindow:
    """A fold's test window and pairs, as the stitching needs them."""

    index: int
    start: pd.Timestamp
    end: pd.Timestamp
    pairs: tuple[str, ...]

    def days(self) -> pd.DatetimeIndex:
        return pd.date_range(self.start, self.end - DAY, freq="D")


def trades_frame(trades_by_fold: Iterable[tuple[int, list[dict]]]) -> pd.DataFrame:
    """Freqtrade's exported trade dicts of every fold as one frame, ordered by open time."""
    rows = []
    for fold, trades in trades_by_fold:
        for t in trades:
            rows.append({
                **{k: t.get(k) for k in TRADE_COLUMNS if k not in ("open_date", "close_date")},
                "open_date": pd.Timestamp(t["open_timestamp"], unit="ms", tz="UTC"),
                "close_date": pd.Timestamp(t["close_timestamp"], unit="ms", tz="UTC"),
                "fold": fold,
            })
    frame = pd.DataFrame(rows, columns=list(TRADE_COLUMNS))
    if frame.empty:
        return frame.astype({"profit_abs": float, "profit_ratio": float})
    frame["funding_fees"] = frame["funding_fees"].fillna(0.0).astype(float)
    frame["is_short"] = frame["is_short"].fillna(False).astype(bool)
    return frame.sort_values(["open_date", "pair"], kind="stable").reset_index(drop=True)


def day_close(candles: pd.DataFrame | None, day_end: pd.Timestamp) -> float | None:
    """Close of the last candle opened before ``day_end`` on the same day, if there is one."""
    if candles is None or candles.empty:
        return None
    dates = candles["date"].values  # datetime64[ns], UTC
    end = day_end.tz_convert(None).to_datetime64()
    i = int(np.searchsorted(dates, end, side="left")) - 1
    if i < 0 or dates[i] < end - np.timedelta64(1, "D"):
        return None
    return float(candles["close"].iloc[i])


def unrealized(trade: pd.Series, price: float | None) -> float:
    """Open P&L of one trade at ``price`` after its entry fee; 0 without a price."""
    if price is None:
        return 0.0
    side = -1.0 if trade["is_short"] else 1.0
    entry_fee = trade["amount"] * trade["open_rate"] * (trade["fee_open"] or 0.0)
    return side * trade["amount"] * (price - trade["open_rate"]) - entry_fee


def _realized_until(trades: pd.DataFrame) -> Callable[[np.datetime64], float]:
    """``t -> `` the profit of ``trades`` closed before ``t`` (a cumulative sum by close time)."""
    ordered = trades.sort_values("close_date", kind="stable")
    closes = ordered["close_date"].to_numpy(dtype="datetime64[ns]")
    cumulative = np.concatenate(([0.0], np.cumsum(ordered["profit_abs"].to_numpy(dtype=float))))
    return lambda t: float(cumulative[np.searchsorted(closes, t, side="left")])


def daily_equity(trades: pd.DataFrame, folds: list[FoldWindow],
                 candles: dict[str, pd.DataFrame], starting_balance: float) -> pd.DataFrame:
    """Per test-window day: ``equity`` (marked to market), ``realized`` P&L closed that day,
    ``fold``, ``equity_at_day_start_in_fold`` (the balance the fold's risk layer saw) and
    ``unpriced`` (open trades without a candle that day).
    """
    rows = []
    realized_before = _realized_until(trades)
    opens = trades["open_date"].to_numpy(dtype="datetime64[ns]")
    closes = trades["close_date"].to_numpy(dtype="datetime64[ns]")
    for fold in folds:
        in_fold = _realized_until(trades[trades["fold"] == fold.index])
        for day in fold.days():
            start, end = (t.tz_convert(None).to_datetime64() for t in (day, day + DAY))
            marks, unpriced = 0.0, 0
            for i in np.flatnonzero((opens < end) & (closes >= end)):
                trade = trades.iloc[i]
                price = day_close(candles.get(trade["pair"]), day + DAY)
                unpriced += price is None
                marks += unrealized(trade, price)
            rows.append({
                "day": day, "fold": fold.index,
                "equity": starting_balance + realized_before(end) + marks,
                "realized": in_fold(end) - in_fold(start),
                "equity_at_day_start_in_fold": starting_balance + in_fold(start),
                "unpriced": unpriced,
            })
    return pd.DataFrame(rows).set_index("day") if rows else pd.DataFrame()


def buy_and_hold(folds: list[FoldWindow], candles: dict[str, pd.DataFrame],
                 starting_balance: float) -> pd.Series:
    """Stitched daily equity of equal-weight buy-and-hold of each fold's pairs (before fees)."""
    values, carried = {}, 0.0
    for fold in folds:
        entry: dict[str, float] = {}
        for pair in fold.pairs:
            price = day_close(candles.get(pair), fold.start)
            if price:
                entry[pair] = price
        pnl = 0.0
        for day in fold.days():
            moves = []
            for pair, px in entry.items():
                close = day_close(candles.get(pair), day + DAY)
                moves.append(close / px - 1.0 if close else np.nan)
            mean = float(np.nanmean(moves)) if moves and not np.all(np.isnan(moves)) else 0.0
            pnl = starting_balance * mean
            values[day] = starting_balance + carried + pnl
        carried += pnl
    return pd.Series(values, name="buy_and_hold", dtype=float)
