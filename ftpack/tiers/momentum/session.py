"""Tier 2's intraday session: the daily UTC cut-off by which every position is flat.

Times are minutes after UTC midnight; a candle's ``date`` is its open time.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from freqtrade.exchange import timeframe_to_minutes

from risk_protections.config import parse_utc_hhmm

MINUTES_PER_DAY = 1440


def cutoff_minute(value: str, name: str = "utc_cutoff") -> int:
    """Minutes after UTC midnight of the ``"HH:MM"`` setting ``name`` (``"23:30"`` -> 1410)."""
    cutoff = parse_utc_hhmm(value, name)
    return cutoff.hour * 60 + cutoff.minute


def minute_of_day(dates: pd.Series) -> pd.Series:
    """Minutes after UTC midnight of each timestamp."""
    return dates.dt.hour * 60 + dates.dt.minute


def entry_window_open(
    dates: pd.Series, timeframe: str, cutoff_minute: int, last_entry_gap: int
) -> pd.Series:
    """True where an entry filled at the signal candle's close leaves ``last_entry_gap`` minutes
    before the daily UTC cut-off: (minute_of_day(date) + tf) mod 1440 <= cutoff - gap.
    """
    fill_minute = (minute_of_day(dates) + timeframe_to_minutes(timeframe)) % MINUTES_PER_DAY
    return (fill_minute <= cutoff_minute - last_entry_gap).astype(bool)


def past_cutoff(when: datetime, cutoff_minute: int) -> bool:
    """True from the UTC cut-off minute to midnight (time to be flat)."""
    return when.hour * 60 + when.minute >= cutoff_minute
