"""One account, one risk budget: the account's other bots' trades, read from their databases.

Freqtrade runs one strategy per bot, so an owner running several tiers on one exchange account
runs several bots. ``risk.account`` names the other bots' trade databases::

    "risk": {"account": {"name": "tier1",
                         "peers": {"tier2": "user_data/tradesv3.tier2.sqlite",
                                   "tier3": "file:/srv/ft/tier3.sqlite?mode=ro"},
                         "starting_balance": 1000}}

Each peer is a SQLite path, a ``file:`` URI or a ``sqlite:///`` URL (opened read-only:
``mode=ro``) or another SQLAlchemy URL (only ever read). The account is then one book:

* ``E = account start + every bot's realized profit`` (closed trades and partial exits, the
  :mod:`risk_protections.pnl` formula on each peer's ``trades``/``orders`` rows loaded through
  Freqtrade's own ``Trade`` model), ``open stake = Σ every bot's open stake``;
* the day's and week's realized events of every bot, merged in time order, feed the period
  loss guards; every bot's closed trades, merged by close time, feed the loss streak;
* the account start is ``starting_balance`` when set, else this bot's starting balance (bots
  on one exchange account without ``available_capital`` all see the whole wallet).

Peers count in dry-run and live only (a backtest has no other bots). A peer that cannot be
read raises :class:`PeerUnreadable` naming it: the entry veto refuses, sizing answers 0 and the
protections lock (fail closed). Startup checks (:func:`check_account`) refuse a peer database
that does not exist, this bot's own database listed as a peer and a peer whose trades are in
another stake currency.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

from freqtrade.enums import RunMode
from freqtrade.persistence import Trade
from sqlalchemy import Engine, create_engine, func, select
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from risk_protections import rules
from risk_protections.config import RiskConfig, check_positive
from risk_protections.errors import PackConfigError
from risk_protections.ledger import (
    LedgerSnapshot,
    events_since,
    period_snapshot,
    trade_events,
    week_start,
)
from risk_protections.locks import lock_violations
from risk_protections.pnl import RealizedEvent, as_utc

logger = logging.getLogger(__name__)

KEY = "risk.account"
_KNOWN = frozenset({"name", "peers", "starting_balance"})
_TICK = timedelta(microseconds=1)
_PEER_MODES = (RunMode.DRY_RUN, RunMode.LIVE)


class PeerUnreadable(Exception):
    """A peer bot's trades database could not be read; no entry may rely on a partial account."""


@dataclass(frozen=True)
class Peer:
    """Another bot of the account: its name, the database as configured and how it is opened."""

    name: str
    source: str
    path: Path | None  # the SQLite file, None for a server database
    url: str  # SQLAlchemy URL (server databases) or the read-only SQLite URI


@dataclass(frozen=True)
class AccountSettings:
    """The parsed ``risk.account`` section."""

    name: str
    peers: tuple[Peer, ...]
    starting_balance: float | None


@dataclass(frozen=True)
class ClosedTrade:
    """What the loss streak reads of a closed trade."""

    bot: str
    trade_id: int
    close_date: datetime
    profit: float


@dataclass(frozen=True)
class BotBook:
    """One bot's part of the account at a moment.

    ``events``: realized events since the week start; ``realized``: all realized profit (closed
    trades and partial exits of open ones); ``closed``: every closed trade.
    """

    name: str
    events: tuple[RealizedEvent, ...]
    realized: float
    open_stake: float
    closed: tuple[ClosedTrade, ...]


@dataclass(frozen=True)
class AccountView:
    """The account of ``books`` at ``snapshot.now``: the snapshot every rule reads, the loss
    streak, and who realized what (for lock messages)."""

    snapshot: LedgerSnapshot
    books: tuple[BotBook, ...]
    streak: int
    last_close: datetime | None

    @property
    def shared(self) -> bool:
        return len(self.books) > 1

    def crossing(self, since: datetime, limit: float) -> tuple[str, RealizedEvent] | None:
        """The bot and exit at which the realized loss since ``since`` first reached ``limit``."""
        tagged = sorted(
            (
                (e, b.name)
                for b in self.books
                for e in b.events
                if since <= e.time <= self.snapshot.now
            ),
            key=lambda pair: (pair[0].time, pair[0].pnl),
        )
        total = 0.0
        for event, bot in tagged:
            total += event.pnl
            if rules.period_loss_reached(total, limit):
                return bot, event
        return None

    def period_note(self, since: datetime, limit: float) -> str:
        """``account of N bots: a -12.00, b -9.00; crossed by b's trade 7 at …`` ('' alone)."""
        if not self.shared:
            return ""
        parts = [
            f"{b.name} {sum(e.pnl for e in b.events if since <= e.time <= self.snapshot.now):+.2f}"
            for b in self.books
        ]
        text = f"account of {len(self.books)} bots: {', '.join(parts)}"
        crossed = self.crossing(since, limit)
        if crossed is not None:
            bot, event = crossed
            text += f"; crossed by {bot}'s trade {event.trade_id} at {event.time:%H:%M} UTC"
        return text

    def stake_note(self) -> str:
        """Open stake per bot ('' alone)."""
        if not self.shared:
            return ""
        parts = ", ".join(f"{b.name} {b.open_stake:.2f}" for b in self.books)
        return f"open stake of {len(self.books)} bots: {parts}"

    def streak_note(self) -> str:
        """The bots whose trades make up the loss streak ('' alone)."""
        if not self.shared or not self.streak:
            return ""
        latest = sorted(
            (c for b in self.books for c in b.closed), key=lambda c: c.close_date, reverse=True
        )[: self.streak]
        return "account streak: " + ", ".join(f"{c.bot}'s trade {c.trade_id}" for c in latest)


