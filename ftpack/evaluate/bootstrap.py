"""Confidence intervals of the mean daily return and the Sharpe ratio by stationary block bootstrap.

Daily returns ``r_1 … r_n`` (``ftpack.evaluate.performance.daily_returns``) are resampled with
``arch.bootstrap.StationaryBootstrap`` (Politis & Romano, 1994): blocks of geometric length with
mean ``b``, which keeps the returns' serial dependence. ``b`` is the Politis & White (2004)
estimate of ``arch.bootstrap.optimal_block_length`` kept within [1, n] days (1 when undefined).

For each of ``R`` resamples ``r*`` the statistics are mean(r*) and the annualised Sharpe
mean(r*) / std(r*, ddof=1) · √365 (0 without variance); the ``level`` interval is the percentile
interval ``[q((1-level)/2), q((1+level)/2)]`` of the ``R`` values (arch's ``percentile`` method).

Degenerate input is reported, never resampled: fewer than ``MIN_DAYS`` returns gives NaN bounds (a
verdict reading them fails); returns without variance give bounds equal to the point estimate.
Either way ``degenerate`` says why and no resample is drawn.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from arch.bootstrap import StationaryBootstrap, optimal_block_length

from ftpack.evaluate.performance import DAYS_PER_YEAR, daily_sharpe

MIN_DAYS = 10


@dataclass(frozen=True)
class Interval:
    """A point estimate and its confidence bounds."""

    estimate: float
    lower: float
    upper: float

    def to_dict(self) -> dict[str, float | None]:
        return {k: (v if math.isfinite(v) else None) for k, v in vars(self).items()}


@dataclass(frozen=True)
class BootstrapResult:
    """Bootstrap CIs of the mean daily return and annualised Sharpe, and the resampled means."""

    mean_daily_return: Interval
    sharpe: Interval
    level: float
    block_length: float
    n_resamples: int
    seed: int
    n_days: int
    degenerate: str | None
    mean_distribution: npt.NDArray[np.float64] = field(repr=False, compare=False)

    def to_dict(self) -> dict[str, object]:
        return {
            "mean_daily_return": self.mean_daily_return.to_dict(),
            "sharpe": self.sharpe.to_dict(),
            "level": self.level,
            "block_length": self.block_length if math.isfinite(self.block_length) else None,
            "n_resamples": self.n_resamples,
            "seed": self.seed,
            "n_days": self.n_days,
            "degenerate": self.degenerate,
            "mean_distribution": self.mean_distribution.tolist(),
        }


def _statistics(returns: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    return np.array([returns.mean(), daily_sharpe(returns) * math.sqrt(DAYS_PER_YEAR)])


def _degenerate(
    returns: npt.NDArray[np.float64], level: float, seed: int, reason: str, bound: float | None
) -> BootstrapResult:
    point = _statistics(returns) if len(returns) else np.array([math.nan, 0.0])
    lower = upper = point if bound is None else np.array([bound, bound])
    return BootstrapResult(
        mean_daily_return=Interval(float(point[0]), float(lower[0]), float(upper[0])),
        sharpe=Interval(float(point[1]), float(lower[1]), float(upper[1])),
        level=level, block_length=math.nan, n_resamples=0, seed=seed, n_days=len(returns),
        degenerate=reason, mean_distribution=np.empty(0),
    )


def _block_length(returns: npt.NDArray[np.float64]) -> float:
    """Politis & White's stationary block length, within [1, n] (1 if it is undefined)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        estimate = float(optimal_block_length(returns)["stationary"].iloc[0])
    return 1.0 if math.isnan(estimate) else min(max(1.0, estimate), float(len(returns)))


def bootstrap_ci(
    returns: npt.ArrayLike, *, n_resamples: int = 5000, level: float = 0.95, seed: int = 0
) -> BootstrapResult:
    """Stationary block bootstrap CIs of the mean daily return and annualised Sharpe of ``returns``.

    Reproducible: the same returns, ``n_resamples``, ``level`` and ``seed`` give the same result.
    """
    r = np.asarray(returns, dtype=float).ravel()
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level}.")
    if n_resamples < 1:
        raise ValueError(f"n_resamples must be at least 1, got {n_resamples}.")
    if not np.all(np.isfinite(r)):
        raise ValueError("The daily returns hold NaN or infinite values.")
    if len(r) < MIN_DAYS:
        return _degenerate(
            r, level, seed, f"{len(r)} daily returns, fewer than {MIN_DAYS}", math.nan
        )
    if np.ptp(r) == 0:
        return _degenerate(r, level, seed, "the daily returns have no variance", None)
    block = _block_length(r)
    # arch annotates block_size as int; the stationary bootstrap's expected block length is real.
    bs = StationaryBootstrap(block, r, seed=seed)  # type: ignore[arg-type]
    draws = bs.apply(_statistics, reps=n_resamples)
    tails = 100 * np.array([(1 - level) / 2, (1 + level) / 2])
    lower, upper = np.percentile(draws, tails, axis=0)
    point = _statistics(r)
    return BootstrapResult(
        mean_daily_return=Interval(float(point[0]), float(lower[0]), float(upper[0])),
        sharpe=Interval(float(point[1]), float(lower[1]), float(upper[1])),
        level=level, block_length=block, n_resamples=n_resamples, seed=seed, n_days=len(r),
        degenerate=None, mean_distribution=draws[:, 0].copy(),
    )
