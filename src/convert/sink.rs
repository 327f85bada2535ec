//! Writing the native trace: the window, the sample, and the counts of every pod left out and
//! why.

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::source::Problem;
use super::{Columns, Options};
use crate::quantity::{format_cpu, format_gpu};

/// One pod as a source table gives it. Times in ms from the trace's own origin.
#[derive(Clone, Debug, PartialEq)]
pub struct Pod {
    pub name: String,
    pub namespace: Option<String>,
    pub submit: u64,
    /// When it started running, if it ever did.
    pub start: Option<u64>,
    /// When it stopped, if that is in the input.
    pub end: Option<u64>,
    pub cpu_m: u64,
    pub memory: u64,
    /// Milli-GPU in all (2000 = two whole devices, 460 = a share of one).
    pub gpu_milli: u64,
    pub priority: Option<i32>,
    /// What the converter had to change to write it, each counted when it is written.
    pub changed: Vec<&'static str>,
}

/// What was written and what was left out.
#[derive(Clone, Debug, Default)]
pub struct Totals {
    pub written: u64,
    /// Pods (or rows) left out, by reason.
    pub left_out: BTreeMap<&'static str, u64>,
    /// Pods written with something changed, by what.
    pub changed: BTreeMap<&'static str, u64>,
    /// The latest end (or submit) of a written pod, ms after the output's origin.
    pub horizon: u64,
}

/// Writes pods as native trace rows, applying the window and the sample.
pub struct Sink<W: Write> {
    out: W,
    columns: Columns,
    window: Option<(u64, u64)>,
    sample: Option<f64>,
    seed: u64,
    totals: Totals,
}

impl<W: Write> Sink<W> {
    /// Writes the header comment (how the file was made) and the column header.
    pub fn new(mut out: W, options: &Options, command: &str) -> io::Result<Self> {
        let columns = options.format.columns();
        writeln!(out, "# {command}")?;
        writeln!(
            out,
            "# converted by clustersim {} from {} (see docs/traces.md for the column mapping)",
            env!("CARGO_PKG_VERSION"),
            options.format.name()
        )?;
        let (cpu_scaled, memory_scaled) = options.format.needs_scale();
        if let Some(cpu) = options.machine_cpu_m.filter(|_| cpu_scaled) {
            writeln!(
                out,
                "# normalized cpu 1.0 = {} cores (--machine-cpu)",
                format_cpu(cpu)
            )?;
        }
        if let Some(memory) = options.machine_memory.filter(|_| memory_scaled) {
            writeln!(
                out,
                "# normalized memory 1.0 = {} (--machine-memory)",
                super::machines::memory_text(memory)
            )?;
        }
        if let Some((start, end)) = options.window {
            writeln!(
                out,
                "# window: pods submitted from {} s to {} s of the trace, and those still running at {} s (submitted at 0 with the time they had left); times shifted by -{} s",
                seconds_text(start),
                seconds_text(end),
                seconds_text(start),
                seconds_text(start)
            )?;
        }
        if let Some(f) = options.sample {
            writeln!(
                out,
                "# sample: each pod kept with probability {f}, decided by its name and seed {}",
                options.seed
            )?;
        }
        let mut header = String::from("submit_time,cpu,memory,duration,name");
        if columns.namespace {
            header.push_str(",namespace");
        }
        if columns.gpu {
            header.push_str(",gpu,gpu_milli");
        }
        if columns.priority {
            header.push_str(",priority");
        }
        writeln!(out, "{header}")?;
        Ok(Sink {
            out,
            columns,
            window: options.window,
            sample: options.sample,
            seed: options.seed,
            totals: Totals::default(),
        })
    }

    pub fn totals(&self) -> &Totals {
        &self.totals
    }

    /// Counts a pod or row left out for `reason`.
    pub fn leave_out(&mut self, reason: &'static str) {
        *self.totals.left_out.entry(reason).or_default() += 1;
    }

    /// Counts a pod written with `what` changed.
    pub fn change(&mut self, what: &'static str) {
        *self.totals.changed.entry(what).or_default() += 1;
    }

