use crate::model::{Cluster, Node};
use crate::scheduler::framework::{Filter, PodRef, Reason};

/// Kubernetes' NodeAffinity filter, for `node_selector`: every key must be a node label with
/// exactly that value (pool labels plus the well-known hostname, zone and capacity-type labels).
pub struct NodeAffinity;

impl Filter for NodeAffinity {
    fn name(&self) -> &'static str {
        "NodeAffinity"
    }

    fn filter(&self, pod: &PodRef, node: &Node, cluster: &Cluster) -> Result<(), Reason> {
        for (key, want) in &pod.template.node_selector {
            if cluster.node_label(node, key) != Some(want.as_str()) {
                return Err(Reason::NodeSelectorMismatch);
            }
        }
        Ok(())
    }
}
