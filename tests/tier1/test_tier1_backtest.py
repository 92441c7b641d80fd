"""Real offline Freqtrade backtests of StablecoinSpread on the bundled stablecoin data."""

from __future__ import annotations

import pandas as pd
import pytest

from ftpack.report import load_strategy_stats
from packtest import CONFIG_DIR, latest_result, run_freqtrade_offline

pytestmark = pytest.mark.slow  # real Freqtrade runs

BREAK = pd.Timestamp("2025-04-02 15:25", tz="UTC")  # first FDUSD candle off the peg (low 0.9916)


def backtest(tmp_path, timerange: str, fee: float) -> pd.DataFrame:
    tmp_path.mkdir(parents=True, exist_ok=True)
    run_freqtrade_offline([
        "backtesting", "-c", str(CONFIG_DIR / "backtest-tier1.json"),
        "--timerange", timerange, "--fee", str(fee),
        "--export", "trades", "--backtest-directory", str(tmp_path),
    ])
    stats = load_strategy_stats(latest_result(tmp_path), "StablecoinSpread")
    trades = pd.DataFrame(stats["trades"])
    for column in ("open_date", "close_date"):
        if column in trades:
            trades[column] = pd.to_datetime(trades[column], utc=True)
    return trades


def test_flat_when_deviations_never_exceed_round_trip_fees(in_repo, tmp_path) -> None:
    # 2025-03-01 → 03-15: the basket's dips are a few bp, never 2 × 10 bp + buffer.
    assert len(backtest(tmp_path / "fee", "20250301-20250315", fee=0.001)) == 0
    # The same days without fees do trade, so the fee is what keeps the strategy flat.
    assert len(backtest(tmp_path / "free", "20250301-20250315", fee=0.0)) > 20


def test_fdusd_depeg_closes_exposure_and_blocks_entries(in_repo, tmp_path) -> None:
    trades = backtest(tmp_path, "20250401-20250405", fee=0.0)
    fdusd = trades[trades["pair"] == "FDUSD/USDT"]
    held = fdusd[(fdusd["open_date"] < BREAK) & (fdusd["close_date"] >= BREAK)]
    # The position open into the break was closed in the first broken candle (stop) or the next.
    assert len(held) == 1
    assert held["close_date"].iat[0] <= BREAK + pd.Timedelta("5min")
    assert held["exit_reason"].iat[0] in {"stop_loss", "depeg_guard"}
    assert held["profit_ratio"].iat[0] > -0.0055  # the 0.5 % stop plus fees, not the 9 % fall
    # No FDUSD entry while it is off the peg (and for the 24 h cool-down after).
    assert fdusd[(fdusd["open_date"] >= BREAK)].empty
    # The other coins kept trading.
    assert (trades.loc[trades["open_date"] >= BREAK, "pair"] != "FDUSD/USDT").any()
