"""Fit and validate one FreqAI training window: purged walk-forward folds, per-fold feature
selection, early stopping, a probability threshold per gate class, then the final model.

For each target column (one LightGBM classifier per target):

1. for each purged walk-forward fold (:mod:`ftpack.tiers.ml.splits`): select the ``max_features``
   most important features (gain of a quick model fit on the fold's training rows only,
   :mod:`ftpack.tiers.ml.selection`), fit on those with early stopping on the fold's
   validation block and keep the validation probabilities;
2. on the pooled validation probabilities: one-vs-rest AUC per class and, for each gate class,
   the threshold ``t`` (among the validation quantiles 0.5 .. 1 - ``min_signal_share``) with the
   highest precision of ``P(class) >= t``;
3. keep the features with the highest gain summed over the folds' quick fits (so selection
   only ever sees training rows) and fit the final model on the whole window with the folds'
   mean best iteration count.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from lightgbm import LGBMClassifier, early_stopping
from lightgbm.basic import LGBMDeprecationWarning
from sklearn.metrics import roc_auc_score

from ftpack.tiers.ml.selection import top_features
from ftpack.tiers.ml.splits import purged_walk_forward


@dataclass(frozen=True)
class WindowSettings:
    """How one window is trained (read from ``config["freqai"]``, see ``from_freqai``)."""

    lgbm_params: dict[str, Any]
    label_span: pd.Timedelta
    embargo: pd.Timedelta
    n_splits: int = 2
    max_features: int = 15
    selection_estimators: int = 40
    early_stopping_rounds: int = 20
    min_signal_share: float = 0.05
    gate_classes: Sequence[str] = ()

    @classmethod
    def from_freqai(cls, freqai: dict[str, Any], candle: pd.Timedelta) -> WindowSettings:
        """Settings from FreqAI's config section: LightGBM parameters from
        ``model_training_parameters``, the label span from ``feature_parameters.
        label_period_candles`` and the rest from ``freqai["ftpack"]["training"]``.
        """
        own = freqai.get("ftpack", {}).get("training", {})
        horizon = int(freqai["feature_parameters"]["label_period_candles"])
        return cls(
            lgbm_params=dict(freqai.get("model_training_parameters", {})),
            label_span=horizon * candle,
            embargo=int(own.get("embargo_candles", 0)) * candle,
            n_splits=int(own.get("n_splits", 2)),
            max_features=int(own.get("max_features", 15)),
            selection_estimators=int(own.get("selection_estimators", 40)),
            early_stopping_rounds=int(own.get("early_stopping_rounds", 20)),
            min_signal_share=float(own.get("min_signal_share", 0.05)),
            gate_classes=tuple(own.get("gate_classes", ())),
        )


@dataclass
class TargetModel:
    """One target's fitted classifier and the feature columns it reads."""

    label: str
    features: list[str]
    model: LGBMClassifier
    metrics: dict[str, Any] = field(default_factory=dict)


class SelectedFeaturesClassifier:
    """FreqAI-facing model: one classifier per target, each on its own selected columns.

    ``predict`` gives one column per target; ``predict_proba`` the targets' class probabilities
    side by side, in the order of ``classes_`` (FreqAI's multi-target classifier layout).
    """

    def __init__(self, targets: list[TargetModel]) -> None:
        self.targets = targets

    @property
    def classes_(self) -> np.ndarray:
        return np.concatenate([t.model.classes_ for t in self.targets])

    def predict(self, features: pd.DataFrame) -> np.ndarray:
        return np.column_stack([t.model.predict(features[t.features]) for t in self.targets])

    def predict_proba(self, features: pd.DataFrame) -> np.ndarray:
        return np.hstack([t.model.predict_proba(features[t.features]) for t in self.targets])


def _gain(x: pd.DataFrame, y: np.ndarray, s: WindowSettings) -> np.ndarray:
    """LightGBM gain importance per column of ``x`` from a quick fit on (x, y)."""
    quick = LGBMClassifier(**(s.lgbm_params | {"n_estimators": s.selection_estimators}))
    quick.fit(x, y)
    return quick.booster_.feature_importance(importance_type="gain")


