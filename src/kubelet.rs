//! The kubelet: what happens to a pod on its node once it is bound.
//!
//! - A pod with a run time (batch, trace rows) succeeds when it is over.
//! - A Deployment pod becomes ready after its startup delay (drawn from the workload's
//!   `workload/<name>/startup` stream), or at once without one.
//! - A pod told to stop (an interruption notice) runs out its termination grace period and is
//!   then killed, unless it finished or its node went first.

use crate::controllers::Controllers;
use crate::dist::DurationDist;
use crate::model::{NodeId, PodId, PodPhase};
use crate::rng::{SimRng, stream};
use crate::scenario::{Scenario, WorkloadKind};
use crate::sim::{Context, Progress};

/// The kubelet's events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KubeletEvent {
    /// A running pod's run time is over.
    PodFinished { pod: PodId },
    /// A Deployment pod's startup delay is over; it now counts as ready.
    PodReady { pod: PodId },
    /// A batch pod's termination grace period (after an interruption notice) is over.
    PodKill { pod: PodId },
}

/// When a workload's pods count as ready.
// One value per workload, so the size difference between kinds costs nothing worth boxing for.
#[allow(clippy::large_enum_variant)]
enum Startup {
    /// Never: readiness does not apply (batch and trace pods).
    NotApplicable,
    /// As soon as they are bound.
    Immediate,
    /// After a drawn delay.
    After(DurationDist, SimRng),
}

/// Per-workload pod startup behaviour.
pub struct Kubelet {
    startup: Vec<Startup>,
}

impl Kubelet {
    pub fn new(scenario: &Scenario) -> Self {
        let startup = scenario
            .workloads
            .iter()
            .map(|w| match &w.kind {
                WorkloadKind::Deployment {
                    startup: Some(dist),
                    ..
                } => Startup::After(
                    dist.clone(),
                    stream(scenario.seed, &format!("workload/{}/startup", w.name)),
                ),
                WorkloadKind::Deployment { startup: None, .. } => Startup::Immediate,
                _ => Startup::NotApplicable,
            })
            .collect();
        Kubelet { startup }
    }

    /// `pod` was just bound to `node`: start its run-time and readiness clocks.
    pub fn pod_bound(
        &mut self,
        cx: &mut Context,
        owners: &mut Controllers,
        pod: PodId,
        _node: NodeId,
    ) {
        let now = cx.now();
        let p = cx.cluster().pod(pod);
        let (run_time, workload) = (p.run_time, p.workload);
        if let Some(run) = run_time {
            let timer = cx.set_timer(now + run, KubeletEvent::PodFinished { pod });
            cx.set_pod_timer(pod, Some(timer));
        }
        match &mut self.startup[workload as usize] {
            Startup::NotApplicable => {}
            Startup::Immediate => {
                cx.set_pod_ready(pod);
                owners.pod_ready(workload);
            }
            Startup::After(dist, rng) => {
                let delay = dist.sample(rng);
                let timer = cx.set_timer(now + delay, KubeletEvent::PodReady { pod });
                cx.set_pod_timer(pod, Some(timer));
            }
        }
    }

    pub fn handle(&mut self, cx: &mut Context, owners: &mut Controllers, event: KubeletEvent) {
        match event {
            KubeletEvent::PodFinished { pod } => {
                let was_ready = cx.complete_pod(pod);
                owners.pod_ended(cx, pod, PodPhase::Succeeded, was_ready);
            }
            KubeletEvent::PodReady { pod } => {
                cx.set_pod_timer(pod, None);
                if cx.set_pod_ready(pod) {
                    owners.pod_ready(cx.cluster().pod(pod).workload);
                    match cx.cluster().pod(pod).node {
                        Some(node) => cx.log_pod_on(pod, node, "Ready", ""),
                        None => cx.log_pod(pod, "Ready", ""),
                    }
                }
            }
            KubeletEvent::PodKill { pod } => {
                // Unless it finished, or went with its node, during the grace period.
                let p = cx.cluster().pod(pod);
                if p.terminating && p.phase == PodPhase::Running {
                    owners.evict(
                        cx,
                        pod,
                        "SpotInterruption",
                        "Evicted",
                        "SpotInterruption",
                        Progress::SinceCheckpoint,
                    );
                }
            }
        }
    }
}
