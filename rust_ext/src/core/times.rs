//! Times are ms since the Unix epoch (int64). Two checks keep other units and out-of-range
//! values from silently producing all-NaN features or wrapped-around times:
//!
//! * unit: a time's magnitude |t| names the unit it was most likely written in — below 10¹¹
//!   seconds (up to the year 5138; as ms it would lie before 1973-03-03), below 10¹⁴ ms, below
//!   10¹⁷ µs, else ns. Trade (or quote) times and candle dates of different units are refused;
//! * range: unsigned times above `i64::MAX` are refused instead of wrapping to negative values.

use super::error::{bail, Result};

/// The unit a time's magnitude suggests (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Seconds,
    Milliseconds,
    Microseconds,
    Nanoseconds,
}

impl Unit {
    /// The unit of `t` by its magnitude |t|.
    pub fn of(t: i64) -> Unit {
        match t.unsigned_abs() {
            m if m < 100_000_000_000 => Unit::Seconds,
            m if m < 100_000_000_000_000 => Unit::Milliseconds,
            m if m < 100_000_000_000_000_000 => Unit::Microseconds,
            _ => Unit::Nanoseconds,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Unit::Seconds => "seconds",
            Unit::Milliseconds => "milliseconds",
            Unit::Microseconds => "microseconds",
            Unit::Nanoseconds => "nanoseconds",
        }
    }
}

/// The element of largest magnitude of ascending `times` (its first or last), if any.
fn widest(times: &[i64]) -> Option<i64> {
    let (first, last) = (*times.first()?, *times.last()?);
    Some(if first.unsigned_abs() > last.unsigned_abs() {
        first
    } else {
        last
    })
}

/// Fail when ascending `times` and `dates` are written in different units.
pub fn same_unit(times_name: &str, times: &[i64], dates_name: &str, dates: &[i64]) -> Result<()> {
    let (Some(t), Some(d)) = (widest(times), widest(dates)) else {
        return Ok(());
    };
    let (tu, du) = (Unit::of(t), Unit::of(d));
    if tu != du {
        bail!(
            "time units differ: {times_name} look like {} (e.g. {t}) but {dates_name} like {} \
             (e.g. {d}); pass both as int64 milliseconds since the epoch",
            tu.name(),
            du.name()
        );
    }
    Ok(())
}

/// Unsigned times as int64, refusing any value above `i64::MAX` (it would wrap around).
pub fn from_unsigned(name: &str, values: &[u64]) -> Result<Vec<i64>> {
    values
        .iter()
        .enumerate()
        .map(|(i, &v)| match i64::try_from(v) {
            Ok(t) => Ok(t),
            Err(_) => Err(super::error::InputError(format!(
                "{name}[{i}] = {v} is out of the int64 range (max {}); times are int64 ms",
                i64::MAX
            ))),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magnitudes_name_units() {
        assert_eq!(Unit::of(1_718_000_000), Unit::Seconds);
        assert_eq!(Unit::of(1_718_000_000_000), Unit::Milliseconds);
        assert_eq!(Unit::of(-1_718_000_000_000), Unit::Milliseconds);
        assert_eq!(Unit::of(1_718_000_000_000_000), Unit::Microseconds);
        assert_eq!(Unit::of(1_718_000_000_000_000_000), Unit::Nanoseconds);
        assert_eq!(Unit::of(i64::MIN), Unit::Nanoseconds);
    }

    #[test]
    fn seconds_against_milliseconds_is_an_error() {
        let err = same_unit(
            "timestamps",
            &[1_718_000_000, 1_718_000_060],
            "candle_dates",
            &[1_718_000_000_000],
        )
        .unwrap_err();
        assert!(err.0.contains("timestamps look like seconds"), "{err}");
        assert!(err.0.contains("candle_dates like milliseconds"), "{err}");
        assert!(same_unit("t", &[1_718_000_000_123], "d", &[1_718_000_000_000]).is_ok());
        assert!(same_unit("t", &[5, 61], "d", &[0, 60]).is_ok());
        assert!(same_unit("t", &[], "d", &[1]).is_ok());
    }

    #[test]
    fn unsigned_times_above_int64_are_refused() {
        assert_eq!(
            from_unsigned("t", &[0, 1_718_000_000_000]),
            Ok(vec![0, 1_718_000_000_000])
        );
        assert_eq!(from_unsigned("t", &[i64::MAX as u64]), Ok(vec![i64::MAX]));
        let err = from_unsigned("t", &[1, u64::MAX]).unwrap_err();
        assert!(
            err.0
                .starts_with("t[1] = 18446744073709551615 is out of the int64 range"),
            "{err}"
        );
    }
}
