"""The README's dry-run configuration, checked with the README's own `freqtrade show-config`."""

from __future__ import annotations

import json
import secrets

import pytest
from doors_helpers import SECRETS, readme_commands, run

from risk_protections.notify import channel_gaps

SHOW_CONFIG = readme_commands("freqtrade show-config")
TRADE = readme_commands(
    "freqtrade trade -c user_data/config/spot.json -c user_data/config/pairlists")


def test_readme_checks_the_layers_of_its_dry_run_command() -> None:
    assert len(SHOW_CONFIG) == 1 and TRADE
    layers = [arg for arg in SHOW_CONFIG[0] if arg.endswith(".json")]
    assert layers == [arg for arg in TRADE[0] if arg.endswith(".json")]


@pytest.mark.slow
def test_show_config_of_the_dry_run_layers_with_every_channel_on() -> None:
    channels = {
        "FREQTRADE__TELEGRAM__ENABLED": "true",
        "FREQTRADE__TELEGRAM__TOKEN": f"42:{secrets.token_urlsafe(24)}",
        "FREQTRADE__TELEGRAM__CHAT_ID": "42",
        "FREQTRADE__WEBHOOK__ENABLED": "true", "FREQTRADE__WEBHOOK__URL": "http://127.0.0.1:9/h",
        "FREQTRADE__DISCORD__ENABLED": "true",
        "FREQTRADE__DISCORD__WEBHOOK_URL": "http://127.0.0.1:9/d",
    }
    done = run(SHOW_CONFIG[0], env=SECRETS | channels)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Your combined configuration is:" in done.stdout
    config = json.loads(done.stdout.split("Your combined configuration is:", 1)[1])
    assert config["dry_run"] is True
    api = config["api_server"]
    assert api["enabled"] and api["listen_ip_address"] == "127.0.0.1"
    assert api["password"] == "REDACTED" and config["telegram"]["token"] == "REDACTED"
    assert SECRETS["FREQTRADE__API_SERVER__PASSWORD"] not in done.stdout
    assert all(config[name]["enabled"] for name in ("telegram", "webhook", "discord"))
    assert channel_gaps(config) == []  # the risk summaries and locks reach all three
    assert config["risk"]["daily_loss_limit"] == 0.02 and config["risk"]["reserve"] == 0.2
