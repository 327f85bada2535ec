use crate::model::{Cluster, Node};
use crate::scheduler::framework::{Filter, PodRef, Reason};

/// Kubernetes' NodeUnschedulable filter: cordoned, draining and not-ready nodes take no pods.
pub struct NodeUnschedulable;

impl Filter for NodeUnschedulable {
    fn name(&self) -> &'static str {
        "NodeUnschedulable"
    }

    /// The node's state, which a shape requires to be Ready.
    fn shape_only(&self, _: &PodRef, _: &Cluster) -> bool {
        true
    }

    #[inline]
    fn filter(&self, _: &PodRef, node: &Node, _: &Cluster) -> Result<(), Reason> {
        if node.is_schedulable() {
            Ok(())
        } else {
            Err(Reason::Unschedulable)
        }
    }
}
