"""The online small-cap pairlist layer builds a valid Freqtrade pairlist chain (no network)."""

from __future__ import annotations

import json

import pytest
from freqtrade.configuration import Configuration
from freqtrade.enums import RunMode
from freqtrade.plugins.pairlistmanager import PairListManager
from freqtrade.resolvers import ExchangeResolver

from ftpack.offline import install
from packtest import CONFIG_DIR

LAYER = CONFIG_DIR / "pairlists-smallcap.json"
CHAIN = ["VolumePairList", "AgeFilter", "PriceFilter", "SpreadFilter", "VolatilityFilter",
         "RangeStabilityFilter"]  # fmt: skip


def documented_marketcap_entry() -> dict:
    """The MarketCapPairList entry given in the layer's comment."""
    line = next(ln for ln in LAYER.read_text().splitlines() if '"MarketCapPairList"' in ln)
    return json.loads(line.lstrip("/ ").rstrip(","))


def pairlist_manager(extra: dict | None = None) -> PairListManager:
    config = Configuration.from_files([str(CONFIG_DIR / "spot.json"), str(LAYER)])
    config["runmode"] = RunMode.DRY_RUN
    if extra:
        config["pairlists"].insert(1, extra)
    install()
    exchange = ExchangeResolver.load_exchange(config, validate=True, load_leverage_tiers=False)
    return PairListManager(exchange, config)


def test_layer_builds_the_documented_filter_chain(in_repo) -> None:
    manager = pairlist_manager()
    assert [h.name for h in manager._pairlist_handlers] == CHAIN


def test_documented_marketcap_blacklist_entry_is_valid(in_repo) -> None:
    entry = documented_marketcap_entry()
    assert entry["mode"] == "blacklist"
    manager = pairlist_manager(entry)
    assert [h.name for h in manager._pairlist_handlers] == [
        CHAIN[0],
        "MarketCapPairList",
        *CHAIN[1:],
    ]
    with pytest.raises(Exception, match="number_assets"):
        pairlist_manager({**entry, "mode": "whitelist"})  # whitelist mode would need a size
