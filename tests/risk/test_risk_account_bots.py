"""Two real dry-run bots on one account (restart_bot.py: a FreqtradeBot per process, each with
its own SQLite trades database, the clock fixed by time-machine).

tier1 loses 12 USDT, then tier2 loses 12 USDT on the same UTC day: neither alone reaches the
20 USDT day limit, and without ``risk.account`` each keeps trading. With ``risk.account``
naming the other's database, every bot's next start (a new process, nothing in memory) locks
the day through its own DailyLossGuard, refuses the next entry, and the lock names the rule,
the account's bots and the trade that crossed the line; the next UTC day trades again.

A ``freqtrade trade --dry-run`` whose ``risk.account`` cannot be one account (a peer database
that does not exist, its own database, trades in another stake currency) exits 2 naming the key.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from freqtrade.persistence import Trade
from risk_helpers import CONFIG_DIR, RISK_STRATEGIES, run_cli, write_layer
from test_risk_account import loss as closed_loss
from test_risk_account import write_db
from test_risk_restart import life, loss

pytestmark = pytest.mark.slow  # real Freqtrade runs

DAY = "2025-06-04T{}:00+00:00"


def account(name: str, peer: str, db_file: Path) -> dict:
    return {"name": name, "peers": {peer: f"file:{db_file}?mode=ro"}}


def test_two_bots_reach_the_day_limit_together_and_both_stop(tmp_path: Path) -> None:
    tier1, tier2 = tmp_path / "tradesv3.tier1.sqlite", tmp_path / "tradesv3.tier2.sqlite"
    alone1 = life(tier1, DAY.format("10:00"), [loss(12.0)])
    alone2 = life(tier2, DAY.format("11:00"), [loss(12.0, 0.5, 0.25)])
    for alone in (alone1, alone2):  # each bot's own loss stays within its day limit
        assert alone["entry_allowed"] is True and alone["locks"] == []
        assert alone["pnl_day"] == pytest.approx(-12.0)
    bots = {
        "tier1": (tier1, account("tier1", "tier2", tier2)),
        "tier2": (tier2, account("tier2", "tier1", tier1)),
    }
    for name, minute in (("tier1", "11:10"), ("tier2", "11:20")):
        db_file, section = bots[name]
        shared = life(db_file, DAY.format(minute), [], section)
        assert shared["trades_before"] == 1  # only its own trade is in its database
        assert shared["pnl_day"] == pytest.approx(-24.0)  # the account's day
        assert shared["entry_allowed"] is False
        (reason,) = shared["locks"]
        assert reason.startswith("DailyLossGuard: realized loss 24.00 USDT"), reason
        assert "(account of 2 bots: " in reason, reason
        assert "tier1 -12.00" in reason and "tier2 -12.00" in reason, reason
        assert "crossed by tier2's trade 1 at 10:45 UTC" in reason, reason
    next_day = life(tier1, "2025-06-05T00:10:00+00:00", [], bots["tier1"][1])
    assert next_day["entry_allowed"] is True and next_day["locks"] == []


@pytest.mark.parametrize(
    ("peer", "message"),
    [
        ("{tmp}/tradesv3.missing.sqlite", "does not exist"),
        ("sqlite:///{tmp}/tradesv3.tier1.sqlite", "is this bot's own database (db_url)"),
        ("{tmp}/tradesv3.btc.sqlite", "its trades are in BTC, this bot's stake_currency is USDT"),
    ],
)
def test_a_bot_with_an_impossible_account_exits_2_naming_the_peer(
    tmp_path: Path, peer: str, message: str
) -> None:
    write_db(tmp_path / "tradesv3.btc.sqlite", [closed_loss(Trade, 1.0, pair="ETH/BTC")])
    layer = write_layer(
        tmp_path,
        "account.json",
        {
            "db_url": f"sqlite:///{tmp_path}/tradesv3.tier1.sqlite",
            "fiat_display_currency": "",
            "max_open_trades": 3,
            "exchange": {"pair_whitelist": ["BTC/USDT"], "enable_ws": False},
            "risk": {"account": {"name": "tier1", "peers": {"tier2": peer.format(tmp=tmp_path)}}},
        },
    )
    args = ["trade", "--dry-run", "-c", str(CONFIG_DIR / "spot.json"), "-c", str(layer)]
    args += ["--strategy-path", str(RISK_STRATEGIES), "-s", "RiskProbe"]
    done = run_cli(args, timeout=300)
    assert done.returncode == 2, done.stderr[-3000:]
    log = " ".join(done.stderr.split())  # the console log wraps long lines
    assert "risk.account.peers.tier2: " in log and message in log, log[-2000:]
