"""Freqtrade's lookahead-analysis and recursive-analysis of StablecoinSpread on the bundled data.

At Binance's 0 % stablecoin fee (the fee the tier's verdict is judged at) the strategy trades
often enough for lookahead-analysis to check its entry and exit signals; at 0.1 % it never trades.
"""

from __future__ import annotations

import logging

import pandas as pd
import pytest

from packtest import CONFIG_DIR, run_freqtrade_offline

pytestmark = pytest.mark.slow  # real Freqtrade runs

CONFIG = str(CONFIG_DIR / "backtest-tier1.json")
TIMERANGE = "20250301-20250420"  # includes the FDUSD de-peg of 2025-04-02


def test_lookahead_analysis_finds_no_bias(in_repo, tmp_path) -> None:
    export = tmp_path / "lookahead.csv"
    run_freqtrade_offline([
        "lookahead-analysis", "-c", CONFIG, "--strategy", "StablecoinSpread",
        "--timerange", TIMERANGE, "--fee", "0", "--minimum-trade-amount", "10",
        "--targeted-trade-amount", "20", "--lookahead-analysis-exportfilename", str(export),
    ])
    row = pd.read_csv(export).set_index("strategy").loc["StablecoinSpread"]
    assert row["total_signals"] >= 10
    assert not row["has_bias"]
    assert (row["biased_entry_signals"], row["biased_exit_signals"]) == (0, 0)
    assert pd.isna(row["biased_indicators"])


def test_recursive_analysis_finds_no_variance(in_repo, caplog) -> None:
    caplog.set_level(logging.INFO, logger="freqtrade.optimize.analysis.recursive")
    run_freqtrade_offline([
        "recursive-analysis", "-c", CONFIG, "--strategy", "StablecoinSpread",
        "--timerange", TIMERANGE,
    ])
    messages = [r.getMessage() for r in caplog.records
                if r.name == "freqtrade.optimize.analysis.recursive"]
    assert "No variance on indicator(s) found due to recursive formula." in messages
    assert "No lookahead bias on indicators found." in messages
