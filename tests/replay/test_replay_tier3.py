"""Tier 3 (PerpScalper) end to end through the one-command demo, ``make replay``: the ETH flash
crash of 2025-02-03 (ETH/USDT:USDT fell 6.5 % inside the 01:55 UTC minute), replayed at x20 from
the development data (``../shared/data``; the bundled slice has no February 2025).

``make replay TIER=tier3 DAY=2025-02-03 TIME=01:25 SPEED=20`` runs the README's tier 3 dry-run
command; the test adds its layer (REST API credentials, its database) and a free FreqUI port. A
short ETH position is forced at 01:53 and rides the crash; a BTC long forced just after the crash
candle closed must be closed by the tier's flash-crash exit (every position goes on a > 5 %
one-minute move of any traded pair), all at prices the replayed candles traded at. Positions are
small enough for the tier's partial exits not to apply (a resting partial-exit order keeps
Freqtrade from calling the exit at all; see the tier's ``_flash_crash``).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from freqtrade_client import FtRestClient
from replay_helpers import (
    USER,
    PatientClient,
    assert_bot_candle_recorded,
    assert_fills_at_recorded_prices,
    venv_env,
    wait_for,
)

from packtest import REPO, SHARED_DATA, free_port

# One bot scenario at a time: `make test` keeps an xdist_group on one worker (--dist loadgroup).
pytestmark = [
    pytest.mark.slow,
    pytest.mark.xdist_group("replay"),
    pytest.mark.skipif(
        not (SHARED_DATA / "binance" / "futures").is_dir(), reason="needs ../shared/data"
    ),
]

# The flash-crash exit acts while the crash minute is the last closed candle: one replayed
# minute, 3 s of wall time at x20, enough for a bot on a busy machine to reach its exit check.
DAY, TIME, SPEED = "2025-02-03", "01:25", 20


@dataclass
class Demo:
    client: FtRestClient
    db: Path
    url: str

    def replay_now(self) -> pd.Timestamp:
        import urllib.request

        with urllib.request.urlopen(self.url + "/replay/status", timeout=10) as reply:
            return pd.Timestamp(json.loads(reply.read())["replay_ms"], unit="ms", tz="UTC")

    def wait_until(self, when: str, timeout: float = 300) -> None:
        target = pd.Timestamp(when, tz="UTC")
        wait_for(lambda: self.replay_now() >= target, timeout, f"replay time {when}", 0.1)


@pytest.fixture
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    workdir = tmp_path_factory.mktemp("tier3")
    db, port, password = workdir / "trades.sqlite", free_port(), "tier3-replay-test"
    layer = workdir / "layer.json"
    layer.write_text(
        json.dumps(
            {
                "db_url": f"sqlite:///{db}",
                "force_entry_enable": True,
                "api_server": {"username": USER, "verbosity": "error"},
            }
        )
    )
    out = workdir / "make.out"
    args = f"--datadir {SHARED_DATA / 'binance'} --workdir {workdir} -c {layer}"
    with out.open("w") as sink:
        make = subprocess.Popen(
            [
                "make",
                "replay",
                "TIER=tier3",
                f"DAY={DAY}",
                f"TIME={TIME}",
                f"SPEED={SPEED}",
                f"UI_PORT={port}",
                f"REPLAY_ARGS={args}",
            ],
            cwd=REPO,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**venv_env(), "FREQTRADE__API_SERVER__PASSWORD": password},
        )
    client = PatientClient(f"http://127.0.0.1:{port}", USER, password, timeout=15)
    try:
        url = wait_for(lambda: _replay_url(out) or make.poll() is not None, 120, "the replay URL")
        assert make.poll() is None, out.read_text()[-3000:]

        def running() -> bool:
            assert make.poll() is None, out.read_text()[-3000:]
            try:
                return client.show_config().get("state") == "running"
            except Exception:
                return False

        wait_for(running, 120, "the tier 3 bot")
        demo = Demo(client, db, url)
        ready = demo.replay_now()
        assert ready < pd.Timestamp(f"{DAY} 01:52", tz="UTC"), (
            f"bot ready only at {ready}: too busy"
        )
        yield demo
    finally:
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGTERM)  # the make process group: make, run, bot
            try:
                make.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(make.pid, signal.SIGKILL)
                make.wait(30)


def _replay_url(out: Path) -> str | None:
    for word in out.read_text().split():
        if word.startswith("http://127.0.0.1:") and word.endswith(";"):
            return word.rstrip(";")
    return None


def candles_arrive_from_the_replay(demo: Demo) -> None:
    assert_bot_candle_recorded(demo.client, "ETH/USDT:USDT", "1m", futures=True)


def closed_trade(demo: Demo, pair: str) -> tuple[dict, list[dict]] | None:
    """The pair's trade and its filled orders, once the trade is closed."""
    with sqlite3.connect(demo.db) as db:
        db.row_factory = sqlite3.Row
        (trade,) = [dict(r) for r in db.execute("select * from trades where pair = ?", (pair,))]
        fills = [
            dict(r)
            for r in db.execute(
                "select * from orders where ft_trade_id = ? and status = 'closed' "
                "order by order_filled_date",
                (trade["id"],),
            )
        ]
    return None if trade["is_open"] else (trade, fills)


def flash_crash_triggers_the_tier_exit(demo: Demo) -> None:
    # Stakes whose quarter is below the market's minimum order (ETH 20, BTC 100 USDT notional),
    # so the tier's partial exits stay out of the way (a resting one blocks every exit check).
    demo.wait_until(f"{DAY} 01:53:10")
    short = demo.client.forceenter("ETH/USDT:USDT", "short", order_type="market", stake_amount=30)
    assert short and short.get("pair") == "ETH/USDT:USDT", short
    # The crash candle (01:55) closes at 01:56. A BTC long opened in the next minute, before the
    # tier has acted on that candle, must be closed by the flash-crash exit (every position goes
    # on a > 5 % one-minute move of any traded pair): its own stop and trail are far away.
    demo.wait_until(f"{DAY} 01:56:02")
    long = demo.client.forceenter("BTC/USDT:USDT", "long", order_type="market", stake_amount=60)
    assert long and long.get("pair") == "BTC/USDT:USDT", long

    trade, fills = wait_for(
        lambda: closed_trade(demo, "BTC/USDT:USDT"), 90, "the BTC long to close"
    )
    assert fills[-1]["ft_order_tag"] == "flash_crash", fills
    assert fills[-1]["order_date"] < f"{DAY} 01:58"
    assert_fills_at_recorded_prices("BTC/USDT:USDT", fills, "1m", futures=True)
    # The short rode the crash: closed in profit (by the flash-crash exit, or by its trailing
    # stop on the rebound inside the 01:56 minute, whichever the bot reached first).
    trade, fills = wait_for(
        lambda: closed_trade(demo, "ETH/USDT:USDT"), 90, "the ETH short to close"
    )
    assert trade["is_short"] and trade["close_profit_abs"] > 0
    assert fills[-1]["ft_order_tag"] in (
        "flash_crash",
        "trailing_stop_loss",
        "stoploss_on_exchange",
    )
    assert_fills_at_recorded_prices("ETH/USDT:USDT", fills, "1m", futures=True)


def test_tier3_flash_crash_through_make_replay(demo: Demo) -> None:
    """One bot's replay, step by step (one test: the steps share the bot and its clock)."""
    candles_arrive_from_the_replay(demo)
    flash_crash_triggers_the_tier_exit(demo)
