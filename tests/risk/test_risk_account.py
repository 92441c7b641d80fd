"""One account, one risk budget: ``risk.account`` peers' trade databases count in every rule.

This bot's trades are Freqtrade's in-memory trades; each peer is a real SQLite trades database
written through Freqtrade's ``Trade`` model (its own schema) in a session of its own, and read
back read-only by :mod:`risk_protections.account`.
"""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from freqtrade.enums import RunMode
from freqtrade.persistence import LocalTrade, Trade
from freqtrade.persistence.base import ModelBase
from risk_helpers import make_trade
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from packtest import StubDataProvider
from risk_protections.account import account_view, check_account, parse_account
from risk_protections.config import parse_risk_config
from risk_protections.errors import PackConfigError
from risk_protections.protections import (
    ConsecutiveLossPause,
    DailyLossGuard,
    DrawdownBreaker,
    ReserveGuard,
)

sys.path.insert(0, str(Path(__file__).parent / "strategies"))
from RiskProbe import RiskProbe
from test_risk_mixin import Wallet, stake
from test_risk_mixin import confirm as confirm_amount

NOW = datetime(2025, 6, 4, 12, tzinfo=UTC)
RESET = parse_risk_config({}).daily_reset


def write_db(path: Path, trades: list[Trade]) -> Path:
    """A Freqtrade trades database at ``path`` holding ``trades``."""
    engine = create_engine(f"sqlite:///{path}")
    ModelBase.metadata.create_all(engine)
    with Session(engine) as session:
        session.add_all(trades)
        session.commit()
    engine.dispose()
    return path


def loss(cls: type, usdt: float, hours_ago: float = 1.0, **kw: object) -> LocalTrade:
    """A 100 USDT spot long closed ``usdt`` lower (no fees)."""
    return make_trade(
        cls,
        open_date=NOW - timedelta(hours=hours_ago + 1),
        close_date=NOW - timedelta(hours=hours_ago),
        close_rate=100.0 - usdt,
        fee=0.0,
        **kw,
    )


def opened(cls: type, stake: float) -> LocalTrade:
    return make_trade(cls, open_date=NOW - timedelta(hours=1), stake=stake, fee=0.0)


def config(peers: dict[str, str], runmode: RunMode = RunMode.DRY_RUN, **risk: object) -> dict:
    return {
        "risk": {"daily_loss_limit_abs": 20, "account": {"name": "tier1", "peers": peers}, **risk},
        "stake_currency": "USDT",
        "timeframe": "5m",
        "runmode": runmode,
        "db_url": "sqlite:///tradesv3.tier1.sqlite",
    }


def confirm(s: RiskProbe, amount: float = 0.1) -> bool:
    return confirm_amount(s, amount)


def strategy(cfg: dict) -> RiskProbe:
    s = RiskProbe(cfg)
    s.wallets = Wallet()
    s.dp = StubDataProvider()
    return s


def test_two_bots_cross_the_day_limit_together_and_every_rule_names_them(
    bt_trades: None, tmp_path: Path
) -> None:
    peer = write_db(tmp_path / "tier2.sqlite", [loss(Trade, 12.0, hours_ago=0.5)])
    LocalTrade.add_bt_trade(loss(LocalTrade, 12.0, hours_ago=2))
    alone = strategy(config({}, runmode=RunMode.DRY_RUN) | {"risk": {"daily_loss_limit_abs": 20}})
    assert confirm(alone)  # this bot's own 12 USDT loss stays within the 20 USDT day
    s = strategy(config({"tier2": str(peer)}))
    assert s.risk_snapshot(NOW).pnl_day == pytest.approx(-24.0)
    assert not confirm(s)
    assert stake(s) > 0  # sizing alone does not refuse; the day lock does
    violations = s.risk_entry_violations("ETH/USDT", 0.1, 100.0, NOW, "long")
    assert len(violations) == 1
    assert violations[0].startswith("daily_loss: realized 24.00 >= 20.00 (account of 2 bots")
    assert "tier1 -12.00, tier2 -12.00; crossed by tier2's trade 1 at 11:30 UTC" in violations[0]
    guard = DailyLossGuard(s.config, {"method": "DailyLossGuard", "max_loss_abs": 20})
    lock = guard.global_stop(NOW, "long", 1000.0)
    assert lock is not None and lock.lock
    assert "realized loss 24.00" in lock.reason and "crossed by tier2's trade 1" in lock.reason


