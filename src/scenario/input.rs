//! The one way input files are read: scenario files and the CSV files they name.
//!
//! - Only regular files are read. The file type is checked with `std::fs::metadata` *before*
//!   the file is opened, so a FIFO (which would block `open` until a writer appears), a device
//!   such as `/dev/zero` or a directory is refused without being opened; the opened handle is
//!   checked again in case the path was swapped in between.
//! - Every kind of input has a size cap ([`InputKind::max_bytes`]). Reads go through
//!   [`Capped`], which fails with a clear message once the cap is passed, so a file that grows
//!   while it is read cannot exhaust memory either. Pod traces are streamed row by row.
//! - CSV files are read through [`CsvRows`], which turns every csv-crate error into a message
//!   at `FILE:LINE` (never "CSV error: record N (line: N, byte: N)").

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use super::error::InputError;

/// What an input file is, for its size cap and for messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputKind {
    Scenario,
    /// A `kind: Trace` workload's pod trace (streamed).
    PodTrace,
    /// A pool's `price_trace`.
    PriceTrace,
    /// A spot pool's `interruption.trace`.
    ReclaimTrace,
    /// A Deployment's `load.requests_per_second.trace`.
    LoadTrace,
    /// An instance-type catalog (`instance_types.path`).
    InstanceTypes,
    /// An OpenB node or pod list (`saturate --data`).
    OpenbTrace,
    /// A public trace table read by `trace convert` (streamed, so it may be large).
    SourceTrace,
    /// A Kubernetes manifest or node list (`workloads: - manifests:`, `clustersim import`).
    Manifest,
}

impl InputKind {
    /// Largest file of this kind that is read (documented in the README under Limits).
    pub const fn max_bytes(self) -> u64 {
        match self {
            InputKind::Scenario => 16 << 20,
            // 50 million rows (the row limit) of about 20 bytes each.
            InputKind::PodTrace => 1 << 30,
            InputKind::PriceTrace | InputKind::ReclaimTrace | InputKind::LoadTrace => 64 << 20,
            InputKind::InstanceTypes => 4 << 20,
            InputKind::OpenbTrace => 64 << 20,
            // The largest published tables (Alibaba 2018 batch_instance, Google 2019 exports)
            // are tens of GiB unpacked.
            InputKind::SourceTrace => 256 << 30,
            // A `kubectl get nodes -o yaml` of 5,000 nodes is about 50 MiB.
            InputKind::Manifest => 64 << 20,
        }
    }

    pub const fn what(self) -> &'static str {
        match self {
            InputKind::Scenario => "scenario files",
            InputKind::PodTrace => "pod traces",
            InputKind::PriceTrace => "price traces",
            InputKind::ReclaimTrace => "reclaim traces",
            InputKind::LoadTrace => "load traces",
            InputKind::InstanceTypes => "instance-type catalogs",
            InputKind::OpenbTrace => "OpenB trace files",
            InputKind::SourceTrace => "public trace tables",
            InputKind::Manifest => "Kubernetes manifests",
        }
    }
}

/// "1 GiB", "64 MiB".
fn size_text(bytes: u64) -> String {
    if bytes >= 1 << 30 && bytes.is_multiple_of(1 << 30) {
        format!("{} GiB", bytes >> 30)
    } else {
        format!("{} MiB", bytes >> 20)
    }
}

/// What a non-regular file is, for the refusal.
fn file_type_text(t: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    }
}

/// Opens `path` for reading if it is a regular file, capped at the kind's size. `Err` holds the
/// reason, worded to follow "cannot read ...: ".
pub fn open(path: &Path, kind: InputKind) -> Result<Capped<File>, String> {
    // Follows symlinks, so a link to a regular file is fine and a link to a FIFO is not.
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err(format!(
            "it is {}; only regular files are read",
            file_type_text(meta.file_type())
        ));
    }
    let file = File::open(path).map_err(|e| e.to_string())?;
    let meta = file.metadata().map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err(format!(
            "it is {}; only regular files are read",
            file_type_text(meta.file_type())
        ));
    }
    let limit = kind.max_bytes();
    if meta.len() > limit {
        return Err(too_large(kind));
    }
    Ok(Capped {
        inner: file.take(limit + 1),
        read: 0,
        kind,
    })
}

