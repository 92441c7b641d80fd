"""Risk audit entry points: a backtest export or a trades database against the ``risk`` rules.

``audit_backtest(path_or_result, config)`` and ``audit_trades_db(db_url, config)`` return an
``AuditReport`` (rules and views: see ``audit_rules``); ``config`` is a Freqtrade config dict
holding the ``risk`` section (defaults apply when it is missing) and, for the re-priced view,
``datadir`` (or ``user_data_dir``) with the OHLCV data. With those candles the report also gets
the crash-stressed views (``stress_audit``: ``stressed`` at the gaps known when each trade was
sized, as the bot measured them, ``gap_data``; ``record`` at the whole files' gaps) and the
count of stop exits whose candle traded through a stop-limit's limit price (``stop_fills``,
ratio ``order_types.stoploss_on_exchange_limit_ratio``, default 0.99).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from freqtrade.data.btanalysis import load_backtest_stats
from freqtrade.data.history import load_pair_history
from freqtrade.enums import CandleType
from freqtrade.exchange import timeframe_to_prev_date
from pandas import DataFrame

from risk_protections.audit_rules import STOP_EXITS, AuditReport, audit_trades
from risk_protections.config import parse_risk_config, risk_section
from risk_protections.gap_data import config_gap_history, data_directory
from risk_protections.pnl import TradeRecord, from_export
from risk_protections.stop_fills import DEFAULT_LIMIT_RATIO, count_traded_through
from risk_protections.stress_audit import stressed_view


def strategy_result(path_or_result: Path | str | dict, strategy: str | None) -> dict[str, Any]:
    """One strategy's result dict from an export path, a loaded export, or a result dict."""
    stats = (
        load_backtest_stats(path_or_result)
        if isinstance(path_or_result, str | Path)
        else path_or_result
    )
    if "trades" in stats:
        return stats
    results = stats["strategy"]
    if strategy is None:
        if len(results) != 1:
            raise ValueError(f"Export holds several strategies {sorted(results)}; name one.")
        strategy = next(iter(results))
    return results[strategy]


def candle_worst_price(
    datadir: Path, timeframe: str | None, trading_mode: str, data_format: str
) -> Callable[[TradeRecord], float | None]:
    """Low (long) or high (short) of the candle holding each trade's close."""
    candle_type = CandleType.FUTURES if trading_mode == "futures" else CandleType.SPOT
    cache: dict[str, DataFrame] = {}

    def worst(trade: TradeRecord) -> float | None:
        if timeframe is None or trade.close_date is None:
            return None
        if trade.pair not in cache:
            frame = load_pair_history(
                pair=trade.pair,
                timeframe=timeframe,
                datadir=datadir,
                candle_type=candle_type,
                data_format=data_format,
            )
            cache[trade.pair] = frame.set_index("date") if not frame.empty else frame
        frame = cache[trade.pair]
        when = timeframe_to_prev_date(timeframe, trade.close_date)
        if frame.empty or when not in frame.index:
            return None
        return float(frame.at[when, "high" if trade.is_short else "low"])

    return worst


def audit_backtest(
    path_or_result: Path | str | dict,
    config: dict[str, Any],
    *,
    strategy: str | None = None,
) -> AuditReport:
    """Audit an exported backtest (zip/json/directory) or its loaded result dict."""
    result = strategy_result(path_or_result, strategy)
    trades = [from_export(i + 1, t) for i, t in enumerate(result["trades"])]
    worst = candle_worst_price(
        data_directory(config),
        result.get("timeframe_detail") or result.get("timeframe"),
        result.get("trading_mode") or config.get("trading_mode", "spot"),
        config.get("dataformat_ohlcv", "feather"),
    )
    risk = parse_risk_config(risk_section(config))
    report = audit_trades(trades, risk, float(result["starting_balance"]), worst)
    return with_crash_stress(
        report, trades, config, result.get("timeframe") or config.get("timeframe"), worst
    )


def audit_trades_db(
    db_url: str, config: dict[str, Any], *, starting_balance: float | None = None
) -> AuditReport:
    """Audit the trades of a Freqtrade trades database (``sqlite:///…``)."""
    from freqtrade.persistence import Trade, init_db

    init_db(db_url)
    trades = [from_export(t.id, t.to_json()) for t in Trade.get_trades_proxy()]
    balance = starting_balance or config.get("available_capital") or config["dry_run_wallet"]
    worst = candle_worst_price(
        data_directory(config),
        config.get("timeframe"),
        config.get("trading_mode", "spot"),
        config.get("dataformat_ohlcv", "feather"),
    )
    report = audit_trades(trades, parse_risk_config(risk_section(config)), float(balance), worst)
    return with_crash_stress(report, trades, config, config.get("timeframe"), worst)


def with_crash_stress(
    report: AuditReport,
    trades: list[TradeRecord],
    config: dict[str, Any],
    timeframe: str | None,
    worst: Callable[[TradeRecord], float | None],
) -> AuditReport:
    """``report`` with its crash-stressed views and stop-limit trade-through count (needs the
    strategy ``timeframe`` to measure the pairs' gaps; left out without it).

    ``stressed`` takes the gaps known when each trade was sized (point in time, as sizing);
    ``record`` the gaps of all the data, later crashes included: what the trades would have
    lost in those, reported, not counted as breaches (sizing could not know them)."""
    if timeframe is None:
        report.notes.append("no timeframe: the crash-stressed view was not measured")
        return report
    risk = parse_risk_config(risk_section(config))
    pairs = sorted({t.pair for t in trades})
    events = {t.trade_id: t.events() for t in trades}
    history = config_gap_history(config, risk, pairs, timeframe)
    report.stressed = stressed_view(trades, events, risk, report.starting_balance, history.at)
    whole = history.at()
    report.record = stressed_view(
        trades, events, risk, report.starting_balance, lambda _: whole, view="record"
    )
    ratio = config.get("order_types", {}).get(
        "stoploss_on_exchange_limit_ratio", DEFAULT_LIMIT_RATIO
    )
    stops = [t for t in trades if t.close_date is not None and t.exit_reason in STOP_EXITS]
    report.stop_fills = count_traded_through(stops, worst, ratio)
    return report
