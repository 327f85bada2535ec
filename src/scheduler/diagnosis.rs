//! "Why pending": Kubernetes' FailedScheduling message, counted over nodes.

use std::collections::BTreeMap;

use crate::model::Cluster;
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
pub fn count_reasons(
    filters: &[Box<dyn Filter>],
    pod: &PodRef,
    cluster: &Cluster,
) -> BTreeMap<String, usize> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for &id in cluster.node_order() {
        let node = cluster.node(id);
        if let Some(reason) = filters
            .iter()
            .find_map(|f| f.filter(pod, node, cluster).err())
        {
            for text in reason_texts(reason, node, cluster) {
                *counts.entry(text).or_default() += 1;
            }
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
