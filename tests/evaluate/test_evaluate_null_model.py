"""Random-entry null model: reproducibility, holding times, windows, stop fills, the p-value."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ftpack.evaluate.null_model import (
    null_p_value,
    random_entry_null,
    trade_profit,
)

DATA = Path(__file__).parents[2] / "user_data" / "data" / "binance"
UTC = "UTC"
TF = pd.Timedelta(minutes=5)
WINDOWS = [
    (pd.Timestamp("2025-07-01", tz=UTC), pd.Timestamp("2025-07-15", tz=UTC)),
    (pd.Timestamp("2025-07-15", tz=UTC), pd.Timestamp("2025-07-29", tz=UTC)),
]


@pytest.fixture(scope="module")
def candles() -> dict[str, pd.DataFrame]:
    """Real Binance 5m candles from the bundled slice."""
    return {
        pair: pd.read_feather(DATA / f"{pair.replace('/', '_')}-5m.feather")
        for pair in ("BTC/USDT", "ETH/USDT")
    }


def trade(pair, open_date, minutes, profit_abs=1.0, **extra):
    open_date = pd.Timestamp(open_date, tz=UTC)
    row = {
        "pair": pair, "open_date": open_date,
        "close_date": open_date + pd.Timedelta(minutes=minutes), "profit_abs": profit_abs,
        "stake_amount": 100.0, "leverage": 1.0, "is_short": False, "fee_open": 0.001,
        "fee_close": 0.001, "initial_stop_loss_ratio": -0.01,
    }
    return row | extra


@pytest.fixture(scope="module")
def trades() -> pd.DataFrame:
    return pd.DataFrame([
        trade("BTC/USDT", "2025-07-02 10:00", 45, 1.2),
        trade("BTC/USDT", "2025-07-03 00:05", 0, -0.3),
        trade("ETH/USDT", "2025-07-05 13:30", 600, 2.5, is_short=True),
        trade("ETH/USDT", "2025-07-14 20:00", 235, -1.0, leverage=3.0,
              initial_stop_loss_ratio=-0.03),
        trade("BTC/USDT", "2025-07-20 08:00", 1440, 0.4),
        trade("BTC/USDT", "2025-07-28 23:00", 60, -0.8, is_short=True),
    ])


def test_same_seed_same_distribution_other_seed_another(trades, candles):
    a = random_entry_null(trades, WINDOWS, candles, n_seeds=200, seed=1)
    b = random_entry_null(trades, WINDOWS, candles, n_seeds=200, seed=1)
    c = random_entry_null(trades, WINDOWS, candles, n_seeds=200, seed=2)
    assert np.array_equal(a.null_totals, b.null_totals) and a == b
    assert not np.array_equal(a.null_totals, c.null_totals)
    assert a.strategy_total == pytest.approx(trades["profit_abs"].sum())
    assert a.p_value == null_p_value(a.null_totals, a.strategy_total)
    assert a.share_beaten == pytest.approx(np.mean(a.strategy_total > a.null_totals))


def test_holding_times_are_the_strategys_and_no_trade_leaves_its_window(trades, candles):
    random = random_entry_null(trades, WINDOWS, candles, n_seeds=300, seed=4).random_trades
    durations = (trades["close_date"] - trades["open_date"]).to_numpy(dtype="timedelta64[ns]")
    assert sorted(random.holding) == sorted(durations)
    held = random.exit_date - random.entry_date
    # Unstopped trades hold exactly their strategy trade's time; stop exits come no later.
    planned = np.broadcast_to(durations, held.shape)
    assert np.array_equal(held[~random.stopped], planned[~random.stopped])
    assert np.all(held <= durations)
    starts = np.array([WINDOWS[w][0].to_datetime64() for w in random.window])
    ends = np.array([WINDOWS[w][1].to_datetime64() for w in random.window])
    assert np.all(random.entry_date >= starts) and np.all(random.exit_date <= ends)
    assert list(random.window) == [0, 0, 0, 0, 1, 1]
    # Entries really are random: many distinct candles per trade.
    assert all(len(np.unique(random.entry_date[:, i])) > 100 for i in range(len(trades)))
    assert random.stopped.any() and not random.stopped.all()


def simulate(trades, windows, candles, **options):
    """Every seed's random trades."""
    return random_entry_null(trades, windows, candles, **options).random_trades


def hand_candles(rows):
    start = pd.Timestamp("2025-01-01", tz=UTC)
    frame = pd.DataFrame(rows, columns=["open", "high", "low", "close"])
    frame.insert(0, "date", [start + i * TF for i in range(len(rows))])
    return frame


def only_start(frame, held):
    """A window that fits exactly one entry: the first candle."""
    return [(frame["date"].iloc[0], frame["date"].iloc[0] + held * TF)]


