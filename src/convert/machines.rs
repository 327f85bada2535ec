//! Machines of a trace, grouped by shape into pools, and the scenario that runs the converted
//! trace on them.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;

use crate::quantity::{format_cpu, format_memory};

/// A machine's capacity.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Machine {
    pub cpu_m: u64,
    pub memory: u64,
    pub gpus: u64,
    pub gpu_model: Option<String>,
}

/// The machines read so far: each machine counted once, at its first row (machines that join
/// or leave during the trace count as present throughout).
#[derive(Default)]
pub struct Machines {
    seen: HashSet<String>,
    shapes: BTreeMap<Machine, u64>,
}

/// One pool: machines of one shape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pool {
    pub name: String,
    pub shape: Machine,
    pub count: u64,
}

impl Machines {
    /// Records machine `id` with `shape` unless it was seen already.
    pub fn add(&mut self, id: &str, shape: Machine) {
        if self.seen.insert(id.to_string()) {
            *self.shapes.entry(shape).or_default() += 1;
        }
    }

    /// Whether `id` was recorded.
    pub fn contains(&self, id: &str) -> bool {
        self.seen.contains(id)
    }

    pub fn len(&self) -> usize {
        self.seen.len()
    }

    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }

    /// One pool per shape, the most common first (ties by shape), named after the shape.
    pub fn pools(&self) -> Vec<Pool> {
        let mut pools: Vec<Pool> = self
            .shapes
            .iter()
            .map(|(shape, &count)| Pool {
                name: pool_name(shape),
                shape: shape.clone(),
                count,
            })
            .collect();
        pools.sort_by(|a, b| b.count.cmp(&a.count).then(a.shape.cmp(&b.shape)));
        pools
    }
}

/// `cpu96-mem512gi` without GPUs; `p100x2-64c-256gi` with them (model × devices first, short
/// enough for a chart's legend).
fn pool_name(m: &Machine) -> String {
    let cpu = format_cpu(m.cpu_m);
    let memory = memory_text(m.memory).to_ascii_lowercase();
    let mut name = if m.gpus == 0 {
        format!("cpu{cpu}-mem{memory}")
    } else {
        let model: String = m
            .gpu_model
            .as_deref()
            .unwrap_or("gpu")
            .chars()
            .map(|c| c.to_ascii_lowercase())
            .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            .collect();
        let model = if model.is_empty() {
            "gpu".into()
        } else {
            model
        };
        format!("{model}x{}-{cpu}c-{memory}", m.gpus)
    };
    name.truncate(63);
    name.trim_end_matches('-').to_string()
}

/// Bytes as a memory quantity: whole MiB in the largest binary unit (`512Mi`, `96Gi`, as
/// [`format_memory`] writes them), else the largest decimal unit that divides them (`500G`,
/// PAI's and Azure's GB), else as `format_memory` has it.
pub fn memory_text(bytes: u64) -> String {
    if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        return format_memory(bytes);
    }
    for (suffix, unit) in [
        ("T", 1_000_000_000_000u64),
        ("G", 1_000_000_000),
        ("M", 1_000_000),
    ] {
        if bytes >= unit && bytes.is_multiple_of(unit) {
            return format!("{}{suffix}", bytes / unit);
        }
    }
    format_memory(bytes)
}

/// A scenario running `trace_path` (as the scenario will see it, relative to its folder) on
/// `pools` for `duration_s` seconds.
pub fn scenario_yaml(
    name: &str,
    command: &str,
    trace_path: &str,
    pools: &[Pool],
    duration_s: u64,
) -> String {
    let mut y = String::new();
    let _ = writeln!(y, "# Written by: {command}");
    let _ = writeln!(
        y,
        "# One pool per machine shape of the trace. The trace has no prices: set price_per_hour"
    );
    let _ = writeln!(
        y,
        "# on each pool (and capacity_type: spot where you want spot) to compare costs."
    );
    let _ = writeln!(y, "name: {name}");
    let _ = writeln!(y, "seed: 1");
    let _ = writeln!(y, "duration: {duration_s}s");
    let _ = writeln!(y, "cluster:");
    let _ = writeln!(y, "  pools:");
    for p in pools {
        let _ = writeln!(y, "    - name: {}", p.name);
        let _ = writeln!(y, "      capacity_type: on-demand");
        let mut node = format!(
            "cpu: {}, memory: {}",
            format_cpu(p.shape.cpu_m),
            memory_text(p.shape.memory)
        );
        if p.shape.gpus > 0 {
            let _ = write!(node, ", gpu: {}", p.shape.gpus);
            if let Some(model) = &p.shape.gpu_model {
                let _ = write!(node, ", gpu_model: {}", quoted(model));
            }
        }
        let _ = writeln!(y, "      node: {{ {node} }}");
        let _ = writeln!(y, "      count: {}", p.count);
    }
    let _ = writeln!(y, "workloads:");
    let _ = writeln!(y, "  - name: trace");
    let _ = writeln!(y, "    kind: Trace");
    let _ = writeln!(y, "    path: {}", quoted(trace_path));
    y
}

/// A YAML double-quoted string (JSON's escaping is valid YAML).
fn quoted(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_default()
}
