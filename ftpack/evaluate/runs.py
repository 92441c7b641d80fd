"""One fold's Freqtrade runs, in a worker process, through Freqtrade's Python API.

For a fold, in this order:

1. re-tune mode: Freqtrade hyperopt on the train window only (fixed epochs, ``--random-state``
   = the configured state + fold index, the named loss and spaces, one job). Its epochs are
   read back from its results file; the ``top_k`` distinct parameter sets with the lowest loss
   are kept, the best first. Fixed mode uses the strategy's own parameters;
2. the test window's candles are loaded once; every backtest of the fold runs on them with a
   fresh strategy instance: the chosen parameters at each distinct cost level, then (re-tune)
   the 2nd … k-th parameter sets at the taker fee, for the PBO matrix;
3. the taker run is audited with the pack's risk audit (as filled and re-priced).

Isolation: the fold works in its own folder: a copy of the strategy file (hyperopt writes
``<Strategy>.json`` beside it, and a parameter set is applied by writing that file, Freqtrade's
own mechanism), and hyperopt's results folder. The process must be fresh (Freqtrade keeps trades
and locks in class attributes): the pool gives every fold a new process.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ftpack.evaluate.settings import PRIMARY_COST, HyperoptSettings

# Freqtrade's results carry these per run; the evaluator keeps them (plus trades and audit).
SUMMARY_KEYS = (
    "total_trades", "profit_total_abs", "profit_total", "winrate", "profit_factor",
    "max_drawdown_abs", "max_drawdown_account", "sharpe", "sortino", "calmar", "market_change",
    "starting_balance", "final_balance", "backtest_start", "backtest_end", "pairlist",
    "timeframe", "trading_mode", "stake_currency", "rejected_signals", "timedout_entry_orders",
)


@dataclass(frozen=True)
class FoldTask:
    """Everything a worker needs to run one fold (picklable, paths absolute)."""

    index: int
    config_files: tuple[str, ...]
    strategy: str
    strategy_file: str
    params_file: str | None  # fixed mode: the strategy's own <Strategy>.json, if it has one
    datadir: str
    pairs: tuple[str, ...]
    test: tuple[int, int]  # [start, end) in epoch seconds
    train: tuple[int, int] | None
    timeframe_seconds: int
    costs: tuple[tuple[str, float], ...]  # (label, fee per side), distinct fees only
    hyperopt: HyperoptSettings | None
    offline: bool
    work_dir: str
    extra_args: tuple[str, ...] = ()
    primary: str = PRIMARY_COST  # the verdict's cost level: hyperopt, audit and PBO ranks use it


@dataclass
class RunResult:
    """One backtest: its label, fee, parameters, Freqtrade summary, trades, audit, seconds."""

    label: str
    fee: float
    parameters: dict[str, Any]
    summary: dict[str, Any]
    trades: list[dict[str, Any]]
    seconds: float
    audit: dict[str, Any] | None = None


@dataclass
class FoldResult:
    index: int
    runs: dict[str, RunResult]  # by cost label
    candidates: list[RunResult] = field(default_factory=list)  # re-tune: rank 1..k, verdict fee
    hyperopt: dict[str, Any] | None = None
    data_seconds: float = 0.0  # Backtesting set-up and the test window's data load
    seconds: float = 0.0  # the whole fold in the worker
    log: str = ""

    @property
    def backtest_seconds(self) -> float:
        """Wall time spent in Freqtrade: hyperopt, data load and every backtest."""
        runs = [*self.runs.values(), *self.candidates]
        hyper = (self.hyperopt or {}).get("seconds", 0.0)
        return hyper + self.data_seconds + sum(r.seconds for r in runs)


def timerange(window: tuple[int, int], timeframe_seconds: int) -> str:
    """Freqtrade ``--timerange`` for ``[start, end)``: its stop date is inclusive."""
    return f"{window[0]}-{window[1] - timeframe_seconds}"


def freqtrade_config(task: FoldTask, command: str, window: tuple[int, int], strategy_dir: Path,
                     extra: list[str]) -> dict[str, Any]:
    """The Freqtrade config of one run, built the way its command line builds it."""
    from freqtrade.commands import Arguments
    from freqtrade.commands.optimize_commands import setup_optimize_configuration
    from freqtrade.enums import RunMode

    args = [command]
    for config in task.config_files:
        args += ["-c", config]
    args += ["--strategy", task.strategy, "--strategy-path", str(strategy_dir),
             "--datadir", task.datadir, "--timerange", timerange(window, task.timeframe_seconds),
             "--pairs", *task.pairs, *extra, *task.extra_args]
    mode = RunMode.HYPEROPT if command == "hyperopt" else RunMode.BACKTEST
    return setup_optimize_configuration(Arguments(args).get_parsed_arg(), mode)


def run_hyperopt(task: FoldTask, strategy_dir: Path, fold_dir: Path) -> dict[str, Any]:
    """Hyperopt on the train window; returns its summary and the top-k epochs (best first)."""
    from freqtrade.optimize.hyperopt import Hyperopt
    from freqtrade.optimize.hyperopt_tools import HyperoptTools

    settings = task.hyperopt
    assert settings is not None and task.train is not None
    start = time.perf_counter()
    config = freqtrade_config(task, "hyperopt", task.train, strategy_dir, [
        "--hyperopt-loss", settings.loss, "--epochs", str(settings.epochs),
        "--spaces", *settings.spaces, "--random-state", str(settings.random_state + task.index),
        "--min-trades", str(settings.min_trades), "--job-workers", "1",
        "--fee", str(dict(task.costs)[task.primary]),
        "--disable-param-export",
    ])
    config["user_data_dir"] = fold_dir
    (fold_dir / "hyperopt_results").mkdir(parents=True, exist_ok=True)
    hyperopt = Hyperopt(config)
    hyperopt.start()
    epochs, total = HyperoptTools.load_filtered_results(hyperopt.results_file, config)
    seconds = time.perf_counter() - start
    ranked, seen = [], set()
    for epoch in sorted(epochs, key=lambda e: e["loss"]):
        key = repr(sorted(epoch["params_dict"].items()))
        if key in seen or not epoch["results_metrics"].get("total_trades"):
            continue
        seen.add(key)
        ranked.append(epoch)
        if len(ranked) == settings.top_k:
            break
    return {
        "epochs": total,
        "random_state": settings.random_state + task.index,
        "loss": settings.loss,
        "spaces": list(settings.spaces),
        "seconds": seconds,
        "top": [{"loss": float(e["loss"]), "params": e["params_dict"],
                 "train_trades": int(e["results_metrics"]["total_trades"])} for e in ranked],
        "_epochs": ranked,
    }


class TestWindow:
    """The test window's Backtesting object with its candles loaded once, for many runs."""

    def __init__(self, task: FoldTask, strategy_dir: Path) -> None:
        from freqtrade.optimize.backtesting import Backtesting

        self.strategy_dir = strategy_dir
        self.config = freqtrade_config(task, "backtesting", task.test, strategy_dir,
                                       ["--export", "none", "--cache", "none"])
        self.backtesting = Backtesting(self.config)
        self.data, self.timerange = self.backtesting.load_bt_data()

    def run(self, label: str, fee: float, epoch: dict[str, Any] | None) -> tuple[RunResult, dict]:
        """One backtest at ``fee`` per side with the epoch's parameters (None: as configured)."""
        from freqtrade.optimize.hyperopt_tools import HyperoptTools
        from freqtrade.optimize.optimize_reports import generate_backtest_stats
        from freqtrade.resolvers import StrategyResolver

        from risk_protections.evidence import strategy_parameters

        start = time.perf_counter()
        name = self.config["strategy"]
        if epoch is not None:
            HyperoptTools.export_params(epoch, name, self.strategy_dir / f"{name}.json")
        self.config["fee"] = fee
        self.backtesting.fee = fee
        strategy = StrategyResolver.load_strategy(self.config)
        first, last = self.backtesting.backtest_one_strategy(strategy, self.data, self.timerange)
        content = self.backtesting.all_bt_content.pop(name)
        stats = generate_backtest_stats(self.data, {name: content}, min_date=first, max_date=last)
        result = stats["strategy"][name]
        run = RunResult(
            label=label, fee=fee, parameters=strategy_parameters(strategy),
            summary={k: result.get(k) for k in SUMMARY_KEYS},
            trades=result["trades"], seconds=time.perf_counter() - start,
        )
        return run, result


