//! The scheduling framework's extension points, after Kubernetes' scheduling framework.
//!
//! A scheduling cycle for one pod: **filter** every candidate node (any filter may reject it),
//! **pre-score** (a plug-in may skip the pod), **score** the nodes that pass and **normalize**
//! each plug-in's scores across them where the plug-in asks for it (each final score 0–100,
//! multiplied by its weight and summed), **select** the highest total, ties going to the earliest node in the stable node
//! order (Kubernetes picks among ties at random; clustersim stays deterministic instead).
//! A [`Policy`] may implement the whole cycle itself (a research heuristic), or be a
//! [`crate::scheduler::Profile`] built from filter and score plug-ins.

use crate::model::PodTemplate;
use crate::model::{Cluster, Node, NodeId, Pod, PodId};
use crate::scheduler::cycle::CycleState;

/// The highest score a score plug-in may return (Kubernetes' `MaxNodeScore`).
pub const MAX_NODE_SCORE: i64 = 100;

/// What the plug-ins see of the pod being scheduled.
#[derive(Clone, Copy)]
pub struct PodRef<'a> {
    pub pod: &'a Pod,
    pub template: &'a PodTemplate,
    /// PreFilter results for this pod's cycle, if the caller keeps them (see
    /// [`crate::scheduler::cycle`]); without, plug-ins that look at other pods count afresh.
    pub cycle: Option<&'a CycleState>,
}

impl<'a> PodRef<'a> {
    pub fn new(cluster: &'a Cluster, pod: &'a Pod) -> Self {
        PodRef {
            pod,
            template: cluster.template(pod.template),
            cycle: None,
        }
    }

    /// The same pod, keeping PreFilter results in `cycle`, which must be used for this pod
    /// alone and only while the cluster is unchanged.
    pub fn with_cycle(self, cycle: &'a CycleState) -> Self {
        PodRef {
            cycle: Some(cycle),
            ..self
        }
    }
}

/// Why a node was filtered out. Small and `Copy`, so rejecting a node costs no allocation; the
/// message users read is rendered only when a diagnosis is asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reason {
    /// Kubernetes' NodeResourcesFit: one flag per resource that does not fit.
    Insufficient {
        cpu: bool,
        memory: bool,
        gpu: bool,
        pods: bool,
    },
    /// A taint the pod does not tolerate: index into the node's taint list (pool's, then extra).
    UntoleratedTaint { index: u16 },
    /// node_selector / required node affinity does not match.
    NodeSelectorMismatch,
    /// The node is cordoned, draining or not ready.
    Unschedulable,
    /// Placing the pod here would break a `DoNotSchedule` topology spread constraint.
    TopologySpread,
    /// A required pod anti-affinity rule (the pod's or an existing pod's) forbids this domain.
    AntiAffinity,
}

/// Filter extension point.
///
/// Contract: return `Ok(())` if `pod` could run on `node` given the node's current
/// allocations, `Err(reason)` otherwise. Must be pure (no state change) and cheap: it runs once
/// per candidate node per scheduling attempt.
pub trait Filter: Send + Sync {
    fn name(&self) -> &'static str;
    fn filter(&self, pod: &PodRef, node: &Node, cluster: &Cluster) -> Result<(), Reason>;
    /// True if the verdict depends on where other pods run (topology spread, anti-affinity),
    /// so placing one pod can turn a feasible node infeasible for an unrelated-looking pod.
    fn looks_at_other_pods(&self) -> bool {
        false
    }
    /// True if, for this pod and this state of the cluster, the verdict on a node depends only
    /// on the node's pool, zone, allocation and pod count, given that the node is Ready,
    /// carries no run-time taints and has its pool's allocatable and pod limit (see
    /// [`crate::scheduler::shape_memo`]): never on its name or hostname label, nor on the pods
    /// bound to it (pods elsewhere may matter, by zone: the memo lives for one cycle), except
    /// on the nodes [`Filter::judged_alone`] names. Lets a profile judge nodes of one
    /// shape once per pod. The default, false, is always safe.
    fn shape_only(&self, _pod: &PodRef, _cluster: &Cluster) -> bool {
        false
    }
    /// For a filter whose [`Filter::shape_only`] holds except on some nodes: true if, for this
    /// pod, [`Filter::judged_alone`] may be true on a node (so the profile asks it per node).
    fn has_exceptions(&self, _pod: &PodRef, _cluster: &Cluster) -> bool {
        false
    }
    /// True if `node` must be judged on its own rather than by its shape (it holds pods a
    /// hostname-keyed term counts, say). Asked only where [`Filter::has_exceptions`] is true.
    fn judged_alone(&self, _pod: &PodRef, _node: &Node, _cluster: &Cluster) -> bool {
        false
    }
    /// For a filter that looks at other pods: true if, for this pod, it passes every node
    /// (the pod has no constraint it checks, and none of other pods concerns it). Other
    /// filters never look, so the default is true for them.
    fn ignores_other_pods(&self, _pod: &PodRef, _cluster: &Cluster) -> bool {
        !self.looks_at_other_pods()
    }
}

