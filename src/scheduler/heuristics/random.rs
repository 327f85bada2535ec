use rand::RngExt;

use crate::model::{Cluster, NodeId};
use crate::rng::SimRng;
use crate::scheduler::framework::{Filter, PodRef, Policy};
use crate::scheduler::profile::Profile;

/// Random: a uniformly random feasible node, from the scenario's `scheduler/random` stream.
pub struct RandomFit {
    pub filters: Vec<Box<dyn Filter>>,
    pub rng: SimRng,
}

impl Policy for RandomFit {
    fn name(&self) -> &str {
        "random"
    }

    fn select(&mut self, pod: &PodRef, cluster: &Cluster) -> Option<NodeId> {
        let feasible: Vec<NodeId> = cluster
            .node_order()
            .iter()
            .copied()
            .filter(|&id| Profile::feasible(&self.filters, pod, cluster.node(id), cluster))
            .collect();
        if feasible.is_empty() {
            return None;
        }
        Some(feasible[self.rng.random_range(0..feasible.len())])
    }

    fn filters(&self) -> &[Box<dyn Filter>] {
        &self.filters
    }
}
