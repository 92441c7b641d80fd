"""Live order-book capture replayed from the real L2 recording: per-candle aggregates equal
the NumPy reference on the same samples, restarts lose nothing already written, and the loader
merges the recorded features into a candle frame."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from flowbook_reference import book_reference, ofi_reference

from flowbook import capture
from flowbook.capture import (
    FEATURE_COLUMNS,
    OrderBookRecorder,
    day_file,
    load_orderbook_features,
    merge_orderbook_features,
    pair_dir,
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
    assert not [path for path in tmp_path.rglob("*") if path.is_file()]


@pytest.fixture(scope="module")
def across_midnight(data_dir):
    """The real BTCUSDT perpetual recording of 2024-07-18 23:57 to 2024-07-19 00:05 UTC."""
    frame = pd.read_parquet(data_dir / "orderbook" / "binance_l2_top20.parquet")
    return frame[frame["segment"] == 1].reset_index(drop=True)


def record_all(folder, frame: pd.DataFrame) -> OrderBookRecorder:
    recorder = OrderBookRecorder(folder, "1m", interval_s=0.0)
    for now, book in books(frame):
        recorder.record(PAIR, book, now)
    return recorder


def test_one_append_only_file_per_pair_and_day(across_midnight, tmp_path):
    record_all(tmp_path, across_midnight)
    folder = pair_dir(tmp_path, PAIR, "1m")
    assert sorted(p.name for p in folder.iterdir()) == ["2024-07-18.obrec", "2024-07-19.obrec"]
    loaded = load_orderbook_features(tmp_path, PAIR, "1m")
    assert len(loaded) == 8 and loaded["date"].is_monotonic_increasing
    day = load_orderbook_features(tmp_path, PAIR, "1m", "2024-07-19", "2024-07-19 23:59")
    assert list(day["date"]) == list(loaded["date"][loaded["date"] >= "2024-07-19"])
    # only the requested day is read: a damaged file of another day does not matter ...
    (folder / "2024-07-18.obrec").write_bytes(b"not a flowbook file")
    capture._cache.clear()
    assert load_orderbook_features(tmp_path, PAIR, "1m", "2024-07-19").equals(day)
    with pytest.raises(ValueError, match=r"2024-07-18\.obrec: not a flowbook order-book file"):
        load_orderbook_features(tmp_path, PAIR, "1m")  # ... until it is asked for


def test_the_loader_reads_appended_candles_and_a_torn_record_is_cut(across_midnight, tmp_path):
    half = len(across_midnight) // 2
    recorder = record_all(tmp_path, across_midnight.iloc[:half])
    before = load_orderbook_features(tmp_path, PAIR, "1m")
    path = day_file(pair_dir(tmp_path, PAIR, "1m"), int(before["date"].iloc[-1].value // 10**6))
    with path.open("ab") as fh:  # a crash in the middle of a write
        fh.write(b"\x01" * 17)
    assert load_orderbook_features(tmp_path, PAIR, "1m").equals(before)
    for now, book in books(across_midnight.iloc[half:]):
        recorder.record(PAIR, book, now)
    after = load_orderbook_features(tmp_path, PAIR, "1m")  # cached days plus what was appended
    capture._cache.clear()
    assert after.equals(load_orderbook_features(tmp_path, PAIR, "1m"))
    assert after.iloc[: len(before) - 1].equals(before.iloc[:-1])
    assert len(after) == 8 and (path.stat().st_size - len(capture.HEADER)) % 80 == 0


def test_start_removes_tmp_files_and_moves_one_file_per_candle_parts(segment, tmp_path):
    record_all(tmp_path, segment)
    expected = load_orderbook_features(tmp_path, PAIR, "1m")
    folder = pair_dir(tmp_path, PAIR, "1m")
    for path in folder.iterdir():
        path.unlink()
    for i, row in expected.iterrows():  # the earlier layout: one feather file per candle
        row.to_frame().T.astype(expected.dtypes).reset_index(drop=True).to_feather(
            folder / f"{row['date'].value // 10**6}-1-{i}.feather"
        )
    (folder / ".1723161300000-1-99.tmp").write_bytes(b"interrupted")
    OrderBookRecorder(tmp_path, "1m")
    assert [p.suffix for p in folder.iterdir()] == [".obrec"]
    capture._cache.clear()
    assert load_orderbook_features(tmp_path, PAIR, "1m").equals(expected)
