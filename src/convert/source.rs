//! Reading source tables: rows with their line numbers, bad rows reported (or counted with
//! `--skip-bad-rows`), and a summary of each file (bytes, hash, rows) for the output's
//! provenance.

use std::io::{self, BufRead, Read};
use std::path::Path;

use super::Options;
use super::machines::Machines;
use super::sink::Sink;
use crate::scenario::InputErrors;
use crate::scenario::input::{self, CsvErrors, CsvRows, InputKind, Unreadable};

/// What a format's reader works with.
pub struct Context<'a, W: io::Write> {
    pub options: &'a Options,
    pub sink: &'a mut Sink<W>,
    pub machines: &'a mut Machines,
}

/// Why a file could not be converted.
pub enum Failed {
    Input(InputErrors),
    Output(io::Error),
}

impl From<InputErrors> for Failed {
    fn from(e: InputErrors) -> Self {
        Failed::Input(e)
    }
}

/// One input file as read.
#[derive(Clone, Debug)]
pub struct FileSummary {
    /// The file name (without its folder).
    pub name: String,
    /// Which table it was read as.
    pub table: &'static str,
    pub bytes: u64,
    /// 64-bit FNV-1a of its bytes.
    pub fnv1a64: u64,
    pub rows: u64,
    /// Bad rows counted and left out (`--skip-bad-rows`).
    pub bad_rows_skipped: u64,
}

/// What is wrong with one row.
pub enum Problem {
    /// The row is a header row (passed over, not counted as a row).
    Header,
    /// The header is not what this format reads (reported at line 1).
    BadHeader(String),
    /// This row is bad: the column and what was expected.
    Row(String, String),
    /// The whole file is not what this format reads (reported once, at this row).
    File(String),
    /// Writing the output failed.
    Output(io::Error),
}

impl From<io::Error> for Problem {
    fn from(e: io::Error) -> Self {
        Problem::Output(e)
    }
}

/// A bad value in `column`.
pub fn bad(column: &str, message: impl Into<String>) -> Problem {
    Problem::Row(column.to_string(), message.into())
}

/// A reader that hashes and counts the bytes passing through it.
pub struct Hashing<R> {
    inner: R,
    hash: crate::rng::Fnv1a,
    bytes: u64,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
}

/// An opened input: its first bytes (already read, to tell gzip from text) before the rest.
type Opened = io::Chain<io::Cursor<Vec<u8>>, input::Capped<std::fs::File>>;

/// How a table's rows come.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// CSV without a header (the published 2011/2018/2019-gpu/Azure tables).
    Headerless,
    /// CSV with a header row (OpenB, BigQuery exports).
    Header,
}

/// A row handed to a format's reader.
pub struct Row<'r> {
    pub fields: &'r csv::StringRecord,
    /// The header's names (empty for a headerless table).
    pub header: &'r [String],
}

impl Row<'_> {
    pub fn get(&self, i: usize) -> &str {
        self.fields.get(i).unwrap_or("")
    }
}

/// Opens an input through the guarded path, hashing what is read. A compressed file (the
/// public traces ship gzipped) is refused with what to do.
fn open_hashed(path: &Path, label: &str) -> Result<Hashing<Opened>, Failed> {
    let cannot = |e: String| InputErrors::single(label, format!("cannot read: {e}"));
    let mut file = input::open(path, InputKind::SourceTrace).map_err(cannot)?;
    let mut magic = Vec::with_capacity(2);
    (&mut file)
        .take(2)
        .read_to_end(&mut magic)
        .map_err(|e| cannot(e.to_string()))?;
    if magic == [0x1f, 0x8b] {
        return Err(InputErrors::single(
            label,
            "the file is gzip-compressed; decompress it first (gunzip -k FILE)",
        )
        .into());
    }
    Ok(Hashing {
        inner: io::Cursor::new(magic).chain(file),
        hash: crate::rng::Fnv1a::default(),
        bytes: 0,
    })
}

/// One file's rows as they are read: the summary and the errors so far.
struct Tally<'a> {
    summary: FileSummary,
    errors: CsvErrors<'a>,
    skip_bad_rows: bool,
}

impl<'a> Tally<'a> {
    fn new(path: &Path, label: &'a str, skip_bad_rows: bool) -> Self {
        Tally {
            summary: FileSummary {
                name: file_name(path),
                table: "",
                bytes: 0,
                fnv1a64: 0,
                rows: 0,
                bad_rows_skipped: 0,
            },
            errors: CsvErrors::new(label),
            skip_bad_rows,
        }
    }

