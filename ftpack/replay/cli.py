"""``ftpack-replay``: serve a recorded Binance day, run stock Freqtrade against it.

    ftpack-replay serve --start "2025-08-19 11:40" --speed 60 [--port 8700] [--faults f.json]
    ftpack-replay exec --server http://127.0.0.1:8700 -- freqtrade trade -c … -s …
    ftpack-replay run --tier tier2 --day 2025-08-19 --speed 60 [--ui-port 8080]

``serve`` starts the replay server; ``exec`` runs any freqtrade command on the server's clock
(libfaketime) with a config layer pointing ccxt at it (appended as the last ``-c``); ``run``
does both for one of the pack's tiers with its documented dry-run command, FreqUI on
127.0.0.1:``--ui-port``, until interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import signal
import sys
import tempfile
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from ftpack.offline import load_snapshot, snapshot_path
from ftpack.replay.clock import ReplayClock
from ftpack.replay.exchange import ReplayExchange
from ftpack.replay.faults import FaultPlan
from ftpack.replay.launch import (
    DEFAULT_REQUEST_TIMEOUT,
    clock_env,
    clock_from_status,
    exchange_layer,
    write_layer,
)
from ftpack.replay.market_data import MarketData
from ftpack.replay.orderbook import RecordedBooks
from ftpack.replay.server import HOST, STATUS_PATH, ReplayServer, serve_forever
from ftpack.replay.server import start as start_server
from ftpack.replay.tiers import TIERS, ReplayInputError, check_coverage

# Like Freqtrade's own paths, relative to the directory the command runs in (the pack's root).
DEFAULT_DATADIR = Path("user_data") / "data" / "binance"
REPLAY_DIR = Path("user_data") / "replay"
REPLAY_LAYER = Path("user_data") / "config" / "replay.json"
DEFAULT_PORT = 8700


def parse_start(text: str) -> datetime:
    """ISO date or date-time, UTC unless a zone is given."""
    try:
        when = datetime.fromisoformat(text)
    except ValueError as err:
        raise ReplayInputError(f"--start: not an ISO date/time: {text!r}") from err
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def build_exchange(args: argparse.Namespace, start: datetime) -> ReplayExchange:
    """The replayed exchange for the parsed ``serve`` / ``run`` options.

    Everything slow (markets snapshot, data index, books, faults) is read first; the clock
    starts last, just before the caller starts listening.
    """
    data = MarketData(args.datadir or [DEFAULT_DATADIR])
    data.available  # noqa: B018 (index the data directories now, not on the first request)
    markets = load_snapshot(snapshot_path())
    books = RecordedBooks(args.books)
    faults = FaultPlan.from_file(args.faults)
    return ReplayExchange(ReplayClock.starting_now(start, args.speed), data, markets, books, faults)


def _server_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--speed", type=float, default=1.0, help="replay speed (>= 1, default 1)")
    parser.add_argument(
        "--datadir",
        type=Path,
        action="append",
        help=f"Freqtrade data directory (repeatable, first wins; default {DEFAULT_DATADIR})",
    )
    parser.add_argument("--books", type=Path, help="folder with binance_l2_top20.parquet")
    parser.add_argument("--faults", type=Path, help="JSON fault plan (see ftpack.replay.faults)")


def cmd_serve(args: argparse.Namespace) -> int:
    exchange = build_exchange(args, parse_start(args.start))
    serve_forever(ReplayServer(exchange), args.port, args.port_file)
    return 0


def fetch_status(server: str) -> dict:
    with urllib.request.urlopen(server.rstrip("/") + STATUS_PATH, timeout=10) as reply:
        return json.loads(reply.read())


def replay_command(
    server: str, speed: float, command: list[str], request_timeout: float, layer_path: Path | None
) -> list[str]:
    """``command`` + ``-c replay.json -c <this run's exchange layer>``; env is the caller's."""
    if not REPLAY_LAYER.is_file():
        raise ReplayInputError(f"{REPLAY_LAYER} not found: run from the pack's root directory")
    layer = exchange_layer(server, speed, request_timeout)
    path = (
        layer_path
        or Path(tempfile.gettempdir()) / f"ftpack-replay-{server.rsplit(':', 1)[-1]}.json"
    )
    write_layer(path, layer)
    return [*command, "-c", str(REPLAY_LAYER.resolve()), "-c", str(path)]


def cmd_exec(args: argparse.Namespace) -> int:
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        raise ReplayInputError("exec: give the command after --")
    clock = clock_from_status(fetch_status(args.server))
    full = replay_command(args.server, clock.speed, command, args.request_timeout, args.layer)
    os.execvpe(full[0], full, clock_env(clock))
    return 1  # not reached


def write_run_layer(
    workdir: Path, stamp: str, ui_port: int, db_url: str | None
) -> tuple[Path, str]:
    """The run's own layer (database, FreqUI port and credentials); returns it and the password
    (``$FREQTRADE__API_SERVER__PASSWORD`` or a new random one)."""
    password = os.environ.get("FREQTRADE__API_SERVER__PASSWORD") or secrets.token_urlsafe(12)
    layer = {
        "db_url": db_url or f"sqlite:///{workdir / stamp}.sqlite",
        "api_server": {
            "listen_port": ui_port,
            "password": password,
            "jwt_secret_key": secrets.token_hex(32),
            "ws_token": secrets.token_hex(16),
        },
    }
    return write_layer(workdir / f"{stamp}.json", layer), password


async def supervise(bot: asyncio.subprocess.Process) -> int:
    """Wait for the bot to end or for SIGINT / SIGTERM (then stop the bot)."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    waiter = asyncio.create_task(bot.wait())
    stopper = asyncio.create_task(stop.wait())
    await asyncio.wait([waiter, stopper], return_when=asyncio.FIRST_COMPLETED)
    if bot.returncode is None:
        bot.terminate()
        await asyncio.wait([waiter], timeout=60)
        if not waiter.done():
            bot.kill()
            await waiter
    stopper.cancel()
    return 0 if stop.is_set() else (bot.returncode or 0)


