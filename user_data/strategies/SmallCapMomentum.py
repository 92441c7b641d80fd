"""Tier 2: small-cap altcoin 5-minute momentum breakouts, flat by the daily UTC cut-off.

Entry (long only, spot): the 5m candle closes above the prior ``breakout_window`` range high
on volume above ``volume_mult`` x its 20-candle mean, in a trending regime (Kaufman efficiency
ratio), with 15m and 1h momentum up, BTC not falling, net taker buying surging (trades-based
``delta`` when Freqtrade's ``use_public_trades`` provides it, else the candle-only proxy), and
no later than ``last_entry_gap`` minutes before the cut-off.
Exits: 1 % stop; at +2 % a 0.5 % trailing stop takes over; +3 % ROI; ``max_hold_minutes``;
everything is sold at the daily ``utc_cutoff`` so nothing is held overnight.
Sizing, protections and the entry veto come from the pack's risk layer (``RiskManagedMixin``,
``config["risk"]``): the stake is the largest one whose loss at the 1 % stop (plus fees and
slippage) stays within the per-trade cap, at most ``max_stake_fraction`` of the capital.
Rules live in :mod:`ftpack.tiers.indicators` (shared with Tier 3) and
:mod:`ftpack.tiers.momentum`.

Live entries need current evidence of an edge from ``ftpack-evaluate``
(``user_data/evidence/SmallCapMomentum.json``, results/SmallCapMomentum.md) or the owner's
``"risk": {"allow_live_without_edge": true}``; backtests, hyperopt and dry-run trade normally.
"""

from datetime import datetime
from typing import ClassVar

from freqtrade.persistence import Trade
from freqtrade.strategy import DecimalParameter, IntParameter, IStrategy
from pandas import DataFrame

from ftpack.tiers import holding, indicators
from ftpack.tiers.momentum import session
from risk_protections import RiskManagedMixin


