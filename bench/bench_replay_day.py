"""Wall time of a whole replayed UTC day: ``ftpack-replay run`` of a tier until its bot has
analysed the day's last candle.

Runs the tier's README dry-run command against the replay of ``--day`` from 00:00 UTC at
``--speed`` (bundled data unless ``--datadir``), polls the bot's REST API, and prints the wall
time from the launch until the bot's analysed candles reach 23:55 (5m tiers) / 23:59 (1m), with
the bot's start-up time, the trades it made, the requests the replay served, and how often the
bot fell behind (Freqtrade's "Outdated history" warnings). One run; nothing is retried.

    .venv/bin/python bench/bench_replay_day.py --tier tier2 --day 2025-08-19 --speed 60
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pandas as pd
from freqtrade_client import FtRestClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from packtest import free_port  # noqa: E402

sys.path.insert(0, str(ROOT))
from ftpack.replay.tiers import TIERS  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tier", default="tier2", choices=sorted(TIERS))
    parser.add_argument("--day", default="2025-08-19")
    parser.add_argument("--speed", type=float, default=60.0)
    parser.add_argument("--datadir", type=Path)
    args = parser.parse_args()
    port, password = free_port(), secrets.token_urlsafe(12)
    with tempfile.TemporaryDirectory() as tmp:
        layer = Path(tmp) / "layer.json"
        layer.write_text(json.dumps({"api_server": {"username": "bench"}}))
        extra = ["--datadir", str(args.datadir)] if args.datadir else []
        command = [
            str(Path(sys.executable).with_name("ftpack-replay")),
            "run",
            "--tier",
            args.tier,
            "--day",
            args.day,
            "--speed",
            f"{args.speed:g}",
            "--ui-port",
            str(port),
            "--workdir",
            tmp,
            "-c",
            str(layer),
            *extra,
        ]
        out = Path(tmp) / "run.out"
        started = time.monotonic()
        with out.open("w") as sink:
            run = subprocess.Popen(
                command,
                cwd=ROOT,
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                env={**os.environ, "FREQTRADE__API_SERVER__PASSWORD": password},
            )
        try:
            report(
                args,
                run,
                out,
                FtRestClient(f"http://127.0.0.1:{port}", "bench", password),
                started,
                Path(tmp),
            )
        finally:
            os.killpg(run.pid, signal.SIGTERM)
            run.wait(120)


def report(args, run, out: Path, client: FtRestClient, started: float, workdir: Path) -> None:
    tier = TIERS[args.tier]
    timeframe = "1m" if tier.strategy == "PerpScalper" else "5m"
    last = (
        pd.Timestamp(args.day, tz="UTC")
        + pd.Timedelta(days=1)
        - pd.Timedelta(timeframe.replace("m", "min"))
    )
    up = None
    pair = None
    while True:
        if run.poll() is not None:
            raise SystemExit(f"ftpack-replay run exited:\n{out.read_text()[-3000:]}")
        try:
            state = client.show_config().get("state")
        except Exception:
            state = None
        if state == "running":
            up = up or time.monotonic() - started
            pair = pair or client.whitelist()["whitelist"][0]
            data = (client.pair_candles(pair, timeframe, limit=2) or {}).get("data") or []
            if data and pd.Timestamp(data[-1][0]).tz_convert("UTC") >= last:
                break
        time.sleep(2)
    wall = time.monotonic() - started
    url = next(
        w.rstrip(";")
        for w in out.read_text().split()
        if w.startswith("http://127.0.0.1:") and w.endswith(";")
    )
    with urllib.request.urlopen(url + "/replay/status", timeout=10) as reply:
        status = json.loads(reply.read())
    log = next(workdir.glob("*.log")).read_text(errors="replace")
    trades = client.trades()["trades"]
    print(
        f"ftpack-replay run --tier {args.tier} --day {args.day} --speed {args.speed:g}"
        f"{' --datadir ' + str(args.datadir) if args.datadir else ''} ({tier.strategy})"
    )
    print(
        f"24 h of replay ({args.day} 00:00 -> the {last:%H:%M} candle analysed by the bot): "
        f"{wall / 60:.1f} min wall (ideal {24 * 60 / args.speed:.1f} min); bot start-up {up:.0f} s"
    )
    served = sum(status["requests"].values())
    print(
        f"closed trades {len(trades)}; requests served {served} ({served / wall:.1f}/s); "
        f"unserved {status['unserved'] or 'none'}; "
        f"'Outdated history' warnings {log.count('Outdated history')}"
    )


if __name__ == "__main__":
    main()