fn too_large(kind: InputKind) -> String {
    format!(
        "the file is larger than {}, the limit for {}",
        size_text(kind.max_bytes()),
        kind.what()
    )
}

/// Reads a whole (small) text file through [`open`].
pub fn read_to_string(path: &Path, kind: InputKind) -> Result<String, String> {
    let mut bytes = Vec::new();
    open(path, kind)?
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })
}

/// A reader that fails once more than its kind's cap has been read.
pub struct Capped<R> {
    inner: io::Take<R>,
    read: u64,
    kind: InputKind,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read > self.kind.max_bytes() {
            return Err(io::Error::other(too_large(self.kind)));
        }
        Ok(n)
    }
}

/// Past this many bad rows in one CSV file, only a count is reported.
pub const MAX_REPORTED_ERRORS: usize = 50;

/// Errors found in one CSV file, each at `FILE:LINE` with the column name as its path.
pub struct CsvErrors<'a> {
    label: &'a str,
    list: Vec<InputError>,
    dropped: usize,
    /// The header's line: 1, or later when comment lines come first.
    header_line: u64,
}

impl<'a> CsvErrors<'a> {
    pub fn new(label: &'a str) -> Self {
        CsvErrors {
            label,
            list: vec![],
            dropped: 0,
            header_line: 1,
        }
    }

    /// Records a problem on `line` (1-based; the header is line 1) in `column` ("" for the row).
    pub fn push(&mut self, line: u64, column: &str, message: impl Into<String>) {
        if self.list.len() >= MAX_REPORTED_ERRORS {
            self.dropped += 1;
            return;
        }
        self.list.push(InputError {
            file: self.label.to_string(),
            line,
            column: 0,
            path: column.to_string(),
            message: message.into(),
        });
    }

    /// How many problems were recorded, counted or not.
    pub fn count(&self) -> usize {
        self.list.len() + self.dropped
    }

    pub fn is_empty(&self) -> bool {
        self.count() == 0
    }

    pub fn finish(mut self) -> Vec<InputError> {
        if self.dropped > 0 {
            self.list.push(InputError {
                file: self.label.to_string(),
                line: 0,
                column: 0,
                path: String::new(),
                message: format!("... and {} more errors in this file", self.dropped),
            });
        }
        self.list
    }
}

/// Matches a CSV header against the `required` then `optional` column names: the position of
/// each (in that order), or `None` after recording every unknown (with "did you mean"),
/// repeated or missing column at the header's line.
pub fn match_columns(
    header: &[String],
    required: &[&str],
    optional: &[&str],
    errors: &mut CsvErrors,
) -> Option<Vec<Option<usize>>> {
    let at = errors.header_line;
    let known: Vec<&str> = required.iter().chain(optional).copied().collect();
    let mut found: Vec<Option<usize>> = vec![None; known.len()];
    let mut ok = true;
    for (i, name) in header.iter().enumerate() {
        let name = name.as_str();
        match known.iter().position(|k| *k == name) {
            Some(k) if found[k].is_some() => {
                errors.push(at, "", format!("column '{name}' appears twice"));
                ok = false;
            }
            Some(k) => found[k] = Some(i),
            None => {
                let mut message = format!("unknown column '{name}', expected {}", known.join(", "));
                if let Some(s) = crate::suggest::did_you_mean(name, known.iter().copied()) {
                    message.push_str(&format!("; did you mean '{s}'?"));
                }
                errors.push(at, "", message);
                ok = false;
            }
        }
    }
    for (k, name) in required.iter().enumerate() {
        if found[k].is_none() {
            errors.push(at, "", format!("missing required column '{name}'"));
            ok = false;
        }
    }
    ok.then_some(found)
}

/// A CSV file read row by row: fields trimmed, each row checked against the header's width,
/// every csv-crate error turned into a located message.
pub struct CsvRows<R: Read> {
    reader: csv::Reader<Uncommented<R>>,
    header: Vec<String>,
    /// No header row: the first row fixes the width the others must have.
    headerless: bool,
}

