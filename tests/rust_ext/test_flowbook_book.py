"""Order-book features and OFI on the real Binance L2 and bookTicker recordings against the
NumPy references, plus the documented NaN and error behaviour on hand-made books."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from flowbook_reference import book_reference, ofi_reference

import flowbook

FIELDS = ["imbalance", "micro_price", "mid", "spread_bps", "bid_depth", "ask_depth"]


@pytest.fixture(scope="module")
def l2(data_dir):
    frame = pd.read_parquet(data_dir / "orderbook" / "binance_l2_top20.parquet")
    side = {
        name: np.ascontiguousarray(frame[[f"{name}_{i}" for i in range(1, 21)]].to_numpy())
        for name in ("bid_price", "bid_size", "ask_price", "ask_size")
    }
    return side


@pytest.fixture(scope="module")
def ticker(data_dir):
    return pd.read_parquet(data_dir / "orderbook" / "binance_book_ticker.parquet")


@pytest.mark.parametrize(
    ("levels", "weighting", "decay", "depth_bps"),
    [(None, "uniform", 0.0, 10.0), (5, "level", 0.3, 2.0), (10, "distance", 0.05, 25.0)],
)
def test_batch_matches_numpy_reference_on_real_l2(l2, levels, weighting, decay, depth_bps):
    s = l2
    args = (s["bid_price"], s["bid_size"], s["ask_price"], s["ask_size"])
    ours = flowbook.book_batch(
        *args, levels=levels, weighting=weighting, decay=decay, depth_bps=depth_bps
    )
    ref = book_reference(
        *args, levels=levels, weighting=weighting, decay=decay, depth_bps=depth_bps
    )
    for field in FIELDS:
        np.testing.assert_allclose(
            getattr(ours, field), ref[field], rtol=1e-12, atol=1e-9, err_msg=field
        )
    assert len(ours.imbalance) == 144_045
    assert np.all(
        (ours.micro_price >= s["bid_price"][:, 0]) & (ours.micro_price <= s["ask_price"][:, 0])
    )


def test_single_snapshot_equals_batch_row(l2):
    s = l2
    batch = flowbook.book_batch(
        s["bid_price"], s["bid_size"], s["ask_price"], s["ask_size"], levels=5
    )
    for row in (0, 5_000, 77_777, 144_044):
        one = flowbook.book_snapshot(
            s["bid_price"][row],
            s["bid_size"][row],
            s["ask_price"][row],
            s["ask_size"][row],
            levels=5,
        )
        assert one == tuple(getattr(batch, f)[row] for f in FIELDS)


def test_non_contiguous_arrays_reach_the_native_layer_and_match(l2):
    s = l2
    keys = ("bid_price", "bid_size", "ask_price", "ask_size")
    fortran = [np.asfortranarray(s[k][:1000]) for k in keys]
    contiguous = [s[k][:1000] for k in keys]
    a = flowbook._native.book_batch(*fortran, None, "uniform", 0.0, 10.0)
    b = flowbook._native.book_batch(*contiguous, None, "uniform", 0.0, 10.0)
    for field in FIELDS:
        np.testing.assert_array_equal(a[field], b[field])
    strided = flowbook._native.flow_surge(np.arange(20.0)[::2], 2)
    np.testing.assert_array_equal(strided, flowbook.flow_surge(np.arange(20.0)[::2], 2))


def test_book_edge_cases_are_documented_nans():
    crossed = flowbook.book_snapshot([101.0], [1.0], [100.0], [1.0])
    assert all(np.isnan(x) for x in crossed)
    one_sided = flowbook.book_snapshot([], [], [100.0, 101.0], [1.0, 2.0])
    assert one_sided.imbalance == -1.0 and np.isnan(one_sided.micro_price)
    empty = flowbook.book_snapshot([], [], [], [])
    assert np.isnan(empty.imbalance)
    no_size = flowbook.book_snapshot([99.0], [0.0], [100.0], [0.0])
    assert np.isnan(no_size.imbalance) and np.isnan(no_size.micro_price) and no_size.mid == 99.5
    padded = flowbook.book_batch([[99.0, np.nan]], [[2.0, np.nan]], [[100.0, 101.0]], [[1.0, 1.0]])
    assert padded.imbalance[0] == 0.0


@pytest.mark.parametrize(
    ("book", "message"),
    [
        (([99.0, 99.5], [1.0, 1.0], [100.0], [1.0]), "strictly falling"),
        (([99.0], [-1.0], [100.0], [1.0]), "must be finite and >= 0"),
        (([99.0], [np.inf], [100.0], [1.0]), "must be finite and >= 0"),
        (([0.0], [1.0], [100.0], [1.0]), "must be finite and > 0"),
        (([99.0], [1.0, 2.0], [100.0], [1.0]), "levels but sizes have"),
        (([np.nan, 98.0], [np.nan, 1.0], [100.0], [1.0]), "padding"),
    ],
)
def test_malformed_books_raise(book, message):
    with pytest.raises(ValueError, match=message):
        flowbook.book_snapshot(*book)


def test_batch_errors_name_the_row_and_bad_arguments():
    bp = np.array([[99.0], [99.0]])
    with pytest.raises(ValueError, match="snapshot 1"):
        flowbook.book_batch(bp, np.array([[1.0], [-1.0]]), bp + 1, np.ones((2, 1)))
    with pytest.raises(ValueError, match="shape mismatch"):
        flowbook.book_batch(bp, np.ones((3, 1)), bp + 1, np.ones((2, 1)))
    with pytest.raises(ValueError, match="weighting"):
        flowbook.book_snapshot([99.0], [1.0], [100.0], [1.0], weighting="linear")
    with pytest.raises(ValueError, match="decay"):
        flowbook.book_snapshot([99.0], [1.0], [100.0], [1.0], weighting="level", decay=-1.0)
    with pytest.raises(ValueError, match="2-D"):
        flowbook.book_batch([99.0], [1.0], [100.0], [1.0])


def test_ofi_events_match_reference_on_real_book_ticker(ticker):
    for _, seg in ticker.groupby("segment"):
        cols = [seg[c].to_numpy() for c in ("bid_price", "bid_size", "ask_price", "ask_size")]
        ours = flowbook.ofi_events(seg["timestamp"].to_numpy(), *cols)
        np.testing.assert_array_equal(ours, ofi_reference(*cols))


def test_ofi_per_candle_matches_grouped_reference(ticker):
    seg = ticker[ticker["segment"] == 2]
    stamps = seg["timestamp"].to_numpy()
    cols = [seg[c].to_numpy() for c in ("bid_price", "bid_size", "ask_price", "ask_size")]
    starts = stamps - stamps % 60_000
    dates = np.arange(starts[0] - 60_000, starts[-1] + 120_000, 60_000)
    ofi, count = flowbook.ofi_per_candle(stamps, *cols, dates, "1m")
    events = pd.Series(ofi_reference(*cols)[1:], index=starts[1:])
    ref = events.groupby(level=0).sum().reindex(dates)
    np.testing.assert_allclose(ofi, ref.to_numpy(), rtol=1e-9, atol=1e-6)
    assert count.sum() == len(stamps) - 1
    assert np.isnan(ofi[0]) and np.isnan(ofi[-1]) and count[0] == 0


def test_ofi_rejects_unsorted_or_mismatched_input():
    with pytest.raises(ValueError, match="sorted"):
        flowbook.ofi_events([2, 1], [1.0, 1.0], [1.0, 1.0], [2.0, 2.0], [1.0, 1.0])
    with pytest.raises(ValueError, match="length mismatch"):
        flowbook.ofi_events([1], [1.0, 1.0], [1.0], [2.0], [1.0])
