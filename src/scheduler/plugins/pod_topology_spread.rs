use crate::model::{Cluster, Node};
use crate::model::{TopologyKey, WhenUnsatisfiable};
use crate::scheduler::framework::{Filter, MAX_NODE_SCORE, PodRef, Reason, Score};

use super::topology::{domain, domain_counts, hypothetical, selects, selects_own};

/// Kubernetes' PodTopologySpread filter, for `DoNotSchedule` constraints: placing the pod on
/// the node must keep `count(node's domain) + self − min(count over domains) ≤ max_skew`, where
/// counts are the matching pods of the pod's namespace on nodes meeting the pod's node selector
/// and required node affinity, and `self` is 1 when the pod matches its own selector.
pub struct PodTopologySpread;

impl Filter for PodTopologySpread {
    fn name(&self) -> &'static str {
        "PodTopologySpread"
    }

    fn looks_at_other_pods(&self) -> bool {
        true
    }

    fn filter(&self, pod: &PodRef, node: &Node, cluster: &Cluster) -> Result<(), Reason> {
        let t = pod.template;
        for c in &t.topology_spread {
            if c.when_unsatisfiable != WhenUnsatisfiable::DoNotSchedule {
                continue;
            }
            let counts = domain_counts(cluster, t, c.topology_key, &c.label_selector);
            let mut min = counts.iter().map(|c| c.1).min().unwrap_or(0);
            let d = domain(c.topology_key, node);
            let mut here = match c.topology_key {
                // A template node's hostname is a domain of its own.
                TopologyKey::Hostname if hypothetical(node, cluster) => 0,
                _ => counts
                    .binary_search_by_key(&d, |c| c.0)
                    .map_or(0, |i| counts[i].1),
            };
            if hypothetical(node, cluster) {
                here += node
                    .pods
                    .iter()
                    .filter(|&&p| selects(cluster, &c.label_selector, &t.namespace, cluster.pod(p)))
                    .count() as u32;
                if c.topology_key == TopologyKey::Hostname {
                    min = min.min(here);
                }
            }
            let self_match = selects_own(&c.label_selector, pod.pod.workload, t) as u32;
            if (here + self_match).saturating_sub(min) > c.max_skew {
                return Err(Reason::TopologySpread);
            }
        }
        Ok(())
    }
}

/// Kubernetes' PodTopologySpread score, for `ScheduleAnyway` constraints: fewer matching pods
/// in the node's domain is better. Per constraint `(max − here) × 100 / (max − min)` over the
/// domains' counts (100 when all are equal), averaged over the constraints; Kubernetes
/// normalises over the scored nodes instead. A pod without such constraints scores 0
/// everywhere (no preference), as in Kubernetes.
pub struct PodTopologySpreadScore;

