"""Shared test helpers: repository paths, an in-process ``freqtrade-offline`` runner, a strategy
loader and the one stub DataProvider.

Import them as ``from packtest import …`` (``tests/`` is on pytest's pythonpath). They do not live
in a conftest.py: several test folders have their own conftest, and ``from conftest import``
would pick whichever of them pytest imported last.
"""

from __future__ import annotations

import importlib.util
import os
import secrets
import socket
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from freqtrade.commands import Arguments
from freqtrade.configuration import TimeRange
from freqtrade.data.btanalysis import get_latest_backtest_filename
from freqtrade.enums import RunMode

from ftpack.offline import BUNDLED_SNAPSHOT, install, load_snapshot

REPO = Path(__file__).resolve().parents[1]
CONFIG_DIR = REPO / "user_data" / "config"
TEST_STRATEGIES = REPO / "tests" / "strategies"
SHARED_DATA = REPO.parent / "shared" / "data"


def api_secrets() -> dict[str, str]:
    """The REST API's secrets as the README exports them, for bots the tests start: from
    ``FTPACK_TEST_API_PASSWORD`` / ``FTPACK_TEST_JWT_SECRET`` when set, else throw-away ones
    generated for this test process (none is ever committed)."""
    return {
        "FREQTRADE__API_SERVER__PASSWORD":
            os.environ.get("FTPACK_TEST_API_PASSWORD") or secrets.token_urlsafe(18),
        "FREQTRADE__API_SERVER__JWT_SECRET_KEY":
            os.environ.get("FTPACK_TEST_JWT_SECRET") or secrets.token_urlsafe(32),
    }


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (for servers that need it up front)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_freqtrade_offline(args: list[str]) -> None:
    """Run one freqtrade subcommand in this process with markets from the snapshot."""
    install()
    parsed = Arguments(args).get_parsed_arg()
    parsed["func"](parsed)


def latest_result(directory: Path) -> Path:
    """The newest exported backtest result in ``directory``."""
    return directory / get_latest_backtest_filename(directory)


def example_counts(thorough: int, fast: int) -> list[Any]:
    """Parameters for a property test's hypothesis ``max_examples``: ``fast`` in every run,
    ``thorough`` marked slow (``make test`` runs both, ``make test-fast`` only the first).
    """
    return [
        pytest.param(fast, id=f"{fast}-examples"),
        pytest.param(thorough, id=f"{thorough}-examples", marks=pytest.mark.slow),
    ]


def load_strategy_class(name: str) -> type:
    """The strategy class ``name`` from ``user_data/strategies/<name>.py``, imported fresh."""
    path = REPO / "user_data" / "strategies" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, name)


class StubDataProvider:
    """The parts of Freqtrade's DataProvider that the pack's strategies and hooks read, served
    from memory: pair candles, analyzed frames, the whitelist, markets (the bundled snapshot),
    order books, public trades, and the messages sent.

    ``books`` maps a pair to its book, or is a function of the pair returning the next one;
    ``trade_requests`` records every ``trades()`` time range asked for.
    """

    runmode = RunMode.BACKTEST

    def __init__(
        self,
        frames: dict[str, pd.DataFrame] | None = None,
        *,
        analyzed: dict[str, pd.DataFrame] | None = None,
        analyzed_at: datetime | None = None,
        books: dict[str, dict] | Callable[[str], dict] | None = None,
        trades: dict[str, pd.DataFrame] | None = None,
    ) -> None:
        self.frames = frames or {}
        self.analyzed = analyzed or {}
        self.analyzed_at = analyzed_at or datetime.now(UTC)
        self.books = books or {}
        self.public_trades = trades or {}
        self.trade_requests: list[TimeRange] = []
        self.sent: list[str] = []

    def get_pair_dataframe(
        self, pair: str, timeframe: str | None = None, candle_type: str = ""
    ) -> pd.DataFrame:
        return self.frames.get(pair, pd.DataFrame())

    def get_analyzed_dataframe(self, pair: str, timeframe: str) -> tuple[pd.DataFrame, datetime]:
        return self.analyzed.get(pair, pd.DataFrame()), self.analyzed_at

    def current_whitelist(self) -> list[str]:
        return list(self.analyzed or self.frames)

    def market(self, pair: str) -> dict[str, Any] | None:
        return load_snapshot(BUNDLED_SNAPSHOT).get(pair)

    def orderbook(self, pair: str, maximum: int) -> dict[str, list]:
        book = self.books(pair) if callable(self.books) else self.books[pair]
        return {side: [list(level) for level in book[side][:maximum]] for side in ("bids", "asks")}

    def trades(
        self, pair: str, copy: bool = True, timerange: TimeRange | None = None
    ) -> pd.DataFrame:
        frame = self.public_trades.get(pair, pd.DataFrame())
        if timerange is None:
            return frame
        self.trade_requests.append(timerange)
        stamps = frame["timestamp"]
        keep = (stamps >= timerange.startts) & (stamps <= timerange.stopts)
        return frame[keep].reset_index(drop=True)

    def send_msg(self, message: str, *, always_send: bool = False) -> None:
        self.sent.append(message)
