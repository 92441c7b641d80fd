"""StablecoinSpread signals on hand-built basket candles: fees gate entries, guard exits."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from ftpack.tiers import holding
from packtest import REPO, StubDataProvider, load_strategy_class

PAIRS = ["AAA/USDT", "BBB/USDT", "CCC/USDT"]
N = 700  # > startup (576) so the 288-candle medians are full


def candles(close: np.ndarray, volume: np.ndarray | None = None) -> pd.DataFrame:
    dates = pd.date_range("2025-01-01", periods=len(close), freq="5min", tz="UTC")
    vol = np.ones(len(close)) if volume is None else volume
    return pd.DataFrame(
        {"date": dates, "open": close, "high": close, "low": close, "close": close, "volume": vol}
    )


def strategy(frames: dict[str, pd.DataFrame], fee: float, pairs: list[str] = PAIRS):
    config = {
        "exchange": {"pair_whitelist": pairs},
        "stablecoin": {"basket": pairs, "fees": dict.fromkeys(pairs, fee)},
        "candle_type_def": "spot",
        "dry_run_wallet": 1000,
    }
    strat = load_strategy_class("StablecoinSpread")(config)
    strat.dp = StubDataProvider(frames)
    strat.bot_start()
    return strat


def analyze(frames: dict[str, pd.DataFrame], fee: float, pair: str = "AAA/USDT") -> pd.DataFrame:
    strat = strategy(frames, fee)
    df = strat.populate_indicators(frames[pair].copy(), {"pair": pair})
    df = strat.populate_entry_trend(df, {"pair": pair})
    return strat.populate_exit_trend(df, {"pair": pair})


def dipping_basket(dip_bps: float) -> dict[str, pd.DataFrame]:
    """AAA dips ``dip_bps`` below $1 on every 10th candle; BBB and CCC sit at $1."""
    aaa = np.ones(N)
    aaa[::10] = 1 - dip_bps / 1e4
    return {
        "AAA/USDT": candles(aaa),
        "BBB/USDT": candles(np.ones(N)),
        "CCC/USDT": candles(np.ones(N)),
    }


def test_no_entry_when_deviations_never_exceed_fees() -> None:
    frames = dipping_basket(15.0)  # 15 bp dips < 2 × 10 bp fee + buffer
    df = analyze(frames, fee=0.001)
    assert df["deviation_bps"].min() == pytest.approx(-15.0)
    assert df["enter_long"].fillna(0).sum() == 0
    # Same series without fees: the dips after warm-up are entries (the rule can fire).
    free = analyze(frames, fee=0.0)
    assert free["enter_long"].fillna(0).sum() > 20
    assert free.loc[free["enter_long"] == 1, "deviation_bps"].to_numpy() == pytest.approx(-15.0)


def test_zero_volume_candle_never_signals() -> None:
    frames = dipping_basket(15.0)
    zero = frames["AAA/USDT"]["volume"].to_numpy().copy()
    zero[::10] = 0.0  # the dips did not trade: their close is the stale last price
    frames["AAA/USDT"] = frames["AAA/USDT"].assign(volume=zero)
    assert analyze(frames, fee=0.0)["enter_long"].fillna(0).sum() == 0


def test_depeg_blocks_entries_and_exits() -> None:
    aaa = np.ones(N)
    aaa[::10] = 0.9985
    aaa[650:] = 0.99  # leaves the peg by 100 bp
    frames = dipping_basket(15.0) | {"AAA/USDT": candles(aaa)}
    df = analyze(frames, fee=0.0)
    assert df["enter_long"].iloc[600:650].sum() > 0  # the dips before the break are bought
    assert df["enter_long"].iloc[650:].fillna(0).sum() == 0
    assert (df["exit_tag"].iloc[650:] == "depeg_guard").all()


def test_missing_basket_nan_and_empty_frames_do_not_crash() -> None:
    frames = dipping_basket(15.0)
    alone = {"AAA/USDT": frames["AAA/USDT"]}  # BBB and CCC have no data at all
    df = analyze(alone, fee=0.0)
    assert df["basket_value"].isna().all() and df["fair_value"].notna().iloc[300:].all()
    holes = frames["AAA/USDT"].copy()
    holes.loc[100:200, ["open", "high", "low", "close"]] = np.nan
    df = analyze(frames | {"AAA/USDT": holes}, fee=0.0)
    assert df["enter_long"].iloc[100:201].fillna(0).sum() == 0
    empty = {p: f.iloc[:0] for p, f in frames.items()}
    assert analyze(empty, fee=0.0).empty


def real_frames(pairs: list[str], start: str, end: str) -> dict[str, pd.DataFrame]:
    """Bundled real 5m candles of ``pairs`` with ``start <= date < end`` (UTC)."""
    data = REPO / "user_data" / "data" / "binance"
    frames = {}
    for pair in pairs:
        frame = pd.read_feather(data / f"{pair.replace('/', '_')}-5m.feather")
        keep = (frame["date"] >= pd.Timestamp(start, tz="UTC")) & (
            frame["date"] < pd.Timestamp(end, tz="UTC")
        )
        frames[pair] = frame[keep].reset_index(drop=True)
    return frames


def test_real_fdusd_depeg_signals_are_blocked_by_the_guard() -> None:
    pairs = ["USDC/USDT", "FDUSD/USDT", "TUSD/USDT", "USDP/USDT"]
    frames = real_frames(pairs, "2025-03-28", "2025-04-06")
    strat = strategy(frames, fee=0.0, pairs=pairs)
    df = strat.populate_indicators(frames["FDUSD/USDT"].copy(), {"pair": "FDUSD/USDT"})
    df = strat.populate_entry_trend(df, {"pair": "FDUSD/USDT"}).set_index("date")
    off_peg = df.loc["2025-04-02 15:25":"2025-04-03 23:55"]
    below_fair = off_peg["deviation_bps"] < -strat.entry_threshold_bps("FDUSD/USDT")
    assert below_fair.sum() > 50  # without the guard these candles would all be entries
    assert off_peg["depeg_guard"].all() and off_peg["enter_long"].sum() == 0


def test_timeout_roi_is_the_shared_hold_limit() -> None:
    strat = strategy(dipping_basket(30.0), fee=0.0)
    # Freqtrade's StrategyResolver turns the ROI table's minute keys into ints on load.
    strat.minimal_roi = {int(minutes): roi for minutes, roi in strat.minimal_roi.items()}
    opened = pd.Timestamp("2025-01-01 00:00", tz="UTC").to_pydatetime()
    trade = SimpleNamespace(pair="AAA/USDT")
    for minutes in (0, 5, 610, 614, 615, 620, 2000):
        now = opened + timedelta(minutes=minutes)
        _, roi = strat.min_roi_reached_entry(trade, minutes, now)
        timed_out = holding.timed_out(opened, now, 615)
        assert (roi == -1.0) is timed_out, minutes
    assert strat.max_hold_minutes == 615
