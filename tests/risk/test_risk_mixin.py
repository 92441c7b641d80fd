"""RiskManagedMixin on a strategy instance: protections, sizing, entry veto, summary messages."""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import ClassVar

import pandas as pd
import pytest
from freqtrade.enums import RunMode, TradingMode
from freqtrade.persistence import LocalTrade, PairLocks
from risk_helpers import make_trade

from packtest import StubDataProvider
from risk_protections.errors import PackConfigError
from risk_protections.mixin import PendingEntry
from risk_protections.pair_gaps import AdverseMoves, GapHistory, gap_table, move_history
from risk_protections.sizing import loss_per_notional

sys.path.insert(0, str(Path(__file__).parent / "strategies"))
from RiskProbe import RiskProbe

NOW = datetime(2025, 6, 4, 12, tzinfo=UTC)


class Wallet:
    def __init__(self, start: float = 1000.0) -> None:
        self.start = start

    def get_starting_balance(self) -> float:
        return self.start


def strategy(risk: dict | None = None, runmode: RunMode = RunMode.BACKTEST) -> RiskProbe:
    s = RiskProbe({"risk": risk or {}, "stake_currency": "USDT", "runmode": runmode})
    s.wallets = Wallet()
    s.dp = StubDataProvider()
    return s


def stake(s: RiskProbe, pair: str = "ETH/USDT", leverage: float = 1.0) -> float:
    return s.custom_stake_amount(
        pair=pair,
        current_time=NOW,
        current_rate=100.0,
        proposed_stake=1e6,
        min_stake=5.0,
        max_stake=1e6,
        leverage=leverage,
        entry_tag=None,
        side="long",
    )


def confirm(s: RiskProbe, amount: float, pair: str = "ETH/USDT") -> bool:
    return s.confirm_trade_entry(
        pair=pair,
        order_type="limit",
        amount=amount,
        rate=100.0,
        time_in_force="GTC",
        current_time=NOW,
        entry_tag=None,
        side="long",
    )


def test_protections_come_from_config_and_tiers_can_add_extras() -> None:
    class Tier(RiskProbe):
        risk_extra_protections = [{"method": "CooldownPeriod", "stop_duration_candles": 2}]

    tier = Tier({"risk": {"daily_loss_limit_abs": 20, "pause_minutes": 30}})
    methods = [p["method"] for p in tier.protections]
    assert methods == [
        "DailyLossGuard",
        "WeeklyLossGuard",
        "ConsecutiveLossPause",
        "ReserveGuard",
        "DrawdownBreaker",
        "CooldownPeriod",
    ]
    assert tier.protections[0]["max_loss_abs"] == 20.0
    assert tier.protections[2]["stop_duration"] == 30


def test_a_tier_replacing_the_protections_fails_at_startup() -> None:
    class Careless(RiskProbe):
        protections = [{"method": "CooldownPeriod"}]

    tier = Careless({"risk": {}, "stake_currency": "USDT"})
    tier.wallets = Wallet()
    with pytest.raises(PackConfigError, match=r"^Careless\.protections: "):
        tier.bot_start()
    strategy().bot_start()  # the plain tier starts


class StopExchange:
    """An exchange that supports stop orders on the exchange (what ``bot_start`` asks of it)."""

    markets: ClassVar[dict] = {}
    trading_mode = TradingMode.SPOT

    def get_option(self, name: str, default: object = None) -> object:
        return name == "stoploss_on_exchange" or default


