//! Simulated time.
//!
//! Time is an integer number of milliseconds since the start of the run. Integer time makes
//! event ordering exact: two events are simultaneous or they are not, with no epsilon.
//! Durations in scenario files are written `250ms`, `90s`, `5m`, `2h`, `7d`, or combinations
//! such as `1h30m`; each component may carry a decimal fraction (`1.5h`) as long as the total is a
//! whole number of milliseconds.

use std::fmt;
use std::ops::{Add, AddAssign, Sub};

/// An instant of simulated time, in milliseconds since the start of the run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimTime(pub u64);

/// A span of simulated time, in milliseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimDuration(pub u64);

pub const MS_PER_SECOND: u64 = 1_000;
pub const MS_PER_HOUR: u64 = 3_600_000;

impl SimTime {
    pub const ZERO: SimTime = SimTime(0);
    pub const MAX: SimTime = SimTime(u64::MAX);

    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1000.0
    }

    /// Time elapsed since `earlier`; zero if `earlier` is later.
    pub fn since(self, earlier: SimTime) -> SimDuration {
        SimDuration(self.0.saturating_sub(earlier.0))
    }
}

impl SimDuration {
    pub const ZERO: SimDuration = SimDuration(0);

    pub fn from_secs(s: u64) -> Self {
        SimDuration(s.saturating_mul(MS_PER_SECOND))
    }

    pub fn from_secs_f64(s: f64) -> Self {
        if s.is_nan() || s <= 0.0 {
            return SimDuration(0);
        }
        let ms = (s * 1000.0).round();
        if ms >= u64::MAX as f64 {
            SimDuration(u64::MAX)
        } else {
            SimDuration(ms as u64)
        }
    }

    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1000.0
    }

    pub fn as_hours_f64(self) -> f64 {
        self.0 as f64 / MS_PER_HOUR as f64
    }
}

impl Add<SimDuration> for SimTime {
    type Output = SimTime;
    fn add(self, d: SimDuration) -> SimTime {
        SimTime(self.0.saturating_add(d.0))
    }
}

impl AddAssign<SimDuration> for SimTime {
    fn add_assign(&mut self, d: SimDuration) {
        self.0 = self.0.saturating_add(d.0);
    }
}

impl Add for SimDuration {
    type Output = SimDuration;
    fn add(self, d: SimDuration) -> SimDuration {
        SimDuration(self.0.saturating_add(d.0))
    }
}

impl Sub for SimTime {
    type Output = SimDuration;
    fn sub(self, earlier: SimTime) -> SimDuration {
        self.since(earlier)
    }
}

impl fmt::Display for SimDuration {
    /// Formats in the same syntax the parser reads, e.g. `1h30m`, `250ms`, `0s`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 == 0 {
            return f.write_str("0s");
        }
        let mut rest = self.0;
        for (unit, ms) in UNITS {
            let n = rest / ms;
            if n > 0 {
                write!(f, "{n}{unit}")?;
                rest %= ms;
            }
        }
        Ok(())
    }
}

impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        SimDuration(self.0).fmt(f)
    }
}

/// Units from largest to smallest, with their length in milliseconds.
const UNITS: [(&str, u64); 5] = [
    ("d", 86_400_000),
    ("h", MS_PER_HOUR),
    ("m", 60_000),
    ("s", MS_PER_SECOND),
    ("ms", 1),
];

