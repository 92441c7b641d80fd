//! Assigning timestamps to candles: candle start = ⌊t / tf⌋·tf (epoch-aligned, in ms).

use super::error::{bail, non_decreasing, Result};

/// The candle grid a batch of events is assigned to.
#[derive(Debug, Clone, Copy)]
pub struct CandleGrid<'a> {
    /// Candle open times in ms, strictly increasing.
    pub dates: &'a [i64],
    /// Candle length in ms.
    pub timeframe_ms: i64,
}

impl<'a> CandleGrid<'a> {
    /// Validate the grid: positive timeframe, strictly increasing dates.
    pub fn new(dates: &'a [i64], timeframe_ms: i64) -> Result<Self> {
        if timeframe_ms <= 0 {
            bail!("timeframe must be positive, got {timeframe_ms} ms");
        }
        if let Some(i) = dates.windows(2).position(|w| w[1] <= w[0]) {
            bail!(
                "candle dates must be strictly increasing: dates[{}] = {} <= dates[{i}] = {}",
                i + 1,
                dates[i + 1],
                dates[i]
            );
        }
        Ok(Self { dates, timeframe_ms })
    }

    /// Start of the candle holding timestamp `t`: t − (t mod tf), flooring negative times too.
    pub fn floor(&self, t: i64) -> i64 {
        t - t.rem_euclid(self.timeframe_ms)
    }

    /// For every timestamp (sorted ascending), the index of the candle whose date equals the
    /// floored timestamp, or `None` when no candle row has that date or the row lies before
    /// `first_row`.
    pub fn assign(&self, timestamps: &[i64], first_row: usize) -> Result<Vec<Option<usize>>> {
        non_decreasing("timestamps", timestamps)?;
        let mut out = Vec::with_capacity(timestamps.len());
        let mut row = first_row.min(self.dates.len());
        for &t in timestamps {
            let start = self.floor(t);
            while row < self.dates.len() && self.dates[row] < start {
                row += 1;
            }
            out.push((row < self.dates.len() && self.dates[row] == start).then_some(row));
        }
        Ok(out)
    }
}

/// Contiguous runs of equal candle index: `(row, begin, end)` over the assigned events,
/// skipping unassigned ones. Events must come from [`CandleGrid::assign`] (sorted).
pub fn runs(assigned: &[Option<usize>]) -> Vec<(usize, usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < assigned.len() {
        let Some(row) = assigned[i] else {
            i += 1;
            continue;
        };
        let begin = i;
        while i < assigned.len() && assigned[i] == Some(row) {
            i += 1;
        }
        out.push((row, begin, i));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floors_to_epoch_aligned_candles() {
        let g = CandleGrid::new(&[0, 300_000], 300_000).unwrap();
        assert_eq!(g.floor(299_999), 0);
        assert_eq!(g.floor(300_000), 300_000);
        assert_eq!(g.floor(-1), -300_000);
    }

    #[test]
    fn assigns_only_rows_that_exist_and_respect_first_row() {
        let g = CandleGrid::new(&[0, 60, 180], 60).unwrap();
        let a = g.assign(&[5, 61, 125, 179, 200, 400], 0).unwrap();
        assert_eq!(a, vec![Some(0), Some(1), None, None, Some(2), None]);
        let a = g.assign(&[5, 61, 200], 1).unwrap();
        assert_eq!(a, vec![None, Some(1), Some(2)]);
        assert_eq!(
            runs(&[Some(0), Some(0), None, Some(2)]),
            vec![(0, 0, 2), (2, 3, 4)]
        );
    }

    #[test]
    fn rejects_bad_grids_and_unsorted_times() {
        assert!(CandleGrid::new(&[0, 0], 60).is_err());
        assert!(CandleGrid::new(&[0], 0).is_err());
        let g = CandleGrid::new(&[0], 60).unwrap();
        assert!(g.assign(&[5, 4], 0).is_err());
    }
}
