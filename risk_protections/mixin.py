"""RiskManagedMixin: the one strategy-side risk layer every tier inherits.

``class Tier(RiskManagedMixin, IStrategy)`` gets the risk protections from ``config["risk"]``,
startup validation, risk-capped stake sizing, an entry veto and a daily risk summary. Every
decision reads the account from Freqtrade's trades (see ``ledger``), never from memory, and
fails closed: an internal error refuses the entry instead of letting Freqtrade's default run.
"""

from __future__ import annotations

import inspect
import logging
from datetime import datetime
from typing import Any

from freqtrade.enums import RunMode
from freqtrade.exceptions import ConfigurationError
from freqtrade.persistence import PairLocks
from freqtrade.strategy import IStrategy

from risk_protections.config import RiskConfig, parse_risk_config, validate_against_wallet
from risk_protections.evidence import live_gate
from risk_protections.guards import guard_violations
from risk_protections.ledger import LedgerSnapshot, day_start, loss_streak, snapshot
from risk_protections.market_checks import market_fee, validate_markets
from risk_protections.sizing import Account, entry_violations, size_stake
from risk_protections.summary import risk_summary

logger = logging.getLogger(__name__)

_LIVE_MODES = (RunMode.DRY_RUN, RunMode.LIVE)


def risk_protection_list(risk: RiskConfig) -> list[dict[str, Any]]:
    """Freqtrade ``protections`` entries for the four risk protections of ``risk``."""
    absolute = risk.absolute
    reset = f"{risk.daily_reset:%H:%M}"
    daily = {"method": "DailyLossGuard", "max_loss": risk.daily_loss_limit, "reset_time": reset}
    weekly = {"method": "WeeklyLossGuard", "max_loss": risk.weekly_loss_limit, "reset_time": reset}
    reserve: dict[str, Any] = {"method": "ReserveGuard", "reserve": risk.reserve}
    if "daily_loss_limit_abs" in absolute:
        daily["max_loss_abs"] = absolute["daily_loss_limit_abs"]
    if "weekly_loss_limit_abs" in absolute:
        weekly["max_loss_abs"] = absolute["weekly_loss_limit_abs"]
    if "reserve_abs" in absolute:
        reserve["reserve_abs"] = absolute["reserve_abs"]
    pause = {
        "method": "ConsecutiveLossPause",
        "max_losses": risk.consecutive_losses,
        "stop_duration": risk.pause_minutes,
    }
    return [daily, weekly, pause, reserve]


