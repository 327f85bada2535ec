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
