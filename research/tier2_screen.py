"""Tier 2 screen: do 5m long-only entry setups on every spot alt/major in the development data
make money after fees out of sample, with a market-wide regime filter and a regime-chosen setup?

Measures, for every variant (setup family x parameters x target x regime filter), the trades of a
1 % stop / 2-3 % target / 6 h hold / flat-by-23:30-UTC long on each pair (one position per pair,
at most 2 open, 20 % of the account each: the stake the risk layer's 15 % gap bound allows at
$1,000), on the whole history. Then an anchored walk-forward: for each 2-month test fold the
variant with the best net profit on all earlier data (>= 60 trades, > 0) is chosen and traded on
the fold; "selector" chooses one variant per regime state (market on / off) the same way. Reports
per-fold and stitched out-of-sample results at 0.075 % (BNB) and 0.1 % fees and the
random-entry null (same exits, same pairs and folds, same number of trades, 200 seeds).

Families (rules in ftpack.tiers.momentum.setups / ftpack.tiers.indicators):
  breakout   close > prior N-candle high, volume > k x its 20-candle mean (market entry);
  pullback   Bonde: burst, tight base, close above the base (market entry);
  barportion bar-portion flush reversal (market entry or a resting limit 0.3 % below).

Every variant is appended to research/trials/tier2.jsonl.

Run:  nice -n 15 .venv/bin/python research/tier2_screen.py [--seeds 200] \
          [--out research/out/tier2.md]
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

TF = 5
STAKE, MAX_OPEN = 0.20, 2
CUTOFF, LAST_ENTRY_GAP = 23 * 60 + 30, 60
START, END = "2022-08-01", "2025-10-01"
TEST_STARTS = [
    d.strftime("%Y-%m-%d") for d in pd.date_range("2023-02-01", "2025-09-01", freq="2MS")
]
MIN_TRAIN_TRADES = 60
DAY = 288

SIGNALS: dict[str, list[dict]] = {
    "breakout": [{"window": w, "vol": v} for w, v in itertools.product([48, 144, 288], [2.0, 4.0])],
    "pullback": [
        {"burst": b, "burst_min": bm, "base": ba, "base_max": bx}
        for b, bm, ba, bx in itertools.product([12, 48], [0.03, 0.06], [6, 12], [0.01, 0.02])
    ],
    "barportion": [
        {"bp_max": bp, "range_mult": rm, "entry": e}
        for bp, rm, e in itertools.product([-0.7, -0.9], [1.5, 3.0], ["market", "limit"])
    ],
    "dip": [
        {"n_std": k, "rsi_max": r, "entry": e}
        for k, r, e in itertools.product([2.5, 3.0], [20, 30], ["market", "limit"])
    ],
    "orb": [
        {"start": st, "minutes": m} for st, m in itertools.product([0, 13 * 60 + 30], [30, 60])
    ],
    # signal on the candle opening at HH:00 (entry at HH:05)
    "leader": [
        {"signal_hour": h, "largest": lg, "k": 2}
        for h, lg in itertools.product([0, 13], [True, False])
    ],
}
TARGETS = [0.02, 0.03]
REGIMES = ["all", "btc_h4", "btc_d5", "btc_d20", "mkt_d20_b60"]


PANEL: dict[str, pd.DataFrame] = {}


def signal(family: str, p: dict, df: pd.DataFrame, pair: str) -> np.ndarray:
    if family == "leader":  # cross-sectional: top/bottom k of the universe by 24 h return
        chosen = setups.top_k(PANEL["ret24"], p["k"], p["largest"])[pair]
        minute = chosen.index.hour * 60 + chosen.index.minute
        at = minute == p["signal_hour"] * 60
        s = pd.Series(chosen.to_numpy() & at, index=chosen.index).reindex(df["date"])
        return s.fillna(False).to_numpy(bool)
    if family == "dip":
        s = setups.oversold_dip(df, 20, p["n_std"], p["rsi_max"])
    elif family == "orb":
        s = setups.opening_range_breakout(df, p["start"], p["minutes"])
    elif family == "breakout":
        s = indicators.breakout_up(df, p["window"]) & (indicators.volume_ratio(df, 20) > p["vol"])
    elif family == "pullback":
        s = setups.consolidation_breakout(df, p["burst"], p["burst_min"], p["base"], p["base_max"])
    else:
        s = setups.flush_reversal(df, p["bp_max"], 20, p["range_mult"])
    return s.fillna(False).to_numpy(bool)


def exits_for(family: str, p: dict, target: float) -> C.Exits:
    entry = p.get("entry", "market")
    return C.Exits(
        stop=0.01,
        target=target,
        max_hold=72,
        cutoff_minute=CUTOFF,
        entry=entry,
        limit_offset=0.003 if entry == "limit" else 0.0,
        limit_bars=3,
    )


def regimes(frames: dict[str, pd.DataFrame]) -> dict[str, dict[str, np.ndarray]]:
    """Per regime filter and pair: True where the long-only market filter is on (causal)."""
    btc = frames["BTC/USDT"].set_index("date")["close"]
    trends = pd.DataFrame(
        {
            p: setups.trend_up(f.set_index("date")["close"], 20 * DAY).where(
                f.set_index("date")["close"].notna()
            )
            for p, f in frames.items()
        }
    )
    # a pair counts in the breadth only once its SMA exists (after 20 days of data)
    counted = pd.DataFrame(
        {
            p: f.set_index("date")["close"].rolling(20 * DAY).count() >= 20 * DAY
            for p, f in frames.items()
        }
    )
    basket = setups.breadth(trends.where(counted))
    series = {
        "btc_h4": setups.trend_up(btc, 48),
        "btc_d5": setups.trend_up(btc, 5 * DAY),
        "btc_d20": setups.trend_up(btc, 20 * DAY),
    }
    series["mkt_d20_b60"] = setups.market_on(series["btc_d20"], basket.reindex(btc.index), 0.6)
    out: dict[str, dict[str, np.ndarray]] = {
        "all": {p: np.ones(len(f), bool) for p, f in frames.items()}
    }
    for name, s in series.items():
        out[name] = {
            p: s.reindex(f["date"]).fillna(False).to_numpy(bool) for p, f in frames.items()
        }
    return out


def entry_window(df: pd.DataFrame) -> np.ndarray:
    from ftpack.tiers.momentum import session

    return session.entry_window_open(df["date"], "5m", CUTOFF, LAST_ENTRY_GAP).to_numpy(bool)


def account_trades(per_pair: dict[str, pd.DataFrame]) -> pd.DataFrame:
    parts = [t.assign(pair=p) for p, t in per_pair.items() if not t.empty]
    if not parts:
        return C._empty().assign(pair=[])
    return C.portfolio(pd.concat(parts, ignore_index=True), MAX_OPEN)


def build_variants(frames, regs, windows):
    """All variants' account-level trades on the whole history: {key: (family, params, trades)}."""
    variants = {}
    for family, grid in SIGNALS.items():
        for p in grid:
            sigs = {
                pair: signal(family, p, df, pair) & windows[pair] for pair, df in frames.items()
            }
            for target in TARGETS:
                ex = exits_for(family, p, target)
                raw = {
                    pair: C.outcomes(df, np.flatnonzero(sigs[pair]), ex, C.SPOT_BNB, TF)
                    for pair, df in frames.items()
                }
                for reg in REGIMES:
                    per_pair = {}
                    for pair, out in raw.items():
                        if out.empty:
                            continue
                        on = regs[reg][pair][out["sig"].to_numpy()]
                        per_pair[pair] = C.one_at_a_time(out[on].reset_index(drop=True))
                    params = {**p, "target": target, "regime": reg}
                    trades = account_trades(per_pair)
                    key = C.variant_id(family, params)
                    variants[key] = (family, params, trades)
                    C.record(
                        "tier2",
                        family,
                        {**params, "exits": C.exits_dict(ex)},
                        f"{START}..{END}",
                        C.SPOT_BNB.name,
                        C.metrics(trades, STAKE, START, END),
                        "research/tier2_screen.py",
                    )
    return variants


