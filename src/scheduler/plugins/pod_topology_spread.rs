use crate::model::{Cluster, Node};
use crate::model::{TopologyKey, WhenUnsatisfiable};
use crate::scheduler::framework::{Filter, MAX_NODE_SCORE, PodRef, Reason, Score};

use crate::scheduler::cycle::spread_counts;

use super::topology::{domain, domain_counts, hypothetical, picked_on, selects_own};

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

    /// Passes every node when the pod has no `DoNotSchedule` constraint.
    fn ignores_other_pods(&self, pod: &PodRef, _: &Cluster) -> bool {
        !pod.template
            .topology_spread
            .iter()
            .any(|c| c.when_unsatisfiable == WhenUnsatisfiable::DoNotSchedule)
    }

    /// Within one cycle the verdict depends on the node's domain only: its zone, or for a
    /// hostname key its own count, the same (0) for every node a constraint's selector finds
    /// no pod on; the others are judged alone.
    fn shape_only(&self, _: &PodRef, _: &Cluster) -> bool {
        true
    }

    fn has_exceptions(&self, pod: &PodRef, _: &Cluster) -> bool {
        pod.template.topology_spread.iter().any(|c| {
            c.when_unsatisfiable == WhenUnsatisfiable::DoNotSchedule
                && c.topology_key == TopologyKey::Hostname
        })
    }

    fn judged_alone(&self, pod: &PodRef, node: &Node, cluster: &Cluster) -> bool {
        pod.template
            .topology_spread
            .iter()
            .enumerate()
            .any(|(k, c)| {
                c.when_unsatisfiable == WhenUnsatisfiable::DoNotSchedule
                    && c.topology_key == TopologyKey::Hostname
                    && cluster.spread_selection(pod.pod.template, k).on(node.id) > 0
            })
    }

    fn filter(&self, pod: &PodRef, node: &Node, cluster: &Cluster) -> Result<(), Reason> {
        let t = pod.template;
        if t.topology_spread.is_empty() {
            return Ok(());
        }
        // PreFilter: the counts per domain, kept in the pod's cycle state when it has one.
        let fresh;
        let all = match pod.cycle {
            Some(cycle) => cycle.spread(cluster, pod.pod),
            None => {
                fresh = spread_counts(cluster, pod.pod);
                &fresh[..]
            }
        };
        for (k, (c, counts)) in t.topology_spread.iter().zip(all).enumerate() {
            if c.when_unsatisfiable != WhenUnsatisfiable::DoNotSchedule {
                continue;
            }
            let mut min = counts.min;
            let mut here = match c.topology_key {
                // A template node's hostname is a domain of its own.
                TopologyKey::Hostname if hypothetical(node, cluster) => 0,
                _ => counts.at(domain(c.topology_key, node)),
            };
            if hypothetical(node, cluster) {
                here += picked_on(cluster, cluster.spread_selection(pod.pod.template, k), node);
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
/// in the node's domain is better, by upstream's formula (see [`Score::normalize`] below). A pod
/// without such constraints is skipped at PreScore. Simplified: Kubernetes' default
/// constraints for pods without any (spread by host and zone over the pods of the same
/// Service or ReplicaSet) are not applied.
pub struct PodTopologySpreadScore;

impl Score for PodTopologySpreadScore {
    fn name(&self) -> &'static str {
        "PodTopologySpread"
    }

    /// When the pod has no constraints (it is then skipped at PreScore).
    fn shape_only(&self, pod: &PodRef, _: &Cluster) -> bool {
        pod.template.topology_spread.is_empty()
    }

    /// PreScore: only pods with a `ScheduleAnyway` constraint are scored.
    fn applies(&self, pod: &PodRef, _: &Cluster) -> bool {
        pod.template
            .topology_spread
            .iter()
            .any(|c| c.when_unsatisfiable == WhenUnsatisfiable::ScheduleAnyway)
    }

    /// The raw score depends on the feasible nodes (the number of domains among them), so it
    /// is computed in [`Score::normalize`], which sees them.
    fn score(&self, _: &PodRef, _: &Node, _: &Cluster) -> i64 {
        0
    }

    fn normalizes(&self) -> bool {
        true
    }

    /// Kubernetes' Score and NormalizeScore together. Raw, per node: for each soft constraint,
    /// `matching pods in the node's domain × ln(domains + 2) + (maxSkew − 1)`, summed and
    /// rounded once (half away from zero), where `domains` is the number of distinct zones
    /// among the feasible nodes, or the number of feasible nodes for `hostname`. Normalized:
    /// `100 × (max + min − raw) ÷ max` (all 100 when max is 0), so the least crowded node gets
    /// 100 and the most crowded `100 × min ÷ max`.
    fn normalize(&self, pod: &PodRef, nodes: &[&Node], cluster: &Cluster, scores: &mut [i64]) {
        let t = pod.template;
        let soft: Vec<_> = t
            .topology_spread
            .iter()
            .enumerate()
            .filter(|(_, c)| c.when_unsatisfiable == WhenUnsatisfiable::ScheduleAnyway)
            .map(|(k, c)| (c, cluster.spread_selection(pod.pod.template, k)))
            .collect();
        let zones: std::collections::BTreeSet<u32> = nodes.iter().map(|n| n.zone).collect();
        let weight = |key: TopologyKey| {
            let size = match key {
                TopologyKey::Zone => zones.len(),
                TopologyKey::Hostname => nodes.len(),
            };
            ((size + 2) as f64).ln()
        };
        let counts: Vec<Option<Vec<(u32, u32)>>> = soft
            .iter()
            .map(|(c, selection)| {
                (c.topology_key == TopologyKey::Zone)
                    .then(|| domain_counts(cluster, t, c, selection))
            })
            .collect();
        for (j, node) in nodes.iter().enumerate() {
            let mut raw = 0.0f64;
            for ((c, selection), zone_counts) in soft.iter().zip(&counts) {
                let n = match zone_counts {
                    Some(zc) => zc
                        .binary_search_by_key(&node.zone, |e| e.0)
                        .map_or(0, |i| zc[i].1),
                    None => picked_on(cluster, selection, node),
                };
                raw += n as f64 * weight(c.topology_key) + (c.max_skew as f64 - 1.0);
            }
            scores[j] = raw.round() as i64;
        }
        let max = scores.iter().copied().max().unwrap_or(0);
        let min = scores.iter().copied().min().unwrap_or(0);
        for s in scores.iter_mut() {
            *s = if max == 0 {
                MAX_NODE_SCORE
            } else {
                MAX_NODE_SCORE * (max + min - *s) / max
            };
        }
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
                min_domains: None,
                honor_node_affinity: true,
                honor_node_taints: false,
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
    fn the_minimum_is_taken_over_eligible_domains() {
        use WhenUnsatisfiable::DoNotSchedule;
        // Zone counts a 3, b 2, c 1 → min 1; skew if placed = here + 1 − 1 = here.
        // max_skew 1: a 3 ✗, b 2 ✗, c 1 ✓ (with a minimum of 0, c would give 2 ✗).
        let nodes: &[(u32, &[u32])] = &[(0, &[3]), (1, &[2]), (2, &[1])];
        let (c, ids) = cluster(vec![template(TopologyKey::Zone, DoNotSchedule, 1)], nodes);
        let p = pod(Resources::new(1, 0, 0));
        let cycle = crate::scheduler::CycleState::default();
        for r in [PodRef::new(&c, &p), PodRef::new(&c, &p).with_cycle(&cycle)] {
            let got: Vec<bool> = ids
                .iter()
                .map(|&n| PodTopologySpread.filter(&r, c.node(n), &c).is_ok())
                .collect();
            assert_eq!(got, [false, false, true]);
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
        // Zone counts a 4, b 1, c 0 over three feasible zones: weight ln(3 + 2) = 1.609.
        // Raw 4 × 1.609 = 6.44 → 6, 1.61 → 2, 0; normalized 100 × (6 + 0 − raw) / 6:
        // a 0, b 66, c 100.
        let nodes: &[(u32, &[u32])] = &[(0, &[4]), (1, &[1]), (2, &[0])];
        let soft = template(TopologyKey::Zone, WhenUnsatisfiable::ScheduleAnyway, 1);
        let (c, ids) = cluster(vec![soft], nodes);
        let mut p = pod(Resources::new(1, 0, 0));
        p.template = TemplateId(0);
        let r = PodRef::new(&c, &p);
        let all: Vec<_> = ids.iter().map(|&n| c.node(n)).collect();
        let got = crate::scheduler::framework::score_column(&PodTopologySpreadScore, &r, &all, &c);
        assert_eq!(got, Some(vec![0, 66, 100]));
        // No soft constraint: skipped at PreScore.
        let (c, _) = cluster(vec![PodTemplate::default()], nodes);
        let r = PodRef::new(&c, &p);
        assert!(!PodTopologySpreadScore.applies(&r, &c));
    }
}
