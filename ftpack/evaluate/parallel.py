"""Run fold tasks in parallel: a local process pool (default) or a Dask distributed cluster.

Both give every fold a fresh process (Freqtrade keeps backtest trades and locks in class
attributes): the local pool with ``max_tasks_per_child=1`` on a fork server that has
Freqtrade preloaded (``preload``); a Dask task starts ``python -m ftpack.evaluate.runs_main``
in a subprocess on its worker. Results come back ordered by fold index, so the output does
not depend on which worker finished first. Every Dask worker needs the pack installed and the
config, strategy and data paths present under the same absolute paths.
"""

from __future__ import annotations

import multiprocessing
import pickle
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import replace
from pathlib import Path

from ftpack.evaluate.runs import FoldResult, FoldTask, run_fold_quietly

Progress = Callable[[FoldResult], None]


def run_local(tasks: Sequence[FoldTask], jobs: int, progress: Progress) -> list[FoldResult]:
    """Folds on ``jobs`` local processes, one fresh process per fold."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["ftpack.evaluate.preload"])
    results: dict[int, FoldResult] = {}
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context,
                             max_tasks_per_child=1) as pool:
        futures = [pool.submit(run_fold_quietly, task) for task in tasks]
        try:
            for future in as_completed(futures):
                result = future.result()
                results[result.index] = result
                progress(result)
        except BaseException:  # a failed fold (or Ctrl-C) stops the folds not started yet
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    return [results[task.index] for task in tasks]


def run_fold_in_subprocess(task: FoldTask) -> FoldResult:
    """A Dask task: the fold in a new Python process on this worker, in a local work folder."""
    with tempfile.TemporaryDirectory(prefix="ftpack-fold-") as tmp:
        work = Path(tmp)
        task_file, result_file = work / "task.pickle", work / "result.pickle"
        task_file.write_bytes(pickle.dumps(replace(task, work_dir=str(work / "work"))))
        done = subprocess.run(
            [sys.executable, "-m", "ftpack.evaluate.runs_main", str(task_file), str(result_file)],
            capture_output=True, text=True,
        )
        if done.returncode:
            raise RuntimeError(f"fold {task.index} failed (exit {done.returncode}):\n"
                               f"{done.stderr[-4000:]}")
        return pickle.loads(result_file.read_bytes())


def run_dask(tasks: Sequence[FoldTask], scheduler: str, progress: Progress) -> list[FoldResult]:
    """Folds on the Dask cluster at ``scheduler`` (``tcp://host:8786``)."""
    from distributed import Client
    from distributed import as_completed as dask_completed

    results: dict[int, FoldResult] = {}
    with Client(scheduler) as client:
        futures = client.map(run_fold_in_subprocess, list(tasks), pure=False)
        for future in dask_completed(futures):
            result = future.result()
            results[result.index] = result
            progress(result)
    return [results[task.index] for task in tasks]


def run_folds(tasks: Sequence[FoldTask], *, jobs: int, scheduler: str | None,
              progress: Progress) -> list[FoldResult]:
    if not tasks:
        return []
    if scheduler:
        return run_dask(tasks, scheduler, progress)
    return run_local(tasks, max(1, min(jobs, len(tasks))), progress)
