//! Alibaba cluster-trace-gpu-v2020 (PAI), CSV with or without its header row; times in
//! seconds.
//!
//! - `pai_task_table` (10 columns): job_name, task_name, inst_num, status, start_time,
//!   end_time, plan_cpu (600 = 6 cores), plan_mem (GB, read as GiB), plan_gpu (50 = half a GPU,
//!   200 = two), gpu_type. Each task is `inst_num` pods `<job>-<task>-<i>`, submitted and
//!   started at start_time; Terminated and Failed tasks run to end_time, Running ones to the end
//!   of the simulation; Waiting ones never ran and are counted. The GPU model a task asks for
//!   is dropped (counted): the native trace has no per-pod model.
//! - `pai_machine_spec` (5 columns): machine, gpu_type (`CPU` for none), cap_cpu (cores),
//!   cap_mem (GB, read as GiB), cap_gpu: each machine is a node.
//!
//! `pai_job_table` and `pai_instance_table` add nothing a pod needs and are refused with a
//! pointer to the task table.

use std::io::Write;
use std::path::Path;

use super::machines::Machine;
use super::sink::Pod;
use super::source::{self, Context, Failed, FileSummary, Layout, Problem, Row, bad};

const MAX_INSTANCES: u64 = 1_000_000;
const GIB: f64 = (1u64 << 30) as f64;

pub fn read<W: Write>(path: &Path, cx: &mut Context<W>) -> Result<FileSummary, Failed> {
    source::for_each_row(path, Layout::Headerless, cx, |row, cx| {
        // The published files come without headers (the names are in `.header` files); a
        // header row someone added is recognised and passed over.
        match (row.fields.len(), row.get(0)) {
            (10, "job_name") | (5, "machine") => Err(Problem::Header),
            (10, _) => task(row, cx).map(|()| "pai_task_table"),
            (5, _) => machine(row, cx).map(|()| "pai_machine_spec"),
            (6, _) | (9, _) => Err(Problem::File(
                "this looks like pai_job_table or pai_instance_table; give pai_task_table (its requests) and pai_machine_spec".into(),
            )),
            (n, _) => Err(source::unknown_table(
                "alibaba-gpu-2020",
                n,
                "pai_task_table (10 columns) or pai_machine_spec (5)",
            )),
        }
    })
}

/// GB (read as GiB) to bytes, to the nearest MiB; above 0 is at least 1 MiB.
fn gib(text: &str, column: &str) -> Result<u64, Problem> {
    let g = source::number(text, column)?;
    Ok(source::at_least_one(g * GIB / (1u64 << 20) as f64) << 20)
}

fn task<W: Write>(row: &Row, cx: &mut Context<W>) -> Result<(), Problem> {
    let (job, task, status) = (row.get(0), row.get(1), row.get(3));
    let Some((start, end)) = source::alibaba_run(status, row.get(4), row.get(5))? else {
        cx.sink
            .leave_out("tasks that never started (status Waiting, ...)");
        return Ok(());
    };
    let instances = source::whole(row.get(2), "inst_num")?;
    if instances > MAX_INSTANCES {
        return Err(bad(
            "inst_num",
            format!("{instances} instances; at most {MAX_INSTANCES} per task"),
        ));
    }
    if row.get(6).is_empty() || row.get(7).is_empty() {
        cx.sink.leave_out("tasks without plan_cpu or plan_mem");
        return Ok(());
    }
    let cpu_m = source::at_least_one(source::number(row.get(6), "plan_cpu")? * 10.0);
    let memory = gib(row.get(7), "plan_mem")?;
    let gpu_milli = match row.get(8) {
        "" => 0,
        g => source::at_least_one(source::number(g, "plan_gpu")? * 10.0),
    };
    let dropped_model = gpu_milli > 0 && !row.get(9).is_empty();
    let pod = Pod {
        name: String::new(),
        namespace: None,
        submit: start,
        start: Some(start),
        end,
        cpu_m,
        memory,
        gpu_milli,
        priority: None,
        changed: if dropped_model {
            vec!["GPU model asked for dropped (the native trace has no per-pod model)"]
        } else {
            vec![]
        },
    };
    source::push_instances(cx, &pod, &[job, task], instances)
}

fn machine<W: Write>(row: &Row, cx: &mut Context<W>) -> Result<(), Problem> {
    let id = row.get(0);
    if id.is_empty() {
        return Err(bad("machine", "empty"));
    }
    let cores = source::whole(row.get(2), "cap_cpu")?;
    let memory = gib(row.get(3), "cap_mem")?;
    let gpus = source::whole(row.get(4), "cap_gpu")?;
    if gpus > crate::quantity::MAX_GPUS_PER_NODE {
        return Err(bad(
            "cap_gpu",
            format!(
                "{gpus} GPUs; a node holds at most {}",
                crate::quantity::MAX_GPUS_PER_NODE
            ),
        ));
    }
    let model = match row.get(1) {
        "" | "CPU" => None,
        m => Some(m.to_string()),
    };
    cx.machines.add(
        id,
        Machine {
            cpu_m: cores.saturating_mul(1000),
            memory,
            gpus,
            gpu_model: if gpus > 0 { model } else { None },
        },
    );
    Ok(())
}
