"""One evaluation, end to end: folds from the data, the folds' runs, the stitched out-of-sample
result, its statistics and the verdict, as one JSON-ready document plus the plot series.

Trials counted by the Deflated Sharpe Ratio: hyperopt epochs × folds (every epoch run), the
distinct variants of ``evaluation.trial_ledger`` (the research's ledger, read by code) and
``evaluation.variants_tried_by_hand``. The statistics, the verdict and the re-tuning read the
``evaluation.verdict_cost`` level (``taker`` unless the config names another, e.g.
``realistic``); the targets (:mod:`ftpack.evaluate.targets`) are judged on the same level.
``by_cost`` repeats the bootstrap, the Deflated Sharpe Ratio, the random-entry null, the verdict
and the targets at the ``realistic`` and ``taker`` levels too (same trial count, same risk
audit), so a tier's result is read at the fee its orders pay and at the taker fee side by side.

The PBO trial matrix (re-tune mode only) has one column per hyperopt rank ``k = 1 … top_k``:
column ``k`` is the stitched daily return series of every fold's ``k``-th best parameter set,
backtested on that fold's test window at the verdict's fee (a fold whose hyperopt found fewer
than ``k`` distinct parameter sets that traded contributes flat days to that column). It costs
``(top_k - 1)`` extra backtests per fold, each on the test window whose candles the fold has
already loaded. CSCV then asks whether the ranking hyperopt made on the train windows survives
out of sample.
"""

from __future__ import annotations

import logging
import math
import tempfile
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from freqtrade.enums import CandleType
from freqtrade.exceptions import OperationalException
from freqtrade.exchange import timeframe_to_seconds

from ftpack.evaluate.bootstrap import BootstrapResult, bootstrap_ci
from ftpack.evaluate.coverage import coverage_windows, load_candles
from ftpack.evaluate.folds import Fold, plan_folds
from ftpack.evaluate.null_model import NullModelResult, random_entry_null
from ftpack.evaluate.overfitting import (
    DeflatedSharpe,
    column_sharpes,
    deflated_sharpe_ratio,
    probability_of_backtest_overfitting,
)
from ftpack.evaluate.parallel import Progress, run_folds
from ftpack.evaluate.performance import Performance, daily_returns, evaluate_performance
from ftpack.evaluate.runs import FoldResult, FoldTask
from ftpack.evaluate.settings import (
    COST_LABELS,
    PRIMARY_COST,
    REALISTIC,
    EvaluationSettings,
    parse_settings,
)
from ftpack.evaluate.stitch import FoldWindow, buy_and_hold, daily_equity, trades_frame
from ftpack.evaluate.targets import judge_targets
from ftpack.evaluate.trials import distinct_variants
from ftpack.evaluate.verdict import Thresholds, Verdict, decide
from risk_protections.config import parse_risk_config
from risk_protections.evidence import gate_fields, strategy_file
from risk_protections.fees import Liquidity, largest_fee, parse_fee_schedule

PBO_PARTITIONS = 16
#: Per-fold audit losses (negative): re-priced stops, crash stress at the gaps sizing had, and
#: at all the data's gaps (later crashes included).
WORST_KEYS = tuple(f"{view}_worst_{what}_abs" for view in ("repriced", "stressed", "record")
                   for what in ("trade", "day"))
# one cost level's bootstrap, Deflated Sharpe, random-entry null, verdict and targets
LevelJudgement = tuple[BootstrapResult, DeflatedSharpe, NullModelResult | None, Verdict,
                       dict[str, Any]]


@dataclass
class Options:
    """What the command line asked for."""

    config_files: list[str]
    strategy: str | None = None
    strategy_path: str | None = None
    datadir: str | None = None
    profile: str | None = None
    overrides: dict[str, Any] = field(default_factory=dict)
    jobs: int = 2
    scheduler: str | None = None
    offline: bool = True
    extra_args: list[str] = field(default_factory=list)
    command: str = ""


@dataclass
class Evaluation:
    document: dict[str, Any]
    plots: dict[str, Any]


