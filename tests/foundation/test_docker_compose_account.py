"""Static checks of docker-compose.account.yml: three tier bots on one account (no Docker engine
runs here). Each bot's environment goes through Freqtrade's own environment-variable parsing
into a config whose ``risk.account`` section the pack parses."""

from __future__ import annotations

import re
import shlex
from pathlib import PurePosixPath

import pytest
import yaml
from freqtrade.configuration.environment_vars import environment_vars_to_dict

from packtest import REPO
from risk_protections.account import parse_account

TIERS = {"tier1": "StablecoinSpread", "tier2": "SmallCapMomentum", "tier3": "PerpScalper"}


def services() -> dict:
    return yaml.safe_load((REPO / "docker-compose.account.yml").read_text())["services"]


def resolved(value: str) -> str:
    """``${VAR:-default}`` as compose resolves it with VAR unset; required secrets as 'x'*40."""
    value = re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", value)
    return re.sub(r"\$\{[A-Z_]+:\?[^}]*\}", "x" * 40, value)


def mounts(service: dict) -> dict[str, tuple[str, bool]]:
    """Container path -> (volume, read-only) for the named volumes."""
    found = {}
    for spec in service["volumes"]:
        source, target, *mode = spec.split(":")
        if not source.startswith("."):
            found[target] = (source, mode == ["ro"])
    return found


def test_one_bot_per_tier_api_on_its_own_localhost_port_secrets_from_the_environment() -> None:
    bots = services()
    assert set(bots) == set(TIERS)
    ports = [bot["ports"] for bot in bots.values()]
    assert sorted(ports) == [[f"127.0.0.1:808{i}:8080"] for i in (1, 2, 3)]
    for name, bot in bots.items():
        for key, value in bot["environment"].items():
            if any(word in key for word in ("PASSWORD", "SECRET", "KEY")):
                assert value.startswith("${"), f"{name}: {key} must come from the environment"
        args = shlex.split(bot["command"])
        assert args[0] == "trade" and args[args.index("--strategy") + 1] == TIERS[name]
        for config in (args[i + 1] for i, a in enumerate(args) if a == "--config"):
            assert (REPO / config.removeprefix("/freqtrade/")).is_file(), config


@pytest.mark.parametrize("name", sorted(TIERS))
def test_each_bot_writes_its_own_database_and_reads_its_peers_read_only(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot = services()[name]
    for key, value in bot["environment"].items():
        monkeypatch.setenv(key, resolved(str(value)))
    config = environment_vars_to_dict()
    settings = parse_account(config)
    assert settings is not None and settings.name == name == config["bot_name"]
    assert settings.starting_balance == 1000
    assert {p.name for p in settings.peers} == set(TIERS) - {name}
    volumes = mounts(bot)
    own = PurePosixPath(config["db_url"].removeprefix("sqlite:///"))
    assert volumes[str(own.parent)] == (f"{name}-db", False)
    for peer in settings.peers:
        assert peer.path is not None and peer.source.endswith("?mode=ro")
        assert volumes[str(PurePosixPath(peer.path).parent)] == (f"{peer.name}-db", True)
    assert len(volumes) == len(TIERS)
