"""Importance-based feature selection on the training rows of one window."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def top_features(names: Sequence[str], importance: Sequence[float], max_features: int) -> list[str]:
    """The ``max_features`` names with the highest importance, most important first.

    Features with zero importance are dropped (at least one name is always kept); ties are
    broken by name so the choice is deterministic.
    """
    if len(names) != len(importance):
        raise ValueError("names and importance differ in length")
    if max_features < 1 or not len(names):
        raise ValueError("need max_features >= 1 and at least one feature")
    order = sorted(range(len(names)), key=lambda i: (-float(importance[i]), names[i]))
    kept = [names[i] for i in order if np.isfinite(importance[i]) and importance[i] > 0]
    return (kept or [names[order[0]]])[:max_features]
