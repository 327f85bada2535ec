//! The kubelet: what happens to a pod on its node once it is bound.
//!
//! # Rules
//! 1. A pod with a run time (batch, trace rows) succeeds when it is over.
//! 2. A Deployment pod's container runs after its `startup` delay (drawn from the workload's
//!    `workload/<name>/startup` stream), at once without one. It is ready at its first passing
//!    readiness probe, `initial_delay` after it started (at once without a probe), unless its
//!    revision is unhealthy: then it never passes.
//! 3. A container that starts while a workload it `depends_on` has fewer ready pods than it
//!    needs exits after `crash_after`; random crashes (`crashes`) strike running containers
//!    after exponential times. A crashed container restarts in place after a back-off of
//!    `initial` (10 s), doubling with each crash up to `max` (300 s) — CrashLoopBackOff — and
//!    the doubling starts afresh once a container ran for `reset_after` (10 min). The pod keeps
//!    its node and its requests throughout; restarts skip the startup delay (the image is
//!    there already).
//! 4. `in_place_refresh`: every `every`, each ready pod of the Deployment starts a refresh
//!    after a uniform jitter and is unready for `downtime`, with nothing pacing the pods.
//! 5. A pod told to stop (an interruption notice) runs out its termination grace period and is
//!    then killed, unless it finished or its node went first.
//!
//! Simplification: probes see a change at once (no failureThreshold × period of detection).

use rand::RngExt;

use crate::controllers::Controllers;
use crate::dist::{DurationDist, exponential_gap};
use crate::metrics::Observation;
use crate::model::{NodeId, PodId, PodPhase};
use crate::rng::{SimRng, stream};
use crate::scenario::{BackoffSpec, Dependency, RefreshSpec, Scenario, WorkloadKind};
use crate::sim::{Context, Progress};
use crate::time::{SimDuration, SimTime};

/// The kubelet's events. Those that carry an `incarnation` are ignored once the pod left the
/// node it was bound to when they were set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KubeletEvent {
    /// A running pod's run time is over.
    PodFinished {
        pod: PodId,
    },
    /// A Deployment pod's container starts (after its startup delay).
    ContainerStarted {
        pod: PodId,
    },
    /// A Deployment pod's readiness probe passes.
    PodReady {
        pod: PodId,
        incarnation: u32,
    },
    /// A container exits (it crashed).
    ContainerCrashed {
        pod: PodId,
        incarnation: u32,
    },
    /// A crashed container restarts after its back-off.
    ContainerRestart {
        pod: PodId,
        incarnation: u32,
    },
    /// A batch pod's termination grace period (after an interruption notice) is over.
    PodKill {
        pod: PodId,
    },
    /// An in-place refresh tick of a Deployment.
    RefreshTick {
        workload: u32,
    },
    /// A pod starts or ends its refresh.
    RefreshStart {
        pod: PodId,
        incarnation: u32,
    },
    RefreshEnd {
        pod: PodId,
        incarnation: u32,
    },
}

/// What the kubelet runs for a workload's pods.
struct PodSpec {
    /// Readiness applies (a Deployment's pods).
    readiness: bool,
    startup: Option<(DurationDist, SimRng)>,
    initial_delay: SimDuration,
    depends_on: Vec<Dependency>,
    crash_after: Option<SimDuration>,
    crashes: Option<(SimDuration, SimRng)>,
    backoff: BackoffSpec,
    refresh: Option<(RefreshSpec, SimRng)>,
}

/// Per-workload pod behaviour on the node.
pub struct Kubelet {
    pods: Vec<PodSpec>,
    /// Per workload, the last refresh tick: the data a refreshing pod fetches.
    last_tick: Vec<SimTime>,
}

impl Kubelet {
    pub fn new(scenario: &Scenario) -> Self {
        let pods: Vec<PodSpec> = scenario
            .workloads
            .iter()
            .map(|w| {
                let s = |what: &str| stream(scenario.seed, &format!("workload/{}/{what}", w.name));
                match &w.kind {
                    WorkloadKind::Deployment(d) => PodSpec {
                        readiness: true,
                        startup: d.startup.clone().map(|dist| (dist, s("startup"))),
                        initial_delay: d.readiness.map_or(SimDuration::ZERO, |r| r.initial_delay),
                        depends_on: d.depends_on.clone(),
                        crash_after: d.crash_after,
                        crashes: d.crashes.map(|mean| (mean, s("crashes"))),
                        backoff: d.backoff,
                        refresh: d.in_place_refresh.map(|r| (r, s("refresh"))),
                    },
                    _ => PodSpec {
                        readiness: false,
                        startup: None,
                        initial_delay: SimDuration::ZERO,
                        depends_on: Vec::new(),
                        crash_after: None,
                        crashes: None,
                        backoff: BackoffSpec::default(),
                        refresh: None,
                    },
                }
            })
            .collect();
        Kubelet {
            last_tick: vec![SimTime::ZERO; pods.len()],
            pods,
        }
    }

