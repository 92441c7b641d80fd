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

from collections.abc import Iterable
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


def daily_equity(trades: pd.DataFrame, folds: list[FoldWindow],
                 candles: dict[str, pd.DataFrame], starting_balance: float) -> pd.DataFrame:
    """Per test-window day: ``equity`` (marked to market), ``realized`` P&L closed that day,
    ``fold``, ``equity_at_day_start_in_fold`` (the balance the fold's risk layer saw) and
    ``unpriced`` (open trades without a candle that day).
    """
    rows = []
    closed = trades.sort_values("close_date") if not trades.empty else trades
    for fold in folds:
        fold_trades = closed[closed["fold"] == fold.index] if not closed.empty else closed
        for day in fold.days():
            end = day + DAY
            realized_before = (float(closed.loc[closed["close_date"] < end, "profit_abs"].sum())
                               if not closed.empty else 0.0)
            today = (fold_trades[(fold_trades["close_date"] >= day)
                                 & (fold_trades["close_date"] < end)]
                     if not fold_trades.empty else fold_trades)
            fold_before = (float(fold_trades.loc[fold_trades["close_date"] < day,
                                                 "profit_abs"].sum())
                           if not fold_trades.empty else 0.0)
            open_now = (trades[(trades["open_date"] < end) & (trades["close_date"] >= end)]
                        if not trades.empty else trades)
            marks, unpriced = 0.0, 0
            for _, trade in open_now.iterrows():
                price = day_close(candles.get(trade["pair"]), end)
                unpriced += price is None
                marks += unrealized(trade, price)
            rows.append({
                "day": day, "fold": fold.index,
                "equity": starting_balance + realized_before + marks,
                "realized": float(today["profit_abs"].sum()) if not today.empty else 0.0,
                "equity_at_day_start_in_fold": starting_balance + fold_before,
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
