"""Refuse to run a dry-run or live bot whose REST API anyone could log into.

Freqtrade's REST API can open and close trades. Its login is a JWT signed with
``api_server.jwt_secret_key``; when the key is missing, Freqtrade's config schema fills in a
public default, so anyone can forge a token. Checked before the API server starts (at strategy
load), in dry-run and live only, when ``api_server.enabled`` is true:

* ``jwt_secret_key``: a string of at least 32 characters, not Freqtrade's schema default nor a
  value from its documentation;
* ``password``: a string of at least 12 characters, not a documented example;
* ``ws_token``: not a documented example;
* ``listen_ip_address``: a loopback address, unless ``api_server.allow_public`` is ``true``
  (set it on purpose, e.g. inside a container whose port is published on 127.0.0.1 only).

Generate a secret with ``python -c "import secrets; print(secrets.token_urlsafe(32))"``.
Secret values are never logged, only their problem.
"""

from __future__ import annotations

from hashlib import sha256
from ipaddress import ip_address
from typing import Any

from freqtrade.config_schema.config_schema import CONF_SCHEMA
from freqtrade.enums import RunMode

from risk_protections.errors import PackConfigError

MIN_JWT_SECRET = 32
MIN_PASSWORD = 12
GENERATE = 'python -c "import secrets; print(secrets.token_urlsafe(32))"'
#: SHA-256 of the example values in Freqtrade's REST API documentation and webserver warning
#: (JWT keys, passwords, a ws_token): kept as digests so no secret-looking literal is tracked.
PUBLIC_DIGESTS = frozenset(
    {
        "cf798fc6bfdcf9ae51651cfc910641369a853da6a56537f95bb4b0c3dceff258",
        "f6e2e388c96348fe46bd071d01e264dcb8e939456e8f4ab860351334875ad50b",
        "aec8084845b41a6952d46cbaa1c9b798659487ffd133796d95d05ba45d9096c2",
        "e449d49b7f5275901d3deedf71be885bf6ace63fa22ab8d5b6a356393c42b3ab",
        "f7fccc565793d832c10acd1289d9f485bc242912aa457cef17edfbf5301d1502",
        "679b839134a595abd69f7a0b55ed44cbd321f262c5e6e47005c7898e44bd6c96",
    }
)
#: The key Freqtrade's config schema fills in when none is set.
SCHEMA_DEFAULT_KEY = CONF_SCHEMA["properties"]["api_server"]["properties"]["jwt_secret_key"][
    "default"
]


def is_public(value: str) -> bool:
    """True for Freqtrade's schema default key and its documented example secrets."""
    return value == SCHEMA_DEFAULT_KEY or sha256(value.encode()).hexdigest() in PUBLIC_DIGESTS


def _secret_problem(value: Any, minimum: int) -> str | None:
    if value is None or value == "":
        return "is missing"
    if not isinstance(value, str):
        return f"must be a string, got a {type(value).__name__}"
    if is_public(value):
        return "is a publicly documented example or default value"
    if len(value) < minimum:
        return f"has {len(value)} characters, fewer than {minimum}"
    return None


def _is_loopback(address: Any) -> bool:
    if address == "localhost":
        return True
    try:
        return ip_address(str(address)).is_loopback
    except ValueError:
        return False


def api_server_problems(api: dict[str, Any]) -> list[str]:
    """``api_server.<key>: <problem>`` for every unsafe setting of an enabled API server."""
    problems = []
    jwt = _secret_problem(api.get("jwt_secret_key"), MIN_JWT_SECRET)
    if jwt:
        problems.append(
            f"api_server.jwt_secret_key: {jwt}; anyone could forge a login token "
            f"(Freqtrade falls back to a public key). Generate one with {GENERATE} and set "
            "FREQTRADE__API_SERVER__JWT_SECRET_KEY."
        )
    password = _secret_problem(api.get("password"), MIN_PASSWORD)
    if password:
        problems.append(
            f"api_server.password: {password}. Generate one with {GENERATE} and set "
            "FREQTRADE__API_SERVER__PASSWORD."
        )
    ws_token = api.get("ws_token")
    tokens = ws_token if isinstance(ws_token, list) else [ws_token]
    if any(is_public(t) for t in tokens if isinstance(t, str)):
        problems.append("api_server.ws_token: is a publicly documented example value.")
    address = api.get("listen_ip_address")
    if not _is_loopback(address) and api.get("allow_public") is not True:
        problems.append(
            f"api_server.listen_ip_address: {address!r} is reachable beyond this machine; "
            "listen on 127.0.0.1, or set api_server.allow_public to true on purpose (e.g. in a "
            "container whose port is published on 127.0.0.1 only)."
        )
    return problems


def refuse_unsafe_api_server(config: dict[str, Any]) -> None:
    """Raise PackConfigError (exit status 2) for a dry-run/live bot with an unsafe API server."""
    api = config.get("api_server") or {}
    if config.get("runmode") not in (RunMode.DRY_RUN, RunMode.LIVE) or not api.get("enabled"):
        return
    problems = api_server_problems(api)
    if problems:
        raise PackConfigError("\n".join(problems))
