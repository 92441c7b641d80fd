"""RiskManagedMixin: the one strategy-side risk layer every tier inherits.

``class Tier(RiskManagedMixin, IStrategy)`` gets the risk protections from ``config["risk"]``,
startup validation, risk-capped stake sizing, an entry veto and a daily risk summary. Every
decision reads the account from Freqtrade's trades (see ``ledger``), never from memory, and
fails closed: an internal error refuses the entry instead of letting Freqtrade's default run.
"""

from __future__ import annotations

import inspect
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from freqtrade.constants import Config
from freqtrade.enums import RunMode
from freqtrade.persistence import PairLocks, Trade
from freqtrade.strategy import IStrategy
from pandas import DataFrame

from risk_protections.account import (
    AccountView,
    account_lock_violations,
    account_view,
    check_account,
)
from risk_protections.api_safety import refuse_unsafe_api_server
from risk_protections.candle_checks import refuse_bad_candles, scan_data_files
from risk_protections.config import (
    RiskConfig,
    parse_risk_config,
    risk_section,
    validate_against_wallet,
)
from risk_protections.crash import crash_loss, positions_of
from risk_protections.dca import capped_adjustment
from risk_protections.errors import PackConfigError
from risk_protections.evidence import GateStatus, live_gate
from risk_protections.fees import sizing_fee
from risk_protections.gap_data import (
    NO_HISTORY,
    add_received,
    config_gap_history,
    run_start,
)
from risk_protections.ledger import LedgerSnapshot, day_start
from risk_protections.market_checks import validate_markets
from risk_protections.notify import log_channel_gaps
from risk_protections.pair_gaps import GapHistory, GapTable, gap_table
from risk_protections.promise import startup_lines
from risk_protections.sizing import Account, entry_violations, size_stake
from risk_protections.summary import risk_summary

logger = logging.getLogger(__name__)

_LIVE_MODES = (RunMode.DRY_RUN, RunMode.LIVE)
_BACKTEST_MODES = (RunMode.BACKTEST, RunMode.HYPEROPT)


@dataclass(frozen=True)
class PendingEntry:
    """The stop distance (price fraction) and leverage an entry's stake was sized with."""

    stop_distance: float
    leverage: float


def declares_order_type(strategy: IStrategy, key: str) -> bool:
    """True when the tier's own class body sets ``key`` in ``order_types`` (IStrategy's defaults
    do not count; Freqtrade copies the strategy's order_types into the config on load, so the
    config cannot tell a tier's choice from a default).
    """
    tier_classes = type(strategy).__mro__[: type(strategy).__mro__.index(RiskManagedMixin)]
    return any(key in vars(cls).get("order_types", {}) for cls in tier_classes)


def risk_protection_list(risk: RiskConfig) -> list[dict[str, Any]]:
    """Freqtrade ``protections`` entries for the five risk protections of ``risk``."""
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
    breaker = {
        "method": "DrawdownBreaker",
        "max_drawdown": risk.max_drawdown,
        "stop_duration": risk.drawdown_pause_minutes,
    }
    return [daily, weekly, pause, reserve, breaker]


