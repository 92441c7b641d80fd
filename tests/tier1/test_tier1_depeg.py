"""De-peg guard rules on hand-built candles and on the real FDUSD de-peg of 2025-04-02."""

from __future__ import annotations

import pandas as pd

from ftpack.tiers.stablecoin.depeg import DepegLimits, depeg_guard, peg_distance_bps, widening
from ftpack.tiers.stablecoin.fair_value import fair_value, traded_close
from packtest import REPO

DATA = REPO / "user_data" / "data" / "binance"


def test_peg_distance_uses_the_whole_candle_range() -> None:
    frame = pd.DataFrame({"low": [0.9995, 0.99], "high": [1.0002, 1.0001]})
    assert peg_distance_bps(frame).round(6).tolist() == [5.0, 100.0]


def test_widening_needs_consecutive_growth_above_minimum() -> None:
    dev = pd.Series([-5.0, -12.0, -15.0, -20.0, -18.0, -25.0])
    # |d| rose on the 3 candles up to row 3 (5→12→15→20); row 4 shrank, row 5 rose only once.
    assert widening(dev, candles=3, min_bps=10.0).tolist() == [
        False, False, False, True, False, False]


def test_guard_latches_for_cooldown() -> None:
    closes = [1.0, 1.0, 0.99, 1.0, 1.0, 1.0]
    frame = pd.DataFrame({"close": closes, "low": closes, "high": closes})
    fair = pd.DataFrame({"fair_value": [1.0] * 6, "basket_value": [1.0] * 6})
    limits = DepegLimits(peg_limit_bps=50, basket_limit_bps=500, cooldown_candles=3)
    assert depeg_guard(frame, fair, limits).tolist() == [False, False, True, True, True, False]


def real_guard(pairs: list[str], limits: DepegLimits) -> pd.DataFrame:
    frames = {p: pd.read_feather(DATA / f"{p.replace('/', '_')}-5m.feather") for p in pairs}
    fdusd = frames["FDUSD/USDT"].set_index("date")
    closes = pd.DataFrame({p: traded_close(f.set_index("date")) for p, f in frames.items()})
    fair = fair_value(closes, "FDUSD/USDT", window=288, stale_limit=12).reindex(fdusd.index)
    guard = depeg_guard(fdusd.reset_index(), fair.reset_index(), limits)
    return fdusd.assign(guard=guard.to_numpy())


def test_guard_fires_on_the_real_fdusd_depeg_and_stays_on() -> None:
    frame = real_guard(["FDUSD/USDT", "USDC/USDT", "TUSD/USDT"], DepegLimits())
    guard = frame["guard"]
    assert not guard.loc["2025-03-29":"2025-04-02 15:20"].any()  # calm days before the break
    # From the first broken candle (low 0.9916) on, while FDUSD stays > 50 bp off $1.
    assert guard.loc["2025-04-02 15:25":"2025-04-04 00:00"].all()
