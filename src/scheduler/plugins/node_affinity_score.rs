use crate::model::{Cluster, Node};
use crate::scheduler::framework::{PodRef, Score, default_normalize};

/// Kubernetes' NodeAffinity score for preferred node affinity: the weights of the preferred
/// terms whose requirements the node all meets, summed; NormalizeScore then scales the sums
/// across the feasible nodes so the best scores 100 (`100 × sum ÷ max sum`, integer division).
/// A pod without preferences is skipped at PreScore, as upstream.
pub struct NodeAffinityScore;

impl Score for NodeAffinityScore {
    fn name(&self) -> &'static str {
        "NodeAffinity"
    }

    /// Pool labels and the zone, unless a key is the node's hostname; normalized through the
    /// maximum raw score.
    fn shape_only(&self, pod: &PodRef, _: &Cluster) -> bool {
        !pod.template.node_affinity.preferred.iter().any(|t| {
            t.requirements
                .iter()
                .any(|r| super::node_selector::per_node_label(&r.key))
        })
    }

    /// PreScore: a pod without preferred terms is not scored (Kubernetes' Skip).
    fn applies(&self, pod: &PodRef, _: &Cluster) -> bool {
        !pod.template.node_affinity.preferred.is_empty()
    }

    /// The raw score: the sum of the weights of the preferred terms the node matches.
    fn score(&self, pod: &PodRef, node: &Node, cluster: &Cluster) -> i64 {
        pod.template
            .node_affinity
            .preferred
            .iter()
            .filter(|t| {
                t.requirements
                    .iter()
                    .all(|r| r.matches(cluster.node_label(node, &r.key)))
            })
            .map(|t| t.weight)
            .sum()
    }

    fn normalizes(&self) -> bool {
        true
    }

    /// The best-matching feasible node → 100, the others in proportion.
    fn normalize(&self, _: &PodRef, _: &[&Node], _: &Cluster, scores: &mut [i64]) {
        default_normalize(scores, false);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PoolId;
    use crate::model::{LabelOperator, LabelRequirement, PodTemplate, PreferredTerm};
    use crate::quantity::Resources;
    use crate::scheduler::testkit::{pod, pool};
    use crate::time::SimTime;

    #[test]
    fn weights_of_matching_terms_normalized_by_the_best_node() {
        let term = |weight, zone: &str| PreferredTerm {
            weight,
            requirements: vec![LabelRequirement {
                key: "topology.kubernetes.io/zone".into(),
                operator: LabelOperator::In,
                values: vec![zone.into()],
            }],
        };
        let mut t = PodTemplate::default();
        t.node_affinity.preferred = vec![term(80, "a"), term(20, "b"), term(60, "a")];
        let mut c = Cluster::new(
            vec!["a".into(), "b".into(), "c".into()],
            vec![pool("p", Resources::new(1000, 0, 0))],
            vec![t],
            vec!["w".into()],
        );
        let nodes: Vec<_> = (0..3)
            .map(|z| c.launch_node(PoolId(0), z, SimTime::ZERO, true))
            .collect();
        let p = pod(Resources::ZERO);
        let r = PodRef::new(&c, &p);
        let all: Vec<_> = nodes.iter().map(|&n| c.node(n)).collect();
        // Raw sums: zone a matches 80 + 60 = 140, b 20, c nothing; normalized by the best,
        // 100 × 20 / 140 = 14.
        let got = crate::scheduler::framework::score_column(&NodeAffinityScore, &r, &all, &c);
        assert_eq!(got, Some(vec![100, 14, 0]));
        // No preferences: skipped at PreScore.
        let mut plain = c.clone();
        plain.templates[0].node_affinity.preferred.clear();
        let r = PodRef::new(&plain, &p);
        assert!(!NodeAffinityScore.applies(&r, &plain));
    }
}
