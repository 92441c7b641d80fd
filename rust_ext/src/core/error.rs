//! The one error type of the core: an invalid input, described for the user.

use std::fmt;

/// An input the core refuses, with a message that names the argument and the problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError(pub String);

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for InputError {}

/// Result type of every fallible core function.
pub type Result<T> = std::result::Result<T, InputError>;

/// Build an `Err(InputError)` from a format string.
macro_rules! bail {
    ($($arg:tt)*) => {
        return Err($crate::core::error::InputError(format!($($arg)*)))
    };
}
pub(crate) use bail;

/// Fail unless every named length equals the first one.
pub fn same_len(names: &[(&str, usize)]) -> Result<usize> {
    let Some(&(first_name, n)) = names.first() else {
        return Ok(0);
    };
    for &(name, len) in &names[1..] {
        if len != n {
            bail!("length mismatch: {first_name} has {n} elements but {name} has {len}");
        }
    }
    Ok(n)
}

/// Fail if any value is NaN or infinite.
pub fn all_finite(name: &str, values: &[f64]) -> Result<()> {
    if let Some(i) = values.iter().position(|v| !v.is_finite()) {
        bail!("{name}[{i}] is {} (must be finite)", values[i]);
    }
    Ok(())
}

/// Fail if any value is NaN, infinite or negative.
pub fn all_finite_non_negative(name: &str, values: &[f64]) -> Result<()> {
    all_finite(name, values)?;
    if let Some(i) = values.iter().position(|v| *v < 0.0) {
        bail!("{name}[{i}] is {} (must be >= 0)", values[i]);
    }
    Ok(())
}

/// Fail if any value is NaN, infinite, zero or negative.
pub fn all_finite_positive(name: &str, values: &[f64]) -> Result<()> {
    all_finite(name, values)?;
    if let Some(i) = values.iter().position(|v| *v <= 0.0) {
        bail!("{name}[{i}] is {} (must be > 0)", values[i]);
    }
    Ok(())
}

/// Fail unless `values` never decreases.
pub fn non_decreasing(name: &str, values: &[i64]) -> Result<()> {
    if let Some(i) = values.windows(2).position(|w| w[1] < w[0]) {
        bail!(
            "{name} must be sorted ascending: {name}[{}] = {} < {name}[{i}] = {}",
            i + 1,
            values[i + 1],
            values[i]
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_len_reports_the_odd_one() {
        assert_eq!(same_len(&[("a", 2), ("b", 2)]), Ok(2));
        let err = same_len(&[("a", 2), ("b", 3)]).unwrap_err();
        assert!(err.0.contains("b has 3"), "{err}");
    }

    #[test]
    fn finiteness_and_sign_checks() {
        assert!(all_finite("x", &[1.0, f64::NAN]).unwrap_err().0.contains("x[1]"));
        assert!(all_finite_non_negative("x", &[0.0, -1.0]).is_err());
        assert!(all_finite_non_negative("x", &[0.0, 1.0]).is_ok());
        assert!(all_finite_positive("x", &[0.0]).is_err());
    }

    #[test]
    fn sortedness_check() {
        assert!(non_decreasing("t", &[1, 1, 2]).is_ok());
        assert!(non_decreasing("t", &[2, 1]).unwrap_err().0.contains("t[1] = 1"));
    }
}