class EvaluationError(OperationalException):
    """An evaluation that cannot run (no data for any fold, an unusable config)."""


def load_config(options: Options) -> dict[str, Any]:
    """The merged Freqtrade config, resolved as ``freqtrade backtesting`` resolves it."""
    from freqtrade.commands import Arguments
    from freqtrade.commands.optimize_commands import setup_optimize_configuration
    from freqtrade.enums import RunMode

    args = ["backtesting"]
    for path in options.config_files:
        args += ["-c", path]
    if options.strategy:
        args += ["--strategy", options.strategy]
    if options.strategy_path:
        args += ["--strategy-path", options.strategy_path]
    if options.datadir:
        args += ["--datadir", options.datadir]
    config = setup_optimize_configuration(Arguments(args).get_parsed_arg(), RunMode.BACKTEST)
    logging.getLogger().setLevel(logging.WARNING)
    return config


def cost_runs(settings: EvaluationSettings, fold_fee: float | None = None
              ) -> tuple[dict[str, str], tuple[tuple[str, float], ...]]:
    """(cost label -> label of the run that has its fee, the distinct runs to make). Levels with
    the same fee share one run, the verdict's level first. A realistic fee read from a dated
    per-pair table changes from fold to fold (``fold_fee``: this fold's), so it always gets its
    own run."""
    fees = settings.costs() | ({REALISTIC: fold_fee} if fold_fee is not None else {})
    per_fold = settings.pair_fees is not None
    alias: dict[str, str] = {}
    by_fee: dict[float, str] = {}
    for label in sorted(COST_LABELS, key=lambda label: label != settings.verdict_cost):
        if per_fold and label == REALISTIC:
            alias[label] = label
        else:
            alias[label] = by_fee.setdefault(fees[label], label)
    runs = {(run, fees[run]) for run in alias.values()}
    return alias, tuple(sorted(runs, key=lambda r: COST_LABELS.index(r[0])))


def worst_of_folds(audits: list[dict[str, Any]]) -> dict[str, float | None]:
    """The worst (most negative) of each ``WORST_KEYS`` loss over the folds' audits."""
    worst: dict[str, float | None] = {}
    for key in WORST_KEYS:
        values = [a[key] for a in audits if a.get(key) is not None]
        worst[key] = min(values) if values else None
    return worst


def _epoch(ts: pd.Timestamp) -> int:
    return int(ts.timestamp())


def clean(value: Any) -> Any:
    """JSON-ready: numpy scalars to Python, NaN/inf to None, tuples to lists."""
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, pd.Timestamp | datetime):
        return value.isoformat()
    return value


def config_value(config: dict[str, Any], key: str) -> Any:
    """``config[a][b]…`` for the dotted ``key`` ``"a.b…"`` named by
    ``evaluation.fees.realistic.pair_fees``; EvaluationError naming both when it is missing."""
    value: Any = config
    for part in key.split("."):
        if not isinstance(value, dict) or part not in value:
            raise EvaluationError(f"evaluation.fees.realistic.pair_fees: the config has no {key}.")
        value = value[part]
    return value


def realistic_fold_fees(settings: EvaluationSettings, config: dict[str, Any],
                        folds: list[Fold]) -> dict[int, float]:
    """Each fold's realistic fee from a dated per-pair table: the largest fee any of the fold's
    pairs paid at any time of its train and test windows (empty when the fee is one number)."""
    if settings.realistic_fee is not None or settings.pair_fees is None:
        return {}
    table = config_value(config, settings.pair_fees)
    liquidity: Liquidity = "maker" if settings.pair_fee_liquidity == "maker" else "taker"
    pairs = {pair for fold in folds for pair in fold.pairs}
    if missing := sorted(pairs - set(table)):
        raise EvaluationError(f"{settings.pair_fees} has no fee for {', '.join(missing)}.")
    schedules = {pair: parse_fee_schedule(table[pair], f"{settings.pair_fees}.{pair}")
                 for pair in pairs}
    return {
        fold.index: max(
            largest_fee(schedules[pair], (fold.train_start or fold.test_start).to_pydatetime(),
                        fold.test_end.to_pydatetime(), liquidity, f"{settings.pair_fees}.{pair}")
            for pair in fold.pairs)
        for fold in folds
    }


