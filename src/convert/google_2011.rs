//! Google ClusterData2011 (`schema.csv` of google/cluster-data), headerless CSV.
//!
//! - `task_events` (13 columns): time (µs), missing info, job ID, task index, machine ID, event
//!   type (0 SUBMIT, 1 SCHEDULE, 2 EVICT, 3 FAIL, 4 FINISH, 5 KILL, 6 LOST, 7 UPDATE_PENDING,
//!   8 UPDATE_RUNNING), user, scheduling class, priority (0–11), CPU request, memory request
//!   (both normalized to the largest machine), disk request, different-machines restriction.
//!   Each task becomes a pod ([`super::task_life`]); cpu and memory are scaled by
//!   `--machine-cpu` and `--machine-memory`; the priority is kept.
//! - `machine_events` (6 columns): time, machine ID, event type (0 ADD, 1 REMOVE, 2 UPDATE),
//!   platform ID, CPUs, memory (normalized): each machine's first ADD with a capacity is a node.
//! - `job_events` (8 columns): read and not needed (a pod's fields are all in task_events).
//!
//! Times: the trace's own µs, to ms. Time 0 holds the tasks already running when the trace
//! began; an event at 2^63 − 1 happened after its end.

use std::io::Write;
use std::path::Path;

use super::source::{self, Context, Failed, FileSummary, Layout, Problem, Row, bad};
use super::task_life::{Change, Event, Tasks};

pub fn read<W: Write>(
    state: &mut Tasks,
    path: &Path,
    cx: &mut Context<W>,
) -> Result<FileSummary, Failed> {
    source::for_each_row(path, Layout::Headerless, cx, |row, cx| {
        // A header row someone added is passed over (the published tables have none).
        match row.fields.len() {
            _ if row.get(0) == "time" => Err(Problem::Header),
            13 => task_event(state, row, cx).map(|()| "task_events"),
            6 => machine_event(row, cx).map(|()| "machine_events"),
            8 => Ok("job_events (not needed)"),
            n => Err(source::unknown_table(
                "google-2011",
                n,
                "task_events (13 columns), machine_events (6) or job_events (8)",
            )),
        }
    })
}

/// The event time in ms; `None` for 2^63 − 1 (after the end of the trace).
fn time(row: &Row) -> Result<Option<u64>, Problem> {
    source::event_time(row.get(0), "time")
}

fn optional_number(row: &Row, i: usize, column: &str) -> Result<Option<f64>, Problem> {
    match row.get(i) {
        "" => Ok(None),
        t => source::number(t, column).map(Some),
    }
}

fn task_event<W: Write>(state: &mut Tasks, row: &Row, cx: &mut Context<W>) -> Result<(), Problem> {
    let time = time(row)?;
    let job = source::whole(row.get(2), "job ID")?;
    let index = source::whole(row.get(3), "task index")?;
    let event = match row.get(5) {
        "0" => Event::Submit,
        "1" => Event::Schedule,
        "2" => Event::Evict,
        "3" => Event::Fail,
        "4" => Event::Finish,
        "5" => Event::Kill,
        "6" => Event::Lost,
        "7" | "8" => Event::Update,
        other => {
            return Err(bad(
                "event type",
                format!("'{other}' is not a task event type; expected 0 to 8"),
            ));
        }
    };
    let priority = match row.get(8) {
        "" => None,
        p => Some(source::whole(p, "priority")?.min(i32::MAX as u64) as i32),
    };
    let change = Change {
        time,
        cpu: optional_number(row, 9, "CPU request")?,
        memory: optional_number(row, 10, "memory request")?,
        priority,
    };
    state.apply((job, index), event, change, cx.options, cx.sink)
}

fn machine_event<W: Write>(row: &Row, cx: &mut Context<W>) -> Result<(), Problem> {
    time(row)?;
    let id = row.get(1);
    if id.is_empty() {
        return Err(bad("machine ID", "empty"));
    }
    match row.get(2) {
        "0" => {}
        "1" | "2" => return Ok(()),
        other => {
            return Err(bad(
                "event type",
                format!("'{other}' is not a machine event type; expected 0, 1 or 2"),
            ));
        }
    }
    let (Some(cpu), Some(memory)) = (
        optional_number(row, 4, "CPUs")?,
        optional_number(row, 5, "memory")?,
    ) else {
        if !cx.machines.contains(id) {
            cx.sink
                .leave_out("machine rows without a capacity (no node made)");
        }
        return Ok(());
    };
    cx.machines.add(id, cx.options.scaled_machine(cpu, memory));
    Ok(())
}
