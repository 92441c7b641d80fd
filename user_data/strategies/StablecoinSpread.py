"""Tier 1: buy the stablecoin that sits below its fair value by more than the round-trip cost.

Pairs are ``<STABLE>/USDT`` (USDC, FDUSD, TUSD, USDP …). For each coin the fair value is the
median of its own 1-day median price and the prices implied through every other stablecoin
of the basket (``ftpack.tiers.stablecoin.fair_value``), so a move of USDT itself is not a signal.

- Entry: ``close < fair · (1 − (2·fee + buffer)/10⁴)`` on a candle that traded, de-peg guard
  off; a maker-only (post-only) limit no higher than that threshold price.
- Exit: close back at fair value (limit at fair value or better), after a timeout (the
  ``minimal_roi`` step to −1), or at once when the de-peg guard fires
  (``ftpack.tiers.stablecoin.depeg``): the coin left $1 or the basket by more than the configured
  bps, or its deviation keeps widening.
- Fees come per pair from ``config["stablecoin"]["fees"]``, dated (a promotion applies from
  its ``since`` to its ``until``): the threshold uses the maker fee in force at the latest
  candle, i.e. now in a live bot (``--fee`` wins in backtests).
- Optional: a triangular-arbitrage scanner in ``bot_loop_start`` that logs and alerts
  (``ftpack.tiers.stablecoin.scanner``). It detects cycles only; nothing here executes three legs.
"""

from datetime import datetime
from math import isfinite
from typing import ClassVar

import numpy as np
from freqtrade.enums import RunMode
from freqtrade.persistence import Trade
from freqtrade.strategy import DecimalParameter, IStrategy
from pandas import DataFrame

from ftpack.tiers import holding
from ftpack.tiers.stablecoin.basket import basket_closes, direct_crosses
from ftpack.tiers.stablecoin.chart import add_chart_columns
from ftpack.tiers.stablecoin.depeg import depeg_guard
from ftpack.tiers.stablecoin.fair_value import BPS, deviation_bps, entry_limit, fair_value
from ftpack.tiers.stablecoin.scanner import ScannerHook
from ftpack.tiers.stablecoin.settings import load_settings, pair_fee, round_trip_bps
from risk_protections import RiskManagedMixin


