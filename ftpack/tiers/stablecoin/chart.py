"""Chart columns of tier 1 (``plot_config``): what the entry and the de-peg guard compare.

- ``entry_limit``: the highest entry price, ``fair · (1 − threshold/10⁴)``; the band between it
  and ``fair_value`` is where the tier does not buy;
- ``entry_threshold_bps``: ``−threshold`` (bp), the line ``deviation_bps`` must cross;
- ``depeg_guard_on``: the de-peg guard as 0/1 (charts draw numbers, not booleans).
"""

from __future__ import annotations

import pandas as pd

from ftpack.tiers.stablecoin.fair_value import entry_limit


def add_chart_columns(dataframe: pd.DataFrame, threshold_bps: float) -> pd.DataFrame:
    """Add the three chart columns to an analysed tier-1 frame (see module doc)."""
    dataframe["entry_limit"] = entry_limit(dataframe["fair_value"], threshold_bps)
    dataframe["entry_threshold_bps"] = -threshold_bps
    dataframe["depeg_guard_on"] = dataframe["depeg_guard"].astype(int)
    return dataframe
