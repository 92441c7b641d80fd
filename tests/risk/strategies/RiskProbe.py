"""Test-only strategies: an EMA cross with and without RiskManagedMixin (spot and 3x futures)."""

import talib.abstract as ta
from freqtrade.strategy import IStrategy
from pandas import DataFrame

from risk_protections import RiskManagedMixin


class EmaCrossCore(IStrategy):
    """Long on a fast/slow EMA cross up (short on a cross down in futures); 2 % ROI, 3 % stop."""

    INTERFACE_VERSION = 3
    timeframe = "5m"
    can_short = False
    minimal_roi = {"0": 0.02}
    stoploss = -0.03
    startup_candle_count = 50

    def populate_indicators(self, dataframe: DataFrame, metadata: dict) -> DataFrame:
        dataframe["ema_fast"] = ta.EMA(dataframe, timeperiod=12)
        dataframe["ema_slow"] = ta.EMA(dataframe, timeperiod=26)
        return dataframe

    def populate_entry_trend(self, dataframe: DataFrame, metadata: dict) -> DataFrame:
        above = dataframe["ema_fast"] > dataframe["ema_slow"]
        dataframe.loc[above & ~above.shift(1, fill_value=False), "enter_long"] = 1
        dataframe.loc[~above & above.shift(1, fill_value=False), "enter_short"] = 1
        return dataframe

    def populate_exit_trend(self, dataframe: DataFrame, metadata: dict) -> DataFrame:
        return dataframe


class RiskProbe(RiskManagedMixin, EmaCrossCore):
    """The EMA cross sized and guarded by the risk layer."""


class RiskProbeFutures(RiskProbe):
    """The same probe with shorts and 3x leverage."""

    can_short = True

    def leverage(
        self,
        pair,
        current_time,
        current_rate,
        proposed_leverage,
        max_leverage,
        entry_tag,
        side,
        **kwargs,
    ) -> float:
        return min(3.0, max_leverage)


class PlainReserveProbe(EmaCrossCore):
    """No mixin: selects ReserveGuard like a built-in protection (stakes are Freqtrade's)."""

    protections = [{"method": "ReserveGuard", "reserve_abs": 990, "stop_duration": 30}]