def choose(variants: dict, end: str, regime_mask=None):
    """Key of the variant with the best net profit on [START, end), or None if none is > 0."""
    best, best_val = None, 0.0
    for key, (_, _, tr) in variants.items():
        t = C.between(tr, START, end, "exit_time")
        if regime_mask is not None:
            t = t[regime_mask(key, t)]
        if len(t) < MIN_TRAIN_TRADES:
            continue
        val = float(t["ret"].sum())
        if val > best_val:
            best, best_val = key, val
    return best


def walk_forward(variants: dict, regs, frames) -> tuple[pd.DataFrame, list[dict]]:
    """Stitched out-of-sample trades of the 'best single variant' protocol and the fold log."""
    stitched, log = [], []
    for s, e in C.folds(TEST_STARTS):
        e = min(e, END)
        key = choose(variants, s)
        if key is None:
            log.append({"fold": f"{s}..{e}", "variant": "flat"})
            continue
        fam, params, tr = variants[key]
        t = C.between(tr, s, e)
        stitched.append(t.assign(fold=s, variant=key))
        log.append({"fold": f"{s}..{e}", "variant": f"{fam} {params}", "key": key})
    trades = pd.concat(stitched, ignore_index=True) if stitched else C._empty()
    return trades, log


def selector(variants: dict, regs, frames, regime: str = "mkt_d20_b60"):
    """Regime model: per fold and regime state (on/off), the best unfiltered variant on the
    earlier data of that state, traded in that state only."""
    base = {}
    for k, (fam, params, tr) in variants.items():
        if params["regime"] != "all":
            continue
        on = (
            np.array([regs[regime][p][i] for p, i in zip(tr["pair"], tr["sig"], strict=True)], bool)
            if not tr.empty
            else np.zeros(0, bool)
        )
        base[k] = (fam, params, tr.assign(state_on=on))
    stitched, log = [], []
    for s, e in C.folds(TEST_STARTS):
        e = min(e, END)
        for on in (True, False):

            def mask(key, t, on=on):
                return (t["state_on"] == on).to_numpy()

            key = choose(base, s, mask)
            name = "on" if on else "off"
            if key is None:
                log.append({"fold": f"{s}..{e}", "state": name, "variant": "flat"})
                continue
            fam, params, tr = base[key]
            t = C.between(tr, s, e)
            stitched.append(t[t["state_on"] == on].assign(fold=s, variant=key))
            log.append(
                {"fold": f"{s}..{e}", "state": name, "variant": f"{fam} {params}", "key": key}
            )
    trades = pd.concat(stitched, ignore_index=True) if stitched else C._empty()
    if not trades.empty:  # trades of the two states may overlap in time: keep the account limit
        trades = C.portfolio(trades, MAX_OPEN)
    return trades, log