def test_backtests_ignore_the_peers(bt_trades: None, tmp_path: Path) -> None:
    peer = write_db(tmp_path / "tier2.sqlite", [loss(Trade, 12.0, hours_ago=0.5)])
    LocalTrade.add_bt_trade(loss(LocalTrade, 12.0, hours_ago=2))
    assert confirm(strategy(config({"tier2": str(peer)}, runmode=RunMode.BACKTEST)))


def test_each_bots_sizing_and_the_reserve_see_the_others_open_stake(
    bt_trades: None, tmp_path: Path
) -> None:
    peer = write_db(tmp_path / "tier2.sqlite", [opened(Trade, 300.0)])
    other = write_db(tmp_path / "tier3.sqlite", [opened(Trade, 150.0)])
    LocalTrade.add_bt_trade(opened(LocalTrade, 40.0))
    s = strategy(config({"tier2": f"file:{peer}?mode=ro", "tier3": f"sqlite:///{other}"}))
    assert s.risk_snapshot(NOW).open_stake == pytest.approx(490.0)
    assert stake(s) == pytest.approx(10.0, rel=1e-6)  # 50 % of 1000 less 490 open
    assert not confirm(s, amount=0.2)  # 20 USDT: deployment 510 > 500
    reserve = {"method": "ReserveGuard", "reserve_abs": 600}
    lock = ReserveGuard(s.config, reserve).global_stop(NOW, "long", 1000.0)
    assert lock is not None
    assert "open stake of 3 bots: tier1 40.00, tier2 300.00, tier3 150.00" in lock.reason


def test_a_loss_streak_runs_across_bots(bt_trades: None, tmp_path: Path) -> None:
    peer = write_db(tmp_path / "tier2.sqlite", [loss(Trade, 1.0, hours_ago=0.2)])
    LocalTrade.add_bt_trade(loss(LocalTrade, 1.0, hours_ago=0.5))
    LocalTrade.add_bt_trade(loss(LocalTrade, 1.0, hours_ago=0.4))
    s = strategy(config({"tier2": str(peer)}))
    assert not confirm(s)
    (violation,) = s.risk_entry_violations("ETH/USDT", 0.1, 100.0, NOW, "long")
    assert violation.startswith("consecutive_losses: 3 losses in a row")
    assert "tier2's trade 1, tier1's trade" in violation
    pause = ConsecutiveLossPause(s.config, {"method": "ConsecutiveLossPause", "max_losses": 3})
    lock = pause.global_stop(NOW, "long", 1000.0)
    assert lock is not None and "tier2's trade 1" in lock.reason


