"""account_model's bots adding to their open positions (``adjust_trade_position``, DCA).

After each step the bot owning an open position may ask to add a generated stake to it; the
request goes through :func:`risk_protections.dca.capped_adjustment`, the wrapper
``RiskManagedMixin`` puts around a strategy's ``adjust_trade_position``, reading the account
every bot reads (``combine`` of all books). The addition that passes is bought at the position's
price with the position's fee: the amount grows, the average entry moves and the position's cap
becomes the per-trade cap in force when it was added.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from account_model import AccountModel
from risk_model import Position

from risk_protections.account import AccountView
from risk_protections.dca import capped_adjustment


def _wanted(self: Any, **kwargs: Any) -> tuple[float, str]:
    return kwargs["wanted"], "dca"


class _Bot:
    """What ``capped_adjustment`` reads of a ``RiskManagedMixin`` strategy, on the model."""

    adjust_trade_position = capped_adjustment(_wanted)

    def __init__(self, model: DcaAccountModel) -> None:
        self.model = model
        self.risk_config = model.risk
        self.config = {"trading_mode": model.trading_mode}

    def risk_account(self, now: datetime) -> AccountView:
        return self.model.view()

    def risk_fee(self) -> float:
        return self.model.sizing_fee


@dataclass(frozen=True)
class Addition:
    """One generated request: add ``share`` of the equity to the open position picked."""

    pick: int
    share: float


def decode_addition(b: bytes) -> Addition | None:
    """None (no request) for a quarter of the steps, else a position and a stake up to 60 % of E."""
    if b[0] & 3 == 3:
        return None
    return Addition(pick=b[0] >> 2, share=0.6 * b[1] / 255)


@dataclass
class DcaAccountModel(AccountModel):
    def add(self, request: Addition | None) -> None:
        if request is None or not self.positions:
            return
        position = self.positions[request.pick % len(self.positions)]
        snap = self.view().snapshot
        trade = SimpleNamespace(
            pair="BTC/USDT",
            amount=position.amount,
            open_rate=position.entry,
            stop_loss=position.stop,
            realized_profit=position.pnl,
            leverage=position.amount * position.entry / position.stake,
            is_short=position.short,
        )
        stake, _ = _Bot(self).adjust_trade_position(
            trade=trade,
            current_time=self.now,
            current_rate=position.price,
            min_stake=self.min_stake or None,
            wanted=request.share * snap.equity,
        )
        if stake:
            self._buy(position, stake, trade.leverage)

    def _buy(self, position: Position, stake: float, leverage: float) -> None:
        snap = self.view().snapshot
        amount = stake * leverage / position.price
        cost = position.amount * position.entry + amount * position.price
        position.amount += amount
        position.entry = cost / position.amount
        position.stake += stake
        position.cap = self.risk.trade_cap(snap.equity, snap.starting_balance)
        self.additions.append((self.now, position.trade_id))
        self.deploy_checks.append((self.open_stake, self.risk.deploy_limit(snap.equity)))
        reserve = self.risk.reserve_amount(self.start_balance)
        self.free_checks.append((self.equity - self.open_stake, reserve))
