use crate::model::{Cluster, Node, NodeId};
use crate::quantity::Resources;
use crate::scheduler::framework::{Filter, PodRef, Policy};
use crate::scheduler::profile::Profile;

/// Dot-product (Tetris, Grandl et al. 2014): the feasible node whose free-capacity vector is
/// best aligned with the pod's demand, both normalised by the node's allocatable:
/// `Σ_r (need_r / cap_r) × (free_r / cap_r)`, highest wins, ties to the earlier node.
pub struct DotProduct {
    pub filters: Vec<Box<dyn Filter>>,
}

/// The alignment in units of 1e-9, exact integer arithmetic.
pub(crate) fn alignment(need: &Resources, node: &Node) -> u128 {
    let free = node.free();
    [
        (need.cpu_m, free.cpu_m, node.allocatable.cpu_m),
        (need.memory, free.memory, node.allocatable.memory),
        (need.gpu, free.gpu, node.allocatable.gpu),
    ]
    .into_iter()
    .filter(|&(_, _, cap)| cap > 0)
    .map(|(n, f, cap)| {
        // n·f·1e9 / cap² without overflow: (n·1e9 / cap) · f / cap.
        (n as u128 * 1_000_000_000 / cap as u128) * f as u128 / cap as u128
    })
    .sum()
}

impl Policy for DotProduct {
    fn name(&self) -> &str {
        "dot-product"
    }

    fn select(&mut self, pod: &PodRef, cluster: &Cluster) -> Option<NodeId> {
        let mut best: Option<(u128, NodeId)> = None;
        for &id in cluster.node_order() {
            let node = cluster.node(id);
            if !Profile::feasible(&self.filters, pod, node, cluster) {
                continue;
            }
            let a = alignment(&pod.pod.requests, node);
            if best.is_none_or(|(b, _)| a > b) {
                best = Some((a, id));
            }
        }
        best.map(|(_, id)| id)
    }

    fn filters(&self) -> &[Box<dyn Filter>] {
        &self.filters
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduler::registry::default_filters;
    use crate::scheduler::testkit::{cluster_with_nodes, pod_ref_of};

    #[test]
    fn picks_the_node_best_aligned_with_the_demand() {
        // Nodes 4000m / 4000 bytes. Pod asks 1000m / 0 (cpu-heavy).
        // Node 0: free 1000m / 4000 → (1000/4000)(1000/4000) = 0.0625.
        // Node 1: free 4000m / 1000 → (1000/4000)(4000/4000) = 0.25   ← best.
        // Node 2: free 2000m / 4000 → (1000/4000)(2000/4000) = 0.125.
        let (cluster, pod) = cluster_with_nodes(
            &[
                (4000, 4000, 3000, 0),
                (4000, 4000, 0, 3000),
                (4000, 4000, 2000, 0),
            ],
            (1000, 0),
        );
        let mut p = DotProduct {
            filters: default_filters(),
        };
        assert_eq!(
            alignment(&pod.requests, &cluster.nodes[1]),
            250_000_000,
            "0.25 in units of 1e-9"
        );
        assert_eq!(
            p.select(&pod_ref_of(&cluster, &pod), &cluster),
            Some(cluster.nodes[1].id)
        );
    }
}
