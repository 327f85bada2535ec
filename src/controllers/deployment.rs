//! Deployments: `replicas` long-running pods; a pod that fails or is evicted is replaced by a
//! new pending pod at once, as its ReplicaSet does.

use crate::model::{Pod, PodPhase, TemplateId};
use crate::scenario::{Scenario, WorkloadKind};
use crate::sim::Context;

struct DeploymentState {
    replicas: u32,
    /// Pods created so far (names the next one).
    created: u64,
    /// Pods not yet in a terminal phase.
    live: u32,
    /// Pods that count as ready.
    ready: u32,
}

/// Every Deployment of the run, by workload index (`None` for other kinds).
pub struct DeploymentController {
    deployments: Vec<Option<DeploymentState>>,
}

impl DeploymentController {
    pub fn new(scenario: &Scenario) -> Self {
        let deployments = scenario
            .workloads
            .iter()
            .map(|w| match &w.kind {
                WorkloadKind::Deployment { replicas, .. } => Some(DeploymentState {
                    replicas: *replicas,
                    created: 0,
                    live: 0,
                    ready: 0,
                }),
                _ => None,
            })
            .collect();
        DeploymentController { deployments }
    }

    /// Time 0: every replica of workload `w` is created.
    pub fn start(&mut self, cx: &mut Context, w: usize) {
        let replicas = self.deployments[w].as_ref().map_or(0, |d| d.replicas);
        for _ in 0..replicas {
            self.create_pod(cx, w);
        }
    }

    fn create_pod(&mut self, cx: &mut Context, w: usize) {
        let Some(d) = self.deployments[w].as_mut() else {
            return;
        };
        let ordinal = d.created;
        d.created += 1;
        d.live += 1;
        let template = &cx.scenario().workloads[w].template;
        let pod = Pod::new(
            w,
            TemplateId(w as u32),
            ordinal,
            template.requests,
            template.priority,
            cx.now(),
            None,
        );
        cx.submit(pod);
    }

    /// A pod of Deployment `w` ended in `phase`: one fewer live (and ready) pod, and a
    /// replacement unless it succeeded.
    pub fn pod_ended(&mut self, cx: &mut Context, w: usize, phase: PodPhase, was_ready: bool) {
        let Some(d) = self.deployments[w].as_mut() else {
            return;
        };
        d.live -= 1;
        if was_ready {
            d.ready -= 1;
        }
        if phase != PodPhase::Succeeded {
            self.create_pod(cx, w);
        }
    }

    /// A pod of Deployment `w` became ready.
    pub fn pod_ready(&mut self, w: usize) {
        if let Some(d) = self.deployments[w].as_mut() {
            d.ready += 1;
        }
    }

    /// Ready pods of Deployment `w` (`None` if `w` is not a Deployment).
    pub fn ready(&self, w: usize) -> Option<u32> {
        self.deployments[w].as_ref().map(|d| d.ready)
    }

    /// The workloads whose Deployment has at least `replicas` ready pods now.
    pub fn available(&self) -> impl Iterator<Item = usize> + '_ {
        self.deployments
            .iter()
            .enumerate()
            .filter(|(_, d)| d.as_ref().is_some_and(|d| d.ready >= d.replicas))
            .map(|(w, _)| w)
    }
}
