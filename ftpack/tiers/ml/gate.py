"""The ML gate: tiers keep their rule-based entries and, when ``config["ml_gate"]`` enables it,
drop those the FreqAI model does not back.

An entry signal on side ``long`` (``short``) survives when

- ``do_predict == 1`` (FreqAI trusted the prediction: features complete, model trained), and
- with ``use_probability``: ``P(up) >= tb_threshold_up`` (``P(down) >= tb_threshold_down``),
  the threshold chosen per window on purged validation folds, and
- with ``use_regime``: the regime model's most probable next regime is one the tier declares
  for that side (its ``trade_regimes``). The model is fit with balanced class weights
  (``class_weight: balanced`` in ``freqai.json``), so this is the regime raised most above its
  base rate; without them the majority regime (``ranging``) wins nearly every candle.

Sizing (``size_by_probability``, independent of the gate): the tier's stake is multiplied by
:func:`stake_scale`, so entries the model is less sure of get a smaller stake.

Vetoed candles keep their tier signal in ``ml_veto`` (``"regime:<regime>"`` or
``"probability"``) for plots, and the counts are logged once per pair and call.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ftpack.tiers.ml.labels import DOWN, UP
from ftpack.tiers.ml.regime import REGIMES

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class GateConfig:
    """``config["ml_gate"]``: off by default; both filters on once enabled."""

    enabled: bool = False
    use_probability: bool = True
    use_regime: bool = True
    size_by_probability: bool = False

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> GateConfig:
        gate = config.get("ml_gate", {})
        keys = ("enabled", "use_probability", "use_regime", "size_by_probability")
        return cls(**{k: bool(gate[k]) for k in keys if k in gate})


def predicted_regime(dataframe: pd.DataFrame) -> pd.Series:
    """Most probable regime per row from the regime class columns; NaN where none is known."""
    cols = [r for r in REGIMES if r in dataframe.columns]
    if not cols:
        return pd.Series(np.nan, index=dataframe.index, dtype="object")
    proba = dataframe[cols].astype(float)
    known = proba.notna().any(axis=1) & (proba.fillna(0).sum(axis=1) > 0)
    best = proba.fillna(-1.0).idxmax(axis=1).astype("object")
    return best.where(known)


def _numeric(dataframe: pd.DataFrame, column: str) -> pd.Series:
    """``dataframe[column]`` as floats; all NaN when the column is missing."""
    if column not in dataframe.columns:
        return pd.Series(np.nan, index=dataframe.index)
    return pd.to_numeric(dataframe[column], errors="coerce")


def stake_scale(candle: pd.Series, side: str) -> float:
    """ML sizing factor for an entry on ``side`` from the signal candle's model output:
    min(1, P(class) / threshold) with class ``up`` (long) or ``down`` (short); 0 when FreqAI
    did not trust the candle (``do_predict != 1``) or the output is missing.
    """
    cls = UP if side == "long" else DOWN
    proba, threshold = _value(candle, cls), _value(candle, f"tb_threshold_{cls}")
    if _value(candle, "do_predict") != 1 or not proba >= 0 or not threshold > 0:
        return 0.0
    return min(1.0, proba / threshold)


def _value(candle: pd.Series, key: str) -> float:
    """``candle[key]`` as a float; NaN when missing or not a number."""
    try:
        return float(candle.get(key))
    except (TypeError, ValueError):
        return float("nan")


def veto_reason(
    dataframe: pd.DataFrame, side: str, trade_regimes: tuple[str, ...], gate: GateConfig
) -> pd.Series:
    """Why the model would refuse an entry at each row (``None`` = allowed)."""
    reason = pd.Series(None, index=dataframe.index, dtype="object")
    if gate.use_probability:
        cls = UP if side == "long" else DOWN
        low = ~(_numeric(dataframe, cls) >= _numeric(dataframe, f"tb_threshold_{cls}"))
        reason[low] = "probability"
    if gate.use_regime:
        regime = predicted_regime(dataframe)
        off = ~regime.isin(trade_regimes)
        reason[off] = "regime:" + regime[off].fillna("unknown").astype(str)
    reason[~(_numeric(dataframe, "do_predict") == 1)] = "do_predict"
    return reason


def apply_gate(
    dataframe: pd.DataFrame, side: str, trade_regimes: tuple[str, ...], gate: GateConfig,
    pair: str = "",
) -> pd.DataFrame:
    """Clear ``enter_<side>`` (and its tag) where :func:`veto_reason` refuses; no-op when off."""
    if not gate.enabled:
        return dataframe
    column = f"enter_{side}"
    if column not in dataframe.columns:
        return dataframe
    reason = veto_reason(dataframe, side, trade_regimes, gate)
    veto = (dataframe[column] == 1) & reason.notna()
    if "ml_veto" not in dataframe.columns:
        dataframe["ml_veto"] = None
    dataframe.loc[veto, "ml_veto"] = reason[veto]
    dataframe.loc[veto, column] = 0
    if "enter_tag" in dataframe.columns:
        dataframe.loc[veto, "enter_tag"] = None
    signals = int((dataframe[column] == 1).sum() + veto.sum())
    if signals:
        logger.info("ftpack-ml gate %s %s: %d tier signals, %d vetoed %s", pair, side, signals,
                    int(veto.sum()), reason[veto].value_counts().to_dict())
    return dataframe