    /// Records what a row's reader said; `Ok(false)` when the file should not be read on.
    fn record(
        &mut self,
        line: u64,
        outcome: Result<&'static str, Problem>,
    ) -> Result<bool, Failed> {
        if !matches!(outcome, Err(Problem::Header)) {
            self.summary.rows += 1;
        }
        match outcome {
            Err(Problem::Header) => {}
            Err(Problem::BadHeader(message)) => {
                self.errors.push(1, "", message);
                return Ok(false);
            }
            Ok(table) => self.summary.table = table,
            Err(Problem::Row(column, message)) => {
                if self.skip_bad_rows {
                    self.summary.bad_rows_skipped += 1;
                } else {
                    self.errors.push(line, &column, message);
                }
            }
            Err(Problem::File(message)) => {
                self.errors.push(line, "", message);
                return Ok(false);
            }
            Err(Problem::Output(e)) => return Err(Failed::Output(e)),
        }
        Ok(true)
    }

    fn finish<R>(mut self, reader: &Hashing<R>) -> Result<FileSummary, Failed> {
        if self.summary.rows == 0 && self.errors.is_empty() {
            self.errors.push(0, "", "no rows");
        }
        if !self.errors.is_empty() {
            return Err(InputErrors(self.errors.finish()).into());
        }
        self.summary.bytes = reader.bytes;
        self.summary.fnv1a64 = reader.hash.0;
        Ok(self.summary)
    }
}

/// Opens `path` and calls `row` on every row, which returns the name of the table the row
/// showed the file to be (for the summary). Bad rows are collected (all of them, capped per
/// file) or, with `--skip-bad-rows`, counted.
pub fn for_each_row<W: io::Write>(
    path: &Path,
    layout: Layout,
    cx: &mut Context<W>,
    mut row: impl FnMut(&Row, &mut Context<W>) -> Result<&'static str, Problem>,
) -> Result<FileSummary, Failed> {
    let label = path.display().to_string();
    let mut reader = open_hashed(path, &label)?;
    let mut tally = Tally::new(path, &label, cx.options.skip_bad_rows);
    let unreadable = |e: Unreadable| InputErrors::single(&label, format!("cannot read: {}", e.0));
    let mut rows = match layout {
        Layout::Headerless => CsvRows::headerless(&mut reader),
        Layout::Header => match CsvRows::new(&mut reader, &mut tally.errors).map_err(unreadable)? {
            Some(r) => r,
            None => return Err(InputErrors(tally.errors.finish()).into()),
        },
    };
    let header = rows.header().to_vec();
    let mut record = csv::StringRecord::new();
    while let Some(line) = rows
        .next_row(&mut record, &mut tally.errors)
        .map_err(unreadable)?
    {
        let r = Row {
            fields: &record,
            header: &header,
        };
        if !tally.record(line, row(&r, cx))? {
            break;
        }
    }
    drop(rows);
    tally.finish(&reader)
}

/// Like [`for_each_row`] for a file of JSON objects, one per line (BigQuery's JSON export).
pub fn for_each_json_line<W: io::Write>(
    path: &Path,
    cx: &mut Context<W>,
    mut row: impl FnMut(&serde_json::Value, &mut Context<W>) -> Result<&'static str, Problem>,
) -> Result<FileSummary, Failed> {
    let label = path.display().to_string();
    let mut reader = io::BufReader::new(open_hashed(path, &label)?);
    let mut tally = Tally::new(path, &label, cx.options.skip_bad_rows);
    let mut text = String::new();
    let mut line = 0u64;
    loop {
        text.clear();
        let max = input::MAX_LINE_BYTES;
        let n = (&mut reader)
            .take(max as u64 + 1)
            .read_line(&mut text)
            .map_err(|e| InputErrors::single(&label, format!("cannot read: {e}")))?;
        if n == 0 {
            break;
        }
        line += 1;
        if n > max {
            return Err(InputErrors::single(
                &label,
                format!("cannot read: line {line} is longer than {} MiB", max >> 20),
            )
            .into());
        }
        if text.trim().is_empty() {
            continue;
        }
        let outcome = match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(value) => row(&value, cx),
            Err(e) => Err(bad("", format!("not a JSON object: {e}"))),
        };
        if !tally.record(line, outcome)? {
            break;
        }
    }
    tally.finish(reader.get_ref())
}

