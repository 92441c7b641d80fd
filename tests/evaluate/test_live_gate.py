"""The live gate: evidence files written by the evaluator decide whether a live bot may enter."""

from __future__ import annotations

import json
import logging
import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from freqtrade.enums import RunMode

from risk_protections.evidence import (
    code_files,
    code_hash,
    evidence_path,
    gate_fields,
    judge_strategy,
    parameters_fingerprint,
    strategy_file,
    strategy_parameters,
)
from risk_protections.ledger import snapshot
from risk_protections.summary import risk_summary

sys.path.insert(0, str(Path(__file__).parents[1] / "risk" / "strategies"))
from RiskProbe import RiskProbe

NOW = datetime(2025, 6, 4, 12, tzinfo=UTC)


class Wallet:
    def get_starting_balance(self) -> float:
        return 1000.0


def probe(tmp_path: Path, runmode: RunMode, allow: bool = False) -> RiskProbe:
    s = RiskProbe({"risk": {"allow_live_without_edge": allow}, "stake_currency": "USDT",
                   "runmode": runmode, "user_data_dir": tmp_path})
    s.wallets = Wallet()
    s.dp = None
    return s


def write_evidence(s: RiskProbe, tmp_path: Path, verdict: str = "edge",
                   failed: list[str] | None = None, **changes: object) -> Path:
    fields = gate_fields("RiskProbe", strategy_file(s), strategy_parameters(s), verdict,
                         failed or [])
    fields.update(changes)
    path = evidence_path(tmp_path, "RiskProbe")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(fields))
    return path


def enters(s: RiskProbe) -> bool:
    return s.confirm_trade_entry("ETH/USDT", "limit", 0.5, 100.0, "GTC", NOW, None, "long")


@pytest.fixture
def gate_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger="risk_protections")
    return caplog


def test_missing_evidence_refuses_live_entries(bt_trades, tmp_path, gate_log) -> None:
    s = probe(tmp_path, RunMode.LIVE)
    assert enters(s) is False
    assert "live gate missing: no evidence file" in gate_log.text
    assert "refused long entry on ETH/USDT" in gate_log.text


def test_edge_evidence_allows_live_entries(bt_trades, tmp_path) -> None:
    s = probe(tmp_path, RunMode.LIVE)
    write_evidence(s, tmp_path)
    assert judge_strategy(s).state == "edge"
    assert enters(s) is True


def test_no_edge_evidence_refuses_and_names_the_failed_tests(bt_trades, tmp_path,
                                                             gate_log) -> None:
    s = probe(tmp_path, RunMode.LIVE)
    write_evidence(s, tmp_path, "no edge", ["deflated_sharpe_ratio", "out_of_sample_trades"])
    assert enters(s) is False
    assert "live gate no edge: failed tests: deflated_sharpe_ratio, out_of_sample_trades" in (
        gate_log.text)


def test_stale_code_hash_refuses(bt_trades, tmp_path, gate_log) -> None:
    s = probe(tmp_path, RunMode.LIVE)
    write_evidence(s, tmp_path, code_hash="0" * 64)
    assert enters(s) is False
    assert "live gate stale: code hash differs" in gate_log.text


def test_stale_parameters_refuse_and_name_what_differs(bt_trades, tmp_path, gate_log) -> None:
    s = probe(tmp_path, RunMode.LIVE)
    params = {**strategy_parameters(s), "stoploss": -0.05}
    write_evidence(s, tmp_path, parameters=params,
                   parameters_fingerprint=parameters_fingerprint(params))
    assert enters(s) is False
    assert "live gate stale: parameters differ: stoploss -0.05 (evidence) vs -0.03 (running)" in (
        gate_log.text)


def test_owner_override_allows_live_entries_without_evidence(bt_trades, tmp_path) -> None:
    assert enters(probe(tmp_path, RunMode.LIVE, allow=True)) is True


def test_dry_run_trades_and_logs_what_live_would_do(bt_trades, tmp_path, gate_log) -> None:
    s = probe(tmp_path, RunMode.DRY_RUN)
    s.bot_start()
    assert enters(s) is True
    assert ("live gate missing" in gate_log.text
            and "dry-run (trades normally); in live mode: live entries refused" in gate_log.text)


def test_backtests_never_read_evidence(bt_trades, tmp_path) -> None:
    s = probe(tmp_path, RunMode.BACKTEST)
    s.bot_start()
    assert s.__dict__["_risk_gate"] is None
    assert enters(s) is True


def test_daily_summary_says_which_gate_state(bt_trades, tmp_path) -> None:
    s = probe(tmp_path, RunMode.LIVE, allow=True)
    write_evidence(s, tmp_path, "no edge", ["random_entry_p_value"])
    text = risk_summary(s.risk_config, snapshot(NOW, 1000.0, s.risk_config.daily_reset),
                        currency="USDT", locks=[], gate=judge_strategy(s))
    assert ("Live gate: no edge: failed tests: random_entry_p_value "
            "(allowed by risk.allow_live_without_edge)") in text.replace("`", "")


def test_unreadable_evidence_counts_as_missing(bt_trades, tmp_path) -> None:
    s = probe(tmp_path, RunMode.LIVE)
    path = evidence_path(tmp_path, "RiskProbe")
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    status = judge_strategy(s)
    assert status.state == "missing" and "unreadable evidence" in status.detail
    assert enters(s) is False


def test_code_hash_covers_the_strategy_and_the_risk_and_tier_code(tmp_path) -> None:
    strategy = tmp_path / "Tier.py"
    strategy.write_text("class Tier: pass\n")
    names = code_files(strategy)
    assert "strategy/Tier.py" in names
    assert "risk_protections/sizing.py" in names and "ftpack/tiers/indicators.py" in names
    before = code_hash(strategy)
    strategy.write_text("class Tier: stoploss = -0.02\n")
    assert code_hash(strategy) != before
    shutil.copy(strategy, tmp_path / "Copy.py")
    assert code_hash(tmp_path / "Copy.py") != code_hash(strategy)  # the file name counts too
