"""Selection bias: Probabilistic and Deflated Sharpe Ratios, Probability of Backtest Overfitting.

All Sharpe ratios here are non-annualised (per period, e.g. daily): SR = mean(r) / std(r, ddof=1).

**PSR** (Bailey & López de Prado, 2012), the probability that the true Sharpe exceeds ``SR*``
given ``T`` observations with skewness ``γ3`` and non-excess kurtosis ``γ4``::

    PSR(SR*) = Φ( (SR - SR*) √(T-1) / √(1 - γ3·SR + (γ4-1)/4 · SR²) )

**DSR** (Bailey & López de Prado, 2014, "The Deflated Sharpe Ratio: Correcting for Selection Bias,
Backtest Overfitting and Non-Normality") is PSR(SR0), with SR0 the expected maximum Sharpe of
``N`` independent trials whose true Sharpe is zero (γ = Euler–Mascheroni constant)::

    SR0 = √V[SR_n] · ( (1-γ) Φ⁻¹(1 - 1/N) + γ Φ⁻¹(1 - 1/(N e)) ),   SR0 = 0 when N = 1.

``V[SR_n]`` is the variance of the trials' Sharpe ratios when they are known (the re-tune trial
matrix). When only the count of trials is known (fixed-parameter evaluations, hand-tried
variants) it is the sampling variance of a Sharpe estimate whose true value is zero,
``1/(T-1)`` (the PSR's own variance at SR = 0): the dispersion pure luck gives N trials.

**PBO** by combinatorially symmetric cross-validation (Bailey, Borwein, López de Prado & Zhu,
2015): the ``T×N`` matrix of per-period results of ``N`` configurations is cut into ``S`` equal
blocks of consecutive rows (the oldest ``T mod S`` rows are dropped). For each of the C(S, S/2)
choices of S/2 blocks as in-sample (IS), the rest out-of-sample (OOS):

- ``n*`` = the configuration with the highest IS Sharpe (ties: the lowest column index);
- ``ω`` = rank of ``n*`` among the OOS Sharpes (1 = worst, N = best, ties get their average
  rank) divided by ``N + 1``; logit ``λ = ln(ω / (1 - ω))``;

and ``PBO = #{λ ≤ 0} / C(S, S/2)``: how often the IS winner is at or below the OOS median.
A column without variance in a half has Sharpe ±inf by the sign of its mean (0 for a zero mean).
``S`` is reduced to the largest even number whose blocks hold at least 2 rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
import numpy.typing as npt
from scipy.stats import norm

EULER_GAMMA = float(np.euler_gamma)
MIN_BLOCK_ROWS = 2


def probabilistic_sharpe_ratio(
    sharpe: float, benchmark: float, n_obs: int, skew: float, kurtosis: float
) -> float:
    """PSR: P(true SR > ``benchmark``) for a daily ``sharpe`` from ``n_obs`` returns.

    NaN when it is undefined: fewer than 2 observations, or moments giving a non-positive
    variance term.
    """
    variance_term = 1.0 - skew * sharpe + (kurtosis - 1.0) / 4.0 * sharpe**2
    if n_obs < 2 or not variance_term > 0:
        return math.nan
    z = (sharpe - benchmark) * math.sqrt(n_obs - 1) / math.sqrt(variance_term)
    return float(norm.cdf(z))


def expected_max_sharpe(n_trials: int, sharpe_variance: float) -> float:
    """SR0: expected maximum Sharpe of ``n_trials`` zero-Sharpe trials with that variance."""
    if n_trials < 1:
        raise ValueError(f"The number of trials must be at least 1, got {n_trials}.")
    if sharpe_variance < 0:
        raise ValueError(f"The Sharpe variance must be non-negative, got {sharpe_variance}.")
    if n_trials == 1:
        return 0.0
    z = (1 - EULER_GAMMA) * norm.ppf(1 - 1 / n_trials) + EULER_GAMMA * norm.ppf(
        1 - 1 / (n_trials * math.e)
    )
    return float(math.sqrt(sharpe_variance) * z)


@dataclass(frozen=True)
class DeflatedSharpe:
    """DSR with every input it was computed from; ``psr`` is PSR against 0."""

    dsr: float
    psr: float
    sharpe: float
    sr0: float
    n_trials: int
    n_obs: int
    skew: float
    kurtosis: float
    sr_variance: float
    sr_variance_source: str

    def to_dict(self) -> dict[str, float | int | str | None]:
        return {k: (None if isinstance(v, float) and math.isnan(v) else v)
                for k, v in vars(self).items()}


def deflated_sharpe_ratio(
    sharpe: float,
    n_obs: int,
    skew: float,
    kurtosis: float,
    n_trials: int,
    trial_sharpe_variance: float | None = None,
) -> DeflatedSharpe:
    """DSR of a daily ``sharpe`` selected among ``n_trials`` configurations.

    ``trial_sharpe_variance`` is the variance of the trials' daily Sharpe ratios; None means it is
    not known and the null sampling variance 1/(n_obs-1) is used (``sr_variance_source`` says
    which).
    """
    if trial_sharpe_variance is None:
        variance = 1.0 / (n_obs - 1) if n_obs > 1 else math.nan
        source = "null sampling variance 1/(T-1): trial Sharpe ratios not known"
    else:
        variance, source = float(trial_sharpe_variance), "variance of the trials' Sharpe ratios"
    sr0 = expected_max_sharpe(n_trials, variance) if math.isfinite(variance) else math.nan
    return DeflatedSharpe(
        dsr=probabilistic_sharpe_ratio(sharpe, sr0, n_obs, skew, kurtosis),
        psr=probabilistic_sharpe_ratio(sharpe, 0.0, n_obs, skew, kurtosis),
        sharpe=sharpe, sr0=sr0, n_trials=n_trials, n_obs=n_obs, skew=skew, kurtosis=kurtosis,
        sr_variance=variance, sr_variance_source=source,
    )


def column_sharpes(performance: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Daily Sharpe of each column of a T×N matrix (mean / std, ddof=1; 0 without variance)."""
    m = np.asarray(performance, dtype=float)
    std = m.std(axis=0, ddof=1)
    return np.divide(m.mean(axis=0), std, out=np.zeros(m.shape[1]), where=std > 0)


