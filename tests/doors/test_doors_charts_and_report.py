"""Chart columns and plot_configs of the tiers, and the backtest risk section's pieces."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from freqtrade.optimize import backtesting

from ftpack.tiers.ml.regime import REGIMES
from ftpack.tiers.ml.tier import ml_plot_config
from ftpack.tiers.stablecoin.chart import add_chart_columns
from risk_protections import backtest_report
from risk_protections.audit_rules import AuditReport, AuditView, RuleResult


def test_stablecoin_chart_columns() -> None:
    frame = pd.DataFrame({"fair_value": [1.0, 0.999, np.nan],
                          "depeg_guard": [False, True, False]})
    out = add_chart_columns(frame, threshold_bps=22.0)
    assert out["entry_limit"].iloc[0] == pytest.approx(0.9978)
    assert out["entry_limit"].iloc[1] == pytest.approx(0.999 * (1 - 22e-4))
    assert np.isnan(out["entry_limit"].iloc[2])
    assert out["entry_threshold_bps"].tolist() == [-22.0] * 3
    assert out["depeg_guard_on"].tolist() == [0, 1, 0]


def test_ml_plot_config_adds_the_model_for_the_traded_sides() -> None:
    tier = {"main_plot": {"range_high": {}}, "subplots": {"volume": {"volume_ratio": {}}}}
    long_only = ml_plot_config(tier, {"long": ("trend_up",)})
    both = ml_plot_config(tier, {"long": ("trend_up",), "short": ("trend_down",)})
    assert long_only["main_plot"] == tier["main_plot"]
    assert set(long_only["subplots"]["ML probability vs threshold"]) == {"up", "tb_threshold_up"}
    assert set(both["subplots"]["ML probability vs threshold"]) == {
        "up", "tb_threshold_up", "down", "tb_threshold_down"}
    assert set(both["subplots"]["ML regime probability"]) == set(REGIMES)
    assert both["subplots"]["volume"] == tier["subplots"]["volume"]


def _lock(reason: str, when: str) -> dict:
    stamp = datetime.fromisoformat(when).replace(tzinfo=UTC)
    return {"reason": reason, "lock_time": when, "lock_timestamp": int(stamp.timestamp() * 1000)}


def test_locks_grouped_by_protection_with_their_days() -> None:
    locks = [
        _lock("DailyLossGuard: realized loss 20.00 USDT …", "2025-06-05 14:00:00"),
        _lock("DailyLossGuard: realized loss 21.00 USDT …", "2025-06-09 01:00:00"),
        _lock("ConsecutiveLossPause: 3 losing trades in a row …", "2025-06-05 15:00:00"),
        _lock("ConsecutiveLossPause: 6 losing trades in a row …", "2025-06-05 18:00:00"),
        _lock("Cooldown period for 10 min.", "2025-06-06 00:00:00"),
    ]
    assert backtest_report.lock_summary(locks) == {
        "ConsecutiveLossPause": {"count": 2, "days": ["2025-06-05"]},
        "DailyLossGuard": {"count": 2, "days": ["2025-06-05", "2025-06-09"]},
        backtest_report.OTHER_LOCKS: {"count": 1, "days": ["2025-06-06"]},
    }


def _report() -> AuditReport:
    def view(name: str, worst: float) -> AuditView:
        rules = {rule: RuleResult(rule, worst=worst, limit=10.0, detail=f"{rule} detail")
                 for rule in backtest_report.RULE_LABELS}
        if name == "repriced":
            del rules["consecutive_losses"]
        return AuditView(name, rules)

    return AuditReport(1000.0, 3, view("filled", 4.0), view("repriced", 12.0))


def test_risk_section_keeps_both_views_and_what_each_checks(
    capsys: pytest.CaptureFixture) -> None:
    result = {"locks": [_lock("ReserveGuard: …", "2025-06-05 10:00:00")]}
    section = backtest_report.risk_section(result, {"enable_protections": False}, _report(),
                                           Path("backtest-result-x.zip"))
    daily = section["rules"]["daily_loss"]
    assert daily["filled"] == {"limit": 10.0, "worst": 4.0, "detail": "daily_loss detail",
                               "breaches": 0}
    assert daily["repriced"]["breaches"] is None  # reported, not checked, in the re-priced view
    assert section["rules"]["trade_cap"]["repriced"]["breaches"] == 0
    assert "repriced" not in section["rules"]["consecutive_losses"]
    assert section["locks"] == {"ReserveGuard": {"count": 1, "days": ["2025-06-05"]}}
    json.dumps(section)
    backtest_report.print_risk_section("S", section, "USDT")
    out = capsys.readouterr().out
    assert "RISK RULES" in out and "4.00 / 10.00" in out and "12.00 / 10.00" in out
    assert "0 / not checked" in out and "Protections were OFF" in out


def test_export_file_follows_freqtrade_naming(tmp_path: Path) -> None:
    (tmp_path / ".last_result.json").write_text('{"latest_backtest": "backtest-result-1.zip"}')
    config = {"export": "signals", "exportdirectory": tmp_path}
    assert backtest_report.export_file(config, {}, "S") == tmp_path / "backtest-result-1.zip"
    reused = {"metadata": {"S": {"filename": "backtest-result-0"}}}
    assert backtest_report.export_file(config, reused, "S") == tmp_path / "backtest-result-0.zip"
    assert backtest_report.export_file({"export": "none"}, {}, "S") is None


def test_hook_wraps_freqtrade_once_and_reports_only_pack_strategies(
    monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(backtesting, "show_backtest_results",
                        lambda config, stats: calls.append("freqtrade"))
    monkeypatch.setattr(backtest_report, "report_backtest",
                        lambda config, stats: calls.append("risk"))
    backtest_report.install()
    backtest_report.install()
    backtesting.show_backtest_results({}, {})
    assert calls == ["freqtrade", "risk"]


def test_pack_strategies_are_the_risk_managed_ones() -> None:
    from freqtrade.strategy import IStrategy

    from risk_protections import RiskManagedMixin

    class DoorsPackTier(RiskManagedMixin, IStrategy):
        pass

    class DoorsDerivedTier(DoorsPackTier):
        pass

    class DoorsPlainStrategy(IStrategy):
        pass

    names = backtest_report._pack_strategy_names()
    assert {"DoorsPackTier", "DoorsDerivedTier"} <= names
    assert "DoorsPlainStrategy" not in names
