"""Every online command of the README ("Using it online") runs, against the replay.

``download-data`` lines run here, unmodified, through ``ftpack-replay exec`` (plus ``--datadir``
to a temporary directory); what they write must equal the recorded data.
The dry-run lines are the tiers' ``ftpack-replay`` commands (``ftpack.replay.tiers``), which the
tier tests run end to end. The testnet line needs the Binance testnet (keys, network): here its
configuration is loaded and checked by ``freqtrade show-config``.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pandas as pd
import pytest
from freqtrade.data.history import get_datahandler
from freqtrade.enums import CandleType
from replay_helpers import REPLAY, Replay, readme_commands, venv_env

from ftpack.replay.tiers import TIERS
from packtest import REPO, api_secrets

# One bot scenario at a time: `make test` keeps an xdist_group on one worker (--dist loadgroup).
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("replay")]

DATA = REPO / "user_data" / "data" / "binance"
# Replay times: the end of the bundled spot 5m data, and of the bundled 1m perpetual data.
DOWNLOAD_AT = {"spot.json": "2025-09-30 12:00", "futures.json": "2025-06-24 10:00"}


def test_readme_replay_commands_are_the_forms_the_tests_run() -> None:
    """``make replay`` (test_replay_tier3), ``ftpack-replay serve`` and ``exec -- <a tier's
    dry-run command>`` (the tier tests' Replay and Bot) as the README writes them."""
    dry_runs = [t.command()[1:] for t in TIERS.values()]
    (make,) = readme_commands("make replay")
    assert make[:2] == ["make", "replay"] and {a.split("=")[0] for a in make[2:]} <= {
        "TIER",
        "DAY",
        "TIME",
        "SPEED",
        "UI_PORT",
        "REPLAY_ARGS",
    }
    (serve,) = readme_commands("ftpack-replay serve")
    assert serve[:4] == ["ftpack-replay", "serve", "--start", serve[3]] and "--speed" in serve
    (execute,) = readme_commands("ftpack-replay exec")
    command = execute[execute.index("--") + 1 :]
    assert command[0] == "freqtrade" and command[1:] in dry_runs


def test_every_online_readme_command_is_covered() -> None:
    commands = [" ".join(c) for c in readme_commands("freqtrade ")]
    online = [c for c in commands if c.startswith(("freqtrade trade", "freqtrade download-data"))]
    dry_runs = {" ".join(["freqtrade", *t.command()[1:]]) for t in TIERS.values()}
    downloads = [c for c in online if "download-data" in c]
    testnet = [c for c in online if "testnet.json" in c]
    assert len(downloads) == 2 and len(testnet) == 1
    assert set(online) == dry_runs | set(downloads) | set(testnet), "a README command has no test"


@pytest.mark.parametrize("layer", sorted(DOWNLOAD_AT))
def test_download_data_command_writes_the_recorded_candles(
    layer: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    workdir = tmp_path_factory.mktemp(f"download-{layer.split('.')[0]}")
    (command,) = [
        c for c in readme_commands("freqtrade download-data") if f"config/{layer}" in " ".join(c)
    ]
    datadir = workdir / "data"  # never the repository's bundled data
    replay = Replay(workdir, DOWNLOAD_AT[layer], 1)
    try:
        done = subprocess.run(
            [
                REPLAY,
                "exec",
                "--server",
                replay.url,
                "--layer",
                str(workdir / "exchange.json"),
                "--",
                *command,
                "--datadir",
                str(datadir),
            ],
            cwd=REPO,
            env=venv_env(),
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
        assert replay.status()["unserved"] == {}
    finally:
        replay.close()
    futures = layer == "futures.json"
    pairs = command[command.index("--pairs") + 1 : command.index("-t")]
    timeframes = command[command.index("-t") + 1 : command.index("--days")]
    ctype = CandleType.FUTURES if futures else CandleType.SPOT
    for pair in pairs:
        for timeframe in timeframes:
            compare(datadir, pair, timeframe, ctype)
    if futures:
        for pair in pairs:  # download-data also fetches the funding rates and mark candles
            compare(datadir, pair, "1h", CandleType.FUNDING_RATE)
            compare(datadir, pair, "1h", CandleType.MARK)


def compare(datadir: Path, pair: str, timeframe: str, ctype: CandleType) -> None:
    """The downloaded file equals the recorded data (``timeframe`` aggregated from the recorded
    files where they do not hold it) over the downloaded range."""
    got = load(datadir, pair, timeframe, ctype)
    assert len(got) > 10, f"{pair} {timeframe} {ctype}: nothing downloaded"
    recorded = load(DATA, pair, timeframe, ctype)
    if recorded.empty:  # aggregated from the coarsest recorded timeframe that divides it
        interval = pd.Timedelta(timeframe.replace("m", "min"))
        available = get_datahandler(DATA, "feather").ohlcv_get_available_data(
            DATA, "spot" if ctype == CandleType.SPOT else "futures"
        )
        held = [
            pd.Timedelta(tf.replace("m", "min"))
            for p, tf, c in available
            if p == pair and c == ctype.value
        ]
        source_tf = max(tf for tf in held if interval % tf == pd.Timedelta(0))
        source = load(DATA, pair, f"{int(source_tf.total_seconds() // 60)}m", ctype)
        recorded = (
            source.set_index("date")
            .resample(interval)
            .agg({"open": "first", "high": "max", "low": "min", "close": "last", "volume": "sum"})
            .dropna()
            .reset_index()
        )
    merged = got.merge(recorded, on="date", suffixes=("", "_recorded"))
    assert len(merged) == len(got), f"{pair} {timeframe}: candles the data does not hold"
    for column in [c for c in got.columns if c != "date"]:
        assert merged[column].tolist() == pytest.approx(merged[f"{column}_recorded"].tolist())


def load(datadir: Path, pair: str, timeframe: str, ctype: CandleType) -> pd.DataFrame:
    return get_datahandler(datadir, "feather").ohlcv_load(
        pair, timeframe, ctype, fill_missing=False, warn_no_data=False
    )


def test_testnet_command_configuration_loads(tmp_path: Path) -> None:
    (command,) = [
        c for c in readme_commands("freqtrade trade") if "user_data/config/testnet.json" in c
    ]
    configs = [arg for i, arg in enumerate(command) if i and command[i - 1] == "-c"]
    shown = subprocess.run(
        [
            str(Path(REPLAY).with_name("freqtrade")),
            "show-config",
            *(part for c in configs for part in ("-c", c)),
        ],
        cwd=REPO,
        # As the README exports them before the trade commands.
        env={
            **venv_env(),
            **api_secrets(),
        },
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert shown.returncode == 0, shown.stdout + shown.stderr
    assert '"dry_run": false' in shown.stdout and '"sandbox": true' in shown.stdout
    assert "VolumePairList" in shown.stdout
