//! The simulation: the glue between the event list and the components that own the events.
//!
//! The simulation routes each event to its owner (a controller in [`crate::controllers`], the
//! [`crate::kubelet`], or the [`crate::cloud`]), runs the scheduling pass after each instant,
//! and takes samples. It decides nothing itself. Every owner gets the [`Context`]: the cluster
//! and the few calls that change it.
//!
//! # Ordering rules
//! 1. Events run in time order; events of one instant run in the order they were scheduled
//!    (see [`crate::engine`]). Initial pods (Deployment replicas) are submitted at time 0 in
//!    workload order, before any event.
//! 2. After all events of an instant have run, exactly one scheduling pass runs (if anything
//!    changed: a pod arrived, capacity was freed or added). It walks the pending queue in queue
//!    order and binds each pod the policy can place; the others stay pending. Binding happens at
//!    the instant of the pass: a pod that finds room waits zero time.
//! 3. Samples for `timeseries.csv` are taken at multiples of `sample_interval`; a sample at time
//!    t shows the state after every event at t and the pass that followed.
//! 4. An event a pass schedules for the same instant (a pod with zero run time finishes as it
//!    starts) runs right after that pass, followed by a pass of its own.
//! 5. A pending pod that fits nowhere may preempt (see [`crate::scheduler::preemption`]): the
//!    victims are evicted at once and the preemptor binds in the same pass (Kubernetes nominates
//!    the node and binds on a later cycle). Victims go back to the queue (Batch, Trace) or are
//!    replaced (Deployment) and are tried no earlier than the next pass.
//!    After a preemption, the rest of the pass no longer skips pods because an earlier pod
//!    failed (the victims freed capacity).
//!
//! The measurements are updated by the [`Context`] calls that change what they measure, never
//! by rescanning the cluster and never by decision code.

mod context;
mod events;
mod log;
mod scheduling;

pub use context::{Context, Progress};
pub use events::Event;
pub use log::{EventLog, EventRecord, EventSink, RecordedEvent};

use crate::cloud::Cloud;
use crate::controllers::cluster_autoscaler::ClusterAutoscaler;
use crate::controllers::karpenter::Karpenter;
use crate::controllers::{Controllers, Templates};
use crate::engine::EventQueue;
use crate::kubelet::Kubelet;
use crate::metrics::timeseries::SampleSink;
use crate::metrics::{DeploymentSample, Metrics, Sample, TimeSeries, ratio, summary};
use crate::model::{Cluster, Quotas};
use crate::quantity::Resources;
use crate::scenario::{Scenario, WorkloadKind};
use crate::scheduler::explain::Explanation;
use crate::scheduler::{
    CursorBuffer, DefaultPreemption, PendingQueue, PolicyContext, build_policy,
};
use crate::time::{SimDuration, SimTime};
use scheduling::{Scheduler, SchedulingQueue};

/// How to run a scenario.
#[derive(Default)]
pub struct RunOptions<'a> {
    /// Stop at this time instead of the scenario's `duration`.
    pub until: Option<SimDuration>,
    /// Receives every transition, for `events.csv`.
    pub events: Option<&'a mut dyn EventSink>,
    /// Called every few thousand events with the current simulated time (progress bars).
    pub progress: Option<&'a mut dyn FnMut(SimTime)>,
    /// Records why one pod went where it did, or why it is pending (`clustersim explain`).
    pub explain: Option<&'a mut Explanation>,
    /// Receives every `timeseries.csv` row as it is taken (memory keeps a downsample).
    pub samples: Option<&'a mut dyn SampleSink>,
}

/// What a run produces.
pub struct RunResult {
    pub summary: serde_json::Value,
    pub timeseries: TimeSeries,
    pub metrics: Metrics,
    pub cluster: Cluster,
}

/// Errors that are bugs or impossible configurations found only at run time.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("{0}")]
    Config(String),
}

