"""Tier 1 (stablecoins): the data behind a stablecoin-specific gap bound, and the account-level
statistics of the Freqtrade runs that research/ft_runs.py exported for it.

1. Gap table: per stablecoin/USDT pair, the worst drop from one 5m close to the next candle's low,
   the largest |close - 1| in bp, and the loss of a position held at the close before the de-peg
   guard's first trigger (|close - 1| > 50 bp) and sold at the next candle's open.
2. Stake: the risk layer's gap bound, stake <= gap_cap_multiple x cap / (gap + fee), for the alt
   gap (15 %) and the stablecoin gap (3 %), at 0.1 % risk per trade.
3. Account statistics of the exported runs (per fee): trades, PF, net, max drawdown of closed
   equity, worst UTC day, mean daily return with its stationary-bootstrap 95 % CI, monthly mean;
   also for the part after the strategy's tuning window (from 2025-03-15).

Run:  .venv/bin/python research/tier1_summary.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
from freqtrade.data.btanalysis import get_latest_backtest_filename

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ftpack.report import load_strategy_stats
from research import common as C

USD_STABLES = ["USDC", "FDUSD", "TUSD", "USDP", "USD1"]
RUNS = C.ROOT / "user_data" / "backtest_results" / "walkforward"
WINDOWS = ["20250101-20250201", "20250201-20250301", "20250301-20250401", "20250401-20250420"]
TUNED_UNTIL = "2025-03-15"
BALANCE = 1000.0


def gap_table(peg_limit_bps: float = 50.0) -> list[str]:
    lines = [
        "| pair | worst close → next low % | max abs(close − 1) bp | loss held into the guard's "
        "first trigger, sold next open % |",
        "|---|---:|---:|---:|",
    ]
    for coin in USD_STABLES:
        df = C.load(f"{coin}/USDT")
        c = df["close"]
        drop = (df["low"] / c.shift(1) - 1).min()
        outside = (c - 1).abs() * 1e4 > peg_limit_bps
        trigger = outside & ~outside.shift(1, fill_value=False)
        idx = np.flatnonzero(trigger.to_numpy())
        idx = idx[(idx >= 1) & (idx + 1 < len(df))]
        loss = (
            (df["open"].to_numpy()[idx + 1] / c.to_numpy()[idx - 1] - 1).min() if len(idx) else 0.0
        )
        lines.append(
            f"| {coin}/USDT | {100 * drop:.2f} | {1e4 * (c - 1).abs().max():.0f} | "
            f"{100 * min(loss, 0.0):.2f} |"
        )
    return lines


def stake_table(
    risk_per_trade: float = 0.001, multiple: float = 3.0, fee: float = 0.0
) -> list[str]:
    lines = ["| gap bound | largest stake (share of the account) |", "|---:|---:|"]
    for gap in (0.15, 0.03):
        lines.append(
            f"| {100 * gap:g} % | {100 * multiple * risk_per_trade / (gap + 2 * fee):.1f} % |"
        )
    return lines


def run_stats(config_stem: str, fee: float) -> list[str]:
    parts = []
    for w in WINDOWS:
        folder = RUNS / config_stem / f"research-{w}" / f"fee{fee:g}"
        if folder.exists():
            parts.append(
                pd.DataFrame(
                    load_strategy_stats(folder / get_latest_backtest_filename(folder))["trades"]
                )
            )
    parts = [p for p in parts if not p.empty]
    if not parts:
        return [f"| {config_stem} | {100 * fee:g} % | all | 0 | | | | | | |"]
    t = pd.concat(parts, ignore_index=True)
    t["exit_time"] = pd.to_datetime(t["close_date"], utc=True)
    t["entry_time"] = pd.to_datetime(t["open_date"], utc=True)
    t["ret"] = t["profit_abs"] / BALANCE  # account return per trade; stake 1.0 below
    rows = []
    for name, start in (
        ("2025-01-01..2025-04-20", "2025-01-01"),
        ("after tuning 2025-03-15..04-20", TUNED_UNTIL),
    ):
        part = C.between(t, start, "2025-04-20")
        m = C.metrics(part, 1.0, start, "2025-04-20", ci=True)
        months = (pd.Timestamp("2025-04-20") - pd.Timestamp(start)).days / 30.44
        wins, losses = (
            part["profit_abs"].clip(lower=0).sum(),
            -part["profit_abs"].clip(upper=0).sum(),
        )
        pf = wins / losses if losses > 0 else float("inf")
        rows.append(
            f"| {config_stem} | {100 * fee:g} % | {name} | {m['trades']} | {pf:.2f} | "
            f"{m['net_pct']:.3f} | {m['max_dd_pct']:.3f} | {m['worst_day_pct']:.3f} | "
            f"{m['mean_daily_pct']:.5f} [{m['ci_daily_pct'][0]:.5f}, {m['ci_daily_pct'][1]:.5f}] | "
            f"{m['net_pct'] / months:.3f} |"
        )
    return rows


def main() -> None:
    print(
        "\n".join(
            [
                "#### Stablecoin moves (5m, development data)",
                "",
                *gap_table(),
                "",
                "#### Stake allowed at 0.1 % risk per trade (gap_cap_multiple 3)",
                "",
                *stake_table(),
                "",
                "#### StablecoinSpread, Freqtrade runs (research/ft_runs.py)",
                "",
                "| config | fee/side | period | trades | PF | net % | max DD % | worst day % | "
                "mean daily % [95 % CI] | per month % |",
                "|---|---|---|---:|---:|---:|---:|---:|---|---:|",
                *run_stats("tier1-stable-gap", 0.0),
                *run_stats("tier1-stable-gap", 0.001),
                *run_stats("backtest-tier1", 0.0),
            ]
        )
    )


if __name__ == "__main__":
    main()
