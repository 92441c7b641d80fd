"""Emergency stop: stop all entries, then exit every open position, through the REST API.

``ftpack-emergency-stop --url http://127.0.0.1:8080 --username U --password P`` is Freqtrade's
``/stopentry`` (the bot state becomes "paused"; ``/start`` resumes entries) followed by
``/forceexit all`` (market orders by default), then waits until the bot reports no open trade.
Credentials may come from ``FTPACK_API_USERNAME`` / ``FTPACK_API_PASSWORD``. Exit status 0 when
flat, 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from typing import Any

from freqtrade_client import FtRestClient


class EmergencyStopError(RuntimeError):
    """The bot did not confirm a step of the emergency stop."""


@dataclass(frozen=True)
class EmergencyResult:
    """Bot replies to both calls and the trade ids still open when waiting ended."""

    stopentry: dict[str, Any]
    forceexit: dict[str, Any]
    still_open: list[int]


def _confirmed(reply: Any, step: str) -> dict[str, Any]:
    if not isinstance(reply, dict) or "detail" in reply:
        raise EmergencyStopError(f"{step} failed: {reply!r}")
    return reply


def emergency_stop(
    client: FtRestClient, *, ordertype: str = "market", wait_seconds: float = 30.0
) -> EmergencyResult:
    """``stopbuy`` then ``forceexit("all")``; poll ``status`` until flat or ``wait_seconds``."""
    stopped = _confirmed(client.stopbuy(), "stopentry")
    exited = _confirmed(client.forceexit("all", ordertype=ordertype), "forceexit all")
    deadline = time.monotonic() + wait_seconds
    while True:
        status = client.status()
        if not isinstance(status, list):
            raise EmergencyStopError(f"status failed: {status!r}")
        still_open = [t["trade_id"] for t in status]
        if not still_open or time.monotonic() >= deadline:
            return EmergencyResult(stopped, exited, still_open)
        time.sleep(0.5)


def main(argv: list[str] | None = None) -> int:
    """Console entry point; see the module docstring."""
    parser = argparse.ArgumentParser(prog="ftpack-emergency-stop", description=__doc__)
    parser.add_argument("--url", default="http://127.0.0.1:8080", help="bot API server URL")
    parser.add_argument("--username", default=os.environ.get("FTPACK_API_USERNAME"))
    parser.add_argument("--password", default=os.environ.get("FTPACK_API_PASSWORD"))
    parser.add_argument("--ordertype", default="market", choices=("market", "limit"))
    parser.add_argument("--wait", type=float, default=30.0, help="seconds to wait until flat")
    args = parser.parse_args(argv)
    client = FtRestClient(args.url, args.username, args.password)
    try:
        result = emergency_stop(client, ordertype=args.ordertype, wait_seconds=args.wait)
    except EmergencyStopError as err:
        print(f"ftpack-emergency-stop: {err}", file=sys.stderr)
        return 1
    print(f"stopentry: {result.stopentry}\nforceexit: {result.forceexit}")
    if result.still_open:
        print(f"STILL OPEN after {args.wait:g}s: trades {result.still_open}", file=sys.stderr)
        return 1
    print("All positions closed; entries stopped (bot paused; /start resumes entries).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
