"""risk_model's account run by several bots: each entry is tried by one of them, deciding on
the account as :func:`risk_protections.account.combine` builds it from every bot's book
(realized events, open stake, closed trades), exactly what a bot reads from its own trades and
its peers' databases.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from risk_model import Model, Step

from risk_protections.account import AccountView, BotBook, ClosedTrade, combine
from risk_protections.ledger import LedgerSnapshot
from risk_protections.pnl import RealizedEvent

BOTS = ("tier1", "tier2", "tier3")


@dataclass
class AccountModel(Model):
    #: Index into ``BOTS`` of the bot that tries each entry, in turn (cycled).
    entrants: tuple[int, ...] = (0,)
    owner: dict[int, str] = field(default_factory=dict)
    attempts: int = 0
    _view: tuple[tuple, AccountView] | None = None

    def books(self) -> list[BotBook]:
        """Every bot's book: its realized events, open stake and closed trades."""
        events: dict[str, list[RealizedEvent]] = {bot: [] for bot in BOTS}
        stake = dict.fromkeys(BOTS, 0.0)
        closed: dict[str, list[ClosedTrade]] = {bot: [] for bot in BOTS}
        for when, pnl, tid in self.realized:
            events[self.owner[tid]].append(RealizedEvent(when, pnl, tid))
        for p in self.positions:
            stake[self.owner[p.trade_id]] += p.stake
        for p, when in zip(self.closed, self.closing_time, strict=True):
            bot = self.owner[p.trade_id]
            closed[bot].append(ClosedTrade(bot, p.trade_id, when, p.pnl))
        return [
            BotBook(
                bot,
                tuple(events[bot]),
                sum(e.pnl for e in events[bot]),
                stake[bot],
                tuple(closed[bot]),
            )
            for bot in BOTS
        ]

    def view(self) -> AccountView:
        """The account now (rebuilt only when time passed or a trade opened or realized)."""
        key = (self.now, len(self.realized), len(self.positions), len(self.closed))
        if self._view is None or self._view[0] != key:
            books = self.books()
            self._view = (key, combine(books, self.now, self.start_balance, self.risk.daily_reset))
        return self._view[1]

    def snapshot(self) -> LedgerSnapshot:
        return self.view().snapshot

    def streak(self) -> tuple[int, datetime | None]:
        view = self.view()
        return view.streak, view.last_close

    def _try_entry(self, s: Step) -> None:
        bot = BOTS[self.entrants[self.attempts % len(self.entrants)]]
        self.attempts += 1
        entered = len(self.entries)
        super()._try_entry(s)
        if len(self.entries) > entered:
            self.owner[self.entries[-1][1]] = bot
