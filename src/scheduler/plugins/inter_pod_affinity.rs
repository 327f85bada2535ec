use crate::model::{Cluster, Node, TopologyKey};
use crate::scheduler::cycle::anti_affinity_terms;
use crate::scheduler::framework::{Filter, PodRef, Reason};

use super::topology::{count_in_domain, hypothetical};

/// Kubernetes' InterPodAffinity filter, for required anti-affinity: the node is rejected if its
/// domain (zone or host) holds a pod the pod's terms select, or a pod whose own anti-affinity
/// selects the incoming pod (the rule is symmetric, as in Kubernetes). Zone counts come from
/// the pod's [`crate::scheduler::CycleState`] when it has one.
pub struct InterPodAffinity;

impl Filter for InterPodAffinity {
    fn name(&self) -> &'static str {
        "InterPodAffinity"
    }

    fn looks_at_other_pods(&self) -> bool {
        true
    }

    /// Passes every node when no anti-affinity term concerns this pod: it has none, and no
    /// template's term selects it.
    fn ignores_other_pods(&self, pod: &PodRef, cluster: &Cluster) -> bool {
        anti_affinity_terms(cluster, pod.pod, pod.template)
            .next()
            .is_none()
    }

    /// Within one cycle the verdict depends on the node's zone, and on whether the node holds
    /// a pod a hostname-keyed term counts: such nodes are judged alone, and all others alike.
    fn shape_only(&self, _: &PodRef, _: &Cluster) -> bool {
        true
    }

    fn has_exceptions(&self, pod: &PodRef, cluster: &Cluster) -> bool {
        anti_affinity_terms(cluster, pod.pod, pod.template)
            .any(|term| term.topology_key == TopologyKey::Hostname)
    }

    fn judged_alone(&self, pod: &PodRef, node: &Node, cluster: &Cluster) -> bool {
        anti_affinity_terms(cluster, pod.pod, pod.template)
            .any(|term| term.topology_key == TopologyKey::Hostname && term.counted.on(node.id) > 0)
    }

    fn filter(&self, pod: &PodRef, node: &Node, cluster: &Cluster) -> Result<(), Reason> {
        let t = pod.template;
        // A template node an autoscaler considers holds pods of its own: count afresh.
        let zone_counts = pod
            .cycle
            .filter(|_| !hypothetical(node, cluster))
            .map(|c| c.anti_affinity(cluster, pod.pod, t));
        for (k, term) in anti_affinity_terms(cluster, pod.pod, t).enumerate() {
            let in_domain = match (term.topology_key, zone_counts) {
                (TopologyKey::Zone, Some(zc)) => zc[k]
                    .as_ref()
                    .and_then(|z| z.get(node.zone as usize).copied())
                    .unwrap_or(0),
                _ => count_in_domain(cluster, term.topology_key, node, term.counted),
            };
            if in_domain > 0 {
                return Err(Reason::AntiAffinity);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TemplateId;
    use crate::model::{AntiAffinityTerm, LabelSelector, PodTemplate, TopologyKey};
    use crate::quantity::Resources;
    use crate::scheduler::plugins::topology::testing::cluster;
    use crate::scheduler::testkit::pod;

    fn anti(key: TopologyKey, selector: LabelSelector) -> PodTemplate {
        PodTemplate {
            anti_affinity: vec![AntiAffinityTerm {
                topology_key: key,
                label_selector: selector,
            }],
            ..PodTemplate::default()
        }
    }

    #[test]
    fn anti_affinity_by_host_and_zone_and_symmetric() {
        use TopologyKey::*;
        // n0 zone a: one template-0 pod; n1 zone a: empty; n2 zone b: one template-1 pod;
        // n3 zone c: empty.
        let nodes: &[(u32, &[u32])] = &[(0, &[1, 0]), (0, &[0, 0]), (1, &[0, 1]), (2, &[0, 0])];
        let own = LabelSelector::Workload(0);
        let table = [
            // Template 0 away from its own pods per host: only n0 holds one.
            (
                anti(Hostname, own.clone()),
                PodTemplate::default(),
                [false, true, true, true],
            ),
            // Per zone: zone a (n0, n1) holds one.
            (
                anti(Zone, own.clone()),
                PodTemplate::default(),
                [false, false, true, true],
            ),
            // Symmetric: template 1's pods keep template-0 pods out of their zone (b), and
            // template 0 has no terms of its own.
            (
                PodTemplate::default(),
                anti(Zone, LabelSelector::Workload(0)),
                [true, true, false, true],
            ),
        ];
        for (i, (t0, t1, want)) in table.into_iter().enumerate() {
            let (c, ids) = cluster(vec![t0, t1], nodes);
            let mut p = pod(Resources::new(1, 0, 0));
            p.template = TemplateId(0);
            let r = PodRef::new(&c, &p);
            let got: Vec<bool> = ids
                .iter()
                .map(|&n| InterPodAffinity.filter(&r, c.node(n), &c).is_ok())
                .collect();
            assert_eq!(got, want, "case {i}");
        }
    }
}
