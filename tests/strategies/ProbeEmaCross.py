"""Minimal EMA-cross strategy for the foundation's integration tests (not a pack strategy)."""

import talib.abstract as ta
from freqtrade.strategy import IntParameter, IStrategy
from pandas import DataFrame


class ProbeEmaCross(IStrategy):
    """Long on a fast/slow EMA cross up, short on a cross down (futures); 2 % ROI, 3 % stop."""

    INTERFACE_VERSION = 3
    timeframe = "5m"
    can_short = False
    minimal_roi = {"0": 0.02}
    stoploss = -0.03
    startup_candle_count = 50
    buy_fast = IntParameter(5, 20, default=12, space="buy")
    buy_slow = IntParameter(21, 60, default=26, space="buy")

    def populate_indicators(self, dataframe: DataFrame, metadata: dict) -> DataFrame:
        dataframe["ema_fast"] = ta.EMA(dataframe, timeperiod=self.buy_fast.value)
        dataframe["ema_slow"] = ta.EMA(dataframe, timeperiod=self.buy_slow.value)
        return dataframe

    def populate_entry_trend(self, dataframe: DataFrame, metadata: dict) -> DataFrame:
        above = dataframe["ema_fast"] > dataframe["ema_slow"]
        dataframe.loc[above & ~above.shift(1, fill_value=False), "enter_long"] = 1
        dataframe.loc[~above & above.shift(1, fill_value=False), "enter_short"] = 1
        return dataframe

    def populate_exit_trend(self, dataframe: DataFrame, metadata: dict) -> DataFrame:
        return dataframe


class ProbeEmaCrossFutures(ProbeEmaCross):
    """The same probe with shorts enabled and 3x leverage, for futures backtests."""

    can_short = True

    def leverage(self, pair: str, current_time, current_rate: float, proposed_leverage: float,
                 max_leverage: float, entry_tag: str | None, side: str, **kwargs) -> float:
        return min(3.0, max_leverage)
