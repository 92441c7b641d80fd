"""Drop-in for Freqtrade's order-flow step (``exchange.use_public_trades``).

``populate_dataframe_with_trades`` has the signature and output columns of
``freqtrade.data.converter.populate_dataframe_with_trades`` and computes them with
:func:`flowbook.order_flow`. A strategy switches to it by listing
:class:`FlowbookOrderflowMixin` before ``IStrategy`` in its bases; its own logic is unchanged.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from flowbook import OrderFlow, order_flow
from flowbook._convert import timeframe_ms, times_ms

#: Columns added to the candle frame, in Freqtrade's order (``ORDERFLOW_ADDED_COLUMNS``).
ORDERFLOW_COLUMNS = [
    "trades",
    "orderflow",
    "imbalances",
    "stacked_imbalances_bid",
    "stacked_imbalances_ask",
    "max_delta",
    "min_delta",
    "bid",
    "ask",
    "delta",
    "total_trades",
]
_OBJECT_COLUMNS = ORDERFLOW_COLUMNS[:5]
_NUMERIC_COLUMNS = ORDERFLOW_COLUMNS[5:]


def populate_dataframe_with_trades(
    cached_grouped_trades: pd.DataFrame | None,
    config: dict[str, Any],
    dataframe: pd.DataFrame,
    trades: pd.DataFrame | None,
    *,
    footprint: bool = True,
    trade_records: bool = False,
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Freqtrade's order-flow columns for ``dataframe`` from ``trades`` (Freqtrade trades format).

    Reads ``config["timeframe"]`` and ``config["orderflow"]`` (``scale``, ``imbalance_ratio``,
    ``imbalance_volume``, ``stacked_imbalance_range``, ``max_candles``, ``cache_size``). Like
    Freqtrade: only candles with trades among the last ``max_candles`` get values (others NaN);
    a candle found in ``cached_grouped_trades`` takes the cached values; the returned cache is the
    last ``cache_size`` rows. ``footprint=False`` skips building the ``orderflow`` and
    ``imbalances`` dicts (left NaN) and ``trade_records=True`` fills ``trades`` with each candle's
    trade dicts, which Freqtrade always does and which costs more than everything else here.
    Trades must be sorted by timestamp (Freqtrade's data handler and exchange return them so).
    """
    settings = config["orderflow"]
    for column in ORDERFLOW_COLUMNS:
        dataframe[column] = np.nan
    for column in _OBJECT_COLUMNS:
        dataframe[column] = dataframe[column].astype(object)
    if trades is None or trades.empty or dataframe.empty:
        return dataframe, cached_grouped_trades

    flow = order_flow(
        trades["timestamp"].to_numpy(),
        trades["side"],
        trades["price"].to_numpy(),
        trades["amount"].to_numpy(),
        dataframe["date"],
        config["timeframe"],
        scale=settings["scale"],
        imbalance_ratio=settings["imbalance_ratio"],
        imbalance_volume=settings["imbalance_volume"],
        stacked_imbalance_range=int(settings["stacked_imbalance_range"]),
        max_candles=int(settings["max_candles"]),
    )
    rows = np.flatnonzero(~np.isnan(flow.total_trades))
    for column in _NUMERIC_COLUMNS:
        dataframe[column] = getattr(flow, column)
    index = dataframe.index
    _set_objects(dataframe, "stacked_imbalances_bid", index[rows], _stacked(flow, "bid", rows))
    _set_objects(dataframe, "stacked_imbalances_ask", index[rows], _stacked(flow, "ask", rows))
    if footprint:
        orderflow, imbalances = _footprint_dicts(flow, rows)
        _set_objects(dataframe, "orderflow", index[rows], orderflow)
        _set_objects(dataframe, "imbalances", index[rows], imbalances)
    if trade_records:
        records = _trade_records(trades, dataframe, rows, timeframe_ms(config["timeframe"]))
        _set_objects(dataframe, "trades", index[rows], records)
    if cached_grouped_trades is not None:
        _apply_cache(dataframe, cached_grouped_trades, rows)
    return dataframe, dataframe.tail(int(settings["cache_size"])).copy()


def _set_objects(df: pd.DataFrame, column: str, labels: pd.Index, values: list[Any]) -> None:
    holder = np.empty(len(values), dtype=object)
    holder[:] = values
    df.loc[labels, column] = holder


def _stacked(flow: OrderFlow, label: str, rows: np.ndarray) -> list[list[float]]:
    candles = getattr(flow, f"stacked_{label}_candle")
    prices = getattr(flow, f"stacked_{label}_price").tolist()
    bounds = np.searchsorted(candles, np.stack([rows, rows + 1]))
    return [prices[a:b] for a, b in zip(bounds[0].tolist(), bounds[1].tolist(), strict=True)]