    /// Time 0: the first refresh tick of every Deployment with `in_place_refresh`.
    pub fn start(&mut self, cx: &mut Context) {
        for (w, spec) in self.pods.iter().enumerate() {
            if let Some((r, _)) = &spec.refresh {
                let at = SimTime::ZERO + r.every;
                cx.set_timer(at, KubeletEvent::RefreshTick { workload: w as u32 });
            }
        }
    }

    /// `pod` was just bound to `node`: start its run-time clock and its container.
    pub fn pod_bound(
        &mut self,
        cx: &mut Context,
        owners: &mut Controllers,
        pod: PodId,
        _node: NodeId,
    ) {
        let now = cx.now();
        let p = cx.cluster().pod(pod);
        let (run_time, workload) = (p.run_time, p.workload as usize);
        if let Some(run) = run_time {
            let timer = cx.set_timer(now + run, KubeletEvent::PodFinished { pod });
            cx.set_pod_timer(pod, Some(timer));
        }
        let spec = &mut self.pods[workload];
        if !spec.readiness {
            return;
        }
        match &mut spec.startup {
            Some((dist, rng)) => {
                let delay = dist.sample(rng);
                let timer = cx.set_timer(now + delay, KubeletEvent::ContainerStarted { pod });
                cx.set_pod_timer(pod, Some(timer));
            }
            // Ready at the instant it is bound: not logged, as before any container ran.
            None => self.container_started(cx, owners, pod, false),
        }
    }

