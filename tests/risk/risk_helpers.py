"""Helpers for the risk tests: repository paths, config layers and in-process freqtrade runs."""

from __future__ import annotations

import json
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
