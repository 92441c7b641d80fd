//! Summation orders that reproduce NumPy and pandas bit for bit.

/// NumPy's pairwise sum of a float64 array (`ndarray.sum()`): blocks of at most 128
/// values are added with 8 interleaved accumulators, longer arrays are split in two halves
/// (the first a multiple of 8 long) that are summed recursively.
pub fn numpy_pairwise_sum(a: &[f64]) -> f64 {
    let n = a.len();
    if n < 8 {
        return a.iter().fold(-0.0, |acc, v| acc + v);
    }
    if n <= 128 {
        let mut r = [0.0f64; 8];
        r.copy_from_slice(&a[..8]);
        let full = n - n % 8;
        for chunk in a[8..full].chunks_exact(8) {
            for (acc, v) in r.iter_mut().zip(chunk) {
                *acc += v;
            }
        }
        let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for v in &a[full..] {
            res += v;
        }
        return res;
    }
    let mut half = n / 2;
    half -= half % 8;
    numpy_pairwise_sum(&a[..half]) + numpy_pairwise_sum(&a[half..])
}

/// `np.add.reduceat` over one segment: a₀ + pairwise(a₁…aₙ₋₁). pandas ≥ 3.1 sums groups this
/// way when the group ids are already sorted in row order.
pub fn numpy_reduceat_segment(a: &[f64]) -> f64 {
    match a.split_first() {
        Some((first, rest)) => first + numpy_pairwise_sum(rest),
        None => 0.0,
    }
}

/// A Kahan-compensated running sum, as pandas' Cython `groupby(...).sum()` accumulates each
/// group (the path pandas takes when group ids are not sorted in row order):
/// y = v − c; t = s + y; c = (t − s) − y; s = t (c reset to 0 when it becomes NaN).
#[derive(Debug, Clone, Copy, Default)]
pub struct KahanSum {
    sum: f64,
    compensation: f64,
}

impl KahanSum {
    /// Add one value.
    pub fn add(&mut self, value: f64) {
        let y = value - self.compensation;
        let t = self.sum + y;
        self.compensation = t - self.sum - y;
        if self.compensation.is_nan() {
            self.compensation = 0.0;
        }
        self.sum = t;
    }

    /// The current sum.
    pub fn value(&self) -> f64 {
        self.sum
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairwise_small_and_large() {
        assert_eq!(numpy_pairwise_sum(&[]), -0.0);
        assert_eq!(numpy_pairwise_sum(&[1.0, 2.0, 3.0]), 6.0);
        let v: Vec<f64> = (1..=1000).map(f64::from).collect();
        assert_eq!(numpy_pairwise_sum(&v), 500_500.0);
    }

    #[test]
    fn pairwise_differs_from_naive_where_numpy_does() {
        // 1e16 + 15 ones: the naive left fold loses every 1.0; the 8 lanes keep 14 of them
        // (the value np.ones(16) with v[0] = 1e16 sums to in NumPy).
        let mut v = vec![1.0f64; 16];
        v[0] = 1e16;
        let naive = v.iter().fold(0.0, |a, b| a + b);
        assert_eq!(naive, 1e16);
        assert_eq!(numpy_pairwise_sum(&v), 1e16 + 14.0);
    }

    #[test]
    fn reduceat_segment_keeps_the_first_value_out_of_the_pairwise_sum() {
        let mut v = vec![1.0f64; 17];
        v[1] = 1e16;
        // first + pairwise(rest): 1 + (1e16 + 14) rounds to 1e16 + 16.
        assert_eq!(numpy_reduceat_segment(&v), 1e16 + 16.0);
        assert_eq!(numpy_reduceat_segment(&[2.5]), 2.5);
    }

    #[test]
    fn kahan_recovers_small_terms() {
        let mut k = KahanSum::default();
        k.add(1e16);
        for _ in 0..10 {
            k.add(1.0);
        }
        assert_eq!(k.value(), 1e16 + 10.0);
    }
}