/// Why [`CsvRows`] could not go on: the input itself failed (an I/O error, the size cap).
pub struct Unreadable(pub String);

impl<R: Read> CsvRows<R> {
    /// Reads the header. `None` when it is malformed (recorded in `errors`, at line 1): the
    /// rows cannot be read without it.
    pub fn new(input: R, errors: &mut CsvErrors) -> Result<Option<Self>, Unreadable> {
        Self::build(input, false, errors)
    }

    /// Like [`CsvRows::new`], skipping lines that start with `#` (line numbers still count
    /// them).
    pub fn with_comments(input: R, errors: &mut CsvErrors) -> Result<Option<Self>, Unreadable> {
        Self::build(input, true, errors)
    }

    /// A file without a header row (the public trace tables): every row is data, and each must
    /// have as many fields as the first. Blank lines are skipped; fields are taken as written
    /// (not trimmed: the published tables have no padding, and trimming is a fifth of the
    /// reading time on them).
    pub fn headerless(input: R) -> Self {
        let reader = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(false)
            .from_reader(Uncommented::new(input, false));
        CsvRows {
            reader,
            header: vec![],
            headerless: true,
        }
    }

    fn build(input: R, comments: bool, errors: &mut CsvErrors) -> Result<Option<Self>, Unreadable> {
        // Comment lines are blanked before the csv crate sees them (it skips empty lines): its
        // own comment option reports the line of a row that follows a comment as the
        // comment's. The header is read as a record, for the same reason.
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .flexible(true)
            .has_headers(false)
            .from_reader(Uncommented::new(input, comments));
        let mut first = csv::StringRecord::new();
        let header = match reader.read_record(&mut first) {
            Ok(_) => {
                let line = first.position().map_or(1, |p| p.line());
                errors.header_line = reader.get_ref().original_line(line);
                first.iter().map(str::to_string).collect()
            }
            Err(e) => {
                report(&e, errors, reader.get_ref())?;
                return Ok(None);
            }
        };
        Ok(Some(CsvRows {
            reader,
            header,
            headerless: false,
        }))
    }

    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// The next well-formed row and its line. Malformed rows (bad UTF-8, a different number of
    /// fields than the header) are recorded in `errors` and skipped.
    pub fn next_row(
        &mut self,
        record: &mut csv::StringRecord,
        errors: &mut CsvErrors,
    ) -> Result<Option<u64>, Unreadable> {
        loop {
            match self.reader.read_record(record) {
                Ok(false) => return Ok(None),
                Ok(true) => {}
                Err(e) => {
                    report(&e, errors, self.reader.get_ref())?;
                    continue;
                }
            }
            let line = record
                .position()
                .map_or(0, |p| self.reader.get_ref().original_line(p.line()));
            if self.headerless && self.header.is_empty() {
                self.header = vec![String::new(); record.len()];
            }
            if record.len() != self.header.len() {
                let first = if self.headerless {
                    "the first row"
                } else {
                    "the header"
                };
                errors.push(
                    line,
                    "",
                    format!(
                        "{} fields, but {first} has {}",
                        record.len(),
                        self.header.len()
                    ),
                );
                continue;
            }
            return Ok(Some(line));
        }
    }
}

/// A reader that leaves out empty lines and, when active, lines starting with `#`, and remembers
/// where, so [`Uncommented::original_line`] maps a line of what it passed on back to the file's.
/// (The csv crate skips empty lines itself, but then reports the next row at the empty line's
/// number; its own comment option does the same with comments.)
pub struct Uncommented<R> {
    inner: R,
    active: bool,
    line_start: bool,
    dropping: bool,
    /// Lines passed on so far.
    passed: u64,
    /// Lines left out so far.
    dropped: u64,
    /// (first passed line after a run of left-out lines, lines left out before it).
    shifts: Vec<(u64, u64)>,
    /// Bytes of the current line so far, against [`MAX_LINE_BYTES`].
    line_bytes: usize,
}

