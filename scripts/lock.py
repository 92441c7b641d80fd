"""The Python lock files: write them with uv, check them against the dependency declarations.

``requirements.lock`` pins every package of the development environment (the pack, its ``dev``
extra, flowbook's dependencies, pip and the build backends) with hashes, for CPython 3.11 on linux
x86_64; ``requirements-runtime.lock`` pins the subset a bot needs (same versions: it is compiled
with the first as constraints) for the Docker image. Each starts with the sha256 of the inputs
it was made from: the ``[project]`` dependencies, extras, ``requires-python`` and
``[build-system]`` of ``pyproject.toml`` and ``rust_ext/pyproject.toml``, and the target.

    python scripts/lock.py write      # `make lock`: resolve again and rewrite both files
    python scripts/lock.py check      # `make setup`: fail if the declarations changed since
    python scripts/lock.py pick maturin   # one package's pinned lines, hashes included
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEV_LOCK = ROOT / "requirements.lock"
RUNTIME_LOCK = ROOT / "requirements-runtime.lock"
PROJECTS = (ROOT / "pyproject.toml", ROOT / "rust_ext" / "pyproject.toml")
TARGET = ["--python-version", "3.11", "--python-platform", "x86_64-manylinux_2_28"]
MARK = "# lock-inputs-sha256: "


def build_requirements() -> list[str]:
    """pip and the pack's build backend (installed from the lock, built without isolation);
    flowbook's backend, maturin, is in the dev extra."""
    pack = tomllib.loads(PROJECTS[0].read_text())["build-system"]["requires"]
    return sorted(["pip", *pack])


def inputs_digest() -> str:
    """sha256 of every declaration the locks are made from, in a canonical form."""
    declared = []
    for path in PROJECTS:
        data = tomllib.loads(path.read_text())
        project = data["project"]
        declared.append(
            {
                "name": project["name"],
                "dependencies": project.get("dependencies", []),
                "optional-dependencies": project.get("optional-dependencies", {}),
                "requires-python": project.get("requires-python"),
                "build-system": data.get("build-system", {}),
            }
        )
    canonical = json.dumps({"projects": declared, "target": TARGET}, sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def header(kind: str) -> str:
    return (
        f"# {kind}: pinned with hashes for CPython 3.11 on linux x86_64 (manylinux_2_28).\n"
        "# Made by `make lock` (scripts/lock.py) from pyproject.toml and rust_ext/pyproject.toml;\n"
        "# `make setup` refuses it once their dependencies change. Do not edit by hand.\n"
        f"{MARK}{inputs_digest()}\n"
    )


def compile_lock(output: Path, sources: list[Path], extra: list[str]) -> None:
    command = [str(Path(sys.executable).parent / "uv"), "pip", "compile", *map(str, sources)]
    command += [*extra, *TARGET, "--generate-hashes", "--no-header", "--quiet", "-o", str(output)]
    subprocess.run(command, check=True, cwd=ROOT)


def write() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        build = Path(tmp) / "build.in"
        build.write_text("\n".join(build_requirements()) + "\n")
        dev, runtime = Path(tmp) / "dev.lock", Path(tmp) / "runtime.lock"
        compile_lock(dev, [*PROJECTS, build], ["--extra", "dev"])
        compile_lock(runtime, [*PROJECTS, build], ["--constraint", str(dev)])
        DEV_LOCK.write_text(header("requirements.lock") + dev.read_text())
        RUNTIME_LOCK.write_text(header("requirements-runtime.lock") + runtime.read_text())


def check() -> int:
    digest = inputs_digest()
    for lock in (DEV_LOCK, RUNTIME_LOCK):
        found = re.search(f"^{re.escape(MARK)}(\\w+)$", lock.read_text(), re.M)
        if found is None or found.group(1) != digest:
            print(
                f"{lock.name} is out of date: the dependencies in pyproject.toml or "
                "rust_ext/pyproject.toml changed since it was made. Run `make lock` and commit "
                "both lock files.",
                file=sys.stderr,
            )
            return 1
    return 0


def pick(names: list[str]) -> str:
    """The lines of ``names`` in the dev lock: ``name==version`` and its hash lines."""
    wanted = {re.sub(r"[-_.]+", "-", n).lower() for n in names}
    out, keep = [], False
    for line in DEV_LOCK.read_text().splitlines():
        if line and not line.startswith((" ", "#")):
            keep = re.sub(r"[-_.]+", "-", line.split("==")[0]).lower() in wanted
        if keep and not line.lstrip().startswith("#"):
            out.append(line)
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    action, *rest = sys.argv[1:] or ["check"]
    if action == "write":
        write()
    elif action == "check":
        sys.exit(check())
    elif action == "pick":
        sys.stdout.write(pick(rest))
    else:
        sys.exit(f"unknown action {action!r}: write, check or pick NAME...")
