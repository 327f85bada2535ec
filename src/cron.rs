//! CronJob schedules: the five-field cron syntax Kubernetes' CronJob controller accepts
//! (minute, hour, day of month, month, day of week; `*`, lists, ranges, `/` steps, month and
//! day names, and the `@hourly`-style macros), and the next firing after a given time.
//!
//! Simulated time 0 is taken as Monday 2024-01-01 00:00 in the schedule's time zone, so
//! `0 9 * * 1-5` fires at 9h, 33h, ... on weekdays. As in Kubernetes (and Vixie cron), when both
//! day of month and day of week are restricted, a day matching either fires.

use crate::time::SimTime;

const MS_PER_MINUTE: u64 = 60_000;
const MINUTES_PER_DAY: u64 = 24 * 60;
/// Day of the week of simulated day 0 (0 = Sunday): 2024-01-01 was a Monday.
const FIRST_WEEKDAY: u64 = 1;
/// Calendar of day 0: 2024, a leap year.
const FIRST_YEAR: u64 = 2024;
/// How far ahead a schedule is searched: schedules such as `0 0 30 2 *` never fire.
const SEARCH_DAYS: u64 = 366 * 8;

/// A parsed schedule: which minutes, hours, days and months match, as bit sets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CronSchedule {
    minutes: u64,
    hours: u32,
    days_of_month: u32,
    months: u16,
    days_of_week: u8,
    dom_restricted: bool,
    dow_restricted: bool,
    /// The text as written, for reports.
    pub text: String,
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const DAYS: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

impl CronSchedule {
    /// Parses a schedule; the error says which field is wrong and what it allows.
    pub fn parse(text: &str) -> Result<CronSchedule, String> {
        let trimmed = text.trim();
        let expanded = match trimmed {
            "@yearly" | "@annually" => "0 0 1 1 *",
            "@monthly" => "0 0 1 * *",
            "@weekly" => "0 0 * * 0",
            "@daily" | "@midnight" => "0 0 * * *",
            "@hourly" => "0 * * * *",
            s if s.starts_with('@') => {
                return Err(format!(
                    "unknown macro '{s}', expected @yearly, @monthly, @weekly, @daily or @hourly"
                ));
            }
            s => s,
        };
        if expanded.starts_with("TZ=") || expanded.starts_with("CRON_TZ=") {
            return Err(
                "time zones in the schedule are not supported; times are simulated \
                        time from the start of the run"
                    .into(),
            );
        }
        let fields: Vec<&str> = expanded.split_whitespace().collect();
        if fields.len() != 5 {
            return Err(format!(
                "expected 5 fields (minute hour day-of-month month day-of-week), found {}",
                fields.len()
            ));
        }
        let minutes = field(fields[0], "minute", 0, 59, &[])?;
        let hours = field(fields[1], "hour", 0, 23, &[])?;
        let days_of_month = field(fields[2], "day of month", 1, 31, &[])?;
        let months = field(fields[3], "month", 1, 12, &MONTHS)?;
        // 7 is Sunday too.
        let dow = field(fields[4], "day of week", 0, 7, &DAYS)?;
        let days_of_week = ((dow & 0x7f) | (dow >> 7)) as u8;
        Ok(CronSchedule {
            minutes,
            hours: hours as u32,
            days_of_month: days_of_month as u32,
            months: months as u16,
            days_of_week,
            dom_restricted: !fields[2].starts_with('*'),
            dow_restricted: !fields[4].starts_with('*'),
            text: trimmed.to_string(),
        })
    }

    /// The first firing strictly after `after`, or `None` if none comes within eight years.
    pub fn next_after(&self, after: SimTime) -> Option<SimTime> {
        self.next_at_or_after(SimTime(after.0 + 1))
    }

    /// The first firing at or after `at`.
    pub fn next_at_or_after(&self, at: SimTime) -> Option<SimTime> {
        let mut minute = at.0.div_ceil(MS_PER_MINUTE);
        let last = minute + SEARCH_DAYS * MINUTES_PER_DAY;
        while minute < last {
            let day = minute / MINUTES_PER_DAY;
            if !self.day_matches(day) {
                minute = (day + 1) * MINUTES_PER_DAY;
                continue;
            }
            let of_day = minute % MINUTES_PER_DAY;
            let (hour, min) = (of_day / 60, of_day % 60);
            if self.hours & (1 << hour) == 0 {
                minute = day * MINUTES_PER_DAY + (hour + 1) * 60;
                continue;
            }
            if self.minutes & (1 << min) != 0 {
                return Some(SimTime(minute * MS_PER_MINUTE));
            }
            minute += 1;
        }
        None
    }

    fn day_matches(&self, day: u64) -> bool {
        let (month, dom) = month_and_day(day);
        if self.months & (1 << month) == 0 {
            return false;
        }
        let dom_ok = self.days_of_month & (1 << dom) != 0;
        let dow_ok = self.days_of_week & (1 << ((day + FIRST_WEEKDAY) % 7)) != 0;
        match (self.dom_restricted, self.dow_restricted) {
            (true, true) => dom_ok || dow_ok,
            _ => dom_ok && dow_ok,
        }
    }

    /// Every firing in `[from, until]`.
    pub fn firings(&self, from: SimTime, until: SimTime) -> Vec<SimTime> {
        let mut out = Vec::new();
        let mut t = self.next_at_or_after(from);
        while let Some(at) = t.filter(|&at| at <= until) {
            out.push(at);
            t = self.next_after(at);
        }
        out
    }
}