# --- configuration --------------------------------------------------------------------------
def _peer(name: str, source: Any) -> Peer:
    key = f"{KEY}.peers.{name}"
    if not isinstance(source, str) or not source.strip():
        raise PackConfigError(f"{key}: must be a database path or URL, got {source!r}.")
    if source.startswith("file:"):
        path_part, _, query = source[len("file:") :].partition("?")
        path = Path(path_part.removeprefix("//"))
        if "mode=ro" not in query:
            raise PackConfigError(f"{key}: a SQLite URI must open it read-only (mode=ro).")
        return Peer(name, source, path, f"{path.resolve().as_uri()}?{query}")
    if source.startswith("sqlite://"):
        file = source[len("sqlite:///") :] if source.startswith("sqlite:///") else ""
        if not file:
            raise PackConfigError(f"{key}: an in-memory database cannot be another bot's.")
        path = Path(file)
        return Peer(name, source, path, f"{path.resolve().as_uri()}?mode=ro")
    if "://" in source:
        return Peer(name, source, None, source)
    path = Path(source)
    return Peer(name, source, path, f"{path.resolve().as_uri()}?mode=ro")


def parse_account(config: dict[str, Any]) -> AccountSettings | None:
    """``risk.account`` of ``config`` (None when absent); errors name the key."""
    risk = config.get("risk")
    section = risk.get("account") if isinstance(risk, dict) else None
    if section is None:
        return None
    if not isinstance(section, dict):
        raise PackConfigError(f"{KEY}: must be an object with 'peers', got {section!r}.")
    unknown = sorted(set(section) - _KNOWN)
    if unknown:
        known = ", ".join(sorted(_KNOWN))
        raise PackConfigError(f"{KEY}.{unknown[0]}: unknown key (known: {known}).")
    peers = section.get("peers")
    if not isinstance(peers, dict) or not peers:
        raise PackConfigError(f"{KEY}.peers: must name at least one other bot's database.")
    name = section.get("name", config.get("bot_name") or "this bot")
    if not isinstance(name, str) or not name or name in peers:
        raise PackConfigError(f"{KEY}.name: must be a name no peer has, got {name!r}.")
    balance = section.get("starting_balance")
    if balance is not None:
        balance = check_positive(balance, f"{KEY}.starting_balance")
    return AccountSettings(name, tuple(_peer(n, s) for n, s in peers.items()), balance)


def _own_path(config: dict[str, Any]) -> Path | None:
    url = str(config.get("db_url") or "")
    return Path(url[len("sqlite:///") :]).resolve() if url.startswith("sqlite:///") else None


def check_account(config: dict[str, Any]) -> AccountSettings | None:
    """Startup: parse ``risk.account`` and, in dry-run/live, refuse what cannot be one account
    (PackConfigError naming the peer's key).

    A peer that exists but cannot be read now is logged; entries stay refused until it can be.
    """
    settings = parse_account(config)
    if settings is None or config.get("runmode") not in _PEER_MODES:
        return settings
    own, currency = _own_path(config), config.get("stake_currency", "")
    for peer in settings.peers:
        key = f"{KEY}.peers.{peer.name}"
        if peer.path is None:
            if peer.url == config.get("db_url"):
                raise PackConfigError(f"{key}: {peer.source} is this bot's own database (db_url).")
            continue
        if not peer.path.is_file():
            raise PackConfigError(f"{key}: database {peer.source} does not exist.")
        if own is not None and peer.path.resolve() == own:
            raise PackConfigError(f"{key}: {peer.source} is this bot's own database (db_url).")
        try:
            currencies = peer_currencies(peer)
        except PeerUnreadable as err:
            logger.warning(f"risk: {err}; entries are refused until it can be read.")
            continue
        other = sorted(currencies - {currency})
        if currency and other:
            raise PackConfigError(
                f"{key}: its trades are in {', '.join(other)}, this bot's stake_currency is "
                f"{currency}; one account's limits need one currency."
            )
    names = ", ".join(f"{p.name} ({p.source})" for p in settings.peers)
    logger.info(f"risk: account-wide limits for {settings.name} with {names}.")
    return settings


# --- reading the books ----------------------------------------------------------------------
_ENGINES: dict[str, Engine] = {}


def _engine(peer: Peer) -> Engine:
    engine = _ENGINES.get(peer.url)
    if engine is None:
        if peer.path is None:
            engine = create_engine(peer.url, poolclass=NullPool)
        else:
            uri = peer.url
            engine = create_engine(
                "sqlite://",
                creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False),
                poolclass=NullPool,
            )
        _ENGINES[peer.url] = engine
    return engine


