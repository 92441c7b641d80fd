"""FreqAITierMixin: what turns a rule-based tier into its FreqAI variant, in one place.

``class SmallCapMomentumML(FreqAITierMixin, SmallCapMomentum)`` keeps every rule of the tier
and adds FreqAI's feature and target hooks (:mod:`ftpack.tiers.ml.features`), runs FreqAI in
``populate_indicators``, and applies the two optional ML inputs of ``config["ml_gate"]``:

- ``enabled``: the entry gate (:func:`ftpack.tiers.ml.gate.apply_gate`) for every side the tier
  declares in ``trade_regimes`` ({side: regimes the tier trades in});
- ``size_by_probability``: the tier's stake times :func:`ftpack.tiers.ml.gate.stake_scale`.

Both are off by default; with both off the variant trades exactly like the tier.

At startup it refuses a pair or timeframe FreqAI would have no candles for
(:mod:`ftpack.tiers.ml.coverage`). Under ``plot-dataframe`` it loads the training window before
the plotted range, as backtesting does, so the chart shows the model a backtest of that range
would have; :func:`ml_plot_config` adds the model's outputs to the tier's chart.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from freqtrade.enums import RunMode
from freqtrade.exceptions import OperationalException
from pandas import DataFrame

from ftpack.tiers.ml import features
from ftpack.tiers.ml.coverage import check_feature_data
from ftpack.tiers.ml.gate import GateConfig, apply_gate, stake_scale
from ftpack.tiers.ml.labels import DOWN, UP
from ftpack.tiers.ml.regime import HIGH_VOL, RANGING, TREND_DOWN, TREND_UP

REGIME_COLORS = {TREND_UP: "green", TREND_DOWN: "red", RANGING: "grey", HIGH_VOL: "orange"}


def ml_plot_config(
    tier_plot_config: dict[str, Any], trade_regimes: dict[str, tuple[str, ...]]
) -> dict[str, Any]:
    """The tier's chart plus the model: P(class) and its threshold per side in ``trade_regimes``,
    and the regime model's class probabilities (the predicted regime is the highest one)."""
    probability: dict[str, dict[str, str]] = {}
    for side, cls, color in (("long", UP, "green"), ("short", DOWN, "red")):
        if side in trade_regimes:
            probability[cls] = {"color": color}
            probability[f"tb_threshold_{cls}"] = {"color": f"dark{color}"}
    return {
        **tier_plot_config,
        "subplots": {
            **tier_plot_config.get("subplots", {}),
            "ML probability vs threshold": probability,
            "ML regime probability": {r: {"color": c} for r, c in REGIME_COLORS.items()},
        },
    }


if TYPE_CHECKING:  # the mixin's super() calls reach the tier (an IStrategy) it is mixed into
    from freqtrade.strategy import IStrategy as _Tier
else:
    _Tier = object


class FreqAITierMixin(_Tier):
    """Mix in before the tier class; set ``trade_regimes`` for the tier's sides."""

    trade_regimes: ClassVar[dict[str, tuple[str, ...]]] = {}
    startup_candle_count: int

    def bot_start(self, **kwargs: Any) -> None:
        """Refuse missing feature candles; under plot-dataframe, load FreqAI's training window."""
        super().bot_start(**kwargs)
        try:
            whitelist = self.dp.current_whitelist()
        except OperationalException:  # plot-dataframe and webserver have no pairlist
            whitelist = list(self.config.get("pairs") or self.config["exchange"]["pair_whitelist"])
        check_feature_data(self.config, whitelist, self.timeframe, self.dp._exchange)
        if self.config.get("runmode") == RunMode.PLOT:
            self.startup_candle_count = self.dp.get_required_startup(self.timeframe)

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
