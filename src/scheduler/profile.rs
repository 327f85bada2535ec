//! A profile: the general filter → score → select pipeline, configured from plug-ins.

use crate::model::{Cluster, NodeId};
use crate::scheduler::framework::{Filter, PodRef, Policy, Score};

/// Kubernetes' `minFeasibleNodesToFind`: below this many nodes, every node is examined.
pub const MIN_FEASIBLE_NODES_TO_FIND: usize = 100;
/// Kubernetes' `minFeasibleNodesPercentageToFind`, the floor of the adaptive percentage.
pub const MIN_FEASIBLE_NODES_PERCENTAGE: usize = 5;

/// A scheduling profile: filters, weighted scores, select the best (earliest on ties).
pub struct Profile {
    pub name: String,
    pub filters: Vec<Box<dyn Filter>>,
    /// Score plug-ins with their weights.
    pub scores: Vec<(Box<dyn Score>, i64)>,
    /// Kubernetes' `percentageOfNodesToScore`: `None` examines every node (exact, the
    /// clustersim default for named policies); `Some(0)` is Kubernetes' adaptive default
    /// (50% − nodes/125, at least 5%); `Some(p)` stops after finding `p`% of the nodes feasible.
    /// Never fewer than 100 feasible nodes are sought.
    pub percentage_of_nodes_to_score: Option<u32>,
    /// Where the next search starts in the node order; it advances by the number of nodes
    /// examined, as Kubernetes' `nextStartNodeIndex` does, so successive pods see different
    /// slices of a large cluster.
    pub next_start: usize,
}

impl Profile {
    pub fn new(
        name: &str,
        filters: Vec<Box<dyn Filter>>,
        scores: Vec<(Box<dyn Score>, i64)>,
    ) -> Self {
        Profile {
            name: name.into(),
            filters,
            scores,
            percentage_of_nodes_to_score: None,
            next_start: 0,
        }
    }

    /// True if every filter accepts the node.
    #[inline]
    pub fn feasible(
        filters: &[Box<dyn Filter>],
        pod: &PodRef,
        node: &crate::model::Node,
        cluster: &Cluster,
    ) -> bool {
        filters.iter().all(|f| f.filter(pod, node, cluster).is_ok())
    }

    /// How many feasible nodes to find before scoring (Kubernetes' `numFeasibleNodesToFind`).
    pub fn feasible_nodes_to_find(&self, all: usize) -> usize {
        let Some(p) = self.percentage_of_nodes_to_score else {
            return all;
        };
        let p = p as usize;
        if all < MIN_FEASIBLE_NODES_TO_FIND || p >= 100 {
            return all;
        }
        let p = if p == 0 {
            50usize
                .saturating_sub(all / 125)
                .max(MIN_FEASIBLE_NODES_PERCENTAGE)
        } else {
            p
        };
        (all * p / 100).max(MIN_FEASIBLE_NODES_TO_FIND)
    }

    /// Visits the feasible nodes in Kubernetes' search order: from `next_start`, stopping once
    /// [`Profile::feasible_nodes_to_find`] are found or `visit` returns false; `visit` gets each
    /// one's place in the node order. Returns how many nodes were examined, for
    /// [`Profile::advance`].
    fn search(
        &self,
        pod: &PodRef,
        cluster: &Cluster,
        mut visit: impl FnMut(usize) -> bool,
    ) -> usize {
        let order = cluster.node_order();
        let all = order.len();
        let want = self.feasible_nodes_to_find(all);
        let start = if want < all { self.next_start % all } else { 0 };
        let (mut found, mut examined) = (0, 0);
        for k in 0..all {
            if found >= want {
                break;
            }
            examined += 1;
            let i = (start + k) % all;
            if Profile::feasible(&self.filters, pod, cluster.node(order[i]), cluster) {
                found += 1;
                if !visit(i) {
                    break;
                }
            }
        }
        examined
    }

    /// Moves `next_start` past the nodes a sampled search examined, as Kubernetes'
    /// `nextStartNodeIndex` does (an unsampled search always starts at the first node).
    fn advance(&mut self, all: usize, examined: usize) {
        if self.feasible_nodes_to_find(all) < all {
            self.next_start = (self.next_start % all + examined) % all;
        }
    }

