//! The control loops: one module per Kubernetes controller, each owning its state and its
//! random streams, and reaching the cluster only through the [`Context`].
//!
//! - [`job`]: Batch workloads, pods arriving as a Poisson stream, each running for a sampled
//!   time (what a stream of Kubernetes Jobs looks like to the scheduler), and Jobs and
//!   CronJobs: parallelism, completions, backoffLimit, activeDeadlineSeconds, schedules.
//! - [`replay`]: Trace workloads, pods replayed from a CSV file.
//! - [`deployment`]: Deployments: ReplicaSets per revision, rolling updates, Recreate,
//!   progress deadlines and rollbacks.
//! - [`disruption`]: PodDisruptionBudgets and the eviction API.
//! - [`node_lifecycle`]: cordon, drain and surge node-pool upgrades.
//! - [`cluster_autoscaler`]: the Cluster Autoscaler, which grows and shrinks node groups.
//! - [`karpenter`]: Karpenter-style provisioning and consolidation from NodePools.
//! - [`hpa`]: HorizontalPodAutoscalers, which set a Deployment's replicas from its cpu
//!   utilization.
//!
//! Every pod has one owner, the controller of its workload. When something outside the owner
//! ends a pod (the cloud takes its node, a higher-priority pod preempts it, a drain evicts
//! it), the owner is told at once, through [`Controllers::evict`] or
//! [`Controllers::pod_ended`], so a replacement is queued in the same step as the loss.
//! Operator actions from the scenario's `events` (rollouts, drains, upgrades) arrive as
//! [`ActionEvent`]s and go to the controller they concern.

pub mod cluster_autoscaler;
pub mod deployment;
pub mod disruption;
pub mod hpa;
pub mod job;
pub mod karpenter;
pub mod node_lifecycle;
pub mod replay;

pub use deployment::{DeploymentController, DeploymentEvent, PodLoss};
pub use disruption::DisruptionController;
pub use hpa::{HpaController, HpaEvent};
pub use job::{JobController, JobEvent};
pub use node_lifecycle::{NodeLifecycleController, NodeLifecycleEvent};
pub use replay::{ReplayController, ReplayEvent, Templates};

use crate::metrics::Observation;
use crate::model::{NodeId, PodId, PodPhase};
use crate::scenario::{Action, EventTiming, NodeTarget, Scenario, WorkloadKind};
use crate::sim::{Context, Progress};

/// An operator action falls due (index into the scenario's `actions`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActionEvent {
    Due { action: u32 },
}

/// Which controller owns the pods of a workload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Owner {
    Job,
    Replay,
    Deployment,
}

/// Every controller of a run.
pub struct Controllers {
    pub job: JobController,
    pub replay: ReplayController,
    pub deployment: DeploymentController,
    pub disruption: DisruptionController,
    pub lifecycle: NodeLifecycleController,
    pub hpa: HpaController,
    /// The owner of each workload's pods, by workload index.
    owners: Vec<Owner>,
}

impl Controllers {
    pub fn new(scenario: &Scenario, templates: &Templates) -> Self {
        let owners = scenario
            .workloads
            .iter()
            .map(|w| match w.kind {
                WorkloadKind::Batch { .. } | WorkloadKind::Job(_) => Owner::Job,
                WorkloadKind::Trace { .. } => Owner::Replay,
                WorkloadKind::Deployment(_) => Owner::Deployment,
            })
            .collect();
        Controllers {
            job: JobController::new(scenario),
            replay: ReplayController::new(scenario, templates),
            deployment: DeploymentController::new(scenario),
            disruption: DisruptionController::new(scenario),
            lifecycle: NodeLifecycleController::new(scenario),
            hpa: HpaController::new(scenario),
            owners,
        }
    }

    /// Time 0, in workload order: first arrivals, Deployment replicas, first trace rows; then
    /// the first time of each operator action.
    pub fn start(&mut self, cx: &mut Context) {
        for (w, owner) in self.owners.iter().enumerate() {
            match owner {
                Owner::Job => self.job.start(cx, w),
                Owner::Replay => self.replay.start(cx, w),
                Owner::Deployment => self.deployment.start(cx, w),
            }
        }
        for (i, a) in cx.scenario().actions.iter().enumerate() {
            let at = match a.when {
                EventTiming::At(at) => at,
                EventTiming::Every { start, .. } => start,
            };
            cx.set_timer(at, ActionEvent::Due { action: i as u32 });
        }
        self.hpa.start(cx);
    }

    /// An HPA syncs: it may rescale its Deployment.
    pub fn handle_hpa(&mut self, cx: &mut Context, event: HpaEvent) {
        self.hpa.handle(cx, &mut self.deployment, event);
    }

