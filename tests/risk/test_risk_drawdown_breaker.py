"""DrawdownBreaker on hand-built closed-trade sequences (Freqtrade's in-memory trades), its
rule functions, its config checks, and the contrast with Freqtrade's MaxDrawdown (equity mode)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from freqtrade.persistence import LocalTrade
from freqtrade.plugins.protectionmanager import ProtectionManager
from hypothesis import given
from hypothesis import strategies as st
from risk_helpers import make_trade

import risk_protections
from packtest import REPO, load_strategy_class
from risk_protections.config import DEFAULTS, parse_risk_config
from risk_protections.errors import PackConfigError
from risk_protections.mixin import risk_protection_list
from risk_protections.rules import drawdown_from_peak, equity_peak

risk_protections.register()

CONFIG = {"timeframe": "5m", "stake_currency": "USDT"}
START = 1000.0
T0 = datetime(2025, 6, 2, tzinfo=UTC)
BREAKER = {"method": "DrawdownBreaker", "max_drawdown": 0.05, "stop_duration": 1440}


def close_trade(close: datetime, profit: float, **kwargs) -> LocalTrade:
    """A closed long of stake 100 at 100 (one unit, no fees): realized profit is ``profit``."""
    trade = make_trade(LocalTrade, open_date=close - timedelta(hours=1), close_date=close,
                       stake=100.0, open_rate=100.0, close_rate=100.0 + profit, fee=0.0, **kwargs)
    LocalTrade.add_bt_trade(trade)
    return trade


def stop(pm: ProtectionManager, now: datetime):
    return pm.global_stop(now, starting_balance=START)


def ends_after_cool_down(lock, last_close: datetime) -> bool:
    """The lock ends one cool-down (1440 min) after the close (Freqtrade rounds the end up to
    the next 5m candle)."""
    end = lock.lock_end_time.replace(tzinfo=UTC)
    return last_close + timedelta(minutes=1440) <= end <= last_close + timedelta(minutes=1445)


def test_rule_functions_on_a_hand_built_sequence() -> None:
    # 1000 -> 1080 -> 1040 -> 1100 -> 1030: peak 1100, drawdown 1 - 1030/1100
    profits = [80.0, -40.0, 60.0, -70.0]
    assert equity_peak(START, profits, 1030.0) == 1100.0
    assert drawdown_from_peak(1100.0, 1030.0) == pytest.approx(70 / 1100)
    assert equity_peak(START, [], 1000.0) == 1000.0
    assert equity_peak(START, [-10.0, None], 990.0) == 1000.0  # the start is a peak
    assert drawdown_from_peak(1000.0, 1200.0) == 0.0
    assert drawdown_from_peak(0.0, 10.0) == 1.0


@given(st.lists(st.floats(-50, 50, allow_nan=False), max_size=30))
def test_drawdown_is_a_share_and_zero_at_a_new_high(profits: list[float]) -> None:
    equity = START + sum(profits)
    peak = equity_peak(START, profits, equity)
    assert peak >= max(START, equity)
    assert 0.0 <= drawdown_from_peak(peak, equity) <= 1.0
    assert drawdown_from_peak(equity_peak(START, profits, peak + 1), peak + 1) == 0.0


def test_slow_drawdown_from_an_old_peak_locks_for_the_cool_down(bt_trades: None) -> None:
    pm = ProtectionManager(CONFIG, [BREAKER])
    close_trade(T0, 100.0)  # peak 1100
    for day in (1, 2):  # 1080, 1060: 3.6 % below the peak
        close_trade(T0 + timedelta(days=day), -20.0)
        assert stop(pm, T0 + timedelta(days=day)) is None
    last = T0 + timedelta(days=3)
    close_trade(last, -20.0)  # 1040: 5.45 % below 1100
    lock = stop(pm, last)
    assert lock is not None
    assert ends_after_cool_down(lock, last)
    assert "5.45% below its peak 1100.00" in lock.reason


def test_the_lock_ends_with_the_cool_down_and_is_renewed_by_the_next_exit(bt_trades: None) -> None:
    pm = ProtectionManager(CONFIG, [BREAKER])
    close_trade(T0, -60.0)  # 940: 6 % below the starting balance
    assert stop(pm, T0) is not None
    assert stop(pm, T0 + timedelta(minutes=1441)) is None  # cool-down over: entries again
    later = T0 + timedelta(days=2)
    close_trade(later, 5.0)  # 945: still 5.5 % below, a new exit starts a new cool-down
    lock = stop(pm, later)
    assert lock is not None
    assert ends_after_cool_down(lock, later)


def test_recovery_to_a_new_high_unlocks(bt_trades: None) -> None:
    pm = ProtectionManager(CONFIG, [BREAKER])
    close_trade(T0, 100.0)
    close_trade(T0 + timedelta(hours=2), -70.0)  # 1030: 6.4 % below 1100
    assert stop(pm, T0 + timedelta(hours=2)) is not None
    close_trade(T0 + timedelta(hours=4), 75.0)  # 1105: a new high
    assert stop(pm, T0 + timedelta(hours=4)) is None


def test_partial_exits_of_open_trades_count_in_equity(bt_trades: None) -> None:
    pm = ProtectionManager(CONFIG, [BREAKER])
    close_trade(T0, -45.0)  # 955: 4.5 %
    assert stop(pm, T0) is None
    still_open = make_trade(LocalTrade, open_date=T0 + timedelta(hours=1), stake=1000.0,
                            open_rate=100.0, fee=0.0, partial=(T0 + timedelta(hours=2), 99.0, 0.5))
    LocalTrade.add_bt_trade(still_open)  # the partial exit realizes -5: 950 = 5.0 %, not above
    assert stop(pm, T0 + timedelta(hours=2)) is None
    close_trade(T0 + timedelta(hours=3), -1.0)  # 949: above 5 %
    assert stop(pm, T0 + timedelta(hours=3)) is not None


def test_freqtrades_max_drawdown_misses_a_drawdown_from_a_peak_before_its_window(
    bt_trades: None,
) -> None:
    """The same slow drawdown: MaxDrawdown (equity mode, 2-day lookback) does not lock, because
    its balance starts at the window's start, not at the old peak."""
    max_dd = {"method": "MaxDrawdown", "calculation_mode": "equity", "lookback_period": 2880,
              "trade_limit": 1, "stop_duration": 1440, "max_allowed_drawdown": 0.05}
    ours, theirs = ProtectionManager(CONFIG, [BREAKER]), ProtectionManager(CONFIG, [max_dd])
    close_trade(T0, 100.0)
    for day in range(1, 7):  # -12 a day for six days: 1028, 6.5 % below 1100
        close_trade(T0 + timedelta(days=day), -12.0)
    now = T0 + timedelta(days=6)
    assert stop(ours, now) is not None
    assert stop(theirs, now) is None