class StablecoinSpread(RiskManagedMixin, IStrategy):
    """Stablecoin/USDT mean reversion to a basket fair value, with a de-peg guard.

    Risk (``risk_protections``): protections from ``config["risk"]``, stakes sized in
    ``custom_stake_amount`` so a stop-out at ``stoploss`` loses at most ``risk.risk_per_trade``
    of the account (and a ``risk.gap`` gap at most ``gap_cap_multiple`` times that), entries
    vetoed when a rule would break.
    """

    INTERFACE_VERSION = 3

    timeframe = "5m"
    can_short = False

    # No profit target (exits come from the fair-value signal and the de-peg guard); after
    # max_hold_minutes (123 candles) the trade exits at the next open at any price. The limit
    # is a minimal_roi step (ftpack.tiers.holding.timeout_roi), not a custom_exit: a
    # custom_exit costs a deep copy of the trade per open trade and candle in Freqtrade's
    # backtester.
    max_hold_minutes = 615
    minimal_roi: ClassVar[dict[str, float]] = holding.timeout_roi(max_hold_minutes)

    # Last line of defence behind the de-peg guard; also the stop distance the stake is sized
    # with (custom_stake_amount below).
    stoploss = -0.005
    trailing_stop = False

    process_only_new_candles = True
    use_exit_signal = True
    exit_profit_only = False
    ignore_roi_if_entry_signal = False

    fair_window = 288  # candles in the robust level and the cross-rate medians (1 day of 5m)
    stale_limit = 12  # candles another coin's last traded close is still used for (1 hour)
    startup_candle_count: int = 2 * fair_window

    # Tuned on 2025-01-01 → 2025-03-15 only, at fee 0 (hyperopt, SharpeHyperOptLoss, 60 epochs,
    # --random-state 7); the report window 2025-03-15 → 2025-04-20 was not used to choose them.
    # The timeout (max_hold_minutes above) was tuned the same way.
    entry_buffer_bps = DecimalParameter(0.5, 10.0, decimals=1, default=2.0, space="buy")

    order_types: ClassVar[dict[str, str | bool]] = {
        "entry": "limit",
        "exit": "limit",
        "stoploss": "market",
        "stoploss_on_exchange": False,
    }
    # Entries rest on the book (post-only); exits must be able to cross when the guard fires.
    order_time_in_force: ClassVar[dict[str, str]] = {"entry": "PO", "exit": "GTC"}

    # A guard exit crosses the spread with a limit this far below the proposed price.
    guard_exit_slippage_bps = 20.0

    # What the tier trades on: fair value with the no-buy band above the entry limit, the
    # deviation against its threshold, and the de-peg guard (ftpack.tiers.stablecoin.chart).
    plot_config: ClassVar[dict] = {
        "main_plot": {
            "fair_value": {"color": "blue"},
            "entry_limit": {
                "color": "green",
                "fill_to": "fair_value",
                "fill_label": "no-buy band (fees + buffer)",
                "fill_color": "rgba(0,128,0,0.12)",
            },
            "basket_value": {"color": "grey"},
        },
        "subplots": {
            "Deviation from fair value (bp)": {
                "deviation_bps": {"color": "blue"},
                "entry_threshold_bps": {"color": "green"},
            },
            "De-peg guard (1 = exit, no entries)": {
                "depeg_guard_on": {"color": "red", "type": "bar"}
            },
        },
    }

    def bot_start(self, **kwargs) -> None:
        """Read the ``stablecoin`` config section; refuse whitelisted pairs without a fee now."""
        super().bot_start(**kwargs)
        self.settings = load_settings(self.config)
        for pair in self.config["exchange"]["pair_whitelist"]:
            pair_fee(self.config, self.settings, pair)
        self.scanner = ScannerHook(self.settings.scanner)

    def bot_loop_start(self, current_time: datetime, **kwargs) -> None:
        """Live/dry-run only: scan the configured triangular cycles and alert."""
        super().bot_loop_start(current_time=current_time, **kwargs)
        if self.dp.runmode in (RunMode.LIVE, RunMode.DRY_RUN):
            self.scanner.run(self.dp, current_time)

    def informative_pairs(self):
        """The configured basket and direct stablecoin crosses."""
        pairs = self.settings.basket + self.settings.direct_crosses
        return [(pair, self.timeframe) for pair in pairs]

    def populate_indicators(self, dataframe: DataFrame, metadata: dict) -> DataFrame:
        pair = metadata["pair"]
        basket = {p: self.dp.get_pair_dataframe(p, self.timeframe) for p in self.settings.basket}
        crosses = {
            c: self.dp.get_pair_dataframe(c, self.timeframe) for c in self.settings.direct_crosses
        }
        fair = fair_value(
            basket_closes(dataframe, pair, basket),
            pair,
            self.fair_window,
            self.stale_limit,
            direct_crosses(dataframe, pair, crosses),
        )
        dataframe["fair_value"] = fair["fair_value"]
        dataframe["basket_value"] = fair["basket_value"]
        dataframe["deviation_bps"] = deviation_bps(dataframe["close"], dataframe["fair_value"])
        dataframe["depeg_guard"] = depeg_guard(dataframe, fair, self.settings.depeg)
        return dataframe

    def entry_threshold_bps(self, pair: str, when: datetime | None = None) -> float:
        """Round-trip fee in force at ``when`` (default now) plus the buffer, in bps below fair
        value."""
        fee = pair_fee(self.config, self.settings, pair, when)
        return round_trip_bps(fee) + self.entry_buffer_bps.value

    def populate_entry_trend(self, dataframe: DataFrame, metadata: dict) -> DataFrame:
        latest = dataframe["date"].iat[-1] if len(dataframe) else None
        threshold = self.entry_threshold_bps(metadata["pair"], latest)
        below_fair = (
            (dataframe["deviation_bps"] < -threshold)
            & ~dataframe["depeg_guard"]
            & (dataframe["volume"] > 0)
        )
        dataframe["enter_long"] = below_fair.astype(int)
        dataframe["enter_tag"] = np.where(below_fair, "below_fair", None)
        return add_chart_columns(dataframe, threshold)

    def populate_exit_trend(self, dataframe: DataFrame, metadata: dict) -> DataFrame:
        guard = dataframe["depeg_guard"]
        at_fair = dataframe["close"] >= dataframe["fair_value"]
        dataframe["exit_long"] = (guard | at_fair).astype(int)
        dataframe["exit_tag"] = np.select([guard, at_fair], ["depeg_guard", "fair_value"], None)
        return dataframe

    def custom_entry_price(
        self,
        pair: str,
        trade: Trade | None,
        current_time: datetime,
        proposed_rate: float,
        entry_tag: str | None,
        side: str,
        **kwargs,
    ) -> float:
        """Maker bid, never above the entry threshold price of the signal candle."""
        dataframe, _ = self.dp.get_analyzed_dataframe(pair, self.timeframe)
        if dataframe.empty:
            return proposed_rate
        limit = entry_limit(dataframe["fair_value"].iat[-1],
                            self.entry_threshold_bps(pair, current_time))
        return min(proposed_rate, limit) if isfinite(limit) else proposed_rate

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
        """The risk layer's stake for a stop-out at ``stoploss`` (spot, leverage 1): the
        mixin's sizing with the strategy stop, ``RiskManagedMixin.custom_stake_amount``.
        """
        return super().custom_stake_amount(
            pair, current_time, current_rate, proposed_stake, min_stake, max_stake, leverage,
            entry_tag, side, **kwargs,
        )

    def custom_exit_price(
        self,
        pair: str,
        trade: Trade,
        current_time: datetime,
        proposed_rate: float,
        current_profit: float,
        exit_tag: str | None,
        **kwargs,
    ) -> float:
        """Fair-value exits rest at fair value or better; guard exits cross the spread."""
        if exit_tag == "depeg_guard":
            return proposed_rate * (1 - self.guard_exit_slippage_bps / BPS)
        if exit_tag != "fair_value":
            return proposed_rate
        dataframe, _ = self.dp.get_analyzed_dataframe(pair, self.timeframe)
        if dataframe.empty:
            return proposed_rate
        fair = dataframe["fair_value"].iat[-1]
        return max(proposed_rate, fair) if isfinite(fair) else proposed_rate
