"""Crash-stressed audit view and the stop-limit trade-through count, on hand-made trades."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from freqtrade.data.history import get_datahandler
from freqtrade.enums import CandleType

from risk_protections.audit import with_crash_stress
from risk_protections.audit_rules import AuditView, audit_trades
from risk_protections.config import parse_risk_config
from risk_protections.pair_gaps import AdverseMoves, gap_table
from risk_protections.pnl import Fill, TradeRecord
from risk_protections.sizing import loss_per_notional
from risk_protections.stop_fills import count_traded_through, limit_price
from risk_protections.stress_audit import stressed_view

T0 = datetime(2025, 2, 3, 1, tzinfo=UTC)
RISK = parse_risk_config(None)  # cap 10, gap x3 = 30, crash 2.5 x 20 = 50 on 1000
MOVES = {
    "ZEC/USDT": AdverseMoves(0.405, 0.2, 0.413, 0.8, 900),
    "ADA/USDT": AdverseMoves(0.175, 0.1, 0.332, 0.5, 900),
}
GAPS = gap_table(MOVES, RISK, "spot")


def trade(tid: int, pair: str, stake: float, opened: datetime, hours: float, exit_price: float,
          reason: str = "exit_signal", short: bool = False) -> TradeRecord:
    amount = stake / 100.0
    closed = opened + timedelta(hours=hours)
    side = -1.0 if short else 1.0
    return TradeRecord(
        trade_id=tid, pair=pair, is_short=short, leverage=1.0, open_date=opened,
        close_date=closed, stake=stake, profit_abs=side * amount * (exit_price - 100.0),
        exit_reason=reason, fee_open=0.0, fee_close=0.0,
        fills=(Fill(opened, 100.0, amount, True), Fill(closed, exit_price, amount, False)),
    )


def view(trades: list[TradeRecord]) -> AuditView:
    return stressed_view(
        trades, {t.trade_id: t.events() for t in trades}, RISK, 1000.0, lambda _: GAPS
    )


def test_each_trade_is_stressed_at_its_pairs_gap_and_checked_against_the_gap_bound() -> None:
    k_zec = loss_per_notional(0.413, RISK.fee_rate, 0.0, False)
    fits = 30.0 / k_zec  # the stake sizing allows on ZEC
    result = view([trade(1, "ZEC/USDT", fits * 0.999, T0, 1, 101.0)])
    assert result.rules["trade_cap"].worst == pytest.approx(fits * 0.999 * k_zec)
    assert result.rules["trade_cap"].limit == pytest.approx(30.0)
    assert not result.breaches
    big = view([trade(1, "ZEC/USDT", 100.0, T0, 1, 101.0)])  # sized for the 15 % floor
    assert [b.rule for b in big.breaches] == ["trade_cap"]
    assert big.breaches[0].amount == pytest.approx(100.0 * k_zec)
    assert "41.3% gap (measured)" in big.breaches[0].detail


def test_positions_open_together_are_crashed_together() -> None:
    k_zec = loss_per_notional(0.413, RISK.fee_rate, 0.0, False)
    k_ada = loss_per_notional(0.332, RISK.fee_rate, 0.0, False)
    a = trade(1, "ZEC/USDT", 70.0, T0, 3, 99.0)
    b = trade(2, "ADA/USDT", 80.0, T0 + timedelta(hours=1), 1, 99.0)
    later = trade(3, "ADA/USDT", 80.0, T0 + timedelta(hours=5), 1, 99.0)  # alone
    result = view([a, b, later])
    day = result.rules["daily_loss"]
    assert day.worst == pytest.approx(70.0 * k_zec + 80.0 * k_ada)  # 28.98 + 26.64 = 55.6
    assert day.limit == pytest.approx(50.0, rel=1e-3)
    assert [x.rule for x in result.breaches] == ["daily_loss"]
    assert "2 open (ADA/USDT, ZEC/USDT)" in day.detail
    apart = view([a, later])
    assert not apart.breaches and apart.rules["daily_loss"].worst == pytest.approx(70.0 * k_zec)


def test_stop_exits_whose_candle_passed_the_limit_price_are_counted() -> None:
    assert limit_price(100.0, 0.99, False) == pytest.approx(99.0)
    assert limit_price(100.0, 0.99, True) == pytest.approx(101.0)
    stops = [
        trade(1, "ZEC/USDT", 50.0, T0, 1, 97.0, "stop_loss"),  # low 95 < 97 * 0.99
        trade(2, "ZEC/USDT", 50.0, T0, 1, 97.0, "stop_loss"),  # low 96.1 > 96.03: filled
        trade(3, "ZEC/USDT", 50.0, T0, 1, 103.0, "stop_loss", short=True),  # high 105 > 104.03
        trade(4, "ZEC/USDT", 50.0, T0, 1, 97.0, "stop_loss"),  # no candle: not counted
    ]
    lows = {1: 95.0, 2: 96.1, 3: 105.0, 4: None}
    counted = count_traded_through(stops, lambda t: lows[t.trade_id], 0.99)
    assert (counted.stop_exits, counted.traded_through) == (3, 2)
    assert counted.text().startswith("2 of 3 stop exits (66.7%)")


def test_trades_are_stressed_at_the_gaps_known_at_entry_and_shown_the_later_crash(
    tmp_path: Path,
) -> None:
    # ZEC quiet for 40 days, then a 30 % candle; a 150 USDT trade opened the day before it
    # (sized by the 15 % floor: no crash known then) and one opened after it
    quiet = 40 * 288
    start = datetime(2025, 1, 1, tzinfo=UTC)
    dates = pd.date_range(start, periods=quiet + 400, freq="5min", tz="UTC")
    frame = pd.DataFrame({"date": dates, "open": 100.0, "high": 100.5, "low": 99.5,
                          "close": 100.0, "volume": 1.0})
    frame.loc[quiet, "low"] = 70.0
    get_datahandler(tmp_path, "feather").ohlcv_store("ZEC/USDT", "5m", frame, CandleType.SPOT)
    crash = dates[quiet]
    trades = [trade(1, "ZEC/USDT", 150.0, crash - timedelta(days=1), 2, 100.5),
              trade(2, "ZEC/USDT", 150.0, crash + timedelta(hours=2), 2, 100.5)]
    config = {"datadir": str(tmp_path), "dataformat_ohlcv": "feather"}
    report = audit_trades(trades, RISK, 1000.0, lambda _: None)
    with_crash_stress(report, trades, config, "5m", lambda _: None)
    assert report.stressed is not None and report.record is not None
    k_floor = loss_per_notional(0.15, RISK.fee_rate, 0.0, False)
    k_crash = loss_per_notional(0.30, RISK.fee_rate, 0.0, False)
    # the first trade at the floor (no breach), the second at the crash it could know (breach)
    assert [b.detail for b in report.stressed_breaches] == [
        "ZEC/USDT #2 at a 30.0% gap (measured)"]
    assert report.stressed_breaches[0].amount == pytest.approx(150.0 * k_crash)
    assert 150.0 * k_floor < 30.0
    assert report.record.rules["trade_cap"].worst == pytest.approx(150.0 * k_crash)
    assert len(report.record.exceeded) == 2 and not report.record.breaches  # not checked
    assert "2 amount(s) above the limit at all the data's gaps" in report.to_text()