/// Whether a file starts with `{` (JSON lines) rather than a CSV header.
pub fn starts_with_brace(path: &Path) -> bool {
    let Ok(file) = input::open(path, InputKind::SourceTrace) else {
        return false;
    };
    let mut first = [0u8; 256];
    let mut reader = io::BufReader::new(file);
    let n = reader.read(&mut first).unwrap_or(0);
    first[..n]
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|&b| b == b'{')
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// A whole number (the 2011 tables write some as `1.0`, PAI as `1.0` too): digits, or a
/// decimal whose fraction is zero.
pub fn whole(text: &str, column: &str) -> Result<u64, Problem> {
    if let Ok(v) = text.parse::<u64>() {
        return Ok(v);
    }
    match text.parse::<f64>() {
        Ok(x) if x >= 0.0 && x.fract() == 0.0 && x < 9.0e15 => Ok(x as u64),
        Ok(x) if x >= 0.0 && x.fract() == 0.0 => Err(bad(
            column,
            format!("'{text}' is too large (at most 9×10^15)"),
        )),
        _ => Err(bad(column, format!("'{text}' is not a whole number ≥ 0"))),
    }
}

/// A number ≥ 0 (scientific notation allowed, as the 2011 tables use it: `2.098e-05`).
pub fn number(text: &str, column: &str) -> Result<f64, Problem> {
    match text.parse::<f64>() {
        Ok(x) if x.is_finite() && x >= 0.0 => Ok(x),
        _ => Err(bad(column, format!("'{text}' is not a number ≥ 0"))),
    }
}

/// Seconds (a number, decimals allowed) to milliseconds, at most 100 years.
pub fn seconds(text: &str, column: &str) -> Result<u64, Problem> {
    let s = number(text, column)?;
    let ms = (s * 1000.0).round();
    if ms > crate::time::MAX_DURATION_MS as f64 {
        return Err(bad(column, format!("'{text}' seconds is over 100 years")));
    }
    Ok(ms as u64)
}

/// Google's event time: µs to ms, or `None` for 2^63 − 1, which marks an event after the end
/// of the trace.
pub fn event_time(text: &str, column: &str) -> Result<Option<u64>, Problem> {
    if text == "9223372036854775807" {
        return Ok(None);
    }
    micros(text, column).map(Some)
}

/// `x` rounded to the nearest whole number, where a positive `x` never rounds to 0.
pub fn at_least_one(x: f64) -> u64 {
    let r = x.round();
    if r < 1.0 && x > 0.0 { 1 } else { r as u64 }
}

/// Microseconds (Google's unit) to milliseconds, rounded to the nearest.
pub fn micros(text: &str, column: &str) -> Result<u64, Problem> {
    let us = whole(text, column)?;
    let ms = us.saturating_add(500) / 1000;
    if ms > crate::time::MAX_DURATION_MS {
        return Err(bad(column, format!("'{text}' µs is over 100 years")));
    }
    Ok(ms)
}

/// The row's width does not match any table of the format.
pub fn unknown_table(format: &str, width: usize, expected: &str) -> Problem {
    let article = if format.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    Problem::File(format!(
        "a row of {} is not {article} {format} table; expected {expected}",
        crate::output::count_of(width as u64, "column")
    ))
}

/// An Alibaba task's run (2018 batch_task and 2020 PAI share the statuses): `None` for a task
/// that never started; Terminated and Failed tasks end at `end`, Running ones have no end.
pub fn alibaba_run(
    status: &str,
    start: &str,
    end: &str,
) -> Result<Option<(u64, Option<u64>)>, Problem> {
    let ended = match status {
        "Terminated" | "Failed" => true,
        "Running" => false,
        _ => return Ok(None),
    };
    let from = seconds(start, "start_time")?;
    if !ended {
        return Ok(Some((from, None)));
    }
    let to = seconds(end, "end_time")?;
    if to < from {
        return Err(bad(
            "end_time",
            format!("{end} is before start_time {start}"),
        ));
    }
    Ok(Some((from, Some(to))))
}

/// Writes `instances` copies of `pod`, named `<ids>-<i>` (Alibaba's tasks stand for their
/// instances).
pub fn push_instances<W: io::Write>(
    cx: &mut Context<W>,
    pod: &super::Pod,
    ids: &[&str],
    instances: u64,
) -> Result<(), Problem> {
    if instances == 0 {
        cx.sink
            .leave_out("tasks with no instances (instance count 0)");
        return Ok(());
    }
    let mut one = pod.clone();
    for i in 0..instances {
        let index = i.to_string();
        let mut parts = ids.to_vec();
        parts.push(&index);
        one.name = super::pod_name(&parts);
        cx.sink.push(&one)?;
    }
    Ok(())
}
