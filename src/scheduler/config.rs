//! The scheduler's configuration: a named policy or a custom profile, and the queue order.

#[derive(Clone, Debug)]
pub struct SchedulerSpec {
    /// A policy name from the scheduler registry, e.g. `least-allocated`.
    pub policy: String,
    pub queue: QueueOrder,
    /// A custom profile's filter plug-ins, by name (validated against the registry).
    pub filters: Option<Vec<String>>,
    /// A custom profile's score plug-ins with their weights.
    pub scores: Option<Vec<(String, i64)>>,
    /// Kubernetes' `percentageOfNodesToScore` (0 = adaptive) for profile-based policies.
    pub percentage_of_nodes_to_score: Option<u32>,
    /// The RequestedToCapacityRatio score's shape, `(utilization 0–100, score 0–10)` points in
    /// increasing utilisation, if a custom profile gave one.
    pub shape: Option<Vec<(u64, u64)>>,
}

impl SchedulerSpec {
    /// A named policy with the given queue order and no custom profile.
    pub fn named(policy: &str, queue: QueueOrder) -> Self {
        SchedulerSpec {
            policy: policy.into(),
            queue,
            filters: None,
            scores: None,
            percentage_of_nodes_to_score: None,
            shape: None,
        }
    }
}

/// The order in which pending pods are tried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueueOrder {
    /// Arrival order.
    Fifo,
    /// Higher priority first, then arrival (Kubernetes' PrioritySort).
    Priority,
    /// Largest dominant resource share first (relative to the largest node shape in the
    /// cluster), then arrival: the "decreasing" of first-fit decreasing, for batch packing.
    LargestFirst,
}

impl QueueOrder {
    pub const NAMES: [&'static str; 3] = ["fifo", "priority", "largest-first"];

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "fifo" => Some(QueueOrder::Fifo),
            "priority" => Some(QueueOrder::Priority),
            "largest-first" => Some(QueueOrder::LargestFirst),
            _ => None,
        }
    }
}
