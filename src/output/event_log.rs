//! `events.csv` (every pod and node transition) and `timeseries.csv` (every sample), streamed
//! to disk as the run goes.

use std::io;
use std::path::Path;

use crate::metrics::timeseries::SampleSink;
use crate::output::atomic::AtomicFile;
use crate::sim::{EventRecord, EventSink};

/// Column names of `events.csv`.
pub const EVENT_COLUMNS: [&str; 6] = ["time_s", "object", "name", "event", "node", "message"];

/// Writes event records as CSV into a file that appears only when [`CsvEventLog::commit`] runs.
pub struct CsvEventLog {
    writer: csv::Writer<AtomicFile>,
    error: Option<csv::Error>,
}

impl CsvEventLog {
    pub fn create(path: &Path) -> io::Result<Self> {
        let mut writer = csv::Writer::from_writer(AtomicFile::create(path)?);
        writer
            .write_record(EVENT_COLUMNS)
            .map_err(io::Error::other)?;
        Ok(CsvEventLog {
            writer,
            error: None,
        })
    }

    /// Finishes the file; reports the first write error, if any happened during the run.
    pub fn commit(self) -> io::Result<()> {
        if let Some(e) = self.error {
            return Err(io::Error::other(e));
        }
        let file = self
            .writer
            .into_inner()
            .map_err(|e| io::Error::other(e.to_string()))?;
        file.commit()
    }
}

impl EventSink for CsvEventLog {
    fn record(&mut self, r: &EventRecord<'_>) {
        if self.error.is_some() {
            return;
        }
        let time = format!("{}", r.time_ms as f64 / 1000.0);
        if let Err(e) =
            self.writer
                .write_record([time.as_str(), r.object, r.name, r.event, r.node, r.message])
        {
            self.error = Some(e);
        }
    }
}

/// Writes `timeseries.csv` rows into a file that appears only when [`CsvSampleLog::commit`]
/// runs.
pub struct CsvSampleLog {
    writer: csv::Writer<AtomicFile>,
    error: Option<csv::Error>,
}

impl CsvSampleLog {
    pub fn create(path: &Path) -> io::Result<Self> {
        Ok(CsvSampleLog {
            writer: csv::Writer::from_writer(AtomicFile::create(path)?),
            error: None,
        })
    }

    /// Finishes the file; reports the first write error, if any happened during the run.
    pub fn commit(self) -> io::Result<()> {
        if let Some(e) = self.error {
            return Err(io::Error::other(e));
        }
        let file = self
            .writer
            .into_inner()
            .map_err(|e| io::Error::other(e.to_string()))?;
        file.commit()
    }

    fn write(&mut self, values: &[String]) {
        if self.error.is_none()
            && let Err(e) = self.writer.write_record(values)
        {
            self.error = Some(e);
        }
    }
}

impl SampleSink for CsvSampleLog {
    fn header(&mut self, columns: &[String]) {
        self.write(columns);
    }

    fn row(&mut self, values: &[String]) {
        self.write(values);
    }
}
