"""Performance of a stitched out-of-sample result: its trades and its daily marked-to-market equity.

Notation: starting balance ``B``, daily equity ``E_1 … E_n`` (end of each UTC day, stake currency),
``E_0 = B``; trades with net ``profit_abs`` (after both fees, as Freqtrade exports it).

- daily return ``r_t = E_t / E_(t-1) - 1`` for t = 1 … n (the first day is measured from ``B``);
- Sharpe = mean(r) / std(r, ddof=1) · √365 (crypto trades every day; no risk-free rate);
  the non-annualised (daily) Sharpe, mean(r) / std(r, ddof=1), is the one the DSR uses;
- Sortino = mean(r) / √(mean(min(r, 0)²)) · √365 (downside deviation about 0 over all days);
- a ratio whose denominator is 0 (no variance, no down day, no drawdown) is 0, never inf or NaN;
- drawdown_t = P_t - E_t with running peak ``P_t = max(B, E_1 … E_t)``; max drawdown abs = max
  drawdown_t, max drawdown % = 100 · max(drawdown_t / P_t) (each maximum taken on its own);
- annualised return = (E_n / B)^(365/n) - 1; Calmar = annualised return / (max drawdown % / 100);
- worst day = min_t (E_t - E_(t-1)) (marked to market); worst realized day = lowest Σ profit_abs of
  the trades closed on one UTC day (``ftpack.report.worst_utc_day``);
- time in market = |∪ [open_date, close_date)| / |span| (``ftpack.report.time_in_market``), span =
  [first equity day 00:00, last equity day + 1 day) unless given;
- profit factor = Σ winning profit_abs / |Σ losing profit_abs| (None without a losing trade);
  expectancy = mean profit_abs and mean profit_ratio per trade;
- skewness and kurtosis (non-excess, normal = 3) of r are the population moments m3/m2^1.5 and
  m4/m2² (scipy ``bias=True``); 0 and 3 when r has no variance.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import TypedDict

import numpy as np
import pandas as pd
from scipy import stats

from ftpack.report import time_in_market, worst_utc_day

DAYS_PER_YEAR = 365


def daily_returns(equity: pd.Series, starting_balance: float) -> pd.Series:
    """``r_t = E_t / E_(t-1) - 1`` with ``E_0 = starting_balance``, indexed like ``equity``."""
    if not starting_balance > 0:
        raise ValueError(f"starting_balance must be positive, got {starting_balance}.")
    values = equity.to_numpy(dtype=float)
    if not np.all(np.isfinite(values)):
        raise ValueError("The daily equity series holds NaN or infinite values.")
    if np.any(values <= 0):
        raise ValueError("The daily equity series must stay positive to define daily returns.")
    previous = np.concatenate(([starting_balance], values[:-1]))
    return pd.Series(values / previous - 1.0, index=equity.index, name="daily_return")


def _ratio(numerator: float, denominator: float) -> float:
    """``numerator / denominator``, 0 when the denominator is 0 or not finite."""
    if denominator == 0 or not math.isfinite(denominator):
        return 0.0
    return float(numerator / denominator)


def daily_sharpe(returns: np.ndarray) -> float:
    """Non-annualised Sharpe of a return series: mean / std (ddof=1); 0 without variance."""
    if len(returns) < 2:
        return 0.0
    return _ratio(float(np.mean(returns)), float(np.std(returns, ddof=1)))


def return_moments(returns: np.ndarray) -> tuple[float, float]:
    """(skewness, non-excess kurtosis) as population moments; (0, 3) without variance."""
    if len(returns) < 2 or np.ptp(returns) == 0:
        return 0.0, 3.0
    skew = float(stats.skew(returns, bias=True))
    kurtosis = float(stats.kurtosis(returns, fisher=False, bias=True))
    return skew, kurtosis


@dataclass(frozen=True)
class Performance:
    """Headline statistics of one stitched out-of-sample result (see the module docstring)."""

    trades: int
    win_rate_pct: float
    profit_factor: float | None
    expectancy_abs: float
    expectancy_ratio: float
    net_profit_abs: float
    net_profit_pct: float
    final_equity: float
    days: int
    mean_daily_return: float
    sharpe_daily: float
    sharpe: float
    sortino: float
    max_drawdown_abs: float
    max_drawdown_pct: float
    annualised_return_pct: float
    calmar: float
    worst_trade_abs: float
    worst_trade_ratio: float
    worst_day_abs: float
    worst_day: str
    worst_realized_day_abs: float
    time_in_market_pct: float
    skewness: float
    kurtosis: float

    def to_dict(self) -> dict[str, float | int | str | None]:
        return asdict(self)


class _TradeStats(TypedDict):
    trades: int
    win_rate_pct: float
    profit_factor: float | None
    expectancy_abs: float
    expectancy_ratio: float
    net_profit_abs: float
    worst_trade_abs: float
    worst_trade_ratio: float


def _trade_stats(trades: pd.DataFrame) -> _TradeStats:
    if trades.empty:
        return {
            "trades": 0, "win_rate_pct": 0.0, "profit_factor": None, "expectancy_abs": 0.0,
            "expectancy_ratio": 0.0, "net_profit_abs": 0.0, "worst_trade_abs": 0.0,
            "worst_trade_ratio": 0.0,
        }
    profit = trades["profit_abs"].astype(float)
    losses = -profit[profit < 0].sum()
    worst = trades.loc[profit.idxmin()]
    return {
        "trades": len(trades),
        "win_rate_pct": 100.0 * float((profit > 0).mean()),
        "profit_factor": float(profit[profit > 0].sum() / losses) if losses > 0 else None,
        "expectancy_abs": float(profit.mean()),
        "expectancy_ratio": float(trades["profit_ratio"].astype(float).mean()),
        "net_profit_abs": float(profit.sum()),
        "worst_trade_abs": float(worst["profit_abs"]),
        "worst_trade_ratio": float(worst["profit_ratio"]),
    }


def _drawdown(equity: np.ndarray, starting_balance: float) -> tuple[float, float]:
    """(max drawdown abs, max drawdown % of the running peak)."""
    peak = np.maximum.accumulate(np.concatenate(([starting_balance], equity)))[1:]
    drawdown = peak - equity
    return float(drawdown.max()), 100.0 * float((drawdown / peak).max())


def evaluate_performance(
    trades: pd.DataFrame,
    equity: pd.Series,
    starting_balance: float,
    span: tuple[pd.Timestamp, pd.Timestamp] | None = None,
) -> Performance:
    """Statistics of ``trades`` (Freqtrade export columns, UTC dates) and daily ``equity``.

    ``equity`` is indexed by UTC calendar days (ascending) and holds the account equity at the end
    of each day, marked to market; ``span`` is the evaluated period for time in market.
    """
    if equity.empty:
        raise ValueError("The daily equity series is empty: nothing was evaluated.")
    if not equity.index.is_monotonic_increasing or not equity.index.is_unique:
        raise ValueError("The daily equity series must be indexed by unique, ascending days.")
    returns = daily_returns(equity, starting_balance).to_numpy()
    values = equity.to_numpy(dtype=float)
    changes = np.diff(np.concatenate(([starting_balance], values)))
    n_days = len(returns)
    mean = float(returns.mean())
    downside = math.sqrt(float(np.mean(np.minimum(returns, 0.0) ** 2)))
    dd_abs, dd_pct = _drawdown(values, starting_balance)
    annual = (values[-1] / starting_balance) ** (DAYS_PER_YEAR / n_days) - 1.0
    skew, kurtosis = return_moments(returns)
    sharpe = daily_sharpe(returns)
    if span is None:
        start = pd.Timestamp(equity.index[0]).floor("D")
        span = (start, pd.Timestamp(equity.index[-1]).floor("D") + pd.Timedelta(days=1))
    trade_stats = _trade_stats(trades)
    worst_day = int(np.argmin(changes))
    return Performance(
        **trade_stats,
        net_profit_pct=100.0 * trade_stats["net_profit_abs"] / starting_balance,
        final_equity=float(values[-1]),
        days=n_days,
        mean_daily_return=mean,
        sharpe_daily=sharpe,
        sharpe=sharpe * math.sqrt(DAYS_PER_YEAR),
        sortino=_ratio(mean, downside) * math.sqrt(DAYS_PER_YEAR),
        max_drawdown_abs=dd_abs,
        max_drawdown_pct=dd_pct,
        annualised_return_pct=100.0 * annual,
        calmar=_ratio(annual, dd_pct / 100.0),
        worst_day_abs=float(changes[worst_day]),
        worst_day=f"{pd.Timestamp(equity.index[worst_day]):%Y-%m-%d}",
        worst_realized_day_abs=worst_utc_day(trades),
        time_in_market_pct=100.0 * time_in_market(trades, span[0], span[1]),
        skewness=skew,
        kurtosis=kurtosis,
    )