/// The longest line a CSV input may have: a row is held whole while it is read, so a file
/// without line breaks must not be read as one row.
pub const MAX_LINE_BYTES: usize = 1 << 20;

impl<R> Uncommented<R> {
    fn new(inner: R, active: bool) -> Self {
        Uncommented {
            inner,
            active,
            line_start: true,
            dropping: false,
            passed: 0,
            dropped: 0,
            shifts: vec![],
            line_bytes: 0,
        }
    }

    /// The file's line number of line `line` (1-based) of what was passed on.
    pub fn original_line(&self, line: u64) -> u64 {
        let i = self.shifts.partition_point(|&(first, _)| first <= line);
        line + if i == 0 { 0 } else { self.shifts[i - 1].1 }
    }

    fn drop_line(&mut self) {
        self.dropped += 1;
        let first = self.passed + 1;
        match self.shifts.last_mut() {
            Some(last) if last.0 == first => last.1 = self.dropped,
            _ => self.shifts.push((first, self.dropped)),
        }
    }
}

impl<R: Read> Read for Uncommented<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let n = self.inner.read(buf)?;
            if n == 0 {
                return Ok(0);
            }
            // Line by line: only line starts need a decision, the rest is copied in runs.
            let mut kept = 0;
            let mut i = 0;
            while i < n {
                if self.line_start {
                    self.line_start = false;
                    if buf[i] == b'\n' {
                        self.line_start = true;
                        self.drop_line();
                        i += 1;
                        continue;
                    }
                    self.dropping = self.active && buf[i] == b'#';
                }
                let (end, newline) = match buf[i..n].iter().position(|&b| b == b'\n') {
                    Some(off) => (i + off + 1, true),
                    None => (n, false),
                };
                self.line_bytes += end - i;
                if self.line_bytes > MAX_LINE_BYTES {
                    return Err(io::Error::other(format!(
                        "line {} is longer than {} MiB (is this a CSV file with line breaks?)",
                        self.passed + self.dropped + 1,
                        MAX_LINE_BYTES >> 20
                    )));
                }
                if newline {
                    self.line_bytes = 0;
                }
                if newline {
                    self.line_start = true;
                }
                if self.dropping {
                    if newline {
                        self.dropping = false;
                        self.drop_line();
                    }
                } else {
                    if newline {
                        self.passed += 1;
                    }
                    buf.copy_within(i..end, kept);
                    kept += end - i;
                }
                i = end;
            }
            // A read that was all left out: read on rather than signal the end.
            if kept > 0 {
                return Ok(kept);
            }
        }
    }
}

