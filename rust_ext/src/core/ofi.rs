//! Order-flow imbalance of Cont, Kukanov & Stoikov (2014) over best-level snapshots:
//! eₙ = 1{Pᵇₙ ≥ Pᵇₙ₋₁}qᵇₙ − 1{Pᵇₙ ≤ Pᵇₙ₋₁}qᵇₙ₋₁ − 1{Pᵃₙ ≤ Pᵃₙ₋₁}qᵃₙ + 1{Pᵃₙ ≥ Pᵃₙ₋₁}qᵃₙ₋₁,
//! and OFI of a candle = Σ eₙ over the snapshots n ≥ 1 that fall in it.

use super::candles::CandleGrid;
use super::error::{all_finite_non_negative, all_finite_positive, same_len, Result};

/// A sequence of best bid/ask snapshots, sorted by timestamp.
#[derive(Debug, Clone, Copy)]
pub struct Quotes<'a> {
    pub timestamps: &'a [i64],
    pub bid_prices: &'a [f64],
    pub bid_sizes: &'a [f64],
    pub ask_prices: &'a [f64],
    pub ask_sizes: &'a [f64],
}

impl Quotes<'_> {
    fn validate(&self) -> Result<usize> {
        let n = same_len(&[
            ("timestamps", self.timestamps.len()),
            ("bid_prices", self.bid_prices.len()),
            ("bid_sizes", self.bid_sizes.len()),
            ("ask_prices", self.ask_prices.len()),
            ("ask_sizes", self.ask_sizes.len()),
        ])?;
        all_finite_positive("bid_prices", self.bid_prices)?;
        all_finite_positive("ask_prices", self.ask_prices)?;
        all_finite_non_negative("bid_sizes", self.bid_sizes)?;
        all_finite_non_negative("ask_sizes", self.ask_sizes)?;
        super::error::non_decreasing("timestamps", self.timestamps)?;
        Ok(n)
    }
}

fn step(q: &Quotes, n: usize) -> f64 {
    let ind = |c: bool| if c { 1.0 } else { 0.0 };
    let (pb, pb0) = (q.bid_prices[n], q.bid_prices[n - 1]);
    let (pa, pa0) = (q.ask_prices[n], q.ask_prices[n - 1]);
    ind(pb >= pb0) * q.bid_sizes[n] - ind(pb <= pb0) * q.bid_sizes[n - 1] - ind(pa <= pa0) * q.ask_sizes[n]
        + ind(pa >= pa0) * q.ask_sizes[n - 1]
}

/// eₙ for every snapshot; e₀ is NaN (no previous snapshot).
pub fn ofi_events(quotes: &Quotes) -> Result<Vec<f64>> {
    let n = quotes.validate()?;
    Ok((0..n)
        .map(|i| if i == 0 { f64::NAN } else { step(quotes, i) })
        .collect())
}

/// Σ eₙ per candle of `grid` and the number of events summed; NaN where no event fell.
pub fn ofi_per_candle(quotes: &Quotes, grid: &CandleGrid) -> Result<(Vec<f64>, Vec<f64>)> {
    quotes.validate()?;
    // Event n ≥ 1 belongs to the candle of snapshot n.
    let runs = grid.runs(quotes.timestamps.get(1..).unwrap_or_default(), 0)?;
    let mut ofi = vec![f64::NAN; grid.dates.len()];
    let mut count = vec![0.0; grid.dates.len()];
    for (row, begin, end) in runs {
        let sum: f64 = (begin + 1..end + 1).map(|i| step(quotes, i)).sum();
        ofi[row] = sum;
        count[row] = (end - begin) as f64;
    }
    Ok((ofi, count))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_case_of_the_formula() {
        let q = Quotes {
            timestamps: &[0, 1, 2, 3, 70],
            bid_prices: &[10.0, 10.0, 11.0, 9.0, 9.0],
            bid_sizes: &[5.0, 7.0, 2.0, 4.0, 4.0],
            ask_prices: &[12.0, 12.0, 12.0, 13.0, 11.0],
            ask_sizes: &[3.0, 3.0, 1.0, 6.0, 2.0],
        };
        let e = ofi_events(&q).unwrap();
        assert!(e[0].is_nan());
        assert_eq!(e[1], 7.0 - 5.0 - 3.0 + 3.0); // both sides unchanged
        assert_eq!(e[2], 2.0 - 1.0 + 3.0); // bid up; ask same
        assert_eq!(e[3], -2.0 + 1.0); // bid down; ask up
        assert_eq!(e[4], 4.0 - 4.0 - 2.0); // bid same; ask down
        let grid = CandleGrid::new(&[0, 60, 120], 60).unwrap();
        let (ofi, count) = ofi_per_candle(&q, &grid).unwrap();
        assert_eq!(ofi[0], e[1] + e[2] + e[3]);
        assert_eq!(ofi[1], e[4]);
        assert!(ofi[2].is_nan());
        assert_eq!(count, vec![3.0, 1.0, 0.0]);
    }

    #[test]
    fn rejects_invalid_quotes() {
        let q = Quotes {
            timestamps: &[1, 0],
            bid_prices: &[1.0; 2],
            bid_sizes: &[1.0; 2],
            ask_prices: &[2.0; 2],
            ask_sizes: &[1.0; 2],
        };
        assert!(ofi_events(&q).is_err());
        let q = Quotes {
            timestamps: &[0],
            bid_prices: &[f64::NAN],
            bid_sizes: &[1.0],
            ask_prices: &[2.0],
            ask_sizes: &[1.0],
        };
        assert!(ofi_events(&q).is_err());
    }
}
