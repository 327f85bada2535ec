//! Kubernetes' CycleState: what the PreFilter of a plug-in that looks at other pods works out
//! once per pod and scheduling cycle, so that its Filter costs O(log domains) per node instead
//! of a walk over every node.
//!
//! - PodTopologySpread: for each `DoNotSchedule` constraint, the matching pods per domain over
//!   the nodes eligible for the pod, and their minimum (upstream's `TpPairToMatchNum` and
//!   critical paths).
//! - InterPodAffinity: for each zone-keyed anti-affinity term that concerns the pod (its own,
//!   and existing pods' terms that select it), the matching pods per zone (upstream's
//!   `antiAffinityCounts` and `existingAntiAffinityCounts`). Hostname-keyed terms read the
//!   node's kept count, O(1).
//!
//! Both are sums of the per-node counts the cluster keeps for every constraint's selection
//! ([`crate::model::Selection::on`]), O(nodes) per pod. A state is worked out lazily, on the
//! first node a filter judges, and is valid only while the cluster is unchanged: callers make
//! one per pod per decision and drop it before binding. A [`crate::scheduler::PodRef`] without
//! one (what-if planners that bind as they go, tests) makes the filters sum afresh on every
//! call, with the same verdicts; the randomized index equivalence test checks both ways
//! against each other.

use std::cell::OnceCell;

use crate::model::{Cluster, Pod, PodTemplate, Selection, TopologyKey, WhenUnsatisfiable};

use super::plugins::topology::{domain_counts, selects_own};

/// Per-pod PreFilter results, filled on first use.
#[derive(Default)]
pub struct CycleState {
    spread: OnceCell<Vec<SpreadCounts>>,
    anti_affinity: OnceCell<Vec<Option<Vec<u32>>>>,
}

/// One topology spread constraint's matching pods per eligible domain (sorted by domain,
/// zero counts included) and their minimum (0 while fewer domains than `min_domains` exist);
/// empty for `ScheduleAnyway` constraints.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SpreadCounts {
    pub counts: Vec<(u32, u32)>,
    pub min: u32,
}

impl SpreadCounts {
    /// Matching pods in domain `d` (0 if no eligible node is there).
    pub fn at(&self, d: u32) -> u32 {
        self.counts
            .binary_search_by_key(&d, |c| c.0)
            .map_or(0, |i| self.counts[i].1)
    }
}

impl CycleState {
    /// Per constraint of the pod's `topology_spread`, in order.
    pub fn spread(&self, cluster: &Cluster, pod: &Pod) -> &[SpreadCounts] {
        self.spread.get_or_init(|| spread_counts(cluster, pod))
    }

    /// Per term of [`anti_affinity_terms`], in order: matching pods per zone for a zone key,
    /// `None` for a hostname key.
    pub fn anti_affinity(
        &self,
        cluster: &Cluster,
        pod: &Pod,
        t: &PodTemplate,
    ) -> &[Option<Vec<u32>>] {
        self.anti_affinity
            .get_or_init(|| anti_affinity_zone_counts(cluster, pod, t))
    }
}

/// What [`CycleState::spread`] holds, computed now.
pub fn spread_counts(cluster: &Cluster, pod: &Pod) -> Vec<SpreadCounts> {
    let t = cluster.template(pod.template);
    t.topology_spread
        .iter()
        .enumerate()
        .map(|(k, c)| {
            if c.when_unsatisfiable != WhenUnsatisfiable::DoNotSchedule {
                return SpreadCounts::default();
            }
            let selection = cluster.spread_selection(pod.template, k);
            let counts = domain_counts(cluster, t, c, selection);
            // minDomains: too few eligible domains make the global minimum 0.
            let min = match c.min_domains {
                Some(m) if counts.len() < m as usize => 0,
                _ => counts.iter().map(|c| c.1).min().unwrap_or(0),
            };
            SpreadCounts { counts, min }
        })
        .collect()
}

/// One anti-affinity term that concerns the incoming pod: the term's key and the pods that
/// make a domain forbidden (for its own term, the pods its selector picks; for an existing
/// template's term that selects it, that template's pods).
pub struct TermOnPod<'a> {
    pub topology_key: TopologyKey,
    pub counted: &'a Selection,
}

/// The required anti-affinity terms that concern `pod` (template `t`): its own terms, then,
/// template by template, existing templates' terms of the same namespace that select it (the
/// rule is symmetric, as in Kubernetes).
pub fn anti_affinity_terms<'a>(
    cluster: &'a Cluster,
    pod: &Pod,
    t: &'a PodTemplate,
) -> impl Iterator<Item = TermOnPod<'a>> {
    let owner = pod.template;
    let own = t
        .anti_affinity
        .iter()
        .enumerate()
        .map(move |(k, term)| TermOnPod {
            topology_key: term.topology_key,
            counted: cluster.anti_affinity_selection(owner, k),
        });
    let workload = pod.workload;
    let existing = cluster
        .anti_affinity_templates
        .iter()
        .map(move |&i| (i, &cluster.templates[i]))
        .filter(move |(_, other)| other.namespace == t.namespace)
        .flat_map(move |(i, other)| {
            other
                .anti_affinity
                .iter()
                .filter(move |term| selects_own(&term.label_selector, workload, t))
                .map(move |term| TermOnPod {
                    topology_key: term.topology_key,
                    counted: cluster.own_pods_selection(i),
                })
        });
    own.chain(existing)
}

/// What [`CycleState::anti_affinity`] holds, computed now: one walk over the live nodes.
pub fn anti_affinity_zone_counts(
    cluster: &Cluster,
    pod: &Pod,
    t: &PodTemplate,
) -> Vec<Option<Vec<u32>>> {
    anti_affinity_terms(cluster, pod, t)
        .map(|term| {
            (term.topology_key == TopologyKey::Zone).then(|| {
                let mut per_zone = vec![0u32; cluster.zones.len()];
                for &id in cluster.node_order() {
                    let zone = cluster.node(id).zone as usize;
                    if let Some(z) = per_zone.get_mut(zone) {
                        *z += term.counted.on(id);
                    }
                }
                per_zone
            })
        })
        .collect()
}
