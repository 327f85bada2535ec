//! Google Borg 2019 (`clusterdata_trace_format_v3.proto`), exported from BigQuery as CSV with a
//! header row or as JSON lines.
//!
//! - `instance_events`: `time` (µs), `type` (0 SUBMIT, 1 QUEUE, 2 ENABLE, 3 SCHEDULE, 4 EVICT,
//!   5 FAIL, 6 FINISH, 7 KILL, 8 LOST, 9 UPDATE_PENDING, 10 UPDATE_RUNNING; the number or the
//!   name), `collection_id`, `instance_index`, `priority`, and the request's `cpus` and `memory`
//!   (normalized; as `resource_request.cpus` or `resource_request_cpus` in a flattened CSV, or
//!   nested in JSON). Each instance becomes a pod ([`super::task_life`]).
//! - `machine_events`: `machine_id`, `type` (1 ADD, 2 REMOVE, 3 UPDATE) and `capacity`'s `cpus`
//!   and `memory`: each machine's first ADD with a capacity is a node.
//!
//! Other columns are accepted and not read. JSON numbers may be strings, as BigQuery writes
//! 64-bit integers.

use std::io::Write;
use std::path::Path;

use serde_json::Value;

use super::source::{self, Context, Failed, FileSummary, Layout, Problem, bad};
use super::task_life::{Change, Event, Tasks};

/// A row's fields by name, from a CSV header or a JSON object.
trait Fields {
    fn text(&self, names: &[&str]) -> Option<String>;
}

struct CsvFields<'r>(&'r source::Row<'r>);

impl Fields for CsvFields<'_> {
    fn text(&self, names: &[&str]) -> Option<String> {
        names.iter().find_map(|n| {
            let i = self.0.header.iter().position(|h| h == n)?;
            let t = self.0.get(i);
            (!t.is_empty()).then(|| t.to_string())
        })
    }
}

impl Fields for Value {
    fn text(&self, names: &[&str]) -> Option<String> {
        names.iter().find_map(|n| {
            let mut v = self.get(*n);
            if v.is_none() && n.contains('.') {
                v = n.split('.').try_fold(self, |v, part| v.get(part));
            }
            match v? {
                Value::String(s) if !s.is_empty() => Some(s.clone()),
                Value::Number(x) => Some(x.to_string()),
                _ => None,
            }
        })
    }
}

const CPUS: [&str; 3] = ["resource_request.cpus", "resource_request_cpus", "cpus"];
const MEMORY: [&str; 3] = [
    "resource_request.memory",
    "resource_request_memory",
    "memory",
];
const CAPACITY_CPUS: [&str; 2] = ["capacity.cpus", "capacity_cpus"];
const CAPACITY_MEMORY: [&str; 2] = ["capacity.memory", "capacity_memory"];

pub fn read<W: Write>(
    state: &mut Tasks,
    path: &Path,
    cx: &mut Context<W>,
) -> Result<FileSummary, Failed> {
    if source::starts_with_brace(path) {
        source::for_each_json_line(path, cx, |value, cx| {
            if !value.is_object() {
                return Err(bad("", "not a JSON object"));
            }
            event(state, value, cx)
        })
    } else {
        source::for_each_row(path, Layout::Header, cx, |row, cx| {
            event(state, &CsvFields(row), cx)
        })
    }
}

fn event<W: Write>(
    state: &mut Tasks,
    f: &dyn Fields,
    cx: &mut Context<W>,
) -> Result<&'static str, Problem> {
    if f.text(&["instance_index"]).is_some() || f.text(&["collection_id"]).is_some() {
        instance_event(state, f, cx).map(|()| "instance_events")
    } else if f.text(&["machine_id"]).is_some() {
        machine_event(f, cx).map(|()| "machine_events")
    } else {
        Err(Problem::File(
            "neither an instance event (collection_id, instance_index) nor a machine event (machine_id, capacity)".into(),
        ))
    }
}

fn required(f: &dyn Fields, name: &str) -> Result<String, Problem> {
    f.text(&[name])
        .ok_or_else(|| bad(name, format!("missing {name}")))
}

fn instance_event<W: Write>(
    state: &mut Tasks,
    f: &dyn Fields,
    cx: &mut Context<W>,
) -> Result<(), Problem> {
    let time = source::event_time(&required(f, "time")?, "time")?;
    let collection = source::whole(&required(f, "collection_id")?, "collection_id")?;
    let index = source::whole(&required(f, "instance_index")?, "instance_index")?;
    let kind = required(f, "type")?;
    let event = match kind.as_str() {
        "0" | "SUBMIT" => Event::Submit,
        "1" | "QUEUE" | "2" | "ENABLE" => Event::Ignore,
        "3" | "SCHEDULE" => Event::Schedule,
        "4" | "EVICT" => Event::Evict,
        "5" | "FAIL" => Event::Fail,
        "6" | "FINISH" => Event::Finish,
        "7" | "KILL" => Event::Kill,
        "8" | "LOST" => Event::Lost,
        "9" | "UPDATE_PENDING" | "10" | "UPDATE_RUNNING" => Event::Update,
        other => {
            return Err(bad(
                "type",
                format!(
                    "'{other}' is not an instance event type; expected 0 to 10 or a name such as SUBMIT"
                ),
            ));
        }
    };
    let number = |names: &[&str], column: &str| -> Result<Option<f64>, Problem> {
        f.text(names)
            .map(|t| source::number(&t, column))
            .transpose()
    };
    let priority = match f.text(&["priority"]) {
        None => None,
        Some(p) => Some(source::whole(&p, "priority")?.min(i32::MAX as u64) as i32),
    };
    let change = Change {
        time,
        cpu: number(&CPUS, "cpus")?,
        memory: number(&MEMORY, "memory")?,
        priority,
    };
    state.apply((collection, index), event, change, cx.options, cx.sink)
}

fn machine_event<W: Write>(f: &dyn Fields, cx: &mut Context<W>) -> Result<(), Problem> {
    let id = required(f, "machine_id")?;
    match f.text(&["type"]).as_deref() {
        Some("1" | "ADD") => {}
        Some("2" | "REMOVE" | "3" | "UPDATE") => return Ok(()),
        other => {
            return Err(bad(
                "type",
                format!(
                    "'{}' is not a machine event type; expected 1 (ADD), 2 (REMOVE) or 3 (UPDATE)",
                    other.unwrap_or("")
                ),
            ));
        }
    }
    let cpu = f.text(&CAPACITY_CPUS);
    let memory = f.text(&CAPACITY_MEMORY);
    let (Some(cpu), Some(memory)) = (cpu, memory) else {
        if !cx.machines.contains(&id) {
            cx.sink
                .leave_out("machine rows without a capacity (no node made)");
        }
        return Ok(());
    };
    let cpu = source::number(&cpu, "capacity.cpus")?;
    let memory = source::number(&memory, "capacity.memory")?;
    cx.machines.add(&id, cx.options.scaled_machine(cpu, memory));
    Ok(())
}
