"""``ftpack-evaluate``: walk-forward out-of-sample evaluation of any Freqtrade strategy.

    ftpack-evaluate -c user_data/config/backtest-tier2.json [--profile full]
        [--retune | --fixed] [--train-days N] [--test-days M] [--step-days S] [--anchored]
        [--epochs E] [--hyperopt-loss LOSS] [--spaces buy sell] [--random-state R]
        [--strategy NAME] [--strategy-path DIR] [--datadir DIR] [--timerange START-END]
        [--jobs J | --scheduler tcp://HOST:8786] [--online]
        [--output-dir user_data/evaluation] [--no-evidence] [--no-html] [-- freqtrade args]

Settings come from the config's ``evaluation`` section (``ftpack.evaluate.settings``), the
profile, then these options. Writes ``<output-dir>/<Strategy>.json`` and ``.html`` and, unless
``--no-evidence``, the evidence the live gate reads (``user_data/evidence/<Strategy>.json``).
Markets come from the bundled snapshot unless ``--online``. Exit status 0 whatever the verdict.
"""

from __future__ import annotations

import argparse
import json
import logging
import shlex
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ftpack.evaluate.evaluator import Evaluation, Evaluator, Options
from ftpack.evaluate.html import write_html
from ftpack.evaluate.runs import FoldResult
from ftpack.report import verdict_rows
from risk_protections.evidence import evidence_path


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="ftpack-evaluate", description=__doc__.split("\n\n")[0])
    p.add_argument("-c", "--config", action="append", required=True, dest="configs")
    p.add_argument("--profile", help="evaluation.profiles.<name> to lay over the section")
    p.add_argument("-s", "--strategy")
    p.add_argument("--strategy-path")
    p.add_argument("--datadir")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--retune", dest="mode", action="store_const", const="retune")
    mode.add_argument("--fixed", dest="mode", action="store_const", const="fixed")
    p.add_argument("--train-days", type=int)
    p.add_argument("--test-days", type=int)
    p.add_argument("--step-days", type=int)
    p.add_argument("--anchored", action="store_const", const=True)
    p.add_argument("--timerange", help="YYYYMMDD-YYYYMMDD: bounds of the evaluated data")
    p.add_argument("--epochs", type=int)
    p.add_argument("--hyperopt-loss")
    p.add_argument("--spaces", nargs="+")
    p.add_argument("--random-state", type=int)
    p.add_argument("--top-k", type=int, help="parameter sets per fold for the PBO matrix")
    p.add_argument("--variants-tried-by-hand", type=int)
    p.add_argument("--null-seeds", type=int)
    p.add_argument("--bootstrap-reps", type=int)
    p.add_argument("--seed", type=int)
    p.add_argument("-j", "--jobs", type=int, default=2, help="local worker processes")
    p.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://HOST:8786")
    p.add_argument("--online", action="store_true", help="load markets from the exchange")
    p.add_argument("--output-dir", type=Path, default=Path("user_data/evaluation"))
    p.add_argument("--no-evidence", action="store_true",
                   help="do not write user_data/evidence/<Strategy>.json")
    p.add_argument("--no-html", action="store_true")
    p.add_argument("extra", nargs="*", help="extra freqtrade arguments (after --)")
    return p.parse_args(argv)


def options_from(args: argparse.Namespace, argv: list[str]) -> Options:
    start, _, end = (args.timerange or "").partition("-")
    overrides: dict[str, Any] = {
        "mode": args.mode, "train_days": args.train_days, "test_days": args.test_days,
        "step_days": args.step_days, "anchored": args.anchored,
        "start": start or None, "end": end or None,
        "variants_tried_by_hand": args.variants_tried_by_hand, "null_seeds": args.null_seeds,
        "bootstrap_reps": args.bootstrap_reps, "seed": args.seed,
        "hyperopt": {"epochs": args.epochs, "loss": args.hyperopt_loss,
                     "spaces": tuple(args.spaces) if args.spaces else None,
                     "random_state": args.random_state, "top_k": args.top_k},
    }
    return Options(
        config_files=args.configs, strategy=args.strategy, strategy_path=args.strategy_path,
        datadir=args.datadir, profile=args.profile, overrides=overrides, jobs=args.jobs,
        scheduler=args.scheduler, offline=not args.online, extra_args=list(args.extra),
        command=shlex.join(["ftpack-evaluate", *argv]),
    )