/// Parses `250ms`, `90s`, `5m`, `2h`, `7d`, `1h30m`, `1.5h`.
///
/// Errors are phrased to follow "expected a duration ...", ready to show to a user.
pub fn parse_duration(text: &str) -> Result<SimDuration, String> {
    let s = text.trim();
    if s.is_empty() {
        return Err("empty duration; expected e.g. 90s, 5m, 1h30m".into());
    }
    let bytes = s.as_bytes();
    let mut i = 0;
    let mut total_micro: u128 = 0; // in 1/1000 ms, so decimals up to 3 places in ms are exact
    let mut last_unit_rank: Option<usize> = None;
    while i < bytes.len() {
        let start = i;
        while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.') {
            i += 1;
        }
        let number = &s[start..i];
        if number.is_empty() {
            return Err(format!(
                "'{text}' is not a duration; expected a number followed by a unit (ms, s, m, h, d), e.g. 90s or 1h30m"
            ));
        }
        let unit_start = i;
        while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
            i += 1;
        }
        let unit = &s[unit_start..i];
        let rank = UNITS.iter().position(|(u, _)| *u == unit).ok_or_else(|| {
            if unit.is_empty() {
                format!("'{text}' has no unit; expected e.g. {number}s, {number}m or {number}h")
            } else {
                format!("'{text}': unknown time unit '{unit}'; expected one of ms, s, m, h, d")
            }
        })?;
        if let Some(prev) = last_unit_rank
            && rank <= prev
        {
            return Err(format!(
                "'{text}': units must go from largest to smallest, each at most once (e.g. 1h30m)"
            ));
        }
        last_unit_rank = Some(rank);
        let micro = parse_decimal_scaled(number, UNITS[rank].1 as u128 * 1000)
            .ok_or_else(|| format!("'{text}': '{number}' is not a valid number"))?;
        total_micro = total_micro
            .checked_add(micro)
            .ok_or_else(|| format!("'{text}' is too long a duration"))?;
    }
    if !total_micro.is_multiple_of(1000) {
        return Err(format!(
            "'{text}' is not a whole number of milliseconds; the finest unit is 1ms"
        ));
    }
    let ms = total_micro / 1000;
    // Keep far from overflow: durations are added to times.
    if ms > MAX_DURATION_MS as u128 {
        return Err(format!(
            "'{text}' is too long; the longest duration is 100 years"
        ));
    }
    Ok(SimDuration(ms as u64))
}

/// The longest duration a file may give: 100 years. Guards arithmetic against overflow.
pub const MAX_DURATION_MS: u64 = 100 * 365 * 86_400_000;

/// Parses a non-negative decimal like `1.25` and multiplies it by `scale`, exactly.
/// Returns `None` on malformed input, overflow, or a product that is not an integer.
pub(crate) fn parse_decimal_scaled(number: &str, scale: u128) -> Option<u128> {
    let (int_part, frac_part) = match number.split_once('.') {
        Some((a, b)) => (a, b),
        None => (number, ""),
    };
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    if !int_part.bytes().all(|b| b.is_ascii_digit())
        || !frac_part.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    if frac_part.len() > 18 || int_part.len() > 30 {
        return None;
    }
    let int_val: u128 = if int_part.is_empty() {
        0
    } else {
        int_part.parse().ok()?
    };
    let mut value = int_val.checked_mul(scale)?;
    if !frac_part.is_empty() {
        let frac_val: u128 = frac_part.parse().ok()?;
        let denom = 10u128.pow(frac_part.len() as u32);
        let scaled = frac_val.checked_mul(scale)?;
        if scaled % denom != 0 {
            return None;
        }
        value = value.checked_add(scaled / denom)?;
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_unit_and_combinations() {
        let cases = [
            ("250ms", 250),
            ("90s", 90_000),
            ("5m", 300_000),
            ("2h", 7_200_000),
            ("7d", 604_800_000),
            ("1h30m", 5_400_000),
            ("1d2h3m4s5ms", 93_784_005),
            ("1.5h", 5_400_000),
            ("0.25s", 250),
            ("0s", 0),
        ];
        for (text, ms) in cases {
            assert_eq!(parse_duration(text), Ok(SimDuration(ms)), "{text}");
        }
    }

    #[test]
    fn rejects_malformed_durations_with_a_reason() {
        for (text, needle) in [
            ("", "empty"),
            ("10", "no unit"),
            ("10x", "unknown time unit 'x'"),
            ("5m1h", "largest to smallest"),
            ("1s1s", "largest to smallest"),
            ("0.0001s", "whole number of milliseconds"),
            ("-5s", "not a duration"),
            ("1..5s", "not a valid number"),
            ("999999999999d", "too long"),
            ("h", "not a duration"),
        ] {
            let err = parse_duration(text).unwrap_err();
            assert!(err.contains(needle), "{text}: {err}");
        }
    }

    #[test]
    fn display_round_trips() {
        for ms in [0, 1, 250, 90_000, 5_400_000, 93_784_005] {
            let d = SimDuration(ms);
            assert_eq!(parse_duration(&d.to_string()), Ok(d));
        }
    }
}
