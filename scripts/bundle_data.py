"""Copy the bundled slice of the real Binance development data into user_data/data/binance.

Usage: python scripts/bundle_data.py [SOURCE_DATADIR]   (default: ../shared/data/binance)

Reads each file with Freqtrade's feather data handler, keeps the rows inside the window listed
in BUNDLE, and writes them back with the same handler, so the bundle is in Freqtrade's own layout
and format. Nothing is resampled, filled or generated. user_data/data/README.md records the result.
"""

from __future__ import annotations

import sys
from pathlib import Path

from freqtrade.configuration import TimeRange
from freqtrade.data.history import get_datahandler
from freqtrade.enums import CandleType

REPO = Path(__file__).resolve().parents[1]
TARGET = REPO / "user_data" / "data" / "binance"

SPOT_5M = ["BTC/USDT", "ETH/USDT", "SOL/USDT", "DOGE/USDT", "XRP/USDT",
           "INJ/USDT", "OP/USDT", "SUI/USDT", "TAO/USDT", "ZEC/USDT"]
STABLE_5M = ["USDC/USDT", "FDUSD/USDT", "TUSD/USDT", "USDP/USDT", "XUSD/USDT"]
FUTURES = ["BTC/USDT:USDT", "ETH/USDT:USDT"]

# (pairs, timeframe, candle type, timerange "YYYYMMDD-YYYYMMDD" with an exclusive end)
BUNDLE: list[tuple[list[str], str, CandleType, str]] = [
    (SPOT_5M, "5m", CandleType.SPOT, "20250501-20251001"),
    (["BTC/USDT", "ETH/USDT"], "1m", CandleType.SPOT, "20250701-20250819"),
    (STABLE_5M, "5m", CandleType.SPOT, "20250101-20250420"),
    (FUTURES, "1m", CandleType.FUTURES, "20250504-20250625"),
    (FUTURES, "5m", CandleType.FUTURES, "20250401-20250701"),
    (FUTURES, "1h", CandleType.MARK, "20250401-20250701"),
    (FUTURES, "1h", CandleType.FUNDING_RATE, "20250401-20250701"),
]


def main(source: Path) -> None:
    src = get_datahandler(source, "feather")
    TARGET.mkdir(parents=True, exist_ok=True)
    dst = get_datahandler(TARGET, "feather")
    for pairs, timeframe, candle_type, timerange in BUNDLE:
        for pair in pairs:
            df = src.ohlcv_load(pair, timeframe, candle_type, fill_missing=False,
                                timerange=TimeRange.parse_timerange(timerange))
            if df.empty:
                raise SystemExit(f"No {candle_type} {timeframe} data for {pair} in {source}")
            dst.ohlcv_store(pair, timeframe, df, candle_type)
            print(f"{pair:16} {timeframe:3} {candle_type.value:13} {df['date'].iloc[0]} "
                  f"→ {df['date'].iloc[-1]} {len(df):>7} rows")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else REPO.parent / "shared" / "data" / "binance")
