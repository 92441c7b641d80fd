"""A real offline futures backtest of PerpScalper on a narrow range of the bundled data.

Checks what must hold for any parameters: it runs through ``freqtrade-offline``, no trade is
liquidated, leverage stays within the 5× cap, exits come only from the documented rules, and
the pack's risk audit finds no breach in the exported trades.
"""

import subprocess
import sys
from pathlib import Path

import pytest
from freqtrade.configuration.load_config import load_from_files
from freqtrade.data.btanalysis import get_latest_backtest_filename, load_backtest_data

from risk_protections.audit import audit_backtest

pytestmark = pytest.mark.slow  # real Freqtrade runs

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "user_data/config/backtest-tier3.json"
EXITS = {
    "stop_loss",
    "trailing_stop_loss",
    "timeout_30m",
    "regime_change",
    "flash_crash",
    "force_exit",
}


def test_offline_backtest_is_safe_and_audited(tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "ftpack.offline",
            "backtesting",
            "-c",
            str(CONFIG),
            "--timerange",
            "20250514-20250524",
            "--export",
            "trades",
            "--cache",
            "none",
            "--backtest-directory",
            str(tmp_path),
        ],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    result = tmp_path / get_latest_backtest_filename(tmp_path)
    trades = load_backtest_data(result)
    assert len(trades) > 0
    assert set(trades["exit_reason"]) <= EXITS
    assert trades["leverage"].max() <= 5.0
    assert trades["is_short"].any() and (~trades["is_short"]).any()
    report = audit_backtest(result, load_from_files([str(CONFIG)]))
    assert report.breaches == []
    assert report.repriced_breaches == []