def null_model(
    trades: pd.DataFrame, variants, frames, windows, regs, seeds: int, use_regime: bool
) -> dict:
    """Random entries at eligible candles (entry window; and the variant's regime filter if
    ``use_regime``) of the same pairs and folds, as many as the strategy took, same exits."""
    if trades.empty:
        return {"null_mean_pct": None, "p": None}
    rng = np.random.default_rng(2026)
    groups = list(trades.groupby(["variant", "fold", "pair"]))
    strat = float(trades["ret"].mean())
    pools = []
    for (key, fold, pair), g in groups:
        fam, params, _ = variants[key]
        df = frames[pair]
        s, e = pd.Timestamp(fold, tz="UTC"), pd.Timestamp(fold, tz="UTC") + pd.DateOffset(months=2)
        elig = windows[pair] & (df["date"] >= s).to_numpy() & (df["date"] < e).to_numpy()
        if use_regime:
            elig &= regs[params["regime"]][pair]
        pools.append((df, np.flatnonzero(elig), len(g), exits_for(fam, params, params["target"])))
    means = []
    for _ in range(seeds):
        rets = []
        for df, cand, k, ex in pools:
            if len(cand) == 0:
                continue
            pick = np.sort(rng.choice(cand, size=min(len(cand), k), replace=False))
            out = C.outcomes(df, pick, ex, C.SPOT_BNB, TF)
            rets.append(out["ret"].to_numpy())
        means.append(float(np.concatenate(rets).mean()))
    means = np.asarray(means)
    return {
        "null_mean_pct": round(100 * means.mean(), 4),
        "null_p95_pct": round(100 * np.percentile(means, 95), 4),
        "strategy_mean_pct": round(100 * strat, 4),
        "p": round((1 + int((means >= strat).sum())) / (seeds + 1), 4),
    }


