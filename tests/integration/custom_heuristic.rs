//! The "Write your own heuristic" example of docs/scheduling.md, compiled and run.

use clustersim::model::{Cluster, NodeId};
use clustersim::scheduler::registry::default_filters;
use clustersim::scheduler::{Filter, PodRef, Policy, Profile};

/// Last-fit: the last feasible node in the stable node order.
pub struct LastFit {
    pub filters: Vec<Box<dyn Filter>>,
}

impl Policy for LastFit {
    fn name(&self) -> &str {
        "last-fit"
    }

    fn select(&mut self, pod: &PodRef, cluster: &Cluster) -> Option<NodeId> {
        let feasible =
            |&&id: &&NodeId| Profile::feasible(&self.filters, pod, cluster.node(id), cluster);
        cluster.node_order().iter().rev().find(feasible).copied()
    }

    fn filters(&self) -> &[Box<dyn Filter>] {
        &self.filters
    }
}

#[test]
fn last_fit_builds_and_names_itself() {
    let p = LastFit {
        filters: default_filters(),
    };
    assert_eq!(p.name(), "last-fit");
    assert_eq!(p.filters().len(), 6);
}
