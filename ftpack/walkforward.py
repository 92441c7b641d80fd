"""Walk-forward report: the same offline backtest on a tuning window and on a later test window.

    python -m ftpack.walkforward --config user_data/config/backtest-tier2.json \
        [--tune 20250501-20250801 --test 20250801-20251001] [--fee 0.001] [-- extra args]

The windows default to the config's own ``"walkforward": {"tune": …, "test": …}`` entry, so each
tier's backtest config records where it was tuned and where it is reported; an optional
``"fees": [0.001, 0.0]`` there runs both windows once per fee level (``--fee`` overrides it).

Each window runs ``freqtrade-offline backtesting`` in its own process with ``--export signals``
(readable by ``freqtrade backtesting-analysis`` too) into
``user_data/backtest_results/walkforward/<config>/<window>``. The exported result is
summarised with :mod:`ftpack.report` and audited with :mod:`risk_protections.audit` (breaches as
Freqtrade filled the exits / with stop exits re-priced at the exit candle's worst price, and the
re-priced worst trade and day). The table, with the exact commands, is printed and written to
``results/<Strategy>.md``. Parameters are chosen on the tune window only; the test window is
reported as it comes out.
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

from freqtrade.configuration.load_config import load_config_file, load_from_files
from freqtrade.data.btanalysis import get_latest_backtest_filename

from ftpack.report import summarize_backtest
from risk_protections.audit import audit_backtest

REPO = Path(__file__).resolve().parents[1]
RESULTS_DIR = REPO / "results"

COLUMNS: list[tuple[str, str]] = [
    ("window", "window"),
    ("fee", "fee/side"),
    ("timerange", "range (UTC)"),
    ("trades", "trades"),
    ("win_rate", "win %"),
    ("profit_factor", "profit factor"),
    ("profit", "profit USDT (%)"),
    ("max_drawdown", "max DD USDT (%)"),
    ("sharpe", "Sharpe"),
    ("calmar", "Calmar"),
    ("worst_trade", "worst trade USDT (%)"),
    ("worst_day_abs", "worst UTC day USDT"),
    ("buy_hold_pct", "buy & hold %"),
    ("funding_abs", "funding USDT"),
    ("time_in_market_pct", "time in market %"),
    ("breaches", "risk breaches filled / re-priced"),
    ("repriced_worst", "re-priced worst trade / day USDT"),
]


def config_walkforward(config: Path) -> dict[str, Any]:
    """The ``walkforward`` entry ({"tune": range, "test": range, "fees": [...]}) of a config."""
    return load_config_file(str(config)).get("walkforward", {})


def run_window(config: Path, timerange: str, name: str, fee: float | None,
               extra: list[str]) -> tuple[Path, list[str]]:
    """Run one offline backtest; return its exported result file and the command used."""
    outdir = REPO / "user_data" / "backtest_results" / "walkforward" / config.stem / name
    if fee is not None:
        outdir = outdir / f"fee{fee:g}"
    outdir.mkdir(parents=True, exist_ok=True)
    cmd = ["freqtrade-offline", "backtesting", "-c", str(config.relative_to(REPO)),
           "--timerange", timerange, "--export", "signals",
           "--backtest-directory", str(outdir.relative_to(REPO))]
    if fee is not None:
        cmd += ["--fee", str(fee)]
    cmd += extra
    subprocess.run([sys.executable, "-m", "ftpack.offline", *cmd[1:]], cwd=REPO, check=True)
    return outdir / get_latest_backtest_filename(outdir), cmd


def audit_summary(result: Path, config: Path) -> dict[str, Any]:
    """Risk-audit figures of one exported backtest (losses as negative amounts)."""
    report = audit_backtest(result, load_from_files([str(config)]))
    rules = report.repriced.rules
    return {
        "breaches_filled": len(report.breaches),
        "breaches_repriced": len(report.repriced_breaches),
        "repriced_worst_trade_abs": 0.0 - rules["trade_cap"].worst,
        "repriced_worst_day_abs": 0.0 - rules["daily_loss"].worst,
    }


def format_row(window: str, m: dict[str, Any]) -> dict[str, str]:
    """Render one summary dict (report metrics plus audit figures) as table cells."""
    return {
        "window": window,
        "fee": f"{100 * m['fee']:g} %" if m["fee"] is not None else "market",
        "timerange": m["timerange"],
        "trades": str(m["trades"]),
        "win_rate": f"{100 * m['win_rate']:.1f}",
        "profit_factor": f"{m['profit_factor']:.2f}",
        "profit": f"{m['profit_abs']:.2f} ({m['profit_pct']:.2f} %)",
        "max_drawdown": f"{m['max_drawdown_abs']:.2f} ({m['max_drawdown_pct']:.2f} %)",
        "sharpe": f"{m['sharpe']:.2f}",
        "calmar": f"{m['calmar']:.2f}",
        "worst_trade": f"{m['worst_trade_abs']:.2f} ({m['worst_trade_pct']:.2f} %)",
        "worst_day_abs": f"{m['worst_day_abs']:.2f}",
        "buy_hold_pct": f"{m['buy_hold_pct']:.2f}",
        "funding_abs": f"{m['funding_abs']:.2f}",
        "time_in_market_pct": f"{m['time_in_market_pct']:.1f}",
        "breaches": f"{m['breaches_filled']} / {m['breaches_repriced']}",
        "repriced_worst": (
            f"{m['repriced_worst_trade_abs']:.2f} / {m['repriced_worst_day_abs']:.2f}"
        ),
    }


def markdown_table(rows: list[dict[str, str]]) -> str:
    """A GitHub markdown table of the formatted rows, in COLUMNS order."""
    head = "| " + " | ".join(title for _, title in COLUMNS) + " |"
    rule = "|" + "|".join("---" for _ in COLUMNS) + "|"
    body = ["| " + " | ".join(r[key] for key, _ in COLUMNS) + " |" for r in rows]
    return "\n".join([head, rule, *body])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--tune", help="tuning timerange YYYYMMDD-YYYYMMDD (default: config)")
    parser.add_argument("--test", help="later test timerange YYYYMMDD-YYYYMMDD (default: config)")
    parser.add_argument("--fee", type=float, default=None, help="fee per side, e.g. 0.001")
    parser.add_argument("extra", nargs="*", help="extra freqtrade backtesting args (after --)")
    args = parser.parse_args(argv)

    config = args.config.resolve()
    entry = config_walkforward(config)
    windows = {"tune": args.tune or entry.get("tune"), "test": args.test or entry.get("test")}
    if not all(windows.values()):
        parser.error(f"{args.config}: give --tune and --test, or a 'walkforward' config entry")
    fees = [args.fee] if args.fee is not None else entry.get("fees", [None])
    config_fee = load_from_files([str(config)]).get("fee")
    rows, commands, summaries = [], [], {}
    for fee in fees:
        for window, timerange in windows.items():
            result, cmd = run_window(config, timerange, window, fee, args.extra)
            run_fee = fee if fee is not None else config_fee
            summary = summarize_backtest(result, fee=run_fee) | audit_summary(result, config)
            summaries[window] = summary
            rows.append(format_row(window, summary))
            commands.append(shlex.join(cmd))

    strategy = summaries["test"]["strategy"]
    text = "\n".join([
        f"### {strategy}: walk-forward (tune → test)",
        "",
        f"Pairs: {', '.join(summaries['test']['pairs'])}. "
        f"Starting balance: {summaries['test']['starting_balance']:.0f} USDT. "
        "Bundled real Binance data. Produced by:",
        "",
        "```",
        shlex.join(["python", "-m", "ftpack.walkforward", *(argv or sys.argv[1:])]),
        *commands,
        "```",
        "",
        markdown_table(rows),
        "",
    ])
    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / f"{strategy}.md"
    out.write_text(text)
    print(text)
    print(f"Written to {out}")


if __name__ == "__main__":
    main()
