"""The risk audit: event arithmetic, re-pricing, each rule's breach detection, DB and CLI."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from freqtrade.persistence import LocalTrade, Trade, init_db
from freqtrade.persistence.usedb_context import enable_database_use
from risk_helpers import make_trade

from risk_protections.audit import audit_trades_db
from risk_protections.audit_cli import main as audit_main
from risk_protections.audit_rules import audit_trades
from risk_protections.config import parse_risk_config
from risk_protections.pnl import Fill, TradeRecord, from_export

T0 = datetime(2025, 6, 4, 8, tzinfo=UTC)
RISK = parse_risk_config(None)


def record(
    tid: int,
    opened: datetime,
    closed: datetime,
    *,
    stake: float = 100.0,
    exit_price: float = 99.0,
    fee: float = 0.0,
    short: bool = False,
    reason: str = "exit_signal",
) -> TradeRecord:
    amount = stake / 100.0
    side = -1.0 if short else 1.0
    profit = side * amount * (exit_price - 100.0) - fee * amount * (100.0 + exit_price)
    return TradeRecord(
        trade_id=tid,
        pair="BTC/USDT",
        is_short=short,
        leverage=1.0,
        open_date=opened,
        close_date=closed,
        stake=stake,
        profit_abs=profit,
        exit_reason=reason,
        fee_open=fee,
        fee_close=fee,
        fills=(Fill(opened, 100.0, amount, True), Fill(closed, exit_price, amount, False)),
    )


def no_candles(trade: TradeRecord) -> None:
    return None


def test_partial_exit_events_and_repricing_long_and_short() -> None:
    opened, mid, closed = T0, T0 + timedelta(hours=1), T0 + timedelta(hours=2)
    for short, worst in ((False, 90.0), (True, 110.0)):
        side = -1.0 if short else 1.0
        fee = 0.001
        partial = side * 0.5 * (98.0 - 100.0) - fee * 0.5 * (100.0 + 98.0)
        final = side * 0.5 * (95.0 - 100.0) - fee * 0.5 * (100.0 + 95.0)
        trade = TradeRecord(
            trade_id=1,
            pair="BTC/USDT",
            is_short=short,
            leverage=1.0,
            open_date=opened,
            close_date=closed,
            stake=100.0,
            profit_abs=partial + final,
            exit_reason="stop_loss",
            fee_open=fee,
            fee_close=fee,
            fills=(
                Fill(opened, 100.0, 1.0, True),
                Fill(mid, 98.0, 0.5, False),
                Fill(closed, 95.0, 0.5, False),
            ),
        )
        events = trade.events()
        assert [e.time for e in events] == [mid, closed]
        assert [e.pnl for e in events] == pytest.approx([partial, final])
        repriced = side * 0.5 * (worst - 100.0) - fee * 0.5 * (100.0 + worst)
        assert trade.events(final_price=worst)[-1].pnl == pytest.approx(repriced)


def test_a_clean_trade_list_has_no_breach_and_reports_worst_cases() -> None:
    trades = [
        record(i, T0 + timedelta(hours=i), T0 + timedelta(hours=i, minutes=30)) for i in range(1, 4)
    ]
    report = audit_trades(trades, RISK, 1000.0, no_candles)
    assert report.breaches == [] and report.repriced_breaches == []
    assert report.filled.rules["trade_cap"].worst == pytest.approx(1.0)
    assert report.filled.rules["trade_cap"].limit == pytest.approx(9.98)  # E 998 at entry 3
    assert report.filled.rules["reserve"].worst == pytest.approx(1000.0 - 2.0 - 100.0)


def test_each_rule_is_detected() -> None:
    day = T0
    trades = [
        # trade_cap: -21 on a 1000 account (cap 10); it also reaches the daily limit 20
        record(1, day, day + timedelta(minutes=10), stake=700.0, exit_price=97.0),
        # deployment: 300 + 300 open together > 50 % of 979; opened after the daily limit
        record(2, day + timedelta(hours=1), day + timedelta(hours=3), stake=300.0, exit_price=99.8),
        record(
            3,
            day + timedelta(hours=1, minutes=5),
            day + timedelta(hours=3),
            stake=300.0,
            exit_price=99.8,
        ),
        # consecutive: 3rd loss in a row at +3h, then an entry 10 min later, losing
        record(
            4,
            day + timedelta(hours=3, minutes=10),
            day + timedelta(hours=4),
            stake=100.0,
            exit_price=99.0,
        ),
    ]
    report = audit_trades(trades, RISK, 1000.0, no_candles)
    rules = {b.rule for b in report.breaches}
    assert {"trade_cap", "deployment", "consecutive_losses", "daily_loss"} <= rules
    daily = next(b for b in report.breaches if b.rule == "daily_loss")
    assert "trades opened after the limit: [2, 3, 4]" in daily.detail


def test_reserve_breach_and_gap_bound_in_the_repriced_view() -> None:
    trades = [
        record(1, T0, T0 + timedelta(hours=2), stake=450.0, exit_price=100.5),
        record(
            2,
            T0 + timedelta(minutes=5),
            T0 + timedelta(hours=2),
            stake=400.0,
            exit_price=99.9,
            reason="stop_loss",
        ),
    ]
    report = audit_trades(trades, RISK, 1000.0, lambda t: 50.0)  # the candle fell to 50
    assert {b.rule for b in report.breaches} == {"deployment", "reserve"}
    gap = report.repriced_breaches
    assert [b.rule for b in gap] == ["trade_cap"] and gap[0].amount == pytest.approx(200.0)
    assert gap[0].limit == pytest.approx(30.0)


def test_trades_database_audit(tmp_path: Path) -> None:
    enable_database_use()
    init_db(f"sqlite:///{tmp_path / 'trades.sqlite'}")
    for i, close in enumerate((99.0, 95.0), start=1):
        trade = make_trade(
            Trade,
            open_date=T0 + timedelta(hours=i),
            close_date=T0 + timedelta(hours=i, minutes=5),
            stake=200.0 * i,
            close_rate=close,
            fee=0.0,
        )
        Trade.session.add(trade)
    Trade.commit()
    report = audit_trades_db(f"sqlite:///{tmp_path / 'trades.sqlite'}", {"dry_run_wallet": 1000})
    assert report.trade_count == 2
    assert [b.rule for b in report.breaches] == ["trade_cap"]  # the 400 USDT trade lost 20
    assert report.breaches[0].amount == pytest.approx(20.0)


def test_export_shape_and_cli_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    trades = []
    for i, close in enumerate((99.0, 99.5), start=1):
        t = make_trade(
            LocalTrade,
            open_date=T0 + timedelta(hours=i),
            close_date=T0 + timedelta(hours=i, minutes=5),
            close_rate=close,
        )
        trades.append(t.to_json(True))
    assert from_export(1, trades[0]).profit_abs == pytest.approx(trades[0]["profit_abs"])
    export = tmp_path / "backtest-result-test.json"
    export.write_text(
        json.dumps(
            {
                "strategy": {
                    "S": {
                        "trades": trades,
                        "starting_balance": 1000,
                        "timeframe": "5m",
                        "trading_mode": "spot",
                    }
                }
            }
        )
    )
    config = tmp_path / "risk.json"
    config.write_text(json.dumps({"risk": {}}))
    assert audit_main([str(export), "-c", str(config)]) == 0
    assert "[filled] 0 breach(es)" in capsys.readouterr().out
    config.write_text(json.dumps({"risk": {"risk_per_trade_abs": 0.5}}))
    assert audit_main([str(export), "-c", str(config)]) == 2
    assert "BREACH trade_cap" in capsys.readouterr().out
    assert audit_main([str(tmp_path / "missing.json")]) == 1
