"""The pack's tiers as ``ftpack-replay run`` starts them: the README's dry-run commands.

Each tier runs as documented in the README ("Using it online"): ``freqtrade trade`` with the
tier's config layers, ``dry-run.json`` and ``-s <Strategy>``. Before a run, the pairs the
configuration names must have recorded candles at the start time.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from freqtrade.configuration.load_config import load_from_files
from freqtrade.enums import CandleType
from freqtrade.util.datetime_helpers import dt_from_ts

from ftpack.replay.market_data import MarketData


class ReplayInputError(ValueError):
    """A replay request the data or the configuration cannot serve (message names the input)."""


@dataclass(frozen=True)
class Tier:
    """A tier's strategy and its config layers (``user_data/config/…``), in ``-c`` order."""

    strategy: str
    layers: tuple[str, ...]

    def config_paths(self, root: Path) -> list[Path]:
        return [root / "user_data" / "config" / layer for layer in self.layers]

    def command(self) -> list[str]:
        """``freqtrade trade -c … -s <Strategy>`` (the venv's freqtrade), paths as in the README."""
        freqtrade = Path(sys.executable).with_name("freqtrade")
        args = [str(freqtrade) if freqtrade.exists() else "freqtrade", "trade"]
        for layer in self.layers:
            args += ["-c", f"user_data/config/{layer}"]
        return [*args, "-s", self.strategy]


TIERS = {
    "tier1": Tier("StablecoinSpread", ("stablecoin.json", "dry-run.json")),
    "tier2": Tier("SmallCapMomentum", ("spot.json", "pairlists-smallcap.json", "dry-run.json")),
    "tier3": Tier("PerpScalper", ("futures.json", "perps.json", "dry-run.json")),
}


def check_coverage(tier: Tier, data: MarketData, start: datetime, root: Path) -> None:
    """Fail with the pair and its recorded range when a configured pair has no data at ``start``."""
    config = load_from_files([str(p) for p in tier.config_paths(root)])
    futures = config.get("trading_mode") == "futures"
    ctype = CandleType.FUTURES if futures else CandleType.SPOT
    start_ms = int(start.timestamp() * 1000)
    pairs = list(config.get("exchange", {}).get("pair_whitelist") or [])
    static = all(p.get("method") == "StaticPairList" for p in config.get("pairlists", []))
    data_dirs = ", ".join(str(d) for d in data.datadirs)
    if not static:
        if not any(_covers(data, p, ctype, start_ms) for p in data.pairs(ctype)):
            raise ReplayInputError(
                f"no recorded {ctype.value} candles at {start:%Y-%m-%d %H:%M} UTC in {data_dirs}"
            )
        return
    for pair in pairs:
        if not _covers(data, pair, ctype, start_ms):
            span = data.coverage(pair, ctype)
            held = (
                "none"
                if span is None
                else f"{dt_from_ts(span[0]):%Y-%m-%d %H:%M} → {dt_from_ts(span[1]):%Y-%m-%d %H:%M}"
            )
            raise ReplayInputError(
                f"{pair}: no recorded candles at {start:%Y-%m-%d %H:%M} UTC in {data_dirs} "
                f"(recorded: {held}); choose another day or add a --datadir holding it"
            )


def _covers(data: MarketData, pair: str, ctype: CandleType, t_ms: int) -> bool:
    return any(series.covers(t_ms) for series in data.series(pair, ctype))
