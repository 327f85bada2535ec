use crate::model::{Cluster, Node};
use crate::scheduler::framework::{PodRef, Score};

use super::mean_over_cpu_memory;

/// Kubernetes' LeastAllocated score (the default, which spreads pods): for cpu and memory,
/// `(allocatable − allocated_after) × 100 / allocatable`, averaged with weight 1 each, in integer
/// arithmetic as Kubernetes does it.
pub struct LeastAllocated;

impl Score for LeastAllocated {
    fn name(&self) -> &'static str {
        "LeastAllocated"
    }

    fn shape_only(&self, _: &PodRef, _: &Cluster) -> bool {
        true
    }

    #[inline]
    fn score(&self, pod: &PodRef, node: &Node, _: &Cluster) -> i64 {
        mean_over_cpu_memory(&pod.pod.requests, node, |after, allocatable| {
            if after > allocatable {
                0
            } else {
                super::percent_of(allocatable - after, allocatable)
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduler::testkit::{cluster_with_nodes, pod_ref_of};

    #[test]
    fn scores_like_kubernetes() {
        // Node 4000m / 10000 bytes with 1000m / 2000 allocated; pod asks 1000m / 3000.
        // cpu: (4000 − 2000) × 100 / 4000 = 50; memory: (10000 − 5000) × 100 / 10000 = 50 → 50.
        let (cluster, pod) = cluster_with_nodes(&[(4000, 10000, 1000, 2000)], (1000, 3000));
        let node = &cluster.nodes[0];
        assert_eq!(
            LeastAllocated.score(&pod_ref_of(&cluster, &pod), node, &cluster),
            50
        );
        // Node 4000m / 10000 empty; pod 3000m / 1000: cpu 25, memory 90 → (25 + 90) / 2 = 57.
        let (cluster, pod) = cluster_with_nodes(&[(4000, 10000, 0, 0)], (3000, 1000));
        assert_eq!(
            LeastAllocated.score(&pod_ref_of(&cluster, &pod), &cluster.nodes[0], &cluster),
            57
        );
    }
}
