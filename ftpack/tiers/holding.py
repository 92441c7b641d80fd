"""Maximum holding time, one rule for every tier: a trade is held at most ``max_minutes``.

:func:`timed_out` is the rule a ``custom_exit`` asks (tiers 2 and 3). :func:`timeout_roi` states
the same limit as a Freqtrade ``minimal_roi`` table (tier 1): the step to −1 at ``max_minutes``
exits at the next candle open at any price once the trade is that old, and Freqtrade's
backtester checks it without the deep copy of the trade that every ``custom_exit`` call costs
per open trade and candle.
"""

from __future__ import annotations

from datetime import datetime, timedelta


def timed_out(open_time: datetime, now: datetime, max_minutes: float) -> bool:
    """True once the trade has been open for at least ``max_minutes``."""
    return now - open_time >= timedelta(minutes=max_minutes)


def timeout_roi(max_minutes: int, target: float = 100.0) -> dict[str, float]:
    """``minimal_roi`` with ``target`` until ``max_minutes`` and an exit at any price from then:
    ``{"0": target, "<max_minutes>": -1}``.
    """
    return {"0": target, str(max_minutes): -1.0}
