"""The evaluator's verdict: ``edge`` only when every test passes, otherwise ``no edge``.

Tests and default thresholds (``evaluation.thresholds`` in the config overrides them):

- bootstrap CI lower bound of the mean daily return ``> ci_lower_min`` (0), at the verdict's
  cost level (``evaluation.verdict_cost``: taker fees unless the config says ``realistic``);
- Deflated Sharpe Ratio ``≥ dsr_min`` (0.95);
- random-entry null model p-value ``< null_p_max`` (0.05);
- out-of-sample trades ``≥ min_trades`` (100);
- risk-rule breaches ``≤ max_breaches`` (0);
- no fold tests data its fixed parameters were tuned on (``evaluation.parameters_tuned_on``):
  an in-sample fold is no evidence, so an evaluation that holds one cannot say ``edge``.

A NaN value (an undefined statistic) fails its test.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

CONFIG_PATH = "evaluation.thresholds"
COUNT_KEYS = ("min_trades", "max_breaches")
PROBABILITY_KEYS = ("dsr_min", "null_p_max")


@dataclass(frozen=True)
class Thresholds:
    """Pass marks of the verdict's tests."""

    ci_lower_min: float = 0.0
    dsr_min: float = 0.95
    null_p_max: float = 0.05
    min_trades: int = 100
    max_breaches: int = 0

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Thresholds:
        """Defaults overridden by the config's ``evaluation.thresholds``; bad keys fail loudly."""
        given = (config.get("evaluation") or {}).get("thresholds") or {}
        if not isinstance(given, Mapping):
            raise ValueError(f"{CONFIG_PATH} must be a mapping, got {given!r}.")
        known = [f.name for f in fields(cls)]
        values: dict[str, Any] = {}  # each value checked against its field's type below
        for key, value in given.items():
            name = f"{CONFIG_PATH}.{key}"
            if key not in known:
                raise ValueError(f"Unknown setting {name} (known: {', '.join(known)}).")
            integer = key in COUNT_KEYS
            if isinstance(value, bool) or not isinstance(value, int if integer else (int, float)):
                raise ValueError(f"{name} must be {'an integer' if integer else 'a number'}, "
                                 f"got {value!r}.")
            if not math.isfinite(value):
                raise ValueError(f"{name} must be finite, got {value!r}.")
            if key in PROBABILITY_KEYS and not 0 <= value <= 1:
                raise ValueError(f"{name} is a probability in [0, 1], got {value!r}.")
            if integer and value < 0:
                raise ValueError(f"{name} is a count and cannot be negative, got {value!r}.")
            values[key] = value
        return cls(**values)


@dataclass(frozen=True)
class Check:
    """One test of the verdict: its value, the rule and whether it passed."""

    name: str
    value: float
    rule: str
    threshold: float
    passed: bool

    def describe(self) -> str:
        return f"{self.name} = {self.value:.6g} (needs {self.rule} {self.threshold:g})"


@dataclass(frozen=True)
class Verdict:
    """``edge`` when every check passed; ``failed`` names the others."""

    checks: tuple[Check, ...]

    @property
    def edge(self) -> bool:
        return all(c.passed for c in self.checks)

    @property
    def label(self) -> str:
        return "edge" if self.edge else "no edge"

    @property
    def failed(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if not c.passed)

    def summary(self) -> str:
        if self.edge:
            return "edge: every test passed"
        return "no edge: " + "; ".join(c.describe() for c in self.failed)

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.label,
            "summary": self.summary(),
            "checks": [asdict(c) | {"value": c.value if math.isfinite(c.value) else None}
                       for c in self.checks],
        }


RULES: dict[str, Callable[[float, float], bool]] = {
    ">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le,
}


def _check(name: str, value: float, rule: str, threshold: float) -> Check:
    passed = math.isfinite(value) and RULES[rule](value, threshold)
    return Check(name, float(value), rule, float(threshold), bool(passed))


def decide(
    *,
    ci_lower: float,
    dsr: float,
    null_p: float,
    trades: int,
    breaches: int,
    thresholds: Thresholds | None = None,
    cost: str = "taker",
    in_sample_folds: int = 0,
) -> Verdict:
    """The verdict from the five statistics and the count of in-sample folds; ``ci_lower`` is
    the CI lower bound of the mean daily return of the run at the ``cost`` level (named in the
    check)."""
    t = thresholds or Thresholds()
    return Verdict((
        _check(f"ci_lower_mean_daily_return_{cost}", ci_lower, ">", t.ci_lower_min),
        _check("deflated_sharpe_ratio", dsr, ">=", t.dsr_min),
        _check("random_entry_p_value", null_p, "<", t.null_p_max),
        _check("out_of_sample_trades", trades, ">=", t.min_trades),
        _check("risk_breaches", breaches, "<=", t.max_breaches),
        _check("in_sample_folds", in_sample_folds, "<=", 0),
    ))
