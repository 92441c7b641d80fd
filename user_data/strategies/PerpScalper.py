"""Tier 3: BTC/ETH USDT-margined perpetual scalper on 1-minute candles with 5m and 1h context.

Entry (all required, long shown; shorts mirror it):
  net order-flow surge > threshold × its mean |delta| (trades delta when Freqtrade's orderflow
  columns exist, the candle proxy volume·(2·CLV − 1) otherwise), volume > 2 × its 20-candle
  mean, 1m and 5m momentum up, a clean close above the prior N-candle high, relative strength
  vs the BTC+ETH market, a completed pullback (fast RSI dipped below its pullback level in the
  last candles), a trending 5m regime (efficiency ratio), funding bias (the side paying
  funding needs a stronger surge, extreme funding blocks it) and fee break-even (the 1R move
  must pay the round-trip fee plus a buffer).
Exits: 25 % at 1R, 2R and 3R, breakeven after 1R, ATR trail after 2R, 30-minute timeout,
  regime-change exit, flash-crash exit of every position on a > 5 % one-minute move.
Risk: stake from the pack's risk layer for the trade's own stop distance, leverage ladder from
  ``ftpack.tiers.scalping.leverage``, liquidation kept beyond the stop, at most 2 positions.
The rules themselves live in ``ftpack.tiers.scalping`` and ``ftpack.tiers.indicators``; this
file wires them to Freqtrade's callbacks.
"""

from datetime import datetime, timedelta

import numpy as np
import talib.abstract as ta
from freqtrade.persistence import Order, Trade
from freqtrade.strategy import (
    DecimalParameter,
    IntParameter,
    IStrategy,
    stoploss_from_absolute,
)
from pandas import DataFrame, Series

from ftpack.tiers import holding, indicators
from ftpack.tiers.scalping import breakeven, exits, funding, guards
from ftpack.tiers.scalping.context import merge_context
from ftpack.tiers.scalping.leverage import LeverageInputs, choose_leverage, realized_peak
from risk_protections import RiskManagedMixin
from risk_protections.rules import is_loss


