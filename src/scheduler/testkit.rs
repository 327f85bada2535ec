//! Small clusters for plug-in tests.

use std::collections::BTreeMap;

use crate::dist::DurationDist;
use crate::model::{CapacityType, PodTemplate, PoolSpec};
use crate::model::{Cluster, Pod, PoolId, TemplateId};
use crate::quantity::Resources;
use crate::scheduler::framework::PodRef;
use crate::time::{SimDuration, SimTime};

/// A pool spec with the given node shape and no labels or taints.
pub fn pool(name: &str, node: Resources) -> PoolSpec {
    PoolSpec {
        name: name.into(),
        capacity_type: CapacityType::OnDemand,
        node,
        max_pods: 110,
        price_per_hour: 1.0,
        count: 0,
        zones: vec![0],
        labels: BTreeMap::new(),
        taints: Vec::new(),
        provisioning_delay: DurationDist::Constant(SimDuration::ZERO),
        autoscaling: None,
    }
}

/// A pending pod of template 0 with the given requests (not submitted to any cluster).
pub fn pod(requests: Resources) -> Pod {
    Pod::new(0, TemplateId(0), 0, requests, 0, SimTime::ZERO, None)
}

/// One pool per node: `(cpu_m, memory, allocated cpu_m, allocated memory)`; the allocation is
/// made by a bound filler pod. Returns the cluster and an unsubmitted pod asking `(cpu_m, memory)`.
pub fn cluster_with_nodes(nodes: &[(u64, u64, u64, u64)], ask: (u64, u64)) -> (Cluster, Pod) {
    let pools = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| pool(&format!("p{i}"), Resources::new(n.0, n.1, 0)))
        .collect();
    let mut cluster = Cluster::new(
        vec!["zone-a".into()],
        pools,
        vec![PodTemplate::default()],
        vec!["w".into()],
    );
    for (i, n) in nodes.iter().enumerate() {
        let id = cluster.launch_node(PoolId(i as u32), 0, SimTime::ZERO, true);
        if n.2 > 0 || n.3 > 0 {
            let filler = cluster.submit_pod(pod(Resources::new(n.2, n.3, 0)));
            cluster.bind(filler, id, SimTime::ZERO);
        }
    }
    (cluster, pod(Resources::new(ask.0, ask.1, 0)))
}

pub fn pod_ref_of<'a>(cluster: &'a Cluster, pod: &'a Pod) -> PodRef<'a> {
    PodRef::new(cluster, pod)
}
