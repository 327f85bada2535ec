//! Alibaba cluster-trace-gpu-v2023 (OpenB), CSV with a header row; times in seconds.
//!
//! - `openb_pod_list_*.csv`: name, cpu_milli, memory_mib, num_gpu, gpu_milli (the share of each
//!   of the pod's GPUs), gpu_spec, qos, pod_phase, creation_time, deletion_time,
//!   scheduled_time. A pod is submitted at creation_time, starts at scheduled_time and ends at
//!   deletion_time; one never scheduled (empty scheduled_time) never ran and is counted. Its
//!   namespace is the qos class, lowercased. A share of several GPUs (num_gpu > 1 with
//!   gpu_milli < 1000) is rounded up to whole devices, and gpu_spec is dropped; both counted.
//! - `openb_node_list_gpu_node.csv`: sn, cpu_milli, memory_mib, gpu, model: each row a node.

use std::io::Write;
use std::path::Path;

use super::machines::Machine;
use super::sink::Pod;
use super::source::{self, Context, Failed, FileSummary, Layout, Problem, Row, bad};

use crate::scenario::openb::{NODE_OPTIONAL, NODE_REQUIRED, POD_OPTIONAL, POD_REQUIRED};

/// The columns read, in the order the readers below index them (the saturation experiment's
/// reader needs the same names; here the times are required too).
fn wanted(pods: bool) -> Vec<&'static str> {
    if pods {
        POD_REQUIRED.iter().chain(&POD_OPTIONAL).copied().collect()
    } else {
        NODE_REQUIRED
            .iter()
            .chain(&NODE_OPTIONAL)
            .copied()
            .collect()
    }
}

pub fn read<W: Write>(path: &Path, cx: &mut Context<W>) -> Result<FileSummary, Failed> {
    let mut columns: Option<Vec<usize>> = None;
    source::for_each_row(path, Layout::Header, cx, |row, cx| {
        let is_pods = row.header.iter().any(|h| h == "num_gpu");
        if columns.is_none() {
            let mut found = Vec::new();
            for name in wanted(is_pods) {
                match row.header.iter().position(|h| h == name) {
                    Some(i) => found.push(i),
                    None => {
                        return Err(Problem::BadHeader(format!(
                            "the header has no column '{name}'; an OpenB pod list has {} and a node list {}",
                            wanted(true).join(","),
                            wanted(false).join(",")
                        )));
                    }
                }
            }
            columns = Some(found);
        }
        let cols = columns.as_deref().unwrap_or_default();
        if is_pods {
            pod(row, cols, cx).map(|()| "openb_pod_list")
        } else {
            node(row, cols, cx).map(|()| "openb_node_list")
        }
    })
}

fn pod<W: Write>(row: &Row, c: &[usize], cx: &mut Context<W>) -> Result<(), Problem> {
    let given = row.get(c[0]);
    if given.is_empty() {
        return Err(bad("name", "empty"));
    }
    // A name Kubernetes would refuse is made into one (see `pod_name`).
    let name = if crate::scenario::names::NameRule::DnsLabel.check(given) {
        given.to_string()
    } else {
        super::pod_name(&[given])
    };
    let cpu_m = source::whole(row.get(c[1]), "cpu_milli")?;
    let memory = source::whole(row.get(c[2]), "memory_mib")?.saturating_mul(1 << 20);
    let gpus = source::whole(row.get(c[3]), "num_gpu")?;
    let share = source::whole(row.get(c[4]), "gpu_milli")?;
    if gpus > crate::quantity::MAX_GPUS_PER_NODE {
        return Err(bad(
            "num_gpu",
            format!("{gpus} GPUs is more than a node holds"),
        ));
    }
    let mut changed = vec![];
    if gpus > 0 && !(1..=1000).contains(&share) {
        return Err(bad(
            "gpu_milli",
            format!("{share} is not a share of one GPU; expected 1 to 1000 (1000 = a whole GPU)"),
        ));
    }
    let gpu_milli = match gpus {
        0 => 0,
        1 => share,
        k if share >= 1000 => k * 1000,
        k => {
            changed.push("a share of several GPUs rounded up to whole devices");
            k * 1000
        }
    };
    if gpus > 0 && !row.get(c[5]).is_empty() {
        changed.push("GPU model asked for dropped (the native trace has no per-pod model)");
    }
    let submit = source::seconds(row.get(c[8]), "creation_time")?;
    let start = match row.get(c[10]) {
        "" => None,
        t => Some(source::seconds(t, "scheduled_time")?),
    };
    let end = match row.get(c[9]) {
        "" => None,
        t => Some(source::seconds(t, "deletion_time")?),
    };
    if let (Some(s), Some(e)) = (start, end)
        && e < s
    {
        return Err(bad("deletion_time", "before scheduled_time"));
    }
    if start.is_none() {
        cx.sink
            .leave_out("never scheduled in the trace (empty scheduled_time)");
        return Ok(());
    }
    let namespace: String = row
        .get(c[6])
        .chars()
        .map(|ch| ch.to_ascii_lowercase())
        .filter(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit())
        .take(63)
        .collect();
    let pod = Pod {
        name,
        namespace: (!namespace.is_empty()).then_some(namespace),
        submit,
        start,
        end,
        cpu_m,
        memory,
        gpu_milli,
        priority: None,
        changed,
    };
    cx.sink.push(&pod)
}

fn node<W: Write>(row: &Row, c: &[usize], cx: &mut Context<W>) -> Result<(), Problem> {
    let id = row.get(c[0]);
    if id.is_empty() {
        return Err(bad("sn", "empty"));
    }
    let cpu_m = source::whole(row.get(c[1]), "cpu_milli")?;
    let memory = source::whole(row.get(c[2]), "memory_mib")?.saturating_mul(1 << 20);
    let gpus = source::whole(row.get(c[3]), "gpu")?;
    if gpus > crate::quantity::MAX_GPUS_PER_NODE {
        return Err(bad("gpu", format!("{gpus} GPUs; a node holds at most 64")));
    }
    let model = row.get(c[4]);
    cx.machines.add(
        id,
        Machine {
            cpu_m,
            memory,
            gpus,
            gpu_model: (gpus > 0 && !model.is_empty()).then(|| model.to_string()),
        },
    );
    Ok(())
}
