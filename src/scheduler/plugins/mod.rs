//! Filter and score plug-ins, one per file, named as in Kubernetes.

mod balanced_allocation;
mod inter_pod_affinity;
mod least_allocated;
mod most_allocated;
mod node_affinity_score;
mod node_resources_fit;
mod node_selector;
mod node_unschedulable;
mod pod_topology_spread;
mod requested_to_capacity_ratio;
mod taint_toleration;
mod taint_toleration_score;
pub mod topology;

pub use balanced_allocation::BalancedAllocation;
pub use inter_pod_affinity::InterPodAffinity;
pub use least_allocated::LeastAllocated;
pub use most_allocated::MostAllocated;
pub use node_affinity_score::NodeAffinityScore;
pub use node_resources_fit::NodeResourcesFit;
pub use node_selector::NodeAffinity;
pub use node_unschedulable::NodeUnschedulable;
pub use pod_topology_spread::{PodTopologySpread, PodTopologySpreadScore};
pub use requested_to_capacity_ratio::{RequestedToCapacityRatio, broken_linear};
pub use taint_toleration::TaintToleration;
pub use taint_toleration_score::TaintTolerationScore;

use crate::model::Node;
use crate::quantity::Resources;

/// Per-resource "allocated after placing the pod" against allocatable, for cpu and memory, the
/// two resources Kubernetes' allocation scorers weigh by default (weight 1 each).
pub(crate) fn cpu_memory_after(pod: &Resources, node: &Node) -> [(u64, u64); 2] {
    [
        (node.allocated.cpu_m + pod.cpu_m, node.allocatable.cpu_m),
        (node.allocated.memory + pod.memory, node.allocatable.memory),
    ]
}

/// `⌊part × 100 ÷ whole⌋` for `part ≤ whole`, `whole > 0`: Kubernetes' per-resource percentage.
/// Exact for every `u64`; 64-bit arithmetic unless `part × 100` overflows it (above about
/// 184 PB of memory), where 128-bit division takes over.
#[inline]
pub(crate) fn percent_of(part: u64, whole: u64) -> i64 {
    const MAX: u64 = crate::scheduler::framework::MAX_NODE_SCORE as u64;
    match part.checked_mul(MAX) {
        Some(scaled) => (scaled / whole) as i64,
        None => (part as u128 * MAX as u128 / whole as u128) as i64,
    }
}

/// Kubernetes' resource-allocation scoring: cpu and memory (weight 1 each) each get
/// `per_resource(allocated_after, allocatable)`, and the score is their integer mean. A
/// resource the node does not have (allocatable 0) is left out of the mean, weight included;
/// without either, the score is 0.
pub(crate) fn mean_over_cpu_memory(
    pod: &Resources,
    node: &Node,
    per_resource: impl Fn(u64, u64) -> i64,
) -> i64 {
    let (mut sum, mut n) = (0, 0);
    for (after, allocatable) in cpu_memory_after(pod, node) {
        if allocatable > 0 {
            sum += per_resource(after, allocatable);
            n += 1;
        }
    }
    if n == 0 { 0 } else { sum / n }
}

#[cfg(test)]
mod tests {
    use super::percent_of;
    use crate::rng::stream;
    use rand::RngExt;

    /// What the score plug-ins computed before: 128-bit multiply and divide.
    fn wide(part: u64, whole: u64) -> i64 {
        (part as u128 * 100 / whole as u128) as i64
    }

    #[test]
    fn percent_of_equals_the_128_bit_arithmetic() {
        // Edges: 0, exact, the largest part whose ×100 fits in 64 bits, one above it, u64::MAX.
        let edge = u64::MAX / 100;
        for (part, whole, want) in [
            (0, 1, 0),
            (1, 3, 33), // 100 / 3 = 33.3
            (2, 3, 66), // 200 / 3 = 66.6, floored
            (3, 3, 100),
            (edge, edge, 100),
            (edge + 1, edge + 1, 100), // ×100 overflows u64: the 128-bit path
            (u64::MAX / 2, u64::MAX, 49), // 49.99…
            (u64::MAX, u64::MAX, 100),
        ] {
            assert_eq!(percent_of(part, whole), want, "{part}/{whole}");
            assert_eq!(percent_of(part, whole), wide(part, whole), "{part}/{whole}");
        }
        let mut rng = stream(7, "percent-of");
        for _ in 0..200_000 {
            // Magnitudes from a few units to the full range, so both paths are taken.
            let bits = rng.random_range(1..=64u32);
            let whole = (rng.random::<u64>() >> (64 - bits)).max(1);
            let part = rng.random_range(0..=whole);
            assert_eq!(percent_of(part, whole), wide(part, whole), "{part}/{whole}");
        }
    }
}
