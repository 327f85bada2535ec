//! A profile: the general filter → score → select pipeline, configured from plug-ins.

use crate::model::{Cluster, Node, NodeId};
use crate::scheduler::framework::{Filter, PodRef, Policy, Score};
use crate::scheduler::shape_memo::{Shape, ShapeMemo};

/// Kubernetes' `minFeasibleNodesToFind`: below this many nodes, every node is examined.
pub const MIN_FEASIBLE_NODES_TO_FIND: usize = 100;
/// Kubernetes' `minFeasibleNodesPercentageToFind`, the floor of the adaptive percentage.
pub const MIN_FEASIBLE_NODES_PERCENTAGE: usize = 5;

/// A scheduling profile: filters, weighted scores, select the best (earliest on ties).
pub struct Profile {
    pub name: String,
    pub filters: Vec<Box<dyn Filter>>,
    /// Score plug-ins with their weights.
    pub scores: Vec<(Box<dyn Score>, i64)>,
    /// Kubernetes' `percentageOfNodesToScore`: `None` examines every node (exact, the
    /// clustersim default for named policies); `Some(0)` is Kubernetes' adaptive default
    /// (50% − nodes/125, at least 5%); `Some(p)` stops after finding `p`% of the nodes feasible.
    /// Never fewer than 100 feasible nodes are sought.
    pub percentage_of_nodes_to_score: Option<u32>,
    /// Where the next search starts in the node order; it advances by the number of nodes
    /// examined, as Kubernetes' `nextStartNodeIndex` does, so successive pods see different
    /// slices of a large cluster.
    pub next_start: usize,
    /// Judge nodes of one shape once per pod where the plug-ins allow (on by default; it
    /// changes no decision, and tests turn it off to prove that).
    pub shape_memo: bool,
    scratch: Scratch,
}

impl Profile {
    pub fn new(
        name: &str,
        filters: Vec<Box<dyn Filter>>,
        scores: Vec<(Box<dyn Score>, i64)>,
    ) -> Self {
        Profile {
            name: name.into(),
            filters,
            scores,
            percentage_of_nodes_to_score: None,
            next_start: 0,
            shape_memo: true,
            scratch: Scratch::default(),
        }
    }

    /// True if every filter accepts the node.
    #[inline]
    pub fn feasible(
        filters: &[Box<dyn Filter>],
        pod: &PodRef,
        node: &crate::model::Node,
        cluster: &Cluster,
    ) -> bool {
        filters.iter().all(|f| f.filter(pod, node, cluster).is_ok())
    }

    /// How many feasible nodes to find before scoring (Kubernetes' `numFeasibleNodesToFind`).
    pub fn feasible_nodes_to_find(&self, all: usize) -> usize {
        let Some(p) = self.percentage_of_nodes_to_score else {
            return all;
        };
        let p = p as usize;
        if all < MIN_FEASIBLE_NODES_TO_FIND || p >= 100 {
            return all;
        }
        let p = if p == 0 {
            50usize
                .saturating_sub(all / 125)
                .max(MIN_FEASIBLE_NODES_PERCENTAGE)
        } else {
            p
        };
        (all * p / 100).max(MIN_FEASIBLE_NODES_TO_FIND)
    }

    /// Visits nodes in Kubernetes' search order: from `next_start`, stopping once
    /// [`Profile::feasible_nodes_to_find`] feasible ones are found or `examine` says
    /// [`Visit::Stop`]; `examine` gets each node's place in the node order and judges it.
    /// Returns how many nodes were examined, for [`Profile::advance`].
    fn search(&self, cluster: &Cluster, mut examine: impl FnMut(usize, &Node) -> Visit) -> usize {
        let order = cluster.node_order();
        let all = order.len();
        let want = self.feasible_nodes_to_find(all);
        let start = if want < all { self.next_start % all } else { 0 };
        let (mut found, mut examined) = (0, 0);
        // From `start` to the end, then from the beginning: no division per node.
        let rotated = order[start..]
            .iter()
            .zip(start..)
            .chain(order[..start].iter().zip(0..));
        for (&id, i) in rotated {
            if found >= want {
                break;
            }
            examined += 1;
            match examine(i, cluster.node(id)) {
                Visit::Infeasible => {}
                Visit::Next => found += 1,
                Visit::Stop => break,
            }
        }
        examined
    }

    /// Moves `next_start` past the nodes a sampled search examined, as Kubernetes'
    /// `nextStartNodeIndex` does (an unsampled search always starts at the first node).
    fn advance(&mut self, all: usize, examined: usize) {
        if self.feasible_nodes_to_find(all) < all {
            self.next_start = (self.next_start % all + examined) % all;
        }
    }

