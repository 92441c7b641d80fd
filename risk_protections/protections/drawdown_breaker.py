"""DrawdownBreaker: global lock while realized equity is more than ``max_drawdown`` below its peak.

Peak = the highest realized equity the account has had: the starting balance and the balance
after every closed trade (with ``risk.account``, every bot's), in close order
(``rules.equity_peak``); equity ``E`` = starting balance
+ realized profit (partial exits of open trades included). When ``1 − E / peak`` exceeds
``max_drawdown`` at an exit, every pair is locked for ``stop_duration`` minutes from the latest
close (the cool-down), and the lock is renewed at each exit while the drawdown lasts. Defaults:
``risk.max_drawdown`` (5 %) and ``risk.drawdown_pause_minutes`` (one week).

Freqtrade's ``MaxDrawdown`` cannot say this: it measures the worst drawdown *inside* its lookback
window (a peak before the window is ignored, a trough already recovered from still locks).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from freqtrade.constants import Config, LongShort
from freqtrade.plugins.protections import ProtectionReturn

from risk_protections.config import DEFAULTS, check_share
from risk_protections.protections.base import GlobalRiskProtection
from risk_protections.rules import drawdown_from_peak, equity_peak

_DURATION_KEYS = ("stop_duration", "stop_duration_candles", "unlock_at")


class DrawdownBreaker(GlobalRiskProtection):
    """Lock all pairs for a cool-down while ``1 − E / peak > max_drawdown``."""

    def __init__(self, config: Config, protection_config: dict[str, Any]) -> None:
        if not any(key in protection_config for key in _DURATION_KEYS):
            protection_config = {**protection_config,
                                 "stop_duration": DEFAULTS["drawdown_pause_minutes"]}
        super().__init__(config, protection_config)
        name = f"protections.{self.name}"
        self._max_drawdown = check_share(
            protection_config.get("max_drawdown", DEFAULTS["max_drawdown"]),
            f"{name}.max_drawdown",
        )
        self.check_cool_down(name)

    def short_desc(self) -> str:
        return (
            f"{self.name} - lock all pairs {self.unlock_reason_time_element} while realized "
            f"equity is more than {self._max_drawdown:.1%} below its peak."
        )

    def account_stop(
        self, date_now: datetime, side: LongShort, starting_balance: float
    ) -> ProtectionReturn | None:
        view = self.account(date_now, starting_balance)
        closed = sorted((c for b in view.books for c in b.closed), key=lambda c: c.close_date)
        start, equity = view.snapshot.starting_balance, view.snapshot.equity
        peak = equity_peak(start, (c.profit for c in closed), equity)
        if not closed or equity >= peak * (1 - self._max_drawdown):
            return None
        drawdown = drawdown_from_peak(peak, equity)
        until = closed[-1].close_date + timedelta(minutes=self._stop_duration)
        if until <= date_now:
            return None
        last = closed[-1]
        note = f" (account of {len(view.books)} bots; last exit {last.bot}'s trade " \
            f"{last.trade_id})" if view.shared else ""
        reason = (
            f"{self.name}: equity {equity:.2f} is {drawdown:.2%} below its peak {peak:.2f} "
            f"(limit {self._max_drawdown:.1%}){note}; locked until {until:%Y-%m-%d %H:%M} UTC."
        )
        return self.lock(reason, until)
