//! "Why pending": Kubernetes' FailedScheduling message, counted over nodes.

use std::collections::BTreeMap;

use crate::model::{Cluster, NodeId, PoolId};
use crate::scheduler::framework::{Filter, PodRef, Reason};

/// Runs `filters` over every live node and renders Kubernetes' message, e.g.
/// `0/12 nodes are available: 8 Insufficient cpu, 4 node(s) had untolerated taint {spot: true}.`
/// Like Kubernetes, each node counts once per reason and the "N reason" parts are sorted.
pub fn unschedulable_message(
    filters: &[Box<dyn Filter>],
    pod: &PodRef,
    cluster: &Cluster,
) -> String {
    let reasons = count_reasons(filters, pod, cluster);
    render_message(&reasons, cluster.node_order().len())
}

/// Kubernetes' message from reason counts over `total` nodes.
pub fn render_message(reasons: &BTreeMap<String, usize>, total: usize) -> String {
    let mut parts: Vec<String> = reasons.iter().map(|(r, n)| format!("{n} {r}")).collect();
    parts.sort();
    if parts.is_empty() {
        format!("0/{total} nodes are available.")
    } else {
        format!("0/{total} nodes are available: {}.", parts.join(", "))
    }
}

/// Reason text → number of nodes rejected for it.
///
/// Rejections are first counted by a compact key (the reason, the node's pool, and the node
/// itself only if it has run-time taints, the one thing besides the pool a text depends on), so
/// texts are rendered once per distinct key rather than once per node.
pub fn count_reasons(
    filters: &[Box<dyn Filter>],
    pod: &PodRef,
    cluster: &Cluster,
) -> BTreeMap<String, usize> {
    type Key = (Reason, PoolId, Option<NodeId>);
    let mut by_key: Vec<(Key, usize, NodeId)> = Vec::new();
    for &id in cluster.node_order() {
        let node = cluster.node(id);
        if let Some(reason) = filters
            .iter()
            .find_map(|f| f.filter(pod, node, cluster).err())
        {
            let key = (
                reason,
                node.pool,
                (!node.extra_taints.is_empty()).then_some(id),
            );
            match by_key.iter_mut().find(|(k, _, _)| *k == key) {
                Some((_, n, _)) => *n += 1,
                None => by_key.push((key, 1, id)),
            }
        }
    }
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for ((reason, _, _), n, example) in by_key {
        for text in reason_texts(reason, cluster.node(example), cluster) {
            *counts.entry(text).or_default() += n;
        }
    }
    counts
}

/// The user-facing texts of one rejection, in Kubernetes' words.
pub fn reason_texts(reason: Reason, node: &crate::model::Node, cluster: &Cluster) -> Vec<String> {
    match reason {
        Reason::Insufficient {
            cpu,
            memory,
            gpu,
            pods,
        } => {
            let mut v = Vec::new();
            if pods {
                v.push("Too many pods".to_string());
            }
            if cpu {
                v.push("Insufficient cpu".to_string());
            }
            if memory {
                v.push("Insufficient memory".to_string());
            }
            if gpu {
                v.push("Insufficient nvidia.com/gpu".to_string());
            }
            v
        }
        Reason::UntoleratedTaint { index } => {
            let taint = cluster.taints(node).nth(index as usize);
            vec![match taint {
                Some(t) => format!("node(s) had untolerated taint {{{}: {}}}", t.key, t.value),
                None => "node(s) had untolerated taint".to_string(),
            }]
        }
        Reason::NodeSelectorMismatch => {
            vec!["node(s) didn't match Pod's node affinity/selector".to_string()]
        }
        Reason::Unschedulable => vec!["node(s) were unschedulable".to_string()],
        Reason::TopologySpread => {
            vec!["node(s) didn't match pod topology spread constraints".to_string()]
        }
        Reason::AntiAffinity => {
            vec!["node(s) didn't match pod anti-affinity rules".to_string()]
        }
    }
}
