"""The ``"stablecoin"`` section of the Freqtrade config: per-pair fees, crosses, guard, scanner.

```json
"stablecoin": {
    "basket": ["USDC/USDT", "FDUSD/USDT", "TUSD/USDT"],
    "fees": {"USDC/USDT": [{"maker": 0.001, "taker": 0.001, "until": "2023-06-30"},
                           {"maker": 0.0, "taker": 0.0, "since": "2023-06-30",
                            "source": "Binance announcement 1705"}],
             "EURI/USDT": 0.001},
    "direct_crosses": ["USDC/TUSD"],
    "depeg": {"peg_limit_bps": 50, "basket_limit_bps": 50, "widen_candles": 3,
              "widen_min_bps": 10, "cooldown_candles": 288},
    "scanner": {"cycles": [["BTC/USDT", "ETH/BTC", "ETH/USDT"]], "start_asset": "USDT",
                "size": 100, "alert_bps": 5, "depth": 20, "interval_seconds": 60,
                "fees": {"BTC/USDT": 0.001, "ETH/BTC": 0.001, "ETH/USDT": 0.001}}
}
```

``basket`` is the fixed set of coins every fair value is measured against (loaded as
informative pairs, so it does not change with the whitelist). ``fees`` are the fees per side
of the traded pairs, a number or a dated schedule (:func:`risk_protections.fees.
parse_fee_schedule`: promotions with the dates they applied); the entry threshold reads the
maker fee in force at the signal candle. ``scanner.fees`` are the taker fees of the cycle legs
(a depth walk takes liquidity). Both are explicit inputs: a pair without a fee is a config
error, never a silent zero. Freqtrade's own ``fee`` (``--fee``) is what backtesting
charges on every pair, so when it is set it wins over the per-pair table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from freqtrade.exceptions import OperationalException

from ftpack.tiers.stablecoin.depeg import DepegLimits
from ftpack.tiers.stablecoin.fair_value import BPS
from risk_protections.errors import PackConfigError
from risk_protections.fees import FeeSchedule, charged_fee, parse_fee_schedule

SECTION = "stablecoin"


@dataclass(frozen=True)
class ScannerSettings:
    """Triangular cycles to watch in ``bot_loop_start`` (empty: the hook does nothing)."""

    cycles: tuple[tuple[str, ...], ...] = ()
    start_asset: str = "USDT"
    size: float = 100.0
    alert_bps: float = 5.0
    depth: int = 20
    interval_seconds: float = 60.0
    fees: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for cycle in self.cycles:
            if len(cycle) != 3:
                raise ValueError(f"a cycle has three pairs, got {list(cycle)}")
            missing = [pair for pair in cycle if pair not in self.fees]
            if missing:
                raise ValueError(f"no taker fee in scanner.fees for {missing}")


@dataclass(frozen=True)
class StablecoinSettings:
    """Parsed ``"stablecoin"`` config section."""

    basket: tuple[str, ...] = ()
    fees: dict[str, FeeSchedule] = field(default_factory=dict)
    direct_crosses: tuple[str, ...] = ()
    depeg: DepegLimits = field(default_factory=DepegLimits)
    scanner: ScannerSettings = field(default_factory=ScannerSettings)


def load_settings(config: dict[str, Any]) -> StablecoinSettings:
    """Read and type-check ``config["stablecoin"]``; unknown keys are an error."""
    section = dict(config.get(SECTION) or {})
    try:
        scanner = dict(section.pop("scanner", {}))
        return StablecoinSettings(
            basket=tuple(section.pop("basket", ())),
            fees={pair: parse_fee_schedule(fee, f"{SECTION}.fees.{pair}")
                  for pair, fee in section.pop("fees", {}).items()},
            direct_crosses=tuple(section.pop("direct_crosses", ())),
            depeg=DepegLimits(**section.pop("depeg", {})),
            scanner=ScannerSettings(
                cycles=tuple(tuple(c) for c in scanner.pop("cycles", ())),
                fees={pair: float(fee) for pair, fee in scanner.pop("fees", {}).items()},
                **scanner,
            ),
            **section,
        )
    except PackConfigError:
        raise
    except (TypeError, ValueError) as exc:
        raise OperationalException(f"Invalid '{SECTION}' config section: {exc}") from exc


def pair_fee(config: dict[str, Any], settings: StablecoinSettings, pair: str,
             when: datetime | None = None) -> float:
    """Maker fee per side for ``pair`` at ``when`` (default: now;
    :func:`risk_protections.fees.charged_fee`): Freqtrade's ``fee`` if set, else the per-pair
    table's period in force; a pair in neither, or a time no period covers, is a config error.
    """
    return charged_fee(config, pair, table=settings.fees, table_key=f"{SECTION}.fees",
                       liquidity="maker", when=when)


def round_trip_bps(fee: float) -> float:
    """Cost of a buy and a sell at ``fee`` per side, in basis points: ``2 · fee · 10⁴``."""
    return 2.0 * fee * BPS
