use crate::model::TaintEffect;
use crate::model::{Cluster, Node};
use crate::scheduler::framework::{PodRef, Score, default_normalize};

/// Kubernetes' TaintToleration score: nodes with fewer `PreferNoSchedule` taints the pod does
/// not tolerate are preferred. As upstream, the raw score is the count and NormalizeScore maps
/// it across the feasible nodes (`helper.DefaultNormalizeScore`, reversed):
/// `100 − 100 × count ÷ max count`, all 100 when no node has such a taint.
pub struct TaintTolerationScore;

impl Score for TaintTolerationScore {
    fn name(&self) -> &'static str {
        "TaintToleration"
    }

    /// The pool's taints; normalized through the maximum raw score.
    fn shape_only(&self, _: &PodRef, _: &Cluster) -> bool {
        true
    }

    /// The raw score: how many PreferNoSchedule taints the pod does not tolerate.
    fn score(&self, pod: &PodRef, node: &Node, cluster: &Cluster) -> i64 {
        cluster
            .taints(node)
            .filter(|t| t.effect == TaintEffect::PreferNoSchedule)
            .filter(|t| !pod.template.tolerations.iter().any(|tol| tol.tolerates(t)))
            .count() as i64
    }

    fn normalizes(&self) -> bool {
        true
    }

    /// Fewest untolerated taints → 100, most → 0, across the feasible nodes.
    fn normalize(&self, _: &PodRef, _: &[&Node], _: &Cluster, scores: &mut [i64]) {
        default_normalize(scores, true);
    }
}

// Tests: Kubernetes' own cases, in `scheduler/upstream/taint_toleration_test.rs`.
