use crate::model::{Cluster, Node};
use crate::scheduler::framework::{PodRef, Score};

use super::mean_over_cpu_memory;

/// Kubernetes' MostAllocated score (packing): for cpu and memory,
/// `allocated_after × 100 / allocatable` (capped at 100), averaged with weight 1 each.
pub struct MostAllocated;

impl Score for MostAllocated {
    fn name(&self) -> &'static str {
        "MostAllocated"
    }

    fn shape_only(&self, _: &PodRef, _: &Cluster) -> bool {
        true
    }

    #[inline]
    fn score(&self, pod: &PodRef, node: &Node, _: &Cluster) -> i64 {
        mean_over_cpu_memory(&pod.pod.requests, node, |after, allocatable| {
            super::percent_of(after.min(allocatable), allocatable)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduler::testkit::{cluster_with_nodes, pod_ref_of};

    #[test]
    fn scores_like_kubernetes() {
        // Node 4000m / 10000 with 1000m / 2000 allocated; pod 1000m / 3000.
        // cpu: 2000 × 100 / 4000 = 50; memory: 5000 × 100 / 10000 = 50 → 50.
        let (cluster, pod) = cluster_with_nodes(&[(4000, 10000, 1000, 2000)], (1000, 3000));
        assert_eq!(
            MostAllocated.score(&pod_ref_of(&cluster, &pod), &cluster.nodes[0], &cluster),
            50
        );
        // Empty node, pod 3000m / 1000: cpu 75, memory 10 → 42 (integer division of 85 / 2).
        let (cluster, pod) = cluster_with_nodes(&[(4000, 10000, 0, 0)], (3000, 1000));
        assert_eq!(
            MostAllocated.score(&pod_ref_of(&cluster, &pod), &cluster.nodes[0], &cluster),
            42
        );
    }
}
