use crate::model::{Cluster, Node};
use crate::scheduler::framework::{Filter, PodRef, Reason};

/// Kubernetes' NodeResourcesFit filter: the pod's requests fit in the node's free resources,
/// and the node is below its pod limit.
pub struct NodeResourcesFit;

impl Filter for NodeResourcesFit {
    fn name(&self) -> &'static str {
        "NodeResourcesFit"
    }

    /// Free capacity and pod slots; a shape's node has no partly used GPU device.
    fn shape_only(&self, _: &PodRef, _: &Cluster) -> bool {
        true
    }

    #[inline]
    fn filter(&self, pod: &PodRef, node: &Node, _: &Cluster) -> Result<(), Reason> {
        let need = &pod.pod.requests;
        let free = node.free();
        let cpu = need.cpu_m > free.cpu_m;
        let memory = need.memory > free.memory;
        // GPU shares and whole devices must find room on single devices, not just in all.
        let gpu = need.gpu > free.gpu
            || (need.gpu > 0 && !crate::model::devices_fit(&node.gpu_left, need.gpu));
        let pods = node.pod_count() >= node.max_pods;
        if cpu | memory | gpu | pods {
            Err(Reason::Insufficient {
                cpu,
                memory,
                gpu,
                pods,
            })
        } else {
            Ok(())
        }
    }
}
