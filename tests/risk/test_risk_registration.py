"""Freqtrade's ProtectionResolver finds the pack's protections, and only because of register().

If a Freqtrade upgrade changes how protections are resolved, these tests fail with the reason.
"""

from __future__ import annotations

import inspect
import subprocess
import sys
import textwrap

import pytest
from freqtrade.plugins.protectionmanager import ProtectionManager
from freqtrade.resolvers import IResolver, ProtectionResolver

import risk_protections
from risk_protections import PROTECTIONS
from risk_protections.registration import is_registered

CONFIG = {"timeframe": "5m", "stake_currency": "USDT"}
ALL = [{"method": name} for name in PROTECTIONS]


def test_freqtrade_resolver_interface_is_the_one_register_wraps() -> None:
    params = list(inspect.signature(IResolver.load_object.__func__).parameters)
    assert params == ["cls", "object_name", "config", "kwargs", "extra_dir"], (
        "Freqtrade changed IResolver.load_object; update risk_protections.registration"
    )
    assert "ProtectionResolver.load_protection" in inspect.getsource(ProtectionManager.__init__)
    assert "ProtectionResolver.load_object" in inspect.getsource(ProtectionResolver.load_protection)


def test_protection_manager_loads_the_pack_and_builtin_protections() -> None:
    risk_protections.register()
    risk_protections.register()  # idempotent
    assert is_registered()
    pm = ProtectionManager(CONFIG, [*ALL, {"method": "CooldownPeriod", "stop_duration": 5}])
    assert pm.name_list == [*PROTECTIONS, "CooldownPeriod"]
    loaded = {type(p).__name__: type(p) for p in pm._protection_handlers}
    assert all(loaded[name] is cls for name, cls in PROTECTIONS.items())
    assert all(desc for item in pm.short_desc() for desc in item.values())


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.slow
def test_fresh_process_without_import_cannot_load_and_with_import_can() -> None:
    base = """
        from freqtrade.plugins.protectionmanager import ProtectionManager
        {imp}
        pm = ProtectionManager({{"timeframe": "5m"}}, [{{"method": "DailyLossGuard"}}])
        print("LOADED", type(pm._protection_handlers[0]).__module__)
    """
    without = _run(base.format(imp=""))
    assert without.returncode != 0 and "Impossible to load Protection 'DailyLossGuard'" in (
        without.stderr
    )
    with_import = _run(base.format(imp="import risk_protections"))
    assert with_import.returncode == 0, with_import.stderr
    assert "LOADED risk_protections.protections.loss_guards" in with_import.stdout