    pub fn handle(&mut self, cx: &mut Context, owners: &mut Controllers, event: KubeletEvent) {
        match event {
            KubeletEvent::PodFinished { pod } => {
                let loss = cx.complete_pod(pod);
                owners.pod_ended(cx, pod, loss);
            }
            KubeletEvent::ContainerStarted { pod } => {
                cx.set_pod_timer(pod, None);
                if cx.cluster().pod(pod).phase == PodPhase::Running {
                    self.container_started(cx, owners, pod, true);
                }
            }
            KubeletEvent::ContainerRestart { pod, incarnation } => {
                if current(cx, pod, incarnation) {
                    self.container_started(cx, owners, pod, true);
                }
            }
            KubeletEvent::PodReady { pod, incarnation } => {
                if current(cx, pod, incarnation) && cx.cluster().pod(pod).started_at.is_some() {
                    became_ready(cx, owners, pod, true);
                }
            }
            KubeletEvent::ContainerCrashed { pod, incarnation } => {
                if current(cx, pod, incarnation) && cx.cluster().pod(pod).started_at.is_some() {
                    self.crash(cx, owners, pod);
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
            KubeletEvent::RefreshTick { workload } => self.refresh_tick(cx, owners, workload),
            KubeletEvent::RefreshStart { pod, incarnation } => {
                if current(cx, pod, incarnation) {
                    self.refresh_start(cx, owners, pod);
                }
            }
            KubeletEvent::RefreshEnd { pod, incarnation } => {
                let p = cx.cluster().pod(pod);
                if current(cx, pod, incarnation) && p.started_at.is_some() && p.healthy {
                    became_ready(cx, owners, pod, true);
                }
            }
        }
    }

    /// Rules 2 and 3: the container runs now; `logged` says whether its readiness is logged.
    fn container_started(
        &mut self,
        cx: &mut Context,
        owners: &mut Controllers,
        pod: PodId,
        logged: bool,
    ) {
        let now = cx.now();
        let p = cx.cluster().pod(pod);
        let (workload, incarnation, healthy) = (p.workload as usize, p.incarnation, p.healthy);
        cx.note_container_started(pod);
        let spec = &mut self.pods[workload];
        let missing = spec.depends_on.iter().any(|d| {
            owners
                .deployment
                .ready(d.workload)
                .is_some_and(|r| r < d.min_ready)
        });
        if missing && let Some(after) = spec.crash_after {
            cx.set_timer(
                now + after,
                KubeletEvent::ContainerCrashed { pod, incarnation },
            );
            return;
        }
        if let Some((mean, rng)) = &mut spec.crashes {
            let gap = exponential_gap(rng, 3600.0 / mean.as_secs_f64().max(1e-3));
            cx.set_timer(
                now + gap,
                KubeletEvent::ContainerCrashed { pod, incarnation },
            );
        }
        if !healthy {
            return;
        }
        if spec.initial_delay == SimDuration::ZERO {
            became_ready(cx, owners, pod, logged);
        } else {
            let at = now + spec.initial_delay;
            cx.set_timer(at, KubeletEvent::PodReady { pod, incarnation });
        }
    }

    /// Rule 3: the container exits; it restarts after its back-off.
    fn crash(&mut self, cx: &mut Context, owners: &mut Controllers, pod: PodId) {
        let now = cx.now();
        let p = cx.cluster().pod(pod);
        let (workload, incarnation) = (p.workload as usize, p.incarnation);
        let backoff = self.pods[workload].backoff;
        let ran = p.started_at.map_or(SimDuration::ZERO, |s| now.since(s));
        let step = if ran >= backoff.reset_after {
            0
        } else {
            p.backoff_step
        };
        let delay = backoff_delay(&backoff, step);
        if let Some(loss) = cx.set_pod_unready(pod) {
            owners.pod_unready(cx, pod, loss);
        }
        cx.note_container_crash(pod, step.saturating_add(1));
        cx.observe(Observation::ContainerRestart { workload });
        if cx.logging() {
            let message = format!("Back-off {delay} restarting failed container");
            cx.log_pod(pod, "BackOff", &message);
        }
        cx.set_timer(
            now + delay,
            KubeletEvent::ContainerRestart { pod, incarnation },
        );
    }

    /// Rule 4: every ready pod of the Deployment refreshes, each after its own jitter.
    fn refresh_tick(&mut self, cx: &mut Context, owners: &mut Controllers, workload: u32) {
        let now = cx.now();
        let w = workload as usize;
        let Some((spec, rng)) = self.pods[w].refresh.as_mut() else {
            return;
        };
        cx.set_timer(now + spec.every, KubeletEvent::RefreshTick { workload });
        self.last_tick[w] = now;
        let jitter = spec.jitter;
        let mut starts: Vec<(PodId, u32, SimDuration)> = Vec::new();
        for pod in owners.deployment.pods(w) {
            let p = cx.cluster().pod(pod);
            if !p.ready {
                continue;
            }
            let delay = if jitter.0 == 0 {
                SimDuration::ZERO
            } else {
                SimDuration(rng.random_range(0..=jitter.0))
            };
            starts.push((pod, p.incarnation, delay));
        }
        for (pod, incarnation, delay) in starts {
            if delay.0 == 0 {
                self.refresh_start(cx, owners, pod);
            } else {
                cx.set_timer(now + delay, KubeletEvent::RefreshStart { pod, incarnation });
            }
        }
    }

    fn refresh_start(&mut self, cx: &mut Context, owners: &mut Controllers, pod: PodId) {
        let p = cx.cluster().pod(pod);
        let (w, incarnation) = (p.workload as usize, p.incarnation);
        let Some((spec, _)) = &self.pods[w].refresh else {
            return;
        };
        let downtime = spec.downtime;
        if let Some(loss) = cx.set_pod_unready(pod) {
            cx.set_data_version(pod, self.last_tick[w]);
            owners.pod_unready(cx, pod, loss);
            cx.log_pod(pod, "Unhealthy", "Readiness probe failed: refreshing data");
            let at = cx.now() + downtime;
            cx.set_timer(at, KubeletEvent::RefreshEnd { pod, incarnation });
        }
    }
}

/// True if `pod` still runs on the binding `incarnation` belongs to.
fn current(cx: &Context, pod: PodId, incarnation: u32) -> bool {
    let p = cx.cluster().pod(pod);
    p.phase == PodPhase::Running && p.incarnation == incarnation
}

fn became_ready(cx: &mut Context, owners: &mut Controllers, pod: PodId, logged: bool) {
    if cx.set_pod_ready(pod) {
        owners.pod_ready(cx, pod);
        if logged {
            match cx.cluster().pod(pod).node {
                Some(node) => cx.log_pod_on(pod, node, "Ready", ""),
                None => cx.log_pod(pod, "Ready", ""),
            }
        }
    }
}

/// The wait before the restart that follows crash number `step + 1` in a row:
/// min(initial × 2^step, max).
pub fn backoff_delay(backoff: &BackoffSpec, step: u32) -> SimDuration {
    let factor = 1u64.checked_shl(step.min(63)).unwrap_or(u64::MAX);
    SimDuration(backoff.initial.0.saturating_mul(factor).min(backoff.max.0))
}
