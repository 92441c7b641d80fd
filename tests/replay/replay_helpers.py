"""Helpers for the replay tests: a replay server, stock ``freqtrade trade`` bots on its clock,
a local webhook receiver standing in for Telegram, and the README's online commands.

Every process listens on 127.0.0.1 on a port chosen at run time and is stopped by the fixture
that started it (also when the test fails).
"""

from __future__ import annotations

import json
import os
import secrets
import shlex
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
import pytest
from freqtrade_client import FtRestClient

from packtest import REPO, free_port

BIN = Path(sys.executable).parent
REPLAY = str(BIN / "ftpack-replay")
USER = "replay"
# The bots' ccxt request timeout in wall seconds (``ftpack-replay exec --request-timeout``).
REQUEST_TIMEOUT = 3.0
T = TypeVar("T")


def venv_env() -> dict[str, str]:
    """This environment with the venv's bin first on PATH (as after ``. .venv/bin/activate``),
    without pytest's variables (Freqtrade skips its log set-up when it sees PYTEST_VERSION)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    return {**env, "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}"}


def wait_for(check: Callable[[], T], timeout: float, what: str, interval: float = 0.25) -> T:
    """Poll ``check`` until it returns a truthy value; after ``timeout`` s fail naming ``what``."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g}s waiting for {what}")
        time.sleep(interval)


class PatientClient(FtRestClient):
    """Freqtrade's REST client that asks again, for up to ``patience`` seconds, when a busy bot
    leaves a read unanswered (the client then returns None). Writes go once: a repeated
    ``/forceenter`` could open a second trade."""

    def __init__(self, *args: Any, patience: float = 30, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.patience = patience

    def _get(self, apipath: str, params: dict | None = None) -> Any:
        deadline = time.monotonic() + self.patience
        while (answer := super()._get(apipath, params)) is None and time.monotonic() < deadline:
            time.sleep(1)
        return answer


def stop_process(proc: subprocess.Popen, timeout: float = 20) -> None:
    """SIGTERM, then SIGKILL after ``timeout`` seconds; always reaps the process."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
    proc.wait(timeout=30)


class Replay:
    """``ftpack-replay serve`` in a subprocess on a free port."""

    def __init__(self, workdir: Path, start: str, speed: float, *extra: str) -> None:
        port_file = workdir / "replay.port"
        port_file.unlink(missing_ok=True)
        self.log = workdir / "replay.log"
        with self.log.open("w") as out:
            self.proc = subprocess.Popen(
                [
                    REPLAY,
                    "serve",
                    "--start",
                    start,
                    "--speed",
                    f"{speed:g}",
                    "--port",
                    "0",
                    "--port-file",
                    str(port_file),
                    *extra,
                ],
                cwd=REPO,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            wait_for(lambda: port_file.exists() or self.proc.poll() is not None, 60, "replay port")
            assert self.proc.poll() is None, self.log.read_text()
        except BaseException:
            stop_process(self.proc)
            raise
        self.url = f"http://127.0.0.1:{port_file.read_text().strip()}"

    def get(self, path: str, **params: Any) -> Any:
        """GET a path of the replay (Binance's JSON)."""
        import urllib.parse
        import urllib.request

        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        with urllib.request.urlopen(f"{self.url}{path}{query}", timeout=10) as reply:
            return json.loads(reply.read())

    def status(self) -> dict[str, Any]:
        return self.get("/replay/status")

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.status()["replay_ms"] / 1000, tz=UTC)

    def wait_until(self, when: str, timeout: float = 120) -> None:
        """Block until the replay clock reaches ``when`` (UTC)."""
        target = pd.Timestamp(when, tz="UTC").to_pydatetime()
        wait_for(lambda: self.now() >= target, timeout, f"replay time {when}", interval=0.1)

    def close(self) -> None:
        stop_process(self.proc)


def ready_before(replay: Replay, deadline: str) -> None:
    """Fail clearly when a bot came up later (in replay time) than its scenario needs."""
    now = replay.now()
    assert now < pd.Timestamp(deadline, tz="UTC"), (
        f"the bot was ready only at replay time {now:%H:%M}, after {deadline}: this machine is "
        "too busy for the scenario's replay speed"
    )


class Bot:
    """Stock ``freqtrade <command>`` run through ``ftpack-replay exec`` (the process *is* the
    bot: exec replaces it), with its REST API on a free port."""

    def __init__(
        self, workdir: Path, replay: Replay, command: list[str], layer: dict[str, Any], name: str
    ) -> None:
        self.workdir, self.replay, self.command, self.name = workdir, replay, command, name
        self.port = free_port()
        self.password = secrets.token_urlsafe(12)
        layer = _merge(
            {
                "api_server": {
                    "enabled": True,
                    "listen_ip_address": "127.0.0.1",
                    "listen_port": self.port,
                    "username": USER,
                    "password": self.password,
                    "jwt_secret_key": secrets.token_hex(32),
                    "ws_token": secrets.token_hex(8),
                    "CORS_origins": [],
                    "verbosity": "error",
                },
            },
            layer,
        )
        self.layer = workdir / f"{name}-layer.json"
        self.layer.write_text(json.dumps(layer))
        self.log = workdir / f"{name}.log"
        self.client = PatientClient(f"http://127.0.0.1:{self.port}", USER, self.password,
                                    timeout=15)
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 120) -> Bot:
        """Start (again) and wait until the API answers and the bot runs."""
        argv = [
            REPLAY,
            "exec",
            "--server",
            self.replay.url,
            "--request-timeout",
            f"{REQUEST_TIMEOUT:g}",
            "--layer",
            str(self.workdir / f"{self.name}-exchange.json"),
            "--",
            *self.command,
            "-c",
            str(self.layer),
            "--logfile",
            str(self.log),
        ]
        with (self.workdir / f"{self.name}.out").open("a") as out:
            out.write(f"$ {shlex.join(argv)}\n")
            out.flush()
            self.proc = subprocess.Popen(
                argv, cwd=REPO, stdout=out, stderr=subprocess.STDOUT, env=venv_env()
            )
        wait_for(self._up, timeout, f"{self.name} API")
        return self

    def _up(self) -> bool:
        if self.proc is not None and self.proc.poll() is not None:
            output = (self.workdir / f"{self.name}.out").read_text(errors="replace")[-3000:]
            raise AssertionError(
                f"{self.name} exited {self.proc.returncode}:\n{output}\n{self.log_tail()}"
            )
        try:
            return self.client.show_config().get("state") == "running"
        except Exception:
            return False

    def kill(self) -> None:
        """SIGKILL by PID (no cleanup, as a crash)."""
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)

    def close(self) -> None:
        if self.proc is not None:
            stop_process(self.proc, timeout=30)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])