def verdict_table(doc: dict[str, Any], paths: list[Path]) -> Table:
    """The one-screen terminal table: every statistic, its test, the verdict, the reports."""
    edge = doc["verdict"]["verdict"] == "edge"
    table = Table(title=f"{doc['strategy']}: [{'green' if edge else 'red'}]"
                        f"{doc['verdict']['verdict']}[/]", title_justify="left")
    table.add_column("statistic")
    table.add_column("value")
    table.add_column("test")
    for stat, value, test in verdict_rows(doc):
        style = {"pass": "green", "FAIL": "red"}.get(test, "")
        table.add_row(stat, value, f"[{style}]{test}[/]" if style else "")
    for failed in doc["verdict"]["checks"]:
        if not failed["passed"]:
            table.add_row("failed test", failed["name"],
                          f"needs {failed['rule']} {failed['threshold']:g}")
    for path in paths:
        table.add_row("report", str(path), "")
    return table


def parameter_file(doc: dict[str, Any]) -> dict[str, Any]:
    """The parameters the evidence vouches for (re-tune: the latest fold's choice) in Freqtrade's
    ``<Strategy>.json`` format: copy it next to the strategy file to run them.
    """
    p = doc["parameters"]
    spaces = {k: v for k, v in p.items() if isinstance(v, dict) and k != "minimal_roi"}
    trailing = {k: p[k] for k in ("trailing_stop", "trailing_stop_positive",
                                  "trailing_stop_positive_offset",
                                  "trailing_only_offset_is_reached")}
    return {"strategy_name": doc["strategy"], "ft_stratparam_v": 1,
            "params": {**spaces, "roi": p["minimal_roi"], "stoploss": {"stoploss": p["stoploss"]},
                       "trailing": trailing}}


def write_outputs(evaluation: Evaluation, output_dir: Path, *, evidence: bool, html: bool,
                  user_data_dir: Path) -> list[Path]:
    doc = evaluation.document
    output_dir.mkdir(parents=True, exist_ok=True)
    text = json.dumps(doc, indent=1, sort_keys=True) + "\n"
    paths = [output_dir / f"{doc['strategy']}.json"]
    paths[0].write_text(text)
    if html:
        paths.append(write_html(evaluation, output_dir / f"{doc['strategy']}.html"))
    if doc["mode"] == "retune":
        paths.append(output_dir / f"{doc['strategy']}.params.json")
        paths[-1].write_text(json.dumps(parameter_file(doc), indent=2) + "\n")
    if evidence:
        target = evidence_path(user_data_dir, doc["strategy"])
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
        paths.append(target)
    return paths


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    logging.disable(logging.INFO)  # Freqtrade's start-up chatter; the folds log to their files
    try:
        return evaluate(args, argv)
    finally:
        logging.disable(logging.NOTSET)


def evaluate(args: argparse.Namespace, argv: list[str]) -> int:
    console = Console(stderr=True)
    evaluator = Evaluator(options_from(args, argv))
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=console) as progress:
        bars: dict[str, Any] = {}

        def on_plan(folds: list, skipped: list) -> None:
            runs = len(evaluator.tasks(folds[:1], Path("."))[0].costs)
            per_fold = runs + (evaluator.settings.hyperopt.top_k - 1
                               if evaluator.settings.retune else 0)
            bars["folds"] = progress.add_task(f"{evaluator.strategy_name} folds", total=len(folds))
            bars["backtests"] = progress.add_task("backtests", total=per_fold * len(folds))
            for skip in skipped:
                console.log(f"skipped {skip.test_start:%Y-%m-%d}: {skip.reason}")

        def on_fold(result: FoldResult) -> None:
            done = len(result.runs) + max(len(result.candidates) - 1, 0)
            progress.advance(bars["folds"])
            progress.advance(bars["backtests"], done)

        evaluation = evaluator.run(on_fold, on_plan)
        # folds whose hyperopt found fewer distinct parameter sets ran fewer backtests
        done = progress.tasks[bars["backtests"]].completed
        progress.update(bars["backtests"], total=done)
    paths = write_outputs(evaluation, args.output_dir, evidence=not args.no_evidence,
                          html=not args.no_html,
                          user_data_dir=Path(evaluator.config["user_data_dir"]))
    Console().print(verdict_table(evaluation.document, paths))
    return 0


if __name__ == "__main__":
    sys.exit(main())
