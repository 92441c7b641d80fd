//! Features of one L2 order-book snapshot and of many snapshots in a row-major batch.
//!
//! With mid M = (P^b₁ + P^a₁)/2 and level weights wᵢ (i = 1 at the best level):
//! OBI = (Σ wᵢ q^b_i − Σ wᵢ q^a_i) / (Σ wᵢ q^b_i + Σ wᵢ q^a_i) over the first `levels` levels;
//! micro-price W = (P^a₁ q^b₁ + P^b₁ q^a₁) / (q^b₁ + q^a₁); spread = (P^a₁ − P^b₁)/M · 10⁴ bps;
//! depth within x bps = Σ q over levels with |P − M|/M · 10⁴ ≤ x, per side.

use super::error::{bail, Result};
use super::sums::numpy_pairwise_sum;

/// How levels are weighted in the imbalance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Weighting {
    /// wᵢ = 1.
    Uniform,
    /// wᵢ = e^{−λ(i−1)}.
    Level(f64),
    /// wᵢ = e^{−λ·dᵢ}, dᵢ = |Pᵢ − M|/M · 10⁴ (distance from mid in bps).
    Distance(f64),
}

/// Parameters shared by the single and the batch form.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BookParams {
    /// Use at most this many levels per side in the imbalance (`usize::MAX` = all).
    pub levels: usize,
    pub weighting: Weighting,
    /// Band for the resting-depth feature, in bps of mid.
    pub depth_bps: f64,
}

impl BookParams {
    /// Check the decay and band parameters.
    pub fn validate(&self) -> Result<()> {
        if self.levels == 0 {
            bail!("levels must be >= 1");
        }
        if let Weighting::Level(l) | Weighting::Distance(l) = self.weighting {
            if !(l.is_finite() && l >= 0.0) {
                bail!("decay must be finite and >= 0, got {l}");
            }
        }
        if !(self.depth_bps.is_finite() && self.depth_bps >= 0.0) {
            bail!("depth_bps must be finite and >= 0, got {}", self.depth_bps);
        }
        Ok(())
    }
}

/// One side of a book: prices and sizes, best level first.
#[derive(Debug, Clone, Copy)]
pub struct Side<'a> {
    pub prices: &'a [f64],
    pub sizes: &'a [f64],
}

/// Features of one snapshot. NaN where undefined (see [`snapshot_features`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BookFeatures {
    pub imbalance: f64,
    pub micro_price: f64,
    pub mid: f64,
    pub spread_bps: f64,
    pub bid_depth: f64,
    pub ask_depth: f64,
}

impl BookFeatures {
    const NAN: Self = Self {
        imbalance: f64::NAN,
        micro_price: f64::NAN,
        mid: f64::NAN,
        spread_bps: f64::NAN,
        bid_depth: f64::NAN,
        ask_depth: f64::NAN,
    };
}

/// Number of present levels: a level whose price and size are both NaN is padding and may
/// only follow present levels. Present levels need a finite price > 0 and a finite size ≥ 0,
/// bids strictly falling and asks strictly rising. One fused pass; the error path re-checks.
fn present_levels(side: &Side, name: &str, descending: bool) -> Result<usize> {
    let (prices, sizes) = (side.prices, side.sizes);
    if prices.len() != sizes.len() {
        bail!(
            "{name} prices have {} levels but sizes have {}",
            prices.len(),
            sizes.len()
        );
    }
    if all_levels_valid(prices, sizes, descending) {
        return Ok(prices.len());
    }
    let mut prev = if descending { f64::INFINITY } else { 0.0 };
    for i in 0..prices.len() {
        let (p, q) = (prices[i], sizes[i]);
        let ordered = if descending { p < prev } else { p > prev };
        if ordered && p > 0.0 && p < f64::INFINITY && (0.0..f64::INFINITY).contains(&q) {
            prev = p;
            continue;
        }
        if p.is_nan() && q.is_nan() {
            if let Some(k) = prices[i..]
                .iter()
                .zip(&sizes[i..])
                .position(|(p, q)| !(p.is_nan() && q.is_nan()))
            {
                bail!(
                    "{name} level {} follows a NaN padding level but is not padding",
                    i + k + 1
                );
            }
            return Ok(i);
        }
        if !(p.is_finite() && p > 0.0) {
            bail!("{name} price at level {} is {p} (must be finite and > 0)", i + 1);
        }
        if !(q.is_finite() && q >= 0.0) {
            bail!("{name} size at level {} is {q} (must be finite and >= 0)", i + 1);
        }
        let order = if descending { "falling" } else { "rising" };
        bail!(
            "{name} prices must be strictly {order}: level {} is {p} after {prev}",
            i + 1
        );
    }
    Ok(prices.len())
}

