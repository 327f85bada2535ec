//! Scale-down: which nodes are unneeded (`core/scaledown/`). A ready node of a node group is
//! unneeded when max(cpu, memory) requested over allocatable is at or below the threshold (GPU
//! nodes: GPU requested over allocatable) and every pod on it could move to another node: each
//! pod, in turn, fits a node that the real filters accept and whose free resources, less what
//! earlier pods of this scan were moved there, still take it; no pod's disruption budget may be
//! exhausted by the move.

use std::collections::BTreeMap;

use super::estimator::{Promised, Rooms, find_room, promise};
use crate::model::{Cluster, Node, NodeId, PodId};
use crate::scheduler::Filter;

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
    promised: Promised,
    /// Disruptions already promised per workload.
    disruptions: BTreeMap<u32, u32>,
}

/// Why a node cannot be removed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Blocked {
    /// A pod fits nowhere else.
    NoPlaceToMove(PodId),
    /// A pod's PodDisruptionBudget allows no more disruptions.
    DisruptionBudget(PodId),
}

impl MovePlan {
    /// Checks that every pod of `node` can move (to nodes that are neither `node` nor in
    /// `leaving`), and if so promises the room. `budgets` are the disruptions each workload's
    /// budget allows now; `rooms` remembers which nodes have room (see [`Rooms`]).
    pub fn try_move(
        &mut self,
        cluster: &Cluster,
        filters: &[Box<dyn Filter>],
        node: &Node,
        leaving: &dyn Fn(NodeId) -> bool,
        budgets: &[Option<u32>],
        rooms: &mut Rooms,
    ) -> Result<(), Blocked> {
        let mut pods = node.pods.clone();
        pods.sort_unstable();
        let mut promised = self.promised.clone();
        let mut disruptions = self.disruptions.clone();
        for pod in pods {
            let w = cluster.pod(pod).workload;
            let used = disruptions.entry(w).or_default();
            if let Some(Some(allowed)) = budgets.get(w as usize)
                && *used >= *allowed
            {
                return Err(Blocked::DisruptionBudget(pod));
            }
            *used += 1;
            let allowed = |id: NodeId| id != node.id && !leaving(id);
            let Some(dest) = find_room(cluster, filters, pod, &promised, allowed, rooms) else {
                return Err(Blocked::NoPlaceToMove(pod));
            };
            promise(&mut promised, dest, cluster.pod(pod).requests);
        }
        self.promised = promised;
        self.disruptions = disruptions;
        Ok(())
    }
}
