"""Risk section of a backtest: printed after Freqtrade's tables and written beside the export.

For each strategy of the run that uses ``RiskManagedMixin``, from the results Freqtrade holds in
memory (no second run): the audit (``audit.audit_backtest``) of its trades against
``config["risk"]`` — per rule the limit and the worst case as filled, with stop exits re-priced
at the exit candle's worst price, and under crash stress (``stress_audit``: each trade at its
pair's worst recorded gap, every day's open positions in their worst hours at once) (worst
trade, worst day and ISO week realized, peak deployed stake, lowest equity less open stake
against the reserve, longest loss streak), the stop exits whose candle traded through a
stop-limit's limit price, and every breach — plus the run's locks grouped by the protection that
set them, with the UTC days on which each fired. The same numbers go to ``<export>.risk.json``
beside the result zip (``backtest-result-<time>.zip`` -> ``backtest-result-<time>.risk.json``),
and ``ftpack-risk-audit`` on that zip prints the same figures.

Hook: Freqtrade 2026.9 has no callback after its backtest report. ``install()`` wraps
``show_backtest_results`` as ``freqtrade.optimize.backtesting`` calls it (the last step of
``Backtesting.start``, after the export is stored): the wrapper calls Freqtrade's function
unchanged, then prints this section. It runs on ``import risk_protections`` (every pack strategy
imports it before Backtesting starts), is idempotent, and touches nothing else: hyperopt,
FreqUI's backtests and ``backtesting-show`` do not call that binding.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from freqtrade.data.btanalysis import get_latest_backtest_filename
from freqtrade.util import print_rich_table

from risk_protections.audit import audit_backtest
from risk_protections.audit_rules import CHECKED, AuditReport
from risk_protections.mixin import RiskManagedMixin
from risk_protections.protections import PROTECTIONS

logger = logging.getLogger(__name__)

RULE_LABELS = {
    "trade_cap": "worst trade: realized loss / its cap",
    "daily_loss": "worst day: realized loss / day limit",
    "weekly_loss": "worst ISO week: realized loss / week limit",
    "deployment": "peak deployed: open stake / max deployed",
    "reserve": "lowest equity - open stake / reserve (floor)",
    "consecutive_losses": "longest loss streak / pause after",
}
OTHER_LOCKS = "other protections"
_MARKER = "_ftpack_risk_section"


def _pack_strategy_names() -> set[str]:
    """Names of every loaded strategy class that uses RiskManagedMixin."""
    names, todo = set(), [RiskManagedMixin]
    while todo:
        for sub in todo.pop().__subclasses__():
            names.add(sub.__name__)
            todo.append(sub)
    return names


def lock_summary(locks: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Locks grouped by the protection named at the start of their reason: count and UTC days."""
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for lock in locks:
        name = (lock.get("reason") or "").split(":", 1)[0]
        grouped[name if name in PROTECTIONS else OTHER_LOCKS].append(lock)
    return {
        name: {
            "count": len(items),
            "days": sorted(
                {f"{datetime.fromtimestamp(x['lock_timestamp'] / 1000, tz=UTC):%Y-%m-%d}"
                 for x in items}
            ),
        }
        for name, items in sorted(grouped.items())
    }


def risk_section(
    result: dict[str, Any], config: dict[str, Any], audit: AuditReport, export: Path | None
) -> dict[str, Any]:
    """JSON-ready risk section of one strategy's backtest result and its audit."""
    rules = {}
    for rule, label in RULE_LABELS.items():
        entry: dict[str, Any] = {"label": label}
        for view in audit.views:
            checked = view.rules.get(rule)
            if checked is not None:
                entry[view.name] = {
                    "limit": checked.limit,
                    "worst": checked.worst,
                    "detail": checked.detail,
                    # None: the rule is reported, not checked, in this view (audit_rules.CHECKED)
                    "breaches": len(checked.breaches) if rule in CHECKED[view.name] else None,
                }
        rules[rule] = entry
    return {
        "export": export.name if export else None,
        "starting_balance": audit.starting_balance,
        "trades": audit.trade_count,
        "protections_enabled": bool(config.get("enable_protections", False)),
        "rules": rules,
        "breaches": {
            "filled": [_breach_text(b) for b in audit.breaches],
            "repriced": [_breach_text(b) for b in audit.repriced_breaches],
            "stressed": [_breach_text(b) for b in audit.stressed_breaches],
        },
        "stop_fills": audit.stop_fills.text() if audit.stop_fills is not None else None,
        "locks": lock_summary(result.get("locks", [])),
        "notes": audit.notes,
    }


def _pair(rule: str, view: dict[str, Any]) -> str:
    """``worst / limit`` (counts for the loss streak, amounts otherwise)."""
    digits = 0 if rule == "consecutive_losses" else 2
    return f"{view['worst']:.{digits}f} / {view['limit']:.{digits}f}"


