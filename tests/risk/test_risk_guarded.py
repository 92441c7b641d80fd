"""RiskGuarded: any strategy under the pack's risk rules (``"risk": {"strategy": "<Name>"}``).

The slow test backtests Freqtrade's own SampleStrategy (loaded from the installed
``freqtrade/templates``, never copied here) plain and wrapped, on the same bundled window and
pairs, and audits both exports with ``ftpack-risk-audit``: the plain one breaches the deployment
cap, the reserve and the per-trade cap; the wrapped one breaches nothing.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import freqtrade
import pytest
from risk_helpers import CONFIG_DIR, REPO, run_cli, write_layer

from risk_protections.errors import PackConfigError
from risk_protections.guarded import NAME, guarded_class, guarded_strategy
from risk_protections.mixin import RiskManagedMixin

sys.path.insert(0, str(Path(__file__).parent / "strategies"))
from RiskProbe import EmaCrossCore, RiskProbe

TEMPLATES = Path(freqtrade.__file__).parent / "templates"
PAIRS = ("BTC/USDT", "ETH/USDT", "SOL/USDT")
EXTRA = {"method": "CooldownPeriod", "stop_duration_candles": 2}


def methods(strategy: Any) -> list[str]:
    return [p["method"] for p in strategy.protections]


def test_the_wrapper_adds_the_risk_layer_and_keeps_the_strategys_own_protections() -> None:
    class WithList(EmaCrossCore):
        protections = [EXTRA]

    class WithProperty(EmaCrossCore):
        @property
        def protections(self) -> list[dict]:
            return [EXTRA]

    rules = [p["method"] for p in guarded_class(EmaCrossCore)({"risk": {}}).protections]
    assert {"DailyLossGuard", "ReserveGuard", "DrawdownBreaker"} <= set(rules)
    for target in (EmaCrossCore, WithList, WithProperty):
        cls = guarded_class(target)
        assert cls.__name__ == NAME and issubclass(cls, RiskManagedMixin)
        assert issubclass(cls, target)
        strategy = cls({"risk": {}, "stake_currency": "USDT"})
        own = [] if target is EmaCrossCore else ["CooldownPeriod"]
        assert methods(strategy) == rules + own
    assert guarded_class(RiskProbe) is RiskProbe  # already under the rules


@pytest.mark.parametrize("risk", [{}, {"strategy": ""}, {"strategy": NAME}, {"strategy": 3}])
def test_riskguarded_without_a_strategy_name_fails_naming_the_key(risk: dict) -> None:
    with pytest.raises(PackConfigError, match=r"^risk\.strategy: RiskGuarded needs"):
        guarded_strategy({"risk": risk})


def backtest(tmp_path: Path, strategy: str, layers: list[Path]) -> Path:
    out = tmp_path / strategy
    out.mkdir()
    args = ["backtesting", "-c", str(CONFIG_DIR / "spot.json")]
    for layer in layers:
        args += ["-c", str(layer)]
    args += ["--strategy-path", str(TEMPLATES), "-s", strategy, "--pairs", *PAIRS]
    args += ["--timerange", "20250601-20250615", "--max-open-trades", "3"]
    args += ["--enable-protections", "--export", "trades", "--backtest-directory", str(out)]
    done = run_cli(args)
    assert done.returncode == 0, done.stderr[-3000:]
    return out


def audit(export: Path) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).parent / "ftpack-risk-audit"
    command = [str(exe), str(export), "-c", str(CONFIG_DIR / "spot.json")]
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_sample_strategy_breaches_the_caps_and_riskguarded_sample_strategy_does_not(
    tmp_path: Path,
) -> None:
    plain = audit(backtest(tmp_path, "SampleStrategy", []))
    assert plain.returncode == 2, plain.stdout[-3000:]
    for rule in ("deployment", "reserve", "trade_cap"):
        assert f"BREACH {rule} " in plain.stdout, plain.stdout[-3000:]
    layer = write_layer(tmp_path, "guarded.json", {"risk": {"strategy": "SampleStrategy"}})
    guarded_run = backtest(tmp_path, NAME, [layer])
    guarded = audit(guarded_run)
    assert guarded.returncode == 0, guarded.stdout[-3000:]
    assert "[filled] 0 breach(es)" in guarded.stdout and "BREACH" not in guarded.stdout
    assert "trades" in guarded.stdout.splitlines()[0] and " 0 trades" not in guarded.stdout
