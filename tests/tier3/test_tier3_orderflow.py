"""Order-flow surge: trades-based delta when Freqtrade's orderflow columns exist, else the proxy."""

import numpy as np
import pandas as pd
import pytest

from ftpack.tiers import indicators


def frame(rows: list[tuple[float, float, float, float, float]]) -> pd.DataFrame:
    """Hand-built candles (open, high, low, close, volume)."""
    return pd.DataFrame(rows, columns=["open", "high", "low", "close", "volume"])


CANDLES = frame(
    [
        (10, 11, 9, 10.5, 4.0),  # CLV 0.75 -> proxy 4 * 0.5 = 2
        (10, 11, 9, 9.5, 2.0),  # CLV 0.25 -> proxy -1
        (10, 10, 10, 10, 3.0),  # flat -> CLV 0.5, proxy 0
        (10, 12, 8, 12, 6.0),  # CLV 1 -> proxy 6
    ]
)


def test_proxy_without_trades_columns():
    assert indicators.candle_flow(CANDLES)[0].tolist() == [0.75, 0.25, 0.5, 1.0]
    assert indicators.orderflow_delta(CANDLES).tolist() == [2.0, -1.0, 0.0, 6.0]
    # surge at row 3: 6 / mean(|2|, |-1|, |0|) = 6 / 1 = 6
    surge = indicators.orderflow_surge(CANDLES, window=3)
    assert surge.iloc[:3].isna().all()
    assert surge.iloc[3] == pytest.approx(6.0)


def test_trades_delta_wins_and_missing_rows_fall_back_to_proxy():
    with_trades = CANDLES.assign(delta=[1.0, np.nan, -2.0, 9.0])
    assert indicators.orderflow_delta(with_trades).tolist() == [1.0, -1.0, -2.0, 9.0]
    # surge at row 3: 9 / mean(1, 1, 2) = 9 / (4/3)
    assert indicators.orderflow_surge(with_trades, window=3).iloc[3] == pytest.approx(6.75)


def test_bad_and_empty_candles_give_nan_not_errors():
    bad = frame([(10, 9, 11, 10, 1.0), (np.nan,) * 5, (10, 11, 9, 12, 1.0), (10, 11, 9, 10, -1)])
    assert indicators.orderflow_delta(bad).isna().all()
    assert indicators.candle_flow(bad)[0].isna().all()
    assert indicators.orderflow_surge(bad, window=2).isna().all()
    assert indicators.orderflow_surge(CANDLES.iloc[:0], window=3).empty
