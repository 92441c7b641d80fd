"""Position additions (adjust_trade_position) capped so the whole position's loss at its stop
stays within the per-trade cap (risk_protections/dca.py)."""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from freqtrade.enums import RunMode
from freqtrade.persistence import LocalTrade
from hypothesis import given, settings
from hypothesis import strategies as st
from risk_helpers import make_trade

from packtest import StubDataProvider
from risk_protections.dca import Position, loss_at_stop, max_addition, position_of
from risk_protections.guarded import guarded_class
from risk_protections.pair_gaps import AdverseMoves, gap_table
from risk_protections.sizing import loss_per_notional

sys.path.insert(0, str(Path(__file__).parent / "strategies"))
from RiskProbe import EmaCrossCore, RiskProbe

NOW = datetime(2025, 6, 4, 12, tzinfo=UTC)


def test_the_formula_by_hand() -> None:
    # 1 unit long at 100, stop 90, no fees or slippage: 10 lost at the stop. With a cap of 20,
    # adding at 95 costs 1 - 90/95 per unit of notional at the stop: at most 190 notional.
    pos = Position(amount=1.0, average=100.0, stop=90.0, realized=0.0, leverage=1.0, is_short=False)
    assert loss_at_stop(pos, 0.0, 95.0, 0.0, 0.0) == pytest.approx(10.0)
    assert max_addition(pos, 95.0, 0.0, 0.0, 20.0) == pytest.approx(190.0)
    assert loss_at_stop(pos, 190.0, 95.0, 0.0, 0.0) == pytest.approx(20.0)
    assert max_addition(pos, 95.0, 0.0, 0.0, 10.0) == 0.0  # the cap is already used
    assert max_addition(pos, 89.0, 0.0, 0.0, 20.0) == 0.0  # past the stop
    short = Position(
        amount=1.0, average=100.0, stop=110.0, realized=-2.0, leverage=2.0, is_short=True
    )
    assert loss_at_stop(short, 0.0, 105.0, 0.0, 0.0) == pytest.approx(12.0)
    # margin = notional / leverage: (20 - 12) / (110/105 - 1) / 2
    assert max_addition(short, 105.0, 0.0, 0.0, 20.0) == pytest.approx(84.0)


@settings(max_examples=2_000, deadline=None)
@given(
    average=st.floats(50, 150),
    stop_share=st.floats(0.005, 0.3),
    move=st.floats(-0.5, 0.99),
    amount=st.floats(0.01, 5),
    realized=st.floats(-20, 20),
    fee=st.floats(0, 0.002),
    slip=st.floats(0, 0.02),
    cap=st.floats(1, 100),
    short=st.booleans(),
    leverage=st.floats(1, 5),
)
def test_the_addition_never_takes_the_position_past_the_cap(
    average: float,
    stop_share: float,
    move: float,
    amount: float,
    realized: float,
    fee: float,
    slip: float,
    cap: float,
    short: bool,
    leverage: float,
) -> None:
    stop = average * (1 + stop_share if short else 1 - stop_share)
    price = stop + (average - stop) * (1 + move)  # between the stop and beyond the entry
    pos = Position(amount, average, stop, realized, leverage, short)
    stake = max_addition(pos, price, fee, slip, cap)
    assert stake >= 0
    after = loss_at_stop(pos, stake * leverage, price, fee, slip)
    assert after <= max(cap, loss_at_stop(pos, 0.0, price, fee, slip)) + 1e-6 * cap


class Dca(RiskProbe):
    position_adjustment_enable = True

    def adjust_trade_position(self, **kwargs: Any) -> tuple[float | None, str | None] | None:
        return 1e6, "dca"


class Wallet:
    def get_starting_balance(self) -> float:
        return 1000.0


def adjust(strategy: Any, trade: Any, rate: float) -> Any:
    return strategy.adjust_trade_position(
        trade=trade,
        current_time=NOW,
        current_rate=rate,
        current_profit=0.0,
        min_stake=5.0,
        max_stake=1e6,
        current_entry_rate=rate,
        current_exit_rate=rate,
        current_entry_profit=0.0,
        current_exit_profit=0.0,
    )


def probe(cls: type, risk: dict | None = None) -> Any:
    s = cls({"risk": risk or {}, "stake_currency": "USDT", "runmode": RunMode.BACKTEST})
    s.wallets = Wallet()
    s.dp = StubDataProvider()
    return s


