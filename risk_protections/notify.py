"""Which of Freqtrade's message channels receive the risk layer's messages, and in what form.

The daily risk summary and every new global lock are Freqtrade strategy messages
(``dp.send_msg`` → ``RPCMessageType.STRATEGY_MSG``). Freqtrade 2026.9 hands one to a channel only
when that channel's section says so (``RPCManager.process_msg_queue`` and each handler):

- ``telegram``: ``allow_custom_messages`` (schema default true) and
  ``notification_settings.strategy_msg`` not ``"off"``; sent with Markdown parsing, which drops
  a message holding an unbalanced ``_``, ``*``, ````` or ``[``;
- ``webhook``: ``allow_custom_messages: true`` and a ``strategy_msg`` payload template whose
  strings may use ``{msg}``, e.g. ``{"text": "{msg}"}``;
- ``discord``: ``allow_custom_messages: true`` and ``strategy_msg`` embed fields, e.g.
  ``[{"Risk": "{msg}"}]``.

``user_data/config/dry-run.json`` sets all three; ``channel_gaps`` names what an enabled channel
lacks, so the bot can say at startup which channel will stay silent. FreqUI 3.1.1 shows no
strategy messages (it lists locks on its trade page; the bot's log holds every summary).
"""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)

_MARKDOWN = str.maketrans({"_": "-", "*": "x", "`": "'", "[": "(", "]": ")"})


def channel_text(text: str) -> str:
    """``text`` without the characters Telegram's Markdown would choke on (every channel gets
    the same text, so the replacements are plain: ``_`` → ``-``, ``*`` → ``x``, brackets → ())."""
    return text.translate(_MARKDOWN)


def channel_gaps(config: dict[str, Any]) -> list[str]:
    """For every enabled channel that would drop strategy messages: the key to set."""
    gaps = []
    telegram = config.get("telegram", {})
    if telegram.get("enabled"):
        if not telegram.get("allow_custom_messages", True):
            gaps.append("telegram.allow_custom_messages: set it to true")
        if telegram.get("notification_settings", {}).get("strategy_msg") == "off":
            gaps.append('telegram.notification_settings.strategy_msg: set it to "on"')
    for name, example in (("webhook", '{"text": "{msg}"}'), ("discord", '[{"Risk": "{msg}"}]')):
        section = config.get(name, {})
        if not section.get("enabled"):
            continue
        if not section.get("allow_custom_messages"):
            gaps.append(f"{name}.allow_custom_messages: set it to true")
        if not section.get("strategy_msg"):
            gaps.append(f"{name}.strategy_msg: add a payload template such as {example}")
    return gaps


def log_channel_gaps(config: dict[str, Any]) -> None:
    """Warn, naming the key, about every enabled channel the risk messages would not reach."""
    for gap in channel_gaps(config):
        logger.warning(f"risk: summaries and locks will not reach this channel: {gap}.")