    /// PreScore, once per pod: bit k set when plug-in k scores this pod.
    fn active_scores(&self, pod: &PodRef, cluster: &Cluster) -> u64 {
        self.scores
            .iter()
            .enumerate()
            .filter(|(_, (s, _))| s.applies(pod, cluster))
            .fold(0, |m, (k, _)| m | 1 << k.min(63))
    }

    /// Whether nodes of one shape may be judged once for this pod: every filter and every
    /// plug-in that scores it says so (see [`crate::scheduler::shape_memo`]).
    fn by_shape(&self, pod: &PodRef, cluster: &Cluster, active: u64) -> bool {
        self.shape_memo
            && self.filters.iter().all(|f| f.shape_only(pod, cluster))
            && self
                .scores
                .iter()
                .enumerate()
                .all(|(k, (s, _))| active & (1 << k.min(63)) == 0 || s.shape_only(pod, cluster))
    }

    /// Filters (bit k for filter k) that name, for this pod, nodes to judge alone rather than by
    /// shape.
    fn exceptions(&self, pod: &PodRef, cluster: &Cluster) -> u64 {
        self.filters
            .iter()
            .enumerate()
            .filter(|(_, f)| f.has_exceptions(pod, cluster))
            .fold(0, |m, (k, _)| m | 1 << k.min(63))
    }

    /// The node's shape, if it may be judged by it: `by_shape`, a regular node, and no filter
    /// in `exceptions` wants it judged alone.
    #[inline(always)]
    fn shape(
        &self,
        by_shape: bool,
        exceptions: u64,
        pod: &PodRef,
        node: &Node,
        cluster: &Cluster,
    ) -> Option<Shape> {
        if !by_shape {
            return None;
        }
        if exceptions != 0 && self.judged_alone(exceptions, pod, node, cluster) {
            return None;
        }
        Shape::of(node, cluster)
    }

    /// True if a filter in `exceptions` wants `node` judged alone.
    #[inline(never)]
    fn judged_alone(&self, exceptions: u64, pod: &PodRef, node: &Node, cluster: &Cluster) -> bool {
        self.filters
            .iter()
            .enumerate()
            .any(|(k, f)| exceptions & (1 << k.min(63)) != 0 && f.judged_alone(pod, node, cluster))
    }

    /// Select when a plug-in normalizes across the feasible nodes: find them all, score them
    /// all, normalize, then pick the best. Nodes of one shape (when the pod's plug-ins allow)
    /// form one class, scored and normalized once, standing for its earliest member.
    fn select_normalized(&mut self, pod: &PodRef, cluster: &Cluster) -> Option<NodeId> {
        let order = cluster.node_order();
        let active = self.active_scores(pod, cluster);
        let by_shape = self.by_shape(pod, cluster, active);
        let exceptions = if by_shape {
            self.exceptions(pod, cluster)
        } else {
            0
        };
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.classes.clear();
        scratch.memo.clear();
        let examined = self.search(cluster, |i, node| {
            let classes = &mut scratch.classes;
            let mut judge = || {
                Profile::feasible(&self.filters, pod, node, cluster).then(|| {
                    classes.push((i, node.id));
                    classes.len() as u32 - 1
                })
            };
            let class = match self.shape(by_shape, exceptions, pod, node, cluster) {
                Some(shape) => scratch.memo.get_or_insert_with(shape, judge),
                None => judge(),
            };
            match class {
                Some(c) => {
                    let first = &mut classes[c as usize].0;
                    *first = (*first).min(i);
                    Visit::Next
                }
                None => Visit::Infeasible,
            }
        });
        self.advance(order.len(), examined);
        let nodes: Vec<&Node> = scratch
            .classes
            .iter()
            .map(|&(_, id)| cluster.node(id))
            .collect();
        let mut best: Option<(i64, usize)> = None;
        let mut totals = vec![0i64; nodes.len()];
        for (k, (s, w)) in self.scores.iter().enumerate() {
            if active & (1 << k.min(63)) == 0 {
                continue;
            }
            let mut column: Vec<i64> = nodes.iter().map(|n| s.score(pod, n, cluster)).collect();
            if s.normalizes() {
                s.normalize(pod, &nodes, cluster, &mut column);
            }
            for (t, c) in totals.iter_mut().zip(column) {
                *t += w * c;
            }
        }
        for (&total, &(i, _)) in totals.iter().zip(&scratch.classes) {
            if best.is_none_or(|(b, bi)| total > b || (total == b && i < bi)) {
                best = Some((total, i));
            }
        }
        self.scratch = scratch;
        best.map(|(_, i)| order[i])
    }