@pytest.mark.parametrize(
    "cls",
    [
        Dca,
        guarded_class(
            type(
                "Plain",
                (EmaCrossCore,),
                {"adjust_trade_position": Dca.__dict__["adjust_trade_position"].__wrapped__},
            )
        ),
    ],
)
def test_a_strategys_addition_is_cut_to_the_cap_of_the_whole_position(
    bt_trades: None, cls: type
) -> None:
    # a 15 % gap and a 3 % stop: with gap_cap_multiple 10 (and a crash bound of 10 daily
    # limits) the stop's cap binds
    trade = make_trade(LocalTrade, open_date=NOW - timedelta(hours=1), stake=100.0, fee=0.001)
    LocalTrade.add_bt_trade(trade)
    s = probe(cls, {"gap_cap_multiple": 10.0, "crash_day_multiple": 10.0,
                    "i_accept_larger_losses": True})
    stake, tag = adjust(s, trade, 99.0)
    assert tag == "dca" and 5.0 < stake < 1e6
    cap = s.risk_config.trade_cap(1000.0, 1000.0)  # 10 USDT
    fee, slip = s.risk_fee(), s.risk_config.slippage
    assert loss_at_stop(position_of(trade), stake, 99.0, fee, slip) == pytest.approx(cap, rel=1e-6)
    assert adjust(s, trade, 96.9) == (None, "dca")  # the stop (97) is next to the price: none
    loser = make_trade(
        LocalTrade,
        open_date=NOW - timedelta(hours=3),
        close_date=NOW - timedelta(hours=2),
        close_rate=75.0,
        fee=0.0,
    )
    LocalTrade.add_bt_trade(loser)  # a 25 USDT loss today: the day is locked
    assert adjust(s, trade, 99.0) == (None, "dca")


def test_an_addition_keeps_the_whole_position_within_the_gap_bound(bt_trades: None) -> None:
    # the default 3x cap for a 15 % gap binds before the stop's cap: a 99 -> 84.15 gap loses
    # 30 USDT, the stop at 97 less than 10
    trade = make_trade(LocalTrade, open_date=NOW - timedelta(hours=1), stake=100.0, fee=0.001)
    LocalTrade.add_bt_trade(trade)
    s = probe(Dca)
    stake, _ = adjust(s, trade, 99.0)
    risk, fee = s.risk_config, s.risk_fee()
    cap = risk.trade_cap(1000.0, 1000.0)
    gapped = replace(position_of(trade), stop=99.0 * (1 - risk.gap_for("spot")))
    assert loss_at_stop(gapped, stake, 99.0, fee, 0.0) == pytest.approx(3 * cap, rel=1e-6)
    assert loss_at_stop(position_of(trade), stake, 99.0, fee, risk.slippage) < cap


def test_an_addition_keeps_the_open_positions_within_the_correlated_crash(
    bt_trades: None,
) -> None:
    # ZEC's worst hour 40 % (measured, point in time): 100 USDT of ZEC already open loses
    # 100 * k(40 %) in it; the addition may only fill the rest of 2.5 daily limits (50 USDT)
    trade = make_trade(LocalTrade, open_date=NOW - timedelta(hours=1), stake=100.0, fee=0.001)
    LocalTrade.add_bt_trade(trade)
    s = probe(Dca, {"gap_cap_multiple": 10.0, "i_accept_larger_losses": True})
    table = gap_table({trade.pair: AdverseMoves(0.3, 0.1, 0.40, 0.2, 900)}, s.risk_config, "spot")
    s.risk_gaps_at = lambda when: table  # type: ignore[method-assign]
    stake, _ = adjust(s, trade, 99.0)
    k = loss_per_notional(0.40, s.risk_fee(), 0.0, False)
    assert 100.0 * k + stake * k == pytest.approx(50.0, rel=1e-6)


def test_reductions_pass_unchanged(bt_trades: None) -> None:
    class Reduce(RiskProbe):
        def adjust_trade_position(self, **kwargs: Any) -> Any:
            return -10.0, "part"

    trade = make_trade(LocalTrade, open_date=NOW - timedelta(hours=1), stake=100.0)
    assert adjust(probe(Reduce), trade, 99.0) == (-10.0, "part")
