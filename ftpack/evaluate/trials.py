"""Variants tried during research, counted from a trial ledger for the Deflated Sharpe Ratio.

A ledger is a JSON-lines file, one line per evaluated variant (``research/trials/<tier>.jsonl``,
written by the research scripts): ``family``, ``variant`` (id of the family and parameters),
``data_range``, ``fee`` and ``script``. A line is one *evaluation*; a *distinct variant* is its
``variant`` id, except for Freqtrade confirmation runs (``script`` = ``research/ft_runs.py``),
where the window and the fee make a run distinct too. The Deflated Sharpe Ratio counts the
distinct variants.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

FREQTRADE_RUNS = "research/ft_runs.py"


def ledger_counts(path: Path | str) -> dict[str, tuple[int, int]]:
    """``{family: (evaluations, distinct variants)}`` of one ledger, families sorted."""
    evaluations: dict[str, int] = defaultdict(int)
    ids: dict[str, set] = defaultdict(set)
    for number, line in enumerate(Path(path).read_text().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            family, variant = row["family"], row["variant"]
        except (ValueError, KeyError, TypeError) as err:
            raise ValueError(f"{path}:{number}: not a trial line ({err})") from err
        evaluations[family] += 1
        ids[family].add((variant, row.get("data_range"), row.get("fee"))
                        if row.get("script") == FREQTRADE_RUNS else variant)
    return {f: (evaluations[f], len(ids[f])) for f in sorted(evaluations)}


def distinct_variants(path: Path | str) -> int:
    """Distinct variants of all families in the ledger."""
    return sum(distinct for _, distinct in ledger_counts(path).values())