def choose_threshold(is_class: np.ndarray, proba: np.ndarray, min_share: float) -> dict[str, float]:
    """Threshold with the best precision among the quantiles 0.5 .. 1 - min_share of ``proba``;
    with the precision, the share of rows at or above it and the class's base rate.
    """
    base = float(is_class.mean()) if len(is_class) else float("nan")
    best = {"threshold": 1.0, "precision": float("nan"), "signal_share": 0.0, "base_rate": base}
    if not len(proba):
        return best
    for t in np.unique(np.quantile(proba, np.linspace(0.5, 1.0 - min_share, 10))):
        hit = proba >= t
        precision = float(is_class[hit].mean())
        if not precision <= best["precision"]:  # also replaces the initial NaN
            best = {"threshold": float(t), "precision": precision,
                    "signal_share": float(hit.mean()), "base_rate": base}
    return best


def _auc(is_class: np.ndarray, proba: np.ndarray) -> float:
    """ROC AUC of ``proba`` for ``is_class``; NaN when only one outcome occurs."""
    if is_class.all() or not is_class.any():
        return float("nan")
    return float(roc_auc_score(is_class, proba))


def fit_target(
    label: str, x: pd.DataFrame, y: np.ndarray, dates: pd.Series, s: WindowSettings
) -> TargetModel:
    """Train and validate one target over one window (module doc, steps 1-3)."""
    y = np.asarray(y, dtype=object)
    val_true: list[np.ndarray] = []
    val_proba: list[pd.DataFrame] = []
    best_iters: list[int] = []
    total_gain = np.zeros(x.shape[1])
    for train, val in purged_walk_forward(dates, s.n_splits, s.label_span, s.embargo):
        known = np.isin(y[val], np.unique(y[train]))
        val = val[known]
        if len(np.unique(y[train])) < 2 or not len(val):
            continue
        gain = _gain(x.iloc[train], y[train], s)
        total_gain += gain
        cols = top_features(list(x.columns), list(gain), s.max_features)
        model = LGBMClassifier(**s.lgbm_params)
        with warnings.catch_warnings():  # eval_set's successor eval_y does not encode str labels
            warnings.simplefilter("ignore", category=LGBMDeprecationWarning)
            model.fit(
                x.iloc[train][cols], y[train],
                eval_set=[(x.iloc[val][cols], y[val])],
                callbacks=[early_stopping(s.early_stopping_rounds, verbose=False)],
            )
        best_iters.append(int(model.best_iteration_ or model.n_estimators))
        val_true.append(y[val])
        val_proba.append(pd.DataFrame(model.predict_proba(x.iloc[val][cols]),
                                      columns=model.classes_))
    truth = np.concatenate(val_true) if val_true else np.array([], dtype=object)
    proba = pd.concat(val_proba, ignore_index=True).fillna(0.0) if val_proba else pd.DataFrame()
    metrics: dict[str, Any] = {"n_train": len(y), "n_validation": len(truth),
                               "best_iterations": best_iters}
    for cls in sorted(set(y)):
        p = proba[cls].to_numpy() if cls in proba else np.zeros(len(truth))
        metrics[f"auc_{cls}"] = _auc(truth == cls, p)
        if cls in s.gate_classes:
            metrics[f"gate_{cls}"] = choose_threshold(truth == cls, p, s.min_signal_share)
    if len(truth):
        predicted = proba.columns.to_numpy()[proba.to_numpy().argmax(axis=1)]
        metrics["accuracy"] = float((predicted == truth).mean())
    if not best_iters:  # no usable fold: importance from the whole window
        total_gain = _gain(x, y, s)
    cols = top_features(list(x.columns), list(total_gain), s.max_features)
    params = dict(s.lgbm_params)
    if best_iters:
        params["n_estimators"] = max(int(np.mean(best_iters)), 1)
    final = LGBMClassifier(**params)
    final.fit(x[cols], y)
    metrics["features"] = cols
    return TargetModel(label=label, features=cols, model=final, metrics=metrics)
