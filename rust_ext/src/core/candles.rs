//! Assigning timestamps to candles: candle start = ⌊t / tf⌋·tf (epoch-aligned, in ms).

use super::error::{bail, non_decreasing, Result};
use super::times::same_unit;

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

    /// Runs of consecutive timestamps (sorted ascending) in one candle: `(row, begin, end)`
    /// for every run whose floored time equals the date of a row at or after `first_row`;
    /// times in candles without a row are skipped. Times and dates must share a unit.
    pub fn runs(&self, timestamps: &[i64], first_row: usize) -> Result<Vec<(usize, usize, usize)>> {
        non_decreasing("timestamps", timestamps)?;
        same_unit("timestamps", timestamps, "candle_dates", self.dates)?;
        let mut out = Vec::new();
        let mut row = first_row.min(self.dates.len());
        let mut begin = 0;
        while begin < timestamps.len() {
            let start = self.floor(timestamps[begin]);
            // floor(t) + tf > t, so every run holds at least timestamps[begin].
            let end = match start.checked_add(self.timeframe_ms) {
                Some(next) => begin + timestamps[begin..].partition_point(|&t| t < next),
                None => timestamps.len(),
            };
            while row < self.dates.len() && self.dates[row] < start {
                row += 1;
            }
            if row < self.dates.len() && self.dates[row] == start {
                out.push((row, begin, end));
            }
            begin = end;
        }
        Ok(out)
    }
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
    fn runs_cover_only_rows_that_exist_and_respect_first_row() {
        let g = CandleGrid::new(&[0, 60, 180], 60).unwrap();
        let r = g.runs(&[5, 61, 70, 125, 179, 200, 400], 0).unwrap();
        assert_eq!(r, vec![(0, 0, 1), (1, 1, 3), (2, 5, 6)]);
        assert_eq!(g.runs(&[5, 61, 200], 1).unwrap(), vec![(1, 1, 2), (2, 2, 3)]);
        let far = CandleGrid::new(&[i64::MAX - 1_000_000], 60).unwrap();
        assert_eq!(far.runs(&[i64::MAX - 1, i64::MAX], 0).unwrap(), vec![]);
    }

    #[test]
    fn seconds_against_millisecond_candles_is_an_error() {
        let g = CandleGrid::new(&[1_718_000_000_000, 1_718_000_060_000], 60_000).unwrap();
        let err = g.runs(&[1_718_000_001, 1_718_000_061], 0).unwrap_err();
        assert!(err.0.contains("look like seconds"), "{err}");
    }

    #[test]
    fn rejects_bad_grids_and_unsorted_times() {
        assert!(CandleGrid::new(&[0, 0], 60).is_err());
        assert!(CandleGrid::new(&[0], 0).is_err());
        let g = CandleGrid::new(&[0], 60).unwrap();
        assert!(g.runs(&[5, 4], 0).is_err());
    }
}