/// Runs `scenario` to its end (or `options.until`) and returns the measurements.
pub fn run<'a>(scenario: &'a Scenario, options: RunOptions<'a>) -> Result<RunResult, SimError> {
    let mut sim = Simulation::new(scenario, options.events)?;
    sim.explain = options.explain;
    if let Some(sink) = options.samples {
        sink.header(&sim.timeseries.header());
        sim.samples = Some(sink);
    }
    let end = SimTime(options.until.unwrap_or(scenario.duration).0);
    sim.run_until(end, options.progress);
    sim.explain_pending_at_end();
    Ok(sim.finish())
}

/// Runs `scenario` keeping every transition in memory.
pub fn run_recorded(scenario: &Scenario) -> Result<(RunResult, EventLog), SimError> {
    let mut log = EventLog::default();
    let result = run(
        scenario,
        RunOptions {
            events: Some(&mut log),
            ..RunOptions::default()
        },
    )?;
    Ok((result, log))
}

/// The state of one run: the context (cluster, timers, queue, quotas, measurements, log) and
/// the components that act on it.
pub struct Simulation<'a> {
    cx: Context<'a>,
    controllers: Controllers,
    kubelet: Kubelet,
    cloud: Cloud,
    /// The node autoscaler, if the scenario has one.
    autoscaler: Option<ClusterAutoscaler>,
    karpenter: Option<Karpenter>,
    scheduler: Scheduler,
    timeseries: TimeSeries,
    samples: Option<&'a mut dyn SampleSink>,
    next_sample: SimTime,
    explain: Option<&'a mut Explanation>,
    /// The pass at time 0 ran (`run_until` may be called again to go on).
    started: bool,
}

impl<'a> Simulation<'a> {
    pub fn new(
        scenario: &'a Scenario,
        events: Option<&'a mut dyn EventSink>,
    ) -> Result<Self, SimError> {
        let policy = build_policy(
            &scenario.scheduler,
            PolicyContext {
                seed: scenario.seed,
            },
        )
        .map_err(SimError::Config)?;
        let templates = Templates::new(scenario);
        let controllers = Controllers::new(scenario, &templates);
        let cluster = Cluster::new(
            scenario.cluster.zones.clone(),
            scenario.cluster.pools.clone(),
            templates.templates,
            templates.names,
        );
        let quotas = Quotas::new(&scenario.quotas, &cluster);
        let metrics = Metrics::new(scenario, cluster.templates.len());
        let mut sim = Simulation {
            cx: Context {
                scenario,
                cluster,
                timers: EventQueue::with_capacity(1024),
                queue: SchedulingQueue::new(PendingQueue::new(
                    scenario.scheduler.queue,
                    largest_node_shape(scenario),
                )),
                quotas,
                metrics,
                sink: events,
                newly_ready_nodes: Vec::new(),
                pods_became_unschedulable: false,
            },
            controllers,
            kubelet: Kubelet::new(scenario),
            cloud: Cloud::new(scenario),
            autoscaler: ClusterAutoscaler::new(scenario),
            karpenter: Karpenter::new(scenario),
            scheduler: Scheduler {
                policy,
                preemption: Box::new(DefaultPreemption),
                preemption_possible: has_several_priorities(scenario),
                pod_constraints: scenario.workloads.iter().any(|w| {
                    !w.template.topology_spread.is_empty() || !w.template.anti_affinity.is_empty()
                }),
                unschedulable_reasons: Default::default(),
                diagnosis_cache: None,
                reason_cache: Default::default(),
                cursor_buffer: CursorBuffer::default(),
            },
            timeseries: TimeSeries::new(
                scenario
                    .cluster
                    .pools
                    .iter()
                    .map(|p| p.name.clone())
                    .collect(),
                scenario
                    .workloads
                    .iter()
                    .filter_map(|w| match &w.kind {
                        WorkloadKind::Deployment(d) => {
                            Some((w.name.clone(), d.load.is_some(), d.autoscaling.is_some()))
                        }
                        _ => None,
                    })
                    .collect(),
            )
            .with_gpu(scenario.cluster.pools.iter().any(|p| p.node.gpu > 0)),
            samples: None,
            next_sample: SimTime::ZERO,
            explain: None,
            started: false,
        };
        // Time 0: initial nodes (ready), then the workloads (Deployment replicas, first
        // arrivals), then the infrastructure's clocks.
        sim.cloud.launch_initial_nodes(&mut sim.cx);
        sim.controllers.start(&mut sim.cx);
        sim.cloud.start(&mut sim.cx);
        if let Some(ca) = sim.autoscaler.as_mut() {
            ca.start(&mut sim.cx);
        }
        if let Some(k) = sim.karpenter.as_mut() {
            k.start(&mut sim.cx);
        }
        sim.kubelet.start(&mut sim.cx);
        sim.cx.newly_ready_nodes.clear();
        Ok(sim)
    }

