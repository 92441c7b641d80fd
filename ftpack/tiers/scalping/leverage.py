"""Leverage ladder of the scalper.

    L = base + 1 (high-confidence setup) + 1 (low volatility) − 1 (last closed trade lost)
    L = min(L, 2)                        while equity is more than 5 % below its peak
    L = min(L, milestone cap, config cap, market maximum), and never below 1.

Milestone caps follow a $50 → $75 → $100 → $150 account ladder, scaled to any account by the
growth ratio equity / starting equity: below 1.5× at most 5×, below 2× at most 8×, from 2× on
at most 10×.
"""

from __future__ import annotations

from dataclasses import dataclass

# (growth ratio upper bound, leverage cap): $50→$75 = 1.5×, →$100 = 2×, →$150 = 3×.
MILESTONES: tuple[tuple[float, float], ...] = ((1.5, 5.0), (2.0, 8.0), (3.0, 10.0))
DRAWDOWN_LIMIT = 0.05
DRAWDOWN_CAP = 2.0


@dataclass(frozen=True)
class LeverageInputs:
    """Everything the ladder looks at for one entry."""

    base: float
    high_confidence: bool
    low_volatility: bool
    last_trade_lost: bool
    equity: float
    peak_equity: float
    start_equity: float
    config_cap: float
    market_max: float


def milestone_cap(equity: float, start_equity: float) -> float:
    """Leverage cap for the account's growth ratio equity / start_equity (see MILESTONES)."""
    growth = equity / start_equity if start_equity > 0 else 1.0
    for upper, cap in MILESTONES:
        if growth < upper:
            return cap
    return MILESTONES[-1][1]


def drawdown(equity: float, peak_equity: float) -> float:
    """Fraction below the peak: 1 − equity / peak (0 when at or above the peak)."""
    if peak_equity <= 0:
        return 0.0
    return max(0.0, 1.0 - equity / peak_equity)


def choose_leverage(inp: LeverageInputs) -> float:
    """Apply the ladder in the documented order; returns a leverage ≥ 1."""
    lev = inp.base + float(inp.high_confidence) + float(inp.low_volatility)
    lev -= float(inp.last_trade_lost)
    if drawdown(inp.equity, inp.peak_equity) > DRAWDOWN_LIMIT:
        lev = min(lev, DRAWDOWN_CAP)
    lev = min(lev, milestone_cap(inp.equity, inp.start_equity), inp.config_cap, inp.market_max)
    return max(1.0, lev)


def realized_peak(start_equity: float, closed_profits: list[float]) -> float:
    """Highest realized equity so far: start + max(0, max running sum of closed-trade profits)."""
    running, best = 0.0, 0.0
    for profit in closed_profits:
        running += profit
        best = max(best, running)
    return start_equity + best