def _count(breaches: int | None) -> str:
    return "not checked" if breaches is None else str(breaches)


def _breach_text(breach: Any) -> str:
    return (
        f"{breach.rule} {breach.time:%Y-%m-%d %H:%M} {breach.amount:.2f} vs limit "
        f"{breach.limit:.2f}: {breach.detail}"
    )


def print_risk_section(strategy: str, section: dict[str, Any], currency: str) -> None:
    """The section as two rich tables (rules, locks) and the breaches, after Freqtrade's."""
    rows = []
    for rule, entry in section["rules"].items():
        filled, repriced = entry["filled"], entry.get("repriced")
        stressed = entry.get("stressed")
        rows.append([
            entry["label"],
            rule,
            _pair(rule, filled),
            _pair(rule, repriced) if repriced else "-",
            _pair(rule, stressed) if stressed else "-",
            " / ".join(
                [str(filled["breaches"])]
                + [_count(v["breaches"]) if v else "-" for v in (repriced, stressed)]
            ),
            filled["detail"],
        ])
    print(f"Risk for strategy {strategy} (ftpack risk layer; amounts in {currency})")
    print_rich_table(
        rows,
        ["check", "rule", "worst / limit as filled", "worst / limit, stops re-priced",
         "worst / limit under crash stress", "breaches filled / re-priced / stressed",
         "worst case as filled"],
        summary="RISK RULES",
        justify="left",
    )
    lock_rows = [[name, str(v["count"]), ", ".join(v["days"])]
                 for name, v in section["locks"].items()]
    if lock_rows:
        print_rich_table(
            lock_rows, ["protection", "locks", "UTC days a lock fired"],
            summary="RISK LOCKS", justify="left",
        )
    else:
        print("RISK LOCKS: none")
    if not section["protections_enabled"]:
        print("Protections were OFF in this run (enable_protections / --enable-protections):"
              " the day, week, loss-streak and reserve rules could not lock entries.")
    for view, texts in section["breaches"].items():
        for text in texts:
            print(f"BREACH ({view}) {text}")
    for rule in ("trade_cap", "daily_loss"):
        stressed = section["rules"][rule].get("stressed")
        if stressed:
            print(f"crash stress, {rule}: {stressed['detail']}")
        record = section["rules"][rule].get("record")
        if record:
            print(
                f"crash stress at all the data's gaps (later crashes included, not checked), "
                f"{rule}: {_pair(rule, record)}, {record['detail']}"
            )
    if section.get("stop_fills"):
        print(f"stops: {section['stop_fills']}")
    for note in section["notes"]:
        print(f"note: {note}")


def export_file(config: dict[str, Any], results: dict[str, Any], strategy: str) -> Path | None:
    """The result zip this run's ``strategy`` was stored in; None without an export."""
    if config.get("export", "none") not in ("trades", "signals"):
        return None
    target = Path(config["exportdirectory"])
    directory = target if target.is_dir() else target.parent
    reused = results.get("metadata", {}).get(strategy, {}).get("filename")
    if reused:
        return directory / f"{reused}.zip"
    return directory / get_latest_backtest_filename(directory)


def report_backtest(config: dict[str, Any], results: dict[str, Any]) -> dict[str, Path]:
    """Print the risk section of every pack strategy in ``results`` and write each export's
    ``.risk.json``; returns {strategy: json path} of the files written."""
    pack = _pack_strategy_names()
    sections: dict[Path | None, dict[str, Any]] = defaultdict(dict)
    for strategy, result in results.get("strategy", {}).items():
        if strategy not in pack:
            continue
        export = export_file(config, results, strategy)
        audit = audit_backtest(result, config)
        section = risk_section(result, config, audit, export)
        print_risk_section(strategy, section, config.get("stake_currency", ""))
        sections[export][strategy] = section
    written = {}
    for export, by_strategy in sections.items():
        if export is None:
            continue
        path = export.with_suffix(".risk.json")
        path.write_text(json.dumps({"strategy": by_strategy}, indent=2, default=str))
        print(f"Risk report written to {path}")
        written.update(dict.fromkeys(by_strategy, path))
    return written


def install() -> None:
    """Print the risk section after Freqtrade's backtest tables (once per process)."""
    from freqtrade.optimize import backtesting

    shown = backtesting.show_backtest_results
    if getattr(shown, _MARKER, False):
        return

    def show_backtest_results(config: dict[str, Any], backtest_stats: dict[str, Any]) -> None:
        shown(config, backtest_stats)
        try:
            report_backtest(config, backtest_stats)
        except Exception:
            logger.exception("risk: the backtest risk section failed; run ftpack-risk-audit.")

    setattr(show_backtest_results, _MARKER, True)
    backtesting.show_backtest_results = show_backtest_results
