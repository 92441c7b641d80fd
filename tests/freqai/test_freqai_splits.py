"""Purged walk-forward folds and importance-based selection."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ftpack.tiers.ml.selection import top_features
from ftpack.tiers.ml.splits import purged_walk_forward


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(0, 400),
    n_splits=st.integers(1, 5),
    span=st.integers(0, 60),
    embargo=st.integers(0, 20),
    gaps=st.lists(st.integers(1, 4), min_size=400, max_size=400),
)
def test_no_training_label_reaches_its_validation_block(n, n_splits, span, embargo, gaps):
    dates = pd.Series(pd.Timestamp("2025-07-01", tz="UTC")
                      + pd.to_timedelta(np.cumsum(gaps[:n]) * 5, unit="min"))
    label_span, emb = pd.Timedelta(minutes=5 * span), pd.Timedelta(minutes=5 * embargo)
    folds = purged_walk_forward(dates, n_splits, label_span, emb)
    assert len(folds) <= n_splits
    for train, val in folds:
        assert len(train) and len(val)
        assert dates.iloc[train].max() + label_span + emb < dates.iloc[val].min()
        # nothing that could be kept was purged: the next row would overlap
        nxt = train.max() + 1
        assert dates.iloc[nxt] + label_span + emb >= dates.iloc[val].min()
    starts = [val[0] for _, val in folds]
    assert starts == sorted(starts)


def test_folds_exact_positions():
    dates = pd.Series(pd.date_range("2025-07-01", periods=9, freq="5min", tz="UTC"))
    folds = purged_walk_forward(dates, 2, pd.Timedelta(minutes=5), pd.Timedelta(0))
    # blocks [0..2] [3..5] [6..8]; labels span one candle: row 2 overlaps row 3 -> purged
    assert [(t.tolist(), v.tolist()) for t, v in folds] == [
        ([0, 1], [3, 4, 5]),
        ([0, 1, 2, 3, 4], [6, 7, 8]),
    ]


def test_unsorted_dates_are_refused():
    dates = pd.Series(pd.to_datetime(["2025-07-02", "2025-07-01"], utc=True))
    with pytest.raises(ValueError, match="time order"):
        purged_walk_forward(dates, 1, pd.Timedelta(0), pd.Timedelta(0))


def test_top_features_by_importance():
    names = ["a", "b", "c", "d"]
    assert top_features(names, [0.5, 3.0, 0.0, 3.0], 2) == ["b", "d"]
    assert top_features(names, [0.5, 3.0, 0.0, 3.0], 10) == ["b", "d", "a"]
    assert top_features(names, [0.0, 0.0, 0.0, 0.0], 3) == ["a"]
    with pytest.raises(ValueError):
        top_features(names, [1.0], 2)
