"""Count the variants tried per tier and family from the trial ledgers (research/trials/*.jsonl).

"evaluations" = ledger lines (every run of every variant, reruns included); "distinct" = distinct
variant ids (family + parameters; for Freqtrade runs also the window and fee). The Deflated
Sharpe Ratio should use the distinct count (or the evaluations, to be conservative).

Run:  .venv/bin/python research/count_trials.py          (counts)
      .venv/bin/python research/count_trials.py tier2    (in-sample summary per family)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ftpack.evaluate.trials import ledger_counts
from research.common import TRIALS


def counts() -> dict[str, dict[str, tuple[int, int]]]:
    """{tier: {family: (evaluations, distinct variants)}} (``ftpack.evaluate.trials``)."""
    return {path.stem: ledger_counts(path) for path in sorted(TRIALS.glob("*.jsonl"))}


def family_summary(tier: str) -> str:
    """Whole-history (in-sample) results per family of a screen's ledger: how many variants, their
    median trade count and mean net return per trade, the best net profit, how many were > 0."""
    import pandas as pd

    rows = [json.loads(line) for line in (TRIALS / f"{tier}.jsonl").read_text().splitlines()]
    rows = [r for r in rows if r["script"] != "research/ft_runs.py"]
    df = pd.DataFrame(
        [{"family": r["family"], "variant": r["variant"], **r["metrics"]} for r in rows]
    )
    df = df.drop_duplicates("variant", keep="last")
    positive = df[df["net_pct"] > 0]
    g = df.groupby("family").agg(
        variants=("variant", "count"),
        median_trades=("trades", "median"),
        median_mean_trade_pct=("mean_ret_pct", "median"),
        best_net_pct=("net_pct", "max"),
        variants_net_positive=("net_pct", lambda x: int((x > 0).sum())),
    )
    g["most_trades_of_a_positive"] = positive.groupby("family")["trades"].max()
    return g.fillna(0).round(3).to_markdown()


def main() -> None:
    if len(sys.argv) > 1:
        print(family_summary(sys.argv[1]))
        return
    print("| tier | family | evaluations | distinct variants |")
    print("|---|---|---:|---:|")
    for tier, fams in counts().items():
        for fam, (n, d) in fams.items():
            print(f"| {tier} | {fam} | {n} | {d} |")
        print(
            f"| {tier} | **all** | {sum(n for n, _ in fams.values())} | "
            f"{sum(d for _, d in fams.values())} |"
        )


if __name__ == "__main__":
    main()