class RiskManagedMixin(IStrategy):
    """Mix in before ``IStrategy``. Tiers may set ``risk_extra_protections`` (appended).

    It subclasses IStrategy (abstract, never used alone) so that Freqtrade's hyperopt, which
    registers every strategy base class's module for pickling by value until it meets
    ``IStrategy``, stops there instead of walking on to ``object`` (and ``builtins``).
    """

    risk_extra_protections: list[dict[str, Any]] = []

    # --- configuration -------------------------------------------------------------------
    @property
    def risk_config(self) -> RiskConfig:
        """The validated ``config["risk"]`` (parsed once per strategy instance)."""
        cached = self.__dict__.get("_risk_config")
        if cached is None:
            cached = parse_risk_config(self.config.get("risk"))
            self.__dict__["_risk_config"] = cached
        return cached

    @property
    def protections(self) -> list[dict[str, Any]]:  # type: ignore[override]
        """The four risk protections from ``config["risk"]`` plus ``risk_extra_protections``."""
        return risk_protection_list(self.risk_config) + list(self.risk_extra_protections)

    def risk_starting_balance(self) -> float:
        """Account size at start: Freqtrade's starting balance (``dry_run_wallet`` offline)."""
        if self.wallets is not None:
            return float(self.wallets.get_starting_balance())
        return float(self.config.get("available_capital") or self.config["dry_run_wallet"])

    def risk_snapshot(self, now: datetime) -> LedgerSnapshot:
        """Equity, open stake and this day's / week's realized P&L at ``now``."""
        return snapshot(now, self.risk_starting_balance(), self.risk_config.daily_reset)

    def bot_start(self, **kwargs: Any) -> None:
        """Validate ``config["risk"]`` against the wallet and markets; enable exchange stops."""
        if not isinstance(inspect.getattr_static(type(self), "protections"), property):
            raise ConfigurationError(
                f"{type(self).__name__}.protections: a RiskManagedMixin tier must not replace "
                "the risk protections; list extra ones in risk_extra_protections."
            )
        risk = self.risk_config
        wallet = self.risk_starting_balance()
        validate_against_wallet(risk, wallet)
        exchange = getattr(self.dp, "_exchange", None)
        pairs = list(self.config.get("exchange", {}).get("pair_whitelist") or [])
        if exchange is not None:
            validate_markets(risk, exchange, pairs, wallet=wallet, stoploss=self.stoploss)
        self.__dict__["_risk_fee"] = market_fee(risk, self.config, exchange, pairs)
        if (
            risk.stoploss_on_exchange
            and exchange is not None
            and self.config.get("runmode") in _LIVE_MODES
            and exchange.get_option("stoploss_on_exchange", False)
            and not self.order_types.get("stoploss_on_exchange")
        ):
            self.order_types = {**self.order_types, "stoploss_on_exchange": True}
            logger.info("risk: stoploss_on_exchange enabled (the exchange supports it).")
        self.__dict__["_risk_pending"] = {}
        self.__dict__["_risk_gate"] = live_gate(self, risk.allow_live_without_edge)

    # --- sizing --------------------------------------------------------------------------
    def risk_fee(self) -> float:
        """Fee per side assumed by sizing: max of risk.fee_rate, config fee and market fees."""
        return self.__dict__.get("_risk_fee", self.risk_config.fee_rate)

    def risk_stake(
        self,
        *,
        pair: str,
        current_time: datetime,
        entry_rate: float,
        stop_distance: float,
        leverage: float,
        side: str,
        proposed_stake: float,
        min_stake: float | None,
        max_stake: float,
    ) -> float:
        """Largest stake within every rule (``sizing.size_stake``); 0.0 = do not trade (logged).

        ``stop_distance`` is the price fraction from ``entry_rate`` to the stop.
        """
        try:
            snap = self.risk_snapshot(current_time)
            decision = size_stake(
                self.risk_config,
                Account(snap.starting_balance, snap.equity, snap.open_stake),
                stop_distance=stop_distance,
                leverage=leverage,
                is_short=side == "short",
                fee=self.risk_fee(),
                trading_mode=self.config.get("trading_mode", "spot"),
                proposed_stake=proposed_stake,
                min_stake=min_stake,
                max_stake=max_stake,
            )
        except Exception:
            logger.exception(f"risk: sizing failed for {pair}; not trading.")
            return 0.0
        if decision.stake <= 0:
            logger.info(
                f"risk: no {side} entry on {pair} at {entry_rate}: rule {decision.rule} "
                f"(bounds {_fmt(decision.bounds)}, min_stake {min_stake})."
            )
            return 0.0
        self.__dict__.setdefault("_risk_pending", {})[pair] = (stop_distance, leverage)
        return decision.stake

    def custom_stake_amount(
        self,
        pair: str,
        current_time: datetime,
        current_rate: float,
        proposed_stake: float,
        min_stake: float | None,
        max_stake: float,
        leverage: float,
        entry_tag: str | None,
        side: str,
        **kwargs: Any,
    ) -> float:
        """Risk-capped stake with the strategy stop: price distance ``|stoploss| / leverage``."""
        return self.risk_stake(
            pair=pair,
            current_time=current_time,
            entry_rate=current_rate,
            stop_distance=abs(self.stoploss) / leverage,
            leverage=leverage,
            side=side,
            proposed_stake=proposed_stake,
            min_stake=min_stake,
            max_stake=max_stake,
        )

    # --- entry veto ----------------------------------------------------------------------
    def risk_entry_violations(
        self, pair: str, amount: float, rate: float, current_time: datetime, side: str
    ) -> list[str]:
        """Every rule an entry of ``amount`` at ``rate`` would break, with the amounts."""
        risk = self.risk_config
        stop_distance, leverage = self.__dict__.get("_risk_pending", {}).get(
            pair, (abs(self.stoploss), 1.0)
        )
        snap = self.risk_snapshot(current_time)
        violations = entry_violations(
            risk,
            Account(snap.starting_balance, snap.equity, snap.open_stake),
            stake=amount * rate / leverage,
            stop_distance=stop_distance,
            leverage=leverage,
            is_short=side == "short",
            fee=self.risk_fee(),
            trading_mode=self.config.get("trading_mode", "spot"),
        )
        streak, last_close = loss_streak()
        violations += guard_violations(risk, snap, streak, last_close)
        return violations

    def confirm_trade_entry(
        self,
        pair: str,
        order_type: str,
        amount: float,
        rate: float,
        time_in_force: str,
        current_time: datetime,
        entry_tag: str | None,
        side: str,
        **kwargs: Any,
    ) -> bool:
        """Refuse (and log the rules) an entry that breaks any risk rule; fail closed.

        Live entries are refused unless the evaluator's evidence is current and shows an edge
        (``risk_protections.evidence``) or ``risk.allow_live_without_edge`` is true.
        """
        live = self.config.get("runmode") == RunMode.LIVE
        if live and not self.risk_config.allow_live_without_edge:
            gate = self.__dict__.get("_risk_gate") or live_gate(self, False)
            self.__dict__["_risk_gate"] = gate
            if not gate.edge:
                logger.info(f"risk: refused {side} entry on {pair}: live gate {gate.text()}.")
                return False
        try:
            violations = self.risk_entry_violations(pair, amount, rate, current_time, side)
        except Exception:
            logger.exception(f"risk: entry check failed for {pair}; refusing the entry.")
            return False
        if violations:
            logger.info(f"risk: refused {side} entry on {pair}: {'; '.join(violations)}.")
            return False
        return True

    # --- messages ------------------------------------------------------------------------
    def bot_loop_start(self, current_time: datetime, **kwargs: Any) -> None:
        """Dry-run/live: send the risk summary once per risk day and on every new global lock."""
        if self.config.get("runmode") not in _LIVE_MODES:
            return
        risk = self.risk_config
        announced: set = self.__dict__.setdefault("_risk_announced", set())
        today = day_start(current_time, risk.daily_reset)
        new_locks = [
            lock
            for lock in PairLocks.get_pair_locks("*", now=current_time)
            if (lock.reason, lock.lock_end_time) not in announced
        ]
        if today in announced and not new_locks:
            return
        announced.add(today)
        announced.update((lock.reason, lock.lock_end_time) for lock in new_locks)
        gate = self.__dict__["_risk_gate"] = live_gate(self, risk.allow_live_without_edge)
        text = risk_summary(
            risk,
            self.risk_snapshot(current_time),
            currency=self.config.get("stake_currency", ""),
            locks=[lock.reason or "" for lock in new_locks],
            gate=gate,
        )
        self.dp.send_msg(text, always_send=True)


def _fmt(bounds: dict[str, float]) -> str:
    return ", ".join(f"{k}={v:.2f}" for k, v in bounds.items())
