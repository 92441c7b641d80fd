"""Every startup refusal of the pack ends Freqtrade with exit status 2, naming the owner's key.

``freqtrade.main.main`` runs in this process exactly as the ``freqtrade`` command does (markets
from the bundled snapshot) and ends with ``sys.exit(status)``. Freqtrade leaves the status unset
(0) for a ``ConfigurationError``; the pack raises ``PackConfigError`` instead, which exits 2.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from freqtrade.main import main as freqtrade_main
from risk_helpers import backtest_args, write_layer

from ftpack.offline import install


def exit_status(tmp_path: Path, layer: dict, extra: tuple[str, ...] = ()) -> int | None:
    install()
    args = backtest_args(
        [write_layer(tmp_path, "layer.json", layer)],
        timerange="20250601-20250602",
        extra=("--export", "none", "--max-open-trades", "3", *extra),
    )
    with pytest.raises(SystemExit) as done:
        freqtrade_main(args)
    return done.value.code


@pytest.mark.slow
@pytest.mark.parametrize(
    ("layer", "message"),
    [
        ({"risk": {"pause_minutes": 0.5}}, "risk.pause_minutes: must be a whole number"),
        ({"risk": "off"}, "risk: must be an object of risk limits"),
        ({"risk": None}, "risk: must be an object of risk limits"),
        ({"risk": []}, "risk: must be an object of risk limits"),
        ({"risk": {"risk_per_trade": 0.5}}, "risk.risk_per_trade: per-trade cap 50 %"),
        ({"risk": {"reserve_abs": 1000}}, "risk.reserve_abs: reserve 1000.00 >= wallet"),
    ],
)
def test_pack_refusals_exit_2_naming_the_key(
    in_repo: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture, layer: dict, message: str
) -> None:
    with caplog.at_level(logging.ERROR):
        assert exit_status(tmp_path, layer, ("--enable-protections",)) == 2
    errors = [r.getMessage() for r in caplog.records if r.name == "freqtrade"]
    assert errors and errors[-1].startswith(message), errors
    assert "protections.ConsecutiveLossPause" not in caplog.text


@pytest.mark.slow
def test_freqtrade_itself_leaves_status_0_for_a_configuration_error(
    in_repo: Path, tmp_path: Path
) -> None:
    """Why the pack does not raise ConfigurationError: Freqtrade 2026.9 exits 0 for it."""
    assert exit_status(tmp_path, {"stake_amount": "unlimited"}, ("--max-open-trades", "-1")) in (
        None,
        0,
    )
