"""Does the event study (research/common.py) trade like Freqtrade? Compares the screen's trades of
SmallCapSetupCandidate's rules with a Freqtrade export of the same window.

Prints, for the window: trades of each, trades with the same pair and entry candle, and the mean
net return per trade of each (Freqtrade's ``profit_ratio`` vs the screen's ``ret``), the matched
trades' mean absolute return difference, and exit-reason counts.

Run (after research/ft_runs.py wrote the export):
    .venv/bin/python research/check_fills.py --setup pullback --timerange 20250101-20251001 \
        --fee 0.00075
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from freqtrade.data.btanalysis import get_latest_backtest_filename

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ftpack.report import load_strategy_stats
from ftpack.tiers.momentum import setups
from research import common as C
from research import tier2_screen as T2

RESULTS = C.ROOT / "user_data" / "backtest_results" / "walkforward" / "tier2-candidate"


def screen_trades(setup: str, start: str, end: str, fee: float) -> pd.DataFrame:
    costs = C.Costs("check", fee, fee, 0.0)
    btc = C.load("BTC/USDT").set_index("date")["close"]
    btc_up = setups.trend_up(btc, 48)
    per_pair = {}
    for pair in C.spot_universe():
        df = C.load(pair)
        if setup == "pullback":
            sig = setups.consolidation_breakout(df, 48, 0.06, 12, 0.01)
        else:
            sig = setups.oversold_dip(df, 20, 3.0, 20)
        on = btc_up.reindex(df["date"]).fillna(False).to_numpy(bool)
        sig = sig.to_numpy(bool) & on & T2.entry_window(df)
        ex = C.Exits(stop=0.01, target=0.03, max_hold=72, cutoff_minute=T2.CUTOFF)
        per_pair[pair] = C.between(C.simulate(df, sig, ex, costs, 5), start, end)
    return T2.account_trades(per_pair)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--setup", default="pullback")
    ap.add_argument("--timerange", required=True)
    ap.add_argument("--fee", type=float, required=True)
    args = ap.parse_args(argv)
    a, b = args.timerange.split("-")
    start, end = f"{a[:4]}-{a[4:6]}-{a[6:]}", f"{b[:4]}-{b[4:6]}-{b[6:]}"
    folder = RESULTS / f"research-{args.timerange}" / f"fee{args.fee:g}"
    ft = pd.DataFrame(load_strategy_stats(folder / get_latest_backtest_filename(folder))["trades"])
    ft["entry_time"] = pd.to_datetime(ft["open_date"], utc=True)
    ours = screen_trades(args.setup, start, end, args.fee)
    merged = ft.merge(ours, left_on=["pair", "entry_time"], right_on=["pair", "entry_time"])
    print(
        f"window {start}..{end}, fee {args.fee}: Freqtrade {len(ft)} trades, screen {len(ours)}, "
        f"same pair and entry candle {len(merged)}"
    )
    print(
        f"mean net return per trade: Freqtrade {100 * ft['profit_ratio'].mean():.4f} %, "
        f"screen {100 * ours['ret'].mean():.4f} %"
    )
    if len(merged):
        diff = np.abs(merged["profit_ratio"] - merged["ret"])
        print(
            f"matched trades: mean |return difference| {100 * diff.mean():.4f} %, "
            f"max {100 * diff.max():.4f} %"
        )
    print("exit reasons, Freqtrade:", ft["exit_reason"].value_counts().to_dict())
    print("exit reasons, screen:", ours["reason"].value_counts().to_dict())


if __name__ == "__main__":
    main()