@dataclass(frozen=True)
class PBOResult:
    """PBO, the logit of every combination's OOS relative rank, and how it was cut."""

    pbo: float
    n_partitions: int
    n_combinations: int
    n_periods_used: int
    n_configurations: int
    logits: npt.NDArray[np.float64] = field(repr=False, compare=False)

    def to_dict(self) -> dict[str, object]:
        d = {k: v for k, v in vars(self).items() if k != "logits"}
        return d | {"logits": self.logits.tolist()}


def _partitions(n_periods: int, requested: int) -> int:
    if requested < 2 or requested % 2:
        raise ValueError(f"The number of partitions must be even and at least 2, got {requested}.")
    s = min(requested, n_periods // MIN_BLOCK_ROWS // 2 * 2)
    if s < 2:
        raise ValueError(
            f"PBO needs at least {2 * MIN_BLOCK_ROWS} periods, got {n_periods}."
        )
    return s


def _sharpe(
    mean: npt.NDArray[np.float64], std: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """mean / std; ±inf by the mean's sign where std is 0 (0 for a zero mean)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        sharpe = np.where(std > 0, mean / std, np.sign(mean) * np.inf)
    return np.nan_to_num(sharpe, nan=0.0, posinf=np.inf, neginf=-np.inf)


def probability_of_backtest_overfitting(
    performance: npt.ArrayLike, n_partitions: int = 16
) -> PBOResult:
    """PBO of choosing the best of the N columns of a T×N per-period performance matrix."""
    m = np.asarray(performance, dtype=float)
    if m.ndim != 2 or m.shape[1] < 2:
        raise ValueError("PBO needs a T×N matrix with at least 2 configurations (columns).")
    if not np.all(np.isfinite(m)):
        raise ValueError("The performance matrix holds NaN or infinite values.")
    n_periods, n_configs = m.shape
    s = _partitions(n_periods, n_partitions)
    rows = n_periods // s
    used = m[n_periods - s * rows:]
    # Sharpe from block sums of centred columns: the centring avoids cancellation in Σx² - n x̄².
    centre = used.mean(axis=0)
    blocks = (used - centre).reshape(s, rows, n_configs)
    block_sums, block_squares = blocks.sum(axis=1), (blocks**2).sum(axis=1)
    chosen = np.array(list(combinations(range(s), s // 2)))
    in_sample = np.zeros((len(chosen), s))
    np.put_along_axis(in_sample, chosen, 1.0, axis=1)
    half = rows * s // 2

    def sharpes(membership: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        squares = membership @ block_squares
        mean = (membership @ block_sums) / half
        spread = squares - half * mean**2
        spread[spread <= 1e-12 * squares] = 0.0  # rounding residue of a constant half
        return _sharpe(mean + centre, np.sqrt(spread / (half - 1)))

    is_sharpe, oos_sharpe = sharpes(in_sample), sharpes(1.0 - in_sample)
    best = np.argmax(is_sharpe, axis=1)
    best_oos = oos_sharpe[np.arange(len(chosen)), best][:, None]
    rank = (oos_sharpe < best_oos).sum(axis=1) + ((oos_sharpe == best_oos).sum(axis=1) + 1) / 2
    omega = rank / (n_configs + 1)
    logits = np.log(omega / (1 - omega))
    return PBOResult(
        pbo=float(np.mean(logits <= 0)), n_partitions=s, n_combinations=len(chosen),
        n_periods_used=s * rows, n_configurations=n_configs, logits=logits,
    )