def with_fold_fees(settings: EvaluationSettings, fold_fees: dict[int, float]
                   ) -> EvaluationSettings:
    """Settings whose realistic level reports the largest fold fee, and how many folds paid
    which fee."""
    if not fold_fees:
        return settings
    counts: dict[float, int] = {}
    for fee in fold_fees.values():
        counts[fee] = counts.get(fee, 0) + 1
    spread = ", ".join(f"{100 * fee:.3f} % in {n} folds" for fee, n in sorted(counts.items()))
    basis = f"{settings.realistic_basis}, the fee in force in each fold: {spread}"
    return replace(settings, realistic_fee=max(fold_fees.values()), realistic_basis=basis)


def level_entry(boot: BootstrapResult, dsr: DeflatedSharpe, null: NullModelResult | None,
                verdict: Verdict, targets: dict[str, Any]) -> dict[str, Any]:
    """The JSON summary of one cost level's judgement (``by_cost`` in the document)."""
    return {
        "verdict": verdict.label,
        "failed": [c.name for c in verdict.failed],
        "mean_daily_return": boot.to_dict()["mean_daily_return"],
        "deflated_sharpe_ratio": dsr.dsr,
        "random_entry_p_value": null.p_value if null is not None else None,
        "targets": targets,
    }


class Evaluator:
    """Plans, runs and judges one evaluation (``run``)."""

    def __init__(self, options: Options) -> None:
        from freqtrade.resolvers import StrategyResolver

        self.options = options
        self.config = load_config(options)
        self.settings = parse_settings(self.config, options.profile, options.overrides)
        strategy = StrategyResolver.load_strategy(self.config)
        self.strategy_name = type(strategy).__name__
        self.strategy_path = strategy_file(strategy)
        self.startup_candles = int(strategy.startup_candle_count)
        self.timeframe = str(self.config["timeframe"])
        self.tf = pd.Timedelta(seconds=timeframe_to_seconds(self.timeframe))
        self.datadir = Path(options.datadir or self.settings.datadir or self.config["datadir"])
        self.datadir = self.datadir.resolve()
        self.trading_mode = str(self.config.get("trading_mode") or "spot")
        self.starting_balance = float(self.config["dry_run_wallet"])
        self.pairs = list(self.config["exchange"]["pair_whitelist"])
        self.candles = self._load_candles([*self.pairs, *self.settings.required_pairs])
        self.fold_fees: dict[int, float] = {}  # realistic fee per fold, from dated pair fees

    # --- data and folds ------------------------------------------------------------------
    def _load_candles(self, pairs: list[str]) -> dict[str, pd.DataFrame]:
        candle_type = CandleType.FUTURES if self.trading_mode == "futures" else CandleType.SPOT
        fmt = self.config.get("dataformat_ohlcv", "feather")
        frames = {}
        for pair in dict.fromkeys(pairs):
            frame = load_candles(self.datadir, pair, self.timeframe, candle_type, fmt)
            frames[pair] = frame[["date", "open", "high", "low", "close"]].reset_index(drop=True)
        return frames

    def plan(self) -> tuple[list[Fold], list[Any]]:
        s = self.settings
        windows = {p: coverage_windows(self.candles[p]["date"], self.tf) for p in self.pairs}
        required = {p: coverage_windows(self.candles[p]["date"], self.tf)
                    for p in s.required_pairs}
        day = lambda text: pd.Timestamp(text, tz="UTC") if text else None  # noqa: E731
        return plan_folds(
            {p: w for p, w in windows.items() if w}, train_days=s.train_days,
            test_days=s.test_days, step_days=s.step, warmup=self.tf * self.startup_candles,
            retune=s.retune, anchored=s.anchored, required=required, min_pairs=s.min_pairs,
            start=day(s.start), end=day(s.end),
        )

    def tasks(self, folds: list[Fold], work_dir: Path) -> list[FoldTask]:
        params = self.strategy_path.with_suffix(".json")
        return [
            FoldTask(
                index=f.index,
                config_files=tuple(str(Path(c).resolve()) for c in self.options.config_files),
                strategy=self.strategy_name,
                strategy_file=str(self.strategy_path),
                params_file=str(params) if params.is_file() and not self.settings.retune
                else None,
                datadir=str(self.datadir),
                pairs=f.pairs,
                test=(_epoch(f.test_start), _epoch(f.test_end)),
                train=(_epoch(f.train_start), _epoch(f.train_end))
                if self.settings.retune and f.train_start is not None else None,
                timeframe_seconds=int(self.tf.total_seconds()),
                costs=cost_runs(self.settings, self.fold_fees.get(f.index))[1],
                hyperopt=self.settings.hyperopt if self.settings.retune else None,
                primary=self.settings.verdict_cost,
                offline=self.options.offline,
                work_dir=str(work_dir),
                extra_args=tuple(self.options.extra_args),
            )
            for f in folds
        ]

    # --- the run -------------------------------------------------------------------------
    def run(self, progress: Progress, on_plan: Any = None) -> Evaluation:
        started = time.perf_counter()
        folds, skipped = self.plan()
        if not folds:
            reasons = "; ".join(f"{s.test_start:%Y-%m-%d}: {s.reason}" for s in skipped[:5])
            raise EvaluationError(
                f"No fold has data for {self.strategy_name} in {self.datadir} "
                f"({self.timeframe}, pairs {', '.join(self.pairs)}). {reasons}")
        self.fold_fees = realistic_fold_fees(self.settings, self.config, folds)
        self.settings = with_fold_fees(self.settings, self.fold_fees)
        if on_plan is not None:
            on_plan(folds, skipped)
        with tempfile.TemporaryDirectory(prefix="ftpack-evaluate-") as work:
            results = run_folds(self.tasks(folds, Path(work)), jobs=self.options.jobs,
                                scheduler=self.options.scheduler, progress=progress)
        return self.judge(folds, skipped, results, time.perf_counter() - started)

    def stitched(self, windows: list[FoldWindow], runs: list[tuple[int, list[dict]]]
                 ) -> tuple[pd.DataFrame, pd.DataFrame]:
        trades = trades_frame(runs)
        return trades, daily_equity(trades, windows, self.candles, self.starting_balance)

    def judge(self, folds: list[Fold], skipped: list[Any], results: list[FoldResult],
              wall: float) -> Evaluation:
        s, balance = self.settings, self.starting_balance
        alias, _ = cost_runs(s)
        level = s.verdict_cost
        windows = [FoldWindow(f.index, f.test_start, f.test_end, f.pairs) for f in folds]
        # Time in market is measured over the out-of-sample time only: a span as long as all
        # test windows together (the gaps between coverage eras are not evaluated time).
        oos = sum((f.test_end - f.test_start for f in folds), pd.Timedelta(0))
        span = (folds[0].test_start, folds[0].test_start + oos)
        performance, stitched = {}, {}
        for label in COST_LABELS:
            run = alias[label]
            if run not in stitched:
                stitched[run] = self.stitched(windows, [(r.index, r.runs[run].trades)
                                                        for r in results])
            trades, equity = stitched[run]
            performance[label] = evaluate_performance(trades, equity["equity"], balance, span)
        trades, equity = stitched[alias[level]]

        epochs = sum((r.hyperopt or {}).get("epochs", 0) for r in results)
        ledger = distinct_variants(s.trial_ledger) if s.trial_ledger else 0
        trials = epochs + ledger + s.hand_variants()
        matrix = self.trial_matrix(windows, results) if s.retune else None
        trial_variance = (float(np.var(column_sharpes(matrix), ddof=1))
                          if matrix is not None and matrix.shape[1] > 1 else None)
        pbo = self.pbo(matrix)
        audits = [r.runs[alias[level]].audit or {} for r in results]
        filled = sum(a.get("breaches_filled", 0) for a in audits)
        repriced = sum(a.get("breaches_repriced", 0) for a in audits)
        stressed = sum(a.get("breaches_stressed", 0) for a in audits)
        thresholds = Thresholds.from_config({"evaluation": {"thresholds": s.thresholds}})
        judged = {label: self.judge_level(label, stitched[alias[label]][0],
                                          stitched[alias[label]][1], performance[label],
                                          windows, trials, trial_variance,
                                          filled + repriced + stressed, thresholds,
                                          sum(self.in_sample(f) for f in folds))
                  for label in dict.fromkeys((level, REALISTIC, PRIMARY_COST))}
        boot, dsr, null, verdict, targets = judged[level]
        bh = buy_and_hold(windows, self.candles, balance)
        parameters = self.parameters(results)
        document = {
            **gate_fields(self.strategy_name, self.strategy_path, parameters, verdict.label,
                          [c.name for c in verdict.failed]),
            "evaluated_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "command": self.options.command,
            "mode": s.mode,
            "profile": self.options.profile,
            "verdict_cost": level,
            "settings": {
                "train_days": s.train_days, "test_days": s.test_days, "step_days": s.step,
                "anchored": s.anchored, "start": s.start, "end": s.end,
                "required_pairs": list(s.required_pairs), "min_pairs": s.min_pairs,
                "hyperopt": vars(s.hyperopt) if s.retune else None,
                "null_seeds": s.null_seeds, "bootstrap_reps": s.bootstrap_reps, "seed": s.seed,
                "thresholds": vars(thresholds),
            },
            "config_files": self.options.config_files,
            "datadir": str(self.datadir),
            "timeframe": self.timeframe,
            "trading_mode": self.trading_mode,
            "starting_balance": balance,
            "fees": {"maker": s.fees["maker"], "taker": s.fees["taker"],
                     "slippage": s.slippage, "per_side": s.costs(),
                     "realistic_basis": s.realistic_basis,
                     "realistic_per_fold": bool(self.fold_fees),
                     "note": "each level is charged per side on both fills (Freqtrade --fee)"},
            "data": self.data_ranges(folds),
            "folds": [self.fold_entry(f, r, alias) for f, r in zip(folds, results, strict=True)],
            "warnings": self.warnings(folds),
            "skipped_folds": [x.to_dict() for x in skipped],
            "performance": {label: p.to_dict() for label, p in performance.items()},
            "bootstrap": {k: v for k, v in boot.to_dict().items() if k != "mean_distribution"},
            "targets": targets,
            "by_cost": {label: level_entry(*j) for label, j in judged.items()},
            "trials": {"hyperopt_epochs": epochs, "folds": len(folds),
                       "trial_ledger": s.trial_ledger, "ledger_variants": ledger,
                       "variants_tried_by_hand": s.hand_variants(),
                       "variants_stated_in_config": s.variants_tried_by_hand is not None,
                       "total": trials},
            "deflated_sharpe": dsr.to_dict(),
            "pbo": pbo,
            "random_entry_null": self.null_entry(null),
            "buy_and_hold": {
                "return_pct": 100 * (float(bh.iloc[-1]) / balance - 1) if len(bh) else None,
                "note": "equal weight in each fold's pairs, before fees, folds added up",
            },
            "risk_audit": {"breaches_filled": filled, "breaches_repriced": repriced,
                           "breaches_stressed": stressed, **worst_of_folds(audits),
                           "record_exceeded": sum(a.get("record_exceeded", 0) for a in audits),
                           "details": [d for a in audits for d in a.get("breaches", [])]},
            "verdict": {**verdict.to_dict(), "failed": [c.name for c in verdict.failed]},
            "timings": self.timings(results, wall),
        }
        plots = {
            "equity": equity, "buy_and_hold": bh, "trades": trades,
            "bootstrap": boot.mean_distribution, "null": null,
            "daily_limit": self.daily_limits(equity), "folds": document["folds"],
        }
        return Evaluation(clean(document), plots)

    # --- pieces of the document ----------------------------------------------------------
    def trial_matrix(self, windows: list[FoldWindow], results: list[FoldResult]) -> np.ndarray:
        """T×K daily returns: column k = every fold's k-th best parameter set, stitched."""
        ranks = max((len(r.candidates) for r in results), default=0)
        columns = []
        for k in range(ranks):
            runs = [(r.index, r.candidates[k].trades if k < len(r.candidates) else [])
                    for r in results]
            _, equity = self.stitched(windows, runs)
            columns.append(daily_returns(equity["equity"], self.starting_balance).to_numpy())
        return np.column_stack(columns) if columns else np.empty((0, 0))

    def pbo(self, matrix: np.ndarray | None) -> dict[str, Any]:
        if matrix is None:
            return {"applicable": False, "reason": (
                "fixed parameters: each fold backtests one parameter set, so there is no "
                "choice among trials to overfit; the hand-tried variants count in the DSR")}
        if matrix.shape[1] < 2:
            return {"applicable": False,
                    "reason": f"{matrix.shape[1]} parameter set(s) per fold: PBO needs 2 or more"}
        try:
            result = probability_of_backtest_overfitting(matrix, n_partitions=PBO_PARTITIONS)
        except ValueError as err:
            return {"applicable": False, "reason": str(err)}
        summary = {k: v for k, v in result.to_dict().items() if k != "logits"}
        quantiles = np.percentile(result.logits, [5, 50, 95]).tolist()
        return {"applicable": True, **summary, "logit_p5_p50_p95": quantiles,
                "construction": "columns = hyperopt rank 1..k per fold, stitched test windows, "
                                "taker fee (see ftpack.evaluate.evaluator)"}

    @staticmethod
    def null_entry(null: Any) -> dict[str, Any]:
        if null is None:
            return {"applicable": False, "reason": "no out-of-sample trade", "p_value": None}
        entry = {k: v for k, v in null.to_dict().items() if k != "null_totals"}
        q = np.percentile(null.null_totals, [5, 50, 95])
        return {"applicable": True, **entry, "null_total_p5_p50_p95": q.tolist()}

    def data_ranges(self, folds: list[Fold]) -> dict[str, Any]:
        day = "%Y-%m-%d %H:%M"
        def spans(frame: pd.DataFrame) -> list[list[str]]:
            return [[f"{w.start:{day}}", f"{w.end:{day}}"]
                    for w in coverage_windows(frame["date"], self.tf)]
        return {
            "pairs": {p: spans(self.candles[p]) for p in self.pairs},
            "required_pairs": {p: spans(self.candles[p]) for p in self.settings.required_pairs},
            "out_of_sample": [f"{folds[0].test_start:%Y-%m-%d}", f"{folds[-1].test_end:%Y-%m-%d}"],
            "out_of_sample_days": sum((f.test_end - f.test_start).days for f in folds),
            "warmup_candles": self.startup_candles,
        }

    def judge_level(self, label: str, trades: pd.DataFrame, equity: pd.DataFrame,
                    performance: Performance, windows: list[FoldWindow], trials: int,
                    trial_variance: float | None, breaches: int, thresholds: Thresholds,
                    in_sample_folds: int) -> LevelJudgement:
        """Bootstrap, DSR, random-entry null, verdict and targets of the stitched run at the
        ``label`` cost level (the risk breaches are the verdict level's audit: sizing does not
        depend on the fee level)."""
        s, balance = self.settings, self.starting_balance
        boot = bootstrap_ci(daily_returns(equity["equity"], balance).to_numpy(),
                            n_resamples=s.bootstrap_reps, seed=s.seed)
        dsr = deflated_sharpe_ratio(performance.sharpe_daily, performance.days,
                                    performance.skewness, performance.kurtosis, trials,
                                    trial_variance)
        null = (random_entry_null(trades, [(w.start, w.end) for w in windows], self.candles,
                                  n_seeds=s.null_seeds, seed=s.seed, timeframe=self.tf)
                if not trades.empty else None)
        verdict = decide(
            ci_lower=boot.mean_daily_return.lower,
            cost=label,
            dsr=dsr.dsr,
            null_p=null.p_value if null is not None else math.nan,
            trades=performance.trades,
            breaches=breaches,
            thresholds=thresholds,
            in_sample_folds=in_sample_folds,
        )
        targets = judge_targets(performance, boot.mean_daily_return.lower, balance)
        return boot, dsr, null, verdict, targets

    def fold_fee_by_cost(self, index: int) -> dict[str, float]:
        alias, runs = cost_runs(self.settings, self.fold_fees.get(index))
        return {label: dict(runs)[run] for label, run in alias.items()}

    def fold_entry(self, fold: Fold, result: FoldResult, alias: dict[str, str]) -> dict[str, Any]:
        primary = result.runs[alias[self.settings.verdict_cost]]
        summary = primary.summary
        audit = primary.audit or {}
        entry = {
            **fold.to_dict(),
            "trades": summary["total_trades"],
            "profit_abs": summary["profit_total_abs"],
            "return_pct": 100 * (summary["profit_total"] or 0.0),
            "win_rate_pct": 100 * (summary["winrate"] or 0.0),
            "max_drawdown_pct": 100 * (summary["max_drawdown_account"] or 0.0),
            "market_change_pct": 100 * (summary["market_change"] or 0.0),
            "profit_by_cost": {label: result.runs[alias[label]].summary["profit_total_abs"]
                               for label in COST_LABELS},
            "fee_by_cost": self.fold_fee_by_cost(fold.index),
            "in_sample_for_fixed_parameters": self.in_sample(fold),
            "breaches_filled": audit.get("breaches_filled", 0),
            "breaches_repriced": audit.get("breaches_repriced", 0),
            "breaches_stressed": audit.get("breaches_stressed", 0),
            **{key: audit.get(key) for key in WORST_KEYS},
        }
        if result.hyperopt is not None:
            hyper = result.hyperopt
            entry["hyperopt"] = {k: v for k, v in hyper.items() if k != "seconds"}
            entry["parameters"] = primary.parameters
            entry["tuned"] = bool(hyper["top"])
        return entry

    def warnings(self, folds: list[Fold]) -> list[str]:
        notes = []
        inside = [f.index for f in folds if self.in_sample(f)]
        if inside:
            notes.append(f"folds {inside} test data the fixed parameters were tuned on "
                         f"({self.settings.parameters_tuned_on}): in-sample, not out-of-sample")
        if self.settings.variants_tried_by_hand is None:
            notes.append("evaluation.variants_tried_by_hand is not stated: 1 assumed in the DSR")
        return notes

    def in_sample(self, fold: Fold) -> bool:
        """Fixed mode: does the test window overlap the data the parameters were chosen on?"""
        tuned = self.settings.parameters_tuned_on
        if self.settings.retune or not tuned:
            return False
        start, _, end = tuned.partition("-")
        return (fold.test_start < pd.Timestamp(end, tz="UTC")
                and pd.Timestamp(start, tz="UTC") < fold.test_end)

    def parameters(self, results: list[FoldResult]) -> dict[str, Any]:
        """Fixed: the parameters every fold ran. Re-tune: the latest fold's chosen set."""
        level = cost_runs(self.settings)[0][self.settings.verdict_cost]
        if self.settings.retune:
            return results[-1].runs[level].parameters
        sets = {repr(r.runs[level].parameters) for r in results}
        if len(sets) != 1:
            raise EvaluationError("fixed-parameter folds ran with different parameters.")
        return results[0].runs[level].parameters

    def daily_limits(self, equity: pd.DataFrame) -> pd.Series:
        risk = parse_risk_config(self.config.get("risk"))
        return equity["equity_at_day_start_in_fold"].map(risk.daily_limit)

    @staticmethod
    def timings(results: list[FoldResult], wall: float) -> dict[str, Any]:
        backtests = sum(r.backtest_seconds for r in results)
        return {
            "wall_seconds": wall,
            "freqtrade_seconds": backtests,
            "backtests": sum(len(r.runs) + max(len(r.candidates) - 1, 0) for r in results),
            "folds": [{"index": r.index, "seconds": r.seconds, "freqtrade_seconds":
                       r.backtest_seconds, "hyperopt_seconds": (r.hyperopt or {}).get("seconds")}
                      for r in results],
        }
