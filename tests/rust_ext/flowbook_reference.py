"""Plain NumPy / pure-Python reference implementations the flowbook tests (and benchmarks)
compare the Rust functions with. Written from the formulas, independent of the Rust code."""

from __future__ import annotations

import math

import numpy as np


def book_reference(bp, bq, ap, aq, levels=None, weighting="uniform", decay=0.0, depth_bps=10.0):
    """Vectorised OBI, micro-price, mid, spread (bps) and depth within ``depth_bps`` per row."""
    mid = (bp[:, 0] + ap[:, 0]) / 2
    nb, na = bp.shape[1], ap.shape[1]
    lb, la = min(levels or nb, nb), min(levels or na, na)
    if weighting == "uniform":
        wb, wa = np.ones((1, lb)), np.ones((1, la))
    elif weighting == "level":
        wb, wa = np.exp(-decay * np.arange(lb))[None, :], np.exp(-decay * np.arange(la))[None, :]
    else:
        wb = np.exp(-decay * np.abs(bp[:, :lb] - mid[:, None]) / mid[:, None] * 1e4)
        wa = np.exp(-decay * np.abs(ap[:, :la] - mid[:, None]) / mid[:, None] * 1e4)
    sb, sa = (wb * bq[:, :lb]).sum(axis=1), (wa * aq[:, :la]).sum(axis=1)
    obi = (sb - sa) / (sb + sa)
    micro = (ap[:, 0] * bq[:, 0] + bp[:, 0] * aq[:, 0]) / (bq[:, 0] + aq[:, 0])
    spread = (ap[:, 0] - bp[:, 0]) / mid * 1e4
    in_b = np.abs(bp - mid[:, None]) / mid[:, None] * 1e4 <= depth_bps
    in_a = np.abs(ap - mid[:, None]) / mid[:, None] * 1e4 <= depth_bps
    return {
        "imbalance": obi,
        "micro_price": micro,
        "mid": mid,
        "spread_bps": spread,
        "bid_depth": (bq * in_b).sum(axis=1),
        "ask_depth": (aq * in_a).sum(axis=1),
    }


def ofi_reference(bp, bq, ap, aq):
    """eₙ of Cont, Kukanov & Stoikov, vectorised; e₀ = NaN."""
    e = np.full(len(bp), np.nan)
    e[1:] = (
        (bp[1:] >= bp[:-1]) * bq[1:]
        - (bp[1:] <= bp[:-1]) * bq[:-1]
        - (ap[1:] <= ap[:-1]) * aq[1:]
        + (ap[1:] >= ap[:-1]) * aq[:-1]
    )
    return e


def surge_reference(delta, window):
    out = []
    for t in range(len(delta)):
        if t < window:
            out.append(math.nan)
            continue
        past = delta[t - window : t]
        mean = sum(abs(x) for x in past) / window
        out.append(delta[t] / mean if mean > 0 else math.nan)
    return np.array(out)


def profile_reference(prices, volumes, bin_size, fraction):
    """POC / VAH / VAL with the CBOT two-row value-area rule, from a dict of rows."""
    rows: dict[int, float] = {}
    for p, v in zip(prices, volumes, strict=True):
        if math.isnan(p) or math.isnan(v):
            continue
        k = int(np.round(p / bin_size))
        rows[k] = rows.get(k, 0.0) + v
    if not rows or sum(rows.values()) <= 0:
        return (math.nan, math.nan, math.nan)
    lo, hi = min(rows), max(rows)
    vol = [rows.get(k, 0.0) for k in range(lo, hi + 1)]
    poc = max(range(len(vol)), key=lambda i: (vol[i], -i))
    target = fraction * sum(vol)
    low = high = poc
    covered = vol[poc]
    while covered < target and (low > 0 or high < len(vol) - 1):
        up = vol[high + 1 : high + 3]
        down = vol[max(low - 2, 0) : low]
        if up and (sum(up) >= sum(down) or low == 0):
            covered += sum(up)
            high += len(up)
        else:
            covered += sum(down)
            low -= len(down)
    return tuple((lo + r) * bin_size for r in (poc, high, low))


def vpin_reference(sides, amounts, bucket, window):
    """Equal-volume buckets (trades split at bucket edges) and rolling VPIN."""
    buys, sells = [], []
    b = s = filled = 0.0
    for side, amount in zip(sides, amounts, strict=True):
        left = amount
        while left > 0:
            room = bucket - filled
            take = room if left >= room else left
            if side > 0:
                b += take
            else:
                s += take
            left -= take
            filled += take
            if take == room:
                buys.append(b)
                sells.append(s)
                b = s = filled = 0.0
    imb = [abs(x - y) for x, y in zip(buys, sells, strict=True)]
    vpin = [
        math.nan if t + 1 < window else sum(imb[t + 1 - window : t + 1]) / (window * bucket)
        for t in range(len(imb))
    ]
    return np.array(buys), np.array(sells), np.array(vpin)