def run_fold(task: FoldTask) -> FoldResult:
    """All runs of one fold (see the module docstring), in this process."""
    from ftpack.offline import install
    from ftpack.report import audit_summary

    started = time.perf_counter()
    # This process is the main process of its own Freqtrade run: hyperopt routes the logs of
    # processes with another name through a queue it then drains into the same process's
    # handlers, which would feed the queue again.
    multiprocessing.current_process().name = "MainProcess"
    if task.offline:
        install()
    fold_dir = Path(task.work_dir) / f"fold-{task.index:03d}"
    strategy_dir = fold_dir / "strategies"
    strategy_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy2(task.strategy_file, strategy_dir / Path(task.strategy_file).name)
    if task.params_file:
        shutil.copy2(task.params_file, strategy_dir / f"{task.strategy}.json")

    hyperopt, epochs = None, []
    if task.hyperopt is not None:
        hyperopt = run_hyperopt(task, strategy_dir, fold_dir)
        epochs = hyperopt.pop("_epochs")
    chosen = epochs[0] if epochs else None

    data_start = time.perf_counter()
    window = TestWindow(task, strategy_dir)
    data_seconds = time.perf_counter() - data_start
    runs: dict[str, RunResult] = {}
    for label, fee in task.costs:
        run, result = window.run(label, fee, chosen)
        if label == task.primary:
            run.audit = audit_summary(result, window.config)
        runs[label] = run
    candidates = [runs[task.primary]] if epochs else []
    for rank, epoch in enumerate(epochs[1:], start=2):
        candidates.append(window.run(f"rank {rank}", dict(task.costs)[task.primary], epoch)[0])
    return FoldResult(index=task.index, runs=runs, candidates=candidates, hyperopt=hyperopt,
                      data_seconds=data_seconds, seconds=time.perf_counter() - started,
                      log=str(fold_dir / "freqtrade.log"))


def run_fold_quietly(task: FoldTask) -> FoldResult:
    """``run_fold`` with this process's stdout/stderr (Freqtrade's logs, hyperopt's tables and
    progress bars) sent to ``<work_dir>/fold-NNN/freqtrade.log``.
    """
    log = Path(task.work_dir) / f"fold-{task.index:03d}" / "freqtrade.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as sink, contextlib.ExitStack() as stack:
        for fd in (1, 2):
            saved = os.dup(fd)
            stack.callback(os.close, saved)
            stack.callback(os.dup2, saved, fd)
            os.dup2(sink.fileno(), fd)
        return run_fold(task)
