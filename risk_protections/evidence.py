"""Evidence of an edge, and the live gate that reads it.

The strategy evaluator (``ftpack-evaluate``) writes ``<user_data_dir>/evidence/<Strategy>.json``.
A live bot of a ``RiskManagedMixin`` strategy places entries only when that file exists, is
current and says ``edge``; otherwise it places none unless ``risk.allow_live_without_edge`` is
true. Dry-run trades normally and logs what live would do.

The gate reads these keys of the evidence file (the evaluator adds its statistics beside them):
``evidence_version``, ``strategy``, ``code_hash``, ``parameters`` and
``parameters_fingerprint``, and ``verdict`` = ``{"verdict": "edge" | "no edge", "failed":
[test names]}``.

Current means:

- **code hash** = SHA-256 over the sorted ``(name, SHA-256 of the bytes)`` of the strategy file
  and every ``*.py`` file of the packages that decide a pack strategy's trades:
  ``risk_protections`` (sizing, vetoes, protections), ``ftpack.tiers`` (the tiers' rules) and
  ``flowbook`` (the order-flow wrappers), wherever they are installed. A change to any of
  them makes every evidence file stale (re-run the evaluator);
- **parameters fingerprint** = SHA-256 of the canonical JSON of the strategy's effective
  parameters: each hyperoptable parameter (parameter file > ``<space>_params`` > default, as
  Freqtrade loads them), ``minimal_roi``, ``stoploss``, the trailing-stop settings and the
  ``timeframe``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import inspect
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from freqtrade.enums import RunMode
from freqtrade.strategy.hyper import detect_all_parameters

logger = logging.getLogger(__name__)

EVIDENCE_VERSION = 1
EVIDENCE_DIR = "evidence"
EDGE = "edge"
NO_EDGE = "no edge"
#: Packages whose source decides a pack strategy's trades (top-level name, subfolder).
CODE_PACKAGES: tuple[tuple[str, str], ...] = (
    ("risk_protections", ""),
    ("ftpack", "tiers"),
    ("flowbook", ""),
)
SPECIAL_PARAMETERS = (
    "minimal_roi",
    "stoploss",
    "trailing_stop",
    "trailing_stop_positive",
    "trailing_stop_positive_offset",
    "trailing_only_offset_is_reached",
    "timeframe",
)


class EvidenceError(ValueError):
    """An evidence file that cannot be read or lacks a key the gate needs."""


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def package_dir(top: str, sub: str) -> Path | None:
    """Folder of an installed package (``sub`` below the top-level one), without importing it."""
    spec = importlib.util.find_spec(top)
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / sub
    return folder if folder.is_dir() else None


def code_files(strategy_file: Path) -> dict[str, Path]:
    """``name -> file`` of everything the code hash covers (see the module docstring)."""
    files = {f"strategy/{strategy_file.name}": strategy_file}
    for top, sub in CODE_PACKAGES:
        folder = package_dir(top, sub)
        if folder is None:
            continue
        prefix = f"{top}/{sub}".rstrip("/")
        for path in sorted(folder.rglob("*.py")):
            if "__pycache__" not in path.parts:
                files[f"{prefix}/{path.relative_to(folder).as_posix()}"] = path
    return files


def code_hash(strategy_file: Path) -> str:
    """SHA-256 over the sorted (name, content hash) pairs of ``code_files``."""
    entries = [f"{name}\0{_sha256(path.read_bytes())}" for name, path in
               sorted(code_files(Path(strategy_file)).items())]
    return _sha256("\n".join(entries).encode())


def file_hash(path: Path) -> str:
    return _sha256(Path(path).read_bytes())


def strategy_file(strategy: Any) -> Path:
    """The file a strategy was loaded from (Freqtrade sets ``__file__`` on the instance)."""
    return Path(getattr(strategy, "__file__", None) or inspect.getfile(type(strategy)))


def strategy_parameters(strategy: Any) -> dict[str, Any]:
    """The strategy's effective parameters, the same before and after Freqtrade loads them."""
    from_file = getattr(strategy, "_ft_params_from_file", None) or {}
    params: dict[str, Any] = {}
    for space, space_params in sorted(detect_all_parameters(strategy).items()):
        chosen = {**getattr(strategy, f"{space}_params", {}), **from_file.get(space, {})}
        params[space] = {
            name: chosen[name] if param.load and name in chosen else param.value
            for name, param in sorted(space_params.items())
        }
    for name in SPECIAL_PARAMETERS:
        value = getattr(strategy, name, None)
        if name == "minimal_roi" and isinstance(value, dict):
            value = {str(k): v for k, v in value.items()}
        params[name] = value
    return json.loads(json.dumps(params, sort_keys=True, default=str))


def parameters_fingerprint(parameters: dict[str, Any]) -> str:
    return _sha256(json.dumps(parameters, sort_keys=True, separators=(",", ":")).encode())


def evidence_path(user_data_dir: Path | str, strategy_name: str) -> Path:
    return Path(user_data_dir) / EVIDENCE_DIR / f"{strategy_name}.json"


