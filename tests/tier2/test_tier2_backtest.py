"""A real offline Tier 2 backtest (bundled Binance data, fee 0.1 %, protections on), audited."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest
from freqtrade.configuration.load_config import load_from_files

from ftpack.report import load_strategy_stats
from ftpack.tiers.momentum import session
from packtest import CONFIG_DIR, REPO, latest_result, run_freqtrade_offline
from risk_protections.audit import audit_backtest

pytestmark = pytest.mark.slow  # real Freqtrade runs

CONFIG = CONFIG_DIR / "backtest-tier2.json"
TIMERANGE = "20250801-20250901"  # one month of the report window


@pytest.fixture(scope="module")
def backtest(tmp_path_factory) -> tuple[dict, pd.DataFrame]:
    """Run the tier's backtest config once; return its stats and trade list."""
    out = tmp_path_factory.mktemp("tier2_bt")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(REPO)
        run_freqtrade_offline(
            [
                "backtesting",
                "-c",
                str(CONFIG),
                "--timerange",
                TIMERANGE,
                "--export",
                "trades",
                "--backtest-directory",
                str(out),
            ]
        )
    result = latest_result(out)
    stats = load_strategy_stats(result, "SmallCapMomentum")
    trades = pd.DataFrame(stats["trades"])
    for col in ("open_date", "close_date"):
        trades[col] = pd.to_datetime(trades[col], utc=True)
    return {"stats": stats, "result": result}, trades


def test_backtest_trades_small_caps_with_fees(in_repo, backtest) -> None:
    _, trades = backtest
    assert len(trades) >= 10
    assert set(trades["pair"]) <= {"INJ/USDT", "OP/USDT", "SUI/USDT", "TAO/USDT", "ZEC/USDT"}
    assert (trades["fee_open"] == 0.001).all() and (trades["fee_close"] == 0.001).all()
    assert not trades["is_short"].any()


def test_risk_audit_finds_no_breach(in_repo, backtest) -> None:
    run, _ = backtest
    report = audit_backtest(run["result"], load_from_files([str(CONFIG)]))
    assert report.trade_count == len(run["stats"]["trades"])
    assert report.breaches == []  # as filled: per-trade cap, daily/weekly loss, deployment, ...
    assert report.repriced_breaches == []  # stops re-priced at the exit candle's low
    assert report.stressed_breaches == []  # each pair's worst hour before the run, all at once


def test_nothing_held_past_the_cutoff_or_the_hold_limit(in_repo, backtest) -> None:
    _, trades = backtest
    cutoff = session.cutoff_minute("23:30")
    close_minute = trades["close_date"].dt.hour * 60 + trades["close_date"].dt.minute
    open_minute = trades["open_date"].dt.hour * 60 + trades["open_date"].dt.minute
    assert (trades["close_date"].dt.date == trades["open_date"].dt.date).all()
    assert (close_minute <= cutoff).all()
    assert (open_minute <= cutoff - 60).all()
    assert ((trades["close_date"] - trades["open_date"]) <= timedelta(hours=6)).all()
    assert (
        trades["exit_reason"]
        .isin({"stop_loss", "trailing_stop_loss", "roi", "max_hold", "utc_cutoff"})
        .all()
    )


def test_losses_stop_near_one_percent(in_repo, backtest) -> None:
    _, trades = backtest
    stops = trades[trades["exit_reason"] == "stop_loss"]
    assert len(stops) > 0
    # 1 % stop + 0.1 % fee per side; a candle opening below the stop fills at its open.
    assert stops["profit_ratio"].min() > -0.03
    assert stops["profit_ratio"].median() == pytest.approx(-0.012, abs=0.001)
