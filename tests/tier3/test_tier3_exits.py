"""Each layered exit rule fires at the right candle of a hand-built price path.

The walker below applies ``ftpack.tiers.scalping.exits`` and ``ftpack.tiers.holding`` in the
order Freqtrade's backtester uses within one candle: the stop is moved with the candle's best
price, then checked against the candle's worst price; custom exits and partial exits are judged
on the close.
"""

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from ftpack.tiers import holding
from ftpack.tiers.scalping import exits, guards

T0 = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
ENTRY = 100.0
STOP_DIST = 0.01  # 1R = 1 % = 1.0 price unit
OFFSET = 0.0007  # breakeven moved by the round-trip fee


def walk(path, *, is_short=False, atr=0.5, weakening=True, er=None, max_minutes=30):
    """Events (candle index, name) for a trade opened at candle 0's open = ENTRY."""
    events, done, best = [], 0, ENTRY
    for i, (high, low, close) in enumerate(path):
        best = min(best, low) if is_short else max(best, high)
        trail = exits.trail_atr_multiple(weakening) * atr
        stop = exits.stop_price(ENTRY, is_short, STOP_DIST, best, trail, OFFSET)
        if exits.stop_hit(stop, low, high, is_short):
            events.append((i, f"stop@{stop:.4f}"))
            return events
        now = T0 + timedelta(minutes=i + 1)  # the candle's close
        if er is not None and exits.regime_changed(
            is_short, er[i], -1.0 if is_short else 1.0, 0.15
        ):
            events.append((i, "regime_change"))
            return events
        if holding.timed_out(T0, now, max_minutes):
            events.append((i, "timeout"))
            return events
        share = exits.partial_exit_share(exits.r_multiple(ENTRY, close, is_short, STOP_DIST), done)
        if share:
            events.append((i, f"tp{done + 1}:{share:.4f}"))
            done += 1
    return events


def test_three_partials_then_atr_trail():
    path = [
        (100.6, 99.8, 100.5),  # 0: 0.5R
        (101.3, 100.4, 101.2),  # 1: close 1.2R -> tp1 (1/4 of the position)
        (101.6, 101.0, 101.5),  # 2: best 1.6R, stop at breakeven 100.07: no exit
        (102.2, 101.8, 102.1),  # 3: close 2.1R -> tp2 (1/3 of what is left); trail 101.7
        (103.3, 102.9, 103.2),  # 4: close 3.2R -> tp3 (1/2 of what is left); trail 102.8
        (103.4, 103.0, 103.1),  # 5: best 103.4 -> trail 102.9, low 103.0 holds
        (103.2, 102.8, 102.9),  # 6: low 102.8 < 102.9 -> trailing stop
    ]
    assert walk(path) == [
        (1, "tp1:0.2500"),
        (3, "tp2:0.3333"),
        (4, "tp3:0.5000"),
        (6, "stop@102.9000"),
    ]


def test_trail_is_twice_atr_while_momentum_holds():
    path = [
        (101.2, 100.1, 101.1),
        (102.1, 101.7, 102.0),
        (103.0, 102.6, 102.7),
        (102.8, 102.3, 102.4),
        (102.5, 101.9, 102.0),
    ]
    # best 103.0: a 2 x 0.5 trail puts the stop at 102.0, hit by candle 4's low 101.9
    assert walk(path, weakening=False)[-1] == (4, "stop@102.0000")
    # a 1 x ATR trail (momentum weakening) sits at 102.5 and stops out a candle earlier
    assert walk(path, weakening=True)[-1] == (3, "stop@102.5000")


def test_initial_stop_then_breakeven_after_1r():
    no_1r = [(100.9, 99.5, 100.2), (100.3, 98.9, 99.0)]
    assert walk(no_1r) == [(1, "stop@99.0000")]
    reached_1r = [(101.1, 100.2, 100.8), (100.9, 99.95, 100.0)]
    # 1R touched on candle 0 -> stop at breakeven 100.07, hit by candle 1's low 99.95
    assert walk(reached_1r) == [(1, "stop@100.0700")]
    # like Freqtrade's backtester, a candle that touches 1R and then falls is stopped at
    # breakeven on that same candle (the high is assumed to come first)
    assert walk([(101.1, 99.95, 100.0)]) == [(0, "stop@100.0700")]


def test_short_mirror():
    path = [(99.9, 98.9, 98.95), (99.0, 98.5, 98.9), (99.95, 98.7, 99.0)]
    # short: 1R at 99.0 -> tp1 on candle 0 close 98.95; breakeven 99.93 hit on candle 2's high
    assert walk(path, is_short=True) == [(0, "tp1:0.2500"), (2, "stop@99.9300")]


def test_timeout_at_30_minutes():
    flat = [(100.3, 99.7, 100.1)] * 40
    assert walk(flat) == [(29, "timeout")]  # candle 29 closes at T0 + 30 min


def test_regime_change_exit():
    flat = [(100.3, 99.7, 100.1)] * 10
    er = [0.5, 0.4, 0.3, 0.16, 0.12, 0.5, 0.5, 0.5, 0.5, 0.5]
    assert walk(flat, er=er) == [(4, "regime_change")]
    assert exits.regime_changed(False, 0.5, -1.0, 0.15)  # trend turned against a long
    assert exits.regime_changed(True, float("nan"), -1.0, 0.15)  # no data, no position
    assert not exits.regime_changed(True, 0.5, -1.0, 0.15)


def test_flash_crash_fires_on_the_crash_candle():
    opens = [100.0, 100.1, 100.0, 99.0, 94.5]
    highs = [100.2, 100.3, 100.1, 99.1, 94.8]
    lows = [99.9, 99.9, 99.0, 94.0, 94.0]
    closes = [100.1, 100.0, 99.1, 94.5, 94.2]
    prev = [float("nan"), *closes[:-1]]
    moves = guards.one_minute_move(opens, highs, lows, prev)
    fired = [i for i, m in enumerate(moves) if guards.is_flash_move(m, 0.05)]
    assert fired == [3]  # previous close 99.1 down to the low 94.0: 5.4 %
    assert moves[3] == pytest.approx(99.1 / 94.0 - 1)
    assert moves[2] == pytest.approx(100.1 / 99.0 - 1)  # 1.1 %: no exit


def test_partial_share_stays_put_below_next_level():
    assert exits.partial_exit_share(0.99, 0) == 0.0
    assert exits.partial_exit_share(1.5, 1) == 0.0
    assert exits.partial_exit_share(10.0, 3) == 0.0


def test_one_r_is_the_atr_stop_capped_at_max_stop():
    atr_pct = pd.Series([0.001, 0.004, np.nan])
    one_r = exits.stop_distance(atr_pct, atr_multiple=2.9, max_stop=0.01)
    assert one_r.iloc[0] == pytest.approx(0.0029)
    assert one_r.iloc[1] == 0.01
    assert np.isnan(one_r.iloc[2])