    /// Writes `pod` if the window and the sample keep it. A request over the simulator's
    /// limits (2^52 units a resource) is a bad row.
    pub fn push(&mut self, pod: &Pod) -> Result<(), Problem> {
        let max = crate::quantity::MAX_RESOURCE;
        if pod.cpu_m > max || pod.memory > max || pod.gpu_milli > max {
            return Err(super::source::bad(
                "",
                format!("the request is absurdly large (the limit is {max} units a resource)"),
            ));
        }
        let Some(start) = pod.start else {
            self.leave_out("never ran in the trace");
            return Ok(());
        };
        let mut submit = pod.submit;
        let mut run_from = start;
        let mut moved = None;
        if let Some((from, to)) = self.window {
            if pod.submit >= to {
                self.leave_out("submitted after the window");
                return Ok(());
            }
            if pod.submit < from {
                if pod.end.is_some_and(|e| e <= from) {
                    self.leave_out("ended before the window");
                    return Ok(());
                }
                submit = from;
                if start > from {
                    moved = Some("waiting when the window opens: submitted at 0");
                } else {
                    run_from = from;
                    moved = Some(
                        "running when the window opens: submitted at 0 with the time it had left",
                    );
                }
            }
            submit -= from;
        }
        if let Some(f) = self.sample
            && crate::rng::keyed_unit(self.seed, &pod.name) >= f
        {
            self.leave_out("not in the sample");
            return Ok(());
        }
        let duration = pod.end.map(|e| e.saturating_sub(run_from.max(start)));
        let shift = self.window.map_or(0, |w| w.0);
        self.totals.horizon = self.totals.horizon.max(match pod.end {
            Some(e) => e.saturating_sub(shift).max(submit),
            None => submit,
        });
        let mut line = format!(
            "{},{},{},{},{}",
            seconds_text(submit),
            format_cpu(pod.cpu_m),
            super::machines::memory_text(pod.memory),
            duration.map(seconds_text).unwrap_or_default(),
            pod.name
        );
        if self.columns.namespace {
            line.push(',');
            line.push_str(pod.namespace.as_deref().unwrap_or(""));
        }
        if self.columns.gpu {
            let (whole, share) = match pod.gpu_milli {
                0 => (String::new(), String::new()),
                m if m < 1000 => (String::new(), m.to_string()),
                m if m.is_multiple_of(1000) => (format_gpu(m), String::new()),
                m => {
                    self.change("GPU request rounded up to whole devices (the trace format holds a share of one device or whole devices)");
                    (m.div_ceil(1000).to_string(), String::new())
                }
            };
            line.push_str(&format!(",{whole},{share}"));
        }
        if self.columns.priority {
            line.push(',');
            if let Some(p) = pod.priority {
                line.push_str(&p.to_string());
            }
        }
        writeln!(self.out, "{line}")?;
        self.totals.written += 1;
        if let Some(what) = moved {
            self.change(what);
        }
        for what in &pod.changed {
            self.change(what);
        }
        Ok(())
    }

    /// Writes the closing comment (inputs and totals) and hands back the writer.
    pub fn finish(mut self, files: &[super::FileSummary]) -> io::Result<W> {
        for f in files {
            writeln!(
                self.out,
                "# input {}: {} ({} rows, {} bytes, fnv1a64 {:016x}{})",
                f.name,
                f.table,
                f.rows,
                f.bytes,
                f.fnv1a64,
                if f.bad_rows_skipped > 0 {
                    format!(", {} bad rows skipped", f.bad_rows_skipped)
                } else {
                    String::new()
                }
            )?;
        }
        writeln!(self.out, "# pods written: {}", self.totals.written)?;
        for (reason, n) in &self.totals.left_out {
            writeln!(self.out, "# left out: {n} {reason}")?;
        }
        for (what, n) in &self.totals.changed {
            writeln!(self.out, "# changed: {n} {what}")?;
        }
        Ok(self.out)
    }
}

/// Milliseconds as seconds: `1500` → `1.5`, `2000` → `2`.
pub fn seconds_text(ms: u64) -> String {
    crate::quantity::format_milli(ms)
}
