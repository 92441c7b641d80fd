"""Startup checks that must judge only what Freqtrade knows in the run mode at hand.

- ``risk.max_leverage`` against a futures market: judged in every trading run mode and wherever
  leverage tiers are loaded; skipped where Freqtrade builds its exchange without tiers
  (plot-dataframe, webserver), because ``get_max_leverage`` then answers 1 for every pair.
- FreqAI feature data: a correlation pair or timeframe without candles is refused, naming the
  config key, the pair and the timeframe.
"""

from __future__ import annotations

from typing import Any

import pytest
from freqtrade.enums import RunMode, TradingMode

from ftpack.tiers.ml.coverage import check_feature_data
from packtest import REPO
from risk_protections.config import parse_risk_config
from risk_protections.errors import PackConfigError
from risk_protections.market_checks import validate_markets

PAIR = "BTC/USDT:USDT"


class FuturesExchange:
    """The part of Freqtrade's Exchange the market check reads, with Freqtrade's rule that a
    pair without loaded leverage tiers has a maximum leverage of 1."""

    trading_mode = TradingMode.FUTURES
    markets = {PAIR: {"limits": {"cost": {"min": 5.0}}}}

    def __init__(self, runmode: RunMode, tiers_loaded: bool) -> None:
        self._config: dict[str, Any] = {"runmode": runmode}
        self._leverage_tiers = {PAIR: [{"maxLeverage": 125.0}]} if tiers_loaded else {}

    def get_max_leverage(self, pair: str, stake_amount: float | None) -> float:
        tiers = self._leverage_tiers.get(pair)
        return tiers[0]["maxLeverage"] if tiers else 1.0


def check(runmode: RunMode, tiers_loaded: bool, max_leverage: float) -> None:
    risk = parse_risk_config({"max_leverage": max_leverage})
    exchange = FuturesExchange(runmode, tiers_loaded)
    validate_markets(risk, exchange, [PAIR], wallet=1000.0, stoploss=-0.02)


@pytest.mark.parametrize("runmode", [RunMode.PLOT, RunMode.WEBSERVER, RunMode.UTIL_EXCHANGE])
def test_no_leverage_verdict_without_leverage_tiers(runmode: RunMode) -> None:
    check(runmode, tiers_loaded=False, max_leverage=5)  # plot-dataframe of tier 3 starts


@pytest.mark.parametrize("runmode", [RunMode.BACKTEST, RunMode.HYPEROPT, RunMode.DRY_RUN,
                                     RunMode.LIVE])
def test_trading_modes_judge_leverage_even_without_tiers(runmode: RunMode) -> None:
    with pytest.raises(PackConfigError, match=r"^risk.max_leverage: 5 is above .* 1 of"):
        check(runmode, tiers_loaded=False, max_leverage=5)


@pytest.mark.parametrize("runmode", [RunMode.PLOT, RunMode.BACKTEST, RunMode.LIVE])
def test_loaded_tiers_are_judged_in_every_mode(runmode: RunMode) -> None:
    check(runmode, tiers_loaded=True, max_leverage=5)
    with pytest.raises(PackConfigError, match=r"^risk.max_leverage: 200 is above .* 125"):
        check(runmode, tiers_loaded=True, max_leverage=200)


def freqai_config(corr: list[str], timerange: str, runmode: RunMode) -> dict[str, Any]:
    return {
        "runmode": runmode,
        "trading_mode": "futures",
        "timerange": timerange,
        "datadir": str(REPO / "user_data" / "data" / "binance"),
        "dataformat_ohlcv": "feather",
        "freqai": {
            "train_period_days": 5,
            "feature_parameters": {"include_corr_pairlist": corr,
                                   "include_timeframes": ["1m", "5m"]},
        },
    }


def test_bundled_feature_data_passes() -> None:
    config = freqai_config(["BTC/USDT:USDT", "ETH/USDT:USDT"], "20250610-20250613",
                           RunMode.BACKTEST)
    check_feature_data(config, ["BTC/USDT:USDT"], "1m", None)


def test_correlation_pair_without_candles_is_refused_by_name() -> None:
    config = freqai_config(["BTC/USDT:USDT", "SOL/USDT:USDT"], "20250610-20250613",
                           RunMode.BACKTEST)
    with pytest.raises(PackConfigError, match=(
        r"^freqai.feature_parameters.include_corr_pairlist: FreqAI needs SOL/USDT:USDT at 1m, "
        r"but there are no SOL/USDT:USDT 1m futures candles"
    )):
        check_feature_data(config, ["BTC/USDT:USDT"], "1m", None)


def test_training_window_before_the_data_is_refused() -> None:
    # The bundled 1m futures data starts 2025-05-04 15:33: a run from 05-04 has no training data.
    config = freqai_config(["ETH/USDT:USDT"], "20250504-20250510", RunMode.PLOT)
    with pytest.raises(PackConfigError, match="in FreqAI's first training window 2025-04-29"):
        check_feature_data(config, ["BTC/USDT:USDT"], "1m", None)


def test_live_needs_markets_not_files() -> None:
    config = freqai_config(["SOL/USDT:USDT"], "", RunMode.DRY_RUN)
    exchange = type("Exchange", (), {"markets": {"BTC/USDT:USDT": {}, "SOL/USDT:USDT": {}}})()
    check_feature_data(config, ["BTC/USDT:USDT"], "1m", exchange)
    config["freqai"]["feature_parameters"]["include_corr_pairlist"] = ["NOPE/USDT:USDT"]
    with pytest.raises(PackConfigError, match="NOPE/USDT:USDT is not a market"):
        check_feature_data(config, ["BTC/USDT:USDT"], "1m", exchange)
