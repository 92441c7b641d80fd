"""Type stubs of the Rust extension; use the documented wrappers in ``flowbook``."""

import numpy as np
import numpy.typing as npt

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
I8 = npt.NDArray[np.int8]

def order_flow(
    timestamps: I64,
    sides: I8,
    prices: F64,
    amounts: F64,
    candle_dates: I64,
    timeframe_ms: int,
    scale: float,
    imbalance_ratio: float,
    imbalance_volume: float,
    stacked_imbalance_range: int,
    max_candles: int,
    imbalance_basis: str,
) -> dict[str, np.ndarray]: ...
def book_snapshot(
    bid_prices: F64,
    bid_sizes: F64,
    ask_prices: F64,
    ask_sizes: F64,
    levels: int | None,
    weighting: str,
    decay: float,
    depth_bps: float,
) -> tuple[float, float, float, float, float, float]: ...
def book_batch(
    bid_prices: F64,
    bid_sizes: F64,
    ask_prices: F64,
    ask_sizes: F64,
    levels: int | None,
    weighting: str,
    decay: float,
    depth_bps: float,
) -> dict[str, F64]: ...
def ofi_events(
    timestamps: I64, bid_prices: F64, bid_sizes: F64, ask_prices: F64, ask_sizes: F64
) -> F64: ...
def ofi_per_candle(
    timestamps: I64,
    bid_prices: F64,
    bid_sizes: F64,
    ask_prices: F64,
    ask_sizes: F64,
    candle_dates: I64,
    timeframe_ms: int,
) -> tuple[F64, F64]: ...
def flow_surge(delta: F64, window: int) -> F64: ...
def candle_flow_proxy(high: F64, low: F64, close: F64, volume: F64) -> tuple[F64, F64]: ...
def volume_profile(
    prices: F64, volumes: F64, bin_size: float, value_area: float
) -> tuple[float, float, float]: ...
def rolling_volume_profile(
    high: F64,
    low: F64,
    close: F64,
    volume: F64,
    window: int,
    bin_size: float,
    value_area: float,
) -> tuple[F64, F64, F64]: ...
def vpin(
    timestamps: I64, sides: I8, amounts: F64, bucket_volume: float, window: int
) -> dict[str, np.ndarray]: ...
def times_from_unsigned(name: str, values: npt.NDArray[np.uint64]) -> I64: ...
