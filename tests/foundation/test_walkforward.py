"""The walk-forward report: metrics on hand-built trades, and a real two-window run."""

from __future__ import annotations

import pandas as pd
import pytest

import ftpack.walkforward as walkforward
from ftpack.report import time_in_market, worst_utc_day
from packtest import CONFIG_DIR, TEST_STRATEGIES


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def test_time_in_market_merges_overlapping_trades() -> None:
    trades = pd.DataFrame({
        "open_date": [ts("2025-01-01 00:00"), ts("2025-01-01 01:00"), ts("2025-01-01 06:00")],
        "close_date": [ts("2025-01-01 02:00"), ts("2025-01-01 03:00"), ts("2025-01-01 07:00")],
    })
    # [00:00, 03:00) ∪ [06:00, 07:00) = 4 h of a 10 h range.
    assert time_in_market(trades, ts("2025-01-01 00:00"), ts("2025-01-01 10:00")) == 0.4


def test_worst_utc_day_sums_realized_profit_by_close_day() -> None:
    trades = pd.DataFrame({
        "close_date": [ts("2025-01-01 23:59"), ts("2025-01-02 00:01"), ts("2025-01-02 12:00")],
        "profit_abs": [-5.0, -3.0, -4.0],
    })
    assert worst_utc_day(trades) == -7.0
    assert worst_utc_day(trades.assign(profit_abs=[1.0, 2.0, 3.0])) == 0.0


@pytest.mark.slow
def test_walkforward_runs_both_windows_and_writes_the_table(in_repo, tmp_path, monkeypatch,
                                                           capsys) -> None:
    monkeypatch.setattr(walkforward, "RESULTS_DIR", tmp_path)
    walkforward.main([
        "--config", str(CONFIG_DIR / "futures.json"), "--tune", "20250501-20250508",
        "--test", "20250508-20250515", "--fee", "0.0005", "--",
        "--strategy-path", str(TEST_STRATEGIES), "-s", "ProbeEmaCrossFutures",
        "--pairs", "BTC/USDT:USDT", "--stake-amount", "50", "--max-open-trades", "1",
    ])
    table = (tmp_path / "ProbeEmaCrossFutures.md").read_text()
    rows = [line for line in table.splitlines() if line.startswith(("| tune", "| test"))]
    assert len(rows) == 2
    assert "2025-05-01 → 2025-05-08" in rows[0] and "2025-05-08 → 2025-05-15" in rows[1]
    assert all("| 0.05 % |" in row for row in rows)
    assert "--timerange 20250508-20250515" in table
    cells = [c.strip() for c in rows[1].split("|")[1:-1]]
    assert int(cells[3]) > 0  # trades in the later window
    assert cells[-2] == "0 / 0"  # the probe's 50 USDT stakes at 3x stay inside the risk rules


def test_walkforward_needs_both_windows(in_repo) -> None:
    with pytest.raises(SystemExit):
        walkforward.main(["--config", str(CONFIG_DIR / "futures.json"), "--tune", "20250501-"])
