"""SmallCapMomentum entry and exit rules on small hand-built frames with known answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from freqtrade.configuration import Configuration
from freqtrade.enums import RunMode, TradingMode
from freqtrade.persistence import LocalTrade
from freqtrade.resolvers import StrategyResolver

from packtest import CONFIG_DIR, StubDataProvider, load_strategy_class
from risk_protections import RiskManagedMixin

N = 200
JUMP = 180  # the breakout candle


def trend(start: str = "2025-05-01 00:00", jump_volume: float = 5.0, step: float = 1e-4):
    """Close rising by ``step`` per candle (0.2 % wick above, 0.25 % below), volume 1; at JUMP
    a candle from the previous close straight to a new high (+1 %) on ``jump_volume``.
    """
    close = 10 * (1 + step) ** np.arange(N)
    high, low, volume = close * 1.002, close * 0.9975, np.ones(N)
    close[JUMP:] *= 1.01
    high[JUMP:], low[JUMP:] = close[JUMP:] * 1.002, close[JUMP:] * 0.9975
    high[JUMP], low[JUMP], volume[JUMP] = close[JUMP], close[JUMP - 1], jump_volume
    return pd.DataFrame(
        {
            "date": pd.date_range(start, periods=N, freq="5min", tz="UTC"),
            "open": np.r_[close[0], close[:-1]],
            "high": high,
            "low": low,
            "close": close,
            "volume": volume,
        }
    )


def strategy(btc: pd.DataFrame, **config):
    strat = load_strategy_class("SmallCapMomentum")(
        {"stake_currency": "USDT", "candle_type_def": "spot", **config}
    )
    strat.dp = StubDataProvider({"BTC/USDT": btc})
    for name, value in {
        "breakout_window": 48,
        "volume_mult": 2.0,
        "er_window": 24,
        "er_min": 0.3,
        "htf_min_roc": 0.0,
        "btc_min_roc": 0.0,
        "flow_surge_min": 1.0,
        "max_hold_minutes": 240,
    }.items():
        getattr(strat, name).value = value
    return strat


def entries(frame: pd.DataFrame, btc: pd.DataFrame | None = None, **config) -> list[int]:
    btc = trend(start=str(frame["date"].iloc[0])[:16]) if btc is None else btc
    strat = strategy(btc, **config)
    df = strat.populate_indicators(frame.copy(), {"pair": "AAA/USDT"})
    df = strat.populate_exit_trend(
        strat.populate_entry_trend(df, {"pair": "AAA/USDT"}), {"pair": "AAA/USDT"}
    )
    return df.index[df["enter_long"] == 1].tolist()


def test_breakout_with_volume_momentum_and_flow_enters_once():
    assert entries(trend()) == [JUMP]


def test_no_entry_without_volume_surge():
    assert entries(trend(jump_volume=1.5)) == []  # 1.5x the mean < 2x


def test_no_entry_when_btc_falls():
    btc = trend()
    btc[["open", "high", "low", "close"]] = btc[["open", "high", "low", "close"]].to_numpy()[::-1]
    assert entries(trend(), btc=btc) == []


def test_no_entry_without_btc_data():
    assert entries(trend(), btc=pd.DataFrame()) == []


def test_no_entry_in_a_flat_range():
    assert entries(trend(step=0.0)) == []  # no momentum, efficiency ratio ~0 before the jump


def test_no_entry_too_close_to_the_cutoff():
    # JUMP candle at 22:35 closes (fills) at 22:40, after 23:30 - 60 min.
    late = trend(start="2025-05-01 07:35")
    assert late["date"].iloc[JUMP] == pd.Timestamp("2025-05-01 22:35", tz="UTC")
    assert entries(late) == []
    assert entries(late, utc_cutoff="23:55") == [JUMP]  # the cut-off is configurable


def test_trades_delta_overrides_the_candle_proxy():
    frame = trend()
    frame["delta"] = 0.1  # Freqtrade's orderflow column (use_public_trades)
    frame.loc[JUMP, "delta"] = -5.0  # heavy taker selling into the breakout candle
    assert entries(frame) == []
    frame.loc[JUMP, "delta"] = 5.0
    assert entries(frame) == [JUMP]


def test_gaps_and_nan_candles_still_find_the_breakout():
    frame = trend().drop(index=range(100, 110)).reset_index(drop=True)  # a 50-minute gap
    frame.loc[50:55, ["high", "low", "close", "volume"]] = np.nan
    assert entries(frame) == [JUMP - 10]  # the same breakout candle, 10 rows earlier
    frame.loc[JUMP - 10, ["close", "volume"]] = np.nan  # an incomplete breakout candle
    assert entries(frame) == []
    empty = trend().iloc[:0]
    assert entries(empty, btc=trend()) == []
    assert entries(trend().iloc[:10]) == []


def test_custom_exit_cutoff_and_max_hold():
    strat = strategy(trend())
    opened = datetime(2025, 5, 1, 12, 0, tzinfo=UTC)
    trade = SimpleNamespace(open_date_utc=opened)

    def exit_at(when: datetime) -> str | None:
        return strat.custom_exit("AAA/USDT", trade, when, 1.0, 0.0)

    assert exit_at(opened + timedelta(minutes=235)) is None
    assert exit_at(opened + timedelta(minutes=240)) == "max_hold"
    trade.open_date_utc = datetime(2025, 5, 1, 22, 25, tzinfo=UTC)
    assert exit_at(datetime(2025, 5, 1, 23, 25, tzinfo=UTC)) is None
    assert exit_at(datetime(2025, 5, 1, 23, 30, tzinfo=UTC)) == "utc_cutoff"


@pytest.fixture(scope="module")
def loaded():
    """The tier as Freqtrade loads it for its backtest config (StrategyResolver)."""
    config = Configuration.from_files([str(CONFIG_DIR / "backtest-tier2.json")])
    config["runmode"] = RunMode.BACKTEST
    return StrategyResolver.load_strategy(config)


def exit_on(strat, path: list[tuple[float, float]]) -> tuple[int, str] | None:
    """First (candle, exit type) of a long entered at 100 whose candles have these (low, high),
    judged by Freqtrade's own ``should_exit`` with the tier's stop, trailing stop and ROI."""
    opened = datetime(2025, 5, 1, 12, 0, tzinfo=UTC)
    trade = LocalTrade(
        pair="AAA/USDT", open_rate=100.0, open_date=opened, amount=1.0, stake_amount=100.0,
        fee_open=0.001, fee_close=0.001, exchange="binance", is_open=True,
        trading_mode=TradingMode.SPOT,
    )
    trade.adjust_stop_loss(100.0, strat.stoploss, initial=True)
    for i, (low, high) in enumerate(path):
        now = opened + timedelta(minutes=5 * (i + 1))
        for rate in (high, low):  # the best price first, as Freqtrade's backtester does
            exits = strat.should_exit(trade, rate, now, enter=False, exit_=False, low=low,
                                      high=high)
            if exits:
                return i, exits[0].exit_type.value
    return None


def test_stop_trailing_stop_and_target_close_where_the_tier_says(loaded, bt_trades):
    assert exit_on(loaded, [(99.5, 100.4), (98.9, 99.6)]) == (1, "stop_loss")  # the 1 % stop
    # +2.5 %: the 0.5 % trail is armed (offset 2 %) and a fall to 101.9 closes the trade
    path = [(99.8, 101.0), (102.1, 102.5), (101.9, 102.3)]
    assert exit_on(loaded, path) == (2, "trailing_stop_loss")
    assert exit_on(loaded, [(100.0, 101.9), (101.0, 101.5)]) is None  # below the offset
    assert exit_on(loaded, [(103.0, 103.5)]) == (0, "roi")  # the 3 % target, after fees


@pytest.mark.parametrize(
    ("when", "allowed"),
    [
        ("2025-05-01 12:00", True),
        ("2025-05-01 22:30", True),  # last fill: cut-off - 60 min
        ("2025-05-01 22:35", False),
    ],
)
def test_confirm_trade_entry_last_entry_before_cutoff(monkeypatch, when, allowed):
    # The risk layer's own veto (incl. live without a measured edge) is tested in tests/risk.
    monkeypatch.setattr(RiskManagedMixin, "confirm_trade_entry", lambda self, *a, **k: True)
    strat = strategy(trend(), runmode=RunMode.BACKTEST)
    now = pd.Timestamp(when, tz="UTC").to_pydatetime()
    assert (
        strat.confirm_trade_entry("AAA/USDT", "limit", 1.0, 1.0, "GTC", now, None, "long")
        is allowed
    )

