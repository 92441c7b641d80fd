"""The risk promise: its numbers from the rules, and the README block generated from the data."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from risk_protections.config import parse_risk_config
from risk_protections.pair_gaps import AdverseMoves, gap_table
from risk_protections.promise import promise, startup_lines
from risk_protections.sizing import loss_per_notional

REPO = Path(__file__).resolve().parents[2]
DATA = REPO.parent / "shared" / "data" / "binance"
RISK = parse_risk_config(None)
MOVES = {
    "ZEC/USDT": AdverseMoves(0.405, 0.2, 0.413, 0.31, 900),
    "BTC/USDT": AdverseMoves(0.087, 0.07, 0.097, 0.10, 900),
}


def test_promise_numbers_follow_from_the_rules() -> None:
    table = gap_table(MOVES, RISK, "spot")
    kept = promise(RISK, 1000.0, table, list(MOVES), fee=0.001, trading_mode="spot")
    assert kept.cap == 10.0 and kept.daily_limit == 20.0 and kept.crash_limit == 50.0
    # the gap bound binds for ZEC (30 / k(41.3 %)), and its loss is exactly 3 x cap
    assert (kept.gap_pair, kept.gap) == ("ZEC/USDT", 0.413)
    assert kept.gap_loss == pytest.approx(30.0)
    # 500 deployed in ZEC's worst hour would lose more than the crash bound: the bound holds
    assert 500 * loss_per_notional(0.413, 0.001, 0.0, False) > 50.0
    assert kept.crash_loss == 50.0
    calm = gap_table({"USDC/USDT": None}, parse_risk_config({"gap": {
        "spot": 0.15, "futures": 0.15, "pairs": {"USDC/USDT": 0.03}}}), "spot")
    quiet = promise(RISK, 1000.0, calm, ["USDC/USDT"], fee=0.001, trading_mode="spot")
    assert quiet.crash_loss == pytest.approx(500 * loss_per_notional(0.03, 0.001, 0.0, False))


def test_startup_lines_name_each_pair_and_the_promise() -> None:
    table = gap_table(MOVES, RISK, "spot")
    lines = startup_lines(RISK, 1000.0, table, ["ZEC/USDT", "NEW/USDT"], fee=0.001,
                          trading_mode="spot", stop_distance=0.01, currency="USDT")
    assert lines[0].startswith("gap ZEC/USDT: long 41.3%, short 31.0% (measured, over 900 days")
    assert "max long notional 72.36 USDT on a 1000.00 USDT account (rule gap)" in lines[0]
    assert lines[1].startswith("gap NEW/USDT: long 41.3%, short 31.0% (universe, no candles")
    assert lines[2].startswith("promise for a 1000.00 USDT account: a trade stopped out loses at "
                               "most 10.00 USDT; a position caught in its pair's worst recorded "
                               "move loses at most 30.00 USDT (worst: ZEC/USDT, 41.3%)")
    assert "at once loses at most 50.00 USDT" in lines[3]


@pytest.mark.skipif(not DATA.is_dir(), reason="needs ../shared/data/binance beside the clone")
def test_readme_promise_block_is_generated_from_the_current_code_and_data() -> None:
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "risk_promise.py"), "--check"],
        capture_output=True, text=True, check=False, cwd=REPO,
    )
    assert result.returncode == 0, result.stdout + result.stderr
