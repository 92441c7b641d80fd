"""Results tables: load an exported backtest, summarise it, audit it, and format the tables of
the pack's reports (FreqAI evidence, the evaluator's verdict table, the README results).

Freqtrade's own statistics are used where it computes them (profit factor, drawdown, Sharpe,
Calmar, market change); the rest is derived from its exported trade list:

- worst UTC day = min over UTC calendar days of Σ profit_abs of the trades closed that day;
- funding = Σ funding_fees over the trades (negative = paid);
- time in market = |∪ [open_date, close_date)| / (backtest_end − backtest_start).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from freqtrade.data.btanalysis import load_backtest_stats

from ftpack.evaluate.settings import COST_LABELS, REALISTIC
from risk_protections.audit import audit_backtest
from risk_protections.audit_rules import AuditView


def load_strategy_stats(result_file: Path, strategy: str | None = None) -> dict[str, Any]:
    """The per-strategy block of an exported backtest (the only one when ``strategy`` is None)."""
    stats = load_backtest_stats(result_file)["strategy"]
    if strategy is None:
        if len(stats) != 1:
            raise ValueError(f"{result_file} holds {sorted(stats)}: name the strategy.")
        strategy = next(iter(stats))
    if strategy not in stats:
        raise ValueError(f"Strategy {strategy} is not in {result_file} ({sorted(stats)}).")
    return stats[strategy]


def time_in_market(trades: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> float:
    """Share of [start, end) during which at least one trade was open."""
    if trades.empty or end <= start:
        return 0.0
    intervals = sorted(zip(trades["open_date"], trades["close_date"], strict=True))
    covered = pd.Timedelta(0)
    cur_open, cur_close = intervals[0]
    for o, c in intervals[1:]:
        if o > cur_close:
            covered += cur_close - cur_open
            cur_open, cur_close = o, c
        else:
            cur_close = max(cur_close, c)
    covered += cur_close - cur_open
    return covered / (end - start)


def worst_utc_day(trades: pd.DataFrame) -> float:
    """Lowest realized profit (stake currency) of any UTC day with closed trades; 0 if none."""
    if trades.empty:
        return 0.0
    daily = trades.groupby(trades["close_date"].dt.floor("D"))["profit_abs"].sum()
    return float(min(daily.min(), 0.0))


def summarize_backtest(
    result_file: Path, strategy: str | None = None, fee: float | None = None
) -> dict[str, Any]:
    """Headline metrics of one backtest result file (zip or json) as a flat dict.

    ``fee`` is the fee per side the run was given (``--fee`` or the config's); without it the
    fee charged on the trades is reported (unknown, None, for a run without trades).
    """
    s = load_strategy_stats(result_file, strategy)
    trades = pd.DataFrame(s["trades"])
    start = pd.Timestamp(s["backtest_start"], tz="UTC")
    end = pd.Timestamp(s["backtest_end"], tz="UTC")
    if not trades.empty:
        trades["open_date"] = pd.to_datetime(trades["open_date"], utc=True)
        trades["close_date"] = pd.to_datetime(trades["close_date"], utc=True)
    worst = trades.loc[trades["profit_abs"].idxmin()] if not trades.empty else None
    return {
        "strategy": s["strategy_name"],
        "timerange": f"{start:%Y-%m-%d} → {end:%Y-%m-%d}",
        "pairs": list(s["pairlist"]),
        "fee": fee if fee is not None else (
            float(trades["fee_open"].max()) if not trades.empty else None
        ),
        "starting_balance": float(s["starting_balance"]),
        "trades": int(s["total_trades"]),
        "win_rate": float(s["winrate"] or 0.0),
        "profit_factor": float(s["profit_factor"] or 0.0),
        "profit_abs": float(s["profit_total_abs"]),
        "profit_pct": 100 * float(s["profit_total"]),
        "max_drawdown_pct": 100 * float(s["max_drawdown_account"]),
        "max_drawdown_abs": float(s["max_drawdown_abs"]),
        "sharpe": float(s["sharpe"] or 0.0),
        "calmar": float(s["calmar"] or 0.0),
        "worst_trade_abs": float(worst["profit_abs"]) if worst is not None else 0.0,
        "worst_trade_pct": 100 * float(worst["profit_ratio"]) if worst is not None else 0.0,
        "worst_day_abs": worst_utc_day(trades),
        "buy_hold_pct": 100 * float(s["market_change"]),
        "funding_abs": float(trades.get("funding_fees", pd.Series(dtype=float)).sum()),
        "time_in_market_pct": 100 * time_in_market(trades, start, end),
        "locks": len(s.get("locks", [])),
    }


def audit_summary(result: Path | dict[str, Any], config: dict[str, Any]) -> dict[str, Any]:
    """Risk-audit figures of one backtest (export path or result dict; losses negative): the
    breaches as filled, re-priced and crash-stressed, the re-priced and stressed worst trade and
    day, and (``record_*``) the stressed ones at all the data's gaps (later crashes included)."""
    report = audit_backtest(result, config)
    summary = {
        "breaches_filled": len(report.breaches),
        "breaches_repriced": len(report.repriced_breaches),
        "breaches_stressed": len(report.stressed_breaches),
        **_worst_abs("repriced", report.repriced),
        "breaches": [f"{b.view} {b.rule} {b.time:%Y-%m-%d %H:%M}: {b.detail}"
                     for b in [*report.breaches, *report.repriced_breaches,
                               *report.stressed_breaches]],
    }
    if report.stressed is not None:
        summary |= _worst_abs("stressed", report.stressed)
    if report.record is not None:
        summary |= _worst_abs("record", report.record)
        summary["record_exceeded"] = len(report.record.exceeded)
    return summary


def _worst_abs(name: str, view: AuditView) -> dict[str, float]:
    """A view's worst trade and day loss, negative."""
    return {f"{name}_worst_trade_abs": 0.0 - view.rules["trade_cap"].worst,
            f"{name}_worst_day_abs": 0.0 - view.rules["daily_loss"].worst}


# --- one backtest per row (FreqAI evidence) ------------------------------------------------
COLUMNS: list[tuple[str, str]] = [
    ("window", "window"),
    ("fee", "fee/side"),
    ("timerange", "range (UTC)"),
    ("trades", "trades"),
    ("win_rate", "win %"),
    ("profit_factor", "profit factor"),
    ("profit", "profit USDT (%)"),
    ("max_drawdown", "max DD USDT (%)"),
    ("sharpe", "Sharpe"),
    ("calmar", "Calmar"),
    ("worst_trade", "worst trade USDT (%)"),
    ("worst_day_abs", "worst UTC day USDT"),
    ("buy_hold_pct", "buy & hold %"),
    ("funding_abs", "funding USDT"),
    ("time_in_market_pct", "time in market %"),
    ("breaches", "risk breaches filled / re-priced / crash-stressed"),
    ("repriced_worst", "re-priced worst trade / day USDT"),
]


def format_row(window: str, m: dict[str, Any]) -> dict[str, str]:
    """Render one summary dict (report metrics plus audit figures) as table cells."""
    return {
        "window": window,
        "fee": f"{100 * m['fee']:g} %" if m["fee"] is not None else "market",
        "timerange": m["timerange"],
        "trades": str(m["trades"]),
        "win_rate": f"{100 * m['win_rate']:.1f}",
        "profit_factor": f"{m['profit_factor']:.2f}",
        "profit": f"{m['profit_abs']:.2f} ({m['profit_pct']:.2f} %)",
        "max_drawdown": f"{m['max_drawdown_abs']:.2f} ({m['max_drawdown_pct']:.2f} %)",
        "sharpe": f"{m['sharpe']:.2f}",
        "calmar": f"{m['calmar']:.2f}",
        "worst_trade": f"{m['worst_trade_abs']:.2f} ({m['worst_trade_pct']:.2f} %)",
        "worst_day_abs": f"{m['worst_day_abs']:.2f}",
        "buy_hold_pct": f"{m['buy_hold_pct']:.2f}",
        "funding_abs": f"{m['funding_abs']:.2f}",
        "time_in_market_pct": f"{m['time_in_market_pct']:.1f}",
        "breaches": f"{m['breaches_filled']} / {m['breaches_repriced']} / "
                    f"{m['breaches_stressed']}",
        "repriced_worst": (
            f"{m['repriced_worst_trade_abs']:.2f} / {m['repriced_worst_day_abs']:.2f}"
        ),
    }


def markdown_table(rows: list[dict[str, str]], columns: list[tuple[str, str]] = COLUMNS) -> str:
    """A GitHub markdown table of the formatted rows, in ``columns`` order."""
    head = "| " + " | ".join(title for _, title in columns) + " |"
    rule = "|" + "|".join("---" for _ in columns) + "|"
    body = ["| " + " | ".join(r[key] for key, _ in columns) + " |" for r in rows]
    return "\n".join([head, rule, *body])


# --- the evaluator's verdict table ---------------------------------------------------------
def _num(value: Any, fmt: str = ".2f", suffix: str = "") -> str:
    return "n/a" if value is None else f"{value:{fmt}}{suffix}"


def _check(doc: dict[str, Any], name: str) -> str:
    for check in doc["verdict"]["checks"]:
        if check["name"] == name:
            return "pass" if check["passed"] else "FAIL"
    return ""


def verdict_rows(doc: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(statistic, value, pass/FAIL of its verdict test) rows of an evaluation document."""
    level = doc.get("verdict_cost", "taker")
    p = doc["performance"][level]
    boot = doc["bootstrap"]
    mean, sharpe = boot["mean_daily_return"], boot["sharpe"]
    dsr, pbo, null = doc["deflated_sharpe"], doc["pbo"], doc["random_entry_null"]
    audit, trials = doc["risk_audit"], doc["trials"]
    ci = f"{100 * boot['level']:.0f} %"
    costs = doc["performance"]
    sweep = " / ".join(f"{label} {_num(costs[label]['net_profit_abs'])}" for label in COST_LABELS)
    fee_text = " / ".join(f"{label} {fee_per_side(doc, label)}" for label in COST_LABELS)
    mode = doc["mode"] + (f", {doc['settings']['hyperopt']['epochs']} epochs per fold"
                          if doc["mode"] == "retune" else "")
    return [
        ("out-of-sample range (UTC)", f"{doc['data']['out_of_sample'][0]} → "
         f"{doc['data']['out_of_sample'][1]}, {doc['data']['out_of_sample_days']} days", ""),
        ("folds", f"{len(doc['folds'])} ({len(doc['skipped_folds'])} skipped without data); "
         f"train {doc['settings']['train_days']} d, test {doc['settings']['test_days']} d; "
         f"{mode}", ""),
        ("fees per side", fee_text + (f"; realistic = {doc['fees']['realistic_basis']}"
                                      if "realistic_basis" in doc["fees"] else ""), ""),
        ("verdict's cost level", level, ""),
        (f"trades ({level})", f"{p['trades']}, win {_num(p['win_rate_pct'], '.1f')} %, PF "
         f"{_num(p['profit_factor'])}, expectancy {_num(p['expectancy_abs'], '.3f')} USDT",
         _check(doc, "out_of_sample_trades")),
        (f"mean daily return ({level})", f"{_num(mean['estimate'], '.5f')} [{ci} CI "
         f"{_num(mean['lower'], '.5f')}, {_num(mean['upper'], '.5f')}]",
         _check(doc, f"ci_lower_mean_daily_return_{level}")),
        ("Sharpe (annualised)", f"{_num(sharpe['estimate'])} [{ci} CI "
         f"{_num(sharpe['lower'])}, {_num(sharpe['upper'])}]; Sortino {_num(p['sortino'])}", ""),
        ("Deflated Sharpe Ratio", f"{_num(dsr['dsr'], '.3f')} over {trials['total']} trials "
         f"({_trial_text(trials)}; PSR {_num(dsr['psr'], '.3f')})",
         _check(doc, "deflated_sharpe_ratio")),
        ("PBO", _num(pbo.get("pbo"), ".3f") if pbo.get("applicable")
         else f"not applicable: {pbo['reason']}", ""),
        ("random-entry null p", f"{_num(null.get('p_value'), '.3f')} "
         f"({null.get('n_seeds', 0)} seeds)" if null.get("applicable") else
         f"n/a: {null.get('reason')}", _check(doc, "random_entry_p_value")),
        ("net profit by cost, USDT", sweep, ""),
        ("max drawdown", f"{_num(p['max_drawdown_abs'])} USDT ({_num(p['max_drawdown_pct'])} %)"
         f"; Calmar {_num(p['calmar'])}", ""),
        ("worst trade / worst day", f"{_num(p['worst_trade_abs'])} / {_num(p['worst_day_abs'])} "
         f"USDT ({p['worst_day']}); worst realized day {_num(p['worst_realized_day_abs'])}", ""),
        ("time in market", f"{_num(p['time_in_market_pct'], '.1f')} %", ""),
        ("buy & hold, same pairs", f"{_num(doc['buy_and_hold']['return_pct'])} %", ""),
        ("risk breaches filled / re-priced / crash-stressed",
         f"{audit['breaches_filled']} / {audit['breaches_repriced']} / "
         f"{audit['breaches_stressed']}",
         _check(doc, "risk_breaches")),
        ("crash stress, worst trade / day (gaps sizing had; all the data's gaps)",
         f"{_num(audit['stressed_worst_trade_abs'])} / {_num(audit['stressed_worst_day_abs'])}"
         f" USDT; {_num(audit['record_worst_trade_abs'])} / "
         f"{_num(audit['record_worst_day_abs'])} USDT, {audit['record_exceeded']} above a limit",
         ""),
        *_level_rows(doc, ci),
        ("verdict", f"{doc['verdict']['verdict']} (at {level} fees)", ""),
        *[("warning", text, "") for text in doc.get("warnings", [])],
    ]


def _trial_text(trials: dict[str, Any]) -> str:
    parts = [f"{trials['hyperopt_epochs']} hyperopt epochs"]
    if trials.get("ledger_variants"):
        parts.append(f"{trials['ledger_variants']} research variants from "
                     f"`{trials['trial_ledger']}`")
    parts.append(f"{trials['variants_tried_by_hand']} by hand")
    return " + ".join(parts)


def missed_targets(targets: dict[str, Any]) -> str:
    """``all met`` or the missed targets with their values (ftpack.evaluate.targets)."""
    if targets["met"]:
        return "all met"
    return "missed: " + "; ".join(f"{t['name']} {_num(t['value'], '.4g')} (needs {t['rule']})"
                                  for t in targets["targets"] if not t["passed"])


def fee_per_side(doc: dict[str, Any], label: str) -> str:
    """A cost level's fee per side as shown: "up to" when it was each fold's own (dated fees)."""
    fee = f"{100 * doc['fees']['per_side'][label]:g} %"
    per_fold = label == REALISTIC and doc["fees"].get("realistic_per_fold", False)
    return f"each fold's fee, up to {fee}" if per_fold else fee


def _level_rows(doc: dict[str, Any], ci: str) -> list[tuple[str, str, str]]:
    """Per cost level of ``by_cost`` (realistic, taker): its verdict and the pack's targets
    (net > 0, CI > 0, DD < 5 %, worst day > −2 %, PF > 1.3, ≥ 100 trades)."""
    rows = []
    for label, entry in doc.get("by_cost", {}).items():
        mean = entry["mean_daily_return"]
        failed = ", ".join(entry["failed"]) or "none"
        rows.append((f"verdict at {label} ({fee_per_side(doc, label)} per side)",
                     f"{entry['verdict']}; mean daily return {_num(mean['estimate'], '.5f')} "
                     f"[{ci} CI {_num(mean['lower'], '.5f')}, {_num(mean['upper'], '.5f')}], "
                     f"DSR {_num(entry['deflated_sharpe_ratio'], '.3f')}, null p "
                     f"{_num(entry['random_entry_p_value'], '.3f')}; failed tests: {failed}",
                     ""))
        rows.append((f"targets at {label}", missed_targets(entry["targets"]), ""))
    return rows


def verdict_markdown(doc: dict[str, Any]) -> str:
    """The verdict table of one evaluation document as GitHub markdown."""
    rows = [{"stat": s, "value": v, "test": t} for s, v, t in verdict_rows(doc)]
    return markdown_table(rows, [("stat", "statistic"), ("value", "value"), ("test", "test")])
