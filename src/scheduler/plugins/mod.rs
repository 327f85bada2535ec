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
pub use requested_to_capacity_ratio::RequestedToCapacityRatio;
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