class PerpScalper(RiskManagedMixin, IStrategy):
    """1m perpetual-futures breakout scalper with order-flow, funding and layered exits."""

    INTERFACE_VERSION = 3
    timeframe = "1m"
    can_short = True

    # Exits are layered (partials, custom stop, custom exits); ROI is switched off.
    minimal_roi = {"0": 100.0}

    # Stop, all of it here. 1R, the initial stop distance (price fraction), is
    # exits.stop_distance: min(stop_atr × ATR/close, max_stop) of the signal candle, stored on
    # the trade at its entry fill; it sizes the stake (custom_stake_amount), caps the leverage
    # (its liquidation stays beyond the stop) and custom_stoploss moves the stop from it
    # (breakeven after 1R, ATR trail after 2R). stoploss is only the fixed backstop behind it
    # (a ratio of the leveraged stake).
    stop_atr = DecimalParameter(1.0, 3.0, default=2.9, decimals=1, space="buy")
    max_stop = 0.01
    stoploss = -0.08
    use_custom_stoploss = True
    trailing_stop = False
    use_exit_signal = True
    exit_profit_only = False
    position_adjustment_enable = True
    max_entry_position_adjustment = 0
    max_open_trades = 2

    process_only_new_candles = True
    startup_candle_count = 600  # 10 h: always holds a settled funding rate (every 8 h)

    # Prefer maker entries (limit at the book); exits are limit. The stop is a market order on
    # the exchange in dry-run/live (Binance USDT-M STOP_MARKET: it fills however far a crash
    # runs, and holds while the bot is down), moved with the custom stop.
    order_types = {
        "entry": "limit",
        "exit": "limit",
        "emergency_exit": "market",
        "force_exit": "market",
        "stoploss": "market",
        "stoploss_on_exchange": True,
    }
    order_time_in_force = {"entry": "GTC", "exit": "GTC"}

    # The broad market for relative strength: the mean 5m return of these perpetuals.
    market_pairs = ("BTC/USDT:USDT", "ETH/USDT:USDT")

    # Hyperoptable thresholds; each range starts at the tier's minimum (surge > 3x its mean,
    # volume > 2x its mean, 1R > 0.15 % fee break-even) and only tightens it. Defaults (stop_atr
    # above included): the best epoch (SharpeHyperOptLoss, >= 10 trades) of `freqtrade-offline
    # hyperopt -c user_data/config/backtest-tier3.json --timerange 20250505-20250605 --spaces buy
    # sell -e 50 -j 1 --random-state 7` on the tune window only; 3 of its 50 epochs ended above
    # zero.
    surge_threshold = DecimalParameter(3.0, 6.0, default=3.0, decimals=1, space="buy")
    volume_ratio_min = DecimalParameter(2.0, 4.0, default=3.4, decimals=1, space="buy")
    breakout_window = IntParameter(10, 60, default=11, space="buy")
    pullback_rsi = IntParameter(30, 45, default=31, space="buy")
    er_entry = DecimalParameter(0.2, 0.6, default=0.31, decimals=2, space="buy")
    # Fee break-even: 1R must exceed the pair's listed maker-in + taker-out fees + this buffer
    # (0.02 % + 0.05 % + 0.08 % = 0.15 % at Binance USDⓈ-M VIP 0).
    fee_buffer = DecimalParameter(0.0008, 0.003, default=0.0014, decimals=4, space="buy")
    er_exit = DecimalParameter(0.05, 0.3, default=0.06, decimals=2, space="sell")

    # Fixed rules (documented in ftpack.tiers.scalping).
    clean_break_clv = 0.6  # close in the top 40 % (long) / bottom 40 % (short) of the candle
    pullback_window = 10
    funding_neutral = 0.0001  # Binance's default 0.01 % per 8h
    funding_extreme = 0.0005
    flash_move = 0.05
    max_hold_minutes = 30
    base_leverage = 2.0
    liquidation_buffer = 0.5  # stop must sit in the nearer half of the way to liquidation
    maintenance_margin_rate = 0.004  # Binance tier 1 for BTC/ETH perpetuals

    plot_config = {
        "main_plot": {
            "range_high": {"color": "green"},
            "range_low": {"color": "red"},
        },
        "subplots": {
            "order flow": {"flow_surge": {"color": "blue"}},
            "volume": {"volume_ratio": {"color": "orange"}},
            "regime": {"er_5m": {"color": "purple"}},
            "funding": {"funding_rate_1h": {"color": "brown"}},
        },
    }

    def informative_pairs(self):
        """5m candles of every traded and market pair and 1h funding rates of traded pairs."""
        pairs = self.dp.current_whitelist()
        return [(pair, "5m") for pair in {*pairs, *self.market_pairs}] + [
            (pair, "1h", "funding_rate") for pair in pairs
        ]

    def populate_indicators(self, dataframe: DataFrame, metadata: dict) -> DataFrame:
        pair = metadata["pair"]
        context = merge_context(
            dataframe["date"],
            self.timeframe,
            own_5m=self.dp.get_pair_dataframe(pair, "5m"),
            markets_5m=[self.dp.get_pair_dataframe(p, "5m") for p in self.market_pairs],
            funding_1h=self.dp.get_pair_dataframe(pair, "1h", candle_type="funding_rate"),
        )
        for column, values in context.items():
            dataframe[column] = values
        dataframe["atr"] = ta.ATR(dataframe, timeperiod=14)
        dataframe["atr_pct"] = dataframe["atr"] / dataframe["close"]
        dataframe["low_vol"] = dataframe["atr_pct"] < dataframe["atr_pct"].rolling(240).median()
        dataframe["volume_ratio"] = indicators.volume_ratio(dataframe, 20)
        clv, delta = indicators.candle_flow(dataframe)
        dataframe["flow_surge"] = indicators.flow_surge(delta, 20)
        dataframe["clv"] = clv
        dataframe["roc"] = ta.ROC(dataframe, timeperiod=5)
        dataframe["rsi_fast"] = ta.RSI(dataframe, timeperiod=7)
        dataframe["rel_strength"] = dataframe["ret_5m"] - dataframe["market_ret_5m"]
        dataframe["flash_move"] = guards.one_minute_move(
            dataframe["open"], dataframe["high"], dataframe["low"], dataframe["close"].shift(1)
        )
        return dataframe

    def populate_entry_trend(self, dataframe: DataFrame, metadata: dict) -> DataFrame:
        window = self.breakout_window.value
        dataframe["range_high"] = indicators.range_high(dataframe, window)
        dataframe["range_low"] = indicators.range_low(dataframe, window)
        dataframe["stop_dist"] = exits.stop_distance(
            dataframe["atr_pct"], self.stop_atr.value, self.max_stop
        )
        common = (
            (dataframe["volume_ratio"] > self.volume_ratio_min.value)
            & (dataframe["er_5m"] >= self.er_entry.value)
            & Series(
                breakeven.clears_fees(
                    dataframe["stop_dist"],
                    breakeven.min_expected_move(
                        breakeven.round_trip_fee(self.dp.market(metadata["pair"])),
                        self.fee_buffer.value,
                    ),
                ),
                index=dataframe.index,
            )
        )
        rsi_low = dataframe["rsi_fast"].shift(1).rolling(self.pullback_window).min()
        rsi_high = dataframe["rsi_fast"].shift(1).rolling(self.pullback_window).max()
        tags = np.full(len(dataframe), None, dtype=object)
        for side, sign in (("long", 1.0), ("short", -1.0)):
            surge_needed = self.surge_threshold.value * funding.surge_multiplier(
                dataframe["funding_rate_1h"], side, self.funding_neutral, self.funding_extreme
            )
            if side == "long":
                clean_break = (dataframe["close"] > dataframe["range_high"]) & (
                    dataframe["clv"] >= self.clean_break_clv
                )
                pullback_done = rsi_low < self.pullback_rsi.value
            else:
                clean_break = (dataframe["close"] < dataframe["range_low"]) & (
                    dataframe["clv"] <= 1 - self.clean_break_clv
                )
                pullback_done = rsi_high > 100 - self.pullback_rsi.value
            signal = (
                common
                & clean_break
                & pullback_done
                & (sign * dataframe["flow_surge"] > surge_needed)
                & (sign * dataframe["roc"] > 0)
                & (sign * dataframe["roc_5m"] > 0)
                & (sign * dataframe["trend_5m"] > 0)
                & (sign * dataframe["rel_strength"] > 0)
            )
            high_conf = signal & (sign * dataframe["flow_surge"] > 1.5 * surge_needed)
            dataframe[f"enter_{side}"] = signal.astype(int)
            tags = np.where(high_conf, f"{side}_surge_hc", np.where(signal, f"{side}_surge", tags))
        dataframe["enter_tag"] = tags
        return dataframe

    def populate_exit_trend(self, dataframe: DataFrame, metadata: dict) -> DataFrame:
        # Every exit is trade-specific (R levels, stop, timeout, regime, flash crash) and is
        # handled in the callbacks below.
        return dataframe

    # ---- helpers over the analyzed dataframe -------------------------------------------

    def _last_candle(self, pair: str) -> Series | None:
        """Last analyzed candle of ``pair`` (None when there is none yet)."""
        dataframe, _ = self.dp.get_analyzed_dataframe(pair, self.timeframe)
        return None if dataframe.empty else dataframe.iloc[-1]

    def _signal_stop_distance(self, pair: str, open_date: datetime) -> float:
        """1R of an entry at ``open_date``: the stop distance of its signal candle (the one
        closed at ``open_date``), ``max_stop`` when that is unknown.
        """
        dataframe, _ = self.dp.get_analyzed_dataframe(pair, self.timeframe)
        before = dataframe.loc[dataframe["date"] <= open_date - timedelta(minutes=1), "stop_dist"]
        value = float(before.iloc[-1]) if len(before) else float("nan")
        return value if value > 0 else self.max_stop

    def _candle_stop_distance(self, candle: Series | None) -> float:
        """1R an entry signalled by ``candle`` would get (NaN when unknown)."""
        return float(candle["stop_dist"]) if candle is not None else float("nan")

    def _flash_crash(self) -> bool:
        """A one-minute move beyond ``flash_move`` on the last candle of any traded pair."""
        for pair in self.dp.current_whitelist():
            candle = self._last_candle(pair)
            if candle is not None and guards.is_flash_move(candle["flash_move"], self.flash_move):
                return True
        return False

    def _stop_distance(self, trade: Trade) -> float:
        """The trade's 1R distance, stored at the entry fill."""
        stored = trade.get_custom_data("stop_dist")
        if stored is None:
            stored = self._signal_stop_distance(trade.pair, trade.open_date_utc)
            trade.set_custom_data("stop_dist", stored)
        return float(stored)

    # ---- callbacks ---------------------------------------------------------------------

    def leverage(
        self,
        pair: str,
        current_time: datetime,
        current_rate: float,
        proposed_leverage: float,
        max_leverage: float,
        entry_tag: str | None,
        side: str,
        **kwargs,
    ) -> float:
        candle = self._last_candle(pair)
        if candle is None:
            return 1.0
        closed = sorted(Trade.get_trades_proxy(is_open=False), key=lambda t: t.close_date_utc)
        profits = [float(t.close_profit_abs or 0.0) for t in closed]
        start = self.risk_starting_balance()
        equity = self.risk_snapshot(current_time).equity
        stop_dist = self._candle_stop_distance(candle)
        safe = guards.max_safe_leverage(
            stop_dist if stop_dist > 0 else self.max_stop,
            self.maintenance_margin_rate,
            self.liquidation_buffer,
        )
        lev = choose_leverage(
            LeverageInputs(
                base=self.base_leverage,
                high_confidence=(entry_tag or "").endswith("_hc"),
                low_volatility=bool(candle.get("low_vol", False)),
                last_trade_lost=bool(profits) and is_loss(profits[-1]),
                equity=equity,
                peak_equity=realized_peak(start, profits),
                start_equity=start,
                config_cap=self.risk_config.max_leverage,
                market_max=max_leverage,
            )
        )
        return float(max(1.0, min(lev, np.floor(safe))))

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
        stop_dist = self._candle_stop_distance(self._last_candle(pair))
        if not stop_dist > 0 or not guards.stop_clears_liquidation(
            stop_dist, leverage, self.maintenance_margin_rate, self.liquidation_buffer
        ):
            return 0.0
        return self.risk_stake(
            pair=pair,
            current_time=current_time,
            entry_rate=current_rate,
            stop_distance=stop_dist,
            leverage=leverage,
            side=side,
            proposed_stake=proposed_stake,
            min_stake=min_stake,
            max_stake=max_stake,
        )

    def order_filled(
        self, pair: str, trade: Trade, order: Order, current_time: datetime, **kwargs
    ) -> None:
        if order.ft_order_side == trade.entry_side and trade.nr_of_successful_entries == 1:
            trade.set_custom_data(
                "stop_dist", self._signal_stop_distance(pair, trade.open_date_utc)
            )

    def custom_stoploss(
        self,
        pair: str,
        trade: Trade,
        current_time: datetime,
        current_rate: float,
        current_profit: float,
        after_fill: bool,
        **kwargs,
    ) -> float | None:
        candle = self._last_candle(pair)
        atr = float(candle["atr"]) if candle is not None else float("nan")
        weakening = candle is None or bool(
            candle["roc"] > 0 if trade.is_short else candle["roc"] < 0
        )
        trail = exits.trail_atr_multiple(weakening) * (atr if atr > 0 else 0.0)
        best = trade.min_rate if trade.is_short else trade.max_rate
        stop = exits.stop_price(
            trade.open_rate,
            trade.is_short,
            self._stop_distance(trade),
            best or trade.open_rate,
            trail,
            breakeven.round_trip_fee(self.dp.market(pair)),
        )
        return stoploss_from_absolute(stop, current_rate, trade.is_short, trade.leverage)

    def custom_exit(
        self,
        pair: str,
        trade: Trade,
        current_time: datetime,
        current_rate: float,
        current_profit: float,
        **kwargs,
    ) -> str | None:
        if self._flash_crash():
            return "flash_crash"
        candle = self._last_candle(pair)
        if candle is None or exits.regime_changed(
            trade.is_short, float(candle["er_5m"]), float(candle["trend_5m"]), self.er_exit.value
        ):
            return "regime_change"
        if holding.timed_out(trade.open_date_utc, current_time, self.max_hold_minutes):
            return "timeout_30m"
        return None

    def adjust_trade_position(
        self,
        trade: Trade,
        current_time: datetime,
        current_rate: float,
        current_profit: float,
        min_stake: float | None,
        max_stake: float,
        current_entry_rate: float,
        current_exit_rate: float,
        current_entry_profit: float,
        current_exit_profit: float,
        **kwargs,
    ) -> tuple[float | None, str | None] | None:
        # In a flash crash the whole position goes (custom_exit); a resting partial-exit order
        # would keep Freqtrade from asking custom_exit while it is open.
        if trade.has_open_orders or self._flash_crash():
            return None
        done = trade.nr_of_successful_exits
        r_now = exits.r_multiple(
            trade.open_rate, current_exit_rate, trade.is_short, self._stop_distance(trade)
        )
        share = exits.partial_exit_share(r_now, done)
        stake = share * trade.stake_amount
        if share == 0.0 or (min_stake and stake < min_stake):
            return None
        return -stake, f"tp_{exits.PARTIAL_LEVELS[done]:g}R"
