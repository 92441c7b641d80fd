"""Restart safety: daily state comes from the trades database, not from memory.

Two separate processes (two bot lives) share one SQLite trades DB. Life 1 loses $15 and is not
locked; after the "restart", life 2 loses $5 more and its own protection check locks the day
(limit $20) and the strategy refuses entries, although nothing of life 1 is in memory.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # real Freqtrade runs

HELPER = Path(__file__).resolve().parent / "restart_bot.py"


def life(db_file: Path, loss: float, position: float) -> dict:
    done = subprocess.run(
        [sys.executable, str(HELPER), str(db_file), str(loss), str(position)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_mid_day_restart_after_15_loss_then_5_loss_still_locks(tmp_path: Path) -> None:
    db_file = tmp_path / "tradesv3.dryrun.sqlite"
    first = life(db_file, 15.0, 0.5)
    assert first == {"trades_before": 0, "locks": [], "entry_allowed": True}
    second = life(db_file, 5.0, 0.75)
    assert second["trades_before"] == 1  # life 1's loss, read back from the database
    assert second["entry_allowed"] is False
    assert len(second["locks"]) == 1
    reason = second["locks"][0]
    assert reason.startswith("DailyLossGuard: realized loss 20.00 USDT")
    assert "day limit 20.00 USDT" in reason
