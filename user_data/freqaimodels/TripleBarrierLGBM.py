"""TripleBarrierLGBM: LightGBM classifiers on the pack's triple-barrier and regime targets.

A FreqAI classifier (subclass of FreqAI's ``BaseClassifierModel``), found the ordinary way in
``user_data/freqaimodels`` (``--freqaimodel TripleBarrierLGBM``). Each training window fits one
LightGBM per target column (``&-tb``: triple-barrier class, ``&-regime``: next-candles regime)
with purged, embargoed walk-forward folds for early stopping and the probability threshold,
and keeps the ``max_features`` most important features (see :mod:`ftpack.tiers.ml.training`).

Per window it logs one ``ftpack-ml window {json}`` line (validation AUC, precision at the
chosen threshold, selected features, the fit's CPU seconds) next to FreqAI's own
``Done training`` timing line, and
hands the thresholds to the strategy as FreqAI ``extra_returns_per_train`` columns
``tb_threshold_<class>``.
"""

import json
import logging
import time
from typing import Any

import pandas as pd
from freqtrade.exchange import timeframe_to_minutes
from freqtrade.freqai.base_models.BaseClassifierModel import BaseClassifierModel
from freqtrade.freqai.data_kitchen import FreqaiDataKitchen

from ftpack.tiers.ml.training import SelectedFeaturesClassifier, WindowSettings, fit_target

logger = logging.getLogger(__name__)


class TripleBarrierLGBM(BaseClassifierModel):
    """One LightGBM per target, purged walk-forward validation, importance-based selection."""

    def fit(self, data_dictionary: dict, dk: FreqaiDataKitchen, **kwargs: Any) -> Any:
        cpu_start = time.process_time()
        candle = pd.Timedelta(minutes=timeframe_to_minutes(self.config["timeframe"]))
        settings = WindowSettings.from_freqai(self.freqai_info, candle)
        features = data_dictionary["train_features"]
        labels = data_dictionary["train_labels"]
        dates = pd.Series(dk.train_dates.to_numpy())
        if len(dates) != len(features):
            raise ValueError("train features and dates differ: disable shuffling and test_size")
        targets = [
            fit_target(col, features, labels[col].to_numpy(), dates, settings)
            for col in labels.columns
        ]
        report: dict[str, Any] = {"pair": dk.pair, "train_start": str(dates.iloc[0]),
                                  "train_end": str(dates.iloc[-1])}
        thresholds = {}
        for target in targets:
            report[target.label] = target.metrics
            for cls in settings.gate_classes:
                gate = target.metrics.get(f"gate_{cls}")
                if gate is not None:
                    thresholds[f"tb_threshold_{cls}"] = gate["threshold"]
        # A new dict: FreqAI's default one is the config's, shared by every pair.
        dk.data["extra_returns_per_train"] = {**dk.data["extra_returns_per_train"], **thresholds}
        # CPU seconds of this fit: FreqAI's wall-clock timing also counts other processes' load.
        report["fit_cpu_seconds"] = time.process_time() - cpu_start
        logger.info("ftpack-ml window %s", json.dumps(report, default=float))
        return SelectedFeaturesClassifier(targets)
