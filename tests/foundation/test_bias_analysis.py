"""Freqtrade's lookahead-analysis and recursive-analysis of tiers 2 and 3 on the bundled data
(tier 1's, at its 0 % fee, are in tests/tier1/test_tier1_bias.py)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pandas as pd
import pytest

from packtest import CONFIG_DIR, run_freqtrade_offline

pytestmark = pytest.mark.slow  # real Freqtrade runs


@dataclass(frozen=True)
class Window:
    strategy: str
    config: str
    timerange: str


WINDOWS = [
    Window("SmallCapMomentum", "backtest-tier2.json", "20250801-20251001"),
    Window("PerpScalper", "backtest-tier3.json", "20250605-20250624"),
]


@pytest.mark.parametrize("window", WINDOWS, ids=lambda w: w.strategy)
def test_lookahead_analysis_finds_no_bias(window: Window, in_repo, tmp_path) -> None:
    export = tmp_path / "lookahead.csv"
    run_freqtrade_offline([
        "lookahead-analysis", "-c", str(CONFIG_DIR / window.config),
        "--strategy", window.strategy, "--timerange", window.timerange,
        "--minimum-trade-amount", "4", "--targeted-trade-amount", "10",
        "--lookahead-analysis-exportfilename", str(export),
    ])
    row = pd.read_csv(export).set_index("strategy").loc[window.strategy]
    assert row["total_signals"] >= 5
    assert not row["has_bias"]
    assert (row["biased_entry_signals"], row["biased_exit_signals"]) == (0, 0)
    assert pd.isna(row["biased_indicators"])


# From its own 600 startup candles up, PerpScalper's indicators differ between startup lengths
# by float rounding only (volume_ratio, shown as -0.000 %), which Freqtrade still lists as
# variance; below 600 (199, 399) they differ as any indicator short of its warm-up does.
@pytest.mark.parametrize("window", WINDOWS[:1], ids=lambda w: w.strategy)
def test_recursive_analysis_finds_no_variance(window: Window, in_repo, caplog) -> None:
    caplog.set_level(logging.INFO, logger="freqtrade.optimize.analysis.recursive")
    run_freqtrade_offline([
        "recursive-analysis", "-c", str(CONFIG_DIR / window.config),
        "--strategy", window.strategy, "--timerange", window.timerange,
    ])
    messages = [r.getMessage() for r in caplog.records
                if r.name == "freqtrade.optimize.analysis.recursive"]
    assert "No variance on indicator(s) found due to recursive formula." in messages
    assert "No lookahead bias on indicators found." in messages