class SmallCapMomentum(RiskManagedMixin, IStrategy):
    """5m breakout with volume, regime, higher-timeframe and BTC confirmation; intraday only."""

    INTERFACE_VERSION = 3
    timeframe = "5m"
    can_short = False

    # Second target: 3 %. The first target (2 %) arms the trailing stop below.
    minimal_roi: ClassVar[dict[str, float]] = {"0": 0.03}
    # 1 % stop; the stake is sized so the money lost at this stop stays within the risk cap.
    stoploss = -0.01
    trailing_stop = True
    trailing_stop_positive = 0.005
    trailing_stop_positive_offset = 0.02
    trailing_only_offset_is_reached = True

    process_only_new_candles = True
    # 1h momentum needs (htf_periods + 1) full hours of 5m candles; the breakout window 96.
    startup_candle_count = 150

    # Defaults: best of 200 hyperopt epochs on the tune window 2025-05-01..2025-08-01 only:
    #   freqtrade-offline hyperopt -c user_data/config/backtest-tier2.json --timerange
    #   20250501-20250801 --hyperopt-loss SharpeHyperOptLossDaily --spaces buy sell -e 200 -j 2
    #   --min-trades 50 --random-state 2025
    # SharpeHyperOptLossDaily scores the daily P&L series (after fees and a slippage allowance),
    # the same daily view the risk layer's loss limits take; --min-trades 50 keeps a handful of
    # lucky trades from winning. Its best tune result was +0.36 %: no edge after fees.
    # Entry parameters (hyperopt space "buy").
    breakout_window = IntParameter(12, 96, default=20, space="buy")
    volume_mult = DecimalParameter(2.0, 4.0, default=2.1, decimals=1, space="buy")
    er_window = IntParameter(12, 48, default=45, space="buy")
    er_min = DecimalParameter(0.15, 0.6, default=0.43, decimals=2, space="buy")
    htf_min_roc = DecimalParameter(0.0, 1.0, default=0.31, decimals=2, space="buy")
    btc_min_roc = DecimalParameter(-1.0, 0.5, default=-0.91, decimals=2, space="buy")
    flow_surge_min = DecimalParameter(0.0, 3.0, default=0.3, decimals=1, space="buy")
    # Exit parameters (hyperopt space "sell").
    max_hold_minutes = IntParameter(60, 360, default=342, space="sell")

    volume_window = 20
    flow_window = 20
    # Momentum = ROC over the last hour (4 x 15m) and the last three hours (3 x 1h).
    htf_periods: ClassVar[dict[str, int]] = {"15m": 4, "1h": 3}
    btc_htf, btc_periods = "1h", 3
    utc_cutoff = "23:30"  # be flat from here to midnight UTC (config key "utc_cutoff" wins)
    last_entry_gap = 60  # minutes before the cut-off after which no trade is opened
    max_stake_fraction = 0.30  # of total capital per trade; risk.max_deployed caps the sum

    # Freqtrade's LowProfitPairs: a pair whose closed trades of the last 7 days (at least 6)
    # lost money after fees is locked for 7 days. It limits the damage of a pair that stopped
    # following through; it does not create an edge.
    risk_extra_protections: ClassVar[list[dict]] = [
        {
            "method": "LowProfitPairs",
            "lookback_period_candles": 2016,
            "trade_limit": 6,
            "stop_duration_candles": 2016,
            "required_profit": 0.0,
        }
    ]

    plot_config: ClassVar[dict] = {
        "main_plot": {
            "range_high": {"color": "orange"},
        },
        "subplots": {
            "Volume ratio": {"volume_ratio": {"color": "blue"}},
            "Regime (efficiency ratio)": {"efficiency_ratio": {"color": "green"}},
            "Order-flow surge": {"flow_surge": {"color": "teal"}},
            "Momentum ROC %": {
                "roc_15m": {"color": "purple"},
                "roc_1h": {"color": "red"},
                "btc_roc_1h": {"color": "black"},
            },
        },
    }

    @property
    def cutoff_minute(self) -> int:
        """The daily UTC cut-off in minutes after midnight (config ``utc_cutoff`` or default)."""
        return session.cutoff_minute(self.config.get("utc_cutoff", self.utc_cutoff))

    @property
    def btc_pair(self) -> str:
        """The market filter's pair: BTC against the stake currency."""
        return f"BTC/{self.config['stake_currency']}"

    def informative_pairs(self) -> list[tuple[str, str]]:
        return [(self.btc_pair, self.timeframe)]

    def populate_indicators(self, dataframe: DataFrame, metadata: dict) -> DataFrame:
        """Parameter-free indicators: order-flow surge, higher-timeframe momentum, BTC filter."""
        dataframe["flow_surge"] = indicators.orderflow_surge(dataframe, self.flow_window)
        for htf, periods in self.htf_periods.items():
            dataframe[f"roc_{htf}"] = indicators.htf_rate_of_change(
                dataframe, self.timeframe, htf, periods
            )
        btc = self.dp.get_pair_dataframe(self.btc_pair, self.timeframe)
        dataframe[f"btc_roc_{self.btc_htf}"] = indicators.market_rate_of_change(
            dataframe, btc, self.timeframe, self.btc_htf, self.btc_periods
        )
        return dataframe

    def populate_entry_trend(self, dataframe: DataFrame, metadata: dict) -> DataFrame:
        """Breakout + volume + regime + momentum + BTC + order flow + entry window, all at once."""
        dataframe["range_high"] = indicators.range_high(dataframe, self.breakout_window.value)
        dataframe["volume_ratio"] = indicators.volume_ratio(dataframe, self.volume_window)
        dataframe["efficiency_ratio"] = indicators.efficiency_ratio(dataframe, self.er_window.value)
        momentum = (dataframe["roc_15m"] > self.htf_min_roc.value) & (
            dataframe["roc_1h"] > self.htf_min_roc.value
        )
        conditions = (
            indicators.breakout_up(dataframe, self.breakout_window.value)
            & (dataframe["volume_ratio"] > self.volume_mult.value)
            & (dataframe["efficiency_ratio"] >= self.er_min.value)
            & momentum
            & (dataframe[f"btc_roc_{self.btc_htf}"] > self.btc_min_roc.value)
            & (dataframe["flow_surge"] > self.flow_surge_min.value)
            & session.entry_window_open(
                dataframe["date"],
                self.timeframe,
                self.cutoff_minute,
                self.last_entry_gap,
            )
        )
        dataframe["enter_long"] = conditions.astype(int)
        dataframe["enter_tag"] = conditions.map({True: "breakout", False: None})
        return dataframe

    def populate_exit_trend(self, dataframe: DataFrame, metadata: dict) -> DataFrame:
        """No signal exits: targets, stops, the hold limit and the cut-off do the exiting."""
        return dataframe

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
        **kwargs,
    ) -> float:
        """The risk layer's stake for the 1 % stop, at most max_stake_fraction of the capital."""
        capital_cap = self.max_stake_fraction * self.wallets.get_total_stake_amount()
        return self.risk_stake(
            pair=pair,
            current_time=current_time,
            entry_rate=current_rate,
            stop_distance=abs(self.stoploss),
            leverage=leverage,
            side=side,
            proposed_stake=min(proposed_stake, capital_cap),
            min_stake=min_stake,
            max_stake=max_stake,
        )

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
        **kwargs,
    ) -> bool:
        """The risk layer's veto (which also applies the live gate on the evaluator's evidence);
        no fills closer than last_entry_gap to the cut-off.
        """
        if not super().confirm_trade_entry(
            pair, order_type, amount, rate, time_in_force, current_time, entry_tag, side, **kwargs
        ):
            return False
        minute = current_time.hour * 60 + current_time.minute
        return minute <= self.cutoff_minute - self.last_entry_gap

    def custom_exit(
        self,
        pair: str,
        trade: Trade,
        current_time: datetime,
        current_rate: float,
        current_profit: float,
        **kwargs,
    ) -> str | None:
        """Sell at the daily UTC cut-off, or once the trade is older than the hold limit."""
        if session.past_cutoff(current_time, self.cutoff_minute):
            return "utc_cutoff"
        if holding.timed_out(trade.open_date_utc, current_time, self.max_hold_minutes.value):
            return "max_hold"
        return None
