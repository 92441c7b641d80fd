"""Exchange faults injected into a replay run, read from a JSON file given at start.

``{"faults": [{"kind": "http_429", "from": "2025-08-19 12:05", "until": "2025-08-19 12:15",
"endpoint": "klines", "pair": "SUI/USDT"}, …]}`` — times are replay times (UTC); ``endpoint``
(the last part of the REST path: ``klines``, ``depth``, ``ticker/24hr`` …) and ``pair`` narrow a
fault (default: every endpoint the kind applies to, every pair); ``count`` limits how many
requests an HTTP fault answers (default: all in the window). Kinds:

* ``http_429``: HTTP 429 with ``Retry-After: retry_after`` (seconds, default 1) and Binance's
  ``-1003`` body, as Binance answers an IP over its request weight;
* ``http_5xx``: HTTP ``status`` (500–599, default 503);
* ``timeout``: the answer is held ``delay`` seconds of wall time (default 15, above ccxt's
  default 10 s timeout) before it is sent;
* ``stale_candles``: klines are answered as they stood at the window's start (the same last
  candle again and again);
* ``candle_gap``: candles opening inside the window are missing from every klines answer, during
  and after the window (a hole in the exchange's history);
* ``one_sided_book``: order books and book tickers come with ``side`` (``bids`` or ``asks``)
  empty;
* ``price_jump``: every price of the pair inside the window is multiplied by ``factor``
  (candles opening in it, books, tickers): an injected jump, for prices the data does not hold.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

HTTP_KINDS = ("http_429", "http_5xx", "timeout")
KINDS = (*HTTP_KINDS, "stale_candles", "candle_gap", "one_sided_book", "price_jump")
_KEYS = {"kind", "from", "until", "endpoint", "pair", "count"}
_EXTRA_KEYS = {
    "http_429": {"retry_after"},
    "http_5xx": {"status"},
    "timeout": {"delay"},
    "one_sided_book": {"side"},
    "price_jump": {"factor"},
}


class FaultConfigError(ValueError):
    """A fault file names an unknown kind or key, or holds an impossible value."""


@dataclass
class Fault:
    """One configured fault; ``hits`` counts the requests it changed."""

    kind: str
    start_ms: int
    end_ms: int
    endpoint: str | None = None
    pair: str | None = None
    count: int | None = None
    retry_after: float = 1.0
    status: int = 503
    delay: float = 15.0
    side: str = "asks"
    factor: float = 1.0
    hits: int = 0

    def active(self, now_ms: int) -> bool:
        return self.start_ms <= now_ms < self.end_ms

    def applies(self, endpoint: str | None, pair: str | None) -> bool:
        """A fault naming a pair applies only to requests for that pair."""
        return (self.endpoint is None or endpoint is None or self.endpoint == endpoint) and (
            self.pair is None or self.pair == pair
        )

    def describe(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "from": _iso(self.start_ms),
            "until": _iso(self.end_ms),
            "endpoint": self.endpoint,
            "pair": self.pair,
            "hits": self.hits,
        }


@dataclass
class FaultPlan:
    """The run's faults, asked by the endpoints on every request."""

    faults: list[Fault] = field(default_factory=list)

    @classmethod
    def from_file(cls, path: Path | None) -> FaultPlan:
        if path is None:
            return cls()
        try:
            spec = json.loads(Path(path).read_text())
        except (OSError, ValueError) as err:
            raise FaultConfigError(f"faults file {path}: {err}") from err
        return cls.from_dict(spec, source=str(path))

    @classmethod
    def from_dict(cls, spec: Any, source: str = "faults") -> FaultPlan:
        if not isinstance(spec, dict) or not isinstance(spec.get("faults"), list):
            raise FaultConfigError(f'{source}: expected {{"faults": [ … ]}}')
        return cls(
            [_parse(item, f"{source}: faults[{i}]") for i, item in enumerate(spec["faults"])]
        )

    def record(self, fault: Fault, endpoint: str, pair: str | None, now_ms: int) -> Fault:
        """Count and log one request changed by ``fault``."""
        fault.hits += 1
        logger.warning(
            "replay fault %s on %s %s at %s (hit %d)",
            fault.kind,
            endpoint,
            pair or "",
            _iso(now_ms),
            fault.hits,
        )
        return fault

    def active(self, kind: str, endpoint: str | None, pair: str | None, now_ms: int) -> list[Fault]:
        """Faults of ``kind`` in their window at ``now_ms`` that apply to the request."""
        return [
            f
            for f in self.faults
            if f.kind == kind and f.active(now_ms) and f.applies(endpoint, pair)
        ]

    def http_fault(self, endpoint: str, pair: str | None, now_ms: int) -> Fault | None:
        """The HTTP fault (429, 5xx, timeout) answering this request, if any (counted)."""
        for fault in self.faults:
            if (
                fault.kind in HTTP_KINDS
                and fault.active(now_ms)
                and fault.applies(endpoint, pair)
                and (fault.count is None or fault.hits < fault.count)
            ):
                return self.record(fault, endpoint, pair, now_ms)
        return None

    def gaps(self, endpoint: str, pair: str | None, now_ms: int) -> list[Fault]:
        """Candle gaps that have begun by ``now_ms`` (their candles stay missing afterwards)."""
        return [
            f
            for f in self.faults
            if f.kind == "candle_gap" and f.start_ms <= now_ms and f.applies(endpoint, pair)
        ]

    def price_jumps(self, pair: str | None) -> list[Fault]:
        """Price-jump faults of ``pair`` (any window)."""
        return [f for f in self.faults if f.kind == "price_jump" and f.applies(None, pair)]

    def describe(self) -> list[dict[str, Any]]:
        return [f.describe() for f in self.faults]