@pytest.mark.parametrize(
    ("tier_order_types", "expected"),
    [
        (None, True),  # the tier leaves it open: the risk config turns it on
        ({"stoploss_on_exchange": False}, False),  # the tier's choice is kept
    ],
)
def test_exchange_stops_never_override_a_declared_choice(
    tier_order_types: dict | None, expected: bool, caplog: pytest.LogCaptureFixture
) -> None:
    attributes = {} if tier_order_types is None else {"order_types": tier_order_types}
    tier = type("Tier", (RiskProbe,), attributes)
    # As after Freqtrade's StrategyResolver: the strategy's order_types copied into the config.
    config: dict = {"risk": {}, "stake_currency": "USDT", "runmode": RunMode.DRY_RUN}
    config["order_types"] = dict(tier.order_types)
    s = tier(config)
    s.wallets = Wallet()
    s.dp = StubDataProvider()
    s.dp._exchange = StopExchange()
    caplog.set_level(logging.INFO, logger="risk_protections.mixin")
    s.bot_start()
    assert s.order_types["stoploss_on_exchange"] is expected
    assert ("enabled for Tier" in caplog.text) is expected
    assert ("sets stoploss_on_exchange to False; kept" in caplog.text) is not expected


def test_the_veto_checks_the_stop_and_leverage_the_stake_was_sized_with(bt_trades: None) -> None:
    s = strategy({"gap_cap_multiple": 10})
    wide = s.risk_stake(pair="ETH/USDT", current_time=NOW, entry_rate=100.0, stop_distance=0.06,
                        leverage=1.0, side="long", proposed_stake=1e6, min_stake=5.0,
                        max_stake=1e6)
    assert s.risk_pending["ETH/USDT"].stop_distance == 0.06
    assert confirm(s, wide / 100.0)
    s.risk_pending.clear()  # without the sizing record the strategy stop (3 %) is assumed
    assert confirm(s, wide / 100.0)
    s.risk_pending["ETH/USDT"] = PendingEntry(0.12, 1.0)  # a wider stop than sized: refused
    assert not confirm(s, wide / 100.0)


def test_default_stake_uses_the_strategy_stop_and_confirm_accepts_it(bt_trades: None) -> None:
    s = strategy({"gap_cap_multiple": 10})
    got = stake(s)
    k = loss_per_notional(0.03, 0.001, 0.002, False)
    assert got == pytest.approx(10.0 / k, rel=1e-6)
    assert confirm(s, got / 100.0)
    assert not confirm(s, got * 1.02 / 100.0)


def test_confirm_refuses_and_logs_each_rule(
    bt_trades: None, caplog: pytest.LogCaptureFixture
) -> None:
    s = strategy({"daily_loss_limit_abs": 20})
    caplog.set_level(logging.INFO, logger="risk_protections.mixin")
    small = 0.5  # 50 USDT notional: within every per-trade rule
    assert confirm(s, small)
    for minutes in (10, 20, 30):  # three losses of ~7 today: daily 21 >= 20 and a loss streak
        trade = make_trade(
            LocalTrade,
            open_date=NOW - timedelta(hours=2),
            close_date=NOW - timedelta(minutes=minutes),
            stake=100.0,
            close_rate=93.0,
            fee=0.0,
        )
        LocalTrade.add_bt_trade(trade)
    assert not confirm(s, small)
    assert "daily_loss: realized 21.00 >= 20.00" in caplog.text
    assert "consecutive_losses: 3 losses in a row" in caplog.text
    caplog.clear()
    assert not confirm(s, 6.0)
    assert "trade_cap:" in caplog.text and "deployment:" in caplog.text


def test_failures_close_the_door(bt_trades: None, caplog: pytest.LogCaptureFixture) -> None:
    s = strategy()
    s.wallets = None
    s.config.pop("dry_run_wallet", None)
    assert stake(s) == 0.0
    assert confirm(s, 0.1) is False
    assert "refusing the entry" in caplog.text


def test_summary_once_a_day_and_on_every_new_lock(bt_trades: None) -> None:
    s = strategy(runmode=RunMode.DRY_RUN)
    s.bot_loop_start(current_time=NOW)
    s.bot_loop_start(current_time=NOW + timedelta(minutes=5))
    assert len(s.dp.sent) == 1
    text = s.dp.sent[0]
    assert "Per-trade cap 10.00 USDT" in text and "Today: lost 0.00 of 20.00 USDT" in text
    assert "Reserve 200.00 USDT" in text and "(limit 50%)" in text
    PairLocks.lock_pair("*", NOW + timedelta(hours=1), "DailyLossGuard: test lock", now=NOW)
    s.bot_loop_start(current_time=NOW + timedelta(minutes=10))
    assert len(s.dp.sent) == 2 and "LOCK: DailyLossGuard: test lock" in s.dp.sent[1]
    s.bot_loop_start(current_time=NOW + timedelta(minutes=15))
    s.bot_loop_start(current_time=NOW + timedelta(days=1))
    assert len(s.dp.sent) == 3 and "LOCK" not in s.dp.sent[2]