    /// The cluster's state.
    pub fn cluster(&self) -> &Cluster {
        &self.cx.cluster
    }

    /// The measurements so far.
    pub fn metrics(&self) -> &Metrics {
        &self.cx.metrics
    }

    /// Runs every instant up to and including `end`.
    pub fn run_until(&mut self, end: SimTime, mut progress: Option<&mut dyn FnMut(SimTime)>) {
        // Pods submitted at start get their pass at time 0. If events are also due at 0, the
        // loop below runs that pass after them, so time 0 has one pass like any instant.
        if !self.started && self.cx.timers.peek_time() != Some(SimTime::ZERO) {
            self.after_instant(SimTime::ZERO);
        }
        self.started = true;
        while let Some(t) = self.cx.timers.peek_time() {
            if t > end {
                break;
            }
            self.take_samples_before(t);
            self.advance_metrics(t);
            while let Some(event) = self.cx.timers.pop_at(t) {
                self.cx.metrics.events_processed += 1;
                self.route(event);
                if self.cx.metrics.events_processed & 0xFFFF == 0
                    && let Some(p) = progress.as_deref_mut()
                {
                    p(t);
                }
            }
            self.after_instant(t);
        }
        self.take_samples_before(SimTime(end.0.saturating_add(1)));
        self.advance_metrics(end);
        self.cx.metrics.flush_all(end);
    }

    fn advance_metrics(&mut self, to: SimTime) {
        let cx = &mut self.cx;
        cx.metrics.advance(to, &cx.cluster);
    }

    fn finish(self) -> RunResult {
        let cx = self.cx;
        let mut summary = summary::build(
            cx.scenario,
            cx.scenario.seed,
            &cx.metrics,
            &cx.cluster,
            &self.controllers.deployment,
        );
        if let Some(obj) = summary.as_object_mut() {
            obj.insert(
                "unschedulable_reasons".into(),
                serde_json::json!(self.scheduler.unschedulable_reasons),
            );
        }
        crate::metrics::controllers::add(&mut summary, cx.scenario, &cx.metrics, &cx.cluster);
        crate::metrics::controllers::add_jobs(&mut summary, cx.scenario, &self.controllers.job);
        RunResult {
            summary,
            timeseries: self.timeseries,
            metrics: cx.metrics,
            cluster: cx.cluster,
        }
    }

