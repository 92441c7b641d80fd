"""Walk-forward folds over the data the configured pairs actually have.

The pairs' coverage windows are merged into eras (stretches where at least one pair has
candles). In every era a fold grid starts at the first UTC midnight after the warm-up:

- rolling: train ``[t - train_days, t)``, test ``[t, t + test_days)``, ``t`` advancing by
  ``step_days``; anchored: the train window always starts at the era's first train day;
- a pair takes part in a fold when one of its windows covers the fold's warm-up, (re-tune
  mode) train window and test window; folds where fewer than ``min_pairs`` pairs do, or where a
  ``required_pairs`` entry (data the strategy reads for every pair, e.g. a market filter) does
  not, are skipped with the reason;
- the tail of an era shorter than one test window is left out.

Warm-up candles (the strategy's ``startup_candle_count``) precede a window; trades never do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from ftpack.evaluate.coverage import Window, covering_window

DAY = pd.Timedelta(days=1)


@dataclass(frozen=True)
class Fold:
    """One walk-forward step: pairs with data, optional train window, test window."""

    index: int
    pairs: tuple[str, ...]
    test_start: pd.Timestamp
    test_end: pd.Timestamp
    train_start: pd.Timestamp | None = None
    train_end: pd.Timestamp | None = None

    def to_dict(self) -> dict[str, object]:
        day = "%Y-%m-%d"
        return {
            "index": self.index,
            "pairs": list(self.pairs),
            "train": None if self.train_start is None
            else [f"{self.train_start:{day}}", f"{self.train_end:{day}}"],
            "test": [f"{self.test_start:{day}}", f"{self.test_end:{day}}"],
        }


@dataclass(frozen=True)
class SkippedFold:
    test_start: pd.Timestamp
    test_end: pd.Timestamp
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"test": [f"{self.test_start:%Y-%m-%d}", f"{self.test_end:%Y-%m-%d}"],
                "reason": self.reason}


def eras(windows: dict[str, list[Window]]) -> list[Window]:
    """The union of every pair's windows, as sorted disjoint windows."""
    merged: list[Window] = []
    for w in sorted((w for ws in windows.values() for w in ws), key=lambda w: w.start):
        if merged and w.start <= merged[-1].end:
            merged[-1] = Window(merged[-1].start, max(merged[-1].end, w.end))
        else:
            merged.append(w)
    return merged


def ceil_day(ts: pd.Timestamp) -> pd.Timestamp:
    return ts.ceil("D")


def plan_folds(
    windows: dict[str, list[Window]],
    *,
    train_days: int,
    test_days: int,
    step_days: int,
    warmup: pd.Timedelta,
    retune: bool,
    anchored: bool = False,
    required: dict[str, list[Window]] | None = None,
    min_pairs: int = 1,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> tuple[list[Fold], list[SkippedFold]]:
    """Folds in time order (see the module docstring) and the grid steps that were skipped."""
    folds: list[Fold] = []
    skipped: list[SkippedFold] = []
    train, test, step = train_days * DAY, test_days * DAY, step_days * DAY
    for era in eras(windows):
        first = ceil_day(era.start + warmup)
        if start is not None:
            first = max(first, ceil_day(start))
        last = era.end.floor("D") if end is None else min(era.end.floor("D"), end)
        t = first + train
        while t + test <= last:
            train_start = first if anchored else t - train
            need_from = (train_start if retune and train_days else t) - warmup
            fold_end = t + test
            pairs = tuple(p for p, ws in windows.items()
                          if covering_window(ws, need_from, fold_end) is not None)
            missing = [p for p, ws in (required or {}).items()
                       if covering_window(ws, need_from, fold_end) is None]
            if missing:
                skipped.append(SkippedFold(t, fold_end, f"no data for {', '.join(missing)}"))
            elif len(pairs) < min_pairs:
                skipped.append(SkippedFold(
                    t, fold_end, f"{len(pairs)} pair(s) with data, fewer than {min_pairs}"))
            else:
                folds.append(Fold(
                    index=len(folds), pairs=pairs, test_start=t, test_end=fold_end,
                    train_start=train_start if train_days else None,
                    train_end=t if train_days else None,
                ))
            t += step
    return folds, skipped
