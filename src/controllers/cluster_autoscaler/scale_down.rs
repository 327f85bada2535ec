//! Scale-down: which nodes are unneeded (`core/scaledown/`). A ready node of a node group is
//! unneeded when max(cpu, memory) requested over allocatable is at or below the threshold (GPU
//! nodes: GPU requested over allocatable) and every pod on it could move to another node: each
//! pod, in turn, fits a node that the real filters accept and whose free resources, less what
//! earlier pods of this scan were moved there, still take it; no pod's disruption budget may be
//! exhausted by the move.

use std::collections::BTreeMap;

use crate::model::{Cluster, Node, NodeId, PodId};
use crate::quantity::Resources;
use crate::scheduler::{Filter, PodRef};

/// Most non-empty nodes whose pods are simulated per scan
/// (`--scale-down-non-empty-candidates-count`).
pub const NON_EMPTY_CANDIDATES: usize = 30;

/// Requested over allocatable: the larger of cpu and memory, or the GPU share on a GPU node.
pub fn utilization(node: &Node) -> f64 {
    let share = |used: u64, total: u64| {
        if total == 0 {
            0.0
        } else {
            used as f64 / total as f64
        }
    };
    let (a, t) = (&node.allocated, &node.allocatable);
    if t.gpu > 0 {
        return share(a.gpu, t.gpu);
    }
    share(a.cpu_m, t.cpu_m).max(share(a.memory, t.memory))
}

/// Where the pods of candidate nodes would go; shared by the candidates of one scan so two
/// candidates never count on the same free room.
#[derive(Default)]
pub struct MovePlan {
    /// Resources and pods already promised on each destination.
    promised: BTreeMap<NodeId, (Resources, u32)>,
    /// Disruptions already promised per workload.
    disruptions: BTreeMap<u32, u32>,
}

/// Why a node cannot be removed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Blocked {
    /// Over the utilization threshold.
    Utilized,
    /// A pod fits nowhere else.
    NoPlaceToMove(PodId),
    /// A pod's PodDisruptionBudget allows no more disruptions.
    DisruptionBudget(PodId),
}

impl MovePlan {
    /// Checks that every pod of `node` can move (to nodes that are neither `node` nor in
    /// `leaving`), and if so promises the room. `budgets` are the disruptions each workload's
    /// budget allows now.
    pub fn try_move(
        &mut self,
        cluster: &Cluster,
        filters: &[Box<dyn Filter>],
        node: &Node,
        leaving: &dyn Fn(NodeId) -> bool,
        budgets: &[Option<u32>],
    ) -> Result<(), Blocked> {
        let mut pods = node.pods.clone();
        pods.sort_unstable();
        let mut promised: Vec<(NodeId, Resources)> = Vec::new();
        let mut disruptions: BTreeMap<u32, u32> = BTreeMap::new();
        for pod in pods {
            let p = cluster.pod(pod);
            let w = p.workload;
            let used = self.disruptions.get(&w).copied().unwrap_or(0)
                + disruptions.get(&w).copied().unwrap_or(0);
            if let Some(Some(allowed)) = budgets.get(w as usize)
                && used >= *allowed
            {
                return Err(Blocked::DisruptionBudget(pod));
            }
            let pod_ref = PodRef::new(cluster, p);
            let dest = cluster.node_order().iter().copied().find(|&id| {
                if id == node.id || leaving(id) {
                    return false;
                }
                let d = cluster.node(id);
                if !d.is_schedulable() {
                    return false;
                }
                let (mut extra, mut extra_pods) = self
                    .promised
                    .get(&id)
                    .copied()
                    .unwrap_or((Resources::ZERO, 0));
                for (n, r) in &promised {
                    if *n == id {
                        extra += *r;
                        extra_pods += 1;
                    }
                }
                let free = d.free().saturating_sub(&extra);
                p.requests.fits_in(&free)
                    && d.pod_count() + extra_pods < d.max_pods
                    && filters
                        .iter()
                        .all(|f| f.filter(&pod_ref, d, cluster).is_ok())
            });
            let Some(dest) = dest else {
                return Err(Blocked::NoPlaceToMove(pod));
            };
            promised.push((dest, p.requests));
            *disruptions.entry(w).or_default() += 1;
        }
        for (n, r) in promised {
            let e = self.promised.entry(n).or_insert((Resources::ZERO, 0));
            e.0 += r;
            e.1 += 1;
        }
        for (w, n) in disruptions {
            *self.disruptions.entry(w).or_default() += n;
        }
        Ok(())
    }
}
