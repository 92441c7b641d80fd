//! VPIN (Easley, López de Prado & O'Hara 2012) over equal-volume buckets, with the trade
//! side taken from the data instead of bulk classification.
//!
//! Trades fill buckets of volume V in order (a trade larger than the room left is split
//! across buckets). For a completed bucket τ with buy volume Vᴮ_τ and sell volume Vˢ_τ:
//! VPIN_τ = Σ_{k=τ−n+1..τ} |Vᴮ_k − Vˢ_k| / (n·V), NaN for the first n − 1 buckets.

use super::error::{all_finite_non_negative, bail, non_decreasing, same_len, Result};

/// Refuse inputs that would make more buckets than this.
pub const MAX_BUCKETS: f64 = 2_000_000.0;

/// Completed buckets: the timestamp of the trade that closed each, its buy and sell
/// volume, and the rolling VPIN.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Buckets {
    pub end_timestamp: Vec<i64>,
    pub buy_volume: Vec<f64>,
    pub sell_volume: Vec<f64>,
    pub vpin: Vec<f64>,
}

/// Split the trades into buckets of `bucket_volume` and compute VPIN over `window` buckets.
/// A last, incomplete bucket is dropped.
pub fn vpin(
    timestamps: &[i64],
    sides: &[i8],
    amounts: &[f64],
    bucket_volume: f64,
    window: usize,
) -> Result<Buckets> {
    same_len(&[
        ("timestamps", timestamps.len()),
        ("sides", sides.len()),
        ("amounts", amounts.len()),
    ])?;
    if !(bucket_volume.is_finite() && bucket_volume > 0.0) {
        bail!("bucket_volume must be finite and > 0, got {bucket_volume}");
    }
    if window == 0 {
        bail!("window must be >= 1");
    }
    if let Some(i) = sides.iter().position(|s| *s != 1 && *s != -1) {
        bail!("sides[{i}] is {} (must be +1 for buy or -1 for sell)", sides[i]);
    }
    all_finite_non_negative("amounts", amounts)?;
    non_decreasing("timestamps", timestamps)?;
    let total: f64 = amounts.iter().sum();
    if total / bucket_volume > MAX_BUCKETS {
        bail!("bucket_volume {bucket_volume} would make more than {MAX_BUCKETS} buckets");
    }
    let mut out = Buckets::default();
    let (mut buy, mut sell, mut filled) = (0.0, 0.0, 0.0);
    for i in 0..amounts.len() {
        let mut left = amounts[i];
        while left > 0.0 {
            let room = bucket_volume - filled;
            let closes = left >= room;
            let take = if closes { room } else { left };
            if sides[i] > 0 {
                buy += take;
            } else {
                sell += take;
            }
            left -= take;
            filled += take;
            if closes {
                out.end_timestamp.push(timestamps[i]);
                out.buy_volume.push(buy);
                out.sell_volume.push(sell);
                (buy, sell, filled) = (0.0, 0.0, 0.0);
            }
        }
    }
    out.vpin = (0..out.buy_volume.len())
        .map(|t| {
            if t + 1 < window {
                return f64::NAN;
            }
            let s: f64 = (t + 1 - window..=t)
                .map(|k| (out.buy_volume[k] - out.sell_volume[k]).abs())
                .sum();
            s / (window as f64 * bucket_volume)
        })
        .collect();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_trades_across_buckets() {
        let b = vpin(&[1, 2, 3], &[1, -1, 1], &[3.0, 1.5, 1.5], 2.0, 2).unwrap();
        // buckets: [buy 2], [buy 1, sell 1], [sell .5, buy 1.5]
        assert_eq!(b.end_timestamp, vec![1, 2, 3]);
        assert_eq!(b.buy_volume, vec![2.0, 1.0, 1.5]);
        assert_eq!(b.sell_volume, vec![0.0, 1.0, 0.5]);
        assert!(b.vpin[0].is_nan());
        assert_eq!(b.vpin[1], (2.0 + 0.0) / 4.0);
        assert_eq!(b.vpin[2], (0.0 + 1.0) / 4.0);
    }

    #[test]
    fn rejects_bad_input() {
        assert!(vpin(&[1], &[1], &[1.0], 0.0, 1).is_err());
        assert!(vpin(&[1], &[2], &[1.0], 1.0, 1).is_err());
        assert!(vpin(&[2, 1], &[1, 1], &[1.0, 1.0], 1.0, 1).is_err());
        assert!(vpin(&[1], &[1], &[1e300], 1e-300, 1).is_err());
        assert!(vpin(&[], &[], &[], 1.0, 1).unwrap().vpin.is_empty());
    }
}
