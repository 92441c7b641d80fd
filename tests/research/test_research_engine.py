"""The research event study's fill and exit rules (research/common.py) on hand-built candles."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from research import common as C

NO_COST = C.Costs("none", 0.0, 0.0, 0.0)
FEES = C.Costs("fees", 0.0002, 0.0005, 0.0)


def frame(rows, start="2025-05-01 00:00"):
    o, h, lo, c = (list(x) for x in zip(*rows, strict=True))
    return pd.DataFrame(
        {
            "date": pd.date_range(start, periods=len(rows), freq="5min", tz="UTC"),
            "open": o,
            "high": h,
            "low": lo,
            "close": c,
            "volume": 1.0,
        }
    )


def test_market_entry_next_open_then_target_is_a_maker_fill():
    df = frame([(100, 100, 100, 100), (100, 101, 99.5, 100.5), (100.5, 102.5, 100, 102)])
    out = C.outcomes(df, np.array([0]), C.Exits(0.01, 0.02, 10), FEES, 5)
    row = out.iloc[0]
    assert (row["fill"], row["last"], row["reason"]) == (1, 2, "target")
    assert row["ret"] == pytest.approx(102 * (1 - 0.0002) / (100 * (1 + 0.0005)) - 1)


def test_stop_and_target_in_one_candle_count_as_the_stop():
    df = frame([(100, 100, 100, 100), (100, 103, 98, 100)])
    out = C.outcomes(df, np.array([0]), C.Exits(0.01, 0.02, 10), NO_COST, 5)
    assert out.iloc[0]["reason"] == "stop"
    assert out.iloc[0]["ret"] == pytest.approx(-0.01)


def test_stop_gapped_through_fills_at_the_open():
    df = frame([(100, 100, 100, 100), (100, 100.5, 99.5, 100), (97, 97.5, 96, 97)])
    out = C.outcomes(df, np.array([0]), C.Exits(0.01, 0.02, 10), NO_COST, 5)
    assert out.iloc[0]["reason"] == "stop"
    assert out.iloc[0]["ret"] == pytest.approx(-0.03)


def test_resting_limit_needs_price_to_trade_through_it():
    # limit at 99 (1 % below the signal close); a low of exactly 99 does not fill it
    touch = frame([(100, 100, 100, 100), (100, 100, 99, 99.5), (99.5, 100, 99.2, 99.8)])
    ex = C.Exits(0.01, 0.02, 10, entry="limit", limit_offset=0.01, limit_bars=2)
    assert C.outcomes(touch, np.array([0]), ex, NO_COST, 5).empty
    through = frame([(100, 100, 100, 100), (100, 100, 98.9, 99.5), (99.5, 101.5, 99.2, 101)])
    row = C.outcomes(through, np.array([0]), ex, FEES, 5).iloc[0]
    assert (row["fill"], row["reason"], bool(row["maker_in"])) == (1, "target", True)
    assert row["ret"] == pytest.approx(99 * 1.02 * (1 - 0.0002) / (99 * 1.0002) - 1)


def test_cutoff_forces_the_exit_at_the_close_before_it():
    # candles 23:15, 23:20, 23:25 (closes at the 23:30 cut-off), 23:30
    df = frame(
        [
            (100, 100, 100, 100),
            (100, 100.5, 99.5, 100),
            (100, 100.5, 99.5, 100.4),
            (100.4, 105, 100, 105),
        ],
        start="2025-05-01 23:15",
    )
    out = C.outcomes(
        df, np.array([0]), C.Exits(0.01, 0.02, 10, cutoff_minute=23 * 60 + 30), NO_COST, 5
    )
    row = out.iloc[0]
    assert (row["last"], row["reason"]) == (2, "time")
    assert row["ret"] == pytest.approx(0.004)


def test_short_mirror_and_reprice():
    df = frame([(100, 100, 100, 100), (100, 100.5, 99, 99.5), (99.5, 99.6, 97.9, 98)])
    ex = C.Exits(0.01, 0.02, 10, short=True)
    row = C.outcomes(df, np.array([0]), ex, FEES, 5).iloc[0]
    assert row["reason"] == "target"
    expected = (100 * (1 - 0.0005) - 98 * (1 + 0.0002)) / (100 * (1 - 0.0005))
    assert row["ret"] == pytest.approx(expected)
    repriced = C.reprice(pd.DataFrame([row]), FEES, short=True)
    assert repriced["ret"].iloc[0] == pytest.approx(expected)


def test_one_position_per_pair_and_account_limit():
    out = pd.DataFrame({"sig": [0, 2, 5], "last": [3, 4, 6]})
    assert C.one_at_a_time(out)["sig"].tolist() == [0, 5]
    t = pd.to_datetime(["2025-01-01 00:00", "2025-01-01 00:05", "2025-01-01 00:10"], utc=True)
    trades = pd.DataFrame(
        {
            "pair": ["a", "b", "c"],
            "entry_time": t,
            "exit_time": t + pd.Timedelta(hours=1),
            "ret": [0.1, 0.2, 0.3],
        }
    )
    assert C.portfolio(trades, 2)["pair"].tolist() == ["a", "b"]


def test_metrics_daily_and_drawdown():
    t = pd.to_datetime(["2025-01-01 10:00", "2025-01-02 10:00", "2025-01-02 12:00"], utc=True)
    trades = pd.DataFrame({"entry_time": t, "exit_time": t, "ret": [0.05, -0.05, -0.05]})
    m = C.metrics(trades, 0.2, "2025-01-01", "2025-01-04")
    assert m["trades"] == 3 and m["days"] == 3
    assert m["worst_day_pct"] == pytest.approx(-2.0)
    assert m["max_dd_pct"] == pytest.approx(2.0)
    assert m["pf"] == pytest.approx(0.5)