/// Records a csv-crate error at its line, or gives up on an I/O error.
fn report<R>(
    e: &csv::Error,
    errors: &mut CsvErrors,
    input: &Uncommented<R>,
) -> Result<(), Unreadable> {
    let line = e.position().map_or(0, |p| input.original_line(p.line()));
    match e.kind() {
        csv::ErrorKind::Io(io) => Err(Unreadable(io.to_string())),
        csv::ErrorKind::Utf8 { err, .. } => {
            errors.push(
                line,
                "",
                format!(
                    "field {} is not UTF-8 text (invalid byte at offset {})",
                    err.field() + 1,
                    err.valid_up_to()
                ),
            );
            Ok(())
        }
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            errors.push(
                line,
                "",
                format!("{len} fields, but the header has {expected_len}"),
            );
            Ok(())
        }
        _ => {
            errors.push(line, "", "unreadable row");
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir =
            std::env::temp_dir().join(format!("clustersim-input-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// A reader that hands out at most `step` bytes per read, so lines straddle reads.
    struct Trickle<'a> {
        bytes: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.step.min(buf.len()).min(self.bytes.len());
            buf[..n].copy_from_slice(&self.bytes[..n]);
            self.bytes = &self.bytes[n..];
            Ok(n)
        }
    }

    #[test]
    fn comment_and_blank_lines_are_left_out_and_lines_mapped_back() {
        // File lines: 1 comment, 2 header, 3 blank, 4 row, 5 comment, 6 comment, 7 row,
        // 8 blank, 9 row without a final newline.
        let text = "# made by\nh\n\na,1\n# x\n#y\nb,2\n\nc,3";
        for step in [1, 2, 3, 7, 4096] {
            let mut u = Uncommented::new(
                Trickle {
                    bytes: text.as_bytes(),
                    step,
                },
                true,
            );
            let mut out = String::new();
            u.read_to_string(&mut out).unwrap();
            assert_eq!(out, "h\na,1\nb,2\nc,3", "step {step}");
            // Passed lines 1..=4 (h, a, b, c) are file lines 2, 4, 7 and 9.
            let mapped: Vec<u64> = (1..=4).map(|l| u.original_line(l)).collect();
            assert_eq!(mapped, [2, 4, 7, 9], "step {step}");
        }
        // A line over the limit is an error naming it, not a row held whole.
        let long = format!("h\n{}\n", "x".repeat(MAX_LINE_BYTES + 1));
        let mut u = Uncommented::new(
            Trickle {
                bytes: long.as_bytes(),
                step: 4096,
            },
            true,
        );
        let e = u.read_to_string(&mut String::new()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "line 2 is longer than 1 MiB (is this a CSV file with line breaks?)"
        );
        // Inactive: comments pass, blank lines still go.
        let mut u = Uncommented::new(
            Trickle {
                bytes: text.as_bytes(),
                step: 2,
            },
            false,
        );
        let mut out = String::new();
        u.read_to_string(&mut out).unwrap();
        assert_eq!(out, "# made by\nh\na,1\n# x\n#y\nb,2\nc,3");
        assert_eq!(u.original_line(3), 4);
    }

    #[test]
    fn special_files_are_refused_unopened() {
        let dir = scratch("special");
        // (path, what the refusal says). A FIFO would block `open` forever if it were opened.
        let fifo = dir.join("fifo");
        let made_fifo = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .is_ok_and(|s| s.success());
        let mut cases = vec![
            (std::path::PathBuf::from("/dev/zero"), "a character device"),
            (dir.clone(), "a directory"),
        ];
        if made_fifo {
            cases.push((fifo, "a named pipe (FIFO)"));
        }
        for (path, what) in cases {
            let err = read_to_string(&path, InputKind::PriceTrace).unwrap_err();
            assert_eq!(
                err,
                format!("it is {what}; only regular files are read"),
                "{}",
                path.display()
            );
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn reads_stop_at_the_cap_even_if_metadata_lies() {
        // A reader over more bytes than the cap (as a file growing while read would be).
        let kind = InputKind::PriceTrace;
        let mut capped = Capped {
            inner: io::repeat(b'x').take(kind.max_bytes() + 1),
            read: 0,
            kind,
        };
        let err = io::copy(&mut capped, &mut io::sink()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the file is larger than 64 MiB, the limit for price traces"
        );
    }

    #[test]
    fn csv_problems_are_located_rows() {
        // (text, expected errors): ragged rows and bad UTF-8 keep their line numbers.
        let cases: &[(&[u8], &[&str])] = &[
            (
                b"a,b\n1,2\n1,2,3\n4\n",
                &[
                    "t.csv:3: 3 fields, but the header has 2",
                    "t.csv:4: 1 fields, but the header has 2",
                ],
            ),
            (
                b"a,b\n1,\xff\n",
                &["t.csv:2: field 2 is not UTF-8 text (invalid byte at offset 0)"],
            ),
            (
                b"a,\xfe\n1,2\n",
                &["t.csv:1: field 2 is not UTF-8 text (invalid byte at offset 0)"],
            ),
        ];
        for (text, expected) in cases {
            let mut errors = CsvErrors::new("t.csv");
            let mut record = csv::StringRecord::new();
            if let Some(mut rows) = CsvRows::new(*text, &mut errors).ok().unwrap() {
                while rows
                    .next_row(&mut record, &mut errors)
                    .ok()
                    .unwrap()
                    .is_some()
                {}
            }
            let got: Vec<String> = errors.finish().iter().map(|e| e.to_string()).collect();
            assert_eq!(got, *expected, "{}", String::from_utf8_lossy(text));
        }
    }
}
