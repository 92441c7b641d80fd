"""5m/1h context merge: same values as Freqtrade's merge_informative_pair, and no look-ahead."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from freqtrade.strategy import merge_informative_pair

from ftpack.tiers.scalping.context import COLUMNS, merge_closed, merge_context, regime_5m

FUTURES = Path(__file__).resolve().parents[2] / "user_data" / "data" / "binance" / "futures"


def load(name: str) -> pd.DataFrame:
    return pd.read_feather(FUTURES / f"{name}.feather")


@pytest.fixture(scope="module")
def real():
    one = load("BTC_USDT_USDT-1m-futures").iloc[20000:21500].reset_index(drop=True)
    five = load("BTC_USDT_USDT-5m-futures")
    funding = load("BTC_USDT_USDT-1h-funding_rate")
    return one, five, funding


def test_merge_closed_matches_merge_informative_pair(real):
    one, five, funding = real
    inf = regime_5m(five)
    ours = merge_closed(one["date"], "1m", inf, "5m")
    theirs = merge_informative_pair(one[["date"]], inf.copy(), "1m", "5m", ffill=False)
    for col in ("er", "trend", "roc", "ret"):
        # merge_informative_pair without ffill only fills the 1m row where a 5m candle closes
        hit = theirs["date_5m"].notna().to_numpy()
        np.testing.assert_allclose(ours[col][hit], theirs[f"{col}_5m"].to_numpy()[hit])
    rate = funding.rename(columns={"funding_rate": "rate"})
    ours = merge_closed(one["date"], "1m", rate, "1h")
    theirs = merge_informative_pair(one[["date"]], rate.copy(), "1m", "1h", ffill=True)
    np.testing.assert_allclose(ours["rate"], theirs["rate_1h"].to_numpy())


def test_a_5m_candle_is_seen_only_after_it_closes():
    dates = pd.Series(pd.date_range("2025-06-01 00:00", periods=12, freq="1min", tz="UTC"))
    five = pd.DataFrame(
        {
            "date": pd.date_range("2025-06-01 00:00", periods=3, freq="5min", tz="UTC"),
            "x": [1.0, 2.0, 3.0],
        }
    )
    x = merge_closed(dates, "1m", five, "5m")["x"]
    # 1m candle 00:04 closes at 00:05 with the 00:00 5m candle; 00:09 closes with 00:05's
    assert np.isnan(x[:4]).all()
    assert x[4:9].tolist() == [1.0] * 5
    assert x[9:12].tolist() == [2.0] * 3


def test_context_with_missing_sources_is_nan_not_an_error(real):
    one, five, _ = real
    empty = five.iloc[:0]
    ctx = merge_context(one["date"], "1m", five, [five, empty], empty)
    assert set(ctx) == set(COLUMNS)
    assert np.isnan(ctx["market_ret_5m"]).all() and np.isnan(ctx["funding_rate_1h"]).all()
    assert np.isfinite(ctx["er_5m"][-100:]).all()
