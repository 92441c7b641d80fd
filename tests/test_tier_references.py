"""Every tier's backtest on the bundled data gives exactly its reference trades.

The references (``tests/references/<Strategy>.csv``) hold each trade's pair, side, dates, rates,
amounts, stake, leverage, profit, funding, exit reason, entry tag and exit fills. A change that
alters any trade fails here. A tier redesign that changes trades on purpose regenerates them
(and says so in its commit):

    .venv/bin/python tests/tier_references.py [StablecoinSpread|SmallCapMomentum|PerpScalper]
"""

from __future__ import annotations

import pytest
from tier_references import RUNS, backtest, read


@pytest.mark.slow
@pytest.mark.parametrize("strategy", sorted(RUNS))
def test_backtest_gives_the_reference_trades(in_repo, bt_trades, strategy: str) -> None:
    run = RUNS[strategy]
    expected = read(run)
    assert expected, f"{run.path} holds no trade: pick a window with trades"
    actual = backtest(run)
    assert len(actual) == len(expected)
    for number, (got, want) in enumerate(zip(actual, expected, strict=True), start=1):
        assert got == want, f"{strategy} trade {number} differs"
