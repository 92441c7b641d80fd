"""Where each pair has candles: coverage windows read from the data files, and the candles.

Several development files hold separate windows with gaps of weeks to years between them. A
window ends where the next candle is more than ``MAX_GAP`` after the previous one; shorter
holes (an exchange halt, a few missing candles) stay inside the window, where Freqtrade fills
them as it loads the data. Files are read with Freqtrade's own data handler.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from freqtrade.data.history import get_datahandler
from freqtrade.enums import CandleType

MAX_GAP = pd.Timedelta(days=1)


@dataclass(frozen=True)
class Window:
    """A stretch of candles ``[start, end)``; ``end`` = last candle open + one timeframe."""

    start: pd.Timestamp
    end: pd.Timestamp

    def covers(self, start: pd.Timestamp, end: pd.Timestamp) -> bool:
        return self.start <= start and end <= self.end


def load_candles(
    datadir: Path, pair: str, timeframe: str, candle_type: CandleType, data_format: str
) -> pd.DataFrame:
    """All candles of one pair as stored (no filling), with a UTC ``date`` column."""
    handler = get_datahandler(datadir, data_format)
    return handler.ohlcv_load(
        pair, timeframe, timerange=None, fill_missing=False, drop_incomplete=False,
        warn_no_data=False, candle_type=candle_type,
    )


def coverage_windows(
    dates: pd.Series, timeframe: pd.Timedelta, max_gap: pd.Timedelta = MAX_GAP
) -> list[Window]:
    """Split candle open times into windows at every hole longer than ``max_gap``."""
    if dates.empty:
        return []
    dates = pd.Series(pd.to_datetime(dates, utc=True)).sort_values().reset_index(drop=True)
    breaks = dates.diff() > max_gap
    windows = []
    for _, chunk in dates.groupby(breaks.cumsum()):
        windows.append(Window(chunk.iloc[0], chunk.iloc[-1] + timeframe))
    return windows


def covering_window(windows: list[Window], start: pd.Timestamp, end: pd.Timestamp) -> Window | None:
    """The window holding all of ``[start, end)``, if any."""
    return next((w for w in windows if w.covers(start, end)), None)