    /// An operator action is due: it goes to the controller it concerns.
    pub fn handle_action(&mut self, cx: &mut Context, event: ActionEvent) {
        let ActionEvent::Due { action } = event;
        let scheduled = &cx.scenario().actions[action as usize];
        if let EventTiming::Every { every, .. } = scheduled.when {
            let next = cx.now() + every;
            cx.set_timer(next, event);
        }
        match &scheduled.action {
            Action::Rollout {
                workload,
                requests,
                healthy,
            } => self.deployment.rollout(cx, *workload, *requests, *healthy),
            Action::Rollback { workload } => self.deployment.rollback(cx, *workload),
            Action::Cordon { node } => self.cordon_named(cx, node),
            Action::Uncordon { node } => self.uncordon_named(cx, node),
            Action::Drain {
                target,
                timeout,
                on_timeout,
            } => match target {
                NodeTarget::Node(name) => self.drain_named(cx, name, *timeout, *on_timeout),
                NodeTarget::Pool(pool) => self.drain_pool(cx, *pool, *timeout, *on_timeout),
            },
            Action::Upgrade {
                pool,
                max_surge,
                max_unavailable,
                drain_timeout,
                on_timeout,
                new_nodes_healthy,
            } => self.upgrade(
                cx,
                *pool,
                *max_surge,
                *max_unavailable,
                *drain_timeout,
                *on_timeout,
                *new_nodes_healthy,
            ),
        }
    }

    /// True if the workload's pods are deleted at once when told to stop (an interruption
    /// notice), so their ReplicaSet starts replacements straight away, as Kubernetes does for a
    /// terminating pod. Batch pods run out their termination grace period instead.
    pub fn replaced_while_terminating(&self, workload: u32) -> bool {
        self.owners[workload as usize] == Owner::Deployment
    }

    /// The eviction API (a voluntary disruption): evicts `pod` unless its disruption budget
    /// allows no disruption now. Returns whether it was evicted.
    pub fn request_eviction(&mut self, cx: &mut Context, pod: PodId) -> bool {
        let allowed = self.disruption.allowed(cx.cluster(), &self.deployment, pod);
        if allowed == Some(0) {
            cx.observe(Observation::EvictionRefused);
            cx.log_pod(pod, "EvictionRefused", disruption::PDB_REFUSAL);
            return false;
        }
        cx.observe(Observation::EvictionGranted);
        self.evict(
            cx,
            pod,
            "Drain",
            "Evicted",
            "evicted by the eviction API (drain)",
            Progress::SinceCheckpoint,
        );
        true
    }

    /// Evicts every pod of `node` through the eviction API, in pod order, stopping at the
    /// first one a disruption budget refuses; true if all went (an autoscaler removing the
    /// node).
    pub fn evict_all_from(&mut self, cx: &mut Context, node: NodeId) -> bool {
        let mut pods = cx.cluster().node(node).pods.clone();
        pods.sort_unstable();
        pods.into_iter().all(|p| self.request_eviction(cx, p))
    }

    /// Evicts a running pod without asking its budget: the pod's node is going, a
    /// higher-priority pod needs the room, or a drain forces it. The eviction is counted under
    /// `reason` and logged as `event` with `message`. A Deployment pod ends and is replaced; a
    /// Batch or Trace pod goes back to the pending queue keeping `progress` of its work.
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
            let loss = cx.end_pod(pod, PodPhase::Evicted, event, message);
            self.pod_ended(cx, pod, loss);
        } else {
            cx.requeue(pod, progress, event, message);
            if self.owners[workload as usize] == Owner::Job {
                self.job.pod_failed(cx, workload as usize, pod);
            }
        }
    }

    /// `pod` ended (it succeeded, failed or was evicted): its owner reacts.
    pub fn pod_ended(&mut self, cx: &mut Context, pod: PodId, loss: PodLoss) {
        let workload = cx.cluster().pod(pod).workload as usize;
        match self.owners[workload] {
            Owner::Deployment => self.deployment.pod_ended(cx, workload, pod, loss),
            Owner::Job => self.job.pod_ended(cx, workload, pod),
            Owner::Replay => {}
        }
    }

    /// `pod` became ready: its owner counts it.
    pub fn pod_ready(&mut self, cx: &mut Context, pod: PodId) {
        let workload = cx.cluster().pod(pod).workload as usize;
        if self.owners[workload] == Owner::Deployment {
            self.deployment.pod_ready(cx, pod);
        }
    }

    /// `pod` stopped being ready while running.
    pub fn pod_unready(&mut self, cx: &mut Context, pod: PodId, loss: PodLoss) {
        let workload = cx.cluster().pod(pod).workload as usize;
        if self.owners[workload] == Owner::Deployment {
            self.deployment.pod_unready(cx, pod, loss);
        }
    }
}
