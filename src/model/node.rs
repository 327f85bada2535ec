//! Nodes and their lifecycle: provisioning → ready → (cordoned / draining) → terminated.

use super::PodId;
use super::Taint;
use crate::quantity::Resources;
use crate::time::SimTime;

/// Index of a node in [`super::Cluster::nodes`]; increases with creation time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId(pub u32);

/// Index of a pool in the scenario's pool list (file order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PoolId(pub u32);

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NodeState {
    /// Launched and billed, not yet able to run pods.
    Provisioning,
    /// Accepting pods.
    Ready,
    /// Ready but marked unschedulable: running pods stay, new pods go elsewhere.
    Cordoned,
    /// Unschedulable and having its pods evicted.
    Draining,
    /// Was ready, lost contact (its zone is down); billed, holds no pods, comes back later.
    NotReady,
    /// Gone; kept in the node list for reporting.
    Terminated,
}

impl NodeState {
    pub fn as_str(self) -> &'static str {
        match self {
            NodeState::Provisioning => "Provisioning",
            NodeState::Ready => "Ready",
            NodeState::Cordoned => "Cordoned",
            NodeState::Draining => "Draining",
            NodeState::NotReady => "NotReady",
            NodeState::Terminated => "Terminated",
        }
    }
}

/// Labels every node carries, as in Kubernetes (`kubernetes.io/hostname`,
/// `topology.kubernetes.io/zone`) plus the pool and capacity type, as Karpenter labels them.
pub const WELL_KNOWN_LABELS: [&str; 4] = [
    "kubernetes.io/hostname",
    "topology.kubernetes.io/zone",
    "karpenter.sh/capacity-type",
    "clustersim.io/pool",
];

#[derive(Clone, Debug)]
pub struct Node {
    pub id: NodeId,
    /// `<pool>-<n>`, n counting the pool's launches from 0.
    pub name: String,
    pub pool: PoolId,
    /// Index into the scenario's zone list.
    pub zone: u32,
    pub state: NodeState,
    pub allocatable: Resources,
    /// Sum of the requests of the pods bound here.
    pub allocated: Resources,
    pub max_pods: u32,
    /// Pods bound here, in no particular order (removal swaps).
    pub pods: Vec<PodId>,
    /// Taints added at run time (e.g. a spot interruption notice), on top of the pool's.
    pub extra_taints: Vec<Taint>,
    pub launched_at: SimTime,
    pub ready_at: Option<SimTime>,
    pub terminated_at: Option<SimTime>,
}

impl Node {
    /// Ready and not cordoned or draining.
    #[inline]
    pub fn is_schedulable(&self) -> bool {
        self.state == NodeState::Ready
    }

    /// Counts as a ready node (ready, cordoned or draining nodes still run pods).
    #[inline]
    pub fn is_up(&self) -> bool {
        matches!(
            self.state,
            NodeState::Ready | NodeState::Cordoned | NodeState::Draining
        )
    }

    #[inline]
    pub fn free(&self) -> Resources {
        self.allocatable.saturating_sub(&self.allocated)
    }

    #[inline]
    pub fn pod_count(&self) -> u32 {
        self.pods.len() as u32
    }
}
