"""Tier 1 (StablecoinSpread) end to end under injected exchange faults, then the real FDUSD
de-peg of 2025-04-02 (15:25-16:00 UTC), replayed from the bundled data at x240.

The README's tier 1 dry-run command runs unmodified, with a test layer holding the account's
stablecoin fee (0 %: Binance's zero-fee promotion on these pairs, the fee of the tier's
walk-forward row that trades) and the REST API. The tier enters with post-only bids below fair
value (``custom_entry_price``, applied to ``/forceenter`` too), so its orders rest on the book
while the faults hit. One fault per window (replay time):

  13:50-14:00 HTTP 429 on klines    14:00-14:10 HTTP 503 on depth    14:10-14:20 klines time out
  14:20-14:40 stale klines (USDP)   14:40-14:50 candle gap (TUSD)    14:50-15:00 empty bid side

Freqtrade warns "Outdated history" once a pair's last candle is older than two candles plus
`exchange.outdated_offset`; the test layer sets that offset to 1 minute, so both candle faults are
flagged within their windows even when a busy machine slows the bot's loop.

A FDUSD position (or, failing one, a bid forced at 15:17 that the fall fills) goes into the de-peg:
the tier's stop sells it (as in the walk-forward backtest, the -0.5 % stop fires inside the first
de-peg candle, before the guard can act on a closed candle), and the de-peg guard keeps the tier
out of FDUSD while it trades far below its fair value.
"""

from __future__ import annotations

import itertools
import json
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from replay_helpers import (
    Bot,
    Replay,
    Webhook,
    assert_bot_candle_recorded,
    assert_fills_at_recorded_prices,
    readme_dry_run,
    ready_before,
    wait_for,
)

# One bot scenario at a time: `make test` keeps an xdist_group on one worker (--dist loadgroup).
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("replay")]

START, SPEED = "2025-04-02 12:00", 240
PAIRS = ("USDC/USDT", "FDUSD/USDT", "TUSD/USDT", "USDP/USDT")


def window(kind: str, start: str, end: str, **extra: object) -> dict:
    return {"kind": kind, "from": f"2025-04-02 {start}", "until": f"2025-04-02 {end}", **extra}


FAULTS = [
    window("http_429", "13:50", "14:00", endpoint="klines", retry_after=1),
    window("http_5xx", "14:00", "14:10", endpoint="depth", status=503),
    window("timeout", "14:10", "14:20", endpoint="klines", delay=4),
    # USDP holds no order: the bot reads its entry signal, and so its candles' age, every loop.
    window("stale_candles", "14:20", "14:40", endpoint="klines", pair="USDP/USDT"),
    window("candle_gap", "14:40", "14:50", endpoint="klines", pair="TUSD/USDT"),
    window("one_sided_book", "14:50", "15:00", endpoint="depth", side="bids"),
]
# What Freqtrade logs when it meets each fault: its retrier, its data checks, its pricing.
BOT_LOGS = {
    "http_429": r"_async_get_candle_history\(\) returned exception: .*429",
    "http_5xx": r"returned exception: .*ExchangeNotAvailable.*503",
    "timeout": r"_async_get_candle_history\(\) returned exception: .*RequestTimeout",
    "stale_candles": r"Outdated history for pair USDP/USDT",
    "candle_gap": r"Outdated history for pair TUSD/USDT",
    "one_sided_book": r"Price at location 1 from orderbook could not be determined",
}


@dataclass
class Run:
    replay: Replay
    bot: Bot
    db: Path
    webhook: Webhook


@pytest.fixture
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    workdir = tmp_path_factory.mktemp("tier1")
    (command,) = readme_dry_run("StablecoinSpread")
    faults = workdir / "faults.json"
    faults.write_text(json.dumps({"faults": FAULTS}))
    webhook = Webhook()
    replay = Replay(workdir, START, SPEED, "--faults", str(faults))
    db = workdir / "trades.sqlite"
    layer = {
        "db_url": f"sqlite:///{db}",
        "force_entry_enable": True,
        "fee": 0.0,
        "stablecoin": {"fees": dict.fromkeys(PAIRS, 0.0)},
        "internals": {"process_throttle_secs": 20},
        "exchange": {"outdated_offset": 1},
        "webhook": webhook.config(),
    }
    bot = Bot(workdir, replay, command, layer, "tier1")
    try:
        bot.start()
        ready_before(replay, "2025-04-02 13:40")  # orders must rest before the faults
        yield Run(replay, bot, db, webhook)
    finally:
        bot.close()
        replay.close()
        webhook.close()


def rows(run: Run, table: str) -> list[dict]:
    with sqlite3.connect(run.db) as db:
        db.row_factory = sqlite3.Row
        return [dict(r) for r in db.execute(f"select * from {table} order by id")]


def log_between(bot: Bot, start: str, end: str) -> str:
    """Bot log lines stamped (in replay time) within [start, end)."""
    return "\n".join(
        line
        for line in bot.log_text().splitlines()
        if re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d", line[:16]) and start <= line[:16] < end
    )


def later(when: str, minutes: int) -> str:
    return (pd.Timestamp(when) + pd.Timedelta(minutes=minutes)).strftime("%Y-%m-%d %H:%M")


def candles_arrive_from_the_replay(run: Run) -> None:
    run.replay.wait_until("2025-04-02 13:45")
    when = assert_bot_candle_recorded(run.bot.client, "FDUSD/USDT")
    assert when >= pd.Timestamp("2025-04-02 13:30", tz="UTC")


