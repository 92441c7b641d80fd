"""Evidence for the FreqAI models: one offline walk-forward FreqAI backtest, per-window metrics,
and the tier with vs. without the ML gate on the same later data.

    python -m ftpack.ml_evidence --config user_data/config/freqai-spot.json \
        --baseline user_data/config/backtest-tier2.json [--timerange …] [-- extra args]

1. Deletes ``user_data/models/<identifier>`` so every window is trained afresh, then runs
   ``freqtrade-offline backtesting`` on ``--config`` with the ML gate on (probability and
   regime). FreqAI retrains every ``backtest_period_days`` on the preceding
   ``train_period_days``.
2. From that run's log, per window and pair: FreqAI's own training time (``Done training``,
   wall clock) and the model's ``ftpack-ml window`` line (the fit's CPU seconds, validation
   AUC, precision at the chosen threshold with the class base rate, regime accuracy, selected
   features); the machine's load average is printed with them.
3. Re-runs the variants (gate on probability only, on regime only, ML sizing without the
   gate) on the saved predictions and
   the rule-only tier (``--baseline``); prints the trades opened per test window for each run
   and one comparison table (the metrics and the risk audit's breach counts of
   :mod:`ftpack.report`).

Prints markdown and writes it to ``results/ml/<Strategy>.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from freqtrade.configuration.load_config import load_from_files
from freqtrade.data.btanalysis import get_latest_backtest_filename, load_backtest_stats

from ftpack.report import audit_summary, format_row, markdown_table, summarize_backtest

REPO = Path(__file__).resolve().parents[1]
OUT_DIR = REPO / "results" / "ml"
RUN_DIR = REPO / "user_data" / "backtest_results" / "ml-evidence"

TRAINING = re.compile(
    r"Training (?P<pair>\S+), \d+/\d+ pairs from (?P<start>\S+ \S+) to (?P<end>\S+ \S+), "
    r"\d+/\d+ trains"
)
WINDOW = re.compile(r"ftpack-ml window (?P<json>\{.*\})")
DONE = re.compile(r"Done training (?P<pair>\S+) \((?P<secs>[\d.]+) secs\)")

# name -> ml_gate overrides (Freqtrade reads FREQTRADE__<SECTION>__<KEY> environment variables)
GATE_VARIANTS: dict[str, dict[str, bool]] = {
    "ML gate: probability + regime": {"enabled": True},
    "ML gate: probability only": {"enabled": True, "use_regime": False},
    "ML gate: regime only": {"enabled": True, "use_probability": False},
    "ML sizing only: stake x min(1, P/threshold)": {"size_by_probability": True},
}


@dataclass
class Window:
    """One pair's training window as logged by FreqAI and the model."""

    pair: str
    train_start: pd.Timestamp
    train_end: pd.Timestamp
    seconds: float | None = None
    metrics: dict[str, Any] = field(default_factory=dict)


def parse_log(text: str) -> list[Window]:
    """Windows in log order; a window reused from saved predictions has no seconds/metrics."""
    windows: list[Window] = []
    for line in text.splitlines():
        if m := TRAINING.search(line):
            windows.append(Window(m["pair"], pd.Timestamp(m["start"], tz="UTC"),
                                  pd.Timestamp(m["end"], tz="UTC")))
        elif (m := WINDOW.search(line)) and windows:
            windows[-1].metrics = json.loads(m["json"])
        elif (m := DONE.search(line)) and windows and windows[-1].pair == m["pair"]:
            windows[-1].seconds = float(m["secs"])
    return windows


