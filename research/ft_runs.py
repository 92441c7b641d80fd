"""Confirm a research design with real Freqtrade backtests over several windows and fees.

For each window x fee it runs ``freqtrade-offline backtesting`` on the development data
(``../shared/data/binance``) with ``--export trades``, summarises the result with
:mod:`ftpack.report`, audits it with the pack's risk audit, appends one line per run to
``research/trials/<tier>.jsonl`` and prints a markdown table (plus the stitched totals of all
windows per fee: trades, net profit, profit factor, worst day).

Run:  nice -n 15 .venv/bin/python research/ft_runs.py --tier tier1 \
          --config research/configs/tier1-stable-gap.json \
          --windows 20250101-20250201 20250201-20250301 --fees 0 0.001 [-- extra freqtrade args]
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ftpack.report import load_strategy_stats, summarize_backtest
from ftpack.walkforward import audit_summary, run_window
from research import common as C

DATADIR = str(C.DATA)


def run(
    tier: str, config: Path, windows: list[str], fees: list[float], extra: list[str], family: str
) -> list[str]:
    rows, commands, stitched = [], [], {fee: [] for fee in fees}
    for fee in fees:
        for window in windows:
            result, cmd = run_window(
                config, window, f"research-{window}", fee, ["--datadir", DATADIR, *extra]
            )
            m = summarize_backtest(result, fee=fee) | audit_summary(result, config)
            trades = pd.DataFrame(load_strategy_stats(result)["trades"])
            stitched[fee].append(trades)
            commands.append(shlex.join(cmd))
            C.record(
                tier,
                family,
                {"config": str(config), "extra": extra},
                window,
                f"{fee}",
                {
                    k: m[k]
                    for k in (
                        "trades",
                        "win_rate",
                        "profit_factor",
                        "profit_pct",
                        "max_drawdown_pct",
                        "worst_day_abs",
                        "breaches_filled",
                        "breaches_repriced",
                    )
                },
                "research/ft_runs.py",
            )
            rows.append(
                f"| {window} | {100 * fee:g} % | {m['trades']} | {100 * m['win_rate']:.1f} | "
                f"{m['profit_factor']:.2f} | {m['profit_pct']:.3f} | {m['max_drawdown_pct']:.2f} | "
                f"{m['worst_day_abs']:.2f} | {m['breaches_filled']} / {m['breaches_repriced']} |"
            )
    lines = [
        "| window | fee/side | trades | win % | PF | net % | max DD % | worst UTC day USDT | "
        "breaches filled / re-priced |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|",
        *rows,
        "",
    ]
    for fee, parts in stitched.items():
        t = (
            pd.concat([p for p in parts if not p.empty], ignore_index=True)
            if any(not p.empty for p in parts)
            else pd.DataFrame(columns=["profit_abs"])
        )
        wins, losses = t["profit_abs"].clip(lower=0).sum(), -t["profit_abs"].clip(upper=0).sum()
        pf = wins / losses if losses > 0 else float("nan")
        lines.append(
            f"All windows at {100 * fee:g} %: {len(t)} trades, net {t['profit_abs'].sum():.2f} "
            f"USDT, PF {pf:.2f}"
        )
    lines += ["", "Commands:", "", *[f"    {c}" for c in commands]]
    return lines


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tier", required=True)
    ap.add_argument("--family", default="freqtrade")
    ap.add_argument("--config", required=True, type=Path)
    ap.add_argument("--windows", nargs="+", required=True)
    ap.add_argument("--fees", nargs="+", type=float, required=True)
    ap.add_argument("extra", nargs="*")
    args = ap.parse_args(argv)
    config = args.config.resolve()
    print("\n".join(run(args.tier, config, args.windows, args.fees, args.extra, args.family)))


if __name__ == "__main__":
    main()