class RiskManagedMixin(IStrategy):
    """Mix in before ``IStrategy``. Tiers may set ``risk_extra_protections`` (appended).

    It subclasses IStrategy (abstract, never used alone) so that Freqtrade's hyperopt, which
    registers every strategy base class's module for pickling by value until it meets
    ``IStrategy``, stops there instead of walking on to ``object`` (and ``builtins``).
    """

    risk_extra_protections: list[dict[str, Any]] = []
    order_types: dict[str, Any]  # IStrategy's; the tier's or the config's value

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """A tier's own ``adjust_trade_position`` is capped by ``dca.capped_adjustment``."""
        super().__init_subclass__(**kwargs)
        if "adjust_trade_position" in vars(cls):
            cls.adjust_trade_position = capped_adjustment(vars(cls)["adjust_trade_position"])

    def __init__(self, config: Config) -> None:
        refuse_unsafe_api_server(config)
        super().__init__(config)
        self._risk_config: RiskConfig | None = None
        self._risk_fee: float | None = None
        self._risk_announced: set[Any] = set()
        #: Per pair, what ``risk_stake`` sized the pending entry with, for the entry veto.
        self.risk_pending: dict[str, PendingEntry] = {}
        #: Per pair, candle times the raw data files hold bad rows at (backtests), and the
        #: data problems already logged.
        self._refused_candles: dict[str, set] = {}
        self._candle_warnings: dict[str, dict[str, Any]] = {}
        #: The live gate's reading of the strategy's evidence (dry-run/live; None elsewhere).
        self._risk_gate: GateStatus | None = None
        #: The pairs' adverse moves point in time (``pair_gaps.GapHistory``): data files read at
        #: start, then the candles a running bot receives (kept in ``_risk_received``).
        self._risk_gaps: GapHistory | None = None
        self._risk_received: dict[str, DataFrame] = {}

    # --- configuration -------------------------------------------------------------------
    @property
    def risk_config(self) -> RiskConfig:
        """The validated ``config["risk"]`` (parsed once per strategy instance)."""
        if self._risk_config is None:
            self._risk_config = parse_risk_config(risk_section(self.config))
        return self._risk_config

    @property
    def protections(self) -> list[dict[str, Any]]:
        """The five risk protections from ``config["risk"]`` plus ``risk_extra_protections``."""
        return risk_protection_list(self.risk_config) + list(self.risk_extra_protections)

    def risk_starting_balance(self) -> float:
        """Account size at start: Freqtrade's starting balance (``dry_run_wallet`` offline)."""
        if self.wallets is not None:
            return float(self.wallets.get_starting_balance())
        return float(self.config.get("available_capital") or self.config["dry_run_wallet"])

    def risk_account(self, now: datetime) -> AccountView:
        """This bot's trades plus, with ``risk.account``, the account's other bots' trades."""
        return account_view(
            self.config, now, self.risk_starting_balance(), self.risk_config.daily_reset
        )

    def risk_snapshot(self, now: datetime) -> LedgerSnapshot:
        """Equity, open stake and this day's / week's realized P&L of the account at ``now``."""
        return self.risk_account(now).snapshot

    def bot_start(self, **kwargs: Any) -> None:
        """Validate ``config["risk"]`` against the wallet and markets; enable exchange stops."""
        if not isinstance(inspect.getattr_static(type(self), "protections"), property):
            raise PackConfigError(
                f"{type(self).__name__}.protections: a RiskManagedMixin tier must not replace "
                "the risk protections; list extra ones in risk_extra_protections."
            )
        risk = self.risk_config
        wallet = self.risk_starting_balance()
        validate_against_wallet(risk, wallet, self.config.get("stake_currency", ""))
        check_account(self.config)
        exchange = getattr(self.dp, "_exchange", None)
        pairs = list(self.config.get("exchange", {}).get("pair_whitelist") or [])
        if exchange is not None:
            validate_markets(risk, exchange, pairs, wallet=wallet, stoploss=self.stoploss)
        markets = exchange.markets if exchange is not None else {}
        self._risk_fee = sizing_fee(risk.fee_rate, self.config, markets, pairs)
        self._risk_gaps = config_gap_history(self.config, risk, pairs, self.timeframe)
        start = run_start(self.config)
        logger.info(
            "risk: gaps known at the start of the run "
            + (f"({start:%Y-%m-%d %H:%M} UTC); each entry is sized with those known at its time"
               if start != NO_HISTORY else "(no timerange start: none; the floor and overrides)")
        )
        for line in startup_lines(
            risk, wallet, self.risk_gaps_at(start), pairs, fee=self.risk_fee(),
            trading_mode=self.config.get("trading_mode", "spot"),
            stop_distance=abs(self.stoploss), currency=self.config.get("stake_currency", ""),
        ):
            logger.info(f"risk: {line}")
        if (
            risk.stoploss_on_exchange
            and exchange is not None
            and self.config.get("runmode") in _LIVE_MODES
            and exchange.get_option("stoploss_on_exchange", False)
            and not self.order_types.get("stoploss_on_exchange")
        ):
            self._enable_exchange_stop()
        self.risk_pending.clear()
        if self.config.get("runmode") in _BACKTEST_MODES and "datadir" in self.config:
            self._refused_candles = scan_data_files(self.config, pairs, self.timeframe)
        if self.config.get("runmode") in _LIVE_MODES:
            log_channel_gaps(self.config)
        self._risk_gate = live_gate(self, risk.allow_live_without_edge)

    def _enable_exchange_stop(self) -> None:
        """``risk.stoploss_on_exchange``: exchange-side stops for a tier that leaves the choice
        open; a tier whose ``order_types`` sets the key keeps its value.
        """
        name = type(self).__name__
        if declares_order_type(self, "stoploss_on_exchange"):
            logger.info(
                f"risk: {name} sets stoploss_on_exchange to False; kept "
                "(risk.stoploss_on_exchange applies to tiers that leave it unset)."
            )
            return
        self.order_types = {**self.order_types, "stoploss_on_exchange": True}
        logger.info(f"risk: stoploss_on_exchange enabled for {name} (the exchange supports it).")

    # --- data checks ---------------------------------------------------------------------
    def advise_entry(self, dataframe: DataFrame, metadata: dict) -> DataFrame:
        """The tier's entry signals, cleared on candles that fail ``candle_checks`` (logged)."""
        pair = metadata["pair"]
        return refuse_bad_candles(
            super().advise_entry(dataframe, metadata),
            pair,
            self.timeframe,
            self._refused_candles.get(pair, set()),
            self._candle_warnings.setdefault(pair, {}),
        )

    # --- sizing --------------------------------------------------------------------------
    def risk_fee(self) -> float:
        """Fee per side assumed by sizing: max of risk.fee_rate, config fee and market fees."""
        return self.risk_config.fee_rate if self._risk_fee is None else self._risk_fee

    def risk_gaps_at(self, when: datetime) -> GapTable:
        """The pairs' gaps known at ``when`` (before start: the owner's overrides and the floor)."""
        if self._risk_gaps is None:
            return gap_table({}, self.risk_config, self.config.get("trading_mode", "spot"))
        return self._risk_gaps.at(when)

    def risk_sizing_account(self, snap: LedgerSnapshot, gaps: GapTable) -> Account:
        """The sizing ``Account`` of ``snap``, with the open positions' crash loss at ``gaps``."""
        positions = positions_of(Trade.get_trades_proxy(is_open=True))
        crashed = crash_loss(positions, gaps.gap, self.risk_fee())
        return Account(snap.starting_balance, snap.equity, snap.open_stake, crashed)

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
            gaps = self.risk_gaps_at(current_time)
            decision = size_stake(
                self.risk_config,
                self.risk_sizing_account(self.risk_snapshot(current_time), gaps),
                stop_distance=stop_distance,
                leverage=leverage,
                is_short=side == "short",
                fee=self.risk_fee(),
                trading_mode=self.config.get("trading_mode", "spot"),
                proposed_stake=proposed_stake,
                min_stake=min_stake,
                max_stake=max_stake,
                pair=pair,
                gap=gaps.gap(pair, side == "short"),
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
        self.risk_pending[pair] = PendingEntry(stop_distance, leverage)
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
        pending = self.risk_pending.get(pair) or PendingEntry(abs(self.stoploss), 1.0)
        stop_distance, leverage = pending.stop_distance, pending.leverage
        view = self.risk_account(current_time)
        snap = view.snapshot
        gaps = self.risk_gaps_at(current_time)
        violations = entry_violations(
            risk,
            self.risk_sizing_account(snap, gaps),
            stake=amount * rate / leverage,
            stop_distance=stop_distance,
            leverage=leverage,
            is_short=side == "short",
            fee=self.risk_fee(),
            trading_mode=self.config.get("trading_mode", "spot"),
            pair=pair,
            gap=gaps.gap(pair, side == "short"),
        )
        return violations + account_lock_violations(risk, view)

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
            if self._risk_gate is None:
                self._risk_gate = live_gate(self, False)
            gate = self._risk_gate
            if gate is None or not gate.edge:
                reading = gate.text() if gate is not None else "not judged"
                logger.info(f"risk: refused {side} entry on {pair}: live gate {reading}.")
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

    def _risk_add_received_candles(self) -> None:
        """Add the whitelisted pairs' candles received since the last loop to their gaps."""
        gaps = self._risk_gaps or GapHistory(
            {}, {}, self.risk_config, self.config.get("trading_mode", "spot")
        )
        try:
            self._risk_gaps = add_received(
                gaps, self._risk_received, self.dp.current_whitelist(),
                lambda p: self.dp.get_pair_dataframe(p, self.timeframe), self.timeframe,
            )
        except Exception:
            logger.exception("risk: adding received candles to the gaps failed; last ones kept.")

    # --- messages ------------------------------------------------------------------------
    def bot_loop_start(self, current_time: datetime, **kwargs: Any) -> None:
        """Dry-run/live: add the candles received to the gaps; send the risk summary once per risk
        day and on every new global lock."""
        if self.config.get("runmode") not in _LIVE_MODES:
            return
        self._risk_add_received_candles()
        risk = self.risk_config
        announced = self._risk_announced
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
        gate = self._risk_gate = live_gate(self, risk.allow_live_without_edge)
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
