"""Purged, embargoed walk-forward folds inside one FreqAI training window.

Rows are in time order with candle open times ``dates``. The rows are cut into
``n_splits + 1`` consecutive blocks of equal size; fold ``k`` (``k = 1 .. n_splits``)
validates on block ``k`` and trains on earlier rows only. A training row ``i`` is *purged*
when its label horizon ``[dates[i], dates[i] + label_span]`` reaches the validation block's
first candle, and the ``embargo`` before the validation block is dropped as well, so no
training label overlaps (or sits right next to) the block it is scored on:

    train_k = { i : dates[i] + label_span + embargo < dates[first row of block k] }
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def purged_walk_forward(
    dates: pd.Series | np.ndarray,
    n_splits: int,
    label_span: pd.Timedelta,
    embargo: pd.Timedelta,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """``(train_positions, validation_positions)`` per fold, earliest fold first.

    Folds whose purged training part is empty are left out.
    """
    times = pd.DatetimeIndex(pd.to_datetime(np.asarray(dates), utc=True)).as_unit("ns").asi8
    if n_splits < 1:
        raise ValueError("n_splits must be at least 1")
    if (np.diff(times) < 0).any():
        raise ValueError("dates must be in time order")
    blocks = np.array_split(np.arange(len(times)), n_splits + 1)
    gap = pd.Timedelta(label_span + embargo).as_unit("ns").value
    folds = []
    for block in blocks[1:]:
        if len(block) == 0:
            continue
        train = np.flatnonzero(times + gap < times[block[0]])
        if len(train):
            folds.append((train, block))
    return folds
