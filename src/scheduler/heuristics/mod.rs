//! Research heuristics: whole policies in a few lines each, one file per heuristic.
//!
//! Each applies the default Kubernetes filters, then picks among feasible nodes by its own rule.

mod best_fit;
mod dot_product;
mod first_fit;
mod power_of_two;
mod random;
mod worst_fit;

pub use best_fit::BestFit;
pub use dot_product::DotProduct;
pub use first_fit::FirstFit;
pub use power_of_two::PowerOfTwo;
pub use random::RandomFit;
pub use worst_fit::WorstFit;

use crate::model::{Cluster, Node, NodeId};
use crate::quantity::Resources;
use crate::scheduler::{Filter, PodRef, Profile};

/// The pod's dominant resource on `node` (largest share of allocatable), and the fraction of
/// that resource that would be left free after placing it, as an exact ratio `(left, capacity)`.
pub(crate) fn dominant_leftover(need: &Resources, node: &Node) -> (u64, u64) {
    let free = node.free();
    let dims = [
        (need.cpu_m, free.cpu_m, node.allocatable.cpu_m),
        (need.memory, free.memory, node.allocatable.memory),
        (need.gpu, free.gpu, node.allocatable.gpu),
    ];
    let mut best = (0u64, 0u64, 1u64); // (need, free, capacity) of the dominant resource
    for (n, f, cap) in dims {
        // n / cap > best.n / best.cap, compared exactly.
        if cap > 0 && (n as u128) * (best.2 as u128) > (best.0 as u128) * (cap as u128) {
            best = (n, f, cap);
        }
    }
    if best.0 == 0 {
        // A pod that requests nothing: judge by free cpu.
        return (free.cpu_m, node.allocatable.cpu_m.max(1));
    }
    (best.1.saturating_sub(best.0), best.2)
}

/// `a.0 / a.1 < b.0 / b.1`, exactly.
pub(crate) fn ratio_lt(a: (u64, u64), b: (u64, u64)) -> bool {
    (a.0 as u128) * (b.1 as u128) < (b.0 as u128) * (a.1 as u128)
}

/// The feasible node whose leftover (see [`dominant_leftover`]) `prefer(candidate, best)`
/// favours over every other, ties to the earlier node: the scan behind best- and worst-fit.
pub(crate) fn select_by_leftover(
    filters: &[Box<dyn Filter>],
    pod: &PodRef,
    cluster: &Cluster,
    prefer: fn((u64, u64), (u64, u64)) -> bool,
) -> Option<NodeId> {
    let mut best: Option<((u64, u64), NodeId)> = None;
    for &id in cluster.node_order() {
        let node = cluster.node(id);
        if !Profile::feasible(filters, pod, node, cluster) {
            continue;
        }
        let left = dominant_leftover(&pod.pod.requests, node);
        if best.is_none_or(|(b, _)| prefer(left, b)) {
            best = Some((left, id));
        }
    }
    best.map(|(_, id)| id)
}

#[cfg(test)]
mod tests {
    use crate::model::NodeId;
    use crate::rng::stream;
    use crate::scheduler::framework::Policy;
    use crate::scheduler::registry::default_filters;
    use crate::scheduler::testkit::{cluster_with_nodes, pod_ref_of};

    use super::{PowerOfTwo, RandomFit};

    #[test]
    fn random_policies_pick_only_feasible_nodes_and_repeat_with_the_seed() {
        // Node 1 is full (4000m allocated of 4000m); the pod asks 1000m.
        let nodes = [
            (4000, 0, 0, 0),
            (4000, 0, 4000, 0),
            (4000, 0, 1000, 0),
            (4000, 0, 0, 0),
        ];
        let (cluster, pod) = cluster_with_nodes(&nodes, (1000, 0));
        let pick = |p: &mut dyn Policy| -> Vec<NodeId> {
            (0..50)
                .map(|_| p.select(&pod_ref_of(&cluster, &pod), &cluster).unwrap())
                .collect()
        };
        for seed in [1, 2] {
            let mut a = RandomFit {
                filters: default_filters(),
                rng: stream(seed, "scheduler/random"),
            };
            let mut b = RandomFit {
                filters: default_filters(),
                rng: stream(seed, "scheduler/random"),
            };
            let (xa, xb) = (pick(&mut a), pick(&mut b));
            assert_eq!(xa, xb);
            assert!(!xa.contains(&NodeId(1)));
            let mut p2 = PowerOfTwo {
                filters: default_filters(),
                rng: stream(seed, "scheduler/power-of-two"),
            };
            let x2 = pick(&mut p2);
            assert!(!x2.contains(&NodeId(1)));
            // Node 2 is the most loaded feasible node: it only wins when drawn twice.
            assert!(x2.iter().filter(|n| **n == NodeId(2)).count() < 15);
        }
    }
}