    /// Hands `event` to the component that owns it, then tells the node lifecycle
    /// controller which nodes became ready.
    fn route(&mut self, event: Event) {
        let cx = &mut self.cx;
        let controllers = &mut self.controllers;
        match event {
            Event::Job(e) => controllers.job.handle(cx, e),
            Event::Replay(e) => controllers.replay.handle(cx, e),
            Event::Deployment(e) => controllers.deployment.handle(cx, e),
            Event::Lifecycle(e) => controllers.handle_lifecycle(cx, e),
            Event::Hpa(e) => controllers.handle_hpa(cx, e),
            Event::Karpenter(e) => {
                if let Some(k) = self.karpenter.as_mut() {
                    k.handle(
                        cx,
                        controllers,
                        &mut self.cloud,
                        self.scheduler.policy.filters(),
                        e,
                    );
                }
            }
            Event::Autoscaler(e) => {
                if let Some(ca) = self.autoscaler.as_mut() {
                    ca.handle(
                        cx,
                        controllers,
                        &mut self.cloud,
                        self.scheduler.policy.filters(),
                        e,
                    );
                }
            }
            Event::Action(e) => controllers.handle_action(cx, e),
            Event::Kubelet(e) => self.kubelet.handle(cx, controllers, e),
            Event::Cloud(e) => self.cloud.handle(cx, controllers, e),
        }
        while !cx.newly_ready_nodes.is_empty() {
            for node in std::mem::take(&mut cx.newly_ready_nodes) {
                controllers.node_ready(cx, node);
            }
        }
    }

    fn after_instant(&mut self, now: SimTime) {
        if self.cx.queue.dirty {
            self.cx.queue.dirty = false;
            self.scheduling_pass(now);
        }
        if std::mem::take(&mut self.cx.pods_became_unschedulable)
            && let Some(k) = self.karpenter.as_mut()
        {
            k.pods_unschedulable(&mut self.cx);
        }
        self.cx.metrics.observe_peaks(&self.cx.cluster);
    }

    /// Takes every sample due strictly before `t` (the state has not changed since then).
    fn take_samples_before(&mut self, t: SimTime) {
        while self.next_sample < t {
            let at = self.next_sample;
            self.advance_metrics(at);
            let cx = &self.cx;
            let totals = &cx.cluster.totals;
            let sample = Sample {
                time: at,
                ready_nodes_by_pool: totals.up_by_pool.clone(),
                pods_running: totals.running_pods,
                pods_pending: totals.pending_pods,
                cpu_allocated: ratio(totals.allocated.cpu_m, totals.allocatable.cpu_m),
                memory_allocated: ratio(totals.allocated.memory, totals.allocatable.memory),
                gpu_allocated: self
                    .timeseries
                    .gpu
                    .then(|| ratio(totals.allocated.gpu, totals.allocatable.gpu)),
                cost_usd: cx.metrics.cost_by_pool(&cx.cluster).iter().sum(),
                deployments: self
                    .controllers
                    .deployment
                    .workloads()
                    .map(|w| {
                        let ready = self.controllers.deployment.ready(w).unwrap_or(0);
                        DeploymentSample {
                            ready,
                            served: cx.metrics.serving[w]
                                .as_ref()
                                .map(|s| s.share_at(at, ready)),
                            replicas: self
                                .controllers
                                .hpa
                                .autoscaled(w)
                                .then(|| self.controllers.deployment.replicas(w).unwrap_or(0)),
                        }
                    })
                    .collect(),
            };
            if let Some(sink) = self.samples.as_deref_mut() {
                sink.row(&TimeSeries::row(&sample));
            }
            self.timeseries.push(sample);
            match cx.scenario.sample_interval.0 {
                0 => break,
                step => self.next_sample = SimTime(at.0.saturating_add(step)),
            }
        }
    }
}

/// True if pods of more than one priority can exist (templates and trace rows).
fn has_several_priorities(scenario: &Scenario) -> bool {
    let mut seen: Option<i32> = None;
    let mut several = false;
    let mut note = |p: i32| match seen {
        None => seen = Some(p),
        Some(q) if q != p => several = true,
        _ => {}
    };
    for w in &scenario.workloads {
        note(w.template.priority);
        if let WorkloadKind::Trace { rows, .. } = &w.kind {
            for r in rows {
                note(r.priority.unwrap_or(w.template.priority));
            }
        }
    }
    several
}

/// Per resource, the largest allocatable of any pool: what `largest-first` measures shares by.
fn largest_node_shape(scenario: &Scenario) -> Resources {
    let pools = &scenario.cluster.pools;
    pools
        .iter()
        .fold(Resources::ZERO, |r, p| r.componentwise_max(&p.node))
}