def test_defaults_are_in_the_risk_protection_list() -> None:
    risk = parse_risk_config({})
    entry = risk_protection_list(risk)[-1]
    assert entry == {"method": "DrawdownBreaker", "max_drawdown": DEFAULTS["max_drawdown"],
                     "stop_duration": DEFAULTS["drawdown_pause_minutes"]}
    assert (risk.max_drawdown, risk.drawdown_pause_minutes) == (0.05, 10080)
    pm = ProtectionManager(CONFIG, [{"method": "DrawdownBreaker"}])
    assert "5.0% below its peak" in str(pm.short_desc()[0])


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ({"max_drawdown": 0}, "risk.max_drawdown"),
        ({"max_drawdown": 1.5}, "risk.max_drawdown"),
        ({"drawdown_pause_minutes": 0}, "risk.drawdown_pause_minutes"),
        ({"drawdown_pause_minutes": 30.5}, "risk.drawdown_pause_minutes"),
    ],
)
def test_impossible_settings_name_the_key(raw: dict, key: str) -> None:
    with pytest.raises(PackConfigError, match=key):
        parse_risk_config(raw)


def test_bad_protection_entry_names_the_key() -> None:
    with pytest.raises(PackConfigError, match=r"protections\.DrawdownBreaker\.max_drawdown"):
        ProtectionManager(CONFIG, [{"method": "DrawdownBreaker", "max_drawdown": 2}])
    with pytest.raises(PackConfigError, match=r"protections\.DrawdownBreaker\.unlock_at"):
        ProtectionManager(CONFIG, [{"method": "DrawdownBreaker", "unlock_at": "12:00"}])
    with pytest.raises(PackConfigError, match=r"protections\.DrawdownBreaker\.stop_duration"):
        ProtectionManager(CONFIG, [{"method": "DrawdownBreaker", "stop_duration": 0}])


