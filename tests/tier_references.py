"""Reference trade lists of the three tiers: short real backtests on the bundled data.

Each tier is backtested through ``freqtrade-offline`` (in this process) on a few weeks of the
bundled Binance data and its trades are reduced to the columns that define a trade: pair, side,
dates, rates, amounts, stake, leverage, profit, funding, exit reason, entry tag and every exit
fill (``amount@price``, partial exits included). ``tests/test_tier_references.py`` re-runs the
backtests and compares the lists exactly, so a refactor that changes a trade fails.

A tier redesign that changes trades on purpose regenerates the files and commits them:

    .venv/bin/python tests/tier_references.py              # every tier
    .venv/bin/python tests/tier_references.py PerpScalper  # one tier
"""

from __future__ import annotations

import csv
import io
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from freqtrade.data.btanalysis import load_backtest_stats

from packtest import CONFIG_DIR, REPO, latest_result, run_freqtrade_offline

REFERENCES = Path(__file__).resolve().parent / "references"
COLUMNS = (
    "pair",
    "is_short",
    "open_date",
    "close_date",
    "open_rate",
    "close_rate",
    "amount",
    "stake_amount",
    "leverage",
    "profit_abs",
    "funding_fees",
    "exit_reason",
    "enter_tag",
    "exits",
)


@dataclass(frozen=True)
class TierRun:
    """One tier's reference backtest: its config, a window with trades, extra CLI arguments."""

    strategy: str
    config: str
    timerange: str
    extra: tuple[str, ...] = ()

    @property
    def path(self) -> Path:
        return REFERENCES / f"{self.strategy}.csv"


# Stablecoins at fee 0 (at 0.1 % the tier stays flat); the window holds the FDUSD de-peg and
# timeout exits. Tier 2 over August 2025 (stops, trails, hold limit, cut-off). Tier 3 over the
# whole bundled 1m futures range (partial exits, timeouts, regime exits).
RUNS = {
    run.strategy: run
    for run in (
        TierRun("StablecoinSpread", "backtest-tier1.json", "20250325-20250410", ("--fee", "0")),
        TierRun("SmallCapMomentum", "backtest-tier2.json", "20250801-20250901"),
        TierRun("PerpScalper", "backtest-tier3.json", "20250505-20250624"),
    )
}


def _text(value: Any) -> str:
    if value is None:
        return ""
    return repr(value) if isinstance(value, float) else str(value)


def _exits(trade: dict[str, Any]) -> str:
    fills = [o for o in trade["orders"] if not o["ft_is_entry"]]
    return ";".join(f"{o['amount']!r}@{o['safe_price']!r}" for o in fills)


def rows(trades: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The reference columns of exported trades as exact text (floats by ``repr``)."""
    table = []
    for trade in trades:
        row = {c: trade.get(c) for c in COLUMNS if c != "exits"}
        row["exits"] = _exits(trade)
        table.append({c: _text(row[c]) for c in COLUMNS})
    return table


def backtest(run: TierRun) -> list[dict[str, str]]:
    """Run the tier's backtest offline in this process; its trades as reference rows."""
    with tempfile.TemporaryDirectory() as out:
        run_freqtrade_offline(
            [
                "backtesting",
                "-c",
                str(CONFIG_DIR / run.config),
                "--timerange",
                run.timerange,
                *run.extra,
                "--cache",
                "none",
                "--export",
                "trades",
                "--backtest-directory",
                out,
            ]
        )
        stats = load_backtest_stats(latest_result(Path(out)))["strategy"][run.strategy]
    return rows(stats["trades"])


def to_text(table: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(table)
    return buffer.getvalue()


def read(run: TierRun) -> list[dict[str, str]]:
    """The committed reference rows of ``run``."""
    with run.path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def main(argv: list[str]) -> int:
    import os

    os.chdir(REPO)
    REFERENCES.mkdir(exist_ok=True)
    for name in argv or list(RUNS):
        run = RUNS[name]
        table = backtest(run)
        run.path.write_text(to_text(table), encoding="utf-8")
        print(f"{run.path.relative_to(REPO)}: {len(table)} trades ({run.timerange})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
