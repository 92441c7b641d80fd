"""Tier 2 research candidate: the screen's best setups as a real Freqtrade strategy, to check the
event study's fills against Freqtrade's and to run lookahead/recursive analysis.

Long only, spot 5m, flat by 23:30 UTC, 1 % stop, 3 % target (no trailing), 6 h hold limit, no
entry in the last hour before the cut-off; sizing, cut-off, hold limit and the risk veto come from
:class:`SmallCapMomentum`. Setup (``setup`` parameter; rules in
:mod:`ftpack.tiers.momentum.setups`):

* ``pullback``: Bonde base breakout, burst >= 6 % over 48 candles, a 12-candle base no wider than
  1 %, close above the base;
* ``dip``: close below the 20-candle 3-sigma band with RSI(14) < 20;

only while BTC closes above the mean of its last 48 5m closes (4 h; ``setups.trend_up``).
Research only: the screen found no out-of-sample edge after fees (research/README.md).
"""

from typing import ClassVar

from freqtrade.strategy import CategoricalParameter, IntParameter
from pandas import DataFrame
from SmallCapMomentum import SmallCapMomentum

from ftpack.tiers.momentum import session, setups


class SmallCapSetupCandidate(SmallCapMomentum):
    """Regime-filtered pullback or dip entries with the tier's brackets, intraday only."""

    minimal_roi: ClassVar[dict[str, float]] = {"0": 0.03}
    trailing_stop = False
    startup_candle_count = 100
    risk_extra_protections: ClassVar[list[dict]] = []
    max_stake_fraction = 0.20

    setup = CategoricalParameter(["pullback", "dip"], default="pullback", space="buy")
    max_hold_minutes = IntParameter(60, 360, default=360, space="sell", optimize=False)
    btc_trend_candles = 48

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