def faults_leave_the_bot_running_without_duplicate_or_lost_trades(run: Run) -> None:
    client = run.bot.client
    for pair in ("USDC/USDT", "TUSD/USDT"):  # resting bids through the 429 and 503 windows
        if not any(t["pair"] == pair for t in client.status()):
            reply = client.forceenter(pair, "long")
            assert reply and reply.get("pair") == pair, reply
    run.replay.wait_until("2025-04-02 14:52")
    busy = {t["pair"] for t in client.status()}
    free = next(p for p in PAIRS if p not in busy)
    try:
        refused = client.forceenter(free, "long")  # no bid to price the entry from
    except ValueError:  # Freqtrade's API answers this PricingError with a plain-text 500
        refused = None
    assert not (refused or {}).get("trade_id"), refused
    run.replay.wait_until("2025-04-02 15:05")
    assert client.show_config()["state"] == "running" and run.bot.proc.poll() is None

    hits = {f["kind"]: f["hits"] for f in run.replay.status()["faults"]}
    for fault in FAULTS:
        kind = fault["kind"]
        assert hits[kind] > 0, f"the bot never met the {kind} fault"
        # A timed-out request is given up after 3 s of wall time = 12 min of replay at x240.
        logged = log_between(run.bot, fault["from"], later(fault["until"], 15))
        assert re.search(BOT_LOGS[kind], logged), f"{kind} not in the bot log:\n{logged[-3000:]}"

    # Freqtrade's own notifications, in order: never a second entry order on a pair while one
    # is pending (no duplicate), and every filled entry is a trade in the database (none lost).
    # A webhook post the busy receiver missed leaves a fill or cancel without its entry: that
    # hides nothing, the trades database below holds every trade.
    pending: dict[str, str] = {}
    filled = set()
    events = [m for m in run.webhook.received if m.get("kind", "").startswith("entry")]
    assert any(m["kind"] == "entry" for m in events), "no order was in flight during the faults"
    for event in events:
        pair, kind = event["pair"], event["kind"]
        if kind == "entry":
            assert pair not in pending, f"a second entry order on {pair} while one was pending"
            pending[pair] = event["trade_id"]
        else:
            if pending.get(pair) == event["trade_id"]:
                del pending[pair]
            if kind == "entry_fill":
                filled.add((pair, int(event["trade_id"])))
    trades = rows(run, "trades")
    assert filled <= {(t["pair"], t["id"]) for t in trades}, "a filled trade is missing"
    for pair in PAIRS:  # one trade at a time per pair: each opens after the previous one closed
        held = sorted((t for t in trades if t["pair"] == pair), key=lambda t: t["open_date"])
        for before, after in itertools.pairwise(held):
            assert before["close_date"] and before["close_date"] <= after["open_date"], (
                f"two {pair} trades at once: {before['id']} and {after['id']}")
    assert run.replay.status()["unserved"] == {}  # dry-run: no order reached the exchange


def depeg_stops_the_position_out_and_the_guard_blocks_reentry(run: Run) -> None:
    client = run.bot.client
    run.replay.wait_until("2025-04-02 15:17")
    if not any(t["pair"] == "FDUSD/USDT" for t in client.status()):
        reply = client.forceenter("FDUSD/USDT", "long")
        assert reply and reply.get("pair") == "FDUSD/USDT", reply
    run.replay.wait_until("2025-04-02 15:45", timeout=180)

    fdusd = [t for t in rows(run, "trades") if t["pair"] == "FDUSD/USDT"]
    held = [
        t
        for t in fdusd
        if t["open_date"] < "2025-04-02 15:25"
        and (t["is_open"] or t["close_date"] >= "2025-04-02 15:25")
    ]
    assert held, "no FDUSD position or bid went into the de-peg"
    for trade in held:
        assert not trade["is_open"], "a FDUSD position survived the de-peg"
        assert trade["close_rate"] < trade["open_rate"] < 0.9983
        assert trade["exit_reason"] in ("stoploss_on_exchange", "stop_loss", "depeg_guard")
        fills = [
            o
            for o in rows(run, "orders")
            if o["ft_trade_id"] == trade["id"] and o["status"] == "closed"
        ]
        assert {o["ft_order_side"] for o in fills} >= {"buy"} and len(fills) == 2
        assert_fills_at_recorded_prices("FDUSD/USDT", fills)
    assert not [t for t in fdusd if t["open_date"] >= "2025-04-02 15:30"], "entered in the de-peg"

    candles = client.pair_candles("FDUSD/USDT", "5m", limit=60)
    frame = pd.DataFrame(candles["data"], columns=candles["columns"])
    frame["date"] = pd.to_datetime(frame["date"], utc=True)
    depeg = frame[frame["date"].between("2025-04-02 15:30", "2025-04-02 15:40", inclusive="left")]
    assert len(depeg) >= 1  # the 15:30 candle at least (a busy bot analyses late)
    assert (depeg["deviation_bps"] < -50).all()  # far below fair value: a buy without the guard
    assert depeg["depeg_guard"].astype(bool).all()
    assert (depeg["enter_long"].fillna(0) == 0).all()
    wait_for(lambda: client.show_config()["state"] == "running", 10, "the bot to keep running")


def test_tier1_faults_then_depeg(run: Run) -> None:
    """One bot's replay, step by step (one test: the steps share the bot and its clock)."""
    candles_arrive_from_the_replay(run)
    faults_leave_the_bot_running_without_duplicate_or_lost_trades(run)
    depeg_stops_the_position_out_and_the_guard_blocks_reentry(run)
