"""Test-only strategy with position adjustment (not a pack strategy): an EMA cross that adds to
a losing long twice, without the pack's risk layer."""

from datetime import datetime

import talib.abstract as ta
from freqtrade.persistence import Trade
from freqtrade.strategy import IStrategy
from pandas import DataFrame


class DcaEmaCross(IStrategy):
    """Long on a 12/26 EMA cross up with a fifth of the offered stake; each time the position is
    down another 2 % it buys again with the first entry's stake (at most twice). 3 % ROI, 9 %
    stop on the average entry."""

    INTERFACE_VERSION = 3
    timeframe = "5m"
    can_short = False
    minimal_roi = {"0": 0.03}
    stoploss = -0.09
    startup_candle_count = 50
    position_adjustment_enable = True
    max_entry_position_adjustment = 2

    def populate_indicators(self, dataframe: DataFrame, metadata: dict) -> DataFrame:
        dataframe["ema_fast"] = ta.EMA(dataframe, timeperiod=12)
        dataframe["ema_slow"] = ta.EMA(dataframe, timeperiod=26)
        return dataframe

    def populate_entry_trend(self, dataframe: DataFrame, metadata: dict) -> DataFrame:
        above = dataframe["ema_fast"] > dataframe["ema_slow"]
        dataframe.loc[above & ~above.shift(1, fill_value=False), "enter_long"] = 1
        return dataframe

    def populate_exit_trend(self, dataframe: DataFrame, metadata: dict) -> DataFrame:
        return dataframe

    def custom_stake_amount(
        self,
        pair: str,
        current_time: datetime,
        current_rate: float,
        proposed_stake: float,
        min_stake: float | None,
        max_stake: float,
        leverage: float,
        entry_tag: str | None,
        side: str,
        **kwargs,
    ) -> float:
        return proposed_stake / 5

    def adjust_trade_position(
        self,
        trade: Trade,
        current_time: datetime,
        current_rate: float,
        current_profit: float,
        min_stake: float | None,
        max_stake: float,
        current_entry_rate: float,
        current_exit_rate: float,
        current_entry_profit: float,
        current_exit_profit: float,
        **kwargs,
    ) -> float | tuple[float | None, str | None] | None:
        entries = trade.nr_of_successful_entries
        if trade.has_open_orders or current_profit > -0.02 * entries:
            return None
        first = trade.select_filled_orders(trade.entry_side)[0]
        return first.stake_amount, f"dca{entries}"
