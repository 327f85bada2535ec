use super::{dominant_leftover, ratio_lt};
use crate::model::{Cluster, NodeId};
use crate::scheduler::framework::{Filter, PodRef, Policy};
use crate::scheduler::profile::Profile;

/// Worst-fit: the feasible node left with the most free capacity after placement (dominant
/// resource share); ties go to the earlier node.
pub struct WorstFit {
    pub filters: Vec<Box<dyn Filter>>,
}

impl Policy for WorstFit {
    fn name(&self) -> &str {
        "worst-fit"
    }

    fn select(&mut self, pod: &PodRef, cluster: &Cluster) -> Option<NodeId> {
        let mut best: Option<((u64, u64), NodeId)> = None;
        for &id in cluster.node_order() {
            let node = cluster.node(id);
            if !Profile::feasible(&self.filters, pod, node, cluster) {
                continue;
            }
            let left = dominant_leftover(&pod.pod.requests, node);
            if best.is_none_or(|(b, _)| ratio_lt(b, left)) {
                best = Some((left, id));
            }
        }
        best.map(|(_, id)| id)
    }

    fn filters(&self) -> &[Box<dyn Filter>] {
        &self.filters
    }
}
