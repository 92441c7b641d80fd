"""Candle data checks: the candles a strategy never enters on, and warnings that name them.

A candle (one row of an OHLCV frame) never gives an entry signal when it has

* ``nan``: open, high, low or close missing or not finite;
* ``duplicate``: the date of an earlier row;
* ``unsorted``: a date earlier than a row before it;
* ``gap``: a date more than one timeframe after the latest earlier date (candles are missing);
* ``zero_volume``: no volume (no trade, or a missing candle Freqtrade filled with the last close).

Freqtrade cleans candles before a strategy sees them (duplicates merged, rows sorted, gaps and NaN
prices filled with the previous close), so before a backtest the raw data files of the whitelist
are checked too (:func:`scan_data_files`, read with the data handler's raw loader) and the dates
found there are refused as well. Each check logs one warning per pair and problem with the count
and the first and last time; zero-volume candles are reported in runs of at least
``ZERO_VOLUME_RUN`` (a single quiet candle is common on stablecoin pairs), but every zero-volume
candle is refused. Only the candle itself and earlier ones are read, as live trading can.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd
from freqtrade.configuration import TimeRange
from freqtrade.data.history import get_datahandler
from freqtrade.enums import CandleType
from freqtrade.exchange import timeframe_to_seconds

logger = logging.getLogger(__name__)

PROBLEMS = {
    "nan": "NaN or infinite open/high/low/close",
    "duplicate": "the timestamp of an earlier candle (duplicate)",
    "unsorted": "a timestamp earlier than a candle before (unsorted)",
    "gap": "missing candles before them (gap)",
    "zero_volume": "zero volume",
}
ZERO_VOLUME_RUN = 3
ENTRY_COLUMNS = ("enter_long", "enter_short")


def candle_problems(frame: pd.DataFrame, timeframe: str) -> pd.DataFrame:
    """One boolean column per problem (``PROBLEMS``), aligned with ``frame``'s rows."""
    dates = pd.to_datetime(frame["date"], utc=True)
    step = dates - dates.cummax().shift()  # from the latest date seen so far
    prices = frame[["open", "high", "low", "close"]].to_numpy(dtype=float, na_value=np.nan)
    volume = frame["volume"].to_numpy(dtype=float, na_value=np.nan)
    return pd.DataFrame(
        {
            "nan": ~np.isfinite(prices).all(axis=1) | np.isnan(volume),
            "duplicate": dates.duplicated().to_numpy(),
            "unsorted": (step < pd.Timedelta(0)).to_numpy(),
            "gap": (step > pd.Timedelta(seconds=timeframe_to_seconds(timeframe))).to_numpy(),
            "zero_volume": volume == 0,
        },
        index=frame.index,
    )


def _reported_zero_volume(zero: pd.Series) -> pd.Series:
    """Zero-volume candles inside runs of at least ZERO_VOLUME_RUN consecutive ones."""
    run_id = (zero != zero.shift()).cumsum()
    run_length = zero.groupby(run_id).transform("size")
    return zero & (run_length >= ZERO_VOLUME_RUN)


def problem_warnings(
    problems: pd.DataFrame, dates: pd.Series, label: str, after: dict[str, pd.Timestamp]
) -> list[str]:
    """One line per problem found at a date later than ``after[problem]`` (updated in place)."""
    dates = pd.to_datetime(dates, utc=True)
    lines = []
    for name, text in PROBLEMS.items():
        flagged = problems[name]
        if name == "zero_volume":
            flagged = _reported_zero_volume(flagged)
        last_warned = after.get(name)
        if last_warned is not None:
            flagged = flagged & (dates > last_warned)
        hits = dates[flagged.to_numpy()]
        if hits.empty:
            continue
        after[name] = hits.max()
        lines.append(
            f"data check: {label}: {len(hits)} candle(s) with {text}, first "
            f"{hits.min():%Y-%m-%d %H:%M}, last {hits.max():%Y-%m-%d %H:%M} UTC; no entry on them."
        )
    return lines


def scan_data_files(config: dict[str, Any], pairs: list[str], timeframe: str) -> dict[str, set]:
    """Check the raw candle files of ``pairs`` (before Freqtrade cleans them); log every problem
    and return the refused dates per pair."""
    handler = get_datahandler(config["datadir"], config.get("dataformat_ohlcv", "feather"))
    candle_type = CandleType(config.get("candle_type_def", CandleType.SPOT))
    timerange = TimeRange.parse_timerange(config.get("timerange"))
    refused: dict[str, set] = {}
    for pair in pairs:
        raw = handler._ohlcv_load(pair, timeframe, timerange=timerange, candle_type=candle_type)
        if raw.empty:
            continue
        problems = candle_problems(raw, timeframe)
        for line in problem_warnings(problems, raw["date"], f"{pair} {timeframe} file", {}):
            logger.warning(line)
        bad = problems.any(axis=1).to_numpy()
        refused[pair] = set(pd.to_datetime(raw["date"][bad], utc=True))
    return refused


def refuse_bad_candles(
    dataframe: pd.DataFrame,
    pair: str,
    timeframe: str,
    refused_dates: set,
    warned: dict[str, pd.Timestamp],
) -> pd.DataFrame:
    """Clear the entry signals of every candle with a problem or a date in ``refused_dates``;
    warn about problems newer than those already in ``warned``."""
    problems = candle_problems(dataframe, timeframe)
    for line in problem_warnings(problems, dataframe["date"], f"{pair} {timeframe}", warned):
        logger.warning(line)
    bad = problems.any(axis=1)
    if refused_dates:
        bad |= pd.to_datetime(dataframe["date"], utc=True).isin(refused_dates).to_numpy()
    if bad.any():
        for column in ENTRY_COLUMNS:
            if column in dataframe.columns:
                dataframe.loc[bad, column] = 0
    return dataframe
