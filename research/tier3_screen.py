"""Tier 3 screen: can BTC/ETH USDT-M perpetual scalps (1m, and a 5m variant) with maker entries
pay their fees out of sample?

First the fee arithmetic of the tier's 0.1-0.3 % targets: the win rate a target/stop pair needs to
break even at maker-entry/maker-target/taker-stop fees (0.02 % / 0.05 %) and at taker fees.

Then every variant (family x parameters x timeframe x trend filter) is simulated on every
coverage window of the 1m futures files (2023-07/08, ETH 2024-12/2025-01, 2025-01/02,
2025-05/06, 2025-07) and on the continuous 5m futures (BTC from 2023-01, ETH from 2024-12):
long and short, one position per pair, at most 2 open, 20 % of the account as notional per
trade (the risk layer's 15 % gap bound: 3 x 1 % / 15 %, whatever the leverage). Walk-forward:
each test window's variant is the best on all earlier windows (>= 40 trades, > 0); stitched
later-window results at maker/taker VIP-0 fees and at taker fees, with the random-entry null.

Families:
  fade      bar-portion flush fade: a wide candle closing at its low (high) -> resting limit buy
            (sell) ``offset`` beyond the close, maker; target/stop brackets;
  breakout  close beyond the prior N-candle range with volume > 3 x mean -> market entry (taker).
Context: optional 5m trend filter (long only above the 4 h SMA of 5m closes, short only below).
Order flow: trades exist only for a few minutes per pair (shared/data README), too little for a
statistical screen, so no variant uses it.

Every variant is appended to research/trials/tier3.jsonl.

Run:  nice -n 15 .venv/bin/python research/tier3_screen.py [--seeds 200] \
          [--out research/out/tier3.md]
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ftpack.tiers import indicators
from ftpack.tiers.momentum import setups
from research import common as C

PAIRS = ["BTC/USDT:USDT", "ETH/USDT:USDT"]
NOTIONAL, MAX_OPEN = 0.20, 2
MIN_TRAIN_TRADES = 40

GRID = {
    "fade": [
        {"bp": bp, "range_mult": rm, "offset": off, "target": t, "stop": st}
        for bp, rm, off, t, st in itertools.product(
            [0.7, 0.9], [2.0, 4.0], [0.0, 0.001], [0.002, 0.004], [0.002, 0.004]
        )
    ],
    "breakout": [
        {"window": w, "target": t, "stop": st}
        for w, t, st in itertools.product([30, 60], [0.003, 0.006], [0.002, 0.004])
    ],
    # trade less often, larger moves: in the 4 h trend, a resting order ``offset`` behind the
    # close (maker), 0.6-1 % target, held up to 2 h
    "trend_dip": [
        {"offset": off, "target": t, "stop": st}
        for off, t, st in itertools.product([0.003, 0.005], [0.006, 0.01], [0.003, 0.005])
    ],
}


def breakeven_table() -> list[str]:
    lines = ["| target % | stop % | fees | win rate needed % |", "|---:|---:|---|---:|"]
    for t, s in itertools.product([0.001, 0.002, 0.003], [0.001, 0.002, 0.003]):
        for name, fin, ftgt, fstop in (
            ("maker in, maker target, taker stop", 0.0002, 0.0002, 0.0005),
            ("taker both sides", 0.0005, 0.0005, 0.0005),
        ):
            win = t - fin - ftgt
            loss = s + fin + fstop
            need = loss / (win + loss) if win > 0 else float("nan")
            lines.append(
                f"| {100 * t:.1f} | {100 * s:.1f} | {name} | "
                f"{'never' if win <= 0 else round(100 * need, 1)} |"
            )
    return lines


def signals(family: str, p: dict, df: pd.DataFrame, trend_filter: bool, tf_min: int):
    """(long, short) boolean arrays."""
    if family == "trend_dip":
        up = setups.trend_up(df["close"], 240 // tf_min)
        rising = df["close"].rolling(240 // tf_min).mean().diff(12 // max(1, tf_min // 1)) > 0
        long_ = up & rising
        short = ~up & ~rising
        return long_.fillna(False).to_numpy(bool), short.fillna(False).to_numpy(bool)
    if family == "fade":
        span = df["high"] - df["low"]
        wide = span >= p["range_mult"] * span.rolling(20).mean().shift(1)
        bp = setups.bar_portion(df)
        long_, short = (bp <= -p["bp"]) & wide, (bp >= p["bp"]) & wide
    else:
        vol = indicators.volume_ratio(df, 20) > 3.0
        long_ = (df["close"] > indicators.range_high(df, p["window"])) & vol
        short = (df["close"] < indicators.range_low(df, p["window"])) & vol
    if trend_filter:
        up = setups.trend_up(df["close"], 240 // tf_min)
        long_, short = long_ & up, short & ~up
    return long_.fillna(False).to_numpy(bool), short.fillna(False).to_numpy(bool)


def exits(family: str, p: dict, short: bool, tf_min: int) -> C.Exits:
    hold = 30 if tf_min == 1 else 12
    if family == "trend_dip":
        return C.Exits(
            stop=p["stop"],
            target=p["target"],
            max_hold=120 // tf_min,
            entry="limit",
            limit_offset=p["offset"],
            limit_bars=3,
            short=short,
        )
    if family == "fade":
        return C.Exits(
            stop=p["stop"],
            target=p["target"],
            max_hold=hold,
            entry="limit",
            limit_offset=p["offset"],
            limit_bars=3,
            short=short,
        )
    return C.Exits(stop=p["stop"], target=p["target"], max_hold=hold, short=short)


def trades_of(frames, family, p, trend, tf_min, costs=C.PERP_VIP0):
    per_pair = []
    for pair, df in frames.items():
        lo, sh = signals(family, p, df, trend, tf_min)
        parts = []
        for sig, is_short in ((lo, False), (sh, True)):
            out = C.outcomes(
                df, np.flatnonzero(sig), exits(family, p, is_short, tf_min), costs, tf_min
            )
            if not out.empty:
                parts.append(out.assign(short=is_short))
        if parts:
            out = pd.concat(parts).sort_values("sig").reset_index(drop=True)
            per_pair.append(C.one_at_a_time(out).assign(pair=pair))
    if not per_pair:
        return C._empty().assign(pair=[], short=[])
    return C.portfolio(pd.concat(per_pair, ignore_index=True), MAX_OPEN)


def reprice(trades, costs):
    if trades.empty:
        return trades
    parts = [C.reprice(trades[trades["short"] == s], costs, short=s) for s in (False, True)]
    return pd.concat(parts).sort_values("entry_time")


def windows_1m() -> list[tuple[str, str]]:
    """Coverage windows of the 1m files (union over BTC and ETH, overlaps merged) as [start, end)
    dates; a window longer than 40 days is split in two halves (more test folds)."""
    spans = sorted(
        (a.floor("D"), b.floor("D") + pd.Timedelta(days=1))
        for pair in PAIRS
        for a, b in C.coverage(C.load(pair, "1m", futures=True), 1)
    )
    merged: list[list[pd.Timestamp]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    out = []
    for a, b in merged:
        if (b - a).days > 40:
            mid = a + (b - a) / 2
            out += [(a, mid.floor("D")), (mid.floor("D"), b)]
        else:
            out.append((a, b))
    return [(a.strftime("%Y-%m-%d"), b.strftime("%Y-%m-%d")) for a, b in out]


def run(tf: str, folds: list[tuple[str, str]], train_from: str, seeds: int) -> list[str]:
    tf_min = int(tf[:-1])
    frames = {p: C.load(p, tf, futures=True) for p in PAIRS}
    variants = {}
    for family, grid in GRID.items():
        for p, trend in itertools.product(grid, [False, True]):
            params = {**p, "trend": trend, "tf": tf}
            tr = trades_of(frames, family, p, trend, tf_min)
            key = C.variant_id(family, params)
            variants[key] = (family, params, tr)
            rng_ = f"{folds[0][0] if tf == '1m' else train_from}..{folds[-1][1]}"
            C.record(
                "tier3",
                family,
                params,
                rng_,
                C.PERP_VIP0.name,
                C.metrics(tr, NOTIONAL, train_from, folds[-1][1]),
                "research/tier3_screen.py",
            )
    lines = [f"### {tf}: {len(variants)} variants", ""]
    rows = [
        {"key": k, "family": f, **pr, **C.metrics(t, NOTIONAL, train_from, folds[-1][1])}
        for k, (f, pr, t) in variants.items()
    ]
    league = pd.DataFrame(rows).sort_values("net_pct", ascending=False)
    lines += [
        "Whole range, in-sample (orientation only), best 8:",
        "",
        league.head(8).drop(columns=["days"]).to_markdown(index=False),
        "",
    ]
    stitched, log, chosen = [], [], {}
    for s, e in folds[1:]:
        best, best_val = None, 0.0
        for k, (_, _, tr) in variants.items():
            t = C.between(tr, train_from, s, "exit_time")
            if len(t) >= MIN_TRAIN_TRADES and t["ret"].sum() > best_val:
                best, best_val = k, float(t["ret"].sum())
        if best is None:
            log.append(f"| {s}..{e} | flat | | | | | |")
            continue
        fam, params, tr = variants[best]
        t = C.between(tr, s, e).assign(fold=f"{s}..{e}")
        chosen[f"{s}..{e}"] = params
        stitched.append(t)
        m, mt = C.metrics(t, NOTIONAL, s, e), C.metrics(reprice(t, C.PERP_TAKER), NOTIONAL, s, e)
        log.append(
            f"| {s}..{e} | {fam} {params} | {m['trades']} | {m['win_pct']} | {m['pf']} | "
            f"{m['net_pct']} | {mt['net_pct']} |"
        )
    lines += [
        "| test window | chosen on earlier windows | trades | win % | PF | net % (maker/taker) | "
        "net % (taker) |",
        "|---|---|---:|---:|---:|---:|---:|",
        *log,
        "",
    ]
    if stitched:
        tr = pd.concat(stitched, ignore_index=True)
        days = sum((pd.Timestamp(e) - pd.Timestamp(s)).days for s, e in folds[1:])
        # metrics over the concatenated test days (gaps between windows dropped)
        dstart = "2000-01-01"
        dend = (pd.Timestamp(dstart) + pd.Timedelta(days=days)).strftime("%Y-%m-%d")
        shift = _compress(tr, folds[1:], dstart)
        m = C.metrics(shift, NOTIONAL, dstart, dend, ci=True)
        mt = C.metrics(reprice(shift, C.PERP_TAKER), NOTIONAL, dstart, dend, ci=True)
        nul = null_multi(tr, frames, variants, chosen, tf_min, seeds)
        lines += [
            f"Stitched test windows ({days} days): maker/taker {m}",
            "",
            f"taker only {mt}",
            "",
            f"Random entries: {nul}",
            "",
        ]
    return lines


def _compress(trades, folds, dstart):
    """Move the test windows next to each other so that daily statistics skip the gaps."""
    out, offset = [], pd.Timestamp(dstart, tz="UTC")
    for s, e in folds:
        t = C.between(trades, s, e)
        delta = offset - pd.Timestamp(s, tz="UTC")
        out.append(t.assign(entry_time=t["entry_time"] + delta, exit_time=t["exit_time"] + delta))
        offset += pd.Timestamp(e) - pd.Timestamp(s)
    return pd.concat(out, ignore_index=True)


def null_multi(tr, frames, variants, chosen, tf_min, seeds):
    """Random-entry null for stitched windows that may use different variants."""
    fams = {
        fold: next(f for f, pr, _ in variants.values() if pr == params)
        for fold, params in chosen.items()
    }
    rng = np.random.default_rng(2026)
    strat = float(tr["ret"].mean())
    pools = []
    for (pair, fold, is_short), g in tr.groupby(["pair", "fold", "short"]):
        df = frames[pair]
        s, e = fold.split("..")
        m = (
            (df["date"] >= pd.Timestamp(s, tz="UTC")) & (df["date"] < pd.Timestamp(e, tz="UTC"))
        ).to_numpy()
        pools.append(
            (df, np.flatnonzero(m), len(g), exits(fams[fold], chosen[fold], is_short, tf_min))
        )
    means = []
    for _ in range(seeds):
        rets = []
        for df, c, k, ex in pools:
            if len(c):
                pick = np.sort(rng.choice(c, size=min(k * 2, len(c)), replace=False))
                rets.append(C.outcomes(df, pick, ex, C.PERP_VIP0, tf_min)["ret"].to_numpy()[:k])
        means.append(float(np.concatenate(rets).mean()))
    means = np.asarray(means)
    return {
        "null_mean_pct": round(100 * means.mean(), 4),
        "strategy_mean_pct": round(100 * strat, 4),
        "p": round((1 + int((means >= strat).sum())) / (seeds + 1), 4),
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=200)
    ap.add_argument("--out", default="research/out/tier3.md")
    args = ap.parse_args(argv)
    lines = [
        "# Tier 3 screen",
        "",
        "## Break-even win rates of scalping brackets",
        "",
        *breakeven_table(),
        "",
    ]
    w1 = windows_1m()
    lines += ["## 1m perps, rolling over the coverage windows", "", f"Windows: {w1}", ""]
    lines += run("1m", w1, w1[0][0], args.seeds)
    f5 = [
        (d.strftime("%Y-%m-%d"), (d + pd.DateOffset(months=2)).strftime("%Y-%m-%d"))
        for d in pd.date_range("2023-01-01", "2025-09-01", freq="2MS")
    ]
    f5[-1] = (f5[-1][0], "2025-10-01")  # the data ends 2025-09-30
    lines += ["## 5m perps, anchored 2-month folds", ""]
    lines += run("5m", f5, "2023-01-01", args.seeds)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
