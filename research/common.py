"""Shared machinery of the research screens: data, fees, a barrier-exit trade simulator, account
metrics, a random-entry null model, walk-forward folds and the trial ledger.

Not a backtester for users (Freqtrade is): a fast event study so that many rule variants can be
screened on the whole development history, each one counted in ``research/trials/<tier>.jsonl``.

Fill model (one position per pair):
* market entry: the open of the candle after the signal candle, plus ``slip`` (taker fee);
* limit entry: a resting buy at ``close * (1 - offset)`` of the signal candle, alive for
  ``limit_bars`` candles; it fills only if a later candle's low trades *below* it (maker fee);
* exits, checked candle by candle from the fill candle on: stop (low <= stop: filled at
  min(stop, open) minus ``slip``, taker), target (high > target: a resting sell, maker), both in
  one candle = stop (conservative); time exit after ``max_hold`` candles, at the daily cut-off, or
  before a data gap: the candle's close minus ``slip`` (taker);
* profit ratio as Freqtrade: ``(exit (1 - f_out) - entry (1 + f_in)) / (entry (1 + f_in))``.

Run nothing here; the screens import it.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import subprocess
import weakref
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ftpack.evaluate.bootstrap import bootstrap_ci

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "binance"
TRIALS = ROOT / "research" / "trials"
NS_PER_MIN = 60_000_000_000

STABLES = {"AEUR", "BUSD", "EURI", "FDUSD", "TUSD", "USD1", "USDC", "USDP", "XUSD"}


# ---------------------------------------------------------------- data
def load(pair: str, timeframe: str = "5m", futures: bool = False) -> pd.DataFrame:
    """Candles of ``pair`` ("SOL/USDT" or "BTC/USDT:USDT") from the development data folder."""
    base, quote = pair.split(":")[0].split("/")
    if futures:
        path = DATA / "futures" / f"{base}_{quote}_{quote}-{timeframe}-futures.feather"
    else:
        path = DATA / f"{base}_{quote}-{timeframe}.feather"
    df = pd.read_feather(path)
    df["date"] = pd.to_datetime(df["date"], utc=True)
    return df.sort_values("date").reset_index(drop=True)


def spot_universe() -> list[str]:
    """Every spot 5m USDT pair in the data that is neither a stablecoin nor BNB (the pack's
    spot configs blacklist BNB/.* because fees may be paid in BNB)."""
    pairs = []
    for path in sorted(DATA.glob("*_USDT-5m.feather")):
        base = path.name.split("_")[0]
        if base not in STABLES and base != "BNB":
            pairs.append(f"{base}/USDT")
    return pairs


def coverage(df: pd.DataFrame, timeframe_min: int, max_gap_min: int = 24 * 60) -> list[tuple]:
    """Continuous windows (first, last) of a candle frame, split at gaps longer than max_gap."""
    step = df["date"].diff().dt.total_seconds().div(60).fillna(timeframe_min)
    starts = np.flatnonzero(step.to_numpy() > max_gap_min)
    bounds = [0, *starts.tolist(), len(df)]
    return [(df["date"].iloc[a], df["date"].iloc[b - 1]) for a, b in itertools.pairwise(bounds)]


# ---------------------------------------------------------------- fees
@dataclass(frozen=True)
class Costs:
    """Fee per side for maker and taker fills and the price slippage of a taker fill."""

    name: str
    maker: float
    taker: float
    slip: float


SPOT_BNB = Costs("spot 0.075 % (BNB)", 0.00075, 0.00075, 0.0002)
SPOT_TAKER = Costs("spot 0.1 % taker", 0.001, 0.001, 0.0002)
PERP_VIP0 = Costs("perp 0.02/0.05 %", 0.0002, 0.0005, 0.0001)
PERP_TAKER = Costs("perp 0.05 % taker", 0.0005, 0.0005, 0.0001)


# ---------------------------------------------------------------- simulator
@dataclass(frozen=True)
class Exits:
    """Barrier exits as fractions of the fill price, a hold limit in candles and a cut-off."""

    stop: float
    target: float
    max_hold: int
    cutoff_minute: int | None = None  # flat by this UTC minute of day (None = no cut-off)
    entry: str = "market"  # or "limit"
    limit_offset: float = 0.0
    limit_bars: int = 1
    short: bool = False


def outcomes(
    df: pd.DataFrame, sig_idx: np.ndarray, ex: Exits, costs: Costs, tf_min: int, chunk: int = 20_000
) -> pd.DataFrame:
    """Outcome of a trade opened on every signal candle in ``sig_idx`` (no overlap filter yet).
    Columns: sig, fill, last (exit candle index), entry_time, exit_time, ret, reason, gross,
    maker_in, maker_out. Signals are processed in chunks to bound memory."""
    sig_idx = np.asarray(sig_idx, int)
    if len(sig_idx) <= chunk:
        return _outcomes(df, sig_idx, ex, costs, tf_min)
    parts = [
        _outcomes(df, sig_idx[i : i + chunk], ex, costs, tf_min)
        for i in range(0, len(sig_idx), chunk)
    ]
    parts = [p for p in parts if not p.empty]
    return pd.concat(parts, ignore_index=True) if parts else _empty()


_ARRAYS: dict[tuple, tuple] = {}


def _arrays(df: pd.DataFrame, tf_min: int, cutoff_minute: int | None) -> tuple:
    """open, high, low, close, open times (ns) and the forced-exit flag of each candle (a data
    gap follows it, or the daily cut-off falls at its close); cached per frame."""
    key = (id(df), len(df), tf_min, cutoff_minute)
    if key not in _ARRAYS:
        o, h, lo, c = (df[k].to_numpy(float) for k in ("open", "high", "low", "close"))
        t = df["date"].to_numpy("datetime64[ns]").astype(np.int64)
        nxt = np.r_[t[1:], t[-1] + 10**18]
        force = (nxt - t) > 1.5 * tf_min * NS_PER_MIN
        if cutoff_minute is not None:
            close_min = (t // NS_PER_MIN) % 1440 + tf_min
            force |= close_min >= cutoff_minute
        force[-1] = True
        _ARRAYS[key] = (o, h, lo, c, t, force)
        weakref.finalize(df, _ARRAYS.pop, key, None)  # an id is reused once the frame is gone
    return _ARRAYS[key]


def _outcomes(
    df: pd.DataFrame, sig_idx: np.ndarray, ex: Exits, costs: Costs, tf_min: int
) -> pd.DataFrame:
    o, h, lo, c, t, force = _arrays(df, tf_min, ex.cutoff_minute)
    n = len(df)
    s = np.asarray(sig_idx, int)
    s = s[(s < n - 1) & ~force[np.minimum(s, n - 1)]]
    if len(s) == 0:
        return _empty()
    sign = -1.0 if ex.short else 1.0
    if ex.entry == "market":
        f = s + 1
        price = o[f] * (1 + sign * costs.slip)
        fee_in = np.full(len(s), costs.taker)
    else:
        limit = c[s] * (1 - sign * ex.limit_offset)
        k = np.arange(1, ex.limit_bars + 1)
        idx = np.minimum(s[:, None] + k[None, :], n - 1)
        touched = (lo[idx] < limit[:, None]) if not ex.short else (h[idx] > limit[:, None])
        # an order alive across a gap or the cut-off is cancelled there
        alive = np.cumsum(force[np.minimum(idx - 1, n - 1)], axis=1) == 0
        touched &= alive & (s[:, None] + k[None, :] < n)
        ok = touched.any(axis=1)
        s, limit, touched = s[ok], limit[ok], touched[ok]
        if len(s) == 0:
            return _empty()
        f = s + 1 + np.argmax(touched, axis=1)
        price = limit
        fee_in = np.full(len(s), costs.maker)
    stop = price * (1 - sign * ex.stop)
    target = price * (1 + sign * ex.target)
    w = np.arange(ex.max_hold)
    idx = np.minimum(f[:, None] + w[None, :], n - 1)
    beyond = (f[:, None] + w[None, :]) > n - 1
    hh, ll, cc, oo = h[idx], lo[idx], c[idx], o[idx]
    ff = force[idx] | beyond
    ff[:, -1] = True  # hold limit
    if ex.short:
        stop_hit, tgt_hit = hh >= stop[:, None], ll < target[:, None]
    else:
        stop_hit, tgt_hit = ll <= stop[:, None], hh > target[:, None]
    if ex.entry == "limit":
        tgt_hit[:, 0] = False  # order of events inside the fill candle is unknown
    m = ex.max_hold
    first_stop = np.where(stop_hit.any(1), np.argmax(stop_hit, 1), m)
    first_tgt = np.where(tgt_hit.any(1), np.argmax(tgt_hit, 1), m)
    first_force = np.argmax(ff, 1)
    k = np.minimum(np.minimum(first_stop, first_tgt), first_force)
    rows = np.arange(len(s))
    is_stop = (first_stop == k) & (first_stop < m)
    is_tgt = ~is_stop & (first_tgt == k) & (first_tgt < m)
    gap_open = np.where(k > 0, oo[rows, k], stop)
    stop_px = np.minimum(stop, gap_open) if not ex.short else np.maximum(stop, gap_open)
    exit_px = np.where(
        is_stop,
        stop_px * (1 - sign * costs.slip),
        np.where(is_tgt, target, cc[rows, k] * (1 - sign * costs.slip)),
    )
    fee_out = np.where(is_tgt, costs.maker, costs.taker)
    if ex.short:
        ret = (price * (1 - fee_in) - exit_px * (1 + fee_out)) / (price * (1 - fee_in))
    else:
        ret = (exit_px * (1 - fee_out) - price * (1 + fee_in)) / (price * (1 + fee_in))
    last = f + k
    reason = np.where(is_stop, "stop", np.where(is_tgt, "target", "time"))
    return pd.DataFrame(
        {
            "sig": s,
            "fill": f,
            "last": last,
            "entry_time": pd.to_datetime(t[f], utc=True),
            "exit_time": pd.to_datetime(t[last] + tf_min * NS_PER_MIN, utc=True),
            "ret": ret,
            "reason": reason,
            # price ratio (after slippage) and the order types, to re-price at another fee
            "gross": exit_px / price if not ex.short else price / exit_px,
            "maker_in": ex.entry == "limit",
            "maker_out": is_tgt,
        }
    )


def reprice(trades: pd.DataFrame, costs: Costs, short: bool = False) -> pd.DataFrame:
    """The same fills charged at another fee schedule (slippage kept)."""
    if trades.empty:
        return trades
    out = trades.copy()
    fi = np.where(out["maker_in"], costs.maker, costs.taker)
    fo = np.where(out["maker_out"], costs.maker, costs.taker)
    g = out["gross"].to_numpy(float)
    if short:  # (p (1 - fi) - x (1 + fo)) / (p (1 - fi)) with g = p / x
        out["ret"] = 1 - (1 + fo) / (g * (1 - fi))
    else:
        out["ret"] = g * (1 - fo) / (1 + fi) - 1
    return out


def one_at_a_time(out: pd.DataFrame) -> pd.DataFrame:
    """Drop signals that come while an earlier trade of the same pair is still open."""
    if out.empty:
        return out
    sig, last = out["sig"].to_numpy(), out["last"].to_numpy()
    keep = np.zeros(len(out), bool)
    busy = -1
    for i in range(len(out)):
        if sig[i] >= busy:
            keep[i] = True
            busy = last[i] + 1
    return out[keep].reset_index(drop=True)


def simulate(
    df: pd.DataFrame, signal: np.ndarray, ex: Exits, costs: Costs, tf_min: int
) -> pd.DataFrame:
    """Trades of one pair from a boolean ``signal`` (known at the signal candle's close)."""
    return one_at_a_time(outcomes(df, np.flatnonzero(signal), ex, costs, tf_min))


def _empty() -> pd.DataFrame:
    return pd.DataFrame(
        columns=[
            "sig",
            "fill",
            "last",
            "entry_time",
            "exit_time",
            "ret",
            "reason",
            "gross",
            "maker_in",
            "maker_out",
        ]
    )


def portfolio(trades: pd.DataFrame, max_open: int) -> pd.DataFrame:
    """Keep trades (all pairs, column ``pair``) in entry order while fewer than ``max_open`` are
    open, as Freqtrade's max_open_trades does."""
    if trades.empty:
        return trades
    trades = trades.sort_values(["entry_time", "pair"]).reset_index(drop=True)
    keep = np.zeros(len(trades), bool)
    open_exits: list[pd.Timestamp] = []
    for i, (et, xt) in enumerate(zip(trades["entry_time"], trades["exit_time"], strict=True)):
        open_exits = [x for x in open_exits if x > et]
        if len(open_exits) < max_open:
            keep[i] = True
            open_exits.append(xt)
    return trades[keep].reset_index(drop=True)


# ---------------------------------------------------------------- metrics
def daily_returns(trades: pd.DataFrame, stake: float, start: str, end: str) -> pd.Series:
    """Account return per UTC day (profit booked on the exit day), ``stake`` = fraction of the
    account per trade; every calendar day of [start, end) is present (0 without trades)."""
    days = pd.date_range(start, end, freq="D", tz="UTC", inclusive="left")
    if trades.empty:
        return pd.Series(0.0, index=days)
    day = trades["exit_time"].dt.floor("D")
    return (trades["ret"] * stake).groupby(day).sum().reindex(days, fill_value=0.0)


def metrics(trades: pd.DataFrame, stake: float, start: str, end: str, ci: bool = False) -> dict:
    """Trades, win %, PF, mean net return per trade, account net profit, max drawdown (closed
    equity, compounded), worst UTC day, mean daily return and (optionally) its bootstrap CI."""
    dr = daily_returns(trades, stake, start, end)
    eq = (1 + dr).cumprod()
    dd = float((1 - eq / eq.cummax()).max()) if len(eq) else 0.0
    r = trades["ret"].astype(float) if not trades.empty else pd.Series(dtype=float)
    wins, losses = r[r > 0].sum(), -r[r < 0].sum()
    out = {
        "trades": len(r),
        "win_pct": round(100 * float((r > 0).mean()), 1) if len(r) else 0.0,
        "pf": round(float(wins / losses), 3) if losses > 0 else (np.inf if wins > 0 else 0.0),
        "mean_ret_pct": round(100 * float(r.mean()), 4) if len(r) else 0.0,
        "net_pct": round(100 * float(eq.iloc[-1] - 1), 3) if len(eq) else 0.0,
        "max_dd_pct": round(100 * dd, 3),
        "worst_day_pct": round(100 * float(dr.min()), 3) if len(dr) else 0.0,
        "mean_daily_pct": round(100 * float(dr.mean()), 5) if len(dr) else 0.0,
        "days": len(dr),
    }
    if ci:  # the evaluator's stationary block bootstrap (Politis & White block length)
        mean = bootstrap_ci(dr.to_numpy(), n_resamples=2000, seed=7).mean_daily_return
        out["ci_daily_pct"] = [round(100 * mean.lower, 5), round(100 * mean.upper, 5)]
    return out


# ---------------------------------------------------------------- random-entry null
def random_entry_pvalue(
    frames: dict[str, pd.DataFrame],
    trades: pd.DataFrame,
    eligible: dict[str, np.ndarray],
    ex: Exits,
    costs: Costs,
    tf_min: int,
    seeds: int = 100,
) -> dict:
    """Mean net return per trade of random entries with the strategy's exits: per seed, as many
    entries per pair as the strategy took there, at random eligible candles inside the span of the
    strategy's trades on that pair. p = (1 + #seeds with mean >= strategy) / (seeds + 1)."""
    if trades.empty:
        return {"null_mean_pct": None, "p": None}
    strat = float(trades["ret"].mean())
    means = []
    rng = np.random.default_rng(12)
    per_pair = trades.groupby("pair")["entry_time"].agg(["count", "min", "max"])
    for _ in range(seeds):
        rets = []
        for pair, row in per_pair.iterrows():
            df = frames[pair]
            dates = df["date"]
            mask = (
                eligible[pair]
                & (dates >= row["min"] - pd.Timedelta(days=1)).to_numpy()
                & (dates <= row["max"]).to_numpy()
            )
            cand = np.flatnonzero(mask)
            if len(cand) == 0:
                continue
            pick = rng.choice(cand, size=min(len(cand), int(row["count"]) * 3), replace=False)
            sig = np.zeros(len(df), bool)
            sig[pick] = True
            tr = simulate(df, sig, ex, costs, tf_min)
            if not tr.empty:
                rets.append(tr["ret"].to_numpy()[: int(row["count"])])
        if rets:
            means.append(float(np.concatenate(rets).mean()))
    means = np.asarray(means)
    p = (1 + int((means >= strat).sum())) / (len(means) + 1)
    return {"null_mean_pct": round(100 * float(means.mean()), 4), "p": round(p, 4)}


# ---------------------------------------------------------------- folds
def folds(test_starts: list[str], test_months: int = 2) -> list[tuple[str, str]]:
    """Test windows [start, start + test_months)."""
    out = []
    for s in test_starts:
        e = (pd.Timestamp(s) + pd.DateOffset(months=test_months)).strftime("%Y-%m-%d")
        out.append((s, e))
    return out


def between(trades: pd.DataFrame, start: str, end: str, col: str = "entry_time") -> pd.DataFrame:
    """Trades whose ``col`` lies in [start, end) (UTC dates)."""
    if trades.empty:
        return trades
    s, e = pd.Timestamp(start, tz="UTC"), pd.Timestamp(end, tz="UTC")
    return trades[(trades[col] >= s) & (trades[col] < e)]


# ---------------------------------------------------------------- ledger
def _git_head() -> str:
    try:
        return subprocess.check_output(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], text=True
        ).strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def variant_id(family: str, params: dict) -> str:
    """Stable short id of a rule family and its parameters."""
    text = json.dumps({"family": family, "params": params}, sort_keys=True, default=str)
    return hashlib.sha1(text.encode()).hexdigest()[:12]


def record(
    tier: str, family: str, params: dict, data_range: str, fee: str, result: dict, script: str
) -> None:
    """Append one evaluated variant to research/trials/<tier>.jsonl."""
    TRIALS.mkdir(parents=True, exist_ok=True)
    line = {
        "tier": tier,
        "family": family,
        "variant": variant_id(family, params),
        "params": params,
        "data_range": data_range,
        "fee": fee,
        "metrics": result,
        "script": script,
        "commit": _git_head(),
        "recorded": pd.Timestamp.now(tz="UTC").isoformat(timespec="seconds"),
    }
    with (TRIALS / f"{tier}.jsonl").open("a") as fh:
        fh.write(json.dumps(line, default=float) + "\n")


def exits_dict(ex: Exits) -> dict:
    return asdict(ex)