async def _run(args: argparse.Namespace) -> int:
    tier = TIERS[args.tier]
    start = parse_start(f"{args.day}T{args.time}")
    exchange = build_exchange(args, start)
    check_coverage(tier, exchange.data, start, Path.cwd())
    exchange.clock = ReplayClock.starting_now(start, args.speed)  # the replay starts now
    runner, port = await start_server(ReplayServer(exchange), args.port)
    url = f"http://{HOST}:{port}"
    stamp = f"{tier.strategy}-{start:%Y%m%d-%H%M}-x{args.speed:g}-{datetime.now(UTC):%Y%m%d%H%M%S}"
    args.workdir.mkdir(parents=True, exist_ok=True)
    run_layer, password = write_run_layer(args.workdir, stamp, args.ui_port, args.db_url)
    log = args.workdir / f"{stamp}.log"
    command = [
        *tier.command(),
        "--logfile",
        str(log),
        "-c",
        str(run_layer),
        *(part for extra in args.config or [] for part in ("-c", str(extra))),
    ]
    command = replay_command(
        url, args.speed, command, args.request_timeout, args.workdir / f"{stamp}-exchange.json"
    )
    env = await asyncio.to_thread(clock_env, exchange.clock)
    # Its own session: a terminal's Ctrl-C or a group kill reaches this process, which then stops
    # the bot once (a second signal would cut Freqtrade's clean-up short).
    bot = await asyncio.create_subprocess_exec(*command, env=env, start_new_session=True)
    print(
        f"ftpack-replay: {tier.strategy} on {start:%Y-%m-%d %H:%M} UTC at x{args.speed:g}; replay "
        f"{url}; FreqUI http://{HOST}:{args.ui_port} (user freqtrader, password {password}); "
        f"bot pid {bot.pid}, log {log}. Ctrl-C stops both.",
        flush=True,
    )
    try:
        return await supervise(bot)
    finally:
        await runner.cleanup()


def cmd_run(args: argparse.Namespace) -> int:
    return asyncio.run(_run(args))


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="ftpack-replay",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = root.add_subparsers(dest="cmd", required=True)
    serve = sub.add_parser("serve", help="serve the replay")
    serve.add_argument("--start", required=True, help='replay start, e.g. "2025-08-19 11:40" (UTC)')
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help="0 = a free port")
    serve.add_argument("--port-file", type=Path, help="write the bound port here")
    _server_options(serve)
    serve.set_defaults(func=cmd_serve)

    run_exec = sub.add_parser("exec", help="run a freqtrade command on a replay's clock")
    run_exec.add_argument("--server", default=f"http://{HOST}:{DEFAULT_PORT}")
    run_exec.add_argument(
        "--request-timeout",
        type=float,
        default=DEFAULT_REQUEST_TIMEOUT,
        help="ccxt request timeout in wall seconds",
    )
    run_exec.add_argument("--layer", type=Path, help="where to write the exchange layer")
    run_exec.add_argument("command", nargs=argparse.REMAINDER)
    run_exec.set_defaults(func=cmd_exec)

    run = sub.add_parser("run", help="serve a day and run a tier's dry-run bot on it")
    run.add_argument("--tier", required=True, choices=sorted(TIERS))
    run.add_argument("--day", required=True, help="UTC day, e.g. 2025-08-19")
    run.add_argument("--time", default="00:00", help="UTC start time on that day (default 00:00)")
    run.add_argument("--port", type=int, default=0, help="replay port (default: a free one)")
    run.add_argument("--ui-port", type=int, default=8080, help="FreqUI / REST API port")
    run.add_argument("--db-url", help="trades database (default: a new one in --workdir)")
    run.add_argument(
        "--workdir",
        type=Path,
        default=REPLAY_DIR,
        help=f"for the run's log, database and layers (default {REPLAY_DIR})",
    )
    run.add_argument("-c", "--config", type=Path, action="append", help="extra config layer")
    run.add_argument("--request-timeout", type=float, default=DEFAULT_REQUEST_TIMEOUT)
    _server_options(run)
    run.set_defaults(func=cmd_run)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except (ReplayInputError, FileNotFoundError, ValueError) as err:
        print(f"ftpack-replay: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
