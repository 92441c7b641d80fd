"""Tier 2 with FreqAI: SmallCapMomentum's breakout entries plus the pack's optional ML inputs.

Every rule of the tier (entries, exits, sizing, parameters) is inherited from
:class:`SmallCapMomentum`. :class:`ftpack.tiers.ml.tier.FreqAITierMixin` adds FreqAI's feature and
target hooks and two optional inputs, both off unless ``config["ml_gate"]`` turns them on:
the entry gate (``enabled``: model probability and predicted regime) and probability sizing
(``size_by_probability``). With both off it trades exactly like the tier.

Run (offline, FreqAI retrains every ``backtest_period_days``; model in ``freqai.json``):
    freqtrade-offline backtesting -c user_data/config/freqai-spot.json
"""

from typing import ClassVar

from SmallCapMomentum import SmallCapMomentum

from ftpack.tiers.ml.regime import TREND_UP
from ftpack.tiers.ml.tier import FreqAITierMixin, ml_plot_config


class SmallCapMomentumML(FreqAITierMixin, SmallCapMomentum):
    """SmallCapMomentum + FreqAI triple-barrier/regime model as optional gate and sizing."""

    # The regimes (as predicted by the regime model) in which this long-only tier trades.
    trade_regimes: ClassVar[dict[str, tuple[str, ...]]] = {"long": (TREND_UP,)}

    plot_config: ClassVar[dict] = ml_plot_config(SmallCapMomentum.plot_config, trade_regimes)
