"""Performance statistics on a tiny hand-made trade list and equity series, computed by hand."""

import math

import numpy as np
import pandas as pd
import pytest

from ftpack.evaluate.performance import daily_returns, evaluate_performance

UTC = "UTC"
DAY = [pd.Timestamp(f"2025-03-0{d}", tz=UTC) for d in (1, 2, 3)]


def t(hours: float) -> pd.Timestamp:
    return DAY[0] + pd.Timedelta(hours=hours)


# Three trades: two overlapping on day 1 (00:00-06:00 and 03:00-12:00), one on day 3 (00:00-12:00).
TRADES = pd.DataFrame({
    "pair": ["BTC/USDT", "ETH/USDT", "BTC/USDT"],
    "open_date": [t(0), t(3), t(48)],
    "close_date": [t(6), t(12), t(60)],
    "profit_abs": [15.0, -25.0, 30.0],
    "profit_ratio": [0.015, -0.025, 0.03],
})
# Starting balance 1000; end-of-day equity marked to market.
EQUITY = pd.Series([1010.0, 990.0, 1020.0], index=DAY)


def test_hand_computed_statistics():
    p = evaluate_performance(TRADES, EQUITY, 1000.0)
    r = np.array([1010 / 1000 - 1, 990 / 1010 - 1, 1020 / 990 - 1])
    assert p.trades == 3
    assert p.win_rate_pct == pytest.approx(200 / 3)
    assert p.profit_factor == pytest.approx(45 / 25)
    assert (p.expectancy_abs, p.expectancy_ratio) == pytest.approx((20 / 3, 0.02 / 3))
    assert (p.net_profit_abs, p.net_profit_pct) == pytest.approx((20.0, 2.0))
    assert p.final_equity == 1020.0 and p.days == 3
    assert p.mean_daily_return == pytest.approx(r.mean())
    std = math.sqrt(sum((x - r.mean()) ** 2 for x in r) / 2)
    assert p.sharpe_daily == pytest.approx(r.mean() / std)
    assert p.sharpe == pytest.approx(r.mean() / std * math.sqrt(365))
    downside = math.sqrt((990 / 1010 - 1) ** 2 / 3)
    assert p.sortino == pytest.approx(r.mean() / downside * math.sqrt(365))
    # Peaks 1010, 1010, 1020: the only drawdown is 20 below 1010 on day 2.
    assert p.max_drawdown_abs == pytest.approx(20.0)
    assert p.max_drawdown_pct == pytest.approx(100 * 20 / 1010)
    annual = 1.02 ** (365 / 3) - 1
    assert p.annualised_return_pct == pytest.approx(100 * annual)
    assert p.calmar == pytest.approx(annual / (20 / 1010))
    assert (p.worst_trade_abs, p.worst_trade_ratio) == (-25.0, -0.025)
    assert (p.worst_day_abs, p.worst_day) == (pytest.approx(-20.0), "2025-03-02")
    assert p.worst_realized_day_abs == pytest.approx(15 - 25)  # both closed on day 1
    assert p.time_in_market_pct == pytest.approx(100 * 24 / 72)  # 12 h on day 1, 12 h on day 3
    m2 = np.mean((r - r.mean()) ** 2)
    assert p.skewness == pytest.approx(np.mean((r - r.mean()) ** 3) / m2**1.5)
    assert p.kurtosis == pytest.approx(np.mean((r - r.mean()) ** 4) / m2**2)
    assert p.to_dict()["profit_factor"] == pytest.approx(1.8)


def test_daily_returns_start_from_the_starting_balance():
    r = daily_returns(EQUITY, 1000.0)
    assert list(r.index) == DAY
    assert r.to_numpy() == pytest.approx([0.01, 990 / 1010 - 1, 1020 / 990 - 1])


def test_flat_account_gives_zeros_not_inf_or_nan():
    flat = pd.Series([500.0] * 4, index=pd.date_range("2025-03-01", periods=4, tz=UTC))
    p = evaluate_performance(TRADES.iloc[:0], flat, 500.0)
    assert p.trades == 0 and p.profit_factor is None
    assert (p.sharpe, p.sortino, p.calmar, p.max_drawdown_pct) == (0.0, 0.0, 0.0, 0.0)
    assert (p.skewness, p.kurtosis) == (0.0, 3.0)
    assert p.time_in_market_pct == 0.0
    assert all(v is None or isinstance(v, str) or math.isfinite(v) for v in p.to_dict().values())


def test_given_span_sets_time_in_market():
    span = (DAY[0], DAY[0] + pd.Timedelta(days=6))
    assert evaluate_performance(TRADES, EQUITY, 1000.0, span).time_in_market_pct == (
        pytest.approx(100 * 24 / 144)
    )


def test_bad_equity_is_refused():
    with pytest.raises(ValueError, match="empty"):
        evaluate_performance(TRADES, EQUITY.iloc[:0], 1000.0)
    with pytest.raises(ValueError, match="NaN"):
        evaluate_performance(TRADES, EQUITY.where(EQUITY > 1000), 1000.0)
    with pytest.raises(ValueError, match="ascending"):
        evaluate_performance(TRADES, EQUITY.iloc[::-1], 1000.0)
    with pytest.raises(ValueError, match="starting_balance"):
        daily_returns(EQUITY, 0.0)
