"""One self-contained HTML report of an evaluation (plotly, its JavaScript inlined: no network).

Panels (at the verdict's fee): stitched out-of-sample equity against buy-and-hold of the same pairs;
drawdown; per-fold return and trades; the trade-return histogram; the bootstrap distribution of
the mean daily return with its CI; the random-entry null distribution of total profit with the
strategy's mark; each day's realized loss against the daily loss limit.
"""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ftpack.evaluate.evaluator import Evaluation
from ftpack.report import verdict_rows

DIV_ID = "evaluation"
TITLES = (
    "Stitched out-of-sample equity (verdict's fee) vs buy & hold, USDT",
    "Drawdown from the running peak, USDT",
    "Per fold: return % (bars) and trades (markers)",
    "Trade returns after fees, %",
    "Bootstrap distribution of the mean daily return (verdict's fee)",
    "Random-entry null: total profit per seed, USDT (line: the strategy)",
    "Daily realized loss vs the daily loss limit, USDT",
)


def figure(evaluation: Evaluation) -> go.Figure:
    doc, plots = evaluation.document, evaluation.plots
    equity, bh, trades = plots["equity"], plots["buy_and_hold"], plots["trades"]
    days = [f"{d:%Y-%m-%d}" for d in equity.index]
    fig = make_subplots(rows=len(TITLES), cols=1, subplot_titles=TITLES, vertical_spacing=0.045,
                        specs=[[{}], [{}], [{"secondary_y": True}], [{}], [{}], [{}], [{}]])
    fig.add_trace(go.Scatter(x=days, y=equity["equity"].round(4).tolist(),
                             name="strategy equity", mode="lines"), row=1, col=1)
    fig.add_trace(go.Scatter(x=[f"{d:%Y-%m-%d}" for d in bh.index], y=bh.round(4).tolist(),
                             name="buy & hold", mode="lines"), row=1, col=1)
    peak = np.maximum.accumulate(np.concatenate(([doc["starting_balance"]],
                                                 equity["equity"].to_numpy())))[1:]
    fig.add_trace(go.Scatter(x=days, y=(equity["equity"].to_numpy() - peak).round(4).tolist(),
                             name="drawdown", fill="tozeroy", mode="lines"), row=2, col=1)
    folds = plots["folds"]
    labels = [f"{f['index']}: {f['test'][0]}" for f in folds]
    fig.add_trace(go.Bar(x=labels, y=[f["return_pct"] for f in folds], name="fold return %"),
                  row=3, col=1)
    fig.add_trace(go.Scatter(x=labels, y=[f["trades"] for f in folds], name="fold trades",
                             mode="markers"), row=3, col=1, secondary_y=True)
    returns = (100 * trades["profit_ratio"].astype(float)).round(4).tolist() if len(trades) else []
    fig.add_trace(go.Histogram(x=returns, name="trade return %", nbinsx=60), row=4, col=1)
    boot = doc["bootstrap"]["mean_daily_return"]
    fig.add_trace(go.Histogram(x=np.asarray(plots["bootstrap"]).tolist(), nbinsx=60,
                               name="bootstrap mean daily return"), row=5, col=1)
    for value, name in ((boot["lower"], "CI lower"), (boot["upper"], "CI upper"),
                        (boot["estimate"], "estimate")):
        if value is not None:
            fig.add_vline(x=value, line_dash="dash" if name != "estimate" else "solid",
                          row=5, col=1)
    null = plots["null"]
    if null is not None:
        fig.add_trace(go.Histogram(x=null.null_totals.round(4).tolist(), nbinsx=60,
                                   name="random-entry total profit"), row=6, col=1)
        fig.add_vline(x=null.strategy_total, line_color="red", row=6, col=1)
    loss = (-equity["realized"].clip(upper=0.0)).round(4).tolist()
    fig.add_trace(go.Bar(x=days, y=loss, name="realized loss of the day"), row=7, col=1)
    fig.add_trace(go.Scatter(x=days, y=plots["daily_limit"].round(4).tolist(),
                             name="daily loss limit", mode="lines"), row=7, col=1)
    fig.update_layout(height=330 * len(TITLES), showlegend=True, template="plotly_white",
                      title=f"{doc['strategy']}: {doc['verdict']['verdict']}")
    return fig


def write_html(evaluation: Evaluation, path: Path) -> Path:
    """Write the report page (verdict table, command, plots) to ``path``."""
    doc = evaluation.document
    rows = "\n".join(
        f"<tr><td>{html.escape(s)}</td><td>{html.escape(v)}</td><td>{html.escape(t)}</td></tr>"
        for s, v, t in verdict_rows(doc))
    plot = figure(evaluation).to_html(include_plotlyjs=True, full_html=False, div_id=DIV_ID)
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{html.escape(doc['strategy'])} evaluation</title>
<style>body{{font-family:sans-serif;margin:1.5em}}td{{padding:2px 10px}}
table{{border-collapse:collapse}}tr:nth-child(even){{background:#f3f3f3}}</style></head>
<body><h1>{html.escape(doc['strategy'])}: {html.escape(doc['verdict']['verdict'])}</h1>
<p>{html.escape(doc['verdict']['summary'])}</p>
<p>Command: <code>{html.escape(doc['command'])}</code><br>Data: {html.escape(doc['datadir'])},
{html.escape(doc['timeframe'])}, {html.escape(doc['trading_mode'])}; evaluated
{html.escape(doc['evaluated_at'])}.</p>
<table>{rows}</table>
{plot}
</body></html>
"""
    path.write_text(page)
    return path