def run_backtest(configs: list[str], name: str, timerange: str | None, extra: list[str],
                 gate: dict[str, bool] | None = None) -> tuple[Path, str, str]:
    """One offline backtest with export into ``RUN_DIR/<first config>/<name>``; returns
    (result file, log text, command).
    """
    outdir = RUN_DIR / Path(configs[0]).stem / name
    shutil.rmtree(outdir, ignore_errors=True)
    outdir.mkdir(parents=True)
    logfile = outdir / "freqtrade.log"
    args = ["backtesting"]
    for config in configs:
        args += ["-c", config]
    if timerange:
        args += ["--timerange", timerange]
    args += ["--export", "signals", "--backtest-directory", str(outdir.relative_to(REPO)),
             "--logfile", str(logfile.relative_to(REPO)), *extra]
    env = dict(os.environ)
    for key, value in (gate or {}).items():
        env[f"FREQTRADE__ML_GATE__{key.upper()}"] = str(value).lower()
    done = subprocess.run([sys.executable, "-m", "ftpack.offline", *args], cwd=REPO, env=env,
                          capture_output=True, text=True)
    if done.returncode:
        sys.stderr.write(done.stderr[-5000:])
        raise SystemExit(f"backtest {name} failed (exit {done.returncode}); log: {logfile}")
    prefix = " ".join(f"FREQTRADE__ML_GATE__{k.upper()}={str(v).lower()}"
                      for k, v in (gate or {}).items())
    command = f"{prefix} freqtrade-offline {shlex.join(args)}".strip()
    return outdir / get_latest_backtest_filename(outdir), logfile.read_text(), command


def trades_by_window(result: Path, starts: list[pd.Timestamp], days: int) -> list[str]:
    """Per test window [start, start + days): "trades (wins), profit USDT" of those opened in it."""
    stats = load_backtest_stats(result)["strategy"]
    trades = pd.DataFrame(next(iter(stats.values()))["trades"])
    cells = []
    for start in starts:
        if trades.empty:
            cells.append("0 (0), 0.00")
            continue
        opened = pd.to_datetime(trades["open_date"], utc=True)
        mine = trades[(opened >= start) & (opened < start + pd.Timedelta(days=days))]
        cells.append(f"{len(mine)} ({int((mine['profit_abs'] > 0).sum())}), "
                     f"{mine['profit_abs'].sum():.2f}")
    return cells


def _fmt(value: Any, digits: int = 3) -> str:
    return "n/a" if value is None or value != value else f"{value:.{digits}f}"


def window_table(windows: list[Window], gate_classes: list[str], days: int) -> str:
    """Markdown: one row per (window, pair) with training time and validation metrics."""
    head = ["test window (UTC)", "pair", "train s", "fit CPU s", "train rows"]
    for cls in gate_classes:
        head += [f"AUC {cls}", f"P({cls}) threshold", f"precision {cls} (base rate)",
                 f"signal share {cls}"]
    head += ["regime accuracy", "features"]
    rows = []
    for w in windows:
        tb, regime = w.metrics.get("&-tb", {}), w.metrics.get("&-regime", {})
        end = w.train_end + pd.Timedelta(days=days)
        row = [f"{w.train_end:%Y-%m-%d} → {end:%Y-%m-%d}", w.pair, _fmt(w.seconds, 2),
               _fmt(w.metrics.get("fit_cpu_seconds"), 2), str(tb.get("n_train", "n/a"))]
        for cls in gate_classes:
            gate = tb.get(f"gate_{cls}", {})
            row += [_fmt(tb.get(f"auc_{cls}")), _fmt(gate.get("threshold")),
                    f"{_fmt(gate.get('precision'))} ({_fmt(gate.get('base_rate'))})",
                    _fmt(gate.get("signal_share"), 2)]
        row += [_fmt(regime.get("accuracy")), str(len(tb.get("features", [])))]
        rows.append(row)
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])