def parse_time(value: Any, where: str) -> int:
    """Epoch ms of an ISO date/time string (UTC unless it names a zone)."""
    try:
        when = datetime.fromisoformat(str(value))
    except ValueError as err:
        raise FaultConfigError(f"{where}: not an ISO time: {value!r}") from err
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return int(when.timestamp() * 1000)


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M:%S")


def _parse(item: Any, where: str) -> Fault:
    if not isinstance(item, dict):
        raise FaultConfigError(f"{where}: expected an object")
    kind = item.get("kind")
    if kind not in KINDS:
        raise FaultConfigError(f"{where}.kind: {kind!r} is not one of {', '.join(KINDS)}")
    unknown = set(item) - _KEYS - _EXTRA_KEYS.get(kind, set())
    if unknown:
        raise FaultConfigError(f"{where}: unknown key(s) for {kind}: {', '.join(sorted(unknown))}")
    for key in ("from", "until"):
        if key not in item:
            raise FaultConfigError(f"{where}.{key}: missing")
    start, end = (
        parse_time(item["from"], f"{where}.from"),
        parse_time(item["until"], f"{where}.until"),
    )
    if end <= start:
        raise FaultConfigError(f"{where}.until: must be after from")
    fault = Fault(kind, start, end, item.get("endpoint"), item.get("pair"), item.get("count"))
    for key in _EXTRA_KEYS.get(kind, ()):
        if key in item:
            setattr(fault, key, item[key])
    _check(fault, where)
    return fault


def _check(fault: Fault, where: str) -> None:
    if fault.count is not None and (not isinstance(fault.count, int) or fault.count < 1):
        raise FaultConfigError(f"{where}.count: must be a positive integer")
    if not 500 <= int(fault.status) <= 599:
        raise FaultConfigError(f"{where}.status: must be 500..599")
    if not float(fault.retry_after) >= 0:
        raise FaultConfigError(f"{where}.retry_after: must be >= 0 seconds")
    if not float(fault.delay) > 0:
        raise FaultConfigError(f"{where}.delay: must be > 0 seconds")
    if fault.side not in ("bids", "asks"):
        raise FaultConfigError(f"{where}.side: must be 'bids' or 'asks'")
    if not float(fault.factor) > 0:
        raise FaultConfigError(f"{where}.factor: must be > 0")