/// The common case, checked branch-free so it vectorises: every level present and valid.
fn all_levels_valid(prices: &[f64], sizes: &[f64], descending: bool) -> bool {
    let mut ok = true;
    for (p, q) in prices.iter().zip(sizes) {
        ok &= (*p > 0.0) & (*p < f64::INFINITY) & (*q >= 0.0) & (*q < f64::INFINITY);
    }
    let (first, rest) = (prices, prices.get(1..).unwrap_or_default());
    if descending {
        for (a, b) in first.iter().zip(rest) {
            ok &= b < a;
        }
    } else {
        for (a, b) in first.iter().zip(rest) {
            ok &= b > a;
        }
    }
    ok
}

/// Features of one snapshot. Errors on malformed input (see [`present_levels`]).
/// Documented NaN results: crossed book (best bid > best ask) → all NaN; one side empty →
/// mid, micro-price, spread, depth NaN and OBI ±1 (NaN with distance weights, which need
/// the mid); both sides empty or all weighted size zero → OBI NaN; q^b₁ + q^a₁ = 0 → micro NaN.
pub fn snapshot_features(bid: &Side, ask: &Side, params: &BookParams) -> Result<BookFeatures> {
    params.validate()?;
    let nb = present_levels(bid, "bid", true)?;
    let na = present_levels(ask, "ask", false)?;
    let mut kernel = Kernel::new(params, nb.max(na));
    Ok(kernel.features(bid, nb, ask, na))
}

/// Per-call state: parameters, the level weights e^{−λ(i−1)} for up to `max_levels` levels
/// (no row of the call has more), and a scratch buffer.
struct Kernel<'p> {
    params: &'p BookParams,
    level_weights: Vec<f64>,
    scratch: Vec<f64>,
}

impl<'p> Kernel<'p> {
    fn new(params: &'p BookParams, max_levels: usize) -> Self {
        let level_weights = match params.weighting {
            Weighting::Level(l) => (0..max_levels.min(params.levels))
                .map(|i| (-l * i as f64).exp())
                .collect(),
            _ => Vec::new(),
        };
        Self {
            params,
            level_weights,
            scratch: Vec::new(),
        }
    }

    /// Σ wᵢqᵢ over the first `levels` present levels, summed in NumPy's pairwise order.
    fn weighted(&mut self, side: &Side, n: usize, mid: f64) -> f64 {
        let m = n.min(self.params.levels);
        let sizes = &side.sizes[..m];
        self.scratch.clear();
        match self.params.weighting {
            Weighting::Uniform => return numpy_pairwise_sum(sizes),
            Weighting::Level(_) => {
                self.scratch
                    .extend(self.level_weights[..m].iter().zip(sizes).map(|(w, q)| w * q));
            }
            Weighting::Distance(l) => {
                let prices = &side.prices[..m];
                self.scratch.extend(
                    prices
                        .iter()
                        .zip(sizes)
                        .map(|(p, q)| (-l * bps_from(*p, mid)).exp() * q),
                );
            }
        }
        numpy_pairwise_sum(&self.scratch)
    }

