//! Net order-flow surge and candle-only order-flow proxies.

use super::error::{bail, same_len, Result};

/// surgeₜ = deltaₜ / ( (1/w) Σ_{k=1..w} |deltaₜ₋ₖ| ): the current delta against the mean
/// absolute delta of the `window` previous candles. NaN for the first `window` rows, when any
/// value in the window (or deltaₜ) is NaN, and when the mean is 0.
pub fn flow_surge(delta: &[f64], window: usize) -> Result<Vec<f64>> {
    if window == 0 {
        bail!("window must be >= 1");
    }
    if let Some(i) = delta.iter().position(|d| d.is_infinite()) {
        bail!("delta[{i}] is infinite");
    }
    Ok((0..delta.len())
        .map(|t| {
            if t < window {
                return f64::NAN;
            }
            let mean = delta[t - window..t].iter().map(|d| d.abs()).sum::<f64>() / window as f64;
            if mean > 0.0 {
                delta[t] / mean
            } else {
                f64::NAN
            }
        })
        .collect())
}

/// Close-location value CLV = (close − low)/(high − low) ∈ [0, 1] and the volume-weighted
/// delta proxy volume·(2·CLV − 1). A flat bar (high = low) has CLV 0.5 (proxy 0); a bar
/// with any NaN gives NaN. Errors on high < low, close outside [low, high], inf, or
/// negative volume.
pub fn candle_flow_proxy(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    volume: &[f64],
) -> Result<(Vec<f64>, Vec<f64>)> {
    let n = same_len(&[
        ("high", high.len()),
        ("low", low.len()),
        ("close", close.len()),
        ("volume", volume.len()),
    ])?;
    let mut clv = Vec::with_capacity(n);
    let mut proxy = Vec::with_capacity(n);
    for i in 0..n {
        let (h, l, c, v) = (high[i], low[i], close[i], volume[i]);
        if [h, l, c, v].iter().any(|x| x.is_infinite()) {
            bail!("candle {i} holds an infinite value");
        }
        if [h, l, c, v].iter().any(|x| x.is_nan()) {
            clv.push(f64::NAN);
            proxy.push(f64::NAN);
            continue;
        }
        if h < l || c < l || c > h {
            bail!("candle {i} is inconsistent: high {h}, low {l}, close {c}");
        }
        if v < 0.0 {
            bail!("volume[{i}] is {v} (must be >= 0)");
        }
        let x = if h > l { (c - l) / (h - l) } else { 0.5 };
        clv.push(x);
        proxy.push(v * (2.0 * x - 1.0));
    }
    Ok((clv, proxy))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surge_uses_previous_window_only() {
        let s = flow_surge(&[1.0, -3.0, 6.0, 0.0, f64::NAN, 1.0], 2).unwrap();
        assert!(s[0].is_nan() && s[1].is_nan());
        assert_eq!(s[2], 6.0 / 2.0);
        assert_eq!(s[3], 0.0);
        assert!(s[4].is_nan());
        assert!(s[5].is_nan(), "NaN inside the window");
        assert!(flow_surge(&[0.0, 0.0, 1.0], 2).unwrap()[2].is_nan(), "zero mean");
        assert!(flow_surge(&[1.0], 0).is_err());
    }

    #[test]
    fn clv_and_proxy() {
        let (clv, proxy) = candle_flow_proxy(
            &[10.0, 5.0, f64::NAN],
            &[8.0, 5.0, 1.0],
            &[9.5, 5.0, 1.0],
            &[4.0, 3.0, 1.0],
        )
        .unwrap();
        assert_eq!(clv[..2], [0.75, 0.5]);
        assert_eq!(proxy[..2], [2.0, 0.0]);
        assert!(clv[2].is_nan() && proxy[2].is_nan());
        assert!(candle_flow_proxy(&[1.0], &[2.0], &[1.5], &[1.0]).is_err());
        assert!(candle_flow_proxy(&[2.0], &[1.0], &[1.5], &[-1.0]).is_err());
    }
}
