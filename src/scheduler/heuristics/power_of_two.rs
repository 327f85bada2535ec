use rand::RngExt;

use crate::model::{Cluster, NodeId};
use crate::rng::SimRng;
use crate::scheduler::framework::{Filter, PodRef, Policy, Score};
use crate::scheduler::plugins::LeastAllocated;
use crate::scheduler::profile::Profile;

/// Power of two choices (Mitzenmacher): draw two feasible nodes at random (with replacement,
/// from the `scheduler/power-of-two` stream) and take the less loaded one by LeastAllocated;
/// on a tie, the earlier node in the stable order.
pub struct PowerOfTwo {
    pub filters: Vec<Box<dyn Filter>>,
    pub rng: SimRng,
}

impl Policy for PowerOfTwo {
    fn name(&self) -> &str {
        "power-of-two"
    }

    fn select(&mut self, pod: &PodRef, cluster: &Cluster) -> Option<NodeId> {
        let feasible: Vec<usize> = (0..cluster.node_order().len())
            .filter(|&i| {
                let node = cluster.node(cluster.node_order()[i]);
                Profile::feasible(&self.filters, pod, node, cluster)
            })
            .collect();
        if feasible.is_empty() {
            return None;
        }
        let a = feasible[self.rng.random_range(0..feasible.len())];
        let b = feasible[self.rng.random_range(0..feasible.len())];
        let score = |i: usize| {
            let node = cluster.node(cluster.node_order()[i]);
            LeastAllocated.score(pod, node, cluster)
        };
        let (sa, sb) = (score(a), score(b));
        let pick = if sa > sb || (sa == sb && a <= b) {
            a
        } else {
            b
        };
        Some(cluster.node_order()[pick])
    }

    fn filters(&self) -> &[Box<dyn Filter>] {
        &self.filters
    }
}
