"""Emergency stop against a real local Freqtrade API server (dry-run, offline, 127.0.0.1).

The test starts ``freqtrade trade`` in a subprocess (see api_bot.py), opens two positions with
``/forceenter`` (sized by RiskProbe's risk layer, protected by exchange-side stops), runs the
``ftpack-emergency-stop`` console command, and checks that entries are stopped (bot state
"paused") and every position was force-exited.
"""

from __future__ import annotations

import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from freqtrade_client import FtRestClient
from risk_helpers import api_bot_command, api_bot_layer, free_port, running_api_bot

from risk_protections.emergency import EmergencyStopError, emergency_stop

pytestmark = pytest.mark.slow  # real Freqtrade runs

USER, PASSWORD = "risk", "emergency-test"


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FtRestClient]:
    tmp_path = tmp_path_factory.mktemp("api_bot")
    port = free_port()
    log = tmp_path / "bot.log"
    layer = api_bot_layer(
        tmp_path,
        port,
        {
            "username": USER,
            "password": PASSWORD,
            "jwt_secret_key": secrets.token_hex(32),  # a throw-away key per test run
            "ws_token": secrets.token_hex(8),
        },
    )
    with running_api_bot(api_bot_command([layer], log), port, USER, PASSWORD, log) as client:
        yield client


def test_emergency_stop_reports_a_refused_call(bot: FtRestClient) -> None:
    wrong = FtRestClient(bot._serverurl, USER, "wrong-password")
    with pytest.raises(EmergencyStopError, match="stopentry failed"):
        emergency_stop(wrong, wait_seconds=1)
    assert bot.show_config()["state"] == "running"


def test_emergency_stop_command_stops_entries_and_exits_everything(bot: FtRestClient) -> None:
    for pair in ("BTC/USDT", "ETH/USDT"):
        reply = bot.forceenter(pair, "long")
        assert reply and reply.get("pair") == pair, reply
    assert len(bot.status()) == 2
    deadline = time.monotonic() + 30  # the risk layer turned on exchange-side stops (dry-run)
    while not all(any(o["ft_order_side"] == "stoploss" for o in t["orders"]) for t in bot.status()):
        assert time.monotonic() < deadline, bot.status()
        time.sleep(0.5)
    done = subprocess.run(
        [
            str(Path(sys.executable).parent / "ftpack-emergency-stop"),
            "--url",
            bot._serverurl,
            "--username",
            USER,
            "--password",
            PASSWORD,
            "--wait",
            "30",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "All positions closed" in done.stdout
    assert bot.status() == []
    assert bot.show_config()["state"] == "paused"  # /stopentry = /pause in Freqtrade 2026.9
    closed = bot.trades()["trades"]
    assert len(closed) == 2
    assert {t["exit_reason"] for t in closed} == {"force_exit"}
