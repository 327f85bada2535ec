//! "Why did this pod go there / why is it pending": what `clustersim explain` prints.

use std::fmt::Write as _;

use crate::model::{Cluster, Pod};
use crate::scheduler::diagnosis::reason_texts;
use crate::scheduler::framework::{PodRef, Policy, score_table};

/// One candidate node at the moment the explained pod was placed.
#[derive(Clone, Debug)]
pub struct Candidate {
    pub node: String,
    /// `None` if every filter accepted the node, else the first rejecting filter and its reasons.
    pub rejected: Option<(String, Vec<String>)>,
    /// `(plug-in, weight, score 0-100)` for feasible nodes of a profile-based policy.
    pub scores: Vec<(String, i64, i64)>,
}

/// What a run records about the pod being explained.
#[derive(Clone, Debug, Default)]
pub struct Explanation {
    /// A pod's name, or a workload's name for its first pod.
    pub target: String,
    /// The pod's full name, once seen.
    pub pod: Option<String>,
    /// `(time ms, node)` of the first binding.
    pub bound: Option<(u64, String)>,
    /// Every node's verdict at that binding.
    pub candidates: Vec<Candidate>,
    /// Score plug-ins that skipped the pod at PreScore (they add nothing on any node).
    pub skipped: Vec<String>,
    /// Kubernetes' FailedScheduling message, if the pod was still pending at the end.
    pub pending_message: Option<String>,
    /// The Cluster Autoscaler's last word on the pending pod (`TriggeredScaleUp` or
    /// `NotTriggerScaleUp` with its reasons).
    pub autoscaler_message: Option<String>,
}

impl Explanation {
    pub fn new(target: &str) -> Self {
        Explanation {
            target: target.into(),
            ..Default::default()
        }
    }

    /// True if `pod` is the one being explained.
    pub fn matches(&self, cluster: &Cluster, pod: &Pod) -> bool {
        if self.bound.is_some() {
            return false; // only the first placement is recorded
        }
        let workload = &cluster.template_names[pod.template.0 as usize];
        (pod.name_override.is_none() && pod.ordinal == 0 && *workload == self.target)
            || cluster.pod_name(pod.id) == self.target
    }

    /// Records every candidate node's filter verdict and scores, before binding to `chosen`.
    pub fn record(
        &mut self,
        policy: &dyn Policy,
        pod: &PodRef,
        cluster: &Cluster,
        chosen: &str,
        now_ms: u64,
    ) {
        self.pod = Some(cluster.pod_name(pod.pod.id));
        self.bound = Some((now_ms, chosen.to_string()));
        let verdicts: Vec<_> = cluster
            .node_order()
            .iter()
            .map(|&id| {
                let node = cluster.node(id);
                let rejected = policy.filters().iter().find_map(|f| {
                    f.filter(pod, node, cluster)
                        .err()
                        .map(|r| (f.name().to_string(), reason_texts(r, node, cluster)))
                });
                (node, rejected)
            })
            .collect();
        // Scores as the cycle computes them: normalized across every feasible node.
        let feasible: Vec<&crate::model::Node> = verdicts
            .iter()
            .filter(|(_, r)| r.is_none())
            .map(|(n, _)| *n)
            .collect();
        let table = score_table(policy.scores(), pod, &feasible, cluster);
        self.skipped = policy
            .scores()
            .iter()
            .zip(&table)
            .filter(|(_, col)| col.is_none())
            .map(|((s, _), _)| s.name().to_string())
            .collect();
        let mut j = 0;
        self.candidates = verdicts
            .into_iter()
            .map(|(node, rejected)| {
                let mut scores = Vec::new();
                if rejected.is_none() {
                    for ((s, w), col) in policy.scores().iter().zip(&table) {
                        if let Some(col) = col {
                            scores.push((s.name().to_string(), *w, col[j]));
                        }
                    }
                    j += 1;
                }
                Candidate {
                    node: node.name.clone(),
                    rejected,
                    scores,
                }
            })
            .collect();
    }

    /// The report `clustersim explain` prints.
    pub fn render(&self, policy_name: &str) -> String {
        let mut out = String::new();
        let name = self.pod.as_deref().unwrap_or(&self.target);
        match (&self.bound, &self.pending_message) {
            (Some((t, node)), _) => {
                writeln!(
                    out,
                    "pod {name} was scheduled on {node} at {:.3}s by policy {policy_name}",
                    *t as f64 / 1000.0
                )
                .unwrap();
                if !self.skipped.is_empty() {
                    writeln!(
                        out,
                        "  (not scored, skipped at PreScore: {})",
                        self.skipped.join(", ")
                    )
                    .unwrap();
                }
                for c in &self.candidates {
                    match &c.rejected {
                        Some((filter, reasons)) => writeln!(
                            out,
                            "  {}: rejected by {filter}: {}",
                            c.node,
                            reasons.join(", ")
                        )
                        .unwrap(),
                        None if c.scores.is_empty() => {
                            writeln!(out, "  {}: feasible", c.node).unwrap()
                        }
                        None => {
                            let total: i64 = c.scores.iter().map(|(_, w, s)| w * s).sum();
                            let parts: Vec<String> = c
                                .scores
                                .iter()
                                .map(|(n, w, s)| format!("{n} {s}×{w}"))
                                .collect();
                            writeln!(
                                out,
                                "  {}: feasible, score {total} ({})",
                                c.node,
                                parts.join(" + ")
                            )
                            .unwrap()
                        }
                    }
                }
            }
            (None, Some(message)) => {
                writeln!(
                    out,
                    "pod {name} is pending at the end of the run: {message}"
                )
                .unwrap();
                if let Some(ca) = &self.autoscaler_message {
                    writeln!(out, "  cluster-autoscaler: {ca}").unwrap();
                }
            }
            (None, None) => writeln!(out, "pod {name} was never scheduled").unwrap(),
        }
        out
    }
}