def test_no_summary_in_backtesting(bt_trades: None) -> None:
    s = strategy()
    s.bot_loop_start(current_time=NOW)
    assert s.dp.sent == []


def test_stakes_use_the_pairs_measured_gap_and_the_crash_of_open_positions(
    bt_trades: None,
) -> None:
    s = strategy()
    table = gap_table(
        {"ZEC/USDT": AdverseMoves(0.405, 0.2, 0.413, 0.31, 900)}, s.risk_config, "spot"
    )
    s.risk_gaps_at = lambda when: table  # type: ignore[method-assign]
    k_zec = loss_per_notional(0.413, 0.001, 0.0, False)
    assert stake(s, "ZEC/USDT") == pytest.approx(30.0 / k_zec, rel=1e-6)  # gap rule, 72.3
    # a pair without candles gets the universe's worst hour, not the floor
    assert stake(s, "ETH/USDT") == pytest.approx(30.0 / k_zec, rel=1e-6)
    LocalTrade.add_bt_trade(make_trade(LocalTrade, open_date=NOW - timedelta(hours=1),
                                       pair="ZEC/USDT", stake=100.0))
    # crash: 50 - 100 * k(41.3 %) = 8.62 left for the next position's 41.3 % hour
    room = 50.0 - 100.0 * k_zec
    assert stake(s, "ETH/USDT") == pytest.approx(room / k_zec, rel=1e-6)
    assert not confirm(s, 0.5)  # 50 USDT of ETH would crash past the bound


def test_entries_are_sized_with_the_crashes_known_at_their_time(bt_trades: None) -> None:
    s = strategy()
    month = pd.DataFrame({
        "date": pd.date_range(NOW - timedelta(days=40), periods=40 * 288, freq="5min", tz="UTC"),
        "open": 100.0, "high": 100.0, "low": 100.0, "close": 100.0, "volume": 1.0,
    })
    crash = NOW - timedelta(hours=1)
    month.loc[month["date"] == crash, "low"] = 60.0
    s._risk_gaps = GapHistory({"ZEC/USDT": move_history(month, "5m")}, {}, s.risk_config, "spot")
    k_crash = loss_per_notional(0.40, 0.001, 0.0, False)
    assert stake(s, "ZEC/USDT") == pytest.approx(30.0 / k_crash, rel=1e-6)  # 40 % known at NOW
    before = s.risk_gaps_at(crash)  # the crash candle has not closed yet
    assert before.gap("ZEC/USDT", False) == 0.15


def test_a_running_bot_adds_the_candles_it_receives(bt_trades: None) -> None:
    s = strategy(runmode=RunMode.DRY_RUN)
    rows = 400
    frame = pd.DataFrame({
        "date": pd.date_range("2025-06-01", periods=rows, freq="5min", tz="UTC"),
        "open": 100.0, "high": 100.0, "low": 100.0, "close": 100.0, "volume": 1.0,
    })
    frame.loc[10, "low"] = 50.0
    s.dp = StubDataProvider({"NEW/USDT": frame})
    s.bot_loop_start(current_time=NOW)
    bound = s.risk_gaps_at(NOW).bound("NEW/USDT")
    assert bound.moves is not None and bound.moves.hour_down == pytest.approx(0.5)
    assert bound.source == "floor" and bound.long == 0.15  # 1.4 days: too short, floor
    s.dp.frames["NEW/USDT"] = frame.iloc[:0]
    s.bot_loop_start(current_time=NOW + timedelta(minutes=5))
    assert s.risk_gaps_at(NOW).bound("NEW/USDT").moves is not None  # the candles are kept
