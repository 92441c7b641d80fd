"""The four protections on Freqtrade's in-memory (backtest) trades, through ProtectionManager."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from freqtrade.persistence import LocalTrade, PairLocks
from freqtrade.plugins.protectionmanager import ProtectionManager
from risk_helpers import make_trade

import risk_protections
from risk_protections.errors import PackConfigError

risk_protections.register()  # what `import risk_protections` does; explicit for readers

CONFIG = {"timeframe": "5m", "stake_currency": "USDT"}
DAY = datetime(2025, 6, 4, tzinfo=UTC)  # a Wednesday


def add_loss(close: datetime, loss: float, *, hours_open: float = 1.0) -> LocalTrade:
    """A closed long trade of stake 100 whose realized profit is exactly ``-loss`` (no fees)."""
    trade = make_trade(
        LocalTrade,
        open_date=close - timedelta(hours=hours_open),
        close_date=close,
        stake=100.0,
        open_rate=100.0,
        close_rate=100.0 - loss,
        fee=0.0,
    )
    LocalTrade.add_bt_trade(trade)
    return trade


def manager(*protections: dict) -> ProtectionManager:
    return ProtectionManager(CONFIG, list(protections))


def test_daily_loss_guard_locks_at_the_limit_until_the_next_reset(bt_trades: None) -> None:
    pm = manager({"method": "DailyLossGuard", "max_loss_abs": 20})
    add_loss(DAY - timedelta(hours=2), 50.0)  # yesterday: not counted
    add_loss(DAY + timedelta(hours=10), 15.0)
    assert pm.global_stop(DAY + timedelta(hours=10), starting_balance=1000.0) is None
    add_loss(DAY + timedelta(hours=11), 5.0)
    lock = pm.global_stop(DAY + timedelta(hours=11), starting_balance=1000.0)
    assert lock is not None
    assert lock.lock_end_time.replace(tzinfo=UTC) >= DAY + timedelta(days=1)
    assert lock.lock_end_time.replace(tzinfo=UTC) < DAY + timedelta(days=1, minutes=10)
    assert "DailyLossGuard" in lock.reason and "20.00 USDT" in lock.reason
    assert "20.00" in lock.reason and "since 2025-06-04 00:00" in lock.reason


def test_daily_share_uses_equity_at_the_reset_and_counts_partial_exits(bt_trades: None) -> None:
    pm = manager({"method": "DailyLossGuard", "max_loss": 0.02})
    winner = make_trade(
        LocalTrade,
        open_date=DAY - timedelta(days=2),
        close_date=DAY - timedelta(days=1),
        stake=500.0,
        open_rate=100.0,
        close_rate=120.0,
        fee=0.0,
    )
    LocalTrade.add_bt_trade(winner)  # +100: equity at the reset 1100, limit 22
    add_loss(DAY + timedelta(hours=1), 20.0)
    assert pm.global_stop(DAY + timedelta(hours=1), starting_balance=1000.0) is None
    still_open = make_trade(
        LocalTrade,
        open_date=DAY + timedelta(hours=2),
        stake=100.0,
        open_rate=100.0,
        fee=0.0,
        partial=(DAY + timedelta(hours=3), 96.0, 0.5),
    )
    LocalTrade.add_bt_trade(still_open)  # partial exit realizes -2 -> 22 reached
    lock = pm.global_stop(DAY + timedelta(hours=3), starting_balance=1000.0)
    assert lock is not None and "limit 22.00 USDT" in lock.reason


def test_daily_reset_time_is_configurable(bt_trades: None) -> None:
    pm = manager({"method": "DailyLossGuard", "max_loss_abs": 20, "reset_time": "08:00"})
    add_loss(DAY + timedelta(hours=7), 15.0)  # belongs to the day that started yesterday 08:00
    add_loss(DAY + timedelta(hours=9), 15.0)
    assert pm.global_stop(DAY + timedelta(hours=9), starting_balance=1000.0) is None
    add_loss(DAY + timedelta(hours=10), 5.0)
    lock = pm.global_stop(DAY + timedelta(hours=10), starting_balance=1000.0)
    assert lock is not None
    assert lock.lock_end_time.replace(tzinfo=UTC) >= DAY + timedelta(days=1, hours=8)


def test_weekly_loss_guard_sums_the_iso_week(bt_trades: None) -> None:
    pm = manager({"method": "WeeklyLossGuard", "max_loss_abs": 40})
    monday = DAY - timedelta(days=2)
    add_loss(monday - timedelta(hours=1), 30.0)  # previous week (Sunday)
    add_loss(monday + timedelta(hours=1), 19.0)
    add_loss(DAY + timedelta(hours=1), 19.0)
    assert pm.global_stop(DAY + timedelta(hours=1), starting_balance=1000.0) is None
    add_loss(DAY + timedelta(hours=2), 2.0)
    lock = pm.global_stop(DAY + timedelta(hours=2), starting_balance=1000.0)
    assert lock is not None and "WeeklyLossGuard" in lock.reason
    assert lock.lock_end_time.replace(tzinfo=UTC) >= monday + timedelta(days=7)


def test_consecutive_loss_pause_after_three_and_again_after_six(bt_trades: None) -> None:
    pm = manager({"method": "ConsecutiveLossPause", "max_losses": 3, "stop_duration": 60})
    t0 = DAY + timedelta(hours=1)
    add_loss(t0, 1.0)
    winner = make_trade(
        LocalTrade, open_date=t0, close_date=t0 + timedelta(minutes=5), close_rate=101.0, fee=0.0
    )
    LocalTrade.add_bt_trade(winner)
    for i in range(1, 3):
        add_loss(t0 + timedelta(minutes=5 + i * 5), 1.0)
        assert pm.global_stop(t0 + timedelta(minutes=5 + i * 5), starting_balance=1000.0) is None
    third = t0 + timedelta(minutes=20)
    add_loss(third, 1.0)
    lock = pm.global_stop(third, starting_balance=1000.0)
    assert lock is not None and "3 losing trades in a row" in lock.reason
    assert lock.lock_end_time.replace(tzinfo=UTC) >= third + timedelta(minutes=60)
    PairLocks.reset_locks()
    for i in range(1, 3):
        add_loss(third + timedelta(hours=2, minutes=i), 1.0)
        assert (
            pm.global_stop(third + timedelta(hours=2, minutes=i), starting_balance=1000.0) is None
        )
    sixth = third + timedelta(hours=2, minutes=3)
    add_loss(sixth, 1.0)
    lock = pm.global_stop(sixth, starting_balance=1000.0)
    assert lock is not None and "6 losing trades in a row" in lock.reason


def test_reserve_guard_locks_when_free_cash_reaches_the_reserve(bt_trades: None) -> None:
    pm = manager({"method": "ReserveGuard", "reserve": 0.2})
    add_loss(DAY, 90.0)  # equity 910
    big = make_trade(LocalTrade, open_date=DAY, stake=700.0, fee=0.0)
    LocalTrade.add_bt_trade(big)  # free 210 > 200
    assert pm.global_stop(DAY, starting_balance=1000.0) is None
    add_loss(DAY + timedelta(minutes=5), 10.0)  # equity 900, free 200 <= reserve 200
    lock = pm.global_stop(DAY + timedelta(minutes=5), starting_balance=1000.0)
    assert lock is not None and "reserve 200.00 USDT" in lock.reason
    assert "ReserveGuard" in pm.short_desc()[0]


@pytest.mark.parametrize(
    ("protection", "key"),
    [
        ({"method": "DailyLossGuard", "max_loss": 0}, "protections.DailyLossGuard.max_loss"),
        (
            {"method": "WeeklyLossGuard", "max_loss_abs": -5},
            "protections.WeeklyLossGuard.max_loss_abs",
        ),
        (
            {"method": "DailyLossGuard", "reset_time": "noon"},
            "protections.DailyLossGuard.reset_time",
        ),
        (
            {"method": "ConsecutiveLossPause", "max_losses": 0},
            "protections.ConsecutiveLossPause.max_losses",
        ),
        ({"method": "ReserveGuard", "reserve": 1.2}, "protections.ReserveGuard.reserve"),
    ],
)
def test_bad_protection_parameters_name_the_key(protection: dict, key: str) -> None:
    with pytest.raises(PackConfigError, match=key.replace(".", r"\.")):
        manager(protection)
