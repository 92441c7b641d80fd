"""Static checks of docker-compose.yml and its Dockerfile (no Docker engine runs here)."""

from __future__ import annotations

import re
import shlex
import tomllib

import yaml

from packtest import REPO


def compose() -> dict:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())


def pinned_freqtrade() -> str:
    deps = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    (pin,) = [d for d in deps if d.startswith("freqtrade")]
    return pin.split("==")[1]


def test_compose_builds_the_locked_environment_with_pinned_images() -> None:
    service = compose()["services"]["freqtrade"]
    dockerfile = REPO / service["build"]["context"] / service["build"]["dockerfile"]
    assert dockerfile.is_file()
    assert service["image"] == f"ftpack-freqtrade:{pinned_freqtrade()}"
    text = dockerfile.read_text()
    # Base images pinned to a full version; CPython 3.11, the lock's target.
    assert re.search(r"^FROM rust:\d+\.\d+\.\d+-slim-bookworm AS wheel$", text, re.M)
    assert re.search(r"^ARG PYTHON_IMAGE=python:3\.11\.\d+-slim-bookworm$", text, re.M)
    # Everything Python comes from the locks, hashes checked, nothing resolved.
    assert "--require-hashes --no-deps -r /opt/ftpack/requirements-runtime.lock" in text
    assert "lock.py pick maturin" in text and "--require-hashes --no-deps -r maturin.lock" in text
    runtime = (REPO / "requirements-runtime.lock").read_text()
    assert f"\nfreqtrade=={pinned_freqtrade()} " in runtime
    # Every path the Dockerfile copies from the build context exists.
    for src in re.findall(r"^COPY (?:--chown=\S+ )?(?!--from)(.+) \S+$", text, re.M):
        for path in src.split():
            assert (REPO / path).exists(), path


def test_compose_api_on_localhost_and_secrets_from_environment() -> None:
    service = compose()["services"]["freqtrade"]
    assert service["ports"] == ["127.0.0.1:8080:8080"]
    env = service["environment"]
    for key, value in env.items():
        if any(word in key for word in ("PASSWORD", "SECRET", "TOKEN", "KEY")):
            assert value.startswith("${"), f"{key} must come from the environment"
    assert "./user_data:/freqtrade/user_data" in service["volumes"]
    # The container listens on 0.0.0.0 behind the 127.0.0.1 port mapping, allowed on purpose.
    assert env["FREQTRADE__API_SERVER__ALLOW_PUBLIC"] == "true"
    assert 'secrets.token_urlsafe(32)' in (REPO / "docker-compose.yml").read_text()


def test_compose_command_names_existing_configs_and_strategy() -> None:
    args = shlex.split(compose()["services"]["freqtrade"]["command"])
    assert args[0] == "trade"
    configs = [args[i + 1] for i, a in enumerate(args) if a == "--config"]
    assert configs
    for config in configs:
        assert config.startswith("/freqtrade/user_data/")
        assert (REPO / config.removeprefix("/freqtrade/")).is_file(), config
    strategy = args[args.index("--strategy") + 1]
    assert (REPO / "user_data" / "strategies" / f"{strategy}.py").is_file()
