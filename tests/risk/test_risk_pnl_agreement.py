"""The guards and the audit agree on a real futures backtest with funding and partial exits.

``FundingPartials`` (tests/risk/strategies) holds BTC and ETH perpetual positions across the
funding times of the bundled data and exits each in three parts. During the backtest the risk
layer's own account snapshot (what the protections and the entry veto decide on) is recorded
every hour; afterwards the audit's reading of the exported trades must give the same realized
events per exit and the same snapshot at every one of those hours.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import time, timedelta
from typing import Any

import pytest
from freqtrade.commands import Arguments
from freqtrade.commands.optimize_commands import setup_optimize_configuration
from freqtrade.data.btanalysis import load_backtest_stats
from freqtrade.enums import RunMode
from freqtrade.optimize.backtesting import Backtesting
from risk_helpers import backtest_args

from ftpack.offline import install
from packtest import REPO
from risk_protections.audit import audit_backtest
from risk_protections.config import parse_risk_config
from risk_protections.ledger import LedgerSnapshot, period_snapshot
from risk_protections.pnl import TradeRecord, from_export, from_trade

PAIRS = ("BTC/USDT:USDT", "ETH/USDT:USDT")
TICK = timedelta(microseconds=1)
FIELDS = ("equity", "open_stake", "pnl_day", "pnl_week", "pnl_day_low", "pnl_week_low")


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    out = tmp_path_factory.mktemp("funding_partials")
    args = backtest_args(
        [],
        strategy="FundingPartials",
        market="futures",
        pairs=PAIRS,
        timerange="20250505-20250605",
        extra=("--enable-protections", "--max-open-trades", "2", "--export", "trades",
               "--backtest-directory", str(out)),
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(REPO)
        install()
        config = setup_optimize_configuration(Arguments(args).get_parsed_arg(), RunMode.BACKTEST)
        backtesting = Backtesting(config)
        backtesting.start()
    strategy = type(backtesting.strategylist[0])
    result = load_backtest_stats(out)["strategy"]["FundingPartials"]
    yield {
        "config": config,
        "dir": out,
        "result": result,
        "snapshots": list(strategy.snapshots),
        "live": list(strategy.trades),
        "records": [from_export(i + 1, t) for i, t in enumerate(result["trades"])],
    }
    strategy.snapshots.clear()
    strategy.trades.clear()


def audit_view(records: list[TradeRecord], guard: LedgerSnapshot, reset: time) -> LedgerSnapshot:
    """The snapshot the audit's records give at the moment the guards took ``guard``.

    The guards' snapshot is taken at the start of a candle, before that candle's fills, so only
    earlier fills count.
    """
    now = guard.now
    events = [e for r in records for e in r.events() if e.time < now]
    return period_snapshot(
        now,
        guard.starting_balance,
        reset,
        equity=guard.starting_balance + sum(e.pnl for e in events),
        open_stake=sum(r.stake_at(now - TICK) for r in records),
        events=events,
    )


@pytest.mark.slow
def test_export_has_funding_and_partial_exits(run: dict[str, Any]) -> None:
    trades = run["result"]["trades"]
    assert len(trades) >= 40
    assert sum(1 for t in trades if t["funding_fees"] != 0.0) >= 20
    in_parts = [t for t in trades if sum(not o["ft_is_entry"] for o in t["orders"]) == 3]
    assert len(in_parts) >= 10
    assert sum(1 for t in in_parts if t["funding_fees"] != 0.0) >= 10


@pytest.mark.slow
def test_live_trades_and_export_give_the_same_events(run: dict[str, Any]) -> None:
    live = {(t.pair, t.open_date_utc): from_trade(t) for t in run["live"]}
    assert len(live) == len(run["records"])
    for record in run["records"]:
        guard = live[(record.pair, record.open_date)]
        ours, theirs = record.events(), guard.events()
        assert [e.time for e in ours] == [e.time for e in theirs]
        assert [e.pnl for e in ours] == pytest.approx([e.pnl for e in theirs], abs=1e-9)
        assert sum(e.pnl for e in ours) == pytest.approx(record.profit_abs, abs=1e-9)


@pytest.mark.slow
def test_formula_plus_funding_is_freqtrades_profit(run: dict[str, Any]) -> None:
    """Without the closing adjustment, each exit's formula plus the funding Freqtrade booked on
    the trade's orders is Freqtrade's own total: the formula is Freqtrade's, funding aside."""
    for trade in run["live"]:
        record = from_trade(trade)
        open_view = TradeRecord(**{**record.__dict__, "close_date": None})
        funding = sum(o.funding_fee or 0.0 for o in trade.orders if o.filled)
        formula = sum(e.pnl for e in open_view.events())
        assert formula + funding == pytest.approx(trade.close_profit_abs, abs=1e-6)


@pytest.mark.slow
def test_guards_and_audit_see_the_same_account_every_hour(run: dict[str, Any]) -> None:
    snapshots = run["snapshots"]
    assert len(snapshots) > 24 * 25
    assert any(s.pnl_day_low < 0 for s in snapshots) and any(s.open_stake > 0 for s in snapshots)
    reset = parse_risk_config(run["config"].get("risk")).daily_reset
    for guard in snapshots:
        audit = audit_view(run["records"], guard, reset)
        for field in FIELDS:
            assert getattr(audit, field) == pytest.approx(getattr(guard, field), abs=1e-6), (
                f"{field} at {guard.now}"
            )


@pytest.mark.slow
def test_audit_of_the_export_finds_no_breach(run: dict[str, Any]) -> None:
    report = audit_backtest(run["dir"], run["config"])
    assert report.trade_count == len(run["records"])
    assert report.breaches == [], report.to_text()