    fn features(&mut self, bid: &Side, nb: usize, ask: &Side, na: usize) -> BookFeatures {
        let two_sided = nb > 0 && na > 0;
        if two_sided && bid.prices[0] > ask.prices[0] {
            return BookFeatures::NAN;
        }
        let mid = if two_sided {
            0.5 * (bid.prices[0] + ask.prices[0])
        } else {
            f64::NAN
        };
        let (wb, wa) = (self.weighted(bid, nb, mid), self.weighted(ask, na, mid));
        let imbalance = (wb - wa) / (wb + wa);
        if !two_sided {
            return BookFeatures {
                imbalance,
                ..BookFeatures::NAN
            };
        }
        let (pb, qb, pa, qa) = (bid.prices[0], bid.sizes[0], ask.prices[0], ask.sizes[0]);
        BookFeatures {
            imbalance,
            micro_price: (pa * qb + pb * qa) / (qb + qa),
            mid,
            spread_bps: (pa - pb) / mid * 1e4,
            bid_depth: depth_within(bid, nb, mid, self.params.depth_bps),
            ask_depth: depth_within(ask, na, mid, self.params.depth_bps),
        }
    }
}

/// Σ q over the levels within `bps` of `mid`; levels move away from mid monotonically in an
/// uncrossed book, so the scan stops at the first level outside the band.
fn depth_within(side: &Side, n: usize, mid: f64, bps: f64) -> f64 {
    let limit = bps * mid;
    let mut total = 0.0;
    for i in 0..n {
        if !within_band(side.prices[i], mid, bps, limit) {
            break;
        }
        total += side.sizes[i];
    }
    total
}

/// |P − M|/M·10⁴ ≤ bps, decided without a division unless the level sits within a relative
/// 1e-9 of the band edge (where the exact formula decides, so rounding never flips a level).
fn within_band(price: f64, mid: f64, bps: f64, limit: f64) -> bool {
    let scaled = (price - mid).abs() * 1e4;
    if scaled < limit * (1.0 - 1e-9) {
        true
    } else if scaled > limit * (1.0 + 1e-9) {
        false
    } else {
        bps_from(price, mid) <= bps
    }
}

fn bps_from(price: f64, mid: f64) -> f64 {
    (price - mid).abs() / mid * 1e4
}

/// Row-major batch: `n` snapshots, each side `bid_levels` / `ask_levels` wide.
#[derive(Debug, Clone, Copy)]
pub struct Batch<'a> {
    pub bid_prices: &'a [f64],
    pub bid_sizes: &'a [f64],
    pub ask_prices: &'a [f64],
    pub ask_sizes: &'a [f64],
    pub bid_levels: usize,
    pub ask_levels: usize,
}

/// Column vectors of batch features, one entry per snapshot.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BatchFeatures {
    pub imbalance: Vec<f64>,
    pub micro_price: Vec<f64>,
    pub mid: Vec<f64>,
    pub spread_bps: Vec<f64>,
    pub bid_depth: Vec<f64>,
    pub ask_depth: Vec<f64>,
}

