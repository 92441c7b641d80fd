"""Tier 3 with FreqAI: PerpScalper's perpetual-futures entries, optionally gated by the pack's ML.

Everything of the tier (entries, layered exits, leverage, risk sizing) is inherited from
:class:`PerpScalper`; this file adds FreqAI's feature and target hooks
(:mod:`ftpack.ml.features`) and the ML gate (:mod:`ftpack.ml.gate`) for both sides, which is
off unless ``config["ml_gate"]["enabled"]`` is true. With the gate off it trades exactly like
the tier.

Run (offline, walk-forward retraining every ``backtest_period_days``):
    freqtrade-offline backtesting -c user_data/config/freqai-futures.json
"""

from typing import ClassVar

from pandas import DataFrame
from PerpScalper import PerpScalper

from ftpack.ml import features
from ftpack.ml.gate import GateConfig, apply_gate
from ftpack.ml.regime import TREND_DOWN, TREND_UP


class PerpScalperML(PerpScalper):
    """PerpScalper + FreqAI triple-barrier/regime model as an optional entry gate."""

    # Regimes (predicted by the regime model) in which each side of the scalper trades.
    trade_regimes: ClassVar[dict[str, tuple[str, ...]]] = {
        "long": (TREND_UP,),
        "short": (TREND_DOWN,),
    }

    plot_config: ClassVar[dict] = {
        **PerpScalper.plot_config,
        "subplots": {
            **PerpScalper.plot_config["subplots"],
            "ML P(up) / P(down)": {"up": {"color": "green"}, "down": {"color": "red"}},
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
        gate = GateConfig.from_config(self.config)
        for side in ("long", "short"):
            dataframe = apply_gate(dataframe, side, self.trade_regimes[side], gate,
                                   metadata["pair"])
        return dataframe
