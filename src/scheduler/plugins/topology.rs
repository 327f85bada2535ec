//! Counting pods per topology domain, shared by the plug-ins that look at other pods
//! (PodTopologySpread, InterPodAffinity).
//!
//! The cluster keeps, for every constraint's selection, how many picked pods each node holds
//! ([`Selection::on`], updated on bind and unbind), so a host's count is O(1) and a zone's or
//! every domain's O(nodes); a pod's [`crate::scheduler::CycleState`] keeps the per-domain
//! counts for its whole cycle. These plug-ins return at once for pods without constraints, so
//! other pods pay nothing.

use crate::model::{Cluster, Node};
use crate::model::{LabelSelector, PodTemplate, Selection, TopologyKey};
use crate::model::{TaintEffect, TopologySpreadConstraint};

/// True if the pod being scheduled (template `t`, of workload `workload`) is itself selected.
pub fn selects_own(selector: &LabelSelector, workload: u32, t: &PodTemplate) -> bool {
    match selector {
        LabelSelector::Workload(w) => *w == workload,
        LabelSelector::Labels(want) => want.iter().all(|(k, v)| t.labels.get(k) == Some(v)),
    }
}

/// The domain of `node` under `key`: the zone index or the node id.
pub fn domain(key: TopologyKey, node: &Node) -> u32 {
    match key {
        TopologyKey::Zone => node.zone,
        TopologyKey::Hostname => node.id.0,
    }
}

/// True if `node` meets the pod's node selector and required node affinity (Kubernetes counts
/// spread domains over those nodes only).
pub fn node_eligible(t: &PodTemplate, node: &Node, cluster: &Cluster) -> bool {
    t.node_selector
        .iter()
        .all(|(k, v)| cluster.node_label(node, k) == Some(v.as_str()))
        && t.node_affinity
            .required
            .iter()
            .all(|r| r.matches(cluster.node_label(node, &r.key)))
}

/// True if the taints of `node` that keep pods off (`NoSchedule`, `NoExecute`) are all
/// tolerated by template `t`.
pub fn taints_tolerated(t: &PodTemplate, node: &Node, cluster: &Cluster) -> bool {
    cluster
        .taints(node)
        .filter(|taint| taint.effect != TaintEffect::PreferNoSchedule)
        .all(|taint| t.tolerations.iter().any(|tol| tol.tolerates(taint)))
}

/// True if constraint `c` of template `t` counts `node` (Kubernetes' node inclusion
/// policies: node affinity honoured by default, taints ignored by default).
pub fn node_counted(
    t: &PodTemplate,
    c: &TopologySpreadConstraint,
    node: &Node,
    cluster: &Cluster,
) -> bool {
    (!c.honor_node_affinity || node_eligible(t, node, cluster))
        && (!c.honor_node_taints || taints_tolerated(t, node, cluster))
}

/// Matching pods per domain over the up nodes constraint `c` of template `t` counts (see
/// [`node_counted`]), as `(domain, count)` sorted by domain; every such domain is present,
/// with 0 if it holds no matching pod.
pub fn domain_counts(
    cluster: &Cluster,
    t: &PodTemplate,
    c: &TopologySpreadConstraint,
    selection: &Selection,
) -> Vec<(u32, u32)> {
    let mut counts: Vec<(u32, u32)> = Vec::new();
    for &id in cluster.node_order() {
        let node = cluster.node(id);
        if !node.is_up() || !node_counted(t, c, node, cluster) {
            continue;
        }
        let n = selection.on(id);
        let d = domain(c.topology_key, node);
        match counts.binary_search_by_key(&d, |c| c.0) {
            Ok(i) => counts[i].1 += n,
            Err(i) => counts.insert(i, (d, n)),
        }
    }
    counts
}

/// True if `node` is not one of the cluster's nodes: a template node an autoscaler is
/// considering (its id is past the cluster's nodes).
pub fn hypothetical(node: &Node, cluster: &Cluster) -> bool {
    node.id.0 as usize >= cluster.nodes.len()
}

/// Pods `selection` picks on `node`: its kept count, or for a hypothetical node its own pods.
pub fn picked_on(cluster: &Cluster, selection: &Selection, node: &Node) -> u32 {
    if hypothetical(node, cluster) {
        node.pods
            .iter()
            .filter(|&&p| selection.picks(cluster.pod(p)))
            .count() as u32
    } else {
        selection.on(node.id)
    }
}

/// Pods `selection` picks in the domain of `here` under `key` (all live nodes, eligible or
/// not). A hypothetical `here` counts its own pods into its domain.
pub fn count_in_domain(
    cluster: &Cluster,
    key: TopologyKey,
    here: &Node,
    selection: &Selection,
) -> u32 {
    match key {
        TopologyKey::Hostname => picked_on(cluster, selection, here),
        TopologyKey::Zone => {
            let mut n: u32 = cluster
                .node_order()
                .iter()
                .filter(|&&id| cluster.node(id).zone == here.zone)
                .map(|&id| selection.on(id))
                .sum();
            if hypothetical(here, cluster) {
                n += picked_on(cluster, selection, here);
            }
            n
        }
    }
}

#[cfg(test)]
pub(crate) mod testing {
    use crate::model::PodTemplate;
    use crate::model::{Cluster, NodeId, PoolId, TemplateId};
    use crate::quantity::Resources;
    use crate::scheduler::testkit::{pod, pool};
    use crate::time::SimTime;

    /// Three zones a, b, c; `nodes[i] = (zone, pods of each template on it)` (template `t` is
    /// workload `t`). Returns the
    /// cluster and the node ids.
    pub fn cluster(templates: Vec<PodTemplate>, nodes: &[(u32, &[u32])]) -> (Cluster, Vec<NodeId>) {
        let names = (0..templates.len()).map(|i| format!("w{i}")).collect();
        let mut c = Cluster::new(
            vec!["a".into(), "b".into(), "c".into()],
            vec![pool("p", Resources::new(100_000, 0, 0))],
            templates,
            names,
        );
        let mut ids = Vec::new();
        for &(zone, per_template) in nodes {
            let id = c.launch_node(PoolId(0), zone, SimTime::ZERO, true);
            for (t, &n) in per_template.iter().enumerate() {
                for _ in 0..n {
                    let mut p = pod(Resources::new(1, 0, 0));
                    p.template = TemplateId(t as u32);
                    p.workload = t as u32;
                    let pid = c.submit_pod(p);
                    c.bind(pid, id, SimTime::ZERO);
                }
            }
            ids.push(id);
        }
        (c, ids)
    }
}
