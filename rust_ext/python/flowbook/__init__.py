"""flowbook: order-book and order-flow features computed in Rust.

Every function validates its input: malformed input raises ``ValueError`` naming the argument;
the NaN results each function documents are not errors. Arrays are taken without a copy when
they already are C-contiguous with the right dtype (float64, int64 ms times, int8 sides).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from flowbook import _native
from flowbook._convert import f64, side_codes, timeframe_ms, times_ms

__all__ = [
    "BookBatch",
    "BookSnapshot",
    "OrderFlow",
    "Profile",
    "VpinBuckets",
    "book_batch",
    "book_snapshot",
    "candle_flow_proxy",
    "flow_surge",
    "ofi_events",
    "ofi_per_candle",
    "order_flow",
    "rolling_volume_profile",
    "timeframe_ms",
    "volume_profile",
    "vpin",
]


@dataclass(frozen=True)
class OrderFlow:
    """Order flow of one candle frame. Per-candle arrays have one entry per candle (NaN where
    the candle had no trades or lies before the last ``max_candles``); ``fp_*`` arrays have one
    entry per footprint bin, ``fp_candle`` naming the candle row; ``stacked_*_candle`` /
    ``stacked_*_price`` list the stacked-imbalance start prices per candle row."""

    bid: np.ndarray
    ask: np.ndarray
    delta: np.ndarray
    min_delta: np.ndarray
    max_delta: np.ndarray
    total_trades: np.ndarray
    cum_delta: np.ndarray
    fp_candle: np.ndarray
    fp_price: np.ndarray
    fp_bid_amount: np.ndarray
    fp_ask_amount: np.ndarray
    fp_bid: np.ndarray
    fp_ask: np.ndarray
    fp_delta: np.ndarray
    fp_total_volume: np.ndarray
    fp_total_trades: np.ndarray
    fp_bid_imbalance: np.ndarray
    fp_ask_imbalance: np.ndarray
    stacked_bid_candle: np.ndarray
    stacked_bid_price: np.ndarray
    stacked_ask_candle: np.ndarray
    stacked_ask_price: np.ndarray


def order_flow(
    timestamps: npt.ArrayLike,
    sides: npt.ArrayLike,
    prices: npt.ArrayLike,
    amounts: npt.ArrayLike,
    candle_dates: npt.ArrayLike,
    timeframe: str | int,
    *,
    scale: float,
    imbalance_ratio: float = 3.0,
    imbalance_volume: float = 0.0,
    stacked_imbalance_range: int = 3,
    max_candles: int = 1500,
    imbalance_basis: str = "count",
) -> OrderFlow:
    """Public trades → per-candle order flow, Freqtrade's ``orderflow`` semantics.

    A trade (time t ms, sorted ascending) belongs to the candle whose date equals
    ⌊t / tf⌋·tf; only the last ``max_candles`` candle rows are filled. Per candle:
    ``ask`` = Σ buy amounts, ``bid`` = Σ sell amounts (Freqtrade's naming: ``bid`` is the
    taker-sell volume), ``delta`` = ask − bid, ``max_delta``/``min_delta`` = max/min over k of
    the running delta Σ_{j≤k} ±amountⱼ in trade order, ``total_trades`` = count,
    ``cum_delta`` = Σ delta over rows so far (rows without trades add 0).

    Footprint: bin = round_half_even(price / scale)·scale (NumPy rounding). Per bin
    ``fp_bid``/``fp_ask`` = sell/buy trade *counts* (Freqtrade's footprint ``bid``/``ask``),
    ``fp_bid_amount``/``fp_ask_amount`` = sell/buy volume, delta, total volume and count.
    Diagonal imbalance of bin i against the next higher bin: bid_imb = bidᵢ / askᵢ₊₁ > ratio,
    ask_imb = askᵢ₊₁ / bidᵢ > ratio, both false when total_volumeᵢ < ``imbalance_volume``;
    ``imbalance_basis="count"`` compares counts (Freqtrade), ``"volume"`` compares volumes.
    Stacked imbalance: the start price of every run of ``stacked_imbalance_range``
    consecutive imbalanced bins. Sums follow NumPy's pairwise and pandas' Kahan order, so the
    values equal Freqtrade's bit for bit.

    ``sides`` are 'buy'/'sell' strings or +1/−1; anything else raises ``ValueError``, as do
    unsorted times, prices ≤ 0, negative amounts, NaN/inf, mismatched lengths, candle dates not
    strictly increasing, ``scale`` ≤ 0 and ``stacked_imbalance_range`` < 1.
    """
    raw = _native.order_flow(
        times_ms(timestamps),
        side_codes(sides),
        f64(prices),
        f64(amounts),
        times_ms(candle_dates, "candle_dates"),
        timeframe_ms(timeframe),
        float(scale),
        float(imbalance_ratio),
        float(imbalance_volume),
        _count("stacked_imbalance_range", stacked_imbalance_range),
        _count("max_candles", max_candles),
        imbalance_basis,
    )
    return OrderFlow(**raw)


class BookSnapshot(NamedTuple):
    """Features of one order-book snapshot."""

    imbalance: float
    micro_price: float
    mid: float
    spread_bps: float
    bid_depth: float
    ask_depth: float


@dataclass(frozen=True)
class BookBatch:
    """Features of N snapshots, one array entry per snapshot."""

    imbalance: np.ndarray
    micro_price: np.ndarray
    mid: np.ndarray
    spread_bps: np.ndarray
    bid_depth: np.ndarray
    ask_depth: np.ndarray


_BOOK_DOC = """

    With mid M = (P^b₁ + P^a₁)/2 and weights wᵢ (level i = 1 is the best):
    imbalance OBI = (Σ wᵢq^b_i − Σ wᵢq^a_i) / (Σ wᵢq^b_i + Σ wᵢq^a_i) over the first
    ``levels`` levels (all when None), wᵢ = 1 (``"uniform"``), e^{−λ(i−1)} (``"level"``) or
    e^{−λ·dᵢ} with dᵢ = |Pᵢ − M|/M·10⁴ bps (``"distance"``), λ = ``decay``;
    micro-price W = (P^a₁q^b₁ + P^b₁q^a₁)/(q^b₁ + q^a₁); spread_bps = (P^a₁ − P^b₁)/M·10⁴;
    bid_depth/ask_depth = Σ q over levels with |P − M|/M·10⁴ ≤ ``depth_bps``.

    Levels are best first: bids strictly falling, asks strictly rising, prices finite > 0,
    sizes finite ≥ 0, else ``ValueError``. A level with NaN price *and* NaN size is padding
    (allowed only after the real levels). NaN results, not errors: crossed book (best bid >
    best ask) → all NaN; one empty side → OBI ±1 (NaN for ``"distance"``), the rest NaN;
    no size at all → OBI NaN; q^b₁ + q^a₁ = 0 → micro-price NaN.
    """


def book_snapshot(
    bid_prices: npt.ArrayLike,
    bid_sizes: npt.ArrayLike,
    ask_prices: npt.ArrayLike,
    ask_sizes: npt.ArrayLike,
    *,
    levels: int | None = None,
    weighting: str = "uniform",
    decay: float = 0.0,
    depth_bps: float = 10.0,
) -> BookSnapshot:
    """Imbalance, micro-price, mid, spread and resting depth of one L2 snapshot."""
    return BookSnapshot(
        *_native.book_snapshot(
            f64(bid_prices),
            f64(bid_sizes),
            f64(ask_prices),
            f64(ask_sizes),
            _levels(levels),
            weighting,
            float(decay),
            float(depth_bps),
        )
    )


def book_batch(
    bid_prices: npt.ArrayLike,
    bid_sizes: npt.ArrayLike,
    ask_prices: npt.ArrayLike,
    ask_sizes: npt.ArrayLike,
    *,
    levels: int | None = None,
    weighting: str = "uniform",
    decay: float = 0.0,
    depth_bps: float = 10.0,
) -> BookBatch:
    """``book_snapshot`` for N snapshots given as (N, L) arrays (bid and ask L may differ);
    the first malformed row raises ``ValueError`` naming the row."""
    arrays = [
        np.ascontiguousarray(a, dtype=np.float64)
        for a in (bid_prices, bid_sizes, ask_prices, ask_sizes)
    ]
    if any(a.ndim != 2 for a in arrays):
        raise ValueError("book_batch takes 2-D (snapshots, levels) arrays")
    bid_p, bid_s, ask_p, ask_s = arrays
    raw = _native.book_batch(
        bid_p, bid_s, ask_p, ask_s, _levels(levels), weighting, float(decay), float(depth_bps)
    )
    return BookBatch(**raw)


book_snapshot.__doc__ = (book_snapshot.__doc__ or "") + _BOOK_DOC
book_batch.__doc__ = (book_batch.__doc__ or "") + _BOOK_DOC


def ofi_events(
    timestamps: npt.ArrayLike,
    bid_prices: npt.ArrayLike,
    bid_sizes: npt.ArrayLike,
    ask_prices: npt.ArrayLike,
    ask_sizes: npt.ArrayLike,
) -> np.ndarray:
    """Order-flow imbalance events of best-level snapshots (Cont, Kukanov & Stoikov 2014):

    eₙ = 1{Pᵇₙ ≥ Pᵇₙ₋₁}qᵇₙ − 1{Pᵇₙ ≤ Pᵇₙ₋₁}qᵇₙ₋₁ − 1{Pᵃₙ ≤ Pᵃₙ₋₁}qᵃₙ + 1{Pᵃₙ ≥ Pᵃₙ₋₁}qᵃₙ₋₁,
    e₀ = NaN. Times must be sorted; prices finite > 0 and sizes finite ≥ 0, else ``ValueError``.
    """
    return _native.ofi_events(
        times_ms(timestamps), f64(bid_prices), f64(bid_sizes), f64(ask_prices), f64(ask_sizes)
    )


def ofi_per_candle(
    timestamps: npt.ArrayLike,
    bid_prices: npt.ArrayLike,
    bid_sizes: npt.ArrayLike,
    ask_prices: npt.ArrayLike,
    ask_sizes: npt.ArrayLike,
    candle_dates: npt.ArrayLike,
    timeframe: str | int,
) -> tuple[np.ndarray, np.ndarray]:
    """(OFI, events) per candle: OFI = Σ eₙ (see ``ofi_events``) over the snapshots n ≥ 1 with
    ⌊tₙ/tf⌋·tf equal to the candle date; NaN (and 0 events) where none fell."""
    return _native.ofi_per_candle(
        times_ms(timestamps),
        f64(bid_prices),
        f64(bid_sizes),
        f64(ask_prices),
        f64(ask_sizes),
        times_ms(candle_dates, "candle_dates"),
        timeframe_ms(timeframe),
    )


def flow_surge(delta: npt.ArrayLike, window: int = 20) -> np.ndarray:
    """Net order-flow surge: surgeₜ = deltaₜ / ((1/w) Σ_{k=1..w} |deltaₜ₋ₖ|), the delta against
    the mean absolute delta of the previous ``window`` candles (surge > 3: buying pressure over
    3× its average). NaN for the first ``window`` rows, when the window or deltaₜ holds NaN, and
    when the mean is 0; ±inf in ``delta`` raises ``ValueError``."""
    return _native.flow_surge(f64(delta), _count("window", window))


def candle_flow_proxy(
    high: npt.ArrayLike, low: npt.ArrayLike, close: npt.ArrayLike, volume: npt.ArrayLike
) -> tuple[np.ndarray, np.ndarray]:
    """Candle-only order-flow proxy for pairs without trades: (CLV, proxy delta) with
    CLV = (close − low)/(high − low) (the bar portion, 0.5 for a flat bar) and
    proxy delta = volume·(2·CLV − 1) (buy volume ≈ volume·CLV). Candles with NaN give NaN;
    high < low, close outside [low, high], inf or negative volume raise ``ValueError``."""
    return _native.candle_flow_proxy(f64(high), f64(low), f64(close), f64(volume))


class Profile(NamedTuple):
    """Point of control and value area of a volume profile."""

    poc: float
    vah: float
    val: float


_PROFILE_DOC = """
    Rows are bins of ``bin_size`` (row price = round_half_even(p / bin)·bin), from the lowest
    to the highest row with volume. POC = row with the most volume (lowest on ties). The value
    area starts at the POC and repeatedly adds whichever pair of the next two rows above or
    below holds more volume (above on ties; one row or none at an edge) until it covers
    ≥ ``value_area`` of the volume; VAH/VAL = highest/lowest included row. NaN when there is no
    volume. NaN points are skipped; inf, prices ≤ 0, negative volume and more than 10⁶ rows
    raise ``ValueError``.
    """


def volume_profile(
    prices: npt.ArrayLike, volumes: npt.ArrayLike, *, bin_size: float, value_area: float = 0.7
) -> Profile:
    """Volume profile of (price, volume) points, e.g. the trades of a window."""
    return Profile(
        *_native.volume_profile(f64(prices), f64(volumes), float(bin_size), float(value_area))
    )


def rolling_volume_profile(
    high: npt.ArrayLike,
    low: npt.ArrayLike,
    close: npt.ArrayLike,
    volume: npt.ArrayLike,
    *,
    window: int,
    bin_size: float,
    value_area: float = 0.7,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(POC, VAH, VAL) arrays: the profile of the trailing ``window`` candles (fewer at the
    start) at every candle, each candle's volume placed at its typical price (H + L + C)/3."""
    return _native.rolling_volume_profile(
        f64(high),
        f64(low),
        f64(close),
        f64(volume),
        _count("window", window),
        float(bin_size),
        float(value_area),
    )


volume_profile.__doc__ = (volume_profile.__doc__ or "") + _PROFILE_DOC
rolling_volume_profile.__doc__ = (rolling_volume_profile.__doc__ or "") + _PROFILE_DOC


@dataclass(frozen=True)
class VpinBuckets:
    """Completed equal-volume buckets: closing trade time (ms), buy and sell volume, VPIN."""

    end_timestamp: np.ndarray
    buy_volume: np.ndarray
    sell_volume: np.ndarray
    vpin: np.ndarray


def vpin(
    timestamps: npt.ArrayLike,
    sides: npt.ArrayLike,
    amounts: npt.ArrayLike,
    *,
    bucket_volume: float,
    window: int = 50,
) -> VpinBuckets:
    """VPIN (Easley, López de Prado & O'Hara 2012) with the trade side taken from the data.

    Trades fill buckets of volume V = ``bucket_volume`` in order, a trade larger than the room
    left being split; the last incomplete bucket is dropped. For bucket τ:
    VPIN_τ = Σ_{k=τ−n+1..τ} |Vᴮ_k − Vˢ_k| / (n·V), n = ``window``, NaN for the first n − 1.
    """
    return VpinBuckets(
        **_native.vpin(
            times_ms(timestamps),
            side_codes(sides),
            f64(amounts),
            float(bucket_volume),
            _count("window", window),
        )
    )


def _count(name: str, value: int) -> int:
    """A positive int parameter (the core rejects 0 with its own message)."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
        raise ValueError(f"{name} must be a non-negative int, got {value!r}")
    return int(value)


def _levels(levels: int | None) -> int | None:
    return None if levels is None else _count("levels", levels)
