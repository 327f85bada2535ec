//! A profile: the general filter → score → select pipeline, configured from plug-ins.

use crate::model::{Cluster, NodeId};
use crate::scheduler::framework::{Filter, PodRef, Policy, Score};

/// A scheduling profile: filters, weighted scores, select the best (earliest on ties).
pub struct Profile {
    pub name: String,
    pub filters: Vec<Box<dyn Filter>>,
    /// Score plug-ins with their weights.
    pub scores: Vec<(Box<dyn Score>, i64)>,
}

impl Profile {
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
}

impl Policy for Profile {
    fn name(&self) -> &str {
        &self.name
    }

    fn select(&mut self, pod: &PodRef, cluster: &Cluster) -> Option<NodeId> {
        let mut best: Option<(i64, NodeId)> = None;
        for &id in cluster.node_order() {
            let node = cluster.node(id);
            if !Profile::feasible(&self.filters, pod, node, cluster) {
                continue;
            }
            if self.scores.is_empty() {
                return Some(id); // no preference: the first feasible node
            }
            let total: i64 = self
                .scores
                .iter()
                .map(|(s, w)| w * s.score(pod, node, cluster))
                .sum();
            // Strictly greater: ties keep the earlier node in the stable order.
            if best.is_none_or(|(b, _)| total > b) {
                best = Some((total, id));
            }
        }
        best.map(|(_, id)| id)
    }

    fn filters(&self) -> &[Box<dyn Filter>] {
        &self.filters
    }
}
