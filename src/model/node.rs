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

/// The node label that names the GPU model (set from a pool's `gpu_model`, as NVIDIA's GPU
/// feature discovery does).
pub const GPU_PRODUCT_LABEL: &str = "nvidia.com/gpu.product";

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
    /// Milli-GPU left on each GPU device (1000 each when free); empty without GPUs.
    pub gpu_left: Box<[u32]>,
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

    /// True if some GPU device is partly allocated (holds shares and has room left).
    pub fn has_shared_gpu(&self) -> bool {
        self.gpu_left.iter().any(|&g| g != 0 && g != 1000)
    }
}

/// Free devices of a node with `allocatable_gpu` milli-GPU.
pub fn fresh_devices(allocatable_gpu: u64) -> Box<[u32]> {
    vec![1000; (allocatable_gpu / 1000) as usize].into_boxed_slice()
}

/// True if a request of `milli` milli-GPU in all finds devices: a share (below 1000) needs one
/// device with that much left; whole devices need that many fully free ones.
pub fn devices_fit(gpu_left: &[u32], milli: u64) -> bool {
    match crate::quantity::gpu_shape(milli) {
        Some((0, _)) => true,
        Some((k, m)) => gpu_left.iter().filter(|&&g| g >= m).count() >= k as usize,
        None => false,
    }
}

/// The devices a request of `milli` milli-GPU takes, as a bit set: whole devices are the
/// lowest-index fully free ones; a share goes to the device with the least left that holds
/// it, lowest index on ties. 0 if it does not fit (or asks for no GPU).
pub fn pick_devices(gpu_left: &[u32], milli: u64) -> u64 {
    let Some((k, m)) = crate::quantity::gpu_shape(milli) else {
        return 0;
    };
    if k == 0 {
        return 0;
    }
    if m < 1000 {
        return gpu_left
            .iter()
            .enumerate()
            .filter(|&(_, &g)| g >= m)
            .min_by_key(|&(i, &g)| (g, i))
            .map_or(0, |(i, _)| 1 << i);
    }
    let mut mask = 0u64;
    let mut need = k;
    for (i, &g) in gpu_left.iter().enumerate() {
        if need > 0 && g == 1000 {
            mask |= 1 << i;
            need -= 1;
        }
    }
    if need == 0 { mask } else { 0 }
}
