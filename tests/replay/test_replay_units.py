"""Replay building blocks on hand-made numbers and on the bundled real data (no processes)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest
from freqtrade.configuration.load_config import load_file
from freqtrade.enums import CandleType
from hypothesis import given
from hypothesis import strategies as st

from ftpack.replay.clock import ReplayClock
from ftpack.replay.faults import FaultConfigError, FaultPlan
from ftpack.replay.launch import API_PATHS, exchange_layer
from ftpack.replay.market_data import MarketData
from ftpack.replay.orderbook import derived_book, round_to_tick
from ftpack.replay.path import partial_candle, path_price
from ftpack.replay.tiers import TIERS, ReplayInputError, check_coverage
from packtest import CONFIG_DIR, REPO

DATA = REPO / "user_data" / "data" / "binance"
T0 = datetime(2025, 8, 19, 12, 0, tzinfo=UTC)
MS = int(T0.timestamp() * 1000)


@pytest.fixture(scope="module")
def data() -> MarketData:
    return MarketData([DATA])


def recorded(pair: str, timeframe: str = "5m") -> pd.DataFrame:
    return pd.read_feather(DATA / f"{pair.replace('/', '_')}-{timeframe}.feather")


# --- clock --------------------------------------------------------------------------------
def test_clock_maps_wall_time_at_speed() -> None:
    clock = ReplayClock(MS, 60.0, 1000.0)
    assert clock.now_ms(1000.0) == MS
    assert clock.now_ms(1010.0) == MS + 600_000  # 10 s of wall time = 10 min at x60
    assert clock.faketime_spec(1010.0) == "@2025-08-19 12:10:00 x60"
    assert ReplayClock(MS, 1.0, 0.0).faketime_spec(0.0) == "@2025-08-19 12:00:00"
    with pytest.raises(ValueError, match="speed"):
        ReplayClock(MS, 0.5, 0.0)


# --- intra-candle path --------------------------------------------------------------------
def test_path_visits_low_then_high_in_a_rising_candle() -> None:
    assert [path_price(10, 13, 9, 12, f) for f in (0, 1 / 3, 2 / 3, 1)] == [10, 9, 13, 12]
    assert [path_price(10, 13, 9, 9.5, f) for f in (0, 1 / 3, 2 / 3, 1)] == [10, 13, 9, 9.5]
    assert partial_candle(10, 13, 9, 12, 300, 0.5) == (10, 11.0, 9, 11.0, 150)


@given(
    st.floats(1, 100),
    st.floats(0, 0.5),
    st.floats(0, 0.5),
    st.floats(0, 1),
    st.floats(0, 1e6),
    st.floats(0, 1),
)
def test_partial_candle_stays_inside_the_recorded_one(
    open_: float, up: float, down: float, where: float, volume: float, fraction: float
) -> None:
    high, low = open_ * (1 + up), open_ * (1 - down)
    close = low + where * (high - low)
    o, h, lo, c, v = partial_candle(open_, high, low, close, volume, fraction)
    assert o == open_ and low - 1e-9 <= lo <= c <= h <= high + 1e-9 and lo <= o <= h
    assert v == pytest.approx(volume * fraction)
    assert partial_candle(open_, high, low, close, volume, 1.0) == pytest.approx(
        (open_, high, low, close, volume)
    )


# --- derived order book -------------------------------------------------------------------
def test_derived_book_is_one_tick_wide_and_holds_one_candle_of_volume() -> None:
    book = derived_book(0.9982, 0.0001, 2000.0, 1.0, 5)
    assert book.bids[0] == (0.9982, 100.0) and book.asks[0] == (0.9983, 100.0)
    assert [p for p, _ in book.bids] == [0.9982, 0.9981, 0.998, 0.9979, 0.9978]
    assert [p for p, _ in book.asks] == [0.9983, 0.9984, 0.9985, 0.9986, 0.9987]
    thin = derived_book(3.57702, 0.0001, 0.0, 0.1, 2)  # off the grid, zero-volume candle
    assert thin.bids == [(3.577, 0.1), (3.5769, 0.1)] and thin.asks[0] == (3.5771, 0.1)
    assert (
        round_to_tick(107084.83, 0.1) == 107084.8 and round_to_tick(1.23456e-5, 1e-8) == 1.235e-05
    )


# --- faults -------------------------------------------------------------------------------
def test_fault_plan_windows_counts_and_errors() -> None:
    plan = FaultPlan.from_dict(
        {
            "faults": [
                {
                    "kind": "http_429",
                    "from": "2025-08-19 12:00",
                    "until": "2025-08-19 12:10",
                    "endpoint": "klines",
                    "count": 2,
                    "retry_after": 3,
                },
                {"kind": "candle_gap", "from": "2025-08-19 12:20", "until": "2025-08-19 12:30"},
            ]
        }
    )
    assert plan.http_fault("depth", "SUI/USDT", MS) is None
    hits = [plan.http_fault("klines", "SUI/USDT", MS + 60_000) for _ in range(3)]
    assert [h is not None for h in hits] == [True, True, False]
    assert hits[0].retry_after == 3
    assert plan.gaps("klines", "SUI/USDT", MS) == []
    assert len(plan.gaps("klines", "SUI/USDT", MS + 3_600_000)) == 1  # stays missing afterwards
    bad = [
        ({"kind": "http_418", "from": "2025-01-01", "until": "2025-01-02"}, "kind"),
        ({"kind": "http_5xx", "from": "2025-01-01", "until": "2025-01-02", "factor": 2}, "factor"),
        ({"kind": "timeout", "from": "2025-01-02", "until": "2025-01-01"}, "until"),
        (
            {"kind": "one_sided_book", "from": "2025-01-01", "until": "2025-01-02", "side": "up"},
            "side",
        ),
        (
            {"kind": "price_jump", "from": "2025-01-01", "until": "2025-01-02", "factor": 0},
            "factor",
        ),
        ({"kind": "stale_candles", "until": "2025-01-02"}, "from"),
    ]
    for spec, key in bad:
        with pytest.raises(FaultConfigError, match=key):
            FaultPlan.from_dict({"faults": [spec]})


# --- recorded data as an exchange serves it ------------------------------------------------
def test_candles_end_with_the_open_candle_and_never_show_later_data(data: MarketData) -> None:
    now = MS + 150_000  # 12:02:30, half-way through the 12:00 candle
    rows = data.candles("SUI/USDT", CandleType.SPOT, 300_000, now, limit=20)
    file = recorded("SUI/USDT").set_index("date")
    assert [r[0] for r in rows] == [MS - (19 - i) * 300_000 for i in range(20)]
    for t, o, h, low, c, v, _ in rows[:-1]:
        row = file.loc[pd.Timestamp(t, unit="ms", tz="UTC")]
        assert (o, h, low, c, v) == (row.open, row.high, row.low, row.close, row.volume)
    t, o, h, low, c, v, _ = rows[-1]
    full = file.loc[pd.Timestamp(t, unit="ms", tz="UTC")]
    assert o == full.open and full.low <= low <= c <= h <= full.high
    assert v == pytest.approx(full.volume / 2)
    assert data.price("SUI/USDT", CandleType.SPOT, now) == c


def test_candles_of_a_coarser_interval_aggregate_the_file(data: MarketData) -> None:
    now = MS + 30 * 60_000
    rows = data.candles("SUI/USDT", CandleType.SPOT, 3_600_000, now, limit=24)
    file = recorded("SUI/USDT").set_index("date")
    hourly = file.resample("1h").agg(
        {"open": "first", "high": "max", "low": "min", "close": "last", "volume": "sum"}
    )
    for t, o, h, low, c, v, _ in rows[:-1]:
        expected = hourly.loc[pd.Timestamp(t, unit="ms", tz="UTC")]
        assert (o, h, low, c) == (expected.open, expected.high, expected.low, expected.close)
        assert v == pytest.approx(expected.volume)
    assert rows[-1][0] == MS  # the open 12:00 hour, built from 12:00..12:25 and the 12:25 candle


def test_candles_from_a_start_time_and_outside_the_data(data: MarketData) -> None:
    since = MS - 3 * 300_000
    rows = data.candles("SUI/USDT", CandleType.SPOT, 300_000, MS + 1, start_ms=since + 1, limit=500)
    assert [r[0] for r in rows] == [since + 300_000, since + 600_000, MS]
    assert data.candles("SUI/USDT", CandleType.SPOT, 300_000, MS, start_ms=0, limit=10) == []
    after_end = int(datetime(2025, 10, 5, tzinfo=UTC).timestamp() * 1000)
    assert data.price("SUI/USDT", CandleType.SPOT, after_end) is None  # no stale price forever
    assert data.candles("SUI/USDT", CandleType.SPOT, 300_000, after_end, limit=10) == []


def test_funding_events_are_the_recorded_settlements(data: MarketData) -> None:
    events = data.funding("BTC/USDT:USDT")
    file = pd.read_feather(DATA / "futures" / "BTC_USDT_USDT-1h-funding_rate.feather")
    assert len(events.time) == len(file)
    assert events.rate.tolist() == file["funding_rate"].tolist()


# --- launch, config layers, tiers ----------------------------------------------------------
def test_every_ccxt_binance_url_points_at_the_replay() -> None:
    import ccxt

    assert set(ccxt.binance().urls["api"]) == set(API_PATHS)
    layer = exchange_layer("http://127.0.0.1:8700", 60, 10)
    assert layer["exchange"]["ccxt_config"]["timeout"] == 600_000
    committed = load_file(CONFIG_DIR / "replay.json")
    assert (
        committed["exchange"]["ccxt_config"]["urls"]
        == exchange_layer("http://127.0.0.1:8700", 1)["exchange"]["ccxt_config"]["urls"]
    )
    assert committed["exchange"]["enable_ws"] is False


def test_tier_commands_are_the_readme_dry_run_commands() -> None:
    readme = (REPO / "README.md").read_text()
    for tier in TIERS.values():
        line = " ".join(["freqtrade", *tier.command()[1:]])
        assert line in readme, f"README lacks the dry-run command {line!r}"
        for path in tier.config_paths(REPO):
            assert path.is_file(), path


def test_run_refuses_a_day_without_data(data: MarketData) -> None:
    with pytest.raises(ReplayInputError, match=r"BTC/USDT:USDT: no recorded candles at 2024-01-01"):
        check_coverage(TIERS["tier3"], data, datetime(2024, 1, 1, tzinfo=UTC), REPO)
    check_coverage(TIERS["tier1"], data, datetime(2025, 4, 2, 15, tzinfo=UTC), REPO)


def test_price_jump_and_book_faults_change_only_their_window() -> None:
    from ftpack.offline import BUNDLED_SNAPSHOT, load_snapshot
    from ftpack.replay.exchange import SPOT, ReplayExchange

    plan = FaultPlan.from_dict(
        {
            "faults": [
                {
                    "kind": "price_jump",
                    "pair": "SUI/USDT",
                    "from": "2025-08-19 11:50",
                    "until": "2025-08-19 12:00",
                    "factor": 0.9,
                },
                {
                    "kind": "one_sided_book",
                    "pair": "SUI/USDT",
                    "from": "2025-08-19 12:00",
                    "until": "2025-08-19 12:05",
                    "side": "bids",
                },
            ]
        }
    )
    clock = ReplayClock.starting_now(T0.replace(minute=1), 1.0)  # 12:01, at real speed
    exchange = ReplayExchange(
        clock, MarketData([DATA]), load_snapshot(BUNDLED_SNAPSHOT), faults=plan
    )
    sui = exchange.market(SPOT, "SUIUSDT")
    rows = exchange.candles(
        sui, CandleType.SPOT, 300_000, "klines", start_ms=None, end_ms=None, limit=4
    )
    file = recorded("SUI/USDT").set_index("date")
    closes = [file.loc[pd.Timestamp(r[0], unit="ms", tz="UTC")].close for r in rows[:-1]]
    assert [r[4] for r in rows[:-1]] == pytest.approx(
        [closes[0], round_to_tick(closes[1] * 0.9, 0.0001), round_to_tick(closes[2] * 0.9, 0.0001)]
    )
    book = exchange.book(sui, 5, "depth")
    assert book.bids == [] and len(book.asks) == 5
    assert json.dumps(plan.describe())  # hit counters are reportable
    assert np.isfinite(exchange.price(sui))


def test_cli_refuses_bad_input_naming_it(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    from ftpack.replay.cli import main

    faults = tmp_path / "faults.json"
    faults.write_text(
        json.dumps(
            {
                "faults": [
                    {"kind": "http_5xx", "from": "2025-08-19", "until": "2025-08-20", "status": 404}
                ]
            }
        )
    )
    assert main(["serve", "--start", "2025-08-19", "--faults", str(faults)]) == 2
    assert "faults[0].status" in capsys.readouterr().err
    assert main(["serve", "--start", "19/08/2025"]) == 2
    assert "--start" in capsys.readouterr().err
    assert main(["run", "--tier", "tier3", "--day", "2024-01-01", "--ui-port", "1"]) == 2
    assert "BTC/USDT:USDT: no recorded candles at 2024-01-01 00:00" in capsys.readouterr().err
    assert main(["serve", "--start", "2025-08-19", "--speed", "0.5"]) == 2
    assert "speed" in capsys.readouterr().err
