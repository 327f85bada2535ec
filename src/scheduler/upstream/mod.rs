//! Kubernetes' own scheduler plug-in tests, translated case by case. Each file is named after
//! the upstream test file (`pkg/scheduler/framework/plugins/...`), each case carries the
//! upstream case name, and every expressible case must give Kubernetes' number. Cases that
//! clustersim cannot express (multi-container pods, extended resources other than GPUs,
//! feature-gated operators) say so where they are left out.

mod balanced_allocation_test;
mod fit_test;
mod framework_types_test;
mod least_allocated_test;
mod most_allocated_test;
mod node_affinity_test;
mod pod_topology_spread_filtering_test;
mod pod_topology_spread_scoring_test;
mod requested_to_capacity_ratio_test;
mod taint_toleration_test;

use crate::model::{
    Cluster, PodTemplate, PoolId, Taint, TaintEffect, Toleration, TolerationOperator,
};
use crate::quantity::Resources;
use crate::scheduler::framework::{PodRef, Score, score_column};
use crate::scheduler::testkit::{pod, pool};
use crate::time::SimTime;

/// A taint `key=value:effect`.
pub fn taint(key: &str, value: &str, effect: TaintEffect) -> Taint {
    Taint {
        key: key.into(),
        value: value.into(),
        effect,
    }
}

/// A toleration; `effect` `None` is upstream's empty effect (any effect).
pub fn toleration(
    key: &str,
    operator: TolerationOperator,
    value: &str,
    effect: Option<TaintEffect>,
) -> Toleration {
    Toleration {
        key: key.into(),
        operator,
        value: value.into(),
        effect,
    }
}

/// One node per entry (its own pool, 4 cpu and 4 GiB, no labels), with the given taints, and a
/// pod template of `template`.
pub fn cluster_of(taints: &[Vec<Taint>], template: PodTemplate) -> Cluster {
    let unlabelled: Vec<&[(&str, &str)]> = vec![&[]; taints.len()];
    let mut c = cluster_labelled(&unlabelled, template);
    for (node, t) in c.nodes.iter_mut().zip(taints) {
        node.extra_taints = t.clone();
    }
    c
}

/// One node per entry (its own pool, 4 cpu and 4 GiB), labelled with the given pairs, and a pod
/// template of `template`.
pub fn cluster_labelled(labels: &[&[(&str, &str)]], template: PodTemplate) -> Cluster {
    let pools = labels
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let mut p = pool(&format!("node{i}"), Resources::new(4000, 4 << 30, 0));
            p.labels = l
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            p
        })
        .collect();
    let mut c = Cluster::new(
        vec!["zone-a".into()],
        pools,
        vec![template],
        vec!["w".into()],
    );
    for i in 0..labels.len() {
        c.launch_node(PoolId(i as u32), 0, SimTime::ZERO, true);
    }
    c
}

/// The final (normalized) scores of `plugin` for a pod asking `requests` on every node of
/// `cluster`, all nodes taken as feasible (as the upstream score tests do); `None` if the
/// plug-in skips the pod.
pub fn scores(plugin: &dyn Score, cluster: &Cluster, requests: Resources) -> Option<Vec<i64>> {
    let p = pod(requests);
    let r = PodRef::new(cluster, &p);
    let nodes: Vec<_> = cluster
        .node_order()
        .iter()
        .map(|&n| cluster.node(n))
        .collect();
    score_column(plugin, &r, &nodes, cluster)
}