def test_restart_rebuilds_peak_and_lock_from_the_trades_database(tmp_path) -> None:
    """A bot restarted mid-drawdown: the peak and the drawdown come from the trades in
    Freqtrade's database (nothing else is kept), so the new process locks again, and the lock it
    writes survives the next restart too."""
    from freqtrade.persistence import PairLocks, Trade, init_db
    from freqtrade.persistence.usedb_context import enable_database_use

    url = f"sqlite:///{tmp_path / 'tradesv3.sqlite'}"
    enable_database_use()
    PairLocks.timeframe = CONFIG["timeframe"]  # as the bot sets it at start-up

    def restart() -> None:  # a new process: a new engine and session on the same file
        Trade.session.remove()
        init_db(url)

    init_db(url)
    last = T0 + timedelta(days=3)
    for i, (close, profit) in enumerate([(T0, 100.0), (T0 + timedelta(days=1), -30.0),
                                         (last, -30.0)], start=1):  # 1100 -> 1070 -> 1040
        Trade.session.add(make_trade(Trade, open_date=close - timedelta(hours=1),
                                     close_date=close, stake=100.0, open_rate=100.0,
                                     close_rate=100.0 + profit, fee=0.0, trade_id=i))
    Trade.commit()
    try:
        restart()
        assert PairLocks.get_all_locks() == []
        lock = stop(ProtectionManager(CONFIG, [BREAKER]), last + timedelta(minutes=5))
        assert lock is not None and ends_after_cool_down(lock, last)
        assert "5.45% below its peak 1100.00" in lock.reason
        restart()
        assert PairLocks.is_global_lock(last + timedelta(hours=1))  # read back from the file
        # one cool-down after the last exit the rebuilt state no longer locks
        assert stop(ProtectionManager(CONFIG, [BREAKER]), last + timedelta(days=2)) is None
    finally:
        Trade.session.remove()
        init_db("sqlite://")
        PairLocks.timeframe = ""


@pytest.mark.parametrize("name", ["StablecoinSpread", "SmallCapMomentum", "PerpScalper",
                                  "SmallCapMomentumML", "PerpScalperML"])
def test_every_tier_gets_the_breaker_from_its_risk_config(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each tier takes its protections from the mixin (none overrides ``protections``: the mixin
    refuses that at startup), so the breaker with the risk config's values is among them."""
    monkeypatch.syspath_prepend(str(REPO / "user_data" / "strategies"))  # ML variants' base
    tier = load_strategy_class(name)
    assert issubclass(tier, risk_protections.RiskManagedMixin)
    assert tier.protections is risk_protections.RiskManagedMixin.protections
    assert "DrawdownBreaker" not in {p["method"] for p in tier.risk_extra_protections}
    risk = parse_risk_config({"max_drawdown": 0.04, "drawdown_pause_minutes": 2880})
    assert {"method": "DrawdownBreaker", "max_drawdown": 0.04,
            "stop_duration": 2880} in risk_protection_list(risk)
