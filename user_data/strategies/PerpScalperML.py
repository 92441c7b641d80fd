"""Tier 3 with FreqAI: PerpScalper's perpetual-futures entries plus the pack's optional ML inputs.

Every rule of the tier (entries, layered exits, leverage, risk sizing) is inherited from
:class:`PerpScalper`. :class:`ftpack.tiers.ml.tier.FreqAITierMixin` adds FreqAI's feature and target
hooks and two optional inputs for both sides, off unless ``config["ml_gate"]`` turns them on:
the entry gate (``enabled``: model probability and predicted regime) and probability sizing
(``size_by_probability``). With both off it trades exactly like the tier.

Run (offline, FreqAI retrains every ``backtest_period_days``; model in ``freqai.json``):
    freqtrade-offline backtesting -c user_data/config/freqai-futures.json
"""

from typing import ClassVar

from PerpScalper import PerpScalper

from ftpack.tiers.ml.regime import TREND_DOWN, TREND_UP
from ftpack.tiers.ml.tier import FreqAITierMixin, ml_plot_config


class PerpScalperML(FreqAITierMixin, PerpScalper):
    """PerpScalper + FreqAI triple-barrier/regime model as optional gate and sizing."""

    # The regimes (as predicted by the regime model) in which each side of the scalper trades.
    trade_regimes: ClassVar[dict[str, tuple[str, ...]]] = {
        "long": (TREND_UP,),
        "short": (TREND_DOWN,),
    }

    plot_config: ClassVar[dict] = ml_plot_config(PerpScalper.plot_config, trade_regimes)
