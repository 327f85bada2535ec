//! Alibaba cluster-trace-v2018 (`schema.txt`), headerless CSV; times in seconds.
//!
//! - `batch_task` (9 columns): task_name, instance_num, job_name, task_type, status, start_time,
//!   end_time, plan_cpu (100 = 1 core), plan_mem (percent of a machine's memory). Each task is
//!   `instance_num` pods `<job>-<task>-<i>` in namespace `batch`, submitted and started at
//!   start_time; Terminated and Failed tasks run to end_time, Running ones to the end of the
//!   simulation; other statuses (Waiting, Ready, ...) never ran and are counted.
//! - `container_meta` (8 columns): container_id, machine_id, time_stamp, app_du, status,
//!   cpu_request (100 = 1 core), cpu_limit, mem_size (percent): each container, at its first
//!   row, is a long-running pod in namespace `online` (the trace gives no end).
//! - `machine_meta` (7 columns): machine_id, time_stamp, failure_domain_1, failure_domain_2,
//!   cpu_num, mem_size (percent), status: each machine, at its first row, is a node.
//!
//! `batch_instance` (14 columns) holds measured usage, not requests, and is refused with a
//! pointer to batch_task.

use std::collections::HashSet;
use std::io::Write;
use std::path::Path;

use super::machines::Machine;
use super::sink::Pod;
use super::source::{self, Context, Failed, FileSummary, Layout, Problem, Row, bad};

/// Most pods one batch_task row may stand for.
const MAX_INSTANCES: u64 = 1_000_000;

#[derive(Default)]
pub struct State {
    containers: HashSet<String>,
}

pub fn read<W: Write>(
    state: &mut State,
    path: &Path,
    cx: &mut Context<W>,
) -> Result<FileSummary, Failed> {
    // The published files have no header; one someone added (the DAG samples have one) is
    // recognised by its first column's name and passed over.
    source::for_each_row(path, Layout::Headerless, cx, |row, cx| {
        match row.fields.len() {
        9 if row.get(0) == "task_name" => Err(Problem::Header),
        8 if row.get(0) == "container_id" => Err(Problem::Header),
        7 if row.get(0) == "machine_id" => Err(Problem::Header),
        9 => batch_task(row, cx).map(|()| "batch_task"),
        8 => container(state, row, cx).map(|()| "container_meta"),
        7 => machine(row, cx).map(|()| "machine_meta"),
        14 => Err(Problem::File(
            "this is batch_instance (14 columns), which holds measured usage, not requests; give batch_task for the batch pods".into(),
        )),
        n => Err(source::unknown_table(
            "alibaba-2018",
            n,
            "batch_task (9 columns), container_meta (8) or machine_meta (7)",
        )),
    }
    })
}

/// Percent of a machine's memory to bytes (to the nearest MiB).
fn percent_memory<W: Write>(text: &str, column: &str, cx: &Context<W>) -> Result<u64, Problem> {
    let p = source::number(text, column)?;
    if p > 100.0 {
        return Err(bad(
            column,
            format!("'{text}' is over 100 percent of a machine"),
        ));
    }
    Ok(cx.options.scaled_memory(p / 100.0))
}

/// `100` = one core; a request above 0 is at least 1m.
fn cores_percent(text: &str, column: &str) -> Result<u64, Problem> {
    Ok(source::at_least_one(source::number(text, column)? * 10.0))
}

fn batch_task<W: Write>(row: &Row, cx: &mut Context<W>) -> Result<(), Problem> {
    let (task, job, status) = (row.get(0), row.get(2), row.get(4));
    if row.get(1).is_empty() {
        cx.sink.leave_out("batch tasks without instance_num");
        return Ok(());
    }
    let instances = source::whole(row.get(1), "instance_num")?;
    if instances > MAX_INSTANCES {
        return Err(bad(
            "instance_num",
            format!("{instances} instances; at most {MAX_INSTANCES} per task"),
        ));
    }
    if row.get(7).is_empty() || row.get(8).is_empty() {
        cx.sink
            .leave_out("batch tasks without plan_cpu or plan_mem");
        return Ok(());
    }
    let Some((start, end)) = source::alibaba_run(status, row.get(5), row.get(6))? else {
        cx.sink
            .leave_out("batch tasks that never started (status Waiting, Ready, ...)");
        return Ok(());
    };
    let cpu_m = cores_percent(row.get(7), "plan_cpu")?;
    let memory = percent_memory(row.get(8), "plan_mem", cx)?;
    let pod = Pod {
        name: String::new(),
        namespace: Some("batch".into()),
        submit: start,
        start: Some(start),
        end,
        cpu_m,
        memory,
        gpu_milli: 0,
        priority: None,
        changed: vec![],
    };
    source::push_instances(cx, &pod, &[job, task], instances)
}

fn container<W: Write>(state: &mut State, row: &Row, cx: &mut Context<W>) -> Result<(), Problem> {
    let id = row.get(0);
    if id.is_empty() {
        return Err(bad("container_id", "empty"));
    }
    if state.containers.contains(id) {
        return Ok(());
    }
    let time = source::seconds(row.get(2), "time_stamp")?;
    let cpu_m = cores_percent(row.get(5), "cpu_request")?;
    let memory = percent_memory(row.get(7), "mem_size", cx)?;
    state.containers.insert(id.to_string());
    let pod = Pod {
        name: super::pod_name(&[id]),
        namespace: Some("online".into()),
        submit: time,
        start: Some(time),
        end: None,
        cpu_m,
        memory,
        gpu_milli: 0,
        priority: None,
        changed: vec![],
    };
    cx.sink.push(&pod)
}

fn machine<W: Write>(row: &Row, cx: &mut Context<W>) -> Result<(), Problem> {
    let id = row.get(0);
    if id.is_empty() {
        return Err(bad("machine_id", "empty"));
    }
    if cx.machines.contains(id) {
        return Ok(());
    }
    let cores = source::whole(row.get(4), "cpu_num")?;
    let memory = percent_memory(row.get(5), "mem_size", cx)?;
    cx.machines.add(
        id,
        Machine {
            cpu_m: cores.saturating_mul(1000),
            memory,
            gpus: 0,
            gpu_model: None,
        },
    );
    Ok(())
}
