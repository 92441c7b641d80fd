"""Run any freqtrade subcommand with Binance markets read from a snapshot instead of the network.

Freqtrade's only network step in backtesting, hyperopt, lookahead-/recursive-analysis,
plot-dataframe and list-* is ``Exchange._load_async_markets`` (ccxt ``load_markets``). This
module replaces that one method with a loader that feeds the bundled real Binance markets
snapshot to ccxt's own ``set_markets``; everything after it (precision, limits, fees, leverage
tiers from Freqtrade's bundled file) runs unchanged.

It is opt-in and explicit: only ``freqtrade-offline …`` (or ``python -m ftpack.offline …``)
installs the replacement, in that process; plain ``freqtrade`` stays stock. Hyperopt workers
receive the exchange with its markets already loaded and never reload them.

``FTPACK_MARKETS_SNAPSHOT`` may point at another snapshot (plain or gzip JSON, keyed by ccxt
symbol, as written by ``ccxt.binance().load_markets()``).
"""

from __future__ import annotations

import gzip
import json
import os
import sys
from functools import cache
from pathlib import Path
from typing import Any

from freqtrade.exceptions import OperationalException
from freqtrade.exchange import Exchange

SNAPSHOT_ENV = "FTPACK_MARKETS_SNAPSHOT"
BUNDLED_SNAPSHOT = Path(__file__).parent / "markets" / "binance_spot_and_futures_markets.json.gz"
SNAPSHOT_EXCHANGE = "binance"
_REGEX_CHARS = frozenset(".*+?[](){}|^$\\")


def snapshot_path() -> Path:
    """The snapshot in use: ``$FTPACK_MARKETS_SNAPSHOT`` if set, else the bundled one."""
    return Path(os.environ.get(SNAPSHOT_ENV) or BUNDLED_SNAPSHOT)


@cache
def load_snapshot(path: Path) -> dict[str, dict[str, Any]]:
    """Read a markets snapshot (JSON object keyed by ccxt unified symbol, optionally gzip)."""
    if not path.is_file():
        raise OperationalException(f"Markets snapshot not found: {path} (see ${SNAPSHOT_ENV}).")
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        markets = json.load(fh)
    if not isinstance(markets, dict) or not markets:
        raise OperationalException(f"Markets snapshot {path} holds no markets.")
    return markets


def missing_pairs(pairs: list[str], markets: dict[str, Any]) -> list[str]:
    """Configured literal pairs (regex patterns are skipped) that the snapshot does not hold."""
    return [p for p in pairs if not (_REGEX_CHARS & set(p)) and p not in markets]


def _load_markets_from_snapshot(self: Exchange, reload: bool = False) -> None:
    """Replacement for ``Exchange._load_async_markets``: markets come from the snapshot."""
    if self.name.lower() != SNAPSHOT_EXCHANGE:
        raise OperationalException(
            f"freqtrade-offline only has a {SNAPSHOT_EXCHANGE} markets snapshot; "
            f"exchange.name is '{self.name}'."
        )
    path = snapshot_path()
    markets = load_snapshot(path)
    pairs = list(self._config.get("exchange", {}).get("pair_whitelist") or [])
    absent = missing_pairs(pairs, markets)
    if absent:
        raise OperationalException(
            f"Pair(s) {', '.join(absent)} from exchange.pair_whitelist are not in the offline "
            f"markets snapshot {path}. Remove them, or run plain `freqtrade` with network access."
        )
    self._api_async.set_markets(markets)


def install() -> None:
    """Make every Exchange created in this process load markets from the snapshot."""
    Exchange._load_async_markets = _load_markets_from_snapshot


def main(argv: list[str] | None = None) -> None:
    """``freqtrade-offline <subcommand> [args…]``: stock freqtrade CLI with snapshot markets."""
    from freqtrade.main import main as freqtrade_main

    install()
    freqtrade_main(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    main()