    /// Select when every plug-in scores a node on its own: score each feasible node as it is
    /// found (no allocation per pod), each shape once when the pod's plug-ins allow.
    fn select_streaming(&mut self, pod: &PodRef, cluster: &Cluster) -> Option<NodeId> {
        let order = cluster.node_order();
        let want_all = self.feasible_nodes_to_find(order.len()) == order.len();
        if self.scores.is_empty() && want_all {
            // No preference: the first feasible node.
            let mut first = None;
            self.search(cluster, |i, node| {
                if !Profile::feasible(&self.filters, pod, node, cluster) {
                    return Visit::Infeasible;
                }
                first = Some(i);
                Visit::Stop
            });
            // Unsampled: nothing to advance.
            return first.map(|i| order[i]);
        }
        let active = self.active_scores(pod, cluster);
        let by_shape = self.by_shape(pod, cluster, active);
        let exceptions = if by_shape {
            self.exceptions(pod, cluster)
        } else {
            0
        };
        let mut memo = std::mem::take(&mut self.scratch.totals);
        memo.clear();
        let mut best: Option<(i64, usize)> = None;
        let examined = self.search(cluster, |i, node| {
            let judge = || {
                Profile::feasible(&self.filters, pod, node, cluster).then(|| {
                    self.scores
                        .iter()
                        .enumerate()
                        .filter(|(k, _)| active & (1 << (*k).min(63)) != 0)
                        .map(|(_, (s, w))| w * s.score(pod, node, cluster))
                        .sum::<i64>()
                })
            };
            let total = match self.shape(by_shape, exceptions, pod, node, cluster) {
                Some(shape) => memo.get_or_insert_with(shape, judge),
                None => judge(),
            };
            let Some(total) = total else {
                return Visit::Infeasible;
            };
            // Strictly greater wins; on equal totals the earlier node in the stable order.
            if best.is_none_or(|(b, bi)| total > b || (total == b && i < bi)) {
                best = Some((total, i));
            }
            Visit::Next
        });
        self.scratch.totals = memo;
        self.advance(order.len(), examined);
        best.map(|(_, i)| order[i])
    }
}

/// What a search does after judging one node.
enum Visit {
    Infeasible,
    /// Feasible; go on.
    Next,
    /// Feasible; stop here.
    Stop,
}

/// Buffers a profile reuses from pod to pod.
#[derive(Default)]
struct Scratch {
    /// Streaming: shape → total score (`None`: infeasible).
    totals: ShapeMemo<Option<i64>>,
    /// Normalized: shape → class (`None`: infeasible).
    memo: ShapeMemo<Option<u32>>,
    /// Normalized: per class, its earliest place in the node order and a representative node.
    classes: Vec<(usize, NodeId)>,
}

impl Policy for Profile {
    fn name(&self) -> &str {
        &self.name
    }

    fn select(&mut self, pod: &PodRef, cluster: &Cluster) -> Option<NodeId> {
        if cluster.node_order().is_empty() {
            return None;
        }
        if self.scores.iter().any(|(s, _)| s.normalizes()) {
            self.select_normalized(pod, cluster)
        } else {
            self.select_streaming(pod, cluster)
        }
    }

    fn filters(&self) -> &[Box<dyn Filter>] {
        &self.filters
    }

    fn scores(&self) -> &[(Box<dyn Score>, i64)] {
        &self.scores
    }

    fn as_profile(&mut self) -> Option<&mut Profile> {
        Some(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feasible_nodes_to_find_follows_kubernetes() {
        let mut p = Profile::new("p", Vec::new(), Vec::new());
        assert_eq!(p.feasible_nodes_to_find(5000), 5000); // None: every node
        p.percentage_of_nodes_to_score = Some(0);
        // Adaptive: 50 − 5000/125 = 10% of 5000 = 500.
        assert_eq!(p.feasible_nodes_to_find(5000), 500);
        // 50 − 10000/125 < 5 → 5% of 10000 = 500.
        assert_eq!(p.feasible_nodes_to_find(10_000), 500);
        // Fewer than 100 nodes: all of them.
        assert_eq!(p.feasible_nodes_to_find(99), 99);
        // 50% of 150 = 75, raised to the floor of 100.
        p.percentage_of_nodes_to_score = Some(50);
        assert_eq!(p.feasible_nodes_to_find(150), 100);
        assert_eq!(p.feasible_nodes_to_find(1000), 500);
        p.percentage_of_nodes_to_score = Some(100);
        assert_eq!(p.feasible_nodes_to_find(1000), 1000);
    }
}
