"""The risk promise in plain words, with the numbers computed from the rules and the pairs' gaps.

For an account ``B`` (fresh: ``E = B``, nothing open), cap ``c = risk.trade_cap(B, B)``, the
pairs' gaps ``g`` (``pair_gaps.GapTable``), the sizing fee ``f`` and ``k = loss_per_notional``:

* at the stop: a trade loses at most ``c`` (sizing's ``trade_cap`` rule);
* under its pair's worst recorded gap: ``X = max over pairs and sides of N_max * k(g)``, with
  ``N_max`` the largest notional of one position (``gap_data.max_notional``; with no stop given,
  for any stop: the stop rule is left out), so ``X <= gap_cap_multiple * c``;
* correlated crash, every open position in its pair's worst hour at once:
  ``Y = min(crash_day_multiple * daily limit, max_deployed * B * L * max k(g))``
  (``L`` = ``max_leverage`` in futures, 1 in spot).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from risk_protections.config import RiskConfig
from risk_protections.gap_data import gap_lines, max_notional
from risk_protections.pair_gaps import GapTable
from risk_protections.sizing import loss_per_notional

#: A stop this close leaves the stop rule out of ``max_notional`` (the promise for any stop).
ANY_STOP = 1e-9


@dataclass(frozen=True)
class Promise:
    """The three bounds in stake currency, with the pair and side of the worst gap."""

    balance: float
    cap: float
    gap_loss: float
    gap_pair: str
    gap: float
    crash_loss: float
    crash_limit: float
    daily_limit: float

    def lines(self, currency: str = "") -> list[str]:
        unit = f" {currency}" if currency else ""
        return [
            f"for a {self.balance:.2f}{unit} account: a trade stopped out loses at most "
            f"{self.cap:.2f}{unit}; a position caught in its pair's worst recorded move loses at "
            f"most {self.gap_loss:.2f}{unit} (worst: {self.gap_pair}, {self.gap:.1%});",
            f"every open position in its pair's worst recorded hour at once loses at most "
            f"{self.crash_loss:.2f}{unit} (crash bound {self.crash_limit:.2f}{unit}); realized "
            f"losses stop new entries for the day at {self.daily_limit:.2f}{unit}.",
        ]


def promise(
    risk: RiskConfig,
    balance: float,
    table: GapTable,
    pairs: Iterable[str],
    *,
    fee: float,
    trading_mode: str,
    stop_distance: float | None = None,
) -> Promise:
    """The ``Promise`` of ``risk`` for ``pairs`` on a fresh account of ``balance``."""
    stop = stop_distance if stop_distance is not None else ANY_STOP
    worst = (0.0, "", 0.0)
    worst_k = 0.0
    leverage = risk.max_leverage if trading_mode == "futures" else 1.0
    for pair in pairs:
        for is_short in (False, True) if trading_mode == "futures" else (False,):
            gap = table.gap(pair, is_short)
            notional, _ = max_notional(
                risk, balance, gap=gap, stop_distance=stop, fee=fee, is_short=is_short,
                leverage=leverage, any_stop=stop_distance is None,
            )
            k = loss_per_notional(gap, fee, 0.0, is_short)
            worst_k = max(worst_k, k)
            worst = max(worst, (notional * k, pair, gap))
    crash_limit = risk.crash_limit(balance)
    deployable = risk.deploy_limit(balance) * leverage * worst_k
    return Promise(
        balance=balance,
        cap=risk.trade_cap(balance, balance),
        gap_loss=worst[0],
        gap_pair=worst[1],
        gap=worst[2],
        crash_loss=min(crash_limit, deployable),
        crash_limit=crash_limit,
        daily_limit=risk.daily_limit(balance),
    )


def startup_lines(
    risk: RiskConfig,
    balance: float,
    table: GapTable,
    pairs: list[str],
    *,
    fee: float,
    trading_mode: str,
    stop_distance: float,
    currency: str = "",
) -> list[str]:
    """What a bot logs at start: each pair's gap and max notional, then the promise."""
    lines = gap_lines(
        table, pairs, risk, balance, stop_distance=stop_distance, fee=fee, currency=currency
    )
    kept = promise(risk, balance, table, pairs, fee=fee, trading_mode=trading_mode)
    return lines + [f"promise {line}" for line in kept.lines(currency)]