impl Score for PodTopologySpreadScore {
    fn name(&self) -> &'static str {
        "PodTopologySpread"
    }

    fn score(&self, pod: &PodRef, node: &Node, cluster: &Cluster) -> i64 {
        let t = pod.template;
        let mut sum = 0;
        let mut n = 0;
        for c in &t.topology_spread {
            if c.when_unsatisfiable != WhenUnsatisfiable::ScheduleAnyway {
                continue;
            }
            n += 1;
            let counts = domain_counts(cluster, t, c.topology_key, &c.label_selector);
            let min = counts.iter().map(|c| c.1).min().unwrap_or(0) as i64;
            let max = counts.iter().map(|c| c.1).max().unwrap_or(0) as i64;
            let d = domain(c.topology_key, node);
            let here = counts
                .binary_search_by_key(&d, |c| c.0)
                .map_or(max, |i| counts[i].1 as i64);
            sum += if max == min {
                MAX_NODE_SCORE
            } else {
                (max - here) * MAX_NODE_SCORE / (max - min)
            };
        }
        if n == 0 { 0 } else { sum / n }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TemplateId;
    use crate::model::{LabelSelector, PodTemplate, TopologyKey, TopologySpreadConstraint};
    use crate::quantity::Resources;
    use crate::scheduler::plugins::topology::testing::cluster;
    use crate::scheduler::testkit::pod;

    fn template(key: TopologyKey, when: WhenUnsatisfiable, max_skew: u32) -> PodTemplate {
        PodTemplate {
            topology_spread: vec![TopologySpreadConstraint {
                max_skew,
                topology_key: key,
                when_unsatisfiable: when,
                label_selector: LabelSelector::Workload(0),
            }],
            ..PodTemplate::default()
        }
    }

    #[test]
    fn do_not_schedule_keeps_skew_within_max() {
        use TopologyKey::*;
        use WhenUnsatisfiable::DoNotSchedule;
        // Nodes: n0 zone a with 2 own pods, n1 zone b with 1, n2 zone c with 0, n3 zone c with 0.
        // Zone counts a 2, b 1, c 0 → min 0. Host counts 2, 1, 0, 0 → min 0.
        // Skew if placed = here + 1 − min.
        let nodes: &[(u32, &[u32])] = &[(0, &[2]), (1, &[1]), (2, &[0]), (2, &[0])];
        let table = [
            // zone, max_skew 1: a 3 > 1 ✗, b 2 > 1 ✗, c 1 ✓, c 1 ✓
            (Zone, 1, [false, false, true, true]),
            // zone, max_skew 2: a 3 ✗, b 2 ✓, c ✓
            (Zone, 2, [false, true, true, true]),
            // hostname, max_skew 1: n0 3 ✗, n1 2 ✗, n2 1 ✓, n3 1 ✓
            (Hostname, 1, [false, false, true, true]),
            // hostname, max_skew 3: all ✓ (n0 3 ≤ 3)
            (Hostname, 3, [true, true, true, true]),
        ];
        for (i, (key, skew, want)) in table.into_iter().enumerate() {
            let (c, ids) = cluster(vec![template(key, DoNotSchedule, skew)], nodes);
            let p = pod(Resources::new(1, 0, 0));
            let r = PodRef::new(&c, &p);
            let got: Vec<bool> = ids
                .iter()
                .map(|&n| PodTopologySpread.filter(&r, c.node(n), &c).is_ok())
                .collect();
            assert_eq!(got, want, "case {i}");
        }
    }

    #[test]
    fn other_templates_and_soft_constraints_do_not_filter() {
        // Template 1's pods are not selected (selector: template 0's own pods), so 5 of them
        // in zone a change nothing: zone counts 0, 0, 0 → every node fits with max_skew 1.
        let nodes: &[(u32, &[u32])] = &[(0, &[0, 5]), (1, &[0, 0]), (2, &[0, 0])];
        let t0 = template(TopologyKey::Zone, WhenUnsatisfiable::DoNotSchedule, 1);
        let (c, ids) = cluster(vec![t0, PodTemplate::default()], nodes);
        let p = pod(Resources::new(1, 0, 0));
        let r = PodRef::new(&c, &p);
        assert!(
            ids.iter()
                .all(|&n| PodTopologySpread.filter(&r, c.node(n), &c).is_ok())
        );
        // A ScheduleAnyway constraint never rejects: zone a holds 3, others 0.
        let nodes: &[(u32, &[u32])] = &[(0, &[3]), (1, &[0]), (2, &[0])];
        let soft = template(TopologyKey::Zone, WhenUnsatisfiable::ScheduleAnyway, 1);
        let (c, ids) = cluster(vec![soft], nodes);
        let r = PodRef::new(&c, &p);
        assert!(
            ids.iter()
                .all(|&n| PodTopologySpread.filter(&r, c.node(n), &c).is_ok())
        );
    }

    #[test]
    fn schedule_anyway_scores_emptier_domains_higher() {
        // Zone counts a 4, b 1, c 0 → min 0, max 4. Score (4 − here) × 100 / 4:
        // a 0, b 75, c 100.
        let nodes: &[(u32, &[u32])] = &[(0, &[4]), (1, &[1]), (2, &[0])];
        let soft = template(TopologyKey::Zone, WhenUnsatisfiable::ScheduleAnyway, 1);
        let (c, ids) = cluster(vec![soft], nodes);
        let mut p = pod(Resources::new(1, 0, 0));
        p.template = TemplateId(0);
        let r = PodRef::new(&c, &p);
        let got: Vec<i64> = ids
            .iter()
            .map(|&n| PodTopologySpreadScore.score(&r, c.node(n), &c))
            .collect();
        assert_eq!(got, vec![0, 75, 100]);
        // No soft constraint: 0 everywhere.
        let (c, ids) = cluster(vec![PodTemplate::default()], nodes);
        let r = PodRef::new(&c, &p);
        assert!(
            ids.iter()
                .all(|&n| PodTopologySpreadScore.score(&r, c.node(n), &c) == 0)
        );
    }
}