/// True if, for this pod, every filter that looks at other pods passes every node (the pod has
/// no hard topology spread and no anti-affinity term concerns it), so its verdicts depend on
/// each node alone: indexes, failure caches and kept diagnoses may then serve it even while
/// other templates carry such constraints.
pub fn independent_of_other_pods(
    filters: &[Box<dyn Filter>],
    pod: &PodRef,
    cluster: &Cluster,
) -> bool {
    filters.iter().all(|f| f.ignores_other_pods(pod, cluster))
}

/// Score extension point, with Kubernetes' PreScore and ScoreExtensions.
///
/// Contract: `score` is called only for nodes every filter accepted. Without normalization it
/// returns an integer in `0..=MAX_NODE_SCORE`, higher meaning more preferred; a plug-in whose
/// [`Score::normalizes`] is true may return any raw value ≥ 0, and [`Score::normalize`] then
/// rewrites the raw scores of all the feasible nodes of one cycle into `0..=MAX_NODE_SCORE`
/// (Kubernetes' NormalizeScore). [`Score::applies`] is PreScore: false leaves the plug-in out
/// of the pod's cycle (Kubernetes' `Skip` status). Pure and deterministic.
pub trait Score: Send + Sync {
    fn name(&self) -> &'static str;
    fn score(&self, pod: &PodRef, node: &Node, cluster: &Cluster) -> i64;
    /// PreScore: whether the plug-in scores this pod at all.
    fn applies(&self, _pod: &PodRef, _cluster: &Cluster) -> bool {
        true
    }
    /// True if the raw scores need [`Score::normalize`] across the feasible nodes.
    fn normalizes(&self) -> bool {
        false
    }
    /// NormalizeScore: the raw scores of every feasible node of the cycle (`nodes`, in node
    /// order). The nodes are given too, so a plug-in whose raw score depends on the feasible
    /// set (PodTopologySpread weighs by the number of domains among them) can work it out here,
    /// as Kubernetes' PreScore does.
    fn normalize(&self, _pod: &PodRef, _nodes: &[&Node], _cluster: &Cluster, _scores: &mut [i64]) {}
    /// As [`Filter::shape_only`], for the raw score; a plug-in that normalizes must also give
    /// each node a final score that depends only on its raw score and on the *set* of raw
    /// scores (their maximum, say), not on how many nodes share one, because the profile then
    /// normalizes one representative node per shape. The default, false, is always safe.
    fn shape_only(&self, _pod: &PodRef, _cluster: &Cluster) -> bool {
        false
    }
}

/// Kubernetes' `helper.DefaultNormalizeScore`: scales scores so the highest becomes
/// `MAX_NODE_SCORE` (integer division), or with `reverse` so the highest becomes 0. All zero:
/// unchanged, or all `MAX_NODE_SCORE` with `reverse`.
pub fn default_normalize(scores: &mut [i64], reverse: bool) {
    let max = scores.iter().copied().max().unwrap_or(0);
    if max == 0 {
        if reverse {
            scores.fill(MAX_NODE_SCORE);
        }
        return;
    }
    for s in scores {
        let scaled = MAX_NODE_SCORE * *s / max;
        *s = if reverse {
            MAX_NODE_SCORE - scaled
        } else {
            scaled
        };
    }
}

