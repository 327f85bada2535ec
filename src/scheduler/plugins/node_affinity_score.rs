use crate::model::{Cluster, Node};
use crate::scheduler::framework::{MAX_NODE_SCORE, PodRef, Score};

/// Kubernetes' NodeAffinity score for preferred node affinity: the weights of the preferred
/// terms whose requirements the node all meets, summed. Kubernetes then scales the sums so the
/// best node scores 100; clustersim scales by the sum of all the pod's weights instead (the
/// score of a node does not depend on the others), `sum_matched × 100 / sum_all`. A pod without
/// preferences scores 0 everywhere.
pub struct NodeAffinityScore;

impl Score for NodeAffinityScore {
    fn name(&self) -> &'static str {
        "NodeAffinity"
    }

    fn score(&self, pod: &PodRef, node: &Node, cluster: &Cluster) -> i64 {
        let terms = &pod.template.node_affinity.preferred;
        let all: i64 = terms.iter().map(|t| t.weight).sum();
        if all == 0 {
            return 0;
        }
        let matched: i64 = terms
            .iter()
            .filter(|t| {
                t.requirements
                    .iter()
                    .all(|r| r.matches(cluster.node_label(node, &r.key)))
            })
            .map(|t| t.weight)
            .sum();
        matched * MAX_NODE_SCORE / all
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
    fn weights_of_matching_terms_over_all_weights() {
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
        let s = |i: usize| NodeAffinityScore.score(&r, c.node(nodes[i]), &c);
        // All weights 160. Zone a: (80 + 60) × 100 / 160 = 87; zone b: 20 × 100 / 160 = 12;
        // zone c: 0.
        assert_eq!((s(0), s(1), s(2)), (87, 12, 0));
    }
}
