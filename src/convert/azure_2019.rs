//! Azure Public Dataset V2 `vmtable` (11 columns, no header): vmid, subscriptionid,
//! deploymentid, vmcreated, vmdeleted (seconds), maxcpu, avgcpu, p95maxcpu, vmcategory,
//! vmcorecountbucket, vmmemorybucket (GB, read as GiB).
//!
//! Each VM becomes a pod of its size, submitted and started at vmcreated and ending at
//! vmdeleted, named `vm-` and a hash of its vmid, in the namespace of its category
//! (`delay-insensitive`, `interactive`, `unknown`). The open-ended buckets are read as the next
//! common size and counted: `>24` cores as 32, `>64` GB as 128.

use std::io::Write;
use std::path::Path;

use super::sink::Pod;
use super::source::{self, Context, Failed, FileSummary, Layout, Problem, Row, bad};

pub fn read<W: Write>(path: &Path, cx: &mut Context<W>) -> Result<FileSummary, Failed> {
    source::for_each_row(path, Layout::Headerless, cx, |row, cx| {
        match row.fields.len() {
            11 if row.get(0) == "vmid" => Err(Problem::Header),
            11 => vm(row, cx).map(|()| "vmtable"),
            n => Err(source::unknown_table(
                "azure-2019",
                n,
                "vmtable (11 columns)",
            )),
        }
    })
}

/// A bucket's value, and whether it was an open-ended one.
fn bucket(text: &str, column: &str, open: (&str, u64)) -> Result<(u64, bool), Problem> {
    if text == open.0 {
        return Ok((open.1, true));
    }
    match source::whole(text, column) {
        Ok(v) if v > 0 => Ok((v, false)),
        _ => Err(bad(
            column,
            format!(
                "'{text}' is not a bucket; expected a whole number or '{}'",
                open.0
            ),
        )),
    }
}

fn vm<W: Write>(row: &Row, cx: &mut Context<W>) -> Result<(), Problem> {
    let id = row.get(0);
    if id.is_empty() {
        return Err(bad("vmid", "empty"));
    }
    let created = source::seconds(row.get(3), "vmcreated")?;
    let deleted = source::seconds(row.get(4), "vmdeleted")?;
    if deleted < created {
        return Err(bad("vmdeleted", "before vmcreated"));
    }
    let (cores, open_cores) = bucket(row.get(9), "vmcorecountbucket", (">24", 32))?;
    let (gib, open_memory) = bucket(row.get(10), "vmmemorybucket", (">64", 128))?;
    let namespace: String = row
        .get(8)
        .chars()
        .map(|c| c.to_ascii_lowercase())
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .take(63)
        .collect();
    let namespace = namespace.trim_matches('-').to_string();
    let hash = crate::rng::fnv1a64(id.as_bytes());
    let pod = Pod {
        name: format!("vm-{hash:016x}"),
        namespace: (!namespace.is_empty()).then_some(namespace),
        submit: created,
        start: Some(created),
        end: Some(deleted),
        cpu_m: cores.saturating_mul(1000),
        memory: gib.saturating_mul(1 << 30),
        gpu_milli: 0,
        priority: None,
        changed: if open_cores || open_memory {
            vec!["open-ended size bucket read as its next size (>24 cores as 32, >64 GB as 128)"]
        } else {
            vec![]
        },
    };
    cx.sink.push(&pod)
}
