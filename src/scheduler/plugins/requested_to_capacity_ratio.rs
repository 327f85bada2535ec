use crate::model::{Cluster, Node};
use crate::scheduler::framework::{MAX_NODE_SCORE, PodRef, Score};

use super::cpu_memory_after;

/// Kubernetes' highest score on a RequestedToCapacityRatio shape (`MaxCustomPriorityScore`).
pub const MAX_SHAPE_SCORE: i64 = 10;

/// Kubernetes' RequestedToCapacityRatio score: for cpu and memory, the utilisation after
/// placing the pod, `allocated_after × 100 / allocatable`, is mapped through a piecewise-linear
/// shape of `(utilization, score 0–10)` points (scores scaled to 0–100, flat before the first
/// and after the last point), and the two are averaged. `[(0, 0), (100, 10)]` packs like
/// MostAllocated; `[(0, 10), (100, 0)]` spreads.
pub struct RequestedToCapacityRatio {
    /// Points sorted by strictly increasing utilisation (0–100), scores 0–10.
    pub shape: Vec<(u64, u64)>,
}

impl RequestedToCapacityRatio {
    /// The default shape: packs (score rises with utilisation).
    pub fn default_shape() -> Vec<(u64, u64)> {
        vec![(0, 0), (100, MAX_SHAPE_SCORE as u64)]
    }

    /// The shape's score (0–100) at `utilization` (0–100), integer interpolation.
    pub fn at(&self, utilization: i64) -> i64 {
        let scale = MAX_NODE_SCORE / MAX_SHAPE_SCORE;
        let pts: Vec<(i64, i64)> = self
            .shape
            .iter()
            .map(|&(u, s)| (u as i64, s as i64 * scale))
            .collect();
        broken_linear(&pts, utilization)
    }
}

/// Kubernetes' `helper.BuildBrokenLinearFunction`: the first point's score up to its
/// utilization, linear between points (multiply, then divide truncating toward zero), the last
/// point's score beyond it; 0 without points.
pub fn broken_linear(points: &[(i64, i64)], p: i64) -> i64 {
    let Some(&first) = points.first() else {
        return 0;
    };
    if p <= first.0 {
        return first.1;
    }
    for w in points.windows(2) {
        let ((u0, s0), (u1, s1)) = (w[0], w[1]);
        if p <= u1 {
            return s0 + (s1 - s0) * (p - u0) / (u1 - u0);
        }
    }
    points[points.len() - 1].1
}

impl Score for RequestedToCapacityRatio {
    fn name(&self) -> &'static str {
        "RequestedToCapacityRatio"
    }

    fn shape_only(&self, _: &PodRef, _: &Cluster) -> bool {
        true
    }

    /// As upstream: each resource the node has scores the shape at its utilization (floored
    /// percent, capped at 100); resources scoring 0 are left out of the mean, weight included;
    /// the mean is rounded half away from zero (Go's `math.Round`: 37.5 → 38).
    fn score(&self, pod: &PodRef, node: &Node, _: &Cluster) -> i64 {
        let (mut sum, mut n) = (0i64, 0i64);
        for (after, allocatable) in cpu_memory_after(&pod.pod.requests, node) {
            if allocatable == 0 {
                continue;
            }
            let utilization = super::percent_of(after.min(allocatable), allocatable);
            let s = self.at(utilization);
            if s > 0 {
                sum += s;
                n += 1;
            }
        }
        if n == 0 { 0 } else { (2 * sum + n) / (2 * n) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduler::testkit::{cluster_with_nodes, pod_ref_of};

    #[test]
    fn shape_interpolates_linearly() {
        // Shape (0, 0), (50, 10), (100, 5), scaled ×10: (0, 0), (50, 100), (100, 50).
        let r = RequestedToCapacityRatio {
            shape: vec![(0, 0), (50, 10), (100, 5)],
        };
        // 25 → 0 + 100 × 25 / 50 = 50; 75 → 100 + (50 − 100) × 25 / 50 = 75; 100 → 50.
        assert_eq!(
            (r.at(0), r.at(25), r.at(50), r.at(75), r.at(100)),
            (0, 50, 100, 75, 50)
        );
        // Flat outside the points: (20, 4), (80, 8) → 40 below 20, 80 above 80.
        let r = RequestedToCapacityRatio {
            shape: vec![(20, 4), (80, 8)],
        };
        assert_eq!((r.at(0), r.at(50), r.at(100)), (40, 60, 80));
    }

    #[test]
    fn scores_cpu_and_memory_utilisation() {
        // Node 4000m / 10000 with 1000m / 2000 allocated; pod 1000m / 3000.
        // cpu after 2000/4000 = 50%, memory 5000/10000 = 50%. Default shape (0,0)-(100,10):
        // 50 each → 50. Spreading shape (0,10)-(100,0): 50 each → 50. Pod 3000m / 0:
        // cpu 100% → 100, memory 20% → 20; average 60 (packing).
        let (cluster, pod) = cluster_with_nodes(&[(4000, 10000, 1000, 2000)], (1000, 3000));
        let pack = RequestedToCapacityRatio {
            shape: RequestedToCapacityRatio::default_shape(),
        };
        let node = &cluster.nodes[0];
        assert_eq!(pack.score(&pod_ref_of(&cluster, &pod), node, &cluster), 50);
        let (cluster, pod) = cluster_with_nodes(&[(4000, 10000, 1000, 2000)], (3000, 0));
        let node = &cluster.nodes[0];
        assert_eq!(pack.score(&pod_ref_of(&cluster, &pod), node, &cluster), 60);
        let spread = RequestedToCapacityRatio {
            shape: vec![(0, 10), (100, 0)],
        };
        // Spreading: cpu 100% → 0, memory 20% → 80. As upstream, a resource scoring 0 is
        // left out of the mean: 80 (not (0 + 80) / 2 = 40).
        assert_eq!(
            spread.score(&pod_ref_of(&cluster, &pod), node, &cluster),
            80
        );
    }
}
