//! Bin-packing validation: classic one-dimensional instances run through the simulator.
//!
//! One pool of identical nodes whose cpu equals the bin capacity (in millicores), one pod per
//! item asking its size, every pod submitted at time 0 and never finishing, one node per item
//! (so none is ever short). The nodes that end up hosting a pod are the bins used
//! (`nodes.peak_used` in the summary). With the `fifo` queue and `first-fit` this is first-fit
//! (FF); `largest-first` + `first-fit` is first-fit decreasing (FFD); `largest-first` +
//! `best-fit` is best-fit decreasing (BFD).

use std::path::{Path, PathBuf};

use crate::quantity::Resources;
use crate::reference_models::{pool, scenario};
use crate::scenario::{PodTemplate, QueueOrder, Scenario, TraceRow, WorkloadKind, WorkloadSpec};
use crate::sim::{self, RunOptions};
use crate::time::{SimDuration, SimTime};

/// One instance: a bin capacity and item sizes, in file order.
#[derive(Clone, Debug)]
pub struct Instance {
    pub name: String,
    pub capacity: u64,
    pub items: Vec<u64>,
}

impl Instance {
    /// `ceil(total size / capacity)`: no packing uses fewer bins.
    pub fn lower_bound(&self) -> u64 {
        let total: u128 = self.items.iter().map(|&s| s as u128).sum();
        total.div_ceil(self.capacity as u128) as u64
    }
}

/// The heuristics the validation runs: (label, queue order, policy).
pub const HEURISTICS: [(&str, QueueOrder, &str); 3] = [
    ("FF", QueueOrder::Fifo, "first-fit"),
    ("FFD", QueueOrder::LargestFirst, "first-fit"),
    ("BFD", QueueOrder::LargestFirst, "best-fit"),
];

/// Largest bin capacity accepted (it becomes a node's cpu in millicores).
const MAX_CAPACITY: u64 = 1 << 40;
/// Most items per instance (each gets its own node, so none is ever short).
const MAX_ITEMS: u64 = 100_000;

/// Reads a BPPLIB file: item count, capacity, then one size per item (whitespace separated).
pub fn read_instance(path: &Path) -> Result<Instance, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut numbers = text.split_whitespace().map(|w| {
        w.parse::<u64>()
            .map_err(|_| format!("{}: '{w}' is not a whole number", path.display()))
    });
    let mut next = |what: &str| {
        numbers
            .next()
            .unwrap_or_else(|| Err(format!("{}: missing {what}", path.display())))
    };
    let count = next("item count")?;
    let capacity = next("capacity")?;
    if capacity == 0 || capacity > MAX_CAPACITY {
        return Err(format!(
            "{}: capacity must be from 1 to {MAX_CAPACITY}",
            path.display()
        ));
    }
    if count > MAX_ITEMS {
        return Err(format!(
            "{}: {count} items is more than the {MAX_ITEMS} this validation runs (one node per item)",
            path.display()
        ));
    }
    let items = (0..count)
        .map(|_| next("item size"))
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(big) = items.iter().find(|&&s| s > capacity) {
        return Err(format!(
            "{}: item {big} is larger than the capacity {capacity}",
            path.display()
        ));
    }
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(Instance {
        name,
        capacity,
        items,
    })
}

/// Every `*.txt` instance in `dir`, sorted by file name.
pub fn read_dir(dir: &Path) -> Result<Vec<Instance>, String> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    paths.sort();
    paths.iter().map(|p| read_instance(p)).collect()
}

/// The scenario that packs `instance` with `policy` and `queue`.
pub fn instance_scenario(instance: &Instance, policy: &str, queue: QueueOrder) -> Scenario {
    let rows = instance
        .items
        .iter()
        .map(|&size| TraceRow {
            submit: SimTime::ZERO,
            requests: Resources::new(size, 0, 0),
            duration: None,
            name: None,
            namespace: None,
            priority: None,
        })
        .collect();
    let nodes = instance.items.len() as u32;
    let mut s = scenario(
        &instance.name,
        1,
        SimDuration::from_secs(1),
        vec![pool(
            "bins",
            Resources::new(instance.capacity, 0, 0),
            nodes,
            1.0,
        )],
        vec![WorkloadSpec {
            name: "items".into(),
            template: PodTemplate {
                namespace: "default".into(),
                ..Default::default()
            },
            disruption_budget: None,
            kind: WorkloadKind::Trace {
                path: PathBuf::from(format!("{}.txt", instance.name)),
                rows,
            },
        }],
    );
    s.scheduler.policy = policy.into();
    s.scheduler.queue = queue;
    s
}

/// Bins the simulator uses for `instance` (`nodes.peak_used`).
pub fn bins_used(instance: &Instance, policy: &str, queue: QueueOrder) -> Result<u64, String> {
    let scenario = instance_scenario(instance, policy, queue);
    let result = sim::run(&scenario, RunOptions::default()).map_err(|e| e.to_string())?;
    result.summary["nodes"]["peak_used"]
        .as_u64()
        .ok_or_else(|| "summary lacks nodes.peak_used".to_string())
}
