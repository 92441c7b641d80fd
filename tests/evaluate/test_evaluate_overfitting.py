"""DSR, PSR and PBO against a published example and hand-computed cases."""

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import norm, rankdata

from ftpack.evaluate.overfitting import (
    column_sharpes,
    deflated_sharpe_ratio,
    expected_max_sharpe,
    probabilistic_sharpe_ratio,
    probability_of_backtest_overfitting,
)


def test_dsr_matches_the_papers_numerical_example():
    """Bailey & López de Prado (2014), "The Deflated Sharpe Ratio", section "A numerical example".

    A strategy with an annualised Sharpe of 2.5 over 5 years of daily returns (T = 1250, 250 days
    a year), skewness -3 and kurtosis 10, selected after N = 100 trials whose annualised Sharpe
    ratios have variance 1/2. In daily (non-annualised) units SR = 2.5/√250 and V = 0.5/250; the
    paper gets SR0 = 0.1132 and DSR = 0.9004 (the holdout-backtest package's documentation on PyPI
    reproduces the same two figures "as published").
    """
    result = deflated_sharpe_ratio(
        2.5 / math.sqrt(250), n_obs=1250, skew=-3.0, kurtosis=10.0, n_trials=100,
        trial_sharpe_variance=0.5 / 250,
    )
    assert result.sr0 == pytest.approx(0.1132, abs=5e-5)
    assert result.dsr == pytest.approx(0.9004, abs=5e-5)
    assert result.sr_variance_source == "variance of the trials' Sharpe ratios"


def test_dsr_step_by_step_with_scipy():
    sr, t, skew, kurt, n, var = 0.08, 500, -0.5, 5.0, 20, 0.0009
    gamma = 0.5772156649015329
    z_max = (1 - gamma) * norm.ppf(1 - 1 / n) + gamma * norm.ppf(1 - 1 / (n * math.e))
    sr0 = math.sqrt(var) * z_max
    z = (sr - sr0) * math.sqrt(t - 1) / math.sqrt(1 - skew * sr + (kurt - 1) / 4 * sr**2)
    result = deflated_sharpe_ratio(sr, t, skew, kurt, n, trial_sharpe_variance=var)
    assert result.sr0 == pytest.approx(sr0, rel=1e-12)
    assert result.dsr == pytest.approx(norm.cdf(z), rel=1e-12)
    assert 0 < result.dsr < result.psr < 1


def test_one_trial_is_the_psr_against_zero():
    result = deflated_sharpe_ratio(0.05, 400, 0.3, 4.0, n_trials=1)
    psr = norm.cdf(0.05 * math.sqrt(399) / math.sqrt(1 - 0.3 * 0.05 + 3 / 4 * 0.05**2))
    assert result.sr0 == 0.0
    assert result.dsr == result.psr == pytest.approx(psr, rel=1e-12)


def test_unknown_trial_variance_uses_the_null_sampling_variance():
    result = deflated_sharpe_ratio(0.1, 365, 0.0, 3.0, n_trials=12)
    assert result.sr_variance == pytest.approx(1 / 364)
    assert "1/(T-1)" in result.sr_variance_source
    assert result.sr0 == pytest.approx(expected_max_sharpe(12, 1 / 364))
    assert result.to_dict()["sr_variance_source"] == result.sr_variance_source


def test_more_trials_deflate_more():
    dsrs = [deflated_sharpe_ratio(0.1, 730, 0.0, 3.0, n).dsr for n in (1, 10, 100, 1000)]
    assert dsrs == sorted(dsrs, reverse=True)


def test_psr_is_one_half_at_the_benchmark_and_undefined_when_degenerate():
    assert probabilistic_sharpe_ratio(0.1, 0.1, 100, 0.0, 3.0) == 0.5
    assert math.isnan(probabilistic_sharpe_ratio(0.1, 0.0, 1, 0.0, 3.0))
    assert math.isnan(deflated_sharpe_ratio(0.1, 1, 0.0, 3.0, 5).dsr)
    with pytest.raises(ValueError, match="at least 1"):
        expected_max_sharpe(0, 0.01)


def test_pbo_is_one_when_the_in_sample_best_is_always_the_out_of_sample_worst():
    # b = -a and a sums to 0: a half where a wins is a half where a loses in the other half.
    a = np.random.default_rng(7).normal(size=64)
    a -= a.mean()
    result = probability_of_backtest_overfitting(np.column_stack([a, -a]), n_partitions=8)
    assert result.pbo == 1.0
    assert result.n_combinations == 70
    assert np.allclose(result.logits, math.log((1 / 3) / (2 / 3)))


def test_pbo_is_zero_when_one_column_dominates_every_period():
    # Same noise, higher mean: the highest column has the best Sharpe in every half.
    base = np.random.default_rng(3).normal(scale=0.01, size=160)
    matrix = np.column_stack([base + 0.001 * k for k in range(5)])
    result = probability_of_backtest_overfitting(matrix)
    assert result.pbo == 0.0
    assert (result.n_partitions, result.n_combinations) == (16, 12870)
    assert np.allclose(result.logits, math.log(5))


