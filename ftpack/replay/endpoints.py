"""Binance's public REST endpoints (spot ``/api/v3``, USDT-M ``/fapi/v1``) over the replay.

Only what ccxt calls for a dry-run Freqtrade bot and for ``download-data``: ping, server time,
exchange info, klines, mark-price klines, depth, 24h / book / price tickers, premium index
(mark price and funding), funding-rate history and aggregate trades. Answers follow Binance's
JSON (numbers as strings where Binance sends strings) so ccxt parses them unchanged. Every
other path answers 404 with a Binance-style error and is counted (a dry-run bot must never
send an order or call a private endpoint).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import numpy as np
from aiohttp import web
from freqtrade.enums import CandleType, TradingMode
from freqtrade.exchange import timeframe_to_msecs

from ftpack.replay.exchange import COINM, DAY_MS, SPOT, USDM, Market, ReplayExchange
from ftpack.replay.market_data import Candle
from ftpack.replay.orderbook import Book

Handler = Callable[[web.Request, ReplayExchange, str], Awaitable[web.Response]]
INTERVALS = ("1m", "3m", "5m", "15m", "30m", "1h", "2h", "4h", "6h", "8h", "12h", "1d")
PREFIXES = {"/api/v3/": SPOT, "/fapi/v1/": USDM, "/dapi/v1/": COINM}


class BinanceError(web.HTTPException):
    """A Binance-style error answer: HTTP status and ``{"code", "msg"}``."""

    def __init__(self, status: int, code: int, msg: str) -> None:
        self.status_code = status
        super().__init__(
            text=json.dumps({"code": code, "msg": msg}), content_type="application/json"
        )


def num(x: float) -> str:
    """A price or amount as Binance writes it: a plain decimal string (no exponent)."""
    text = repr(float(x))
    return np.format_float_positional(float(x), trim="-") if "e" in text else text


def _json(payload: Any) -> web.Response:
    return web.json_response(payload, dumps=lambda obj: json.dumps(obj, separators=(",", ":")))


def _int(request: web.Request, key: str) -> int | None:
    value = request.query.get(key)
    if value is None or value == "":
        return None
    try:
        return int(value)
    except ValueError as err:
        raise BinanceError(400, -1100, f"Illegal characters found in parameter '{key}'.") from err


def _limit(request: web.Request, default: int, maximum: int) -> int:
    """The ``limit`` parameter (``default`` when absent), within 1..``maximum``."""
    value = _int(request, "limit")
    return max(1, min(default if value is None else value, maximum))


def _market(request: web.Request, replay: ReplayExchange, kind: str) -> Market:
    symbol = request.query.get("symbol")
    if not symbol:
        raise BinanceError(400, -1102, "Mandatory parameter 'symbol' was not sent.")
    market = replay.market(kind, symbol)
    if market is None:
        raise BinanceError(400, -1121, "Invalid symbol.")
    return market


def _markets(request: web.Request, replay: ReplayExchange, kind: str) -> list[Market] | None:
    """The markets of ``symbol`` / ``symbols``; None when neither is given (= all)."""
    if "symbol" in request.query:
        return [_market(request, replay, kind)]
    if "symbols" in request.query:
        try:
            symbols = json.loads(request.query["symbols"])
        except ValueError as err:
            raise BinanceError(
                400, -1100, "Illegal characters found in parameter 'symbols'."
            ) from err
        found = [replay.market(kind, s) for s in symbols]
        known = [m for m in found if m is not None]
        if len(known) < len(found):
            raise BinanceError(400, -1121, "Invalid symbol.")
        return known
    return None


async def ping(request: web.Request, replay: ReplayExchange, kind: str) -> web.Response:
    return _json({})


async def server_time(request: web.Request, replay: ReplayExchange, kind: str) -> web.Response:
    return _json({"serverTime": replay.clock.now_ms()})


async def exchange_info(request: web.Request, replay: ReplayExchange, kind: str) -> web.Response:
    payload: dict[str, Any] = {
        "timezone": "UTC",
        "serverTime": replay.clock.now_ms(),
        "rateLimits": [
            {
                "rateLimitType": "REQUEST_WEIGHT",
                "interval": "MINUTE",
                "intervalNum": 1,
                "limit": 6000,
            },
        ],
        "exchangeFilters": [],
        "symbols": [m.spec["info"] for m in replay.listed(kind)],
    }
    if kind == USDM:
        payload["futuresType"] = "U_MARGINED"
        payload["assets"] = []
    return _json(payload)


def _kline_rows(rows: list[Candle], interval_ms: int) -> list[list[Any]]:
    return [
        [t, num(o), num(h), num(low), num(c), num(v), t + interval_ms - 1, num(q), 0, "0", "0", "0"]
        for t, o, h, low, c, v, q in rows
    ]


async def _klines(
    request: web.Request, replay: ReplayExchange, kind: str, candle_type: CandleType, endpoint: str
) -> web.Response:
    market = _market(request, replay, kind)
    interval = request.query.get("interval", "")
    if interval not in INTERVALS:
        raise BinanceError(400, -1120, "Invalid interval.")
    interval_ms = timeframe_to_msecs(interval)
    limit = _limit(request, 500, 1000 if kind == SPOT else 1500)
    rows = replay.candles(
        market,
        candle_type,
        interval_ms,
        endpoint,
        start_ms=_int(request, "startTime"),
        end_ms=_int(request, "endTime"),
        limit=limit,
    )
    return _json(_kline_rows(rows, interval_ms))


async def klines(request: web.Request, replay: ReplayExchange, kind: str) -> web.Response:
    ctype = CandleType.SPOT if kind == SPOT else CandleType.FUTURES
    return await _klines(request, replay, kind, ctype, "klines")


async def mark_price_klines(
    request: web.Request, replay: ReplayExchange, kind: str
) -> web.Response:
    return await _klines(request, replay, kind, CandleType.MARK, "markPriceKlines")


def _levels(levels: list[tuple[float, float]]) -> list[list[str]]:
    return [[num(p), num(q)] for p, q in levels]


def _book_or_error(replay: ReplayExchange, market: Market, depth: int, endpoint: str) -> Book:
    book = replay.book(market, depth, endpoint)
    if book is None:
        raise BinanceError(400, -1121, f"No data for {market.id} at this replay time.")
    return book


async def depth(request: web.Request, replay: ReplayExchange, kind: str) -> web.Response:
    market = _market(request, replay, kind)
    limit = _limit(request, 100, 100)
    book = _book_or_error(replay, market, limit, "depth")
    now = replay.clock.now_ms()
    payload: dict[str, Any] = {
        "lastUpdateId": now,
        "bids": _levels(book.bids),
        "asks": _levels(book.asks),
    }
    if kind == USDM:
        payload.update({"E": now, "T": now})
    return _json(payload)


def _book_ticker(replay: ReplayExchange, market: Market, kind: str) -> dict[str, Any] | None:
    book = replay.book(market, 1, "ticker/bookTicker")
    if book is None:
        return None
    bid = book.bids[0] if book.bids else (0.0, 0.0)
    ask = book.asks[0] if book.asks else (0.0, 0.0)
    ticker: dict[str, Any] = {
        "symbol": market.id,
        "bidPrice": num(bid[0]),
        "bidQty": num(bid[1]),
        "askPrice": num(ask[0]),
        "askQty": num(ask[1]),
    }
    if kind == USDM:
        ticker["time"] = replay.clock.now_ms()
    return ticker


def _ticker_24h(replay: ReplayExchange, market: Market, kind: str) -> dict[str, Any] | None:
    price = replay.price(market)
    day = replay.day(market)
    if price is None or day is None:
        return None
    now = replay.clock.now_ms()
    _, open_, high, low, _, volume, quote = day
    ticker = {
        "symbol": market.id,
        "priceChange": num(price - open_),
        "priceChangePercent": num(round(100 * (price / open_ - 1), 3) if open_ else 0.0),
        "weightedAvgPrice": num(quote / volume if volume else price),
        "lastPrice": num(price),
        "lastQty": "0",
        "openPrice": num(open_),
        "highPrice": num(max(high, price)),
        "lowPrice": num(min(low, price)),
        "volume": num(volume),
        "quoteVolume": num(quote),
        "openTime": now - DAY_MS,
        "closeTime": now,
        "firstId": 0,
        "lastId": 0,
        "count": 0,
    }
    if kind == SPOT:
        ticker["prevClosePrice"] = num(open_)
        book = _book_ticker(replay, market, kind) or {}
        ticker.update({k: book.get(k, "0") for k in ("bidPrice", "bidQty", "askPrice", "askQty")})
    return ticker


def _per_market(build: Callable[[ReplayExchange, Market, str], dict[str, Any] | None]) -> Handler:
    async def handler(request: web.Request, replay: ReplayExchange, kind: str) -> web.Response:
        chosen = _markets(request, replay, kind)
        if chosen is not None and "symbol" in request.query:
            answer = build(replay, chosen[0], kind)
            if answer is None:
                raise BinanceError(400, -1121, f"No data for {chosen[0].id} at this replay time.")
            return _json(answer)
        answers = [build(replay, m, kind) for m in (chosen or replay.listed(kind))]
        return _json([a for a in answers if a is not None])

    return handler


def _price_ticker(replay: ReplayExchange, market: Market, kind: str) -> dict[str, Any] | None:
    price = replay.price(market)
    if price is None:
        return None
    return {"symbol": market.id, "price": num(price), "time": replay.clock.now_ms()}


def _premium_index(replay: ReplayExchange, market: Market, kind: str) -> dict[str, Any] | None:
    price = replay.price(market)
    if price is None:
        return None
    return {
        "symbol": market.id,
        "markPrice": num(price),
        "indexPrice": num(price),
        "estimatedSettlePrice": num(price),
        "lastFundingRate": num(replay.last_funding_rate(market)),
        "interestRate": "0.0001",
        "nextFundingTime": replay.next_funding_ms(),
        "time": replay.clock.now_ms(),
    }


async def funding_rate(request: web.Request, replay: ReplayExchange, kind: str) -> web.Response:
    market = _market(request, replay, kind)
    limit = _limit(request, 100, 1000)
    rows = replay.funding_history(
        market, _int(request, "startTime"), _int(request, "endTime"), limit
    )
    return _json(
        [
            {"symbol": market.id, "fundingTime": t, "fundingRate": num(rate), "markPrice": ""}
            for t, rate in rows
        ]
    )


async def agg_trades(request: web.Request, replay: ReplayExchange, kind: str) -> web.Response:
    market = _market(request, replay, kind)
    mode = TradingMode.SPOT if kind == SPOT else TradingMode.FUTURES
    trades = replay.data.trades(market.pair, mode)
    limit = _limit(request, 500, 1000)
    if trades is None:
        return _json([])
    now = replay.clock.now_ms()
    upto = int(np.searchsorted(trades.time, now, side="right"))
    from_id, start, end = (
        _int(request, "fromId"),
        _int(request, "startTime"),
        _int(request, "endTime"),
    )
    if from_id is not None:
        ids = trades.id[:upto].astype(np.int64)
        lo = int(np.searchsorted(ids, from_id, side="left"))
        index = range(lo, min(upto, lo + limit))
    elif start is not None or end is not None:
        lo = int(np.searchsorted(trades.time, start or 0, side="left"))
        hi = min(upto, int(np.searchsorted(trades.time, end, side="right")) if end else upto)
        index = range(lo, min(hi, lo + limit))
    else:
        index = range(max(0, upto - limit), upto)
    answer = []
    for i in index:
        trade_id = int(trades.id[i])
        row = {
            "a": trade_id,
            "p": num(trades.price[i]),
            "q": num(trades.amount[i]),
            "f": trade_id,
            "l": trade_id,
            "T": int(trades.time[i]),
            "m": bool(trades.sell[i]),
        }
        if kind == SPOT:
            row["M"] = True
        answer.append(row)
    return _json(answer)


ROUTES: dict[str, Handler] = {
    "ping": ping,
    "time": server_time,
    "exchangeInfo": exchange_info,
    "klines": klines,
    "markPriceKlines": mark_price_klines,
    "depth": depth,
    "ticker/24hr": _per_market(_ticker_24h),
    "ticker/bookTicker": _per_market(_book_ticker),
    "ticker/price": _per_market(_price_ticker),
    "premiumIndex": _per_market(_premium_index),
    "fundingRate": funding_rate,
    "aggTrades": agg_trades,
}
# Endpoints that exist on USDT-M only; COIN-M (no data) answers only the market listing.
USDM_ONLY = frozenset({"markPriceKlines", "premiumIndex", "fundingRate"})
COINM_ENDPOINTS = frozenset({"ping", "time", "exchangeInfo"})


def route(path: str) -> tuple[str, str] | None:
    """(market kind, endpoint) of a served GET path, or None."""
    for prefix, kind in PREFIXES.items():
        if path.startswith(prefix):
            endpoint = path[len(prefix) :]
            if endpoint not in ROUTES:
                return None
            if (kind == SPOT and endpoint in USDM_ONLY) or (
                kind == COINM and endpoint not in COINM_ENDPOINTS
            ):
                return None
            return kind, endpoint
    return None
