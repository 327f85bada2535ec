use crate::model::{Cluster, Node};
use crate::scheduler::framework::{Filter, PodRef, Reason};

use super::topology::{count_in_domain, selects, selects_own};

/// Kubernetes' InterPodAffinity filter, for required anti-affinity: the node is rejected if its
/// domain (zone or host) holds a pod the pod's terms select, or a pod whose own anti-affinity
/// selects the incoming pod (the rule is symmetric, as in Kubernetes).
pub struct InterPodAffinity;

impl Filter for InterPodAffinity {
    fn name(&self) -> &'static str {
        "InterPodAffinity"
    }

    fn looks_at_other_pods(&self) -> bool {
        true
    }

    /// Passes every node when neither this pod nor any template has anti-affinity terms.
    fn shape_only(&self, pod: &PodRef, cluster: &Cluster) -> bool {
        pod.template.anti_affinity.is_empty() && cluster.anti_affinity_templates.is_empty()
    }

    fn filter(&self, pod: &PodRef, node: &Node, cluster: &Cluster) -> Result<(), Reason> {
        let t = pod.template;
        for term in &t.anti_affinity {
            if count_in_domain(cluster, term.topology_key, node, |p| {
                selects(cluster, &term.label_selector, &t.namespace, p)
            }) > 0
            {
                return Err(Reason::AntiAffinity);
            }
        }
        // Existing pods' terms that select this pod: none of their pods may share its domain.
        for &i in &cluster.anti_affinity_templates {
            let other = &cluster.templates[i];
            if other.namespace != t.namespace {
                continue;
            }
            for term in &other.anti_affinity {
                if !selects_own(&term.label_selector, pod.pod.workload, t) {
                    continue;
                }
                // The pods carrying the term: those of template `i`.
                if count_in_domain(cluster, term.topology_key, node, |p| {
                    p.template.0 == i as u32
                }) > 0
                {
                    return Err(Reason::AntiAffinity);
                }
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