def test_pbo_small_case_enumerated_by_hand():
    """S = 4 blocks of 2 rows; each block's rows are (μ + 1, μ - 1) with block means μ:

    ======  =====  ===  ===
    block     A     B    C
    ======  =====  ===  ===
    0         2     1    0
    1         2     1    0
    2        -2     0   1.2
    3        -2     0   1.2
    ======  =====  ===  ===

    Over two blocks with means μ1, μ2: mean m = (μ1+μ2)/2, h = (μ1-μ2)/2, and the 4 rows have
    std √((4h²+4)/3), so Sharpe = m·√3 / (2√(h²+1)).

    - IS {0,1}: A √3 = 1.732, B 0.866, C 0 → A; OOS {2,3}: A -1.732, B 0, C 1.039 → A ranks 1.
    - IS {2,3}: A -1.732, B 0, C 1.039 → C; OOS {0,1}: A 1.732, B 0.866, C 0 → C ranks 1.
    - IS {0,2}, {0,3}, {1,2}, {1,3}: A 0, B 0.5√3/(2√1.25) = 0.387, C 0.6√3/(2√1.36) = 0.446 → C;
      OOS is the same kind of pair → C ranks 3.

    ω = rank/4: λ = ln(1/3) twice, ln 3 four times; PBO = 2/6.
    """
    means = np.array([[2, 1, 0], [2, 1, 0], [-2, 0, 1.2], [-2, 0, 1.2]])
    matrix = np.repeat(means, 2, axis=0) + np.tile([[1.0], [-1.0]], (4, 1))
    result = probability_of_backtest_overfitting(matrix, n_partitions=4)
    assert result.n_combinations == 6
    assert result.pbo == pytest.approx(1 / 3)
    third, three = math.log(1 / 3), math.log(3)
    # Combinations in lexicographic order of the in-sample blocks: (0,1), (0,2), … (2,3).
    assert np.allclose(result.logits, [third, three, three, three, three, third])


def test_pbo_ties_pick_the_first_column_and_share_the_rank():
    # Identical columns: the first wins every in-sample tie and ranks (1+2)/2 out of sample,
    # ω = 1.5/3 = 1/2, λ = 0, which counts as overfit (λ ≤ 0).
    x = np.random.default_rng(1).normal(size=40)
    result = probability_of_backtest_overfitting(np.column_stack([x, x]), n_partitions=4)
    assert np.allclose(result.logits, 0.0)
    assert result.pbo == 1.0


def test_pbo_reduces_partitions_for_short_series_and_rejects_bad_input():
    matrix = np.random.default_rng(2).normal(size=(10, 3))
    result = probability_of_backtest_overfitting(matrix)
    assert (result.n_partitions, result.n_periods_used, result.n_combinations) == (4, 8, 6)
    assert len(result.to_dict()["logits"]) == 6
    with pytest.raises(ValueError, match="at least 4 periods"):
        probability_of_backtest_overfitting(matrix[:3])
    with pytest.raises(ValueError, match="even"):
        probability_of_backtest_overfitting(matrix, n_partitions=3)
    with pytest.raises(ValueError, match="2 configurations"):
        probability_of_backtest_overfitting(matrix[:, :1])
    with pytest.raises(ValueError, match="NaN"):
        probability_of_backtest_overfitting(np.where(matrix > 1, np.nan, matrix))


def test_column_sharpes():
    m = np.array([[1.0, 2.0, 1.0], [3.0, 2.0, -1.0]])
    assert np.allclose(column_sharpes(m), [2 / math.sqrt(2), 0.0, 0.0])


def reference_logits(matrix: np.ndarray, s: int) -> list[float]:
    """The CSCV definition written as a plain loop over the combinations."""
    rows = len(matrix) // s
    blocks = np.split(matrix[len(matrix) - s * rows:], s)
    logits = []
    for chosen in itertools.combinations(range(s), s // 2):
        ins = np.vstack([blocks[b] for b in chosen])
        oos = np.vstack([blocks[b] for b in range(s) if b not in chosen])
        best = int(np.argmax(ins.mean(axis=0) / ins.std(axis=0, ddof=1)))
        omega = rankdata(oos.mean(axis=0) / oos.std(axis=0, ddof=1))[best] / (matrix.shape[1] + 1)
        logits.append(math.log(omega / (1 - omega)))
    return logits


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    periods=st.integers(8, 60),
    configs=st.integers(2, 6),
    partitions=st.sampled_from([2, 4, 6]),
)
def test_pbo_matches_the_definition_on_random_matrices(seed, periods, configs, partitions):
    matrix = np.random.default_rng(seed).normal(0.001, 0.02, size=(periods, configs))
    result = probability_of_backtest_overfitting(matrix, n_partitions=partitions)
    expected = reference_logits(matrix, result.n_partitions)
    assert result.logits == pytest.approx(expected, abs=1e-9)
    assert result.pbo == np.mean(np.array(expected) <= 0)
