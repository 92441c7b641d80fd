"""Every config layer loads with Freqtrade's loader and passes its schema."""

from __future__ import annotations

import pytest
from freqtrade.configuration.config_validation import validate_config_schema
from freqtrade.configuration.load_config import load_from_files

from packtest import CONFIG_DIR

COMBINATIONS = [
    ["spot.json", "backtest-offline.json"],
    ["futures.json", "backtest-offline.json"],
    ["spot.json", "dry-run.json", "private.example.json"],
    ["spot.json", "dry-run.json", "testnet.json", "private.example.json"],
]


@pytest.mark.parametrize("layers", COMBINATIONS, ids="+".join)
def test_layers_validate(layers: list[str]) -> None:
    config = load_from_files([str(CONFIG_DIR / name) for name in layers])
    if "api_server" in config:  # its secrets come from the environment at run time
        config["api_server"] |= {"password": "x", "jwt_secret_key": "y" * 32}
    validate_config_schema(config, preliminary=False)
    assert config["exchange"]["name"] == "binance"
    assert config["stake_currency"] == "USDT"


def test_futures_layer_prices_from_the_order_book() -> None:
    config = load_from_files([str(CONFIG_DIR / "futures.json")])
    assert config["trading_mode"] == "futures"
    assert config["margin_mode"] == "isolated"
    assert config["entry_pricing"]["use_order_book"] is True
    assert config["exit_pricing"]["use_order_book"] is True


def test_no_secret_is_committed_in_any_config() -> None:
    for path in CONFIG_DIR.glob("*.json"):
        config = load_from_files([str(path)])
        exchange = config.get("exchange", {})
        assert not exchange.get("key") and not exchange.get("secret"), path
        assert not config.get("telegram", {}).get("token"), path
        assert not config.get("api_server", {}).get("password"), path
