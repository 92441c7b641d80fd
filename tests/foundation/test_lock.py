"""The Python environment is the lock file: exact versions installed, stale locks refused."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import re
import shutil
from pathlib import Path

import pytest

from packtest import REPO

spec = importlib.util.spec_from_file_location("lock", REPO / "scripts" / "lock.py")
lock = importlib.util.module_from_spec(spec)
spec.loader.exec_module(lock)


def pins(path: Path) -> dict[str, str]:
    found = re.findall(r"^([A-Za-z0-9_.-]+)==(\S+) \\$", path.read_text(), re.M)
    return {re.sub(r"[-_.]+", "-", name).lower(): version for name, version in found}


def test_every_locked_package_is_installed_at_its_locked_version() -> None:
    locked = pins(lock.DEV_LOCK)
    installed = {
        re.sub(r"[-_.]+", "-", d.metadata["Name"]).lower(): d.version
        for d in importlib.metadata.distributions()
    }
    assert {n: installed.get(n) for n in locked} == locked
    assert set(installed) - set(locked) <= {"ftpack", "flowbook", "uv"}  # the project, `make lock`
    runtime = pins(lock.RUNTIME_LOCK)
    assert runtime.items() <= locked.items() and "pytest" not in runtime


def test_a_dependency_change_without_relocking_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    assert lock.check() == 0
    changed = tmp_path / "pyproject.toml"
    shutil.copy(REPO / "pyproject.toml", changed)
    changed.write_text(changed.read_text().replace('"optuna",', '"optuna",\n    "arch",', 1))
    monkeypatch.setattr(lock, "PROJECTS", (changed, lock.PROJECTS[1]))
    assert lock.check() == 1
    assert "requirements.lock is out of date" in capsys.readouterr().err
