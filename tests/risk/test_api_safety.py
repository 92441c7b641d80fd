"""The REST API never runs on a forgeable key, an empty password or a public address by accident.

Unit tests of the rules, and two real dry-run bots (offline markets, 127.0.0.1, a free port):
the README's dry-run command with only the password set refuses to start (exit status 2, the key
named, the API server never started), and a bot with proper secrets (and ``allow_public``, which
Freqtrade's config schema accepts) answers a token forged with Freqtrade's public default key
with 401.
"""

from __future__ import annotations

import os
import secrets
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
import pytest
import requests
from freqtrade.enums import RunMode
from risk_helpers import (
    CONFIG_DIR,
    REPO,
    api_bot_command,
    api_bot_layer,
    free_port,
    running_api_bot,
    write_layer,
)

from risk_protections.api_safety import (
    SCHEMA_DEFAULT_KEY,
    api_server_problems,
    refuse_unsafe_api_server,
)
from risk_protections.errors import PackConfigError

#: A documented example secret, from the environment (its digest is in api_safety); Freqtrade's
#: schema default key when unset (public as well).
DOCUMENTED_EXAMPLE = os.environ.get("FTPACK_TEST_PUBLIC_SECRET") or SCHEMA_DEFAULT_KEY
SAFE = {
    "enabled": True,
    "listen_ip_address": "127.0.0.1",
    "username": "owner",
    "password": "p" * 16,
    "jwt_secret_key": "k" * 43,
}


def problems(**changes: object) -> list[str]:
    api = {**SAFE, **changes}
    return api_server_problems({k: v for k, v in api.items() if v is not ...})


def test_safe_settings_pass() -> None:
    assert problems() == []
    assert problems(listen_ip_address="0.0.0.0", allow_public=True) == []
    assert problems(listen_ip_address="::1") == []


@pytest.mark.parametrize(
    ("changes", "key", "text"),
    [
        ({"jwt_secret_key": ...}, "api_server.jwt_secret_key", "is missing"),
        ({"jwt_secret_key": ""}, "api_server.jwt_secret_key", "is missing"),
        ({"jwt_secret_key": SCHEMA_DEFAULT_KEY}, "api_server.jwt_secret_key", "publicly"),
        ({"jwt_secret_key": DOCUMENTED_EXAMPLE}, "api_server.jwt_secret_key", "publicly"),
        ({"jwt_secret_key": "k" * 31}, "api_server.jwt_secret_key", "31 characters"),
        ({"jwt_secret_key": 10**40}, "api_server.jwt_secret_key", "must be a string"),
        ({"password": ...}, "api_server.password", "is missing"),
        ({"password": ""}, "api_server.password", "is missing"),
        ({"password": "p" * 7}, "api_server.password", "7 characters"),
        ({"password": DOCUMENTED_EXAMPLE}, "api_server.password", "publicly"),
        ({"ws_token": [DOCUMENTED_EXAMPLE]}, "api_server.ws_token", "publicly"),
        ({"listen_ip_address": "0.0.0.0"}, "api_server.listen_ip_address", "allow_public"),
        (
            {"listen_ip_address": "192.168.1.5", "allow_public": "true"},
            "api_server.listen_ip_address",
            "allow_public",
        ),
    ],
)
def test_each_unsafe_setting_names_its_key(changes: dict, key: str, text: str) -> None:
    found = problems(**changes)
    assert len(found) == 1, found
    assert found[0].startswith(f"{key}: ") and text in found[0]
    assert "p" * 16 not in found[0] and "k" * 43 not in found[0]  # secrets are never echoed


def test_refusal_applies_to_dry_run_and_live_only() -> None:
    unsafe = {"api_server": {**SAFE, "jwt_secret_key": SCHEMA_DEFAULT_KEY}}
    for mode in (RunMode.DRY_RUN, RunMode.LIVE):
        with pytest.raises(PackConfigError, match=r"^api_server\.jwt_secret_key: "):
            refuse_unsafe_api_server({**unsafe, "runmode": mode})
    refuse_unsafe_api_server({**unsafe, "runmode": RunMode.BACKTEST})
    refuse_unsafe_api_server(
        {"api_server": {**unsafe["api_server"], "enabled": False}, "runmode": RunMode.LIVE}
    )


@pytest.mark.slow
def test_readme_dry_run_with_only_a_password_refuses_to_start(tmp_path: Path) -> None:
    """The README's command with FREQTRADE__API_SERVER__PASSWORD set and no JWT key (Freqtrade
    would fill in its public default key) exits 2 before any server listens."""
    port = free_port()
    log = tmp_path / "bot.log"
    layer = write_layer(
        tmp_path,
        "local.json",
        {
            "db_url": f"sqlite:///{tmp_path / 'trades.sqlite'}",
            "exchange": {"pair_whitelist": ["BTC/USDT"]},
        },
    )
    env = {
        **os.environ,
        "FREQTRADE__API_SERVER__PASSWORD": secrets.token_urlsafe(16),
        "FREQTRADE__API_SERVER__LISTEN_PORT": str(port),
    }
    env.pop("FREQTRADE__API_SERVER__JWT_SECRET_KEY", None)
    command = api_bot_command([CONFIG_DIR / "dry-run.json", layer], log, "RiskProbe")
    done = subprocess.run(
        command, cwd=REPO, env=env, capture_output=True, text=True, timeout=180, check=False
    )
    text = log.read_text() if log.exists() else done.stderr
    assert done.returncode == 2, text[-3000:]
    # stderr is rich's console output, wrapped at the terminal width
    assert "api_server.jwt_secret_key: is missing" in " ".join(text.split())
    assert "Starting HTTP Server" not in text and "Starting Local Rest Server" not in text


@pytest.mark.slow
def test_token_forged_with_the_default_key_gets_401(tmp_path: Path) -> None:
    user, password = "owner", secrets.token_urlsafe(16)
    port = free_port()
    log = tmp_path / "bot.log"
    api = {"username": user, "password": password, "jwt_secret_key": secrets.token_urlsafe(32)}
    api["allow_public"] = True  # harmless on 127.0.0.1; shows Freqtrade's schema accepts the key
    layer = api_bot_layer(tmp_path, port, api)
    with running_api_bot(api_bot_command([layer], log), port, user, password, log) as client:
        now = datetime.now(UTC)
        claims = {"identity": {"u": user}, "type": "access", "iat": now}
        forged = jwt.encode(
            {**claims, "exp": now + timedelta(minutes=15)}, SCHEMA_DEFAULT_KEY, "HS256"
        )
        headers = {"Authorization": f"Bearer {forged}"}
        base = f"http://127.0.0.1:{port}/api/v1"
        shown = requests.get(f"{base}/show_config", headers=headers, timeout=10)
        entered = requests.post(
            f"{base}/forceenter", json={"pair": "BTC/USDT"}, headers=headers, timeout=10
        )
        assert (shown.status_code, entered.status_code) == (401, 401)
        assert client.show_config()["state"] == "running"  # the owner, logged in, gets 200
        assert client.status() == []  # the forged /forceenter opened nothing
