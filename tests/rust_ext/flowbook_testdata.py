"""Helpers shared by the flowbook tests: paths and loaders of the real Binance data beside the
repository (imported by name; this folder's conftest.py only holds the ``data_dir`` fixture)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"

#: Every real trades file with a footprint bin size suited to its price.
TRADE_FILES = {
    "binance/BTC_USDT-trades.feather": 5.0,
    "binance/ETH_USDT-trades.feather": 0.5,
    "binance/PEPE_USDT-trades.feather": 1e-8,
    "binance/XRP_ETH-trades.feather": 1e-7,
    "binance/futures/APE_USDT_USDT-trades.feather": 0.001,
    "binance/futures/BTC_USDT_USDT-trades.feather": 5.0,
    "binance/futures/ETH_USDT_USDT-trades.feather": 0.5,
}


def load_trades(relative: str) -> pd.DataFrame:
    """A trades file as Freqtrade's data handler returns it (with its ``date`` column)."""
    trades = pd.read_feather(DATA / relative)
    trades["date"] = pd.to_datetime(trades["timestamp"], unit="ms", utc=True)
    return trades


def candle_frame(trades: pd.DataFrame, tf_ms: int) -> pd.DataFrame:
    """Candle rows for every candle holding trades plus the (often empty) candle after it."""
    stamps = trades["timestamp"].to_numpy()
    starts = np.unique(stamps - stamps % tf_ms)
    dates = np.union1d(starts, starts + tf_ms)
    return pd.DataFrame({"date": pd.to_datetime(dates, unit="ms", utc=True)})
