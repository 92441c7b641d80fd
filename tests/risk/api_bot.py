"""Subprocess helper for test_risk_emergency: a real dry-run bot with its REST API, offline.

``python api_bot.py <config layer> …`` runs ``freqtrade trade`` (RiskProbe) with markets from the
bundled snapshot. The only other network calls of a dry-run spot bot (ticker, order book,
candles) are answered from the bundled real 5m data: ticker and a deep one-level book at the
pair's last close, and no new candles. Test-only; never used by the pack.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path
from typing import Any

from freqtrade.data.history import load_pair_history
from freqtrade.enums import CandleType
from freqtrade.exchange import Exchange
from freqtrade.main import main as freqtrade_main

from ftpack.offline import install

DATA = Path(__file__).resolve().parents[2] / "user_data" / "data" / "binance"


@cache
def last_close(pair: str) -> float:
    frame = load_pair_history(
        pair=pair, timeframe="5m", datadir=DATA, candle_type=CandleType.SPOT, data_format="feather"
    )
    return float(frame["close"].iloc[-1])


def fetch_ticker(self: Exchange, pair: str) -> dict[str, Any]:
    price = last_close(pair)
    return {"symbol": pair, "bid": price, "ask": price, "last": price, "close": price}


def fetch_l2_order_book(self: Exchange, pair: str, limit: int = 100) -> dict[str, Any]:
    price = last_close(pair)
    return {"symbol": pair, "bids": [[price, 1e9]], "asks": [[price, 1e9]]}


def refresh_latest_ohlcv(self: Exchange, pair_list: Any, *args: Any, **kwargs: Any) -> dict:
    return {}


if __name__ == "__main__":
    install()
    Exchange.fetch_ticker = fetch_ticker
    Exchange.fetch_l2_order_book = fetch_l2_order_book
    Exchange.refresh_latest_ohlcv = refresh_latest_ohlcv
    freqtrade_main(sys.argv[1:])
