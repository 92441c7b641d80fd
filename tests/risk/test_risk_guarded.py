"""RiskGuarded: any strategy under the pack's risk rules (``"risk": {"strategy": "<Name>"}``).

The slow tests backtest a strategy plain and wrapped, on the same bundled window and pairs, and
audit both exports with ``ftpack-risk-audit``: Freqtrade's own SampleStrategy (loaded from the
installed ``freqtrade/templates``, never copied here) breaches the deployment cap, the reserve
and the per-trade cap plain; tests/strategies/DcaEmaCross, which adds to losing positions,
breaches the per-trade cap plain; wrapped, neither breaches anything.
"""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import freqtrade
import pytest
from freqtrade.data.btanalysis import load_backtest_stats
from risk_helpers import CONFIG_DIR, REPO, run_cli, write_layer
from test_risk_dca import probe

from risk_protections.errors import PackConfigError
from risk_protections.guarded import NAME, guarded_class, guarded_strategy
from risk_protections.mixin import RiskManagedMixin

sys.path.insert(0, str(Path(__file__).parent / "strategies"))
from RiskProbe import EmaCrossCore, RiskProbe

TEMPLATES = Path(freqtrade.__file__).parent / "templates"
TEST_STRATEGIES = REPO / "tests" / "strategies"
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


class OwnStake(EmaCrossCore):
    def custom_stake_amount(self, proposed_stake: float, **kwargs: Any) -> float:
        return self.own_stake


@pytest.mark.parametrize("own_stake", [20.0, 1e6])
def test_the_strategys_own_stake_is_kept_within_the_rules(
    bt_trades: None, own_stake: float
) -> None:
    kwargs = {
        "pair": "BTC/USDT",
        "current_time": datetime(2025, 6, 4, 12, tzinfo=UTC),
        "current_rate": 100.0,
        "proposed_stake": 300.0,
        "min_stake": 5.0,
        "max_stake": 1e6,
        "leverage": 1.0,
        "entry_tag": None,
        "side": "long",
    }
    strategy = probe(guarded_class(OwnStake))
    strategy.own_stake = own_stake
    rules = RiskManagedMixin.custom_stake_amount(strategy, **{**kwargs, "proposed_stake": 1e6})
    assert 5.0 < rules < 300.0  # the per-trade cap binds: 10 USDT at a 3 % stop
    assert strategy.custom_stake_amount(**kwargs) == pytest.approx(min(own_stake, rules))


def backtest(
    tmp_path: Path, strategy: str, layers: list[Path], strategy_path: Path = TEMPLATES
) -> Path:
    out = tmp_path / strategy
    out.mkdir()
    args = ["backtesting", "-c", str(CONFIG_DIR / "spot.json")]
    for layer in layers:
        args += ["-c", str(layer)]
    args += ["--strategy-path", str(strategy_path), "-s", strategy, "--pairs", *PAIRS]
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


BREACH = re.compile(r"BREACH (\w+) (\S+ \S+) ([\d.]+) vs limit ([\d.]+): (\S+) #(\d+) (\w+)")


def breaches(audit_stdout: str) -> list[tuple[str, str, float, float, str, int, str]]:
    """The audit's breaches: rule, time, loss, limit, pair, trade id, exit reason."""
    return [
        (rule, when, float(loss), float(limit), pair, int(trade), exit_reason)
        for rule, when, loss, limit, pair, trade, exit_reason in BREACH.findall(audit_stdout)
    ]


@pytest.mark.slow
def test_a_dca_strategy_breaches_the_trade_cap_and_riskguarded_dca_does_not(
    tmp_path: Path,
) -> None:
    plain = audit(backtest(tmp_path, "DcaEmaCross", [], TEST_STRATEGIES))
    assert plain.returncode == 2, plain.stdout[-3000:]
    # three stop losses of positions bought three times, each about 1.4 times the cap
    # as filled (the crash-stressed view lists more: the additions ignore the pair's gap)
    assert breaches(plain.stdout.split("[repriced]")[0]) == [
        ("trade_cap", "2025-06-05 19:15", 14.05, 10.10, "SOL/USDT", 4, "stop_loss"),
        ("trade_cap", "2025-06-13 00:00", 14.54, 10.24, "SOL/USDT", 15, "stop_loss"),
        ("trade_cap", "2025-06-13 00:10", 14.29, 10.24, "ETH/USDT", 16, "stop_loss"),
    ], plain.stdout[-3000:]
    layer = write_layer(tmp_path, "guarded.json", {"risk": {"strategy": "DcaEmaCross"}})
    guarded_run = backtest(tmp_path, NAME, [layer], TEST_STRATEGIES)
    guarded = audit(guarded_run)
    assert guarded.returncode == 0, guarded.stdout[-3000:]
    assert "[filled] 0 breach(es)" in guarded.stdout and not breaches(guarded.stdout)
    assert "Risk audit: 17 trades" in guarded.stdout, guarded.stdout[-3000:]
    trades = load_backtest_stats(next(guarded_run.glob("*.zip")))["strategy"][NAME]["trades"]
    added = [t for t in trades if sum(o["ft_is_entry"] for o in t["orders"]) > 1]
    assert len(added) == 10  # the wrapper cut the additions, it did not stop them all
