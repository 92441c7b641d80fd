"""PerpScalper's Freqtrade callbacks apply the ftpack.tiers.scalping rules to the analyzed candles.

packtest's stub DataProvider serves hand-built analyzed frames; trades are Freqtrade LocalTrades in
backtest (no database) mode.
"""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from freqtrade.configuration import Configuration
from freqtrade.enums import RunMode
from freqtrade.persistence import (
    LocalTrade,
    PairLocks,
    disable_database_use,
    enable_database_use,
)
from freqtrade.resolvers import StrategyResolver
from freqtrade.strategy import stoploss_from_absolute

from ftpack.offline import install
from packtest import StubDataProvider

REPO = Path(__file__).resolve().parents[2]
T0 = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
ETH, BTC = "ETH/USDT:USDT", "BTC/USDT:USDT"


def analyzed(rows: int = 5, **last) -> pd.DataFrame:
    """Calm analyzed candles ending at T0 + 9 min; ``last`` overrides the last row's columns."""
    frame = pd.DataFrame(
        {
            "date": [T0 + timedelta(minutes=5 + i) for i in range(rows)],
            "open": 100.0,
            "high": 100.2,
            "low": 99.8,
            "close": 100.0,
            "atr": 0.5,
            "roc": 0.1,
            "er_5m": 0.5,
            "trend_5m": 1.0,
            "flash_move": 0.002,
            "stop_dist": 0.01,
            "low_vol": False,
        }
    )
    for column, value in last.items():
        frame.loc[rows - 1, column] = value
    return frame


@pytest.fixture(scope="module")
def strategy():
    install()
    config = Configuration.from_files([str(REPO / "user_data/config/backtest-tier3.json")])
    config["runmode"] = RunMode.BACKTEST
    disable_database_use("1m")
    # In-process backtests of earlier test modules leave their trades and locks behind.
    LocalTrade.reset_trades()
    PairLocks.reset_locks()
    yield StrategyResolver.load_strategy(config)
    LocalTrade.reset_trades()
    enable_database_use()


def make_trade(is_short: bool = False, max_rate: float = 100.0, min_rate: float = 100.0):
    trade = LocalTrade(
        id=1,
        pair=ETH,
        open_rate=100.0,
        open_date=T0,
        amount=1.0,
        stake_amount=50.0,
        leverage=2.0,
        is_short=is_short,
        fee_open=0.0005,
        fee_close=0.0005,
        exchange="binance",
        trading_mode="futures",
        max_rate=max_rate,
        min_rate=min_rate,
    )
    trade.set_custom_data("stop_dist", 0.01)
    return trade


def use(strategy, eth: pd.DataFrame, btc: pd.DataFrame | None = None):
    btc = analyzed() if btc is None else btc
    strategy.dp = StubDataProvider(analyzed={ETH: eth, BTC: btc}, analyzed_at=T0)


def exit_at(strategy, minutes: float) -> str | None:
    return strategy.custom_exit(ETH, make_trade(), T0 + timedelta(minutes=minutes), 100.0, 0.0)


def test_custom_exit_timeout_regime_and_flash_crash(strategy):
    use(strategy, analyzed())
    assert exit_at(strategy, 29) is None
    assert exit_at(strategy, 30) == "timeout_30m"
    use(strategy, analyzed(er_5m=0.05))
    assert exit_at(strategy, 10) == "regime_change"
    use(strategy, analyzed(trend_5m=-1.0))
    assert exit_at(strategy, 10) == "regime_change"
    # a > 5 % one-minute move on *another* pair closes this position too
    use(strategy, analyzed(), btc=analyzed(flash_move=0.06))
    assert exit_at(strategy, 10) == "flash_crash"


def test_partial_exit_is_a_quarter_at_1r(strategy):
    use(strategy, analyzed())
    trade = make_trade()
    args = dict(
        current_time=T0 + timedelta(minutes=5),
        current_profit=0.0,
        min_stake=1.0,
        max_stake=1000.0,
        current_entry_rate=0,
        current_entry_profit=0,
        current_exit_profit=0,
    )
    assert (
        strategy.adjust_trade_position(trade, current_rate=100.9, current_exit_rate=100.9, **args)
        is None
    )
    stake, tag = strategy.adjust_trade_position(
        trade, current_rate=101.0, current_exit_rate=101.0, **args
    )
    assert stake == pytest.approx(-12.5) and tag == "tp_1R"
    # a tranche below the exchange minimum is skipped, not rounded up
    assert (
        strategy.adjust_trade_position(
            trade, current_rate=101.0, current_exit_rate=101.0, **{**args, "min_stake": 20.0}
        )
        is None
    )


@pytest.mark.parametrize(
    ("max_rate", "stop"),
    [
        (100.5, 99.0),  # below 1R: the initial stop, entry − 1R
        (101.2, 100.07),  # after 1R: breakeven (entry + round-trip fee)
        (102.5, 102.0),  # after 2R: best − 1 × ATR (momentum weakening: roc < 0 below)
    ],
)
def test_custom_stoploss_levels(strategy, max_rate, stop):
    use(strategy, analyzed(roc=-0.1))
    trade = make_trade(max_rate=max_rate)
    got = strategy.custom_stoploss(ETH, trade, T0, 100.5, 0.0, after_fill=False)
    assert got == pytest.approx(stoploss_from_absolute(stop, 100.5, False, 2.0))


def test_leverage_ladder_wiring(strategy):
    use(strategy, analyzed(low_vol=True))
    lev = strategy.leverage(ETH, T0, 100.0, 1.0, 125.0, "long_surge_hc", "long")
    assert lev == 4.0  # base 2 + high confidence + low volatility, under the 5× caps
    use(strategy, analyzed())
    assert strategy.leverage(ETH, T0, 100.0, 1.0, 125.0, "long_surge", "long") == 2.0
    assert strategy.leverage(ETH, T0, 100.0, 1.0, 1.0, "long_surge_hc", "long") == 1.0
    # a wide stop lowers leverage so that liquidation stays twice as far as the stop
    # (1 / (stop / 0.5 + 0.004), floored: 0.15 -> 3.29 -> 3x, 0.2 -> 2.48 -> 2x)
    use(strategy, analyzed(stop_dist=0.15, low_vol=True))
    assert strategy.leverage(ETH, T0, 100.0, 1.0, 125.0, "long_surge_hc", "long") == 3.0
    use(strategy, analyzed(stop_dist=0.2, low_vol=True))
    assert strategy.leverage(ETH, T0, 100.0, 1.0, 125.0, "long_surge_hc", "long") == 2.0


def test_no_stake_when_the_stop_lies_beyond_the_buffered_liquidation(strategy):
    use(strategy, analyzed(stop_dist=0.12))
    args = dict(
        pair=ETH,
        current_time=T0,
        current_rate=100.0,
        proposed_stake=100.0,
        min_stake=5.0,
        max_stake=1000.0,
        entry_tag="long_surge",
        side="long",
    )
    assert strategy.custom_stake_amount(leverage=5.0, **args) == 0.0
    use(strategy, analyzed(stop_dist=np.nan))
    assert strategy.custom_stake_amount(leverage=2.0, **args) == 0.0
