"""Tier 2 with FreqAI: SmallCapMomentum's breakout entries, optionally gated by the pack's ML.

Everything of the tier (entries, exits, sizing, parameters) is inherited from
:class:`SmallCapMomentum`; this file adds FreqAI's feature and target hooks
(:mod:`ftpack.ml.features`) and the ML gate (:mod:`ftpack.ml.gate`), which is off unless
``config["ml_gate"]["enabled"]`` is true. With the gate off it trades exactly like the tier.

Run (offline, walk-forward retraining every ``backtest_period_days``):
    freqtrade-offline backtesting -c user_data/config/freqai-spot.json  (model: freqai.json)
"""

from typing import ClassVar

from pandas import DataFrame
from SmallCapMomentum import SmallCapMomentum

from ftpack.ml import features
from ftpack.ml.gate import GateConfig, apply_gate
from ftpack.ml.regime import TREND_UP


class SmallCapMomentumML(SmallCapMomentum):
    """SmallCapMomentum + FreqAI triple-barrier/regime model as an optional entry gate."""

    # Regimes (predicted by the regime model) in which this long-only breakout tier trades.
    trade_regimes: ClassVar[dict[str, tuple[str, ...]]] = {"long": (TREND_UP,)}

    plot_config: ClassVar[dict] = {
        **SmallCapMomentum.plot_config,
        "subplots": {
            **SmallCapMomentum.plot_config["subplots"],
            "ML P(up)": {"up": {"color": "green"}, "tb_threshold_up": {"color": "grey"}},
        },
    }

    def feature_engineering_expand_all(
        self, dataframe: DataFrame, period: int, metadata: dict, **kwargs
    ) -> DataFrame:
        return features.expand_all(dataframe, period)

    def feature_engineering_expand_basic(
        self, dataframe: DataFrame, metadata: dict, **kwargs
    ) -> DataFrame:
        return features.expand_basic(dataframe)

    def feature_engineering_standard(
        self, dataframe: DataFrame, metadata: dict, **kwargs
    ) -> DataFrame:
        return features.standard(dataframe)

    def set_freqai_targets(self, dataframe: DataFrame, metadata: dict, **kwargs) -> DataFrame:
        return features.targets(dataframe, self.freqai_info)

    def populate_indicators(self, dataframe: DataFrame, metadata: dict) -> DataFrame:
        dataframe = super().populate_indicators(dataframe, metadata)
        return self.freqai.start(dataframe, metadata, self)

    def populate_entry_trend(self, dataframe: DataFrame, metadata: dict) -> DataFrame:
        dataframe = super().populate_entry_trend(dataframe, metadata)
        return apply_gate(dataframe, "long", self.trade_regimes["long"],
                          GateConfig.from_config(self.config), metadata["pair"])
