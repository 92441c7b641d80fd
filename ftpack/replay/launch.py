"""Point a stock Freqtrade process at a running replay: ccxt URLs and the bot's own clock.

Freqtrade is not patched. Two things change around it:

* a config layer written per run (:func:`exchange_layer`) that sends every Binance REST base
  URL ccxt knows (``urls['api']``: spot ``public``, USDT-M ``fapiPublic``, COIN-M
  ``dapiPublic``, and the private / margin / options ones too, so nothing can reach the real
  exchange) to the replay, and sets ccxt's request timeout;
* the process runs under libfaketime (Debian's ``faketime`` package): ``LD_PRELOAD`` and the
  start-at spec ``FAKETIME="@<replay time> x<speed>"`` make its wall clock, monotonic clock
  and sleeps follow the replay clock, so candle boundaries, throttling, timeouts, protections
  and lock durations all run in replay time.
"""

from __future__ import annotations

import glob
import json
import os
import time
from pathlib import Path
from typing import Any

from ftpack.replay.clock import ReplayClock

# ccxt binance ``urls['api']`` key → path on the replay (ccxt 4.5's keys).
API_PATHS = {
    "public": "/api/v3",
    "private": "/api/v3",
    "v1": "/api/v1",
    "sapi": "/sapi/v1",
    "sapiV2": "/sapi/v2",
    "sapiV3": "/sapi/v3",
    "sapiV4": "/sapi/v4",
    "fapiPublic": "/fapi/v1",
    "fapiPublicV2": "/fapi/v2",
    "fapiPublicV3": "/fapi/v3",
    "fapiPrivate": "/fapi/v1",
    "fapiPrivateV2": "/fapi/v2",
    "fapiPrivateV3": "/fapi/v3",
    "fapiData": "/futures/data",
    "dapiPublic": "/dapi/v1",
    "dapiPrivate": "/dapi/v1",
    "dapiPrivateV2": "/dapi/v2",
    "dapiData": "/dapi/futures/data",
    "eapiPublic": "/eapi/v1",
    "eapiPrivate": "/eapi/v1",
    "papi": "/papi/v1",
    "papiV2": "/papi/v2",
}
LIBFAKETIME_ENV = "FTPACK_LIBFAKETIME"
LIBFAKETIME_GLOBS = (
    "/usr/lib/*/faketime/libfaketimeMT.so.1",
    "/usr/lib/faketime/libfaketimeMT.so.1",
    "/usr/local/lib/faketime/libfaketimeMT.so.1",
)
DEFAULT_REQUEST_TIMEOUT = 10.0


def exchange_layer(
    base_url: str, speed: float, request_timeout: float = DEFAULT_REQUEST_TIMEOUT
) -> dict[str, Any]:
    """Config layer routing ccxt to ``base_url``; ``request_timeout`` is in wall seconds.

    ccxt measures its timeout on the (faked) process clock, so ``speed`` × the wall timeout is
    set: a fixed replay-time timeout would leave only 10/speed wall seconds per request.
    """
    urls = {key: base_url.rstrip("/") + path for key, path in API_PATHS.items()}
    # Freqtrade merges ccxt_config into both its sync and its async ccxt instance.
    ccxt = {"urls": {"api": urls}, "timeout": int(request_timeout * speed * 1000)}
    return {"exchange": {"ccxt_config": ccxt}}


def write_layer(path: Path, layer: dict[str, Any]) -> Path:
    """Write a JSON config layer and return its path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(layer, indent=2))
    return path


def libfaketime() -> str:
    """Path of the multi-threaded libfaketime (``$FTPACK_LIBFAKETIME`` or the Debian package)."""
    configured = os.environ.get(LIBFAKETIME_ENV)
    if configured:
        if not Path(configured).is_file():
            raise FileNotFoundError(f"{LIBFAKETIME_ENV}={configured}: no such file")
        return configured
    for pattern in LIBFAKETIME_GLOBS:
        found = sorted(glob.glob(pattern))
        if found:
            return found[0]
    raise FileNotFoundError(
        "libfaketime not found: install it (Debian/Ubuntu: apt-get install faketime) or set "
        f"{LIBFAKETIME_ENV} to libfaketimeMT.so.1"
    )


def clock_env(clock: ReplayClock, base: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for a process started now that runs on ``clock`` (libfaketime, UTC).

    libfaketime's start-at time has whole seconds, so this waits (at most 1/speed s) until the
    replay clock is on a whole second: the process's clock then starts exactly on it.
    """
    now_ms = clock.now_ms()
    time.sleep((1000 - now_ms % 1000) / 1000 / clock.speed)
    env = dict(os.environ if base is None else base)
    preload = [libfaketime(), *filter(None, env.get("LD_PRELOAD", "").split(":"))]
    env.update({"LD_PRELOAD": ":".join(preload), "FAKETIME": clock.faketime_spec(), "TZ": "UTC"})
    return env


def clock_from_status(status: dict[str, Any]) -> ReplayClock:
    """The server's clock from its ``/replay/status`` answer (same machine, same wall clock)."""
    return ReplayClock(
        int(status["start_ms"]), float(status["speed"]), float(status["wall_origin"])
    )
