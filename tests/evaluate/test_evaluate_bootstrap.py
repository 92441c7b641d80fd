"""Stationary block bootstrap CIs: coverage on a known i.i.d. series, seeds, edge cases."""

import math

import numpy as np
import pytest

from ftpack.evaluate.bootstrap import MIN_DAYS, bootstrap_ci

TRUE_MEAN = 0.001


def test_ci_of_the_mean_covers_the_true_mean_about_95_percent_of_the_time():
    # A statistical test input (not a price series): 300 independent i.i.d. normal samples of
    # 250 daily returns with a known mean; each gets its own bootstrap CI.
    rng = np.random.default_rng(20240611)
    n_series = 300
    covered = 0
    for i in range(n_series):
        returns = rng.normal(TRUE_MEAN, 0.02, size=250)
        ci = bootstrap_ci(returns, n_resamples=300, seed=i).mean_daily_return
        covered += ci.lower <= TRUE_MEAN <= ci.upper
    assert 0.90 <= covered / n_series <= 0.985


def test_result_is_reproducible_for_a_seed_and_varies_with_it():
    returns = np.random.default_rng(5).normal(0.0005, 0.01, size=200)
    a = bootstrap_ci(returns, n_resamples=500, seed=11)
    b = bootstrap_ci(returns, n_resamples=500, seed=11)
    c = bootstrap_ci(returns, n_resamples=500, seed=12)
    assert a == b and np.array_equal(a.mean_distribution, b.mean_distribution)
    assert not np.array_equal(a.mean_distribution, c.mean_distribution)


def test_result_reports_how_it_was_made():
    returns = np.random.default_rng(6).normal(0.0005, 0.01, size=120)
    result = bootstrap_ci(returns, n_resamples=300, level=0.9, seed=3)
    assert result.mean_daily_return.estimate == pytest.approx(returns.mean())
    sharpe = returns.mean() / returns.std(ddof=1) * math.sqrt(365)
    assert result.sharpe.estimate == pytest.approx(sharpe)
    assert result.mean_daily_return.lower < returns.mean() < result.mean_daily_return.upper
    assert result.sharpe.lower < sharpe < result.sharpe.upper
    assert (result.level, result.n_resamples, result.seed, result.n_days) == (0.9, 300, 3, 120)
    assert result.block_length >= 1.0
    assert result.degenerate is None
    assert len(result.mean_distribution) == 300
    lower, upper = np.percentile(result.mean_distribution, [5, 95])
    assert (lower, upper) == pytest.approx(
        (result.mean_daily_return.lower, result.mean_daily_return.upper)
    )
    assert len(result.to_dict()["mean_distribution"]) == 300


def test_short_series_gives_nan_bounds_and_says_why():
    result = bootstrap_ci([0.01] * (MIN_DAYS - 1) + [0.02])
    assert result.n_days == MIN_DAYS
    short = bootstrap_ci([0.01, -0.02, 0.03])
    assert math.isnan(short.mean_daily_return.lower) and math.isnan(short.sharpe.upper)
    assert short.mean_daily_return.estimate == pytest.approx(0.02 / 3)
    assert "fewer than" in short.degenerate
    assert short.n_resamples == 0 and short.mean_distribution.size == 0
    assert short.to_dict()["mean_daily_return"]["lower"] is None
    assert math.isnan(bootstrap_ci([]).mean_daily_return.estimate)


def test_series_without_variance_gives_the_point_estimate():
    result = bootstrap_ci(np.zeros(60))
    ci = result.mean_daily_return
    assert (ci.estimate, ci.lower, ci.upper) == (0.0, 0.0, 0.0)
    assert result.sharpe.estimate == 0.0
    assert "no variance" in result.degenerate


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="NaN"):
        bootstrap_ci([0.01, np.nan] * 10)
    with pytest.raises(ValueError, match="level"):
        bootstrap_ci(np.ones(20), level=1.5)