    /// Select when a plug-in normalizes across the feasible nodes: find them all, score them
    /// all, then pick the best.
    fn select_normalized(&mut self, pod: &PodRef, cluster: &Cluster) -> Option<NodeId> {
        let order = cluster.node_order();
        let mut feasible: Vec<usize> = Vec::new();
        let examined = self.search(pod, cluster, |i| {
            feasible.push(i);
            true
        });
        self.advance(order.len(), examined);
        let nodes: Vec<&crate::model::Node> =
            feasible.iter().map(|&i| cluster.node(order[i])).collect();
        let table = crate::scheduler::framework::score_table(&self.scores, pod, &nodes, cluster);
        let mut best: Option<(i64, usize)> = None;
        for (j, &i) in feasible.iter().enumerate() {
            let total: i64 = self
                .scores
                .iter()
                .zip(&table)
                .filter_map(|((_, w), col)| col.as_ref().map(|c| w * c[j]))
                .sum();
            if best.is_none_or(|(b, bi)| total > b || (total == b && i < bi)) {
                best = Some((total, i));
            }
        }
        best.map(|(_, i)| order[i])
    }

    /// Select when every plug-in scores a node on its own: score each feasible node as it is
    /// found (no allocation per pod).
    fn select_streaming(&mut self, pod: &PodRef, cluster: &Cluster) -> Option<NodeId> {
        let order = cluster.node_order();
        let want_all = self.feasible_nodes_to_find(order.len()) == order.len();
        if self.scores.is_empty() && want_all {
            // No preference: the first feasible node.
            let mut first = None;
            self.search(pod, cluster, |i| {
                first = Some(i);
                false
            });
            // Unsampled: nothing to advance.
            return first.map(|i| order[i]);
        }
        // PreScore, once per pod: bit k set when plug-in k scores this pod.
        let active: u64 = self
            .scores
            .iter()
            .enumerate()
            .filter(|(_, (s, _))| s.applies(pod, cluster))
            .fold(0, |m, (k, _)| m | 1 << k.min(63));
        let mut best: Option<(i64, usize)> = None;
        let examined = self.search(pod, cluster, |i| {
            let node = cluster.node(order[i]);
            let total: i64 = self
                .scores
                .iter()
                .enumerate()
                .filter(|(k, _)| active & (1 << (*k).min(63)) != 0)
                .map(|(_, (s, w))| w * s.score(pod, node, cluster))
                .sum();
            // Strictly greater wins; on equal totals the earlier node in the stable order.
            if best.is_none_or(|(b, bi)| total > b || (total == b && i < bi)) {
                best = Some((total, i));
            }
            true
        });
        self.advance(order.len(), examined);
        best.map(|(_, i)| order[i])
    }
}

impl Policy for Profile {
    fn name(&self) -> &str {
        &self.name
    }

    fn select(&mut self, pod: &PodRef, cluster: &Cluster) -> Option<NodeId> {
        if cluster.node_order().is_empty() {
            return None;
        }
        if self.scores.iter().any(|(s, _)| s.normalizes()) {
            self.select_normalized(pod, cluster)
        } else {
            self.select_streaming(pod, cluster)
        }
    }

    fn filters(&self) -> &[Box<dyn Filter>] {
        &self.filters
    }

    fn scores(&self) -> &[(Box<dyn Score>, i64)] {
        &self.scores
    }

    fn as_profile(&mut self) -> Option<&mut Profile> {
        Some(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feasible_nodes_to_find_follows_kubernetes() {
        let mut p = Profile::new("p", Vec::new(), Vec::new());
        assert_eq!(p.feasible_nodes_to_find(5000), 5000); // None: every node
        p.percentage_of_nodes_to_score = Some(0);
        // Adaptive: 50 − 5000/125 = 10% of 5000 = 500.
        assert_eq!(p.feasible_nodes_to_find(5000), 500);
        // 50 − 10000/125 < 5 → 5% of 10000 = 500.
        assert_eq!(p.feasible_nodes_to_find(10_000), 500);
        // Fewer than 100 nodes: all of them.
        assert_eq!(p.feasible_nodes_to_find(99), 99);
        // 50% of 150 = 75, raised to the floor of 100.
        p.percentage_of_nodes_to_score = Some(50);
        assert_eq!(p.feasible_nodes_to_find(150), 100);
        assert_eq!(p.feasible_nodes_to_find(1000), 500);
        p.percentage_of_nodes_to_score = Some(100);
        assert_eq!(p.feasible_nodes_to_find(1000), 1000);
    }
}
