"""A focused pure-Python account model driven by the pack's real rule functions.

It replaces Freqtrade's trade bookkeeping (too slow for 10,000 sequences) with a few lines of
arithmetic, and decides everything with the code the bot runs: ``size_stake`` and
``entry_violations`` (sizing layer), ``lock_violations`` (period and streak locks), the
realized P&L formula ``exit_pnl``, ``period_snapshot`` and the ``RiskConfig`` limits. Each step:
prices move, stops fill (at most ``slippage`` beyond the stop), partial or full exits happen,
then one entry is tried.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from risk_protections.config import RiskConfig
from risk_protections.ledger import LedgerSnapshot, period_snapshot
from risk_protections.locks import lock_violations
from risk_protections.pnl import RealizedEvent, exit_pnl
from risk_protections.rules import loss_streak
from risk_protections.sizing import Account, entry_violations, size_stake


@dataclass(frozen=True)
class Step:
    """One generated step of the sequence."""

    minutes: int
    market_return: float
    slip_used: float  # share of the slippage allowance a stop fill uses, 0..1
    exit_action: str  # "hold" | "partial" | "close"
    exit_share: float
    enter: bool
    stop_distance: float
    leverage: float
    short: bool
    fee: float  # actual fee of this entry, <= the fee the sizing assumes


@dataclass
class Position:
    trade_id: int
    opened: datetime
    short: bool
    entry: float
    amount: float
    stake: float  # margin still in the position
    stop: float
    fee: float
    cap: float
    price: float
    pnl: float = 0.0
    partial_done: bool = False


@dataclass
class Model:
    risk: RiskConfig
    start_balance: float
    trading_mode: str
    sizing_fee: float
    min_stake: float
    now: datetime
    realized: list[tuple[datetime, float, int]] = field(default_factory=list)
    positions: list[Position] = field(default_factory=list)
    closed: list[Position] = field(default_factory=list)
    entries: list[tuple[datetime, int]] = field(default_factory=list)
    #: (time, trade id) of each addition to an open position (none here; see dca_account_model)
    additions: list[tuple[datetime, int]] = field(default_factory=list)
    opened_at: dict[int, datetime] = field(default_factory=dict)
    deploy_checks: list[tuple[float, float]] = field(default_factory=list)
    free_checks: list[tuple[float, float]] = field(default_factory=list)
    sizing_disagreements: list[list[str]] = field(default_factory=list)
    closing_time: list[datetime] = field(default_factory=list)

    @property
    def equity(self) -> float:
        return self.start_balance + sum(p for _, p, _ in self.realized)

    @property
    def open_stake(self) -> float:
        return sum(p.stake for p in self.positions)

    def snapshot(self) -> LedgerSnapshot:
        return period_snapshot(
            self.now,
            self.start_balance,
            self.risk.daily_reset,
            equity=self.equity,
            open_stake=self.open_stake,
            events=[RealizedEvent(t, p, tid) for t, p, tid in self.realized],
        )

    def streak(self) -> tuple[int, datetime | None]:
        count = loss_streak(p.pnl for p in reversed(self.closed))
        return count, (self.closing_time[-1] if self.closed else None)

    def _exit(self, position: Position, price: float, share: float) -> None:
        qty = position.amount * share
        pnl = exit_pnl(qty, price, position.entry, position.fee, position.fee, position.short)
        position.pnl += pnl
        position.amount -= qty
        position.stake *= 1 - share
        self.realized.append((self.now, pnl, position.trade_id))

    def step(self, s: Step) -> None:
        self.now += timedelta(minutes=s.minutes)
        for position in list(self.positions):
            position.price *= 1 + s.market_return
            if position.short:
                hit = position.price >= position.stop
            else:
                hit = position.price <= position.stop
            if hit:
                slip = self.risk.slippage * s.slip_used
                fill = position.stop * (1 + slip if position.short else 1 - slip)
                self._exit(position, fill, 1.0)
            elif s.exit_action == "partial" and not position.partial_done:
                position.partial_done = True
                self._exit(position, position.price, s.exit_share)
                continue
            elif s.exit_action == "close":
                self._exit(position, position.price, 1.0)
            else:
                continue
            self.positions.remove(position)
            self.closed.append(position)
            self.closing_time.append(self.now)
        reserve = self.risk.reserve_amount(self.start_balance)
        self.free_checks.append((self.equity - self.open_stake, reserve))
        if s.enter:
            self._try_entry(s)

    def close_all(self) -> None:
        """End of the sequence: exit every open position at its last price, 5 minutes later."""
        self.now += timedelta(minutes=5)
        for position in list(self.positions):
            self._exit(position, position.price, 1.0)
            self.positions.remove(position)
            self.closed.append(position)
            self.closing_time.append(self.now)

    def _try_entry(self, s: Step) -> None:
        snap = self.snapshot()
        streak, last_close = self.streak()
        if lock_violations(self.risk, snap, streak, last_close):
            return
        leverage = s.leverage if self.trading_mode == "futures" else 1.0
        account = Account(self.start_balance, snap.equity, snap.open_stake)
        args = {
            "stop_distance": s.stop_distance,
            "leverage": leverage,
            "is_short": s.short,
            "fee": self.sizing_fee,
            "trading_mode": self.trading_mode,
        }
        decision = size_stake(
            self.risk,
            account,
            **args,
            proposed_stake=1e12,
            min_stake=self.min_stake,
            max_stake=1e12,
        )
        if decision.stake <= 0:
            return
        broken = entry_violations(self.risk, account, stake=decision.stake, **args)
        if broken:
            self.sizing_disagreements.append(broken)
            return
        trade_id = len(self.entries) + 1
        entry = 100.0
        stop = entry * (1 + s.stop_distance if s.short else 1 - s.stop_distance)
        self.positions.append(
            Position(
                trade_id=trade_id,
                opened=self.now,
                short=s.short,
                entry=entry,
                amount=decision.stake * leverage / entry,
                stake=decision.stake,
                stop=stop,
                fee=s.fee,
                cap=decision.cap,
                price=entry,
            )
        )
        self.entries.append((self.now, trade_id))
        self.opened_at[trade_id] = self.now
        self.deploy_checks.append((self.open_stake, self.risk.deploy_limit(snap.equity)))
