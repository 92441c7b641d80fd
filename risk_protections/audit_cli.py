"""``ftpack-risk-audit``: audit a backtest export or a trades database against the risk rules.

Exit status: 0 without breaches (as filled, and under crash stress), 2 with breaches, 1 on bad
input.
"""

from __future__ import annotations

import argparse
import sys

from freqtrade.configuration.load_config import load_from_files

from risk_protections.audit import audit_backtest, audit_trades_db
from risk_protections.errors import PackConfigError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ftpack-risk-audit", description=__doc__)
    parser.add_argument(
        "source", help="backtest export (zip/json/directory) or a database URL (sqlite:///…)"
    )
    parser.add_argument(
        "-c", "--config", action="append", default=[], help="config file(s) with the risk section"
    )
    parser.add_argument("--strategy", help="strategy name in a multi-strategy export")
    parser.add_argument("--datadir", help="OHLCV data directory for the re-priced view")
    parser.add_argument("--timeframe", help="candle timeframe of a trades database")
    parser.add_argument("--starting-balance", type=float, help="account size of a database")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Print the audit report; see the module docstring for the exit status."""
    args = _parser().parse_args(argv)
    config = load_from_files(args.config) if args.config else {}
    if args.datadir:
        config["datadir"] = args.datadir
    if args.timeframe:
        config["timeframe"] = args.timeframe
    try:
        if "://" in args.source:
            report = audit_trades_db(args.source, config, starting_balance=args.starting_balance)
        else:
            report = audit_backtest(args.source, config, strategy=args.strategy)
    except (ValueError, KeyError, OSError, PackConfigError) as err:
        print(f"ftpack-risk-audit: {err}", file=sys.stderr)
        return 1
    print(report.to_text())
    return 2 if report.breaches or report.stressed_breaches else 0


if __name__ == "__main__":
    sys.exit(main())