def test_an_unreadable_peer_closes_the_door_and_says_which(
    bt_trades: None, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    peer = write_db(tmp_path / "tier2.sqlite", [])
    s = strategy(config({"tier2": str(peer)}))
    assert confirm(s)
    peer.write_bytes(b"not a database" * 100)
    with caplog.at_level(logging.INFO):
        assert not confirm(s)
        assert stake(s) == 0.0
    assert "cannot read bot tier2's trades" in caplog.text
    lock = DailyLossGuard(s.config, {"method": "DailyLossGuard"}).global_stop(NOW, "long", 1000.0)
    assert lock is not None and "cannot read bot tier2's trades" in lock.reason


def test_the_account_starting_balance_sets_the_limits(bt_trades: None, tmp_path: Path) -> None:
    peer = write_db(tmp_path / "tier2.sqlite", [opened(Trade, 100.0)])
    cfg = config({"tier2": str(peer)})
    cfg["risk"]["account"]["starting_balance"] = 3000
    # the day limit stays 20 USDT: widen the correlated-crash bound (2.5 day limits = 50 USDT)
    # so that deployment, the rule this test follows, binds the stake
    cfg["risk"].update(crash_day_multiple=50, i_accept_larger_losses=True)
    view = account_view(cfg, NOW, 1000.0, RESET)
    assert view.snapshot.starting_balance == 3000.0 and view.snapshot.open_stake == 100.0
    assert stake(strategy(cfg)) > 500  # 50 % of the 3000 USDT account less 100 open


def test_peer_databases_are_never_written(bt_trades: None, tmp_path: Path) -> None:
    peer = write_db(tmp_path / "tier2.sqlite", [loss(Trade, 3.0)])
    before = peer.read_bytes()
    strategy(config({"tier2": str(peer)})).risk_snapshot(NOW)
    assert peer.read_bytes() == before


@pytest.mark.parametrize(
    ("peers", "extra", "message"),
    [
        ({"tier2": "{tmp}/missing.sqlite"}, {}, "risk.account.peers.tier2: database"),
        ({"tier2": "sqlite:///{tmp}/tier1.sqlite"}, {}, "risk.account.peers.tier2: sqlite:///"),
        ({"tier2": "{tmp}/btc.sqlite"}, {}, "risk.account.peers.tier2: its trades are in BTC"),
        ({"tier2": "file:{tmp}/tier2.sqlite"}, {}, "risk.account.peers.tier2: a SQLite URI"),
        ({"tier2": "sqlite://"}, {}, "risk.account.peers.tier2: an in-memory database"),
        ({"tier2": ""}, {}, "risk.account.peers.tier2: must be a database path"),
        ({}, {}, "risk.account.peers: must name at least one"),
        ({"tier1": "{tmp}/tier2.sqlite"}, {}, "risk.account.name: must be a name no peer has"),
        ({"tier2": "{tmp}/tier2.sqlite"}, {"port": 1}, "risk.account.port: unknown key"),
        ({"tier2": "{tmp}/tier2.sqlite"}, {"starting_balance": -5}, "risk.account.starting_bal"),
    ],
)
def test_bad_account_config_fails_at_startup_naming_the_key(
    bt_trades: None, tmp_path: Path, peers: dict, extra: dict, message: str
) -> None:
    write_db(tmp_path / "tier1.sqlite", [])
    write_db(tmp_path / "tier2.sqlite", [loss(Trade, 1.0)])
    write_db(tmp_path / "btc.sqlite", [loss(Trade, 1.0, pair="ETH/BTC")])
    cfg = config({name: src.format(tmp=tmp_path) for name, src in peers.items()})
    cfg["db_url"] = f"sqlite:///{tmp_path}/tier1.sqlite"
    cfg["risk"]["account"].update(extra)
    with pytest.raises(PackConfigError) as refused:
        check_account(cfg)
    assert str(refused.value).startswith(message), refused.value
    with pytest.raises(PackConfigError, match=r"^risk\.account"):
        strategy(cfg).bot_start()


def test_a_good_account_config_passes_and_a_relative_own_path_is_recognised(
    bt_trades: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write_db(tmp_path / "tier1.sqlite", [])
    write_db(tmp_path / "tier2.sqlite", [loss(Trade, 1.0)])
    cfg = config({"tier2": "tier2.sqlite"})
    cfg["db_url"] = "sqlite:///tier1.sqlite"
    settings = check_account(cfg)
    assert settings is not None and [p.name for p in settings.peers] == ["tier2"]
    cfg["risk"]["account"]["peers"] = {"tier2": str(tmp_path / "tier1.sqlite")}
    with pytest.raises(PackConfigError, match="this bot's own database"):
        check_account(cfg)
    assert parse_account({"risk": {}}) is None


def test_the_drawdown_breaker_measures_the_accounts_peak(bt_trades: None, tmp_path: Path) -> None:
    peer = write_db(tmp_path / "tier2.sqlite", [loss(Trade, 60.0)])  # 6 % of the account
    s = strategy(config({"tier2": str(peer)}))
    breaker = DrawdownBreaker(s.config, {"method": "DrawdownBreaker"})
    lock = breaker.global_stop(NOW, "long", 1000.0)
    assert lock is not None and "6.00% below its peak 1000.00" in lock.reason
    assert "(account of 2 bots; last exit tier2's trade 1)" in lock.reason
    alone = strategy(config({"tier2": str(peer)}, runmode=RunMode.BACKTEST))
    assert DrawdownBreaker(alone.config, {"method": "DrawdownBreaker"}).global_stop(
        NOW, "long", 1000.0
    ) is None
