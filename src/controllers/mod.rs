//! The control loops: one module per Kubernetes controller, each owning its state and its
//! random streams, and reaching the cluster only through the [`Context`].
//!
//! - [`job`]: Batch workloads, pods arriving as a Poisson stream, each running for a sampled
//!   time (what a stream of Kubernetes Jobs looks like to the scheduler).
//! - [`replay`]: Trace workloads, pods replayed from a CSV file.
//! - [`deployment`]: Deployments, which keep `replicas` pods, replacing any that fail or are
//!   evicted (the ReplicaSet's behaviour).
//!
//! Every pod has one owner, the controller of its workload. When something outside the owner
//! ends a pod (the cloud takes its node, a higher-priority pod preempts it), the owner is told
//! at once, through [`Controllers::evict`] or [`Controllers::pod_ended`], so a replacement is
//! queued in the same step as the loss, exactly as the events happen.

pub mod deployment;
pub mod job;
pub mod replay;

pub use deployment::DeploymentController;
pub use job::{JobController, JobEvent};
pub use replay::{ReplayController, ReplayEvent, Templates};

use crate::model::{PodId, PodPhase};
use crate::scenario::{Scenario, WorkloadKind};
use crate::sim::{Context, Progress};

/// Which controller owns the pods of a workload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Owner {
    Job,
    Replay,
    Deployment,
}

/// Every workload controller of a run.
pub struct Controllers {
    pub job: JobController,
    pub replay: ReplayController,
    pub deployment: DeploymentController,
    /// The owner of each workload's pods, by workload index.
    owners: Vec<Owner>,
}

impl Controllers {
    pub fn new(scenario: &Scenario, templates: &Templates) -> Self {
        let owners = scenario
            .workloads
            .iter()
            .map(|w| match w.kind {
                WorkloadKind::Batch { .. } => Owner::Job,
                WorkloadKind::Trace { .. } => Owner::Replay,
                WorkloadKind::Deployment { .. } => Owner::Deployment,
            })
            .collect();
        Controllers {
            job: JobController::new(scenario),
            replay: ReplayController::new(scenario, templates),
            deployment: DeploymentController::new(scenario),
            owners,
        }
    }

    /// Time 0, in workload order: first arrivals, Deployment replicas, first trace rows.
    pub fn start(&mut self, cx: &mut Context) {
        for (w, owner) in self.owners.iter().enumerate() {
            match owner {
                Owner::Job => self.job.start(cx, w),
                Owner::Replay => self.replay.start(cx, w),
                Owner::Deployment => self.deployment.start(cx, w),
            }
        }
    }

    /// True if the workload's pods are deleted at once when told to stop (an interruption
    /// notice), so their ReplicaSet starts replacements straight away, as Kubernetes does for a
    /// terminating pod. Batch pods run out their termination grace period instead.
    pub fn replaced_while_terminating(&self, workload: u32) -> bool {
        self.owners[workload as usize] == Owner::Deployment
    }

    /// An involuntary disruption: the pod's node is going, or a higher-priority pod needs the
    /// room. The eviction is counted under `reason` and logged as `event` with `message`. A
    /// Deployment pod ends and is replaced; a Batch or Trace pod goes back to the pending queue
    /// keeping `progress` of its work.
    pub fn evict(
        &mut self,
        cx: &mut Context,
        pod: PodId,
        reason: &'static str,
        event: &'static str,
        message: &str,
        progress: Progress,
    ) {
        cx.count_eviction(reason);
        let workload = cx.cluster().pod(pod).workload;
        if self.replaced_while_terminating(workload) {
            let was_ready = cx.end_pod(pod, PodPhase::Evicted, event, message);
            self.pod_ended(cx, pod, PodPhase::Evicted, was_ready);
        } else {
            cx.requeue(pod, progress, event, message);
        }
    }

    /// `pod` ended in `phase` (and was ready before, if `was_ready`): its owner reacts.
    pub fn pod_ended(&mut self, cx: &mut Context, pod: PodId, phase: PodPhase, was_ready: bool) {
        let workload = cx.cluster().pod(pod).workload as usize;
        if self.owners[workload] == Owner::Deployment {
            self.deployment.pod_ended(cx, workload, phase, was_ready);
        }
    }

    /// `pod` became ready: its owner counts it.
    pub fn pod_ready(&mut self, workload: u32) {
        if self.owners[workload as usize] == Owner::Deployment {
            self.deployment.pod_ready(workload as usize);
        }
    }
}
