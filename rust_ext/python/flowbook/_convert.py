"""Input coercion shared by the public API: NumPy dtypes, sides, times and timeframes."""

from __future__ import annotations

import re

import numpy as np
import numpy.typing as npt
import pandas as pd

from flowbook._native import times_from_unsigned

_TIMEFRAME = re.compile(r"^(\d+)([smhd])$")
_UNIT_MS = {"s": 1_000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}


def f64(values: npt.ArrayLike) -> np.ndarray:
    """Values as a C-contiguous float64 array (no copy when already one)."""
    return np.ascontiguousarray(values, dtype=np.float64)


def timeframe_ms(timeframe: str | int) -> int:
    """Candle length in ms from a Freqtrade timeframe ('1m', '5m', '1h', '1d') or an int in ms.

    Only fixed-length timeframes (s, m, h, d) exist here; Freqtrade's own order-flow step
    floors trade times with a fixed frequency too.
    """
    if isinstance(timeframe, int | np.integer) and not isinstance(timeframe, bool):
        return int(timeframe)
    match = _TIMEFRAME.match(str(timeframe))
    if match is None:
        raise ValueError(
            f"unsupported timeframe {timeframe!r}: use <n>s, <n>m, <n>h or <n>d (or an int in ms)"
        )
    return int(match.group(1)) * _UNIT_MS[match.group(2)]


def times_ms(
    values: npt.ArrayLike | pd.Series | pd.DatetimeIndex, name: str = "timestamps"
) -> np.ndarray:
    """Times as int64 ms since the epoch, from int ms or datetime64 (tz-aware or naive) values.

    Datetimes must be whole milliseconds: a finer time can never equal a candle date built from
    millisecond trade times, so it is refused instead of being silently truncated. NaT and
    unsigned times above the int64 range (checked in the Rust core) are refused too.
    """
    if isinstance(values, pd.Series | pd.Index) and isinstance(values.dtype, pd.DatetimeTZDtype):
        values = (
            values.dt.tz_convert(None) if isinstance(values, pd.Series) else values.tz_convert(None)
        )
    arr = np.asarray(values)
    if np.issubdtype(arr.dtype, np.datetime64):
        if np.isnat(arr).any():
            raise ValueError(f"{name} holds NaT (a missing time)")
        ms = arr.astype("datetime64[ms]")
        if np.any(ms != arr):
            raise ValueError(f"{name}: datetimes must be whole milliseconds")
        return np.ascontiguousarray(ms.astype(np.int64))
    if arr.dtype.kind == "u":
        return times_from_unsigned(name, np.ascontiguousarray(arr, dtype=np.uint64))
    if arr.dtype.kind not in "iu" and arr.size:
        raise ValueError(f"{name} must be int64 ms or datetime64, got dtype {arr.dtype}")
    return np.ascontiguousarray(arr, dtype=np.int64)


def side_codes(sides: npt.ArrayLike | pd.Series) -> np.ndarray:
    """Trade sides as int8 codes: +1 for 'buy' (or 1), -1 for 'sell' (or -1), 0 otherwise.

    The core rejects code 0 with the index of the offending trade.
    """
    if isinstance(sides, pd.Series):
        if sides.dtype.kind in "iuf":
            return side_codes(sides.to_numpy())
        buy = sides.eq("buy").to_numpy(dtype=bool, na_value=False)
        sell = sides.eq("sell").to_numpy(dtype=bool, na_value=False)
    else:
        arr = np.asarray(sides)
        buy, sell = (
            (arr == 1, arr == -1) if arr.dtype.kind in "iuf" else (arr == "buy", arr == "sell")
        )
    return np.ascontiguousarray(buy.astype(np.int8) - sell.astype(np.int8))
