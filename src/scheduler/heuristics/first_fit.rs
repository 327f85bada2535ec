use crate::model::{Cluster, NodeId};
use crate::scheduler::framework::{Filter, PodRef, Policy};
use crate::scheduler::profile::Profile;

/// First-fit: the first feasible node in the stable node order.
pub struct FirstFit {
    pub filters: Vec<Box<dyn Filter>>,
}

impl Policy for FirstFit {
    fn name(&self) -> &str {
        "first-fit"
    }

    fn select(&mut self, pod: &PodRef, cluster: &Cluster) -> Option<NodeId> {
        cluster
            .node_order()
            .iter()
            .copied()
            .find(|&id| Profile::feasible(&self.filters, pod, cluster.node(id), cluster))
    }

    fn filters(&self) -> &[Box<dyn Filter>] {
        &self.filters
    }
}
