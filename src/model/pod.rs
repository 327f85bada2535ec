//! Pods and their phases.

use super::NodeId;
use crate::engine::EventId;
use crate::quantity::Resources;
use crate::time::{SimDuration, SimTime};

/// Index of a pod in [`super::Cluster::pods`]; increases with submission.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PodId(pub u32);

/// Index of the workload whose template a pod follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TemplateId(pub u32);

/// Kubernetes pod phases, plus `Evicted`, which Kubernetes reports as a `Failed` pod with reason
/// `Evicted`; clustersim keeps it apart because it matters for every spot study.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PodPhase {
    Pending,
    Running,
    Succeeded,
    Failed,
    Evicted,
    /// Deleted by its controller (a ReplicaSet scaled down).
    Deleted,
}

impl PodPhase {
    pub fn as_str(self) -> &'static str {
        match self {
            PodPhase::Pending => "Pending",
            PodPhase::Running => "Running",
            PodPhase::Succeeded => "Succeeded",
            PodPhase::Failed => "Failed",
            PodPhase::Evicted => "Evicted",
            PodPhase::Deleted => "Deleted",
        }
    }

    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            PodPhase::Succeeded | PodPhase::Failed | PodPhase::Evicted | PodPhase::Deleted
        )
    }
}

#[derive(Clone, Debug)]
pub struct Pod {
    pub id: PodId,
    /// Index of the workload that created the pod (in the scenario's workload list).
    pub workload: u32,
    /// The pod template: the workload's, or a copy of it with a trace row's own namespace.
    pub template: TemplateId,
    /// The n-th pod of its workload (names are `<workload>-<ordinal>`).
    pub ordinal: u64,
    /// A trace row's own name, if it gave one.
    pub name_override: Option<Box<str>>,
    pub requests: Resources,
    pub priority: i32,
    pub phase: PodPhase,
    pub node: Option<NodeId>,
    /// Position in `node.pods`, kept for O(1) removal.
    pub(crate) slot_on_node: u32,
    pub submitted_at: SimTime,
    /// When the pod last entered the pending queue.
    pub queued_at: SimTime,
    pub bound_at: Option<SimTime>,
    /// Remaining run time; `None` runs until the end of the simulation.
    pub run_time: Option<SimDuration>,
    /// Counts as ready (a Deployment pod after its startup delay).
    pub ready: bool,
    /// The pending completion (or readiness) timer, cancelled if the pod is evicted first.
    pub(crate) timer: Option<EventId>,
    /// Times the pod went back to the pending queue after running (preempted batch work).
    pub requeues: u32,
    /// Told to stop (an interruption notice) and running out its termination grace period.
    pub terminating: bool,
    /// Set once the pod was found unschedulable and that was logged, to log it once per wait.
    pub(crate) reported_unschedulable: bool,
    /// The ReplicaSet of its Deployment that owns it (0 for other workloads).
    pub revision: u32,
    /// Passes its readiness probe once its container runs (a rollout may bring pods that never
    /// do).
    pub healthy: bool,
    /// Since when the pod has been ready, if it is.
    pub ready_since: Option<SimTime>,
    /// Ready for its Deployment's minReadySeconds.
    pub available: bool,
    /// Container starts on this binding; kubelet timers carry it and are ignored once stale.
    pub incarnation: u32,
    /// Container restarts after crashes (Kubernetes' restartCount).
    pub restarts: u32,
    /// Crashes in a row, for the restart back-off.
    pub backoff_step: u32,
    /// When the running container started.
    pub started_at: Option<SimTime>,
    /// Crashed and not ready since (CrashLoopBackOff).
    pub crash_looping: bool,
    /// When the data the pod serves was released (its revision's rollout, or its last
    /// in-place refresh).
    pub data_version: SimTime,
    /// The GPU devices of its node the pod holds (bit i = device i), while bound.
    pub gpu_devices: u64,
}

impl Pod {
    /// A new pending pod of `workload`, following `template`; its id is set on submission.
    pub fn new(
        workload: usize,
        template: TemplateId,
        ordinal: u64,
        requests: Resources,
        priority: i32,
        now: SimTime,
        run_time: Option<SimDuration>,
    ) -> Pod {
        Pod {
            id: PodId(u32::MAX),
            workload: workload as u32,
            template,
            ordinal,
            name_override: None,
            requests,
            priority,
            phase: PodPhase::Pending,
            node: None,
            slot_on_node: 0,
            submitted_at: now,
            queued_at: now,
            bound_at: None,
            run_time,
            ready: false,
            timer: None,
            requeues: 0,
            terminating: false,
            reported_unschedulable: false,
            revision: 0,
            healthy: true,
            ready_since: None,
            available: false,
            incarnation: 0,
            restarts: 0,
            backoff_step: 0,
            started_at: None,
            crash_looping: false,
            data_version: SimTime::ZERO,
            gpu_devices: 0,
        }
    }
}
