use super::{ratio_lt, select_by_leftover};
use crate::model::{Cluster, NodeId};
use crate::scheduler::framework::{Filter, PodRef, Policy};

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
        select_by_leftover(&self.filters, pod, cluster, ratio_lt)
    }

    fn filters(&self) -> &[Box<dyn Filter>] {
        &self.filters
    }
}
