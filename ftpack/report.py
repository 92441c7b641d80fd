"""Summary metrics of one exported Freqtrade backtest, for the pack's results tables.

Freqtrade's own statistics are used where it computes them (profit factor, drawdown, Sharpe,
Calmar, market change); the rest is derived from its exported trade list:

- worst UTC day = min over UTC calendar days of Σ profit_abs of the trades closed that day;
- funding = Σ funding_fees over the trades (negative = paid);
- time in market = |∪ [open_date, close_date)| / (backtest_end − backtest_start).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from freqtrade.data.btanalysis import load_backtest_stats


def load_strategy_stats(result_file: Path, strategy: str | None = None) -> dict[str, Any]:
    """The per-strategy block of an exported backtest (the only one when ``strategy`` is None)."""
    stats = load_backtest_stats(result_file)["strategy"]
    if strategy is None:
        if len(stats) != 1:
            raise ValueError(f"{result_file} holds {sorted(stats)}: name the strategy.")
        strategy = next(iter(stats))
    if strategy not in stats:
        raise ValueError(f"Strategy {strategy} is not in {result_file} ({sorted(stats)}).")
    return stats[strategy]


def time_in_market(trades: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> float:
    """Share of [start, end) during which at least one trade was open."""
    if trades.empty or end <= start:
        return 0.0
    covered = pd.Timedelta(0)
    cur_open = cur_close = None
    for o, c in sorted(zip(trades["open_date"], trades["close_date"], strict=True)):
        if cur_close is None or o > cur_close:
            if cur_close is not None:
                covered += cur_close - cur_open
            cur_open, cur_close = o, c
        else:
            cur_close = max(cur_close, c)
    covered += cur_close - cur_open
    return covered / (end - start)


def worst_utc_day(trades: pd.DataFrame) -> float:
    """Lowest realized profit (stake currency) of any UTC day with closed trades; 0 if none."""
    if trades.empty:
        return 0.0
    daily = trades.groupby(trades["close_date"].dt.floor("D"))["profit_abs"].sum()
    return float(min(daily.min(), 0.0))


def summarize_backtest(
    result_file: Path, strategy: str | None = None, fee: float | None = None
) -> dict[str, Any]:
    """Headline metrics of one backtest result file (zip or json) as a flat dict.

    ``fee`` is the fee per side the run was given (``--fee`` or the config's); without it the
    fee charged on the trades is reported (unknown, None, for a run without trades).
    """
    s = load_strategy_stats(result_file, strategy)
    trades = pd.DataFrame(s["trades"])
    start = pd.Timestamp(s["backtest_start"], tz="UTC")
    end = pd.Timestamp(s["backtest_end"], tz="UTC")
    if not trades.empty:
        trades["open_date"] = pd.to_datetime(trades["open_date"], utc=True)
        trades["close_date"] = pd.to_datetime(trades["close_date"], utc=True)
    worst = trades.loc[trades["profit_abs"].idxmin()] if not trades.empty else None
    return {
        "strategy": s["strategy_name"],
        "timerange": f"{start:%Y-%m-%d} → {end:%Y-%m-%d}",
        "pairs": list(s["pairlist"]),
        "fee": fee if fee is not None else (
            float(trades["fee_open"].max()) if not trades.empty else None
        ),
        "starting_balance": float(s["starting_balance"]),
        "trades": int(s["total_trades"]),
        "win_rate": float(s["winrate"] or 0.0),
        "profit_factor": float(s["profit_factor"] or 0.0),
        "profit_abs": float(s["profit_total_abs"]),
        "profit_pct": 100 * float(s["profit_total"]),
        "max_drawdown_pct": 100 * float(s["max_drawdown_account"]),
        "max_drawdown_abs": float(s["max_drawdown_abs"]),
        "sharpe": float(s["sharpe"] or 0.0),
        "calmar": float(s["calmar"] or 0.0),
        "worst_trade_abs": float(worst["profit_abs"]) if worst is not None else 0.0,
        "worst_trade_pct": 100 * float(worst["profit_ratio"]) if worst is not None else 0.0,
        "worst_day_abs": worst_utc_day(trades),
        "buy_hold_pct": 100 * float(s["market_change"]),
        "funding_abs": float(trades.get("funding_fees", pd.Series(dtype=float)).sum()),
        "time_in_market_pct": 100 * time_in_market(trades, start, end),
        "locks": len(s.get("locks", [])),
    }