/// [`snapshot_features`] for every row of `batch`; the first malformed row is an error.
/// Batches of 20,000 rows or more are split over up to 4 scoped threads.
pub fn batch_features(batch: &Batch, params: &BookParams) -> Result<BatchFeatures> {
    params.validate()?;
    let n = rows(batch.bid_prices.len(), batch.bid_levels, "bid")?;
    if rows(batch.ask_prices.len(), batch.ask_levels, "ask")? != n
        || batch.bid_sizes.len() != batch.bid_prices.len()
        || batch.ask_sizes.len() != batch.ask_prices.len()
    {
        bail!("bid/ask price and size arrays must all have the same number of rows and levels");
    }
    let mut out = BatchFeatures {
        imbalance: vec![0.0; n],
        micro_price: vec![0.0; n],
        mid: vec![0.0; n],
        spread_bps: vec![0.0; n],
        bid_depth: vec![0.0; n],
        ask_depth: vec![0.0; n],
    };
    let threads = if n >= 20_000 {
        std::thread::available_parallelism().map_or(1, |p| p.get()).min(4)
    } else {
        1
    };
    let chunk = n.div_ceil(threads).max(1);
    let results: Vec<Result<()>> = std::thread::scope(|scope| {
        let mut cols = [
            &mut out.imbalance[..],
            &mut out.micro_price[..],
            &mut out.mid[..],
            &mut out.spread_bps[..],
            &mut out.bid_depth[..],
            &mut out.ask_depth[..],
        ];
        let mut handles = Vec::new();
        let mut first = 0;
        while first < n {
            let len = chunk.min(n - first);
            let parts: Vec<&mut [f64]> = cols
                .iter_mut()
                .map(|c| {
                    let (head, tail) = std::mem::take(c).split_at_mut(len);
                    *c = tail;
                    head
                })
                .collect();
            let start = first;
            handles.push(scope.spawn(move || fill_rows(batch, params, start, parts)));
            first += len;
        }
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    results.into_iter().collect::<Result<Vec<()>>>()?;
    Ok(out)
}

/// Compute rows `start..start + parts[0].len()` into the six output column slices.
fn fill_rows(batch: &Batch, params: &BookParams, start: usize, mut parts: Vec<&mut [f64]>) -> Result<()> {
    let (lb, la) = (batch.bid_levels, batch.ask_levels);
    let mut kernel = Kernel::new(params, lb.max(la));
    for k in 0..parts[0].len() {
        let r = start + k;
        let bid = Side {
            prices: &batch.bid_prices[r * lb..(r + 1) * lb],
            sizes: &batch.bid_sizes[r * lb..(r + 1) * lb],
        };
        let ask = Side {
            prices: &batch.ask_prices[r * la..(r + 1) * la],
            sizes: &batch.ask_sizes[r * la..(r + 1) * la],
        };
        let nb = present_levels(&bid, "bid", true).map_err(|e| in_row(e, r))?;
        let na = present_levels(&ask, "ask", false).map_err(|e| in_row(e, r))?;
        let f = kernel.features(&bid, nb, &ask, na);
        for (col, v) in parts.iter_mut().zip([
            f.imbalance,
            f.micro_price,
            f.mid,
            f.spread_bps,
            f.bid_depth,
            f.ask_depth,
        ]) {
            col[k] = v;
        }
    }
    Ok(())
}

fn rows(len: usize, levels: usize, name: &str) -> Result<usize> {
    if levels == 0 {
        if len == 0 {
            return Ok(0);
        }
        bail!("{name} arrays have zero levels per row");
    }
    if len % levels != 0 {
        bail!("{name} arrays hold {len} values, not a multiple of {levels} levels");
    }
    Ok(len / levels)
}

fn in_row(e: super::error::InputError, row: usize) -> super::error::InputError {
    super::error::InputError(format!("snapshot {row}: {}", e.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    const UNIFORM: BookParams = BookParams {
        levels: usize::MAX,
        weighting: Weighting::Uniform,
        depth_bps: 10.0,
    };

    fn side<'a>(p: &'a [f64], q: &'a [f64]) -> Side<'a> {
        Side { prices: p, sizes: q }
    }

    #[test]
    fn two_level_book() {
        let f = snapshot_features(
            &side(&[99.0, 98.0], &[3.0, 1.0]),
            &side(&[101.0, 102.0], &[1.0, 1.0]),
            &UNIFORM,
        )
        .unwrap();
        assert_eq!(f.imbalance, (4.0 - 2.0) / 6.0);
        assert_eq!(f.micro_price, (101.0 * 3.0 + 99.0 * 1.0) / 4.0);
        assert_eq!(f.mid, 100.0);
        assert_eq!(f.spread_bps, 200.0);
        assert_eq!((f.bid_depth, f.ask_depth), (0.0, 0.0));
        let wide = BookParams {
            depth_bps: 150.0,
            ..UNIFORM
        };
        let f = snapshot_features(
            &side(&[99.0, 98.0], &[3.0, 1.0]),
            &side(&[101.0, 102.0], &[1.0, 1.0]),
            &wide,
        )
        .unwrap();
        assert_eq!((f.bid_depth, f.ask_depth), (3.0, 1.0));
    }

    #[test]
    fn level_weights_and_depth_limit() {
        let p = BookParams { levels: 1, ..UNIFORM };
        let f = snapshot_features(&side(&[99.0, 98.0], &[3.0, 100.0]), &side(&[101.0], &[1.0]), &p).unwrap();
        assert_eq!(f.imbalance, 0.5);
        let p = BookParams {
            weighting: Weighting::Level(2f64.ln()),
            ..UNIFORM
        };
        let f = snapshot_features(&side(&[99.0, 98.0], &[1.0, 2.0]), &side(&[101.0], &[1.0]), &p).unwrap();
        assert!((f.imbalance - 1.0 / 3.0).abs() < 1e-15);
    }

    #[test]
    fn band_test_agrees_with_the_formula_at_the_edge() {
        let mid = 100.0;
        for bps in [0.0, 1.0, 10.0, 25.0] {
            for k in -2000..=2000 {
                let p = mid + k as f64 * 0.000_25;
                assert_eq!(
                    within_band(p, mid, bps, bps * mid),
                    bps_from(p, mid) <= bps,
                    "{p} {bps}"
                );
            }
        }
    }

    #[test]
    fn one_sided_crossed_and_padded_books() {
        let f = snapshot_features(&side(&[], &[]), &side(&[101.0], &[1.0]), &UNIFORM).unwrap();
        assert_eq!(f.imbalance, -1.0);
        assert!(f.micro_price.is_nan() && f.spread_bps.is_nan());
        let f = snapshot_features(&side(&[102.0], &[1.0]), &side(&[101.0], &[1.0]), &UNIFORM).unwrap();
        assert!(f.imbalance.is_nan());
        let f = snapshot_features(
            &side(&[99.0, f64::NAN], &[1.0, f64::NAN]),
            &side(&[101.0], &[1.0]),
            &UNIFORM,
        )
        .unwrap();
        assert_eq!(f.imbalance, 0.0);
    }

    #[test]
    fn malformed_books_are_errors() {
        let ask = side(&[101.0], &[1.0]);
        for (p, q) in [
            ([99.0, 100.0], [1.0, 1.0]),
            ([99.0, 98.0], [-1.0, 1.0]),
            ([f64::NAN, 98.0], [1.0, 1.0]),
            ([99.0, f64::INFINITY], [1.0, 1.0]),
        ] {
            assert!(
                snapshot_features(&side(&p, &q), &ask, &UNIFORM).is_err(),
                "{p:?} {q:?}"
            );
        }
        assert!(snapshot_features(&side(&[99.0], &[1.0, 2.0]), &ask, &UNIFORM).is_err());
        assert!(snapshot_features(&side(&[f64::NAN, 98.0], &[f64::NAN, 1.0]), &ask, &UNIFORM).is_err());
    }

    #[test]
    fn batch_matches_single_and_names_the_bad_row() {
        let batch = Batch {
            bid_prices: &[99.0, 98.0, 99.5, 99.0],
            bid_sizes: &[1.0, 2.0, 3.0, 4.0],
            ask_prices: &[101.0, 100.0],
            ask_sizes: &[1.0, 5.0],
            bid_levels: 2,
            ask_levels: 1,
        };
        let out = batch_features(&batch, &UNIFORM).unwrap();
        let single = snapshot_features(
            &side(&[99.5, 99.0], &[3.0, 4.0]),
            &side(&[100.0], &[5.0]),
            &UNIFORM,
        )
        .unwrap();
        assert_eq!(out.imbalance[1], single.imbalance);
        assert_eq!(out.micro_price[1], single.micro_price);
        let bad = Batch {
            ask_sizes: &[1.0, -5.0],
            ..batch
        };
        assert!(batch_features(&bad, &UNIFORM)
            .unwrap_err()
            .0
            .starts_with("snapshot 1"));
    }
}
