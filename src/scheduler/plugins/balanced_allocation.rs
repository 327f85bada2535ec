use crate::model::{Cluster, Node};
use crate::scheduler::framework::{MAX_NODE_SCORE, PodRef, Score};

use super::cpu_memory_after;

/// Fractions are fixed-point integers with this many parts per whole.
/// Kubernetes' BalancedAllocation score: prefers nodes whose cpu and memory would be used in
/// equal proportion after placing the pod. With the fractions `f_cpu`, `f_mem` of allocatable
/// requested after placement (capped at 1), the standard deviation of two values is
/// `|f_cpu − f_mem| / 2`, and the score is `(1 − std) × 100`, rounded down. Fixed-point integer
/// arithmetic (millionths), so results are exact and portable. A node without memory (or cpu)
/// allocatable is judged on the other resource alone: score 100.
pub struct BalancedAllocation;

impl Score for BalancedAllocation {
    fn name(&self) -> &'static str {
        "BalancedAllocation"
    }

    fn shape_only(&self, _: &PodRef, _: &Cluster) -> bool {
        true
    }

    /// PreScore: a pod that requests neither cpu nor memory is not scored (Kubernetes skips
    /// best-effort pods here, kubernetes/kubernetes#129138).
    fn applies(&self, pod: &PodRef, _: &Cluster) -> bool {
        pod.pod.requests.cpu_m > 0 || pod.pod.requests.memory > 0
    }

    /// As upstream, in float64: each resource the node has gives the fraction requested after
    /// placing the pod (at most 1); the score is `(1 − |f_cpu − f_memory| / 2) × 100`,
    /// truncated, or 100 with fewer than two such resources.
    fn score(&self, pod: &PodRef, node: &Node, _: &Cluster) -> i64 {
        let mut fractions = [0.0f64; 2];
        let mut n = 0;
        for (after, allocatable) in cpu_memory_after(&pod.pod.requests, node) {
            if allocatable > 0 {
                fractions[n] = (after as f64 / allocatable as f64).min(1.0);
                n += 1;
            }
        }
        if n < 2 {
            return MAX_NODE_SCORE;
        }
        let std = (fractions[0] - fractions[1]).abs() / 2.0;
        ((1.0 - std) * MAX_NODE_SCORE as f64) as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduler::testkit::{cluster_with_nodes, pod_ref_of};

    #[test]
    fn scores_like_kubernetes() {
        // (node cpu, node memory, allocated cpu, allocated memory, ask cpu, ask memory, score)
        let cases = [
            // cpu (1000+1000)/4000 = 0.5, memory (2000+3000)/10000 = 0.5: std 0 → 100.
            (4000, 10000, 1000, 2000, 1000, 3000, 100),
            // cpu 3000/4000 = 0.75, memory 1000/10000 = 0.1: std 0.325 → (1 − 0.325) × 100 = 67.
            (4000, 10000, 0, 0, 3000, 1000, 67),
            // cpu 4000/4000 = 1, memory 0: std 0.5 → 50.
            (4000, 10000, 0, 0, 4000, 0, 50),
        ];
        for (nc, nm, ac, am, pc, pm, want) in cases {
            let (cluster, pod) = cluster_with_nodes(&[(nc, nm, ac, am)], (pc, pm));
            let got =
                BalancedAllocation.score(&pod_ref_of(&cluster, &pod), &cluster.nodes[0], &cluster);
            assert_eq!(
                got, want,
                "node {nc}/{nm} allocated {ac}/{am} ask {pc}/{pm}"
            );
        }
    }
}
