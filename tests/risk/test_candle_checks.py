"""Bad candles (NaN prices, duplicate or unsorted times, gaps, zero volume) are named in a warning
and never give an entry; a corrupted neighbour pair leaves a clean pair's trades unchanged."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from freqtrade.data.btanalysis import load_backtest_stats
from risk_helpers import REPO, backtest_args, run_offline, write_layer

from packtest import load_strategy_class
from risk_protections import RiskManagedMixin
from risk_protections.candle_checks import candle_problems, refuse_bad_candles

DATA = REPO / "user_data" / "data" / "binance"
TIERS = (
    "StablecoinSpread",
    "SmallCapMomentum",
    "PerpScalper",
    "SmallCapMomentumML",
    "PerpScalperML",
)


def corrupt(frame: pd.DataFrame, start: int) -> tuple[pd.DataFrame, dict[str, list]]:
    """Real candles with every kind of damage from row ``start`` on, and the damaged dates."""
    frame = frame.copy()
    at = frame["date"].iloc
    frame.loc[frame.index[start], "close"] = np.nan
    frame.loc[frame.index[start + 10], ["high", "low"]] = np.nan
    frame.loc[frame.index[start + 20 : start + 24], "volume"] = 0.0
    duplicate = frame.iloc[[start + 30]].assign(close=frame["close"].iloc[start + 30] * 1.05)
    dates = {
        "nan": [at[start], at[start + 10]],
        "zero_volume": list(at[start + 20 : start + 24]),
        "duplicate": [at[start + 30]],
        "unsorted": [at[start + 40]],
        "gap": [at[start + 41], at[start + 56]],  # the later swapped row came early
    }
    swapped = frame.iloc[[start + 41, start + 40]]
    frame = pd.concat(
        [
            frame.iloc[: start + 31],
            duplicate,
            frame.iloc[start + 31 : start + 40],
            swapped,
            frame.iloc[start + 42 : start + 50],
            frame.iloc[start + 56 :],  # six candles missing
        ],
        ignore_index=True,
    )
    return frame, dates


def real_candles(pair: str = "ETH_USDT") -> pd.DataFrame:
    return pd.read_feather(DATA / f"{pair}-5m.feather")


def test_each_problem_is_found_at_its_candle() -> None:
    frame, dates = corrupt(real_candles().iloc[:200], 50)
    problems = candle_problems(frame, "5m")
    for name, expected in dates.items():
        found = list(frame.loc[problems[name], "date"])
        assert found == expected, name
    assert not candle_problems(real_candles().iloc[:2000], "5m").any(axis=None)


def test_bad_candles_lose_their_entry_and_are_named_once(caplog: pytest.LogCaptureFixture) -> None:
    frame, dates = corrupt(real_candles().iloc[:200], 50)
    frame["enter_long"] = 1
    warned: dict = {}
    with caplog.at_level(logging.WARNING):
        out = refuse_bad_candles(frame.copy(), "ETH/USDT", "5m", set(), warned)
        refuse_bad_candles(frame.copy(), "ETH/USDT", "5m", set(), warned)  # the next candle
    bad = {d for ds in dates.values() for d in ds}
    assert set(out.loc[out["enter_long"] == 0, "date"]) == bad
    assert len(caplog.records) == len(dates)  # one line per problem, not repeated
    assert caplog.records[0].getMessage() == (
        f"data check: ETH/USDT 5m: 2 candle(s) with NaN or infinite open/high/low/close, first "
        f"{dates['nan'][0]:%Y-%m-%d %H:%M}, last {dates['nan'][1]:%Y-%m-%d %H:%M} UTC; "
        "no entry on them."
    )
    refused = {frame["date"].iloc[5]}  # a date found in the raw file before the backtest
    out = refuse_bad_candles(frame.copy(), "ETH/USDT", "5m", refused, warned)
    assert out["enter_long"].iloc[5] == 0 and out["enter_long"].iloc[6] == 1


@pytest.mark.parametrize("tier", TIERS)
def test_every_tier_uses_the_checked_entry_path(tier: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(REPO / "user_data" / "strategies"))  # the ML tiers' bases
    assert load_strategy_class(tier).advise_entry is RiskManagedMixin.advise_entry


def _trades(tmp_path: Path, datadir: Path, layer: Path, name: str) -> pd.DataFrame:
    out = tmp_path / f"results-{name}"
    out.mkdir()
    run_offline(
        backtest_args(
            [layer],
            pairs=("BTC/USDT", "ETH/USDT"),
            timerange="20250601-20250615",
            extra=(
                "--datadir",
                str(datadir),
                "--max-open-trades",
                "2",
                "--export",
                "trades",
                "--backtest-directory",
                str(out),
            ),
        )
    )
    trades = pd.DataFrame(load_backtest_stats(out)["strategy"]["RiskProbe"]["trades"])
    return trades[["pair", "open_date", "close_date", "open_rate", "close_rate", "amount"]]


@pytest.mark.slow
def test_corrupted_neighbour_leaves_clean_pair_trades_unchanged(
    in_repo: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Account-wide rules loose enough (within the pack's bounds) that one pair's trades cannot
    # size or lock the other's: a fixed $10 cap, room for both stakes, no loss-streak pause.
    layer = write_layer(
        tmp_path,
        "independent.json",
        {
            "risk": {
                "risk_per_trade_abs": 10,
                "max_deployed": 0.8,
                "daily_loss_limit": 0.1,
                "weekly_loss_limit": 0.2,
                "consecutive_losses": 1000,
            }
        },
    )
    clean, damaged = tmp_path / "clean", tmp_path / "damaged"
    for folder in (clean, damaged):
        folder.mkdir()
        for pair in ("BTC_USDT", "ETH_USDT"):
            shutil.copy(DATA / f"{pair}-5m.feather", folder)
    eth = real_candles()
    first = int(eth.index[eth["date"] == pd.Timestamp("2025-06-03 00:00", tz="UTC")][0])
    broken, dates = corrupt(eth, first)
    broken.to_feather(damaged / "ETH_USDT-5m.feather")

    before = _trades(tmp_path, clean, layer, "clean")
    with caplog.at_level(logging.WARNING):
        after = _trades(tmp_path, damaged, layer, "damaged")

    btc = before["pair"] == "BTC/USDT"
    assert btc.sum() >= 5
    pd.testing.assert_frame_equal(
        before[btc].reset_index(drop=True),
        after[after["pair"] == "BTC/USDT"].reset_index(drop=True),
    )
    warnings = [r.getMessage() for r in caplog.records if "data check: ETH/USDT" in r.getMessage()]
    for name, expected in dates.items():
        text = f"first {min(expected):%Y-%m-%d %H:%M}"
        assert any(text in w and f"{len(expected)} candle(s)" in w for w in warnings), name
    bad = {d for ds in dates.values() for d in ds}
    signal_candles = pd.to_datetime(after.loc[after["pair"] == "ETH/USDT", "open_date"]) - (
        pd.Timedelta(minutes=5)
    )
    assert not bad & set(signal_candles)
