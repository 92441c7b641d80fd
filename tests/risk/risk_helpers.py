"""Helpers for the risk tests: repository paths, config layers and in-process freqtrade runs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from freqtrade.commands import Arguments

from ftpack.offline import install

REPO = Path(__file__).resolve().parents[2]
CONFIG_DIR = REPO / "user_data" / "config"
RISK_STRATEGIES = Path(__file__).resolve().parent / "strategies"


def write_layer(directory: Path, name: str, content: dict[str, Any]) -> Path:
    """A config layer file (merged after the repository configs by ``-c``)."""
    path = directory / name
    path.write_text(json.dumps(content), encoding="utf-8")
    return path


def run_offline(args: list[str]) -> Any:
    """Run one freqtrade subcommand in this process with the bundled markets snapshot."""
    install()
    parsed = Arguments(args).get_parsed_arg()
    return parsed["func"](parsed)


def backtest_args(
    layers: list[Path],
    *,
    strategy: str = "RiskProbe",
    market: str = "spot",
    pairs: tuple[str, ...] = ("BTC/USDT",),
    timerange: str = "20250601-20250603",
    extra: tuple[str, ...] = (),
) -> list[str]:
    """``backtesting`` CLI arguments over ``<market>.json`` plus ``layers``."""
    args = ["backtesting", "-c", str(CONFIG_DIR / f"{market}.json")]
    for layer in layers:
        args += ["-c", str(layer)]
    return [
        *args,
        "--strategy-path",
        str(RISK_STRATEGIES),
        "-s",
        strategy,
        "--pairs",
        *pairs,
        "--timerange",
        timerange,
        *extra,
    ]


def _order(trade: Any, side: str, amount: float, price: float, when: Any) -> Any:
    from freqtrade.persistence import Order

    return Order(
        ft_order_side=side,
        ft_pair=trade.pair,
        ft_is_open=False,
        ft_amount=amount,
        ft_price=price,
        order_id=f"{trade.pair}-{side}-{when.timestamp()}-{amount}",
        status="closed",
        symbol=trade.pair,
        order_type="market",
        side=side,
        price=price,
        average=price,
        amount=amount,
        filled=amount,
        remaining=0,
        cost=amount * price,
        order_date=when,
        order_filled_date=when,
    )


def make_trade(
    cls: Any,
    *,
    open_date: Any,
    close_date: Any = None,
    pair: str = "BTC/USDT",
    stake: float = 100.0,
    open_rate: float = 100.0,
    close_rate: float = 100.0,
    fee: float = 0.001,
    exit_reason: str = "stop_loss",
    partial: tuple[Any, float, float] | None = None,
    trade_id: int | None = None,
) -> Any:
    """A spot long ``cls`` (Trade or LocalTrade) with filled orders, optionally partially exited
    (``partial = (time, rate, share of the amount)``) and closed at ``close_rate``."""
    from freqtrade.enums import TradingMode

    amount = stake / open_rate
    trade = cls(
        id=trade_id,
        pair=pair,
        stake_amount=stake,
        amount=amount,
        open_rate=open_rate,
        open_date=open_date,
        fee_open=fee,
        fee_close=fee,
        is_open=True,
        exchange="binance",
        leverage=1.0,
        is_short=False,
        trading_mode=TradingMode.SPOT,
        stop_loss=open_rate * 0.97,
        stop_loss_pct=-0.03,
        initial_stop_loss=open_rate * 0.97,
        initial_stop_loss_pct=-0.03,
    )
    trade.orders.append(_order(trade, "buy", amount, open_rate, open_date))
    trade.recalc_trade_from_orders()
    if partial is not None:
        when, rate, share = partial
        trade.orders.append(_order(trade, "sell", amount * share, rate, when))
        trade.recalc_trade_from_orders()
    if close_date is not None:
        trade.orders.append(_order(trade, "sell", trade.amount, close_rate, close_date))
        trade.close_date = close_date
        trade.exit_reason = exit_reason
        trade.close(close_rate, show_msg=False)
    return trade


def run_cli(args: list[str], timeout: float = 300) -> Any:
    """Run ``freqtrade-offline <args>`` in a subprocess from the repository root."""
    import subprocess
    import sys

    exe = Path(sys.executable).parent / "freqtrade-offline"
    return subprocess.run(
        [str(exe), *args], cwd=REPO, capture_output=True, text=True, timeout=timeout, check=False
    )


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now (the OS picks it)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def api_bot_layer(directory: Path, port: int, api: dict[str, Any]) -> Path:
    """A dry-run layer for ``api_bot.py``: trades DB in ``directory``, BTC/ETH, force entries,
    market pricing without order books, and ``api`` merged over an API server on ``port``."""
    return write_layer(
        directory,
        "api.json",
        {
            "db_url": f"sqlite:///{directory / 'trades.sqlite'}",
            "max_open_trades": 3,
            "force_entry_enable": True,
            "fiat_display_currency": "",
            "entry_pricing": {"price_side": "other", "use_order_book": False},
            "exit_pricing": {"price_side": "other", "use_order_book": False},
            "exchange": {"pair_whitelist": ["BTC/USDT", "ETH/USDT"], "enable_ws": False},
            "internals": {"process_throttle_secs": 1},
            "api_server": {
                "enabled": True,
                "listen_ip_address": "127.0.0.1",
                "listen_port": port,
                "CORS_origins": [],
                "verbosity": "error",
                **api,
            },
        },
    )


def api_bot_command(layers: list[Path], log: Path, strategy: str = "RiskProbe") -> list[str]:
    """``python api_bot.py trade --dry-run`` over spot.json and ``layers`` (offline markets)."""
    import sys

    command = [sys.executable, str(Path(__file__).resolve().parent / "api_bot.py"), "trade"]
    command += ["--dry-run", "-c", str(CONFIG_DIR / "spot.json")]
    for layer in layers:
        command += ["-c", str(layer)]
    return [
        *command,
        "--strategy-path",
        str(RISK_STRATEGIES),
        "-s",
        strategy,
        "--logfile",
        str(log),
    ]


@contextmanager
def running_api_bot(
    command: list[str], port: int, user: str, password: str, log: Path, wait: float = 120
) -> Iterator[Any]:
    """Start ``command`` (a bot with its REST API on ``port``), yield a logged-in FtRestClient
    once the API answers, and stop the process afterwards (SIGTERM, then SIGKILL)."""
    import subprocess
    import time

    from freqtrade_client import FtRestClient

    proc = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = FtRestClient(f"http://127.0.0.1:{port}", user, password, timeout=10)
    try:
        deadline = time.monotonic() + wait
        while client.ping() != {"status": "pong"} or client.version() is None:
            assert proc.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, f"API server did not come up in {wait:.0f} s"
            time.sleep(0.5)
        yield client
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