def _footprint_dicts(flow: OrderFlow, rows: np.ndarray) -> tuple[list[dict], list[dict]]:
    """Per candle {price: {bid, ask, delta, bid_amount, ask_amount, total_volume,
    total_trades}} and {price: {bid_imbalance, ask_imbalance}}, Freqtrade's key order."""
    bins = zip(
        flow.fp_price.tolist(),
        flow.fp_bid.tolist(),
        flow.fp_ask.tolist(),
        flow.fp_delta.tolist(),
        flow.fp_bid_amount.tolist(),
        flow.fp_ask_amount.tolist(),
        flow.fp_total_volume.tolist(),
        flow.fp_total_trades.tolist(),
        flow.fp_bid_imbalance.tolist(),
        flow.fp_ask_imbalance.tolist(),
        strict=True,
    )
    if rows.size == 0:
        return [], []
    counts = np.bincount(flow.fp_candle, minlength=int(rows.max()) + 1)[rows].tolist()
    orderflow: list[dict] = []
    imbalances: list[dict] = []
    for count in counts:
        of: dict[float, dict[str, Any]] = {}
        im: dict[float, dict[str, bool]] = {}
        for price, bid, ask, delta, bid_am, ask_am, vol, n, bid_imb, ask_imb in (
            next(bins) for _ in range(count)
        ):
            of[price] = {
                "bid": bid,
                "ask": ask,
                "delta": delta,
                "bid_amount": bid_am,
                "ask_amount": ask_am,
                "total_volume": vol,
                "total_trades": n,
            }
            im[price] = {"bid_imbalance": bid_imb, "ask_imbalance": ask_imb}
        orderflow.append(of)
        imbalances.append(im)
    return orderflow, imbalances


def _trade_records(
    trades: pd.DataFrame, dataframe: pd.DataFrame, rows: np.ndarray, tf_ms: int
) -> list[list[dict]]:
    stamps = trades["timestamp"].to_numpy()
    starts = stamps - stamps % tf_ms
    dates = times_ms(dataframe["date"])[rows]
    lo = np.searchsorted(starts, dates, side="left").tolist()
    hi = np.searchsorted(starts, dates, side="right").tolist()
    columns = [c for c in trades.columns if c not in ("candle_start", "candle_end")]
    table = trades[columns]
    return [table.iloc[a:b].to_dict(orient="records") for a, b in zip(lo, hi, strict=True)]


def _apply_cache(dataframe: pd.DataFrame, cache: pd.DataFrame, rows: np.ndarray) -> None:
    """Rows with trades whose date is in the cache take the cache's (first) values."""
    cached = cache.drop_duplicates(subset="date", keep="first").set_index("date")
    labels = dataframe.index[rows]
    hits = dataframe.loc[labels, "date"].isin(cached.index).to_numpy()
    if not hits.any():
        return
    labels = labels[hits]
    source = cached.loc[dataframe.loc[labels, "date"], ORDERFLOW_COLUMNS]
    for column in ORDERFLOW_COLUMNS:
        values = source[column].to_numpy()
        if column in _OBJECT_COLUMNS:
            _set_objects(dataframe, column, labels, list(values))
        else:
            dataframe.loc[labels, column] = values


class FlowbookOrderflowMixin:
    """Routes Freqtrade's order-flow step through flowbook.

    Use ``class MyStrategy(FlowbookOrderflowMixin, IStrategy)`` with
    ``exchange.use_public_trades`` and an ``orderflow`` section in the config as usual. It
    replaces ``IStrategy._if_enabled_populate_trades`` (Freqtrade 2026.9), which loads the pair's
    trades and calls the converter before ``populate_indicators``. Set ``flowbook_footprint =
    False`` to skip the ``orderflow``/``imbalances`` dicts, ``flowbook_trade_records = True`` to
    fill the ``trades`` column.
    """

    flowbook_footprint: bool = True
    flowbook_trade_records: bool = False
    # Set by IStrategy, which the strategy class also derives from.
    config: dict[str, Any]
    dp: Any
    _cached_grouped_trades_per_pair: dict[str, pd.DataFrame | None]

    def _if_enabled_populate_trades(self, dataframe: pd.DataFrame, metadata: dict) -> pd.DataFrame:
        config = self.config
        if not config.get("exchange", {}).get("use_public_trades", False):
            return dataframe
        from freqtrade.configuration import TimeRange

        pair = metadata["pair"]
        timerange = None
        if not dataframe.empty:
            first, last = times_ms(dataframe["date"].iloc[[0, -1]])
            timerange = TimeRange("date", "date", startts=int(first), stopts=int(last))
        trades = self.dp.trades(pair=pair, copy=False, timerange=timerange)
        caches = self._cached_grouped_trades_per_pair
        dataframe, caches[pair] = populate_dataframe_with_trades(
            caches.get(pair),
            config,
            dataframe,
            trades,
            footprint=self.flowbook_footprint,
            trade_records=self.flowbook_trade_records,
        )
        return dataframe
