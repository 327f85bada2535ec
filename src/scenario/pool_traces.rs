//! Small CSV files attached to a pool: a spot price trace (`time_s,price_per_hour`) and a
//! reclaim trace (`time_s,zone,count` or `time_s,zone,share`). Errors name the file and line.

use std::path::Path;

use super::error::InputError;
use super::input::{self, CsvErrors, CsvRows, InputKind};
use super::model::{ReclaimAmount, ReclaimRow};
use super::trace::TraceLoadError;
use crate::time::{MAX_DURATION_MS, SimTime};

/// The most rows either trace may hold.
pub const MAX_ROWS: usize = 10_000_000;

fn err(label: &str, line: u64, column: &str, message: impl Into<String>) -> InputError {
    InputError {
        file: label.to_string(),
        line,
        column: 0,
        path: column.to_string(),
        message: message.into(),
    }
}

/// A CSV file's header and its well-formed rows, each with its line number.
type Table = (Vec<String>, Vec<(u64, Vec<String>)>);

/// Reads the file's header and rows through [`input::open`]. Malformed rows are recorded in
/// `errors`; `Err` means the file cannot be read at all.
fn read(path: &Path, kind: InputKind, errors: &mut CsvErrors) -> Result<Table, TraceLoadError> {
    let unreadable = |e: input::Unreadable| TraceLoadError::Unreadable(e.0);
    let file = input::open(path, kind).map_err(TraceLoadError::Unreadable)?;
    let Some(mut reader) = CsvRows::new(file, errors).map_err(unreadable)? else {
        return Ok((Vec::new(), Vec::new()));
    };
    let header = reader.header().to_vec();
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    while let Some(line) = reader.next_row(&mut record, errors).map_err(unreadable)? {
        if rows.len() >= MAX_ROWS {
            errors.push(line, "", format!("too many rows; the limit is {MAX_ROWS}"));
            break;
        }
        rows.push((line, record.iter().map(str::to_string).collect()));
    }
    Ok((header, rows))
}

fn column(header: &[String], name: &str) -> Option<usize> {
    header.iter().position(|h| h == name)
}

fn time(line: u64, text: &str, errors: &mut CsvErrors) -> Option<SimTime> {
    match text.parse::<f64>() {
        Ok(s) if s.is_finite() && s >= 0.0 && s * 1000.0 <= MAX_DURATION_MS as f64 => {
            Some(SimTime((s * 1000.0).round() as u64))
        }
        _ => {
            errors.push(
                line,
                "time_s",
                format!("expected seconds from the start (≥ 0), found '{text}'"),
            );
            None
        }
    }
}

/// The result of a loader: `Err` holds every problem, or why the file cannot be read.
fn finish<T>(out: T, errors: CsvErrors) -> Result<T, TraceLoadError> {
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(TraceLoadError::Invalid(errors.finish()))
    }
}

/// Loads `time_s,price_per_hour`, sorted by time.
pub fn load_price_trace(path: &Path) -> Result<Vec<(SimTime, f64)>, TraceLoadError> {
    let label = path.display().to_string();
    let mut errors = CsvErrors::new(&label);
    let (header, rows) = read(path, InputKind::PriceTrace, &mut errors)?;
    if header.is_empty() && !errors.is_empty() {
        return finish(Vec::new(), errors);
    }
    let (Some(t), Some(p)) = (column(&header, "time_s"), column(&header, "price_per_hour")) else {
        return Err(TraceLoadError::Invalid(vec![err(
            &label,
            1,
            "",
            "a price trace needs the columns time_s,price_per_hour",
        )]));
    };
    let mut out = Vec::new();
    for (line, row) in rows {
        let at = time(line, &row[t], &mut errors);
        let price = match row[p].parse::<f64>() {
            Ok(x) if x.is_finite() && x >= 0.0 => Some(x),
            _ => {
                errors.push(
                    line,
                    "price_per_hour",
                    format!("expected a price ≥ 0, found '{}'", row[p]),
                );
                None
            }
        };
        if let (Some(at), Some(price)) = (at, price) {
            out.push((at, price));
        }
    }
    out.sort_by_key(|r| r.0);
    finish(out, errors)
}

/// Loads `time_s,zone,count` or `time_s,zone,share`, sorted by time (stable).
pub fn load_reclaim_trace(
    path: &Path,
    zones: &[String],
) -> Result<Vec<ReclaimRow>, TraceLoadError> {
    let label = path.display().to_string();
    let mut errors = CsvErrors::new(&label);
    let (header, rows) = read(path, InputKind::ReclaimTrace, &mut errors)?;
    if header.is_empty() && !errors.is_empty() {
        return finish(Vec::new(), errors);
    }
    let (Some(t), Some(z)) = (column(&header, "time_s"), column(&header, "zone")) else {
        return Err(TraceLoadError::Invalid(vec![err(
            &label,
            1,
            "",
            "a reclaim trace needs the columns time_s,zone and count or share",
        )]));
    };
    let (amount_col, is_share) = match (column(&header, "count"), column(&header, "share")) {
        (Some(c), None) => (c, false),
        (None, Some(s)) => (s, true),
        _ => {
            return Err(TraceLoadError::Invalid(vec![err(
                &label,
                1,
                "",
                "a reclaim trace needs exactly one of the columns count or share",
            )]));
        }
    };
    let mut out = Vec::new();
    for (line, row) in rows {
        let at = time(line, &row[t], &mut errors);
        let zone = zones.iter().position(|name| *name == row[z]);
        if zone.is_none() {
            errors.push(
                line,
                "zone",
                format!(
                    "unknown zone '{}'; the cluster's zones are {}",
                    row[z],
                    zones.join(", ")
                ),
            );
        }
        let text = &row[amount_col];
        let amount = if is_share {
            match text.parse::<f64>() {
                Ok(x) if (0.0..=1.0).contains(&x) => Some(ReclaimAmount::Share(x)),
                _ => None,
            }
        } else {
            text.parse::<u32>().ok().map(ReclaimAmount::Count)
        };
        if amount.is_none() {
            let what = if is_share {
                "a share between 0 and 1"
            } else {
                "a whole number of nodes"
            };
            errors.push(
                line,
                if is_share { "share" } else { "count" },
                format!("expected {what}, found '{text}'"),
            );
        }
        if let (Some(time), Some(zone), Some(amount)) = (at, zone, amount) {
            out.push(ReclaimRow { time, zone, amount });
        }
    }
    out.sort_by_key(|r| r.time);
    finish(out, errors)
}
