"""Cycle returns on hand-built books, computed by hand: both directions, depth walk, fees.

Cycle USDT → BTC → ETH → USDT over BTC/USDT, ETH/BTC, ETH/USDT, 1000 USDT, fees 0.1 % per leg.

Books (price, size):
  BTC/USDT  asks (50000, 0.01), (50100, 1)       bids (49900, 0.01), (49800, 1)
  ETH/BTC   asks (0.05, 0.1), (0.0501, 10)        bids (0.0499, 0.1), (0.0498, 10)
  ETH/USDT  asks (2510, 0.1), (2520, 10)          bids (2500, 0.1), (2490, 10)

Forward (buy BTC, buy ETH with BTC, sell ETH):
  1000 USDT: 0.01 BTC for 500, then 500/50100 = 0.00998004 BTC → 0.01998004 BTC, ×0.999
  = 0.01996006 BTC; 0.1 ETH for 0.005 BTC, then 0.01496006/0.0501 = 0.29860399 ETH
  → 0.39860399 ETH, ×0.999 = 0.39820539 ETH; 0.1·2500 + 0.29820539·2490 = 992.531 USDT,
  ×0.999 = 991.539 USDT → −0.846 %.
Reverse (buy ETH, sell ETH for BTC, sell BTC):
  1000 USDT: 0.1 ETH for 251, then 749/2520 = 0.29722222 ETH → 0.39722222, ×0.999
  = 0.39682500 ETH; 0.1·0.0499 + 0.296825·0.0498 = 0.01977189 BTC, ×0.999 = 0.01975212 BTC;
  0.01·49900 + 0.00975212·49800 = 984.656 USDT, ×0.999 = 983.671 USDT → −1.633 %.
"""

from __future__ import annotations

import numpy as np
import pytest

from ftpack.tiers.stablecoin.triangular import Book, buy_base, cycle_legs, quote_cycle, sell_base

PAIRS = ("BTC/USDT", "ETH/BTC", "ETH/USDT")
FEES = dict.fromkeys(PAIRS, 0.001)


def book(bids: list[tuple[float, float]], asks: list[tuple[float, float]]) -> Book:
    b, a = np.array(bids), np.array(asks)
    return Book(b[:, 0], b[:, 1], a[:, 0], a[:, 1])


BOOKS = {
    "BTC/USDT": book([(49900, 0.01), (49800, 1)], [(50000, 0.01), (50100, 1)]),
    "ETH/BTC": book([(0.0499, 0.1), (0.0498, 10)], [(0.05, 0.1), (0.0501, 10)]),
    "ETH/USDT": book([(2500, 0.1), (2490, 10)], [(2510, 0.1), (2520, 10)]),
}


def forward_by_hand(size: float) -> float:
    btc = (0.01 + (size - 500) / 50100) * 0.999
    eth = (0.1 + (btc - 0.005) / 0.0501) * 0.999
    usdt = (0.1 * 2500 + (eth - 0.1) * 2490) * 0.999
    return usdt / size - 1


def reverse_by_hand(size: float) -> float:
    eth = (0.1 + (size - 251) / 2520) * 0.999
    btc = (0.1 * 0.0499 + (eth - 0.1) * 0.0498) * 0.999
    usdt = (0.01 * 49900 + (btc - 0.01) * 49800) * 0.999
    return usdt / size - 1


def test_legs_follow_the_assets() -> None:
    legs = cycle_legs(PAIRS, "USDT")
    assert [(leg.side, leg.source, leg.target) for leg in legs] == [
        ("buy", "USDT", "BTC"), ("buy", "BTC", "ETH"), ("sell", "ETH", "USDT")]
    with pytest.raises(ValueError, match="does not trade"):
        cycle_legs(("ETH/USDT", "BTC/USDT", "ETH/BTC"), "BTC")
    with pytest.raises(ValueError, match="ends in"):
        cycle_legs(("BTC/USDT", "ETH/BTC"), "USDT")


def test_both_directions_walk_depth_and_pay_each_fee() -> None:
    quote = quote_cycle(BOOKS, PAIRS, "USDT", 1000.0, FEES)
    assert quote.forward[0] == pytest.approx(forward_by_hand(1000.0), rel=1e-12)
    assert quote.reverse[0] == pytest.approx(reverse_by_hand(1000.0), rel=1e-12)
    assert quote.forward[0] == pytest.approx(-0.008461, abs=1e-6)
    assert quote.reverse[0] == pytest.approx(-0.016329, abs=1e-6)


def test_fees_and_depth_each_cost_return() -> None:
    no_fee = quote_cycle(BOOKS, PAIRS, "USDT", 100.0, dict.fromkeys(PAIRS, 0.0))
    with_fee = quote_cycle(BOOKS, PAIRS, "USDT", 100.0, FEES)
    # 100 USDT stays on the first level of every book: 100/50000/0.05·2500 = 100 → 0 % …
    assert no_fee.forward[0] == pytest.approx(0.0, abs=1e-12)
    # … and on one level each fee scales the leg: 0.999³ − 1.
    assert with_fee.forward[0] == pytest.approx(0.999**3 - 1, rel=1e-12)
    # 1000 USDT walks into the second levels: worse than the top-of-book price alone.
    deep = quote_cycle(BOOKS, PAIRS, "USDT", 1000.0, dict.fromkeys(PAIRS, 0.0))
    assert deep.forward[0] < no_fee.forward[0] - 0.005


def test_too_thin_book_gives_nan_and_walk_is_vectorised() -> None:
    assert np.isnan(buy_base(BOOKS["BTC/USDT"], 60_000.0)[0])  # asks hold 50601 USDT
    assert np.isnan(sell_base(BOOKS["BTC/USDT"], 2.0)[0])
    two_rows = Book(*(np.vstack([a, a]) for a in (
        BOOKS["ETH/USDT"].bid_price, BOOKS["ETH/USDT"].bid_size,
        BOOKS["ETH/USDT"].ask_price, BOOKS["ETH/USDT"].ask_size)))
    got = buy_base(two_rows, np.array([251.0, 251.0 + 2520.0]))
    assert got == pytest.approx([0.1, 1.1])
