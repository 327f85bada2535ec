use super::{ratio_lt, select_by_leftover};
use crate::model::{Cluster, NodeId};
use crate::scheduler::framework::{Filter, PodRef, Policy};

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
        select_by_leftover(&self.filters, pod, cluster, |left, best| {
            ratio_lt(best, left)
        })
    }

    fn filters(&self) -> &[Box<dyn Filter>] {
        &self.filters
    }
}
