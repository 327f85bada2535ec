use super::{dominant_leftover, ratio_lt};
use crate::model::{Cluster, NodeId};
use crate::scheduler::framework::{Filter, PodRef, Policy};
use crate::scheduler::profile::Profile;

/// Best-fit: the feasible node left with the least free capacity after placement, measured in
/// the pod's dominant resource as a share of the node; ties go to the earlier node.
pub struct BestFit {
    pub filters: Vec<Box<dyn Filter>>,
}

impl Policy for BestFit {
    fn name(&self) -> &str {
        "best-fit"
    }

    fn select(&mut self, pod: &PodRef, cluster: &Cluster) -> Option<NodeId> {
        let mut best: Option<((u64, u64), NodeId)> = None;
        for &id in cluster.node_order() {
            let node = cluster.node(id);
            if !Profile::feasible(&self.filters, pod, node, cluster) {
                continue;
            }
            let left = dominant_leftover(&pod.pod.requests, node);
            if best.is_none_or(|(b, _)| ratio_lt(left, b)) {
                best = Some((left, id));
            }
        }
        best.map(|(_, id)| id)
    }

    fn filters(&self) -> &[Box<dyn Filter>] {
        &self.filters
    }
}
