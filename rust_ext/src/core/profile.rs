//! Volume profile: point of control and value area.
//!
//! Rows are price bins of width `bin_size` (row price = round_half_even(p / bin)·bin) from the
//! lowest to the highest traded row. POC = row with the most volume (lowest price on ties).
//! Value area: start at the POC and repeatedly add whichever pair of the next two rows above
//! or below holds more volume (above on ties; one row or none at an edge) until the covered
//! volume ≥ `fraction` × total. VAH / VAL = prices of the highest / lowest included row.

use super::error::{bail, same_len, Result};

/// Refuse profiles with more rows than this (a bin far too small for the price range).
pub const MAX_ROWS: usize = 1_000_000;

/// POC, value-area high and value-area low; all NaN when there is no volume.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Profile {
    pub poc: f64,
    pub vah: f64,
    pub val: f64,
}

const EMPTY: Profile = Profile {
    poc: f64::NAN,
    vah: f64::NAN,
    val: f64::NAN,
};

/// Check the shared profile parameters.
pub fn check_params(bin_size: f64, fraction: f64) -> Result<()> {
    if !(bin_size.is_finite() && bin_size > 0.0) {
        bail!("bin_size must be finite and > 0, got {bin_size}");
    }
    if !(fraction > 0.0 && fraction <= 1.0) {
        bail!("value_area must be in (0, 1], got {fraction}");
    }
    Ok(())
}

/// Profile of (price, volume) pairs. NaN pairs are skipped; other bad values are errors.
pub fn volume_profile(prices: &[f64], volumes: &[f64], bin_size: f64, fraction: f64) -> Result<Profile> {
    check_params(bin_size, fraction)?;
    same_len(&[("prices", prices.len()), ("volumes", volumes.len())])?;
    for (i, (&p, &v)) in prices.iter().zip(volumes).enumerate() {
        check_point(i, p, v)?;
    }
    profile_of(prices, volumes, bin_size, fraction)
}

/// Fail on an infinite or non-positive price or an infinite or negative volume; NaN passes.
pub fn check_point(i: usize, price: f64, volume: f64) -> Result<()> {
    if price.is_infinite() || price <= 0.0 {
        bail!("prices[{i}] is {price} (must be > 0 and finite, or NaN to skip)");
    }
    if volume.is_infinite() || volume < 0.0 {
        bail!("volumes[{i}] is {volume} (must be >= 0 and finite, or NaN to skip)");
    }
    Ok(())
}

/// The profile of already validated points.
pub fn profile_of(prices: &[f64], volumes: &[f64], bin_size: f64, fraction: f64) -> Result<Profile> {
    let keys: Vec<(i64, f64)> = prices
        .iter()
        .zip(volumes)
        .filter(|(p, v)| !p.is_nan() && !v.is_nan())
        .map(|(p, v)| ((p / bin_size).round_ties_even() as i64, *v))
        .collect();
    let (Some(lo), Some(hi)) = (keys.iter().map(|k| k.0).min(), keys.iter().map(|k| k.0).max()) else {
        return Ok(EMPTY);
    };
    let n_rows = usize::try_from(hi - lo)
        .ok()
        .and_then(|d| d.checked_add(1))
        .filter(|n| *n <= MAX_ROWS);
    let Some(n_rows) = n_rows else {
        bail!("bin_size {bin_size} gives more than {MAX_ROWS} price rows for this range");
    };
    let mut rows = vec![0.0; n_rows];
    for (k, v) in &keys {
        rows[(k - lo) as usize] += v;
    }
    let total: f64 = rows.iter().sum();
    if total <= 0.0 {
        return Ok(EMPTY);
    }
    let mut poc = 0;
    for (i, v) in rows.iter().enumerate() {
        if *v > rows[poc] {
            poc = i;
        }
    }
    let (mut low, mut high, mut covered) = (poc, poc, rows[poc]);
    let target = fraction * total;
    while covered < target && (low > 0 || high + 1 < n_rows) {
        let up_end = (high + 2).min(n_rows - 1);
        let up: f64 = rows[high + 1..=up_end.max(high)].iter().sum();
        let down_start = low.saturating_sub(2);
        let down: f64 = rows[down_start..low].iter().sum();
        let has_up = high + 1 < n_rows;
        if has_up && (up >= down || low == 0) {
            covered += up;
            high = up_end;
        } else {
            covered += down;
            low = down_start;
        }
    }
    let price = |row: usize| (lo + row as i64) as f64 * bin_size;
    Ok(Profile {
        poc: price(poc),
        vah: price(high),
        val: price(low),
    })
}

/// Profile of the trailing `window` candles at every candle, each candle's volume placed at
/// its typical price (high + low + close)/3. Rows with fewer than `window` candles before
/// them use what exists.
pub fn rolling_candle_profile(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    volume: &[f64],
    window: usize,
    bin_size: f64,
    fraction: f64,
) -> Result<Vec<Profile>> {
    check_params(bin_size, fraction)?;
    if window == 0 {
        bail!("window must be >= 1");
    }
    let n = same_len(&[
        ("high", high.len()),
        ("low", low.len()),
        ("close", close.len()),
        ("volume", volume.len()),
    ])?;
    let typical: Vec<f64> = (0..n).map(|i| (high[i] + low[i] + close[i]) / 3.0).collect();
    for i in 0..n {
        check_point(i, typical[i], volume[i])?;
    }
    (0..n)
        .map(|t| {
            let s = (t + 1).saturating_sub(window);
            profile_of(&typical[s..=t], &volume[s..=t], bin_size, fraction)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_area_walk() {
        // rows 1..=7 with volumes 1,2,3,10,4,1,1 (total 22, 70% = 15.4)
        let prices = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0];
        let vols = [1.0, 2.0, 3.0, 10.0, 4.0, 1.0, 1.0];
        let p = volume_profile(&prices, &vols, 1.0, 0.7).unwrap();
        // POC 4 (10); up 5+6 = 5 vs down 3+2 = 5 → tie, up: 15; down 3+2 = 5 → 20 ≥ 15.4.
        assert_eq!(
            p,
            Profile {
                poc: 4.0,
                vah: 6.0,
                val: 2.0
            }
        );
    }

    #[test]
    fn edges_empty_and_errors() {
        let p = volume_profile(&[10.0, 11.0], &[5.0, 1.0], 1.0, 1.0).unwrap();
        assert_eq!(
            p,
            Profile {
                poc: 10.0,
                vah: 11.0,
                val: 10.0
            }
        );
        assert!(volume_profile(&[], &[], 1.0, 0.7).unwrap().poc.is_nan());
        assert!(volume_profile(&[1.0], &[0.0], 1.0, 0.7).unwrap().poc.is_nan());
        assert!(volume_profile(&[1.0, 1e9], &[1.0, 1.0], 1e-3, 0.7).is_err());
        assert!(volume_profile(&[1.0], &[-1.0], 1.0, 0.7).is_err());
        assert!(volume_profile(&[1.0], &[1.0], 0.0, 0.7).is_err());
    }

    #[test]
    fn rolling_window_uses_typical_price() {
        let out =
            rolling_candle_profile(&[3.0, 6.0], &[3.0, 6.0], &[3.0, 6.0], &[1.0, 2.0], 1, 1.0, 0.7).unwrap();
        assert_eq!(out[1].poc, 6.0);
        let out =
            rolling_candle_profile(&[3.0, 6.0], &[3.0, 6.0], &[3.0, 6.0], &[5.0, 2.0], 2, 1.0, 0.7).unwrap();
        assert_eq!(out[1].poc, 3.0);
    }
}