/// Month (1-12) and day of month (1-31) of simulated day `day`.
fn month_and_day(day: u64) -> (u64, u64) {
    let mut year = FIRST_YEAR;
    let mut left = day;
    loop {
        let leap =
            year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
        let length = if leap { 366 } else { 365 };
        if left < length {
            let feb = if leap { 29 } else { 28 };
            let months = [31, feb, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
            for (m, &len) in months.iter().enumerate() {
                if left < len {
                    return (m as u64 + 1, left + 1);
                }
                left -= len;
            }
        }
        left -= length;
        year += 1;
    }
}

/// One field: a comma list of `*`, `N`, `A-B`, each with an optional `/STEP`.
fn field(text: &str, what: &str, min: u64, max: u64, names: &[&str]) -> Result<u64, String> {
    let value = |s: &str| -> Result<u64, String> {
        let lower = s.to_ascii_lowercase();
        if let Some(i) = names.iter().position(|n| *n == lower) {
            // Month names count from 1, day names from 0.
            return Ok(i as u64 + min);
        }
        match s.parse::<u64>() {
            Ok(v) if (min..=max).contains(&v) => Ok(v),
            _ => Err(format!(
                "{what} field: '{s}' is not a number from {min} to {max}{}",
                if names.is_empty() { "" } else { " or a name" }
            )),
        }
    };
    let mut bits = 0u64;
    for part in text.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => match s.parse::<u64>() {
                Ok(step) if step > 0 => (r, step),
                _ => {
                    return Err(format!(
                        "{what} field: step '{s}' must be a whole number > 0"
                    ));
                }
            },
            None => (part, 1),
        };
        let (lo, hi) = if range == "*" || range == "?" {
            (min, max)
        } else if let Some((a, b)) = range.split_once('-') {
            let (a, b) = (value(a)?, value(b)?);
            if a > b {
                return Err(format!("{what} field: range '{range}' runs backwards"));
            }
            (a, b)
        } else {
            let v = value(range)?;
            // `5/15` means from 5 to the end in steps of 15.
            (v, if step > 1 { max } else { v })
        };
        let mut v = lo;
        while v <= hi {
            bits |= 1 << v;
            v += step;
        }
    }
    Ok(bits)
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: u64 = 3_600_000;
    const M: u64 = 60_000;

    fn next(schedule: &str, after_ms: u64) -> Option<u64> {
        CronSchedule::parse(schedule)
            .unwrap()
            .next_after(SimTime(after_ms))
            .map(|t| t.0)
    }

    #[test]
    fn next_firing_table() {
        // (schedule, after, expected next) with day 0 = Monday 2024-01-01.
        let cases: &[(&str, u64, Option<u64>)] = &[
            ("* * * * *", 0, Some(M)),              // strictly after: the next minute
            ("*/15 * * * *", 0, Some(15 * M)),      // 0, 15, 30, 45
            ("*/15 * * * *", 15 * M, Some(30 * M)), // strictly after 15 min
            ("0 * * * *", 0, Some(H)),              // @hourly
            ("@hourly", 30 * M, Some(H)),
            ("30 2 * * *", 0, Some(2 * H + 30 * M)),
            ("0 0 * * *", 0, Some(24 * H)), // @daily: midnight of day 1
            ("0 9 * * 1-5", 0, Some(9 * H)), // Monday 09:00
            ("0 9 * * 6", 0, Some(5 * 24 * H + 9 * H)), // Saturday = day 5
            ("0 9 * * sat", 0, Some(5 * 24 * H + 9 * H)),
            ("0 0 * * 0", 0, Some(6 * 24 * H)),  // Sunday = day 6
            ("0 0 * * 7", 0, Some(6 * 24 * H)),  // 7 is Sunday too
            ("0 0 1 2 *", 0, Some(31 * 24 * H)), // 1 February = day 31
            ("0 0 1 feb *", 0, Some(31 * 24 * H)),
            ("0 0 29 2 *", 0, Some(59 * 24 * H)), // 2024 is a leap year: 29 Feb = day 59
            ("0 0 30 2 *", 0, None),              // never
            // Day of month 15 or a Sunday, whichever comes first: Sunday 7 January (day 6).
            ("0 0 15 * 0", 0, Some(6 * 24 * H)),
            ("5-10/5 * * * *", 0, Some(5 * M)),
            ("5-10/5 * * * *", 5 * M, Some(10 * M)),
            ("5-10/5 * * * *", 10 * M, Some(H + 5 * M)),
            ("1,3 * * * *", M, Some(3 * M)),
        ];
        for &(schedule, after, expected) in cases {
            assert_eq!(next(schedule, after), expected, "{schedule} after {after}");
        }
    }

    #[test]
    fn bad_schedules_say_which_field() {
        let cases = [
            ("* * * *", "expected 5 fields"),
            ("60 * * * *", "minute field: '60'"),
            ("* 24 * * *", "hour field"),
            ("* * 0 * *", "day of month field"),
            ("* * * 13 *", "month field"),
            ("* * * * 8", "day of week field"),
            ("*/0 * * * *", "step '0'"),
            ("10-5 * * * *", "runs backwards"),
            ("@often", "unknown macro"),
            ("CRON_TZ=UTC 0 * * * *", "time zones"),
        ];
        for (schedule, expected) in cases {
            let e = CronSchedule::parse(schedule).unwrap_err();
            assert!(e.contains(expected), "{schedule}: {e}");
        }
    }

    #[test]
    fn firings_over_a_day() {
        let s = CronSchedule::parse("0 */6 * * *").unwrap();
        // 0h, 6h, 12h, 18h, 24h.
        let got: Vec<u64> = s
            .firings(SimTime(0), SimTime(24 * H))
            .iter()
            .map(|t| t.0 / H)
            .collect();
        assert_eq!(got, vec![0, 6, 12, 18, 24]);
    }
}
