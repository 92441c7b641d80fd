"""Subprocess helper for test_risk_restart: one bot 'life' against a SQLite trades database.

``python restart_bot.py <db_file> <now> <trades json> [<risk.account json>]`` runs with the
clock fixed at ``now`` (ISO, UTC; time-machine, so no test depends on the real time of day),
starts a dry-run FreqtradeBot (offline markets, RiskProbe, a 1,000 USDT account, DailyLossGuard
$20, reserve 20 %, up to 80 % deployed, ``risk.account`` when given), records the given
BTC/USDT trades (each ``{"open_h": hours before now, "close_h": hours before now or null for an
open trade, "stake": …, "close_rate": …, "partial": [hours before now, rate, share]}``, entry at
100), runs the bot's own ``handle_protections`` and prints JSON: trades found in the database
before the new ones, global lock reasons, the strategy's entry verdict and stake, and the
account's risk snapshot (open stake, today's realized P&L).
"""

from __future__ import annotations

import json
import sys
from datetime import datetime, timedelta
from pathlib import Path

import time_machine
from freqtrade.configuration import Configuration
from freqtrade.enums import RunMode
from freqtrade.freqtradebot import FreqtradeBot
from freqtrade.persistence import PairLocks, Trade
from risk_helpers import CONFIG_DIR, make_trade

from ftpack.offline import install

HERE = Path(__file__).resolve().parent


def build_bot(db_file: str, account: dict | None = None) -> FreqtradeBot:
    config = Configuration(
        {
            "config": [str(CONFIG_DIR / "spot.json")],
            "strategy": "RiskProbe",
            "strategy_path": str(HERE / "strategies"),
            "db_url": f"sqlite:///{db_file}",
            "dry_run": True,
        },
        RunMode.DRY_RUN,
    ).get_config()
    config["exchange"]["pair_whitelist"] = ["BTC/USDT"]
    config["max_open_trades"] = 3
    config["available_capital"] = 1000  # the account size, whatever the dry-run wallet holds
    # open stakes of 600-900 USDT: the correlated-crash bound is widened (accepted explicitly) so
    # that the reserve, the rule this test follows across restarts, binds the next stake
    config["risk"].update(daily_loss_limit_abs=20, max_deployed=0.8, crash_day_multiple=25,
                          i_accept_larger_losses=True)
    if account is not None:
        config["risk"]["account"] = account
    config.pop("fiat_display_currency", None)
    return FreqtradeBot(config)


def record(now: datetime, spec: dict) -> Trade:
    ago = lambda hours: None if hours is None else now - timedelta(hours=hours)  # noqa: E731
    partial = spec.get("partial")
    return make_trade(
        Trade,
        open_date=ago(spec["open_h"]),
        close_date=ago(spec.get("close_h")),
        stake=spec["stake"],
        close_rate=spec.get("close_rate", 100.0),
        fee=0.0,
        partial=None if partial is None else (ago(partial[0]), partial[1], partial[2]),
    )


def main(db_file: str, now: datetime, trades: list[dict], account: dict | None) -> None:
    install()
    bot = build_bot(db_file, account)
    before = len(Trade.get_trades_proxy())
    for spec in trades:
        Trade.session.add(record(now, spec))
    Trade.commit()
    bot.handle_protections("BTC/USDT", "long")
    locks = [lock.reason for lock in PairLocks.get_pair_locks("*")]
    strategy = bot.strategy
    allowed = strategy.confirm_trade_entry(
        pair="BTC/USDT",
        order_type="limit",
        amount=0.0005,
        rate=100_000.0,
        time_in_force="GTC",
        current_time=now,
        entry_tag=None,
        side="long",
    )
    stake = strategy.custom_stake_amount(
        pair="BTC/USDT",
        current_time=now,
        current_rate=100_000.0,
        proposed_stake=1000.0,
        min_stake=5.0,
        max_stake=1000.0,
        leverage=1.0,
        entry_tag=None,
        side="long",
    )
    snap = strategy.risk_snapshot(now)
    bot.cleanup()
    print(
        json.dumps(
            {
                "trades_before": before,
                "locks": locks,
                "entry_allowed": allowed,
                "stake": round(stake, 6),
                "open_stake": round(snap.open_stake, 6),
                "pnl_day": round(snap.pnl_day, 6),
            }
        )
    )


if __name__ == "__main__":
    clock = datetime.fromisoformat(sys.argv[2])
    with time_machine.travel(clock, tick=True):
        account = json.loads(sys.argv[4]) if len(sys.argv) > 4 else None
        main(sys.argv[1], clock, json.loads(sys.argv[3]), account)
