//! Small CSV files attached to a pool: a spot price trace (`time_s,price_per_hour`) and a
//! reclaim trace (`time_s,zone,count` or `time_s,zone,share`). Errors name the file and line.

use std::path::Path;

use super::error::InputError;
use super::model::{ReclaimAmount, ReclaimRow};
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

/// A CSV file's header and its rows, each with its line number.
type Table = (Vec<String>, Vec<(u64, Vec<String>)>);

/// Reads the file's header and rows; `Err` holds the reason it cannot be read at all.
fn read(path: &Path) -> Result<Table, String> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)
        .map_err(|e| e.to_string())?;
    let header = reader
        .headers()
        .map_err(|e| e.to_string())?
        .iter()
        .map(str::to_string)
        .collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| e.to_string())?;
        let line = record.position().map_or(0, |p| p.line());
        rows.push((line, record.iter().map(str::to_string).collect()));
        if rows.len() > MAX_ROWS {
            return Err(format!("more than {MAX_ROWS} rows"));
        }
    }
    Ok((header, rows))
}

fn column(header: &[String], name: &str) -> Option<usize> {
    header.iter().position(|h| h == name)
}

fn time(label: &str, line: u64, text: &str, errors: &mut Vec<InputError>) -> Option<SimTime> {
    match text.parse::<f64>() {
        Ok(s) if s.is_finite() && s >= 0.0 && s * 1000.0 <= MAX_DURATION_MS as f64 => {
            Some(SimTime((s * 1000.0).round() as u64))
        }
        _ => {
            errors.push(err(
                label,
                line,
                "time_s",
                format!("expected seconds from the start (≥ 0), found '{text}'"),
            ));
            None
        }
    }
}

/// Loads `time_s,price_per_hour`, sorted by time.
pub fn load_price_trace(path: &Path) -> Result<Vec<(SimTime, f64)>, Vec<InputError>> {
    let label = path.display().to_string();
    let (header, rows) = read(path).map_err(|m| vec![err(&label, 0, "", m)])?;
    let (Some(t), Some(p)) = (column(&header, "time_s"), column(&header, "price_per_hour")) else {
        return Err(vec![err(
            &label,
            1,
            "",
            "a price trace needs the columns time_s,price_per_hour",
        )]);
    };
    let mut errors = Vec::new();
    let mut out = Vec::new();
    for (line, row) in rows {
        let at = time(&label, line, &row[t], &mut errors);
        let price = match row[p].parse::<f64>() {
            Ok(x) if x.is_finite() && x >= 0.0 => Some(x),
            _ => {
                errors.push(err(
                    &label,
                    line,
                    "price_per_hour",
                    format!("expected a price ≥ 0, found '{}'", row[p]),
                ));
                None
            }
        };
        if let (Some(at), Some(price)) = (at, price) {
            out.push((at, price));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    out.sort_by_key(|r| r.0);
    Ok(out)
}

/// Loads `time_s,zone,count` or `time_s,zone,share`, sorted by time (stable).
pub fn load_reclaim_trace(
    path: &Path,
    zones: &[String],
) -> Result<Vec<ReclaimRow>, Vec<InputError>> {
    let label = path.display().to_string();
    let (header, rows) = read(path).map_err(|m| vec![err(&label, 0, "", m)])?;
    let (Some(t), Some(z)) = (column(&header, "time_s"), column(&header, "zone")) else {
        return Err(vec![err(
            &label,
            1,
            "",
            "a reclaim trace needs the columns time_s,zone and count or share",
        )]);
    };
    let (amount_col, is_share) = match (column(&header, "count"), column(&header, "share")) {
        (Some(c), None) => (c, false),
        (None, Some(s)) => (s, true),
        _ => {
            return Err(vec![err(
                &label,
                1,
                "",
                "a reclaim trace needs exactly one of the columns count or share",
            )]);
        }
    };
    let mut errors = Vec::new();
    let mut out = Vec::new();
    for (line, row) in rows {
        let at = time(&label, line, &row[t], &mut errors);
        let zone = zones.iter().position(|name| *name == row[z]);
        if zone.is_none() {
            errors.push(err(
                &label,
                line,
                "zone",
                format!(
                    "unknown zone '{}'; the cluster's zones are {}",
                    row[z],
                    zones.join(", ")
                ),
            ));
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
            errors.push(err(
                &label,
                line,
                if is_share { "share" } else { "count" },
                format!("expected {what}, found '{text}'"),
            ));
        }
        if let (Some(time), Some(zone), Some(amount)) = (at, zone, amount) {
            out.push(ReclaimRow { time, zone, amount });
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    out.sort_by_key(|r| r.time);
    Ok(out)
}