/// The final score of every plug-in (weight, scores) on `nodes` (feasible, in node order):
/// plug-ins that skip the pod are left out (`None`), raw scores normalized where the plug-in
/// asks for it. What a profile's select and `explain` both use.
pub fn score_table(
    scores: &[(Box<dyn Score>, i64)],
    pod: &PodRef,
    nodes: &[&Node],
    cluster: &Cluster,
) -> Vec<Option<Vec<i64>>> {
    scores
        .iter()
        .map(|(s, _)| score_column(s.as_ref(), pod, nodes, cluster))
        .collect()
}

/// One plug-in's final scores on `nodes`, `None` if it skips the pod.
pub fn score_column(
    s: &dyn Score,
    pod: &PodRef,
    nodes: &[&Node],
    cluster: &Cluster,
) -> Option<Vec<i64>> {
    if !s.applies(pod, cluster) {
        return None;
    }
    let mut raw: Vec<i64> = nodes.iter().map(|n| s.score(pod, n, cluster)).collect();
    if s.normalizes() {
        s.normalize(pod, nodes, cluster, &mut raw);
    }
    Some(raw)
}

/// Where a pod that fits nowhere may run once some pods are evicted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Nomination {
    pub node: NodeId,
    /// The pods to evict, highest priority first.
    pub victims: Vec<PodId>,
}

/// Post-filter extension point: runs for a pod that every node rejected (Kubernetes'
/// DefaultPreemption is the one post-filter clustersim has).
///
/// Contract: returns a node and the pods to evict there so that `pod` then passes every one of
/// `filters` on it, or `None`. It may try evictions on the cluster (a what-if) but must leave
/// the cluster as it found it, apart from the order of pods in a node's pod list; the caller
/// evicts the victims. Deterministic.
pub trait PostFilter: Send {
    fn name(&self) -> &'static str;
    /// `budgets` tells, per workload, how many disruptions its PodDisruptionBudget allows now.
    fn post_filter(
        &self,
        pod: PodId,
        cluster: &mut Cluster,
        filters: &[Box<dyn Filter>],
        budgets: &Budgets,
    ) -> Option<Nomination>;
}

/// Disruptions each workload's PodDisruptionBudget allows now, by workload index (`None`: no
/// budget). Preemption prefers victims whose eviction keeps within them.
#[derive(Clone, Debug, Default)]
pub struct Budgets {
    pub allowed: Vec<Option<u32>>,
}

impl Budgets {
    /// Disruptions allowed for pods of `workload` (`None`: unlimited).
    pub fn of(&self, workload: u32) -> Option<u32> {
        self.allowed.get(workload as usize).copied().flatten()
    }
}

/// A complete placement policy: picks a node for one pod, or none.
///
/// Contract: the chosen node must pass every filter the policy names in [`Policy::filters`]
/// (so that "why pending" diagnoses agree with decisions). `select` may keep internal state
/// (a random stream, an index) but must be deterministic given the same calls.
pub trait Policy: Send {
    fn name(&self) -> &str;
    fn select(&mut self, pod: &PodRef, cluster: &Cluster) -> Option<NodeId>;
    /// The filters this policy applies, used to explain why a pod is pending.
    fn filters(&self) -> &[Box<dyn Filter>];
    /// True if a pod that fits nowhere proves that a later pod of the same template asking at
    /// least as much fits nowhere either, until capacity is freed. That holds while every filter
    /// depends only on free capacity and fixed node properties; a policy whose filters look at
    /// other pods (topology spread, anti-affinity) must return false, which turns off the
    /// scheduling pass's failure cache. The default answers from [`Filter::looks_at_other_pods`].
    /// Filters that look at other pods pass every node when no pod has topology spread or
    /// anti-affinity constraints, so the simulation keeps the cache in that case whatever the
    /// answer.
    fn failures_persist_within_pass(&self) -> bool {
        !self.filters().iter().any(|f| f.looks_at_other_pods())
    }
    /// The weighted score plug-ins, if the policy is built from them (used to explain a
    /// placement).
    fn scores(&self) -> &[(Box<dyn Score>, i64)] {
        &[]
    }
    /// The general pipeline, if this policy is one (lets a scenario tune it).
    fn as_profile(&mut self) -> Option<&mut crate::scheduler::Profile> {
        None
    }
}
