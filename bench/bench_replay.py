"""Benchmark: requests per second the market replay serves to a client, on the bundled data.

Starts ``ftpack-replay serve`` (its own process, 127.0.0.1, a free port) on 2025-08-19 12:00 UTC
at x60, then for ``--seconds`` each sends the requests a dry-run bot makes (klines of the last
500 5m candles, order book top 5, 24h ticker, book ticker, for the ten bundled spot pairs in
turn) from ``--clients`` concurrent clients: once as raw HTTP GETs (aiohttp, what the server
can do) and once through ccxt's async Binance client (what Freqtrade's client gets, with ccxt's
own parsing; rate limiter off). Prints requests, req/s, median and 95th percentile latency,
and each rate as a multiple of 100 req/s.

    .venv/bin/python bench/bench_replay.py [--seconds 10] [--clients 8]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import ccxt.async_support as ccxt_async

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from ftpack.replay.launch import exchange_layer  # noqa: E402

START, SPEED = "2025-08-19 12:00", 60
PAIRS = ["BTC", "ETH", "SOL", "DOGE", "XRP", "INJ", "OP", "SUI", "TAO", "ZEC"]
TARGET = 100.0


def paths(i: int) -> str:
    """The i-th request of a bot-like mix (raw HTTP)."""
    symbol = f"{PAIRS[i % len(PAIRS)]}USDT"
    return [
        f"/api/v3/klines?symbol={symbol}&interval=5m&limit=500",
        f"/api/v3/depth?symbol={symbol}&limit=5",
        f"/api/v3/ticker/24hr?symbol={symbol}",
        f"/api/v3/ticker/bookTicker?symbol={symbol}",
    ][i % 4]


async def ccxt_call(client: ccxt_async.binance, i: int) -> object:
    """The same mix through ccxt."""
    pair = f"{PAIRS[i % len(PAIRS)]}/USDT"
    kind = i % 4
    if kind == 0:
        return await client.fetch_ohlcv(pair, "5m", limit=500)
    if kind == 1:
        return await client.fetch_l2_order_book(pair, 5)
    if kind == 2:
        return await client.fetch_ticker(pair)
    return await client.fetch_bids_asks([pair])


async def drive(call, clients: int, seconds: float) -> list[float]:
    """Run ``call(i)`` from ``clients`` workers for ``seconds``; the latency of each request."""
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    counter = iter(range(10**9))

    async def worker() -> None:
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            await call(next(counter))
            latencies.append(time.perf_counter() - start)

    await asyncio.gather(*(worker() for _ in range(clients)))
    return latencies


async def bench(url: str, clients: int, seconds: float) -> list[tuple[str, list[float], float]]:
    results = []
    async with aiohttp.ClientSession(url) as session:

        async def raw(i: int) -> None:
            async with session.get(paths(i)) as reply:
                reply.raise_for_status()
                await reply.read()

        start = time.perf_counter()
        lat = await drive(raw, clients, seconds)
        results.append(("raw HTTP (aiohttp)", lat, time.perf_counter() - start))
    config = exchange_layer(url, 1.0)["exchange"]["ccxt_config"]
    client = ccxt_async.binance({**config, "enableRateLimit": False})
    try:
        await client.load_markets()
        start = time.perf_counter()
        lat = await drive(lambda i: ccxt_call(client, i), clients, seconds)
        results.append(("ccxt async binance", lat, time.perf_counter() - start))
    finally:
        await client.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        port_file = Path(tmp) / "port"
        server = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("ftpack-replay")),
                "serve",
                "--start",
                START,
                "--speed",
                str(SPEED),
                "--port",
                "0",
                "--port-file",
                str(port_file),
            ],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
        try:
            while not port_file.exists():
                if server.poll() is not None:
                    raise SystemExit("ftpack-replay serve exited")
                time.sleep(0.1)
            url = f"http://127.0.0.1:{port_file.read_text().strip()}"
            results = asyncio.run(bench(url, args.clients, args.seconds))
        finally:
            server.terminate()
            server.wait(30)
    print(
        f"replay of {START} UTC at x{SPEED}, bundled data; {args.clients} concurrent clients, "
        f"{args.seconds:g} s each; mix: klines (500 x 5m), depth 5, 24h ticker, book ticker"
    )
    print(f"{'client':<22}{'requests':>10}{'req/s':>10}{'p50 ms':>9}{'p95 ms':>9}{'vs 100/s':>10}")
    for name, lat, elapsed in results:
        rate = len(lat) / elapsed
        p95 = statistics.quantiles(lat, n=20)[-1] * 1000
        print(
            f"{name:<22}{len(lat):>10}{rate:>10.0f}{statistics.median(lat) * 1000:>9.1f}"
            f"{p95:>9.1f}{rate / TARGET:>9.1f}x"
        )


if __name__ == "__main__":
    main()
