"""Test-only futures strategy whose trades cross funding times and exit in three parts.

Every day at 05:00 UTC it opens a 2x position (long on even weekdays, short on odd ones), sells
a third of it 4 h and another third 12 h after the entry (after the 08:00 and 16:00 UTC funding)
and closes the rest after 21 h (after the 00:00 funding). ``bot_loop_start`` records the risk
layer's account snapshot every hour and keeps the live trades, so a test can compare what the
guards saw with what the audit reads from the exported trades.
"""

from datetime import datetime, timedelta
from typing import Any, ClassVar

from freqtrade.persistence import Trade
from freqtrade.strategy import IStrategy
from pandas import DataFrame

from risk_protections import RiskManagedMixin
from risk_protections.ledger import LedgerSnapshot

PARTS = (timedelta(hours=4), timedelta(hours=12))
HOLD = timedelta(hours=21)


class FundingPartials(RiskManagedMixin, IStrategy):
    INTERFACE_VERSION = 3
    timeframe = "5m"
    can_short = True
    minimal_roi: ClassVar[dict[str, float]] = {"0": 100.0}
    stoploss = -0.06
    position_adjustment_enable = True
    max_entry_position_adjustment = 0

    snapshots: ClassVar[list[LedgerSnapshot]] = []
    trades: ClassVar[list[Any]] = []

    def bot_loop_start(self, current_time: datetime, **kwargs: Any) -> None:
        super().bot_loop_start(current_time=current_time, **kwargs)
        if current_time.minute == 0:
            type(self).snapshots.append(self.risk_snapshot(current_time))
        type(self).trades = Trade.get_trades_proxy()

    def populate_indicators(self, dataframe: DataFrame, metadata: dict) -> DataFrame:
        return dataframe

    def populate_entry_trend(self, dataframe: DataFrame, metadata: dict) -> DataFrame:
        date = dataframe["date"]
        signal = (date.dt.hour == 5) & (date.dt.minute == 0)
        even = date.dt.dayofweek % 2 == 0
        dataframe["enter_long"] = (signal & even).astype(int)
        dataframe["enter_short"] = (signal & ~even).astype(int)
        return dataframe

    def populate_exit_trend(self, dataframe: DataFrame, metadata: dict) -> DataFrame:
        return dataframe

    def leverage(self, pair: str, current_time: datetime, current_rate: float,
                 proposed_leverage: float, max_leverage: float, entry_tag: str | None,
                 side: str, **kwargs: Any) -> float:
        return 2.0

    def custom_exit(self, pair: str, trade: Trade, current_time: datetime, current_rate: float,
                    current_profit: float, **kwargs: Any) -> str | None:
        return "hold_end" if current_time - trade.open_date_utc >= HOLD else None

    def adjust_trade_position(self, trade: Trade, current_time: datetime, current_rate: float,
                              current_profit: float, min_stake: float | None, max_stake: float,
                              current_entry_rate: float, current_exit_rate: float,
                              current_entry_profit: float, current_exit_profit: float,
                              **kwargs: Any) -> tuple[float | None, str | None] | None:
        done = trade.nr_of_successful_exits
        if done >= len(PARTS) or current_time - trade.open_date_utc < PARTS[done]:
            return None
        return -trade.stake_amount / (len(PARTS) + 1 - done), f"part_{done + 1}"
