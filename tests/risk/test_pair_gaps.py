"""Per-pair gaps measured from candles: hand-computed values on small hand-made frames."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from freqtrade.data.history import get_datahandler
from freqtrade.enums import CandleType, RunMode

from risk_protections.config import parse_risk_config
from risk_protections.errors import PackConfigError
from risk_protections.gap_data import (
    NO_HISTORY,
    add_received,
    config_gap_history,
    run_start,
)
from risk_protections.pair_gaps import (
    MIN_HISTORY_DAYS,
    AdverseMoves,
    GapHistory,
    gap_table,
    move_history,
)

RISK = parse_risk_config(None)  # floor 15 % spot and futures


def adverse_moves(frame: pd.DataFrame, timeframe: str) -> AdverseMoves | None:
    """The moves known after every candle of ``frame``."""
    history = move_history(frame, timeframe)
    return history.at() if history is not None else None


def candles(rows: list[tuple[float, float, float]], timeframe_minutes: int = 5) -> pd.DataFrame:
    """(open, high, low) rows every ``timeframe_minutes`` from 2025-02-03 00:00 UTC."""
    dates = pd.date_range("2025-02-03", periods=len(rows), freq=f"{timeframe_minutes}min", tz="UTC")
    frame = pd.DataFrame(rows, columns=["open", "high", "low"])
    frame.insert(0, "date", dates)
    frame["close"] = frame["open"]
    frame["volume"] = 1.0
    return frame


def test_candle_and_hour_moves_equal_the_hand_computed_values() -> None:
    # 14 candles of 5m; the 1h window is 12 candles.
    rows = [(100.0, 101.0, 99.0)] * 14
    rows[2] = (100.0, 104.0, 90.0)  # worst candle down: (100 - 90) / 100 = 10 %
    rows[5] = (95.0, 96.0, 80.0)  # candle down 15/95; up 1/95
    rows[13] = (100.0, 120.0, 99.0)  # candle up 20 %, outside the hour of rows[0..1]
    moves = adverse_moves(candles(rows), "5m")
    assert moves is not None
    assert moves.candle_down == pytest.approx(15 / 95)
    assert moves.candle_up == pytest.approx(0.20)
    # hour down: from open 100 (rows 0..2) to the low 80 of row 5 within 12 candles -> 20 %
    assert moves.hour_down == pytest.approx(0.20)
    # hour up: from open 95 (row 5) to the high 120 of row 13 (8 candles later) -> 25/95
    assert moves.hour_up == pytest.approx(25 / 95)
    assert moves.days == pytest.approx(14 * 5 / 1440)


def test_the_hour_window_does_not_reach_past_one_hour_and_missing_candles_are_not_filled() -> None:
    rows = [(100.0, 100.0, 100.0)] + [(80.0, 80.0, 80.0)] * 12
    rows[12] = (80.0, 80.0, 50.0)  # 12 slots after row 0: outside row 0's hour
    moves = adverse_moves(candles(rows), "5m")
    assert moves is not None
    # row 0's hour reaches the low 80 (20 %); rows 1..12 reach 50 from 80 (37.5 %); a 13-slot
    # window would have given 50 % from row 0's open
    assert moves.hour_down == pytest.approx(0.375)
    assert moves.candle_down == pytest.approx(0.375)
    # with rows 3..10 missing, row 11 is still inside row 0's hour (slot 11 of 12)
    rows = [(100.0, 100.0, 100.0)] * 12
    rows[11] = (100.0, 100.0, 70.0)
    holed = candles(rows).drop(index=range(3, 11))
    assert adverse_moves(holed, "5m").hour_down == pytest.approx(0.30)
    assert adverse_moves(holed, "5m").days == pytest.approx(4 * 5 / 1440)


def test_one_hour_candles_use_a_window_of_one() -> None:
    moves = adverse_moves(candles([(10.0, 12.0, 9.0), (9.0, 9.5, 6.0)], 60), "1h")
    assert moves is not None
    assert moves.hour_down == moves.candle_down == pytest.approx(3 / 9)
    assert moves.hour_up == moves.candle_up == pytest.approx(0.2)


def test_nan_empty_and_bad_prices_fail_closed_without_crashing() -> None:
    assert adverse_moves(candles([]), "5m") is None
    assert adverse_moves(candles([(math.nan, 1.0, 1.0), (0.0, 1.0, 1.0)]), "5m") is None
    rows = [(100.0, 101.0, 99.0), (math.nan, 200.0, 1.0), (100.0, 100.0, -5.0)]
    rows.append((100.0, 102.0, 97.0))
    moves = adverse_moves(candles(rows), "5m")
    assert moves is not None  # the NaN and negative rows are left out
    assert moves.candle_down == pytest.approx(0.03) and moves.candle_up == pytest.approx(0.02)
    stale = candles([(100.0, 101.0, 99.0), (28.0, 28.0, 28.0), (100.0, 100.0, 100.0)])
    stale.loc[1, "volume"] = 0.0  # a filled-up missing candle repeating an old close
    assert adverse_moves(stale, "5m").hour_up == pytest.approx(0.01)
    text = candles([(100.0, 101.0, 99.0)]).astype({"low": object})
    text.loc[0, "low"] = "n/a"
    assert adverse_moves(text, "5m") is None


def long_history(down: float, up: float) -> AdverseMoves:
    return AdverseMoves(down / 2, up / 2, down, up, MIN_HISTORY_DAYS + 1)


def test_gap_table_uses_override_then_measurement_then_universe_then_floor() -> None:
    risk = parse_risk_config({"gap": {"spot": 0.15, "futures": 0.15, "pairs": {"USDC/USDT": 0.03}}})
    moves = {
        "ZEC/USDT": long_history(0.413, 0.828),
        "BTC/USDT": long_history(0.097, 0.10),  # below the floor
        "NEW/USDT": AdverseMoves(0.5, 0.5, 0.6, 0.6, MIN_HISTORY_DAYS - 1),  # short history
        "NAN/USDT": None,
        "USDC/USDT": long_history(0.002, 0.02),
    }
    table = gap_table(moves, risk, "spot")
    assert (table.gap("ZEC/USDT", False), table.gap("ZEC/USDT", True)) == (0.413, 0.828)
    assert table.bound("ZEC/USDT").source == "measured"
    assert table.gap("BTC/USDT", False) == 0.15 and table.bound("BTC/USDT").source == "floor"
    # short history and unmeasured pairs take the worst hour of the long-history pairs
    for pair in ("NEW/USDT", "NAN/USDT", "UNSEEN/USDT"):
        assert table.gap(pair, False) == 0.413 and table.gap(pair, True) == 0.828
        assert table.bound(pair).source == "universe"
    assert table.gap("USDC/USDT", False) == table.gap("USDC/USDT", True) == 0.03
    assert table.bound("USDC/USDT").source == "override"
    empty = gap_table({"NEW/USDT": None}, risk, "spot")
    assert empty.gap("NEW/USDT", False) == 0.15 and empty.bound("NEW/USDT").source == "floor"


@pytest.mark.parametrize("value", [0, 0.5, -1, "2", None, math.inf, True])
def test_crash_day_multiple_must_be_a_number_of_at_least_one(value: object) -> None:
    with pytest.raises(PackConfigError, match=r"^risk\.crash_day_multiple: "):
        parse_risk_config({"crash_day_multiple": value})


def test_a_running_bot_adds_the_candles_it_receives_after_the_recorded_ones() -> None:
    recorded = [(100.0, 100.0, 100.0)] * int(MIN_HISTORY_DAYS * 288 + 288)
    recorded[5] = (100.0, 100.0, 70.0)  # ZEC's recorded worst hour: 30 %
    history = GapHistory({"ZEC/USDT": move_history(candles(recorded), "5m")}, {}, RISK, "spot")
    end = candles(recorded)["date"].iloc[-1]
    quiet = candles([(100.0, 100.0, 100.0)] * 20)
    quiet["date"] = pd.date_range(end - pd.Timedelta(minutes=50), periods=20, freq="5min")
    frames = {"ZEC/USDT": quiet, "NEW/USDT": candles([(100.0, 100.0, 60.0)] * 3),
              "EMPTY/USDT": candles([])}

    def frame_of(pair: str) -> pd.DataFrame:
        if pair == "BROKEN/USDT":
            raise OSError("no candles")
        return frames[pair]

    kept: dict[str, pd.DataFrame] = {}
    pairs = ["ZEC/USDT", "NEW/USDT", "EMPTY/USDT", "BROKEN/USDT"]
    grown = add_received(history, kept, pairs, frame_of, "5m")
    assert len(kept["ZEC/USDT"]) == 9  # only the candles after the recorded ones
    now = grown.at()
    assert now.gap("ZEC/USDT", False) == pytest.approx(0.30)
    moves = now.bound("ZEC/USDT").moves
    assert moves is not None and moves.days == pytest.approx(MIN_HISTORY_DAYS + 1 + 9 / 288)
    # 3 candles of NEW: too short for its own bound; its 40 % candle is not the universe's
    assert now.gap("NEW/USDT", False) == pytest.approx(0.30)
    assert now.bound("NEW/USDT").source == "universe"
    for pair in ("EMPTY/USDT", "BROKEN/USDT"):  # fail closed: the universe bound
        assert now.gap(pair, False) == pytest.approx(0.30)
    assert add_received(grown, kept, pairs, frame_of, "5m") is grown  # nothing new
    crash = candles([(100.0, 100.0, 55.0)])
    crash["date"] = quiet["date"].iloc[-1] + pd.Timedelta(minutes=5)
    frames["ZEC/USDT"] = pd.concat([quiet, crash], ignore_index=True)
    after = add_received(grown, kept, pairs, frame_of, "5m")
    assert after.at().gap("ZEC/USDT", False) == pytest.approx(0.45)  # the crash it lived through
    assert after.at(crash["date"].iloc[0]).gap("ZEC/USDT", False) == pytest.approx(0.30)


def test_the_worst_moves_say_when_they_started() -> None:
    rows = [(100.0, 101.0, 99.0)] * 14
    rows[5] = (95.0, 96.0, 80.0)
    moves = adverse_moves(candles(rows), "5m")
    start = pd.Timestamp("2025-02-03", tz="UTC")
    assert moves.candle_down_at == start + pd.Timedelta(minutes=25)
    assert moves.hour_down_at == start  # open 100 -> low 80 within the hour
    flat = adverse_moves(candles([(100.0, 100.0, 100.0)]), "5m")
    assert flat.candle_down == 0.0 and flat.candle_down_at is None


def store(datadir: Path, pair: str, frame: pd.DataFrame) -> None:
    get_datahandler(datadir, "feather").ohlcv_store(pair, "5m", frame, CandleType.SPOT)


@pytest.mark.parametrize(
    ("runmode", "timerange", "start"),
    [
        (RunMode.BACKTEST, "20250120-20250415", datetime(2025, 1, 20, tzinfo=UTC)),
        (RunMode.HYPEROPT, "20250120-", datetime(2025, 1, 20, tzinfo=UTC)),
        (RunMode.BACKTEST, "-20250415", NO_HISTORY),
        (RunMode.HYPEROPT, None, NO_HISTORY),
    ],
)
def test_a_backtest_starts_at_its_timerange_start(
    runmode: RunMode, timerange: str | None, start: datetime
) -> None:
    assert run_start({"runmode": runmode, "timerange": timerange}) == start


def test_a_bot_starts_now() -> None:
    before = datetime.now(UTC)
    assert before <= run_start({"runmode": RunMode.DRY_RUN, "timerange": "20250120-"})


def test_a_crash_is_known_from_its_candle_close_on_and_never_before(tmp_path: Path) -> None:
    # 40 quiet days, then a candle falling 30 % and an hour falling to 69.5
    quiet = 40 * 288
    rows = [(100.0, 100.5, 99.5)] * quiet + [(100.0, 100.0, 70.0)] + [(70.0, 70.5, 69.5)] * 20
    store(tmp_path, "ZEC/USDT", candles(rows))
    crash_open = datetime(2025, 2, 3, tzinfo=UTC) + timedelta(minutes=5 * quiet)
    config = {"datadir": str(tmp_path), "dataformat_ohlcv": "feather"}
    history = config_gap_history(config, RISK, ["ZEC/USDT"], "5m")
    before = history.at(crash_open + timedelta(minutes=4))  # inside the crash candle
    measured = before.bound("ZEC/USDT").moves
    assert measured is not None and measured.candle_down == pytest.approx(0.005)
    assert measured.days == pytest.approx(40.0)
    assert before.gap("ZEC/USDT", False) == pytest.approx(0.15)  # the floor
    closed = history.at(crash_open + timedelta(minutes=5))
    assert closed.gap("ZEC/USDT", False) == pytest.approx(0.30)
    assert history.at().gap("ZEC/USDT", False) == pytest.approx(0.305)  # 100 -> 69.5 in the hour
    nothing = history.at(NO_HISTORY)
    assert nothing.bound("ZEC/USDT").moves is None
    assert nothing.gap("ZEC/USDT", False) == pytest.approx(0.15)
