"""A real freqtrade hyperopt with 2 worker processes runs offline on the bundled data."""

from __future__ import annotations

import pytest
import rapidjson

from packtest import CONFIG_DIR, TEST_STRATEGIES, run_freqtrade_offline

pytestmark = pytest.mark.slow  # real Freqtrade runs


def test_hyperopt_two_workers_offline(in_repo, tmp_path, caplog) -> None:
    run_freqtrade_offline([
        "hyperopt", "-c", str(CONFIG_DIR / "spot.json"),
        "--strategy-path", str(TEST_STRATEGIES), "-s", "ProbeEmaCross",
        "--pairs", "BTC/USDT", "ETH/USDT", "--timerange", "20250601-20250610",
        "--stake-amount", "100", "--max-open-trades", "2",
        "--hyperopt-loss", "SharpeHyperOptLossDaily", "--spaces", "buy", "roi", "stoploss",
        "-e", "6", "-j", "2", "--random-state", "42", "--disable-param-export",
        "--userdir", str(tmp_path), "--datadir", str(in_repo / "user_data" / "data" / "binance"),
    ])
    assert "Effective number of parallel workers used: 2" in caplog.text
    results = sorted((tmp_path / "hyperopt_results").glob("strategy_ProbeEmaCross_*"))
    assert results, "hyperopt wrote no results file"
    epochs = [rapidjson.loads(line) for line in results[-1].read_text().splitlines()]
    assert len(epochs) >= 6
    assert all(e["results_metrics"]["total_trades"] > 0 for e in epochs)
    assert {"buy_fast", "buy_slow"} <= set(epochs[0]["params_dict"])
