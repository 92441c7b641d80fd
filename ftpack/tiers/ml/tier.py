"""FreqAITierMixin: what turns a rule-based tier into its FreqAI variant, in one place.

``class SmallCapMomentumML(FreqAITierMixin, SmallCapMomentum)`` keeps every rule of the tier
and adds FreqAI's feature and target hooks (:mod:`ftpack.tiers.ml.features`), runs FreqAI in
``populate_indicators``, and applies the two optional ML inputs of ``config["ml_gate"]``:

- ``enabled``: the entry gate (:func:`ftpack.tiers.ml.gate.apply_gate`) for every side the tier
  declares in ``trade_regimes`` ({side: regimes the tier trades in});
- ``size_by_probability``: the tier's stake times :func:`ftpack.tiers.ml.gate.stake_scale`.

Both are off by default; with both off the variant trades exactly like the tier.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from pandas import DataFrame

from ftpack.tiers.ml import features
from ftpack.tiers.ml.gate import GateConfig, apply_gate, stake_scale

if TYPE_CHECKING:  # the mixin's super() calls reach the tier (an IStrategy) it is mixed into
    from freqtrade.strategy import IStrategy as _Tier
else:
    _Tier = object


class FreqAITierMixin(_Tier):
    """Mix in before the tier class; set ``trade_regimes`` for the tier's sides."""

    trade_regimes: ClassVar[dict[str, tuple[str, ...]]] = {}

    def feature_engineering_expand_all(
        self, dataframe: DataFrame, period: int, metadata: dict, **kwargs: Any
    ) -> DataFrame:
        return features.expand_all(dataframe, period)

    def feature_engineering_expand_basic(
        self, dataframe: DataFrame, metadata: dict, **kwargs: Any
    ) -> DataFrame:
        return features.expand_basic(dataframe)

    def feature_engineering_standard(
        self, dataframe: DataFrame, metadata: dict, **kwargs: Any
    ) -> DataFrame:
        return features.standard(dataframe)

    def set_freqai_targets(self, dataframe: DataFrame, metadata: dict, **kwargs: Any) -> DataFrame:
        return features.targets(dataframe, self.freqai_info)

    def populate_indicators(self, dataframe: DataFrame, metadata: dict) -> DataFrame:
        dataframe = super().populate_indicators(dataframe, metadata)
        return self.freqai.start(dataframe, metadata, self)

    def populate_entry_trend(self, dataframe: DataFrame, metadata: dict) -> DataFrame:
        dataframe = super().populate_entry_trend(dataframe, metadata)
        gate = GateConfig.from_config(self.config)
        for side, regimes in self.trade_regimes.items():
            dataframe = apply_gate(dataframe, side, regimes, gate, metadata["pair"])
        return dataframe

    def custom_stake_amount(self, pair: str, current_time: datetime, current_rate: float,
                            proposed_stake: float, min_stake: float | None, max_stake: float,
                            leverage: float, entry_tag: str | None, side: str,
                            **kwargs: Any) -> float:
        """The tier's stake, times the ML scale when ``size_by_probability`` is on; 0 (no
        trade) when the scaled stake falls below the exchange minimum.
        """
        stake = super().custom_stake_amount(
            pair=pair, current_time=current_time, current_rate=current_rate,
            proposed_stake=proposed_stake, min_stake=min_stake, max_stake=max_stake,
            leverage=leverage, entry_tag=entry_tag, side=side, **kwargs,
        )
        if not GateConfig.from_config(self.config).size_by_probability:
            return stake
        dataframe, _ = self.dp.get_analyzed_dataframe(pair, self.timeframe)
        scaled = stake * (stake_scale(dataframe.iloc[-1], side) if len(dataframe) else 0.0)
        return scaled if min_stake is None or scaled >= min_stake else 0.0