class Webhook:
    """A local HTTP receiver for Freqtrade's webhook channel; keeps every JSON body posted."""

    def __init__(self) -> None:
        received: list[dict[str, Any]] = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                received.append(json.loads(body or b"{}"))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.received = received
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def messages(self, kind: str) -> list[dict[str, Any]]:
        return [m for m in list(self.received) if m.get("kind") == kind]

    def config(self) -> dict[str, Any]:
        """Freqtrade's ``webhook`` section posting risk summaries, locks and fills here."""
        return {
            "enabled": True,
            "url": self.url,
            "format": "json",
            "retries": 2,
            "allow_custom_messages": True,  # strategy messages (the risk summaries) too
            "strategy_msg": {"kind": "strategy_msg", "msg": "{msg}"},
            "protection_trigger_global": {
                "kind": "protection_trigger_global",
                "reason": "{reason}",
                "lock_end_time": "{lock_end_time}",
            },
            **{
                kind: {"kind": kind, "pair": "{pair}", "trade_id": "{trade_id}"}
                for kind in ("entry", "entry_fill", "entry_cancel", "exit_cancel")
            },
            "exit_fill": {
                "kind": "exit_fill",
                "pair": "{pair}",
                "trade_id": "{trade_id}",
                "exit_reason": "{exit_reason}",
                "profit_amount": "{profit_amount}",
            },
        }

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def readme_commands(prefix: str) -> list[list[str]]:
    """Every command line in the README's bash blocks starting with ``prefix``, as argv."""
    lines, in_bash = [], False
    for line in (REPO / "README.md").read_text().splitlines():
        if line.startswith("```"):
            in_bash = line.strip() == "```bash" and not in_bash
            continue
        if in_bash and line.startswith(prefix):
            lines.append(shlex.split(line.split(" #", 1)[0]))
    return lines


