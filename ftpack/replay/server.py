"""The replay's HTTP server on 127.0.0.1: Binance routes, injected HTTP faults, a status page.

``GET /replay/status`` answers the clock (start, speed, wall origin, current replay time and
the libfaketime spec for a process starting now), the requests served per endpoint, every
request the replay does not serve (a dry-run bot should cause none) and each fault's hits.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from pathlib import Path
from typing import Any

from aiohttp import web

from ftpack.replay.endpoints import ROUTES, BinanceError, route
from ftpack.replay.exchange import ReplayExchange

logger = logging.getLogger(__name__)

HOST = "127.0.0.1"
STATUS_PATH = "/replay/status"


class ReplayServer:
    """aiohttp application answering Binance's public REST API from a :class:`ReplayExchange`."""

    def __init__(self, exchange: ReplayExchange) -> None:
        self.exchange = exchange
        self.requests: Counter[str] = Counter()
        self.unserved: Counter[str] = Counter()

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self.dispatch)
        return app

    def status(self) -> dict[str, Any]:
        clock = self.exchange.clock
        return {
            "replay_ms": clock.now_ms(),
            "replay_time": clock.now().isoformat(),
            "start_ms": clock.start_ms,
            "speed": clock.speed,
            "wall_origin": clock.wall_origin,
            "faketime": clock.faketime_spec(),
            "requests": dict(self.requests),
            "unserved": dict(self.unserved),
            "faults": self.exchange.faults.describe(),
        }

    async def dispatch(self, request: web.Request) -> web.StreamResponse:
        if request.path == STATUS_PATH:
            return web.json_response(self.status())
        found = route(request.path) if request.method == "GET" else None
        if found is None:
            what = f"{request.method} {request.path}"
            self.unserved[what] += 1
            logger.warning("replay: not served: %s", what)
            raise BinanceError(404, -5000, f"The replay does not serve {what}.")
        kind, endpoint = found
        self.requests[endpoint] += 1
        symbol = request.query.get("symbol")
        market = self.exchange.market(kind, symbol) if symbol else None
        pair = market.pair if market else None
        fault = self.exchange.faults.http_fault(endpoint, pair, self.exchange.clock.now_ms())
        if fault is not None and fault.kind == "http_429":
            raise web.HTTPTooManyRequests(
                text='{"code":-1003,"msg":"Too many requests; replay fault."}',
                content_type="application/json",
                headers={"Retry-After": f"{fault.retry_after:g}"},
            )
        if fault is not None and fault.kind == "http_5xx":
            status = int(fault.status)
            return web.Response(
                status=status, text=f"{status} replay fault", content_type="text/plain"
            )
        if fault is not None and fault.kind == "timeout":
            await asyncio.sleep(float(fault.delay))
        return await ROUTES[endpoint](request, self.exchange, kind)


async def start(server: ReplayServer, port: int = 0) -> tuple[web.AppRunner, int]:
    """Listen on 127.0.0.1:``port`` (0 = a free port); returns the runner and the port."""
    runner = web.AppRunner(server.app(), access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, HOST, port)
    await site.start()
    bound = runner.addresses[0][1]  # the port the OS gave (port 0 asks for a free one)
    return runner, int(bound)


def serve_forever(server: ReplayServer, port: int = 0, port_file: Path | None = None) -> None:
    """Run until interrupted; print the URL (and write the port to ``port_file``)."""

    async def main() -> None:
        runner, bound = await start(server, port)
        status = server.status()
        print(
            f"ftpack-replay: serving http://{HOST}:{bound} from {status['replay_time']} "
            f"at x{status['speed']:g}",
            flush=True,
        )
        if port_file is not None:
            Path(port_file).write_text(str(bound))
        try:
            await asyncio.Event().wait()
        finally:
            await runner.cleanup()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())
