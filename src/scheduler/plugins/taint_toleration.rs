use crate::model::TaintEffect;
use crate::model::{Cluster, Node};
use crate::scheduler::framework::{Filter, PodRef, Reason};

/// Kubernetes' TaintToleration filter: every `NoSchedule` and `NoExecute` taint on the node must
/// be tolerated by the pod. `PreferNoSchedule` taints only lower a node's score.
pub struct TaintToleration;

impl Filter for TaintToleration {
    fn name(&self) -> &'static str {
        "TaintToleration"
    }

    /// The pool's taints (a shape's node has no run-time ones).
    fn shape_only(&self, _: &PodRef, _: &Cluster) -> bool {
        true
    }

    fn filter(&self, pod: &PodRef, node: &Node, cluster: &Cluster) -> Result<(), Reason> {
        for (index, taint) in cluster.taints(node).enumerate() {
            if taint.effect == TaintEffect::PreferNoSchedule {
                continue;
            }
            if !pod.template.tolerations.iter().any(|t| t.tolerates(taint)) {
                return Err(Reason::UntoleratedTaint {
                    index: index as u16,
                });
            }
        }
        Ok(())
    }
}