def gate_fields(
    strategy_name: str, strategy_path: Path, parameters: dict[str, Any], verdict: str,
    failed: list[str],
) -> dict[str, Any]:
    """The keys the gate reads, as the evaluator writes them into its JSON."""
    if verdict not in (EDGE, NO_EDGE):
        raise EvidenceError(f"verdict must be {EDGE!r} or {NO_EDGE!r}, got {verdict!r}.")
    return {
        "evidence_version": EVIDENCE_VERSION,
        "strategy": strategy_name,
        "strategy_file_hash": file_hash(strategy_path),
        "code_hash": code_hash(strategy_path),
        "code_files": sorted(code_files(strategy_path)),
        "parameters": parameters,
        "parameters_fingerprint": parameters_fingerprint(parameters),
        "verdict": {"verdict": verdict, "failed": list(failed)},
    }


@dataclass(frozen=True)
class Evidence:
    strategy: str
    code_hash: str
    parameters: dict[str, Any]
    parameters_fingerprint: str
    verdict: str
    failed: tuple[str, ...]


def read_evidence(path: Path) -> Evidence:
    """Parse the gate's keys of an evidence file; EvidenceError names what is wrong."""
    try:
        raw = json.loads(Path(path).read_text())
        if raw.get("evidence_version") != EVIDENCE_VERSION:
            raise EvidenceError(f"evidence_version {raw.get('evidence_version')!r}, "
                                f"this gate reads {EVIDENCE_VERSION}")
        verdict = raw["verdict"]
        evidence = Evidence(
            strategy=str(raw["strategy"]),
            code_hash=str(raw["code_hash"]),
            parameters=dict(raw["parameters"]),
            parameters_fingerprint=str(raw["parameters_fingerprint"]),
            verdict=str(verdict["verdict"]),
            failed=tuple(str(t) for t in verdict.get("failed", [])),
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as err:
        raise EvidenceError(f"{path}: {err}") from err
    if evidence.verdict not in (EDGE, NO_EDGE):
        raise EvidenceError(f"{path}: verdict {evidence.verdict!r}")
    return evidence


@dataclass(frozen=True)
class GateStatus:
    """``state`` is ``missing``, ``stale``, ``no edge`` or ``edge``; ``detail`` says why."""

    state: str
    detail: str

    @property
    def edge(self) -> bool:
        return self.state == EDGE

    def text(self) -> str:
        return f"{self.state}: {self.detail}"


def _differences(evidence: dict[str, Any], running: dict[str, Any], prefix: str = "") -> list[str]:
    diffs = []
    for key in sorted(set(evidence) | set(running)):
        a, b = evidence.get(key), running.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            diffs += _differences(a, b, f"{prefix}{key}.")
        elif a != b:
            diffs.append(f"{prefix}{key} {a!r} (evidence) vs {b!r} (running)")
    return diffs


def judge(path: Path, strategy_name: str, running_code_hash: str,
          running_parameters: dict[str, Any]) -> GateStatus:
    """The gate's reading of one evidence file for the running strategy."""
    if not Path(path).is_file():
        return GateStatus("missing", f"no evidence file {path}; run ftpack-evaluate")
    try:
        evidence = read_evidence(path)
    except EvidenceError as err:
        return GateStatus("missing", f"unreadable evidence ({err})")
    if evidence.strategy != strategy_name:
        return GateStatus("stale", f"{path} is for {evidence.strategy}, not {strategy_name}")
    if evidence.code_hash != running_code_hash:
        return GateStatus("stale", f"code hash differs (evidence {evidence.code_hash[:12]}, "
                                   f"running {running_code_hash[:12]}): the strategy or the "
                                   "pack's rule/risk code changed since the evaluation")
    if evidence.parameters_fingerprint != parameters_fingerprint(running_parameters):
        diffs = _differences(evidence.parameters, running_parameters)
        return GateStatus("stale", "parameters differ: " + ("; ".join(diffs) or
                                                            "fingerprint mismatch"))
    if evidence.verdict != EDGE:
        return GateStatus(NO_EDGE, "failed tests: " + (", ".join(evidence.failed) or "none"))
    return GateStatus(EDGE, f"evidence {path} is current and shows an edge")


def judge_strategy(strategy: Any) -> GateStatus:
    """``judge`` for a loaded strategy: its evidence file, code hash and parameters."""
    name = type(strategy).__name__
    user_data = strategy.config.get("user_data_dir") or "user_data"
    return judge(evidence_path(user_data, name), name, code_hash(strategy_file(strategy)),
                 strategy_parameters(strategy))


def live_gate(strategy: Any, allow_without_edge: bool) -> GateStatus | None:
    """Dry-run/live: judge the evidence and log what the gate does; None in other modes."""
    runmode = strategy.config.get("runmode")
    if runmode not in (RunMode.LIVE, RunMode.DRY_RUN):
        return None
    try:
        status = judge_strategy(strategy)
    except Exception as err:  # the gate fails closed: no evidence it can read, no edge
        logger.exception("risk: live gate could not judge the evidence.")
        status = GateStatus("missing", f"the gate failed to read the evidence ({err})")
    if status.edge:
        action = "live entries allowed"
    elif allow_without_edge:
        action = "live entries allowed by risk.allow_live_without_edge"
    else:
        action = "live entries refused (set risk.allow_live_without_edge to trade anyway)"
    prefix = "" if runmode == RunMode.LIVE else "dry-run (trades normally); in live mode: "
    logger.info(f"risk: live gate {status.text()}; {prefix}{action}.")
    return status
