"""Tier 2 research candidate: the screen's best setups as a real Freqtrade strategy, to check the
event study's fills against Freqtrade's and to run lookahead/recursive analysis.

Long only, spot 5m, flat by 23:30 UTC, 1 % stop, 3 % target, 6 h hold limit, no entry in the last
hour before the cut-off. Setup (``setup`` parameter, rules in :mod:`ftpack.tiers.momentum.setups`):

* ``pullback``: Bonde base breakout, burst >= 6 % over 48 candles, a 12-candle base no wider than
  1 %, close above the base;
* ``dip``: close below the 20-candle 3-sigma band with RSI(14) < 20;

only while BTC closes above the mean of its last 48 5m closes (4 h; ``setups.trend_up``).
Research only: the screen found no out-of-sample edge after fees (research/README.md).
"""

from datetime import datetime
from typing import ClassVar

from freqtrade.persistence import Trade
from freqtrade.strategy import CategoricalParameter, IStrategy
from pandas import DataFrame

from ftpack.tiers.momentum import session, setups
from risk_protections import RiskManagedMixin


class SmallCapSetupCandidate(RiskManagedMixin, IStrategy):
    """Regime-filtered pullback or dip entries with the tier's brackets, intraday only."""

    INTERFACE_VERSION = 3
    timeframe = "5m"
    can_short = False
    minimal_roi: ClassVar[dict[str, float]] = {"0": 0.03}
    stoploss = -0.01
    process_only_new_candles = True
    startup_candle_count = 100

    setup = CategoricalParameter(["pullback", "dip"], default="pullback", space="buy")
    btc_trend_candles = 48
    max_hold_minutes = 360
    utc_cutoff = "23:30"
    last_entry_gap = 60
    max_stake_fraction = 0.20

    @property
    def cutoff_minute(self) -> int:
        return session.parse_utc_hhmm(self.config.get("utc_cutoff", self.utc_cutoff))

    @property
    def btc_pair(self) -> str:
        return f"BTC/{self.config['stake_currency']}"

    def informative_pairs(self) -> list[tuple[str, str]]:
        return [(self.btc_pair, self.timeframe)]

    def populate_indicators(self, dataframe: DataFrame, metadata: dict) -> DataFrame:
        """The BTC regime flag, aligned on candle dates (BTC's own candle of the same time)."""
        btc = self.dp.get_pair_dataframe(self.btc_pair, self.timeframe)
        trend = setups.trend_up(btc["close"], self.btc_trend_candles)
        flags = DataFrame({"date": btc["date"], "btc_up": trend.astype(float)})
        dataframe = dataframe.merge(flags, on="date", how="left")
        dataframe["btc_up"] = dataframe["btc_up"].fillna(0.0)
        return dataframe

    def populate_entry_trend(self, dataframe: DataFrame, metadata: dict) -> DataFrame:
        if self.setup.value == "pullback":
            signal = setups.consolidation_breakout(dataframe, 48, 0.06, 12, 0.01)
        else:
            signal = setups.oversold_dip(dataframe, 20, 3.0, 20)
        window = session.entry_window_open(
            dataframe["date"], self.timeframe, self.cutoff_minute, self.last_entry_gap
        )
        conditions = signal & (dataframe["btc_up"] > 0) & window
        dataframe["enter_long"] = conditions.astype(int)
        dataframe["enter_tag"] = conditions.map({True: self.setup.value, False: None})
        return dataframe

    def populate_exit_trend(self, dataframe: DataFrame, metadata: dict) -> DataFrame:
        return dataframe

    def custom_exit(self, pair: str, trade: Trade, current_time: datetime, current_rate: float,
                    current_profit: float, **kwargs) -> str | None:
        if session.past_cutoff(current_time, self.cutoff_minute):
            return "utc_cutoff"
        if (current_time - trade.open_date_utc).total_seconds() >= 60 * self.max_hold_minutes:
            return "max_hold"
        return None

    def custom_stake_amount(self, pair: str, current_time: datetime, current_rate: float,
                            proposed_stake: float, min_stake: float | None, max_stake: float,
                            leverage: float, entry_tag: str | None, side: str, **kwargs) -> float:
        capital_cap = self.max_stake_fraction * self.wallets.get_total_stake_amount()
        return self.risk_stake(
            pair=pair, current_time=current_time, entry_rate=current_rate,
            stop_distance=abs(self.stoploss), leverage=leverage, side=side,
            proposed_stake=min(proposed_stake, capital_cap), min_stake=min_stake,
            max_stake=max_stake,
        )
