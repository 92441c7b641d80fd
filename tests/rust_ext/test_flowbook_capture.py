"""Live order-book capture replayed from the real L2 recording: per-candle aggregates equal
the NumPy reference on the same samples, restarts lose nothing already written, and the loader
merges the recorded features into a candle frame."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from flowbook_reference import book_reference, ofi_reference

from flowbook.capture import (
    FEATURE_COLUMNS,
    OrderBookRecorder,
    load_orderbook_features,
    merge_orderbook_features,
)
from packtest import StubDataProvider

PAIR = "BTC/USDT:USDT"


@pytest.fixture(scope="module")
def segment(data_dir):
    frame = pd.read_parquet(data_dir / "orderbook" / "binance_l2_top20.parquet")
    return frame[frame["segment"] == 2].reset_index(drop=True)


def books(frame: pd.DataFrame, depth: int = 20):
    for row in frame.itertuples(index=False):
        d = row._asdict()
        bids = [[d[f"bid_price_{i}"], d[f"bid_size_{i}"]] for i in range(1, depth + 1)]
        asks = [[d[f"ask_price_{i}"], d[f"ask_size_{i}"]] for i in range(1, depth + 1)]
        yield row.timestamp / 1000, {"bids": bids, "asks": asks}


class Replay:
    """The recorded books one after the other; ``now`` is the time of the last one served."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self._books = books(frame)
        self.now = 0.0

    def next_book(self, pair: str) -> dict:
        self.now, book = next(self._books)
        return book


def reference(frame: pd.DataFrame) -> pd.DataFrame:
    arrays = [
        np.ascontiguousarray(frame[[f"{n}_{i}" for i in range(1, 21)]].to_numpy())
        for n in ("bid_price", "bid_size", "ask_price", "ask_size")
    ]
    f = book_reference(*arrays)
    e = ofi_reference(*(a[:, 0] for a in arrays))
    e[0] = 0.0
    stamps = frame["timestamp"].to_numpy()
    grouped = pd.DataFrame(
        {
            "start": stamps - stamps % 60_000,
            "ob_imbalance": f["imbalance"],
            "ob_spread_bps": f["spread_bps"],
            "ob_bid_depth": f["bid_depth"],
            "ob_ofi": e,
            "ob_micro_price": f["micro_price"],
        }
    ).groupby("start")
    out = grouped[["ob_imbalance", "ob_spread_bps", "ob_bid_depth"]].mean()
    out["ob_ofi"] = grouped["ob_ofi"].sum()
    out["ob_micro_price"] = grouped["ob_micro_price"].last()
    out["ob_samples"] = grouped.size()
    return out


def test_replayed_capture_equals_reference(segment, tmp_path):
    recorder = OrderBookRecorder(tmp_path, "1m", interval_s=0.0)
    for now, book in books(segment):
        recorder.record(PAIR, book, now)
    loaded = load_orderbook_features(tmp_path, PAIR, "1m")
    ref = reference(segment)
    finished = ref.iloc[:-1]  # the last candle is still open, so not yet written
    assert list(loaded.columns) == ["date", *FEATURE_COLUMNS]
    assert (
        loaded["date"].astype("datetime64[ms, UTC]").astype("int64").tolist()
        == finished.index.tolist()
    )
    for column in finished.columns:
        np.testing.assert_allclose(loaded[column], finished[column], rtol=1e-9, err_msg=column)


def test_sampling_rate_restart_and_merge(segment, tmp_path):
    half = len(segment) // 2
    replay = Replay(segment)
    dp = StubDataProvider(books=replay.next_book)
    first = OrderBookRecorder(tmp_path, "1m", interval_s=1.0, depth=10)
    for _ in range(half):
        first.sample(dp, [PAIR], now_s=replay.now)
    # the bot dies here without any shutdown hook; a new recorder carries on
    second = OrderBookRecorder(tmp_path, "1m", interval_s=1.0, depth=10)
    for _ in range(half, len(segment) - 1):
        second.sample(dp, [PAIR], now_s=replay.now)
    loaded = load_orderbook_features(tmp_path, PAIR, "1m")
    assert loaded["date"].is_unique and loaded["date"].is_monotonic_increasing
    span_s = (segment["timestamp"].iloc[-1] - segment["timestamp"].iloc[0]) / 1000
    assert loaded["ob_samples"].sum() <= span_s + len(loaded)
    assert (loaded["ob_samples"] >= 1).all()
    candles = pd.DataFrame(
        {"date": pd.date_range(loaded["date"].iloc[0], periods=len(loaded) + 2, freq="1min")}
    )
    merged = merge_orderbook_features(candles, tmp_path, PAIR, "1m")
    assert len(merged) == len(candles)
    assert merged["ob_imbalance"].notna().sum() == len(loaded)
    assert merged["ob_imbalance"].iloc[-2:].isna().all()


def test_unrecorded_pair_loads_empty_and_bad_books_raise(tmp_path):
    assert load_orderbook_features(tmp_path, "ETH/USDT", "5m").empty
    recorder = OrderBookRecorder(tmp_path, "5m")
    recorder.record(PAIR, {"bids": [], "asks": [[100.0, 1.0]]}, 0.0)
    recorder.record(PAIR, {"bids": [[101.0, 1.0]], "asks": [[100.0, 1.0]]}, 1.0)
    with pytest.raises(ValueError, match="must be finite and >= 0"):
        recorder.record(PAIR, {"bids": [[99.0, -1.0]], "asks": [[100.0, 1.0]]}, 2.0)
    assert not any(tmp_path.rglob("*.feather"))