def fold_table(trades: pd.DataFrame) -> list[str]:
    lines = [
        "| fold | trades | win % | PF | net % (0.075 %) | net % (0.1 %) | max DD % | worst day % |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s, e in C.folds(TEST_STARTS):
        e = min(e, END)
        t = C.between(trades, s, e) if not trades.empty else trades
        m = C.metrics(t, STAKE, s, e)
        mt = C.metrics(C.reprice(t, C.SPOT_TAKER), STAKE, s, e)
        lines.append(
            f"| {s}..{e} | {m['trades']} | {m['win_pct']} | {m['pf']} | {m['net_pct']} | "
            f"{mt['net_pct']} | {m['max_dd_pct']} | {m['worst_day_pct']} |"
        )
    return lines


def summary(name: str, trades: pd.DataFrame) -> list[str]:
    s0 = TEST_STARTS[0]
    m = C.metrics(trades, STAKE, s0, END, ci=True)
    mt = C.metrics(C.reprice(trades, C.SPOT_TAKER), STAKE, s0, END, ci=True)
    return [
        f"| {name} | {fee} | {x['trades']} | {x['win_pct']} | {x['pf']} | {x['mean_ret_pct']} | "
        f"{x['net_pct']} | {x['max_dd_pct']} | {x['worst_day_pct']} | {x['mean_daily_pct']} | "
        f"{x['ci_daily_pct']} |"
        for fee, x in (("0.075 %", m), ("0.1 %", mt))
    ]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=200)
    ap.add_argument("--out", default="research/out/tier2.md")
    args = ap.parse_args(argv)
    frames = {p: C.load(p) for p in C.spot_universe()}
    windows = {p: entry_window(df) for p, df in frames.items()}
    regs = regimes(frames)
    PANEL["ret24"] = pd.DataFrame(
        {
            p: f.set_index("date")["close"].pct_change(DAY, fill_method=None)
            for p, f in frames.items()
        }
    )
    variants = build_variants(frames, regs, windows)
    lines = [f"# Tier 2 screen ({len(variants)} variants, universe {len(frames)} pairs)", ""]
    lines += ["## Coverage windows of the universe", ""]
    for p, df in frames.items():
        cov = ", ".join(f"{a:%Y-%m-%d}..{b:%Y-%m-%d}" for a, b in C.coverage(df, TF))
        lines.append(f"- {p}: {cov}")
    # whole-history league table (in-sample: for orientation only)
    rows = []
    for key, (fam, params, tr) in variants.items():
        m = C.metrics(tr, STAKE, START, END)
        rows.append({"key": key, "family": fam, **params, **m})
    league = pd.DataFrame(rows).sort_values("net_pct", ascending=False)
    lines += [
        "",
        "## Whole history, in-sample, top 15 and per family best (orientation only)",
        "",
        league.head(15).to_markdown(index=False),
        "",
        league.groupby("family").head(1).to_markdown(index=False),
        "",
    ]
    out_rows = [
        "| protocol | fee | trades | win % | PF | mean trade % | net % | max DD % | worst day % | "
        "mean daily % | 95 % CI daily % |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    sections = []
    for name, (trades, log) in {
        "best variant (anchored walk-forward)": walk_forward(variants, regs, frames),
        "regime selector (on/off by mkt_d20_b60)": selector(variants, regs, frames),
    }.items():
        out_rows += summary(name, trades)
        null_all = null_model(trades, variants, frames, windows, regs, args.seeds, use_regime=False)
        null_reg = null_model(trades, variants, frames, windows, regs, args.seeds, use_regime=True)
        sections += [
            f"### {name}",
            "",
            *fold_table(trades),
            "",
            f"Random entries (same exits, pairs, folds, count; {args.seeds} seeds): any candle "
            f"{null_all}; candles with the variant's regime filter on {null_reg}",
            "",
            pd.DataFrame(log).to_markdown(index=False),
            "",
        ]
    lines += [
        f"## Out of sample (stitched test folds {TEST_STARTS[0]}..{END}, stake 20 %, max 2 open)",
        "",
        *out_rows,
        "",
        *sections,
    ]
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
