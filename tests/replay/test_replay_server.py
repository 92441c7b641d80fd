"""The replay server, in process, answering ccxt's own Binance client (what Freqtrade uses)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import ccxt
import pandas as pd
import pytest
import requests
from replay_helpers import InProcessReplay

from ftpack.offline import BUNDLED_SNAPSHOT, load_snapshot
from ftpack.replay.clock import ReplayClock
from ftpack.replay.exchange import ReplayExchange
from ftpack.replay.faults import FaultPlan
from ftpack.replay.market_data import MarketData
from ftpack.replay.orderbook import RecordedBooks
from packtest import REPO, SHARED_DATA

pytestmark = pytest.mark.slow

DATA = REPO / "user_data" / "data" / "binance"
START = datetime(2025, 6, 10, 12, 2, 30, tzinfo=UTC)
FAULTS = {
    "faults": [
        {
            "kind": "http_429",
            "endpoint": "klines",
            "pair": "ETH/USDT",
            "from": "2025-06-10",
            "until": "2025-06-11",
            "retry_after": 7,
        },
        {
            "kind": "http_5xx",
            "endpoint": "depth",
            "pair": "ETH/USDT",
            "from": "2025-06-10",
            "until": "2025-06-11",
            "status": 502,
        },
        {
            "kind": "timeout",
            "endpoint": "ticker/24hr",
            "pair": "ETH/USDT",
            "from": "2025-06-10",
            "until": "2025-06-11",
            "delay": 3,
        },
    ]
}


@pytest.fixture(scope="module")
def replay() -> Iterator[InProcessReplay]:
    exchange = ReplayExchange(
        ReplayClock.starting_now(START, 1.0),
        MarketData([DATA]),
        load_snapshot(BUNDLED_SNAPSHOT),
        faults=FaultPlan.from_dict(FAULTS),
    )
    served = InProcessReplay(exchange)
    yield served
    served.close()


def test_markets_are_the_snapshot(replay: InProcessReplay) -> None:
    markets = replay.ccxt().load_markets()
    snapshot = load_snapshot(BUNDLED_SNAPSHOT)
    assert {"SUI/USDT", "USDC/USDT", "BTC/USDT:USDT", "ETH/USDT:USDT"} <= set(markets)
    for symbol, market in markets.items():
        assert market == snapshot[symbol], symbol


def test_klines_book_tickers_and_funding(replay: InProcessReplay) -> None:
    client = replay.ccxt()
    candles = client.fetch_ohlcv("BTC/USDT:USDT", "5m", limit=3)
    assert [c[0] for c in candles] == [
        int(pd.Timestamp("2025-06-10 11:50", tz="UTC").timestamp() * 1000) + i * 300_000
        for i in range(3)
    ]
    file = pd.read_feather(DATA / "futures" / "BTC_USDT_USDT-5m-futures.feather").set_index("date")
    closed = file.loc[pd.Timestamp(candles[0][0], unit="ms", tz="UTC")]
    assert candles[0][1:] == [closed.open, closed.high, closed.low, closed.close, closed.volume]
    book = client.fetch_l2_order_book("SUI/USDT", 5)
    ticker = client.fetch_ticker("SUI/USDT")
    assert book["asks"][0][0] - book["bids"][0][0] == pytest.approx(0.0001)
    assert ticker["bid"] == ticker["last"] and ticker["ask"] == pytest.approx(
        ticker["bid"] + 0.0001
    )
    assert ticker["bid"] == pytest.approx(book["bids"][0][0], abs=0.002)  # the clock moved on
    tickers = client.fetch_tickers()
    assert {"SUI/USDT", "BTC/USDT"} <= set(tickers)
    assert "USDC/USDT" not in tickers  # its recorded data ends on 2025-04-19
    assert client.fetch_bids_asks(["BTC/USDT:USDT"])["BTC/USDT:USDT"]["ask"] > 0
    rate = client.fetch_funding_rate("BTC/USDT:USDT")
    history = client.fetch_funding_rate_history(
        "BTC/USDT:USDT", since=int(START.timestamp() * 1000) - 86_400_000
    )
    assert [h["timestamp"] for h in history][-1] == int(
        pd.Timestamp("2025-06-10 08:00", tz="UTC").timestamp() * 1000
    )
    assert rate["fundingRate"] == history[-1]["fundingRate"]
    mark = client.fetch_ohlcv("BTC/USDT:USDT", "1h", limit=2, params={"price": "mark"})
    assert mark[-1][0] == int(pd.Timestamp("2025-06-10 12:00", tz="UTC").timestamp() * 1000)
    assert client.fetch_time() == pytest.approx(int(START.timestamp() * 1000), abs=120_000)


def test_injected_http_faults_reach_ccxt_as_binance_errors(replay: InProcessReplay) -> None:
    client = replay.ccxt(timeout_s=1.0)
    with pytest.raises(ccxt.DDoSProtection):  # what Freqtrade retries with a back-off
        client.fetch_ohlcv("ETH/USDT", "5m", limit=2)
    with pytest.raises(ccxt.ExchangeNotAvailable):
        client.fetch_l2_order_book("ETH/USDT", 5)
    with pytest.raises(ccxt.RequestTimeout):
        client.fetch_ticker("ETH/USDT")
    reply = requests.get(f"{replay.url}/api/v3/klines?symbol=ETHUSDT&interval=5m", timeout=10)
    assert reply.status_code == 429 and reply.headers["Retry-After"] == "7"
    assert client.fetch_ohlcv("SUI/USDT", "5m", limit=2)  # other pairs are untouched
    hits = {f["kind"]: f["hits"] for f in replay.server.status()["faults"]}
    assert hits["http_429"] >= 2 and hits["http_5xx"] >= 1 and hits["timeout"] >= 1


def test_unserved_paths_are_refused_and_counted(replay: InProcessReplay) -> None:
    client = replay.ccxt()
    client.apiKey, client.secret = "k", "s"
    with pytest.raises(ccxt.BaseError):
        client.create_order("SUI/USDT", "limit", "buy", 10, 3.0)
    unserved = replay.server.status()["unserved"]  # the private call reached the replay only
    assert unserved and all(k.split()[1].startswith(("/api/", "/sapi/")) for k in unserved)
    replay.server.unserved.clear()


@pytest.mark.skipif(not (SHARED_DATA / "orderbook").is_dir(), reason="needs ../shared/data")
def test_recorded_books_and_trades_are_served_where_the_data_has_them() -> None:
    when = datetime(2024, 8, 8, 23, 58, tzinfo=UTC)
    exchange = ReplayExchange(
        ReplayClock.starting_now(when, 1.0),
        MarketData([SHARED_DATA / "binance"]),
        load_snapshot(BUNDLED_SNAPSHOT),
        RecordedBooks(SHARED_DATA / "orderbook"),
    )
    served = InProcessReplay(exchange)
    try:
        client = served.ccxt()
        before = exchange.clock.now_ms()
        book = client.fetch_l2_order_book("BTC/USDT", 20)
        after = exchange.clock.now_ms()
        recorded = pd.read_parquet(SHARED_DATA / "orderbook" / "binance_l2_top20.parquet")
        rows = recorded[
            (recorded.market == "spot")
            & (recorded.symbol == "BTCUSDT")
            & recorded.timestamp.between(before - 5_000, after)
        ]
        assert book["bids"][0][0] in set(rows["bid_price_1"])
        assert len(book["bids"]) == 20 and book["asks"][0][0] > book["bids"][0][0]
        trades = client.fetch_trades("BTC/USDT", limit=50)
        assert len(trades) == 50 and all(t["timestamp"] <= exchange.clock.now_ms() for t in trades)
        assert {t["side"] for t in trades} <= {"buy", "sell"}
    finally:
        served.close()
