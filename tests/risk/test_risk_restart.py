"""Restart safety: risk state comes from the trades database, not from memory or the wall clock.

Each scenario runs two separate processes (two bot lives) on one SQLite trades DB, each with the
clock fixed by time-machine (restart_bot.py), so the day boundary is where the test puts it:

* one day and the next: life 1 loses $15 and is not locked; life 2 (23:50) loses $5 more and its
  own protection check locks the day (limit $20) and the strategy refuses entries, though nothing
  of life 1 is in memory; life 3, 20 minutes later on the next UTC day, trades again;
* open and partly exited trades: life 1 leaves a trade that realized a loss with a partial exit and
  a second open trade; after the restart both still count: today's loss (partial exit included)
  reaches the day limit, and the open stake keeps the next stake within the reserve.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # real Freqtrade runs

HELPER = Path(__file__).resolve().parent / "restart_bot.py"


def life(db_file: Path, now: str, trades: list[dict], account: dict | None = None) -> dict:
    """One bot life (restart_bot.py), with ``risk.account`` set to ``account`` when given."""
    extra = [] if account is None else [json.dumps(account)]
    done = subprocess.run(
        [sys.executable, str(HELPER), str(db_file), now, json.dumps(trades), *extra],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def loss(usdt: float, open_h: float = 2, close_h: float = 1) -> dict:
    """A closed 100 USDT trade that lost ``usdt``."""
    return {"open_h": open_h, "close_h": close_h, "stake": 100.0, "close_rate": 100.0 - usdt}


@pytest.mark.slow
def test_mid_day_restart_locks_the_day_and_the_next_utc_day_starts_clean(tmp_path: Path) -> None:
    db_file = tmp_path / "tradesv3.dryrun.sqlite"
    first = life(db_file, "2025-06-04T11:00:00+00:00", [loss(15.0)])
    assert first["locks"] == [] and first["entry_allowed"] is True
    second = life(db_file, "2025-06-04T23:50:00+00:00", [loss(5.0, 0.5, 0.2)])
    assert second["trades_before"] == 1  # life 1's loss, read back from the database
    assert second["entry_allowed"] is False
    assert len(second["locks"]) == 1
    reason = second["locks"][0]
    assert reason.startswith("DailyLossGuard: realized loss 20.00 USDT")
    assert "day limit 20.00 USDT" in reason
    third = life(db_file, "2025-06-05T00:10:00+00:00", [])  # 20 minutes later, a new UTC day
    assert third["trades_before"] == 2 and third["pnl_day"] == 0.0
    assert third["locks"] == [] and third["entry_allowed"] is True


@pytest.mark.slow
def test_open_and_partly_exited_trades_survive_a_restart(tmp_path: Path) -> None:
    db_file = tmp_path / "tradesv3.dryrun.sqlite"
    partly_exited = {"open_h": 3, "stake": 600.0, "partial": [2, 96.0, 0.5]}  # realized -12
    still_open = {"open_h": 1, "stake": 300.0}
    first = life(db_file, "2025-06-04T11:00:00+00:00", [partly_exited, still_open])
    assert first["open_stake"] == 600.0 and first["pnl_day"] == -12.0
    # the reserve binds the next stake: E 988 - reserve 200 - open stake 600
    assert first["entry_allowed"] is True and first["stake"] == pytest.approx(188.0)
    second = life(db_file, "2025-06-04T15:00:00+00:00", [loss(8.0)])
    assert second["trades_before"] == 2
    assert second["open_stake"] == 600.0  # both open trades, the partial exit's remainder
    assert second["pnl_day"] == -20.0  # the partial exit's loss still counts today
    assert second["stake"] == pytest.approx(180.0)  # E 980 - 200 - 600: the reserve still binds
    assert any(r.startswith("DailyLossGuard: realized loss 20.00 USDT") for r in second["locks"])
    assert second["entry_allowed"] is False