def readme_dry_run(strategy: str) -> list[list[str]]:
    """The README's dry-run command(s) of ``strategy`` (testnet and live ones excluded)."""
    return [
        c
        for c in readme_commands("freqtrade trade")
        if c[-1] == strategy and "user_data/config/testnet.json" not in c
    ]


def recorded_candle(
    pair: str, when: datetime, timeframe: str = "5m", futures: bool = False
) -> pd.Series:
    """The recorded candle of ``pair`` holding ``when`` (bundled data, else ../shared/data)."""
    from freqtrade.data.history import get_datahandler
    from freqtrade.enums import CandleType

    from packtest import SHARED_DATA

    ctype = CandleType.FUTURES if futures else CandleType.SPOT
    for datadir in (REPO / "user_data" / "data" / "binance", SHARED_DATA / "binance"):
        frame = get_datahandler(datadir, "feather").ohlcv_load(
            pair, timeframe, ctype, fill_missing=False, warn_no_data=False
        )
        opened = frame[frame["date"] <= pd.Timestamp(when)]
        if len(opened) and opened["date"].iloc[-1] + pd.Timedelta(timeframe) > pd.Timestamp(when):
            return opened.iloc[-1]
    raise AssertionError(f"no recorded {timeframe} candle of {pair} at {when}")


OHLCV = ("open", "high", "low", "close", "volume")


def assert_bot_candle_recorded(
    client: FtRestClient, pair: str, timeframe: str = "5m", futures: bool = False
) -> pd.Timestamp:
    """The bot's last analysed candle of ``pair`` equals the recorded one; returns its date."""

    def reply() -> dict[str, Any] | None:
        answer = client.pair_candles(pair, timeframe, limit=5) or {}
        return answer if answer.get("data") else None

    answer = wait_for(reply, 60, f"{pair} candles")
    row = dict(zip(answer["columns"], answer["data"][-1], strict=True))
    when = pd.Timestamp(row["date"]).tz_convert("UTC")
    recorded = recorded_candle(pair, when.to_pydatetime(), timeframe, futures)
    assert [row[k] for k in OHLCV] == pytest.approx([recorded[k] for k in OHLCV]), (row, recorded)
    return when


def assert_fills_at_recorded_prices(
    pair: str, fills: list[dict[str, Any]], timeframe: str = "5m", futures: bool = False
) -> None:
    """Every filled order (trades database rows) at a price its recorded candle traded at."""
    for order in fills:
        when = pd.Timestamp(order["order_filled_date"], tz="UTC").to_pydatetime()
        candle = recorded_candle(pair, when, timeframe, futures)
        assert candle["low"] <= order["average"] <= candle["high"], (order, candle.to_dict())


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        merged[key] = (
            _merge(merged[key], value)
            if isinstance(value, dict) and isinstance(merged.get(key), dict)
            else value
        )
    return merged


class InProcessReplay:
    """A :class:`ReplayServer` on a free port in a background thread of this process."""

    def __init__(self, exchange: Any) -> None:
        import asyncio

        from ftpack.replay.server import ReplayServer, start

        self.server = ReplayServer(exchange)
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()

        def run() -> None:
            asyncio.set_event_loop(self.loop)
            self.runner, self.port = self.loop.run_until_complete(start(self.server, 0))
            ready.set()
            self.loop.run_forever()

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        assert ready.wait(30), "in-process replay did not start"
        self.url = f"http://127.0.0.1:{self.port}"

    def ccxt(self, timeout_s: float = 10.0) -> Any:
        """A sync ccxt binance pointed at this server (the layer ``ftpack-replay exec`` writes)."""
        import ccxt

        from ftpack.replay.launch import exchange_layer

        return ccxt.binance(exchange_layer(self.url, 1.0, timeout_s)["exchange"]["ccxt_config"])

    def close(self) -> None:
        import asyncio

        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(30)