def _unreadable(peer: Peer, err: Exception) -> PeerUnreadable:
    return PeerUnreadable(f"cannot read bot {peer.name}'s trades ({peer.source}): {err}")


def peer_currencies(peer: Peer) -> set[str]:
    """Stake currencies of the peer's trades (the pair's quote for rows without one)."""
    try:
        with Session(_engine(peer)) as session:
            rows = session.execute(select(Trade.stake_currency, Trade.pair).distinct()).all()
    except Exception as err:
        raise _unreadable(peer, err) from err
    return {cur or pair.split("/")[1].split(":")[0] for cur, pair in rows if cur or "/" in pair}


def book(
    name: str,
    since: datetime,
    open_trades: Iterable[Any],
    recent: Iterable[Any],
    closed_profit: float,
    closed: Iterable[tuple[Any, Any, Any]],
) -> BotBook:
    """A bot's book from its Freqtrade trades (``Trade`` rows of any session, or ``LocalTrade``).

    ``recent``: trades closed since ``since`` (the week start); ``closed_profit``: the sum of
    every closed trade's ``close_profit_abs``; ``closed``: ``(id, close_date, profit)`` rows.
    """
    open_trades = list(open_trades)
    partials = sum(e.pnl for t in open_trades for e in trade_events(t))
    return BotBook(
        name=name,
        events=tuple(events_since([*recent, *open_trades], since)),
        realized=float(closed_profit or 0.0) + partials,
        open_stake=sum(float(t.stake_amount) for t in open_trades),
        closed=tuple(
            ClosedTrade(name, int(tid or 0), as_utc(when), float(profit or 0.0))
            for tid, when, profit in closed
            if when is not None
        ),
    )


def own_book(name: str, since: datetime) -> BotBook:
    """This bot's book from Freqtrade's ``Trade`` (its database live, memory in backtests)."""
    closed = Trade.get_trades_proxy(is_open=False)
    return book(
        name,
        since,
        Trade.get_trades_proxy(is_open=True),
        Trade.get_trades_proxy(is_open=False, close_date=since - _TICK),
        Trade.get_total_closed_profit(),
        [(t.id, t.close_date, t.close_profit_abs) for t in closed],
    )


def peer_book(peer: Peer, since: datetime) -> BotBook:
    """A peer's book, read through Freqtrade's ``Trade`` model in a session of its own."""
    closed_rows = Trade.is_open.is_(False)
    try:
        with Session(_engine(peer)) as session:
            return book(
                peer.name,
                since,
                session.scalars(select(Trade).where(Trade.is_open.is_(True))).all(),
                session.scalars(
                    select(Trade).where(closed_rows, Trade.close_date >= since.replace(tzinfo=None))
                ).all(),
                session.scalar(select(func.sum(Trade.close_profit_abs)).where(closed_rows)) or 0.0,
                session.execute(
                    select(Trade.id, Trade.close_date, Trade.close_profit_abs).where(closed_rows)
                ).all(),
            )
    except Exception as err:
        raise _unreadable(peer, err) from err


def combine(
    books: Iterable[BotBook], now: datetime, starting_balance: float, reset: time
) -> AccountView:
    """The account of ``books``: one snapshot (every bot's realized events and open stake) and
    the loss streak over every bot's closed trades, newest first."""
    books = tuple(books)
    snap = period_snapshot(
        now,
        starting_balance,
        reset,
        equity=starting_balance + sum(b.realized for b in books),
        open_stake=sum(b.open_stake for b in books),
        events=[e for b in books for e in b.events],
    )
    closed = sorted((c for b in books for c in b.closed), key=lambda c: c.close_date, reverse=True)
    streak = rules.loss_streak(c.profit for c in closed)
    return AccountView(snap, books, streak, closed[0].close_date if closed else None)


def account_view(
    config: dict[str, Any], now: datetime, starting_balance: float, reset: time
) -> AccountView:
    """The account at ``now``: this bot's trades plus, in dry-run/live, every peer's."""
    settings = parse_account(config) if config.get("runmode") in _PEER_MODES else None
    since = week_start(now, reset)
    if settings is None:
        return combine([own_book("", since)], now, starting_balance, reset)
    books = [own_book(settings.name, since)] + [peer_book(p, since) for p in settings.peers]
    return combine(books, now, settings.starting_balance or starting_balance, reset)


def account_lock_violations(risk: RiskConfig, view: AccountView) -> list[str]:
    """``locks.lock_violations`` of the account, each naming the bots behind it when shared."""
    snap = view.snapshot
    notes = {
        "daily_loss": view.period_note(snap.day_start, risk.daily_limit(snap.equity_at_day_start)),
        "weekly_loss": view.period_note(
            snap.week_start, risk.weekly_limit(snap.equity_at_week_start)
        ),
        "consecutive_losses": view.streak_note(),
    }
    violations = lock_violations(risk, snap, view.streak, view.last_close)
    return [f"{v} ({notes[rule]})" if notes.get(rule := v.split(":")[0]) else v for v in violations]
