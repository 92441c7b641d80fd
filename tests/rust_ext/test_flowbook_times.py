"""Times in the wrong unit or beyond int64 raise a clear ValueError instead of all-NaN features or
wrapped-around times (the check lives in the Rust core, ``core::times``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from flowbook_testdata import candle_frame, load_trades

import flowbook
from flowbook._convert import times_ms


def real_trades(data_dir: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    trades = load_trades("binance/BTC_USDT-trades.feather").iloc[:5000]
    return (
        trades["timestamp"].to_numpy(),
        trades["side"].to_numpy(),
        trades["price"].to_numpy(),
        trades["amount"].to_numpy(),
    )


def test_trades_in_seconds_against_candles_in_ms_are_refused(data_dir: Path) -> None:
    stamps, sides, prices, amounts = real_trades(data_dir)
    dates = candle_frame(load_trades("binance/BTC_USDT-trades.feather").iloc[:5000], 60_000)
    ok = flowbook.order_flow(stamps, sides, prices, amounts, dates["date"], "1m", scale=5.0)
    assert np.isfinite(ok.delta).any()
    with pytest.raises(ValueError, match=r"^time units differ: timestamps look like seconds"):
        flowbook.order_flow(stamps // 1000, sides, prices, amounts, dates["date"], "1m", scale=5.0)
    with pytest.raises(ValueError, match="timestamps look like microseconds"):
        flowbook.order_flow(stamps * 1000, sides, prices, amounts, dates["date"], "1m", scale=5.0)
    book = np.full(len(stamps), 1.0)
    with pytest.raises(ValueError, match="candle_dates like milliseconds"):
        flowbook.ofi_per_candle(
            stamps // 1000, prices, book, prices + 1, book, dates["date"], "1m"
        )


def test_unsigned_times_above_int64_are_refused_not_wrapped(data_dir: Path) -> None:
    stamps = real_trades(data_dir)[0].astype(np.uint64)
    assert (times_ms(stamps) == stamps.astype(np.int64)).all()
    stamps[7] = np.uint64(2**63 + 5)  # was wrapped to -9223372036854775803
    with pytest.raises(ValueError, match=r"^timestamps\[7\] = 9223372036854775813 is out of"):
        times_ms(stamps)
    with pytest.raises(ValueError, match=r"^candle_dates\[0\] = 18446744073709551615"):
        flowbook.ofi_per_candle(
            [0, 1], [1.0, 1.0], [1.0, 1.0], [2.0, 2.0], [1.0, 1.0], np.array([2**64 - 1], "u8"), 60
        )


def test_datetimes_beyond_the_nanosecond_range_and_nat() -> None:
    far = np.array(["2300-01-01T00:00:00.001"], dtype="datetime64[ms]")
    assert times_ms(far)[0] == 10_413_792_000_001  # the old ns round trip wrapped this one
    with pytest.raises(ValueError, match="NaT"):
        times_ms(np.array(["2025-06-01", "NaT"], dtype="datetime64[ms]"))
