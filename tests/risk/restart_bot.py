"""Subprocess helper for test_risk_restart: one bot 'life' against a SQLite trades database.

``python restart_bot.py <db_file> <loss> <position 0..1 in today>`` starts a dry-run
FreqtradeBot (offline markets, RiskProbe, DailyLossGuard $20), records one closed BTC/USDT trade
that lost ``loss`` USDT today, runs the bot's own ``handle_protections`` and prints JSON: trades
found in the database before the new one, global lock reasons, and the strategy's entry verdict.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from freqtrade.configuration import Configuration
from freqtrade.enums import RunMode
from freqtrade.freqtradebot import FreqtradeBot
from freqtrade.persistence import PairLocks, Trade
from risk_helpers import CONFIG_DIR, make_trade

from ftpack.offline import install
from risk_protections.ledger import day_start

HERE = Path(__file__).resolve().parent


def build_bot(db_file: str) -> FreqtradeBot:
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
    config["risk"]["daily_loss_limit_abs"] = 20
    config.pop("fiat_display_currency", None)
    return FreqtradeBot(config)


def main(db_file: str, loss: float, position: float) -> None:
    install()
    bot = build_bot(db_file)
    now = datetime.now(UTC)
    d0 = day_start(now, time(0))
    close = d0 + (now - d0) * position
    before = len(Trade.get_trades_proxy())
    trade = make_trade(
        Trade,
        open_date=close - timedelta(hours=1),
        close_date=close,
        stake=100.0,
        close_rate=100.0 - loss,
        fee=0.0,
    )
    Trade.session.add(trade)
    Trade.commit()
    bot.handle_protections("BTC/USDT", "long")
    locks = [lock.reason for lock in PairLocks.get_pair_locks("*")]
    allowed = bot.strategy.confirm_trade_entry(
        pair="BTC/USDT",
        order_type="limit",
        amount=0.0005,
        rate=100_000.0,
        time_in_force="GTC",
        current_time=now,
        entry_tag=None,
        side="long",
    )
    bot.cleanup()
    print(json.dumps({"trades_before": before, "locks": locks, "entry_allowed": allowed}))


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]), float(sys.argv[3]))
