"""Impossible risk configs stop Freqtrade at startup (strategy bot_start) naming the key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from freqtrade.exceptions import StrategyError
from risk_helpers import backtest_args, run_offline, write_layer

from risk_protections.errors import PackConfigError

pytestmark = pytest.mark.slow  # real Freqtrade runs


@pytest.mark.parametrize(
    ("layer", "market", "strategy", "pair", "key"),
    [
        ({"risk": {"reserve_abs": 1000}}, "spot", "RiskProbe", "BTC/USDT", "risk.reserve_abs"),
        (
            {"risk": {"reserve_abs": 500}, "dry_run_wallet": 1000, "available_capital": 300},
            "spot",
            "RiskProbe",
            "BTC/USDT",
            "risk.reserve_abs",
        ),
        (
            {"risk": {"daily_loss_limit": -0.02}},
            "spot",
            "RiskProbe",
            "BTC/USDT",
            "risk.daily_loss_limit",
        ),
        (
            {"risk": {"weekly_loss_limit_abs": 0}},
            "spot",
            "RiskProbe",
            "BTC/USDT",
            "risk.weekly_loss_limit_abs",
        ),
        (
            {"risk": {"risk_per_trade_abs": 0.1}},
            "spot",
            "RiskProbe",
            "BTC/USDT",
            "risk.risk_per_trade_abs",
        ),
        (
            {"risk": {"max_leverage": 200}},
            "futures",
            "RiskProbeFutures",
            "BTC/USDT:USDT",
            "risk.max_leverage",
        ),
    ],
)
def test_bad_config_fails_at_startup_naming_the_key(
    in_repo: Path, tmp_path: Path, layer: dict, market: str, strategy: str, pair: str, key: str
) -> None:
    args = backtest_args(
        [write_layer(tmp_path, "bad.json", layer)],
        strategy=strategy,
        market=market,
        pairs=(pair,),
        timerange="20250601-20250602",
        extra=("--export", "none", "--max-open-trades", "3"),
    )
    with pytest.raises((StrategyError, PackConfigError), match=f"^{re.escape(key)}:"):
        run_offline(args)