def trades_table(starts: list[pd.Timestamp], days: int, runs: dict[str, list[str]]) -> str:
    """Markdown: trades (wins) and their profit per test window, one column per run."""
    head = ["test window (UTC)", *runs]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    for i, start in enumerate(starts):
        end = start + pd.Timedelta(days=days)
        cells = [f"{start:%Y-%m-%d} → {end:%Y-%m-%d}", *(run[i] for run in runs.values())]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def feature_table(windows: list[Window]) -> str:
    """Markdown: the features each window's triple-barrier and regime models kept."""
    lines = ["| train end | pair | triple-barrier model features | regime model features |",
             "|---|---|---|---|"]
    for w in windows:
        tb = ", ".join(f.lstrip("%-") for f in w.metrics.get("&-tb", {}).get("features", []))
        rg = ", ".join(f.lstrip("%-") for f in w.metrics.get("&-regime", {}).get("features", []))
        lines.append(f"| {w.train_end:%Y-%m-%d} | {w.pair} | {tb} | {rg} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", required=True, help="FreqAI tier config (freqai-*.json)")
    parser.add_argument("--baseline", help="the rule-only tier's backtest config to compare")
    parser.add_argument("--timerange", help="default: the config's timerange")
    parser.add_argument("extra", nargs="*", help="extra freqtrade backtesting args (after --)")
    args = parser.parse_args(argv)

    config = load_from_files([args.config])
    freqai = config["freqai"]
    days = int(freqai["backtest_period_days"])
    gate_classes = list(freqai.get("ftpack", {}).get("training", {}).get("gate_classes", []))
    shutil.rmtree(REPO / "user_data" / "models" / freqai["identifier"], ignore_errors=True)

    summaries: dict[str, dict[str, Any]] = {}
    results: dict[str, Path] = {}
    commands: list[str] = []
    windows: list[Window] = []
    load_before = load_after = os.getloadavg()[1]
    for i, (name, gate) in enumerate(GATE_VARIANTS.items()):
        result, log, command = run_backtest([args.config], f"variant-{i}", args.timerange,
                                            args.extra, gate)
        if not windows:  # the first run trains; later ones reuse its predictions
            windows, load_after = parse_log(log), os.getloadavg()[1]
        results[name] = result
        summaries[name] = summarize_backtest(result, fee=config.get("fee")) | audit_summary(
            result, config
        )
        commands.append(command)
    if args.baseline:
        name = "rule-only tier (no ML)"
        result, _, command = run_backtest(
            [args.baseline], "baseline", args.timerange or config.get("timerange"), args.extra)
        results[name] = result
        baseline = load_from_files([args.baseline])
        summaries[name] = summarize_backtest(result, fee=baseline.get("fee")) | audit_summary(
            result, baseline
        )
        commands.append(command)
    starts = sorted({w.train_end for w in windows})
    per_window = {name: trades_by_window(r, starts, days) for name, r in results.items()}

    first = next(iter(GATE_VARIANTS))
    strategy = summaries[first]["strategy"]
    seconds = [w.seconds for w in windows if w.seconds is not None]
    test = summaries[first]
    text = "\n".join([
        f"### {strategy}: FreqAI walk-forward evidence",
        "",
        f"Pairs: {', '.join(test['pairs'])}; reported range {test['timerange']} (UTC); fee per "
        f"side {config.get('fee')}; FreqAI retrains every {days} days on the preceding "
        f"{freqai['train_period_days']} days; bundled real Binance data. Produced by:",
        "",
        "```",
        shlex.join(["python", "-m", "ftpack.ml_evidence", *(argv or sys.argv[1:])]),
        *commands,
        "```",
        "",
        f"Training time per pair per window (FreqAI's `Done training` log): max "
        f"{_fmt(max(seconds, default=float('nan')), 2)} s, mean "
        f"{_fmt(sum(seconds) / len(seconds) if seconds else float('nan'), 2)} s over "
        f"{len(seconds)} trainings; the machine's 5-minute load average was "
        f"{load_before:.1f} before and {load_after:.1f} after the training run (2 cores).",
        "",
        window_table(windows, gate_classes, days),
        "",
        feature_table(windows),
        "",
        "Trades opened per test window: count (wins), profit USDT.",
        "",
        trades_table(starts, days, per_window),
        "",
        markdown_table([format_row(name, s) for name, s in summaries.items()]),
        "",
    ])
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    out = OUT_DIR / f"{strategy}.md"
    out.write_text(text)
    print(text)
    print(f"Written to {out.relative_to(REPO)}")


if __name__ == "__main__":
    main()
