"""Risk messages reach Telegram, webhook and Discord through Freqtrade's own RPC handlers.

The delivery test builds the README's dry-run configuration (``spot.json`` + ``dry-run.json``,
secrets and channel switches from the environment, as the README says), lets a risk-managed
strategy send its summary and a lock through ``dp.send_msg``, and hands the queue to
Freqtrade's ``RPCManager.process_msg_queue`` as the bot does each loop. Webhook and Discord post
to a local HTTP server; Telegram's own ``send_msg`` runs (loudness, composing) and only the last
network hop (``_send_msg``) is captured.
"""

from __future__ import annotations

import asyncio
import json
import sys
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest
from freqtrade.configuration import Configuration
from freqtrade.data.dataprovider import DataProvider
from freqtrade.enums import RunMode
from freqtrade.persistence import PairLocks
from freqtrade.rpc import telegram
from freqtrade.rpc.rpc_manager import RPCManager

from packtest import CONFIG_DIR, REPO
from risk_protections.notify import channel_gaps, channel_text

NOW = datetime(2025, 6, 5, 12, 0, tzinfo=UTC)
LOCK = "DailyLossGuard: realized loss 20.00 USDT reached the day limit 20.00 USDT (*_risk_*)"


def _config(**sections: dict) -> dict:
    return {name: {"enabled": True, **body} for name, body in sections.items()}


def test_channel_gaps_name_the_missing_keys() -> None:
    assert channel_gaps(_config(webhook={"url": "u"}, discord={"webhook_url": "u"})) == [
        "webhook.allow_custom_messages: set it to true",
        'webhook.strategy_msg: add a payload template such as {"text": "{msg}"}',
        "discord.allow_custom_messages: set it to true",
        'discord.strategy_msg: add a payload template such as [{"Risk": "{msg}"}]',
    ]
    assert channel_gaps(_config(telegram={"notification_settings": {"strategy_msg": "off"}})) == [
        'telegram.notification_settings.strategy_msg: set it to "on"'
    ]
    ready = {"allow_custom_messages": True, "strategy_msg": {"text": "{msg}"}}
    assert channel_gaps(_config(telegram={}, webhook=ready, discord=ready)) == []
    assert channel_gaps({"webhook": {"enabled": False}}) == []  # a channel that is off


def test_channel_text_has_no_telegram_markdown_entities() -> None:
    assert channel_text(LOCK).endswith("(x-risk-x)")
    assert channel_text("a `b` [c]") == "a 'b' (c)"


class _Capture(BaseHTTPRequestHandler):
    received: list[tuple[str, bytes]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.path, body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


class _OfflineTelegram(telegram.Telegram):
    """Freqtrade's Telegram handler with the Telegram API call replaced by a capture."""

    sent: list[str] = []

    @property
    def name(self) -> str:  # the config section Freqtrade reads for this handler
        return "telegram"

    def _start_thread(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()

    async def _send_msg(self, msg: str, **kwargs: object) -> None:
        self.sent.append(msg)

    def cleanup(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)


@pytest.mark.slow
def test_summary_and_lock_reach_every_enabled_channel(
    bt_trades: None, in_repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Capture)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    env = {
        "FREQTRADE__API_SERVER__PASSWORD": "p", "FREQTRADE__API_SERVER__JWT_SECRET_KEY": "j" * 32,
        "FREQTRADE__TELEGRAM__ENABLED": "true", "FREQTRADE__TELEGRAM__TOKEN": "1:x",
        "FREQTRADE__TELEGRAM__CHAT_ID": "1",
        "FREQTRADE__WEBHOOK__ENABLED": "true", "FREQTRADE__WEBHOOK__URL": f"{url}/webhook",
        "FREQTRADE__DISCORD__ENABLED": "true", "FREQTRADE__DISCORD__WEBHOOK_URL": f"{url}/discord",
        "FREQTRADE__API_SERVER__ENABLED": "false", "FREQTRADE__FIAT_DISPLAY_CURRENCY": "",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    config = Configuration.from_files([str(CONFIG_DIR / "spot.json"),
                                       str(CONFIG_DIR / "dry-run.json")])
    config["runmode"] = RunMode.DRY_RUN
    assert channel_gaps(config) == []

    monkeypatch.syspath_prepend(str(REPO / "tests" / "risk" / "strategies"))
    monkeypatch.delitem(sys.modules, "RiskProbe", raising=False)
    from RiskProbe import RiskProbe

    strategy = RiskProbe(config)
    strategy.dp = DataProvider(config, None)
    strategy.bot_loop_start(current_time=NOW)
    PairLocks.lock_pair("*", NOW + timedelta(hours=12), LOCK, now=NOW)
    strategy.bot_loop_start(current_time=NOW + timedelta(minutes=1))

    monkeypatch.setattr(telegram, "Telegram", _OfflineTelegram)
    _OfflineTelegram.sent.clear()
    _Capture.received.clear()
    rpc = RPCManager(SimpleNamespace(config=config))
    try:
        assert sorted(m.name for m in rpc.registered_modules) == ["discord", "telegram", "webhook"]
        rpc.process_msg_queue(strategy.dp._msg_queue)
        for _ in range(50):  # Telegram sends from its own event loop
            if len(_OfflineTelegram.sent) == 2:
                break
            threading.Event().wait(0.1)
    finally:
        rpc.cleanup()
        server.shutdown()

    summary, lock = _OfflineTelegram.sent
    assert "Risk summary 2025-06-05 12:00 UTC" in summary and "Today: lost 0.00 of" in summary
    assert f"LOCK: {channel_text(LOCK)}" in lock
    hooks = [json.loads(body) for path, body in _Capture.received if path == "/webhook"]
    assert [h["text"] for h in hooks] == [summary, lock]
    embeds = [json.loads(body)["embeds"][0] for path, body in _Capture.received
              if path == "/discord"]
    assert [e["fields"][0]["value"] for e in embeds] == [summary, lock]
    assert all(e["fields"][0]["name"] == "Risk" for e in embeds)
