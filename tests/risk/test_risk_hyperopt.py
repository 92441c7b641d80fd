"""Hyperopt with 2 worker processes loads the risk protections and the sizing layer.

Each epoch runs in a loky worker that unpickles the strategy (RiskProbe, a RiskManagedMixin
tier); the epochs' own results carry the locks of ConsecutiveLossPause and DailyLossGuard, and
stakes sized by the layer (below Freqtrade's proposed 1000/2 = 500 USDT).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import rapidjson
from risk_helpers import CONFIG_DIR, REPO, RISK_STRATEGIES, run_cli, write_layer

pytestmark = pytest.mark.slow  # real Freqtrade runs


def test_hyperopt_two_workers_loads_protections(tmp_path: Path) -> None:
    layer = write_layer(
        tmp_path,
        "scaled.json",
        {
            "risk": {
                "risk_per_trade_abs": 2,
                "daily_loss_limit_abs": 2,
                "consecutive_losses": 2,
                "pause_minutes": 60,
                # scaled limits: the crash bound must not shrink the stakes below the losses
                # that lock
                "crash_day_multiple": 10,
                "i_accept_larger_losses": True,
            }
        },
    )
    done = run_cli(
        [
            "hyperopt",
            "-c",
            str(CONFIG_DIR / "spot.json"),
            "-c",
            str(layer),
            "--strategy-path",
            str(RISK_STRATEGIES),
            "-s",
            "RiskProbe",
            "--pairs",
            "BTC/USDT",
            "ETH/USDT",
            "--timerange",
            "20250601-20250610",
            "--max-open-trades",
            "2",
            "--hyperopt-loss",
            "SharpeHyperOptLossDaily",
            "--spaces",
            "roi",
            "-e",
            "4",
            "-j",
            "2",
            "--random-state",
            "42",
            "--disable-param-export",
            "--enable-protections",
            "--userdir",
            str(tmp_path),
            "--datadir",
            str(REPO / "user_data" / "data" / "binance"),
        ]
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Effective number of parallel workers used: 2" in done.stdout + done.stderr
    results = sorted((tmp_path / "hyperopt_results").glob("strategy_RiskProbe_*"))
    epochs = [rapidjson.loads(line) for line in results[-1].read_text().splitlines()]
    assert len(epochs) == 4
    locks = Counter(
        lock["reason"].split(":")[0] for e in epochs for lock in e["results_metrics"]["locks"]
    )
    assert locks["ConsecutiveLossPause"] >= 1 and locks["DailyLossGuard"] >= 1, locks
    assert all(0 < e["results_metrics"]["avg_stake_amount"] < 250 for e in epochs)
