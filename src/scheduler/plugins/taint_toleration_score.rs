use crate::model::TaintEffect;
use crate::model::{Cluster, Node};
use crate::scheduler::framework::{MAX_NODE_SCORE, PodRef, Score};

/// Kubernetes' TaintToleration score: nodes with fewer `PreferNoSchedule` taints the pod does
/// not tolerate are preferred. Kubernetes normalises the count over all nodes; clustersim scores
/// each node on its own, `100 / (1 + untolerated)`, which orders nodes the same way (fewer
/// untolerated taints, higher score): 0 untolerated → 100, 1 → 50, 2 → 33.
pub struct TaintTolerationScore;

impl Score for TaintTolerationScore {
    fn name(&self) -> &'static str {
        "TaintToleration"
    }

    fn score(&self, pod: &PodRef, node: &Node, cluster: &Cluster) -> i64 {
        let untolerated = cluster
            .taints(node)
            .filter(|t| t.effect == TaintEffect::PreferNoSchedule)
            .filter(|t| !pod.template.tolerations.iter().any(|tol| tol.tolerates(t)))
            .count() as i64;
        MAX_NODE_SCORE / (1 + untolerated)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Taint;
    use crate::scheduler::testkit::{cluster_with_nodes, pod_ref_of};

    #[test]
    fn fewer_untolerated_prefer_no_schedule_taints_score_higher() {
        // (PreferNoSchedule taints on the node, score): 100 / (1 + n).
        for (n, want) in [(0usize, 100), (1, 50), (2, 33)] {
            let (mut cluster, pod) = cluster_with_nodes(&[(4000, 4000, 0, 0)], (1, 1));
            for i in 0..n {
                cluster.nodes[0].extra_taints.push(Taint {
                    key: format!("k{i}"),
                    value: String::new(),
                    effect: TaintEffect::PreferNoSchedule,
                });
            }
            // A NoSchedule taint does not count here (the filter handles it).
            cluster.nodes[0].extra_taints.push(Taint {
                key: "hard".into(),
                value: String::new(),
                effect: TaintEffect::NoSchedule,
            });
            let node = &cluster.nodes[0];
            assert_eq!(
                TaintTolerationScore.score(&pod_ref_of(&cluster, &pod), node, &cluster),
                want
            );
        }
    }
}