# Four candles opening at 100. Long stop 1 % below (ratio -2 % at leverage 2): crossed by candle 2.
STOP_FRAME = [
    (100.0, 100.5, 99.5, 100.2),
    (100.2, 100.8, 99.4, 100.1),
    (100.1, 100.3, 98.5, 98.9),
    (98.9, 99.5, 98.0, 99.2),
]


def one_trade(**extra):
    row = trade("X/USDT", "2025-01-01 00:00", 20) | extra
    return pd.DataFrame([row])


def test_long_stop_fills_at_the_stop_price():
    frame = hand_candles(STOP_FRAME)
    random = simulate(
        one_trade(leverage=2.0, initial_stop_loss_ratio=-0.02), only_start(frame, 4),
        {"X/USDT": frame}, n_seeds=3,
    )
    amount = 100.0 * 2.0 / 100.0
    expected = amount * 99.0 * (1 - 0.001) - amount * 100.0 * (1 + 0.001)
    assert np.allclose(random.profit, expected)
    assert random.stopped.all()
    assert np.all(random.exit_date == frame["date"].iloc[2].to_datetime64())


def test_stop_through_a_gap_fills_at_the_candles_open():
    rows = [*STOP_FRAME[:2], (98.7, 98.8, 98.2, 98.6), STOP_FRAME[3]]
    frame = hand_candles(rows)
    random = simulate(
        one_trade(leverage=2.0, initial_stop_loss_ratio=-0.02), only_start(frame, 4),
        {"X/USDT": frame}, n_seeds=2,
    )
    amount = 2.0
    assert np.allclose(random.profit, amount * 98.7 * 0.999 - amount * 100.0 * 1.001)


def test_short_stop_and_time_exit():
    frame = hand_candles(STOP_FRAME)
    short = simulate(
        one_trade(is_short=True, initial_stop_loss_ratio=-0.005), only_start(frame, 4),
        {"X/USDT": frame}, n_seeds=2,
    )
    # Stop at 100.5 is reached by candle 0's high: bought back at 100.5.
    assert np.allclose(short.profit, 1.0 * 100.0 * 0.999 - 1.0 * 100.5 * 1.001)
    assert np.all(short.exit_date == frame["date"].iloc[0].to_datetime64())
    no_stop = simulate(
        one_trade().drop(columns="initial_stop_loss_ratio"), only_start(frame, 4),
        {"X/USDT": frame}, n_seeds=2,
    )
    # No stop: exits after 20 minutes, at the close of the fourth candle.
    assert np.allclose(no_stop.profit, 1.0 * 99.2 * 0.999 - 1.0 * 100.0 * 1.001)
    assert not no_stop.stopped.any()


def test_trade_closed_in_its_entry_candle_pays_fees_only():
    frame = hand_candles(STOP_FRAME)
    random = simulate(
        one_trade(close_date=pd.Timestamp("2025-01-01", tz=UTC)), only_start(frame, 1),
        {"X/USDT": frame}, n_seeds=2,
    )
    assert np.allclose(random.profit, -100.0 * 0.002)


def test_trade_profit_matches_freqtrades_fee_formula():
    # Long 2 units 50 → 55 at 0.1 % per side; short the same move loses.
    assert trade_profit(2.0, 50.0, 55.0, 0.001, 0.001, False) == pytest.approx(
        110 * 0.999 - 100 * 1.001
    )
    assert trade_profit(2.0, 50.0, 55.0, 0.001, 0.001, True) == pytest.approx(
        100 * 0.999 - 110 * 1.001
    )


def test_p_value_on_a_tiny_case():
    null = [1.0, 2.0, 3.0, 4.0]
    assert null_p_value(null, 3.0) == pytest.approx(3 / 5)
    assert null_p_value(null, 5.0) == pytest.approx(1 / 5)
    assert null_p_value(null, 0.0) == 1.0


def test_bad_input_gets_a_clear_error(trades, candles):
    outside = pd.DataFrame([trade("BTC/USDT", "2025-08-10 00:00", 30)])
    with pytest.raises(ValueError, match="no out-of-sample window"):
        random_entry_null(outside, WINDOWS, candles, n_seeds=5)
    with pytest.raises(ValueError, match="No candles"):
        random_entry_null(trades, WINDOWS, {"BTC/USDT": candles["BTC/USDT"]}, n_seeds=5)
    with pytest.raises(ValueError, match="at least one trade"):
        random_entry_null(trades.iloc[:0], WINDOWS, candles)
    frame = hand_candles(STOP_FRAME)
    gap = frame.drop(index=1)
    with pytest.raises(ValueError, match="gap-free run of 4 candles"):
        simulate(one_trade(), only_start(frame, 4), {"X/USDT": gap}, n_seeds=2,
                            timeframe=TF)
