//! The simulation: applies events to the cluster and runs the scheduler.
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
//! Handlers take the simulation state as `&mut self`; the metrics are updated by the handlers
//! through small calls, never by rescanning the cluster.

mod events;
mod failures;

pub use events::{Event, EventLog, EventRecord, EventSink, RecordedEvent};

use crate::dist::exponential_gap;
use crate::engine::EventQueue;
use crate::metrics::{Metrics, Sample, TimeSeries, ratio, summary};
use crate::model::{Cluster, NodeId, Pod, PodId, PodPhase, PoolId, TemplateId};
use crate::quantity::Resources;
use crate::rng::{SimRng, stream};
use crate::scenario::{PodTemplate, QuotaSpec, Scenario, WorkloadKind};
use std::collections::BTreeMap;

use crate::scheduler::explain::Explanation;
use crate::scheduler::{
    CursorBuffer, DefaultPreemption, PendingQueue, PodClass, PodRef, Policy, PolicyContext,
    PostFilter, Profile, QueueKey, build_policy, diagnosis,
};
use crate::time::{SimDuration, SimTime};
use crate::workload::WorkloadState;

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

/// The state of one run.
pub struct Simulation<'a> {
    scenario: &'a Scenario,
    pub cluster: Cluster,
    queue: EventQueue<Event>,
    pending: PendingQueue,
    policy: Box<dyn Policy>,
    workloads: Vec<WorkloadState>,
    pub metrics: Metrics,
    timeseries: TimeSeries,
    next_sample: SimTime,
    /// Something changed that could let a pending pod schedule.
    dirty: bool,
    /// Queue key of each pending pod, indexed by pod id (`None` when not pending).
    queue_keys: Vec<Option<crate::scheduler::QueueKey>>,
    provisioning_rngs: Vec<SimRng>,
    events: Option<&'a mut dyn EventSink>,
    explain: Option<&'a mut Explanation>,
    /// FailedScheduling reason → how many times a newly pending pod was found unschedulable
    /// with that reason on at least one node (`unschedulable_reasons` in summary.json).
    unschedulable_reasons: BTreeMap<String, u64>,
    /// Pods queued since the last pass: each gets its FailedScheduling diagnosis once, after
    /// the pass, if it is still pending.
    newly_pending: Vec<PodId>,
    /// (trace workload, namespace) → template for trace rows with their own namespace.
    trace_templates: BTreeMap<(usize, String), TemplateId>,
    /// The last FailedScheduling reasons, for a pod class at a node-change sequence number.
    diagnosis_cache: Option<(PodClass, u64, BTreeMap<String, usize>)>,
    /// Memory of the last pass's queue walk, reused by the next.
    cursor_buffer: CursorBuffer,
    /// Interruptions, failures, outages (see `failures.rs`).
    fail: failures::FailureState,
    /// The post-filter tried for pods that fit nowhere.
    preemption: Box<dyn PostFilter>,
    /// False when every pod has the same priority, so preemption can never find a victim.
    preemption_possible: bool,
    /// Some workload has topology spread or anti-affinity constraints (filters that look at
    /// other pods can reject a node only then).
    pod_constraints: bool,
    /// Namespace quotas and what the running pods of each namespace request.
    quotas: Vec<QuotaUsage>,
    /// Per template, the index into `quotas` of its namespace's quota.
    quota_of_template: Vec<Option<usize>>,
    /// A scheduling pass is walking the queue: pods queued now (preemption victims and their
    /// replacements) wait in `queued_during_pass` and join the queue after the walk.
    in_pass: bool,
    queued_during_pass: Vec<PodId>,
}

/// A namespace quota and the requests of the namespace's running pods.
struct QuotaUsage {
    spec: QuotaSpec,
    used: Resources,
    pods: u64,
}

impl QuotaUsage {
    /// True if one more running pod asking `requests` stays within the quota.
    fn admits(&self, requests: &Resources) -> bool {
        let within =
            |used: u64, ask: u64, limit: Option<u64>| limit.is_none_or(|l| used + ask <= l);
        within(self.used.cpu_m, requests.cpu_m, self.spec.cpu_m)
            && within(self.used.memory, requests.memory, self.spec.memory)
            && within(self.used.gpu, requests.gpu, self.spec.gpu)
            && within(self.pods, 1, self.spec.pods)
    }

    /// Why `requests` would exceed the quota, if it would.
    fn exceeded_by(&self, requests: &Resources) -> Option<String> {
        let checks = [
            ("cpu", self.used.cpu_m, requests.cpu_m, self.spec.cpu_m, "m"),
            (
                "memory",
                self.used.memory,
                requests.memory,
                self.spec.memory,
                "",
            ),
            (
                "nvidia.com/gpu",
                self.used.gpu,
                requests.gpu,
                self.spec.gpu,
                "",
            ),
            ("pods", self.pods, 1, self.spec.pods, ""),
        ];
        let over: Vec<String> = checks
            .iter()
            .filter(|(_, used, ask, limit, _)| limit.is_some_and(|l| used + ask > l))
            .map(|(name, used, ask, limit, unit)| {
                format!(
                    "{name} {used}{unit} used + {ask}{unit} requested > {}{unit}",
                    limit.unwrap_or(0)
                )
            })
            .collect();
        (!over.is_empty()).then(|| over.join(", "))
    }
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
        let mut templates: Vec<PodTemplate> = scenario
            .workloads
            .iter()
            .map(|w| w.template.clone())
            .collect();
        let mut names: Vec<String> = scenario.workloads.iter().map(|w| w.name.clone()).collect();
        // A trace row may name its own namespace: such pods get a copy of the workload's
        // template in that namespace, so everything keyed by template (cost shares, quotas)
        // sees the right namespace.
        let mut trace_templates = BTreeMap::new();
        for (w, workload) in scenario.workloads.iter().enumerate() {
            if let WorkloadKind::Trace { rows, .. } = &workload.kind {
                for ns in rows.iter().filter_map(|r| r.namespace.as_ref()) {
                    if let std::collections::btree_map::Entry::Vacant(slot) =
                        trace_templates.entry((w, ns.clone()))
                    {
                        let id = if *ns == workload.template.namespace {
                            TemplateId(w as u32)
                        } else {
                            templates.push(PodTemplate {
                                namespace: ns.clone(),
                                ..workload.template.clone()
                            });
                            names.push(workload.name.clone());
                            TemplateId(templates.len() as u32 - 1)
                        };
                        slot.insert(id);
                    }
                }
            }
        }
        let cluster = Cluster::new(
            scenario.cluster.zones.clone(),
            scenario.cluster.pools.clone(),
            templates,
            names,
        );
        let quotas: Vec<QuotaUsage> = scenario
            .quotas
            .iter()
            .map(|q| QuotaUsage {
                spec: q.clone(),
                used: Resources::ZERO,
                pods: 0,
            })
            .collect();
        // By template, not workload: a trace row's own namespace has its own template.
        let quota_of_template = cluster
            .templates
            .iter()
            .map(|t| quotas.iter().position(|q| q.spec.namespace == t.namespace))
            .collect();
        let provisioning_rngs = scenario
            .cluster
            .pools
            .iter()
            .map(|p| stream(scenario.seed, &format!("pool/{}/provisioning", p.name)))
            .collect();
        let mut sim = Simulation {
            scenario,
            cluster,
            queue: EventQueue::with_capacity(1024),
            pending: PendingQueue::new(scenario.scheduler.queue, largest_node_shape(scenario)),
            policy,
            workloads: WorkloadState::for_scenario(scenario),
            metrics: Metrics::new(scenario.cluster.pools.len(), scenario.workloads.len()),
            timeseries: TimeSeries {
                pool_names: scenario
                    .cluster
                    .pools
                    .iter()
                    .map(|p| p.name.clone())
                    .collect(),
                samples: Vec::new(),
            },
            next_sample: SimTime::ZERO,
            dirty: false,
            queue_keys: Vec::new(),
            provisioning_rngs,
            events,
            explain: None,
            unschedulable_reasons: BTreeMap::new(),
            newly_pending: Vec::new(),
            trace_templates,
            cursor_buffer: CursorBuffer::default(),
            diagnosis_cache: None,
            fail: failures::FailureState::new(scenario),
            preemption: Box::new(DefaultPreemption),
            preemption_possible: has_several_priorities(scenario),
            pod_constraints: scenario.workloads.iter().any(|w| {
                !w.template.topology_spread.is_empty() || !w.template.anti_affinity.is_empty()
            }),
            quotas,
            quota_of_template,
            in_pass: false,
            queued_during_pass: Vec::new(),
        };
        sim.start();
        Ok(sim)
    }

    /// Time 0: initial nodes (ready), Deployment replicas, first arrivals.
    fn start(&mut self) {
        for (p, pool) in self.scenario.cluster.pools.iter().enumerate() {
            for i in 0..pool.count {
                let zone = pool.zones[i as usize % pool.zones.len()] as u32;
                let id = self
                    .cluster
                    .launch_node(PoolId(p as u32), zone, SimTime::ZERO, true);
                self.log_node(id, "NodeReady", "initial node");
            }
        }
        for w in 0..self.workloads.len() {
            match &self.scenario.workloads[w].kind {
                WorkloadKind::Batch { start, .. } => {
                    let start = SimTime::ZERO + *start;
                    self.schedule_next_batch_arrival(w, start);
                }
                WorkloadKind::Deployment { replicas, .. } => {
                    for _ in 0..*replicas {
                        self.submit_deployment_pod(w);
                    }
                }
                WorkloadKind::Trace { rows, .. } => {
                    if let Some(row) = rows.first() {
                        self.queue
                            .schedule(row.submit, Event::TraceArrival { workload: w as u32 });
                    }
                }
            }
        }
        self.start_failures();
    }

    /// Runs every instant up to and including `end`.
    pub fn run_until(&mut self, end: SimTime, mut progress: Option<&mut dyn FnMut(SimTime)>) {
        // Pods submitted at start get their pass at time 0. If events are also due at 0, the
        // loop below runs that pass after them, so time 0 has one pass like any instant.
        if self.queue.peek_time() != Some(SimTime::ZERO) {
            self.after_instant(SimTime::ZERO);
        }
        while let Some(t) = self.queue.peek_time() {
            if t > end {
                break;
            }
            self.take_samples_before(t);
            self.metrics.advance(t, &self.cluster, &self.workloads);
            while let Some(event) = self.queue.pop_at(t) {
                self.metrics.events_processed += 1;
                self.handle(t, event);
                if self.metrics.events_processed & 0xFFFF == 0
                    && let Some(p) = progress.as_deref_mut()
                {
                    p(t);
                }
            }
            self.after_instant(t);
        }
        self.take_samples_before(SimTime(end.0.saturating_add(1)));
        self.metrics.advance(end, &self.cluster, &self.workloads);
    }

    fn finish(self) -> RunResult {
        let mut summary = summary::build(
            self.scenario,
            self.scenario.seed,
            &self.metrics,
            &self.cluster,
            &self.workloads,
        );
        if let Some(obj) = summary.as_object_mut() {
            obj.insert(
                "unschedulable_reasons".into(),
                serde_json::json!(self.unschedulable_reasons),
            );
        }
        RunResult {
            summary,
            timeseries: self.timeseries,
            metrics: self.metrics,
            cluster: self.cluster,
        }
    }

    fn handle(&mut self, now: SimTime, event: Event) {
        match event {
            Event::BatchArrival { workload } => self.on_batch_arrival(now, workload as usize),
            Event::TraceArrival { workload } => self.on_trace_arrival(now, workload as usize),
            Event::PodFinished { pod } => self.on_pod_finished(now, pod),
            Event::PodReady { pod } => self.on_pod_ready(pod),
            Event::NodeReady { node } => self.on_node_ready(now, node),
            Event::InterruptionNotice { .. }
            | Event::NodeTerminate { .. }
            | Event::PodKill { .. }
            | Event::NodeFailure { .. }
            | Event::BurnInDone { .. }
            | Event::InterruptionWave { .. }
            | Event::ReclaimTraceRow { .. }
            | Event::UnavailableStart { .. }
            | Event::UnavailableEnd { .. }
            | Event::ZoneOutageStart { .. }
            | Event::ZoneOutageEnd { .. }
            | Event::PriceStep { .. } => self.on_failure_event(now, event),
        }
    }

    fn after_instant(&mut self, now: SimTime) {
        if self.dirty {
            self.dirty = false;
            self.scheduling_pass(now);
        }
        self.metrics.observe_peaks(&self.cluster);
    }

    // ---- workloads -------------------------------------------------------------------------

    fn schedule_next_batch_arrival(&mut self, w: usize, after: SimTime) {
        if let WorkloadState::Batch {
            poisson_per_hour,
            limit,
            submitted,
            arrivals_rng,
            ..
        } = &mut self.workloads[w]
        {
            if limit.is_some_and(|l| *submitted >= l) {
                return;
            }
            let gap = exponential_gap(arrivals_rng, *poisson_per_hour);
            self.queue
                .schedule(after + gap, Event::BatchArrival { workload: w as u32 });
        }
    }

    fn on_batch_arrival(&mut self, now: SimTime, w: usize) {
        let WorkloadState::Batch {
            run_time,
            submitted,
            run_time_rng,
            ..
        } = &mut self.workloads[w]
        else {
            return;
        };
        let ordinal = *submitted;
        *submitted += 1;
        let run = run_time.sample(run_time_rng);
        self.submit(self.workload_pod(w, ordinal, now, Some(run)));
        self.schedule_next_batch_arrival(w, now);
    }

    fn on_trace_arrival(&mut self, now: SimTime, w: usize) {
        let WorkloadKind::Trace { rows, .. } = &self.scenario.workloads[w].kind else {
            return;
        };
        let WorkloadState::Trace { next_row } = &mut self.workloads[w] else {
            return;
        };
        let index = *next_row;
        *next_row += 1;
        let row = &rows[index];
        let template = &self.scenario.workloads[w].template;
        let template_id = match &row.namespace {
            Some(ns) => self.trace_templates[&(w, ns.clone())],
            None => TemplateId(w as u32),
        };
        let mut pod = new_pod(
            w,
            template_id,
            index as u64,
            row.requests,
            row.priority.unwrap_or(template.priority),
            now,
            row.duration,
        );
        pod.name_override = row.name.as_deref().map(Into::into);
        if let Some(next) = rows.get(index + 1) {
            self.queue
                .schedule(next.submit, Event::TraceArrival { workload: w as u32 });
        }
        self.submit(pod);
    }

    fn submit_deployment_pod(&mut self, w: usize) {
        let now = self.queue.now();
        let WorkloadState::Deployment { created, live, .. } = &mut self.workloads[w] else {
            return;
        };
        let ordinal = *created;
        *created += 1;
        *live += 1;
        self.submit(self.workload_pod(w, ordinal, now, None));
    }

    /// A new pod of workload `w` as its template describes it.
    fn workload_pod(&self, w: usize, ordinal: u64, now: SimTime, run: Option<SimDuration>) -> Pod {
        let template = &self.scenario.workloads[w].template;
        let id = TemplateId(w as u32);
        new_pod(
            w,
            id,
            ordinal,
            template.requests,
            template.priority,
            now,
            run,
        )
    }

    fn submit(&mut self, pod: Pod) {
        let id = self.cluster.submit_pod(pod);
        self.metrics.pods_submitted += 1;
        self.log_pod(id, "Submitted", "");
        self.enqueue(id);
    }

    /// Puts a pending pod into the scheduling queue; the next pass will try it. During a pass
    /// the pod joins the queue only after the walk (the queue must not change under it).
    pub(crate) fn enqueue(&mut self, id: PodId) {
        self.dirty = true;
        if self.in_pass {
            self.queued_during_pass.push(id);
            return;
        }
        let pod = self.cluster.pod(id);
        let class = PodClass {
            template: pod.template,
            requests: pod.requests,
            priority: pod.priority,
        };
        let key = self.pending.push(id, class);
        if self.queue_keys.len() <= id.0 as usize {
            self.queue_keys.resize(id.0 as usize + 1, None);
        }
        self.queue_keys[id.0 as usize] = Some(key);
        self.newly_pending.push(id);
    }

    // ---- pods ------------------------------------------------------------------------------

    fn on_pod_finished(&mut self, _now: SimTime, pod: PodId) {
        self.cluster.pod_mut(pod).timer = None;
        self.note_completed_work(pod);
        self.end_pod(pod, PodPhase::Succeeded, "Completed", "");
        self.metrics.pods_completed += 1;
    }

    fn on_pod_ready(&mut self, pod: PodId) {
        let p = self.cluster.pod_mut(pod);
        p.timer = None;
        if p.phase != PodPhase::Running {
            return;
        }
        p.ready = true;
        let w = p.workload as usize;
        let node = p.node;
        if let WorkloadState::Deployment { ready, .. } = &mut self.workloads[w] {
            *ready += 1;
        }
        match node {
            Some(node) => self.log_pod_on(pod, node, "Ready", ""),
            None => self.log_pod(pod, "Ready", ""),
        }
    }

    /// Ends a running pod in a terminal phase, frees its node, and lets its Deployment replace it.
    pub fn end_pod(&mut self, pod: PodId, phase: PodPhase, reason: &'static str, message: &str) {
        let node = self.cluster.pod(pod).node;
        let was_ready = self.cluster.pod(pod).ready;
        if let Some(timer) = self.cluster.pod_mut(pod).timer.take() {
            self.queue.cancel(timer);
        }
        if let Some(node) = node {
            self.log_pod_on(pod, node, reason, message);
        }
        self.release_quota(pod);
        self.cluster.unbind(pod, phase);
        self.dirty = true;
        let w = self.cluster.pod(pod).workload as usize;
        if let WorkloadState::Deployment { live, ready, .. } = &mut self.workloads[w] {
            *live -= 1;
            if was_ready {
                *ready -= 1;
            }
            if phase != PodPhase::Succeeded {
                self.submit_deployment_pod(w); // ReplicaSet behaviour: keep `replicas` pods
            }
        }
    }

    /// Evicts a running Batch or Trace pod back to the pending queue (a Deployment pod is ended
    /// with [`Simulation::end_pod`] and replaced instead); `event` and `message` go to the log.
    ///
    /// Work accounting: of the time the pod ran since it was bound, the part it keeps
    /// (`progress`) is counted as useful work now and taken off its remaining run time; the rest
    /// is lost work and runs again. Completion counts the remaining run time as useful
    /// ([`Simulation::note_completed_work`]), so a pod that completes adds exactly its full run
    /// time to the useful work, however often it was evicted.
    pub(crate) fn requeue(
        &mut self,
        pod: PodId,
        progress: Progress,
        event: &'static str,
        message: &str,
    ) {
        let now = self.queue.now();
        let p = self.cluster.pod(pod);
        let node = p.node.expect("a requeued pod is running");
        if let Some(remaining) = p.run_time {
            let elapsed = now.since(p.bound_at.unwrap_or(now));
            let saved = match progress {
                Progress::Kept => elapsed,
                Progress::SinceCheckpoint => {
                    match self.cluster.template(p.template).checkpoint_interval {
                        Some(step) if step.0 > 0 => SimDuration(elapsed.0 / step.0 * step.0),
                        _ => SimDuration::ZERO,
                    }
                }
            };
            let saved = SimDuration(saved.0.min(remaining.0));
            let cpu_m = p.requests.cpu_m as u128;
            self.metrics.lost_cpu_m_ms += cpu_m * elapsed.0.saturating_sub(saved.0) as u128;
            self.metrics.useful_cpu_m_ms += cpu_m * saved.0 as u128;
            self.cluster.pod_mut(pod).run_time = Some(SimDuration(remaining.0 - saved.0));
        }
        if let Some(timer) = self.cluster.pod_mut(pod).timer.take() {
            self.queue.cancel(timer);
        }
        self.log_pod_on(pod, node, event, message);
        self.release_quota(pod);
        self.cluster.unbind(pod, PodPhase::Pending);
        let p = self.cluster.pod_mut(pod);
        p.queued_at = now;
        p.requeues += 1;
        p.reported_unschedulable = false;
        p.terminating = false;
        self.enqueue(pod);
    }

    /// Evicts `victim` to make room for `preemptor`: a Deployment pod ends and is replaced,
    /// a Batch or Trace pod goes back to the queue keeping its progress.
    fn preempt(&mut self, victim: PodId, preemptor: PodId, node: NodeId) {
        let message = format!(
            "Preempted by pod {} (priority {}) on node {}",
            self.cluster.pod_name(preemptor),
            self.cluster.pod(preemptor).priority,
            self.cluster.node(node).name
        );
        self.metrics.count_eviction("Preempted");
        let w = self.cluster.pod(victim).workload as usize;
        if matches!(self.workloads[w], WorkloadState::Deployment { .. }) {
            self.end_pod(victim, PodPhase::Evicted, "Preempted", &message);
        } else {
            self.requeue(victim, Progress::Kept, "Preempted", &message);
        }
    }

    fn release_quota(&mut self, pod: PodId) {
        let p = self.cluster.pod(pod);
        if p.phase == PodPhase::Running
            && let Some(q) = self.quota_of_template[p.template.0 as usize]
        {
            let q = &mut self.quotas[q];
            q.used -= p.requests;
            q.pods -= 1;
        }
    }

    /// True if `pod`'s namespace quota has no room for it now.
    fn blocked_by_quota(&self, pod: PodId) -> bool {
        let p = self.cluster.pod(pod);
        self.quota_of_template[p.template.0 as usize]
            .is_some_and(|q| !self.quotas[q].admits(&p.requests))
    }

    /// The FailedScheduling reason and message if `pod`'s namespace quota has no room for it.
    fn quota_message(&self, pod: PodId) -> Option<(String, String)> {
        let p = self.cluster.pod(pod);
        let q = &self.quotas[self.quota_of_template[p.template.0 as usize]?];
        let detail = q.exceeded_by(&p.requests)?;
        let reason = format!("exceeded quota: {}", q.spec.namespace);
        let message = format!(
            "{reason} ({detail}); the namespace's ResourceQuota is checked before any node is \
             considered, so the pod waits until pods of the namespace finish"
        );
        Some((reason, message))
    }

    // ---- scheduling ------------------------------------------------------------------------

    /// One pass over the pending queue (rules 2 and 4 in the module docs).
    fn scheduling_pass(&mut self, now: SimTime) {
        if self.pending.is_empty() {
            self.newly_pending.clear();
            return;
        }
        // Within one pass capacity only shrinks, so a pod that failed proves that every later
        // pod of the same template asking at least as much, at no higher priority, fails too;
        // skip those, and the rest of the failed pod's class. Policies whose filters look at
        // other pods turn this off when some workload has topology spread or anti-affinity
        // constraints. A preemption frees capacity, so after one the pass trusts no failure.
        let mut use_cache = self.policy.failures_persist_within_pass() || !self.pod_constraints;
        let mut failed: Vec<(TemplateId, Resources, i32)> = Vec::new();
        // Bound pods leave the queue after the walk (the queue must not change during it).
        let mut bound: Vec<QueueKey> = Vec::new();
        self.in_pass = true;
        let mut cursor = self
            .pending
            .cursor_reusing(std::mem::take(&mut self.cursor_buffer));
        while let Some((key, pod_id)) = cursor.next(&self.pending) {
            if !self.quotas.is_empty() && self.blocked_by_quota(pod_id) {
                // The namespace quota is checked before any node. The rest of the class has the
                // same namespace (same template) and requests, so it is blocked too.
                if use_cache {
                    cursor.skip_rest_of_class();
                }
                continue;
            }
            let pod = &self.cluster.pods[pod_id.0 as usize];
            let known_failure = use_cache
                && failed.iter().any(|(t, r, p)| {
                    *t == pod.template && r.fits_in(&pod.requests) && pod.priority <= *p
                });
            let mut choice = if known_failure {
                None
            } else {
                self.policy
                    .select(&PodRef::new(&self.cluster, pod), &self.cluster)
            };
            if choice.is_none() && !known_failure && self.preemption_possible {
                let (nominated, evicted) = self.try_preemption(pod_id);
                choice = nominated;
                if evicted {
                    // Capacity grew mid-pass: earlier failures prove nothing any more.
                    use_cache = false;
                    failed.clear();
                }
            }
            let pod = &self.cluster.pods[pod_id.0 as usize];
            match choice {
                Some(node) => {
                    if let Some(ex) = self.explain.as_deref_mut()
                        && ex.matches(&self.cluster, pod)
                    {
                        let chosen = self.cluster.node(node).name.clone();
                        ex.record(
                            self.policy.as_ref(),
                            &PodRef::new(&self.cluster, pod),
                            &self.cluster,
                            &chosen,
                            now.0,
                        );
                    }
                    self.cluster.bind(pod_id, node, now);
                    // Bookkeeping at once: a later pod of this pass sees the quota used and may
                    // preempt this one.
                    self.on_bound(now, pod_id, node);
                    bound.push(key);
                }
                None => {
                    if use_cache {
                        // The rest of this pod's class fails too: skip it. Pods new to the
                        // queue are diagnosed after the pass.
                        cursor.skip_rest_of_class();
                        if !known_failure && failed.len() < 32 {
                            failed.push((pod.template, pod.requests, pod.priority));
                        }
                    }
                }
            }
        }
        self.cursor_buffer = cursor.into_buffer();
        self.in_pass = false;
        for key in bound {
            if let Some(pod_id) = self.pending.remove(key) {
                self.queue_keys[pod_id.0 as usize] = None;
            }
        }
        self.diagnose_newly_pending();
        // Victims and replacements queued during the walk: tried from the next pass on.
        for pod_id in std::mem::take(&mut self.queued_during_pass) {
            self.enqueue(pod_id);
        }
    }

    /// Gives every pod queued since the last pass that is still pending Kubernetes'
    /// FailedScheduling message, once per wait (rendered against the cluster after the pass).
    /// A pod over its namespace quota gets the quota's message instead.
    fn diagnose_newly_pending(&mut self) {
        for pod_id in std::mem::take(&mut self.newly_pending) {
            let pod = self.cluster.pod(pod_id);
            if pod.phase != PodPhase::Pending || pod.reported_unschedulable {
                continue;
            }
            if let Some((reason, message)) = self.quota_message(pod_id) {
                if self.events.is_some() {
                    self.log_pod(pod_id, "FailedScheduling", &message);
                }
                *self.unschedulable_reasons.entry(reason).or_default() += 1;
            } else {
                // Filters see only the pod's class and the nodes, so while no node has changed
                // a pod of the same class gets the same reasons (the common case while a full
                // cluster queues a stream of alike pods).
                let class = PodClass {
                    template: pod.template,
                    requests: pod.requests,
                    priority: pod.priority,
                };
                let seq = self.cluster.node_change_seq();
                let reasons = match &self.diagnosis_cache {
                    Some((c, s, reasons)) if *c == class && *s == seq => reasons.clone(),
                    _ => {
                        let reasons = diagnosis::count_reasons(
                            self.policy.filters(),
                            &PodRef::new(&self.cluster, pod),
                            &self.cluster,
                        );
                        self.diagnosis_cache = Some((class, seq, reasons.clone()));
                        reasons
                    }
                };
                if self.events.is_some() {
                    let message =
                        diagnosis::render_message(&reasons, self.cluster.node_order().len());
                    self.log_pod(pod_id, "FailedScheduling", &message);
                }
                for reason in reasons.into_keys() {
                    *self.unschedulable_reasons.entry(reason).or_default() += 1;
                }
            }
            self.cluster.pod_mut(pod_id).reported_unschedulable = true;
        }
    }

    /// Runs the post-filter for a pod that fits nowhere; evicts the victims. Returns the
    /// nominated node if the pod now fits there, and whether any pod was evicted.
    fn try_preemption(&mut self, pod: PodId) -> (Option<NodeId>, bool) {
        let Some(nomination) =
            self.preemption
                .post_filter(pod, &mut self.cluster, self.policy.filters())
        else {
            return (None, false);
        };
        let message = format!(
            "preempting {} lower-priority pod(s) on node {}",
            nomination.victims.len(),
            self.cluster.node(nomination.node).name
        );
        self.log_pod_on(pod, nomination.node, "Nominated", &message);
        for &victim in &nomination.victims {
            self.preempt(victim, pod, nomination.node);
        }
        let p = self.cluster.pod(pod);
        let fits = Profile::feasible(
            self.policy.filters(),
            &PodRef::new(&self.cluster, p),
            self.cluster.node(nomination.node),
            &self.cluster,
        );
        (
            fits.then_some(nomination.node),
            !nomination.victims.is_empty(),
        )
    }

    /// If the explained pod is pending now, records Kubernetes' message for it.
    fn explain_pending_at_end(&mut self) {
        let Some(ex) = self.explain.as_deref_mut() else {
            return;
        };
        if ex.bound.is_some() {
            return;
        }
        let found = self
            .cluster
            .pods
            .iter()
            .find(|p| ex.matches(&self.cluster, p));
        if let Some(pod) = found {
            ex.pod = Some(self.cluster.pod_name(pod.id));
            if pod.phase == PodPhase::Pending {
                ex.pending_message = Some(diagnosis::unschedulable_message(
                    self.policy.filters(),
                    &PodRef::new(&self.cluster, pod),
                    &self.cluster,
                ));
            }
        }
    }

    /// Bookkeeping after a bind: waiting time, completion and readiness timers.
    fn on_bound(&mut self, now: SimTime, pod_id: PodId, node: NodeId) {
        let pod = self.cluster.pod_mut(pod_id);
        pod.reported_unschedulable = false;
        let wait = now.since(pod.queued_at).0;
        let run_time = pod.run_time;
        let w = pod.workload as usize;
        let template = pod.template.0 as usize;
        let requests = pod.requests;
        // A pod's first binding measures how long it waited to start; a requeued pod's later
        // bindings measure how long an eviction or preemption kept it off a node.
        if pod.requeues == 0 {
            self.metrics.record_first_wait(pod_id, wait);
        } else {
            self.metrics.rescheduling_waits_ms.push(wait);
        }
        if let Some(q) = self.quota_of_template[template] {
            self.quotas[q].used += requests;
            self.quotas[q].pods += 1;
        }
        if let Some(run) = run_time {
            let timer = self
                .queue
                .schedule(now + run, Event::PodFinished { pod: pod_id });
            self.cluster.pod_mut(pod_id).timer = Some(timer);
        }
        if let WorkloadState::Deployment {
            startup,
            startup_rng,
            ready,
            ..
        } = &mut self.workloads[w]
        {
            match startup {
                Some(dist) => {
                    let delay = dist.sample(startup_rng);
                    let timer = self
                        .queue
                        .schedule(now + delay, Event::PodReady { pod: pod_id });
                    self.cluster.pod_mut(pod_id).timer = Some(timer);
                }
                None => {
                    *ready += 1;
                    self.cluster.pod_mut(pod_id).ready = true;
                }
            }
        }
        self.log_pod_on(pod_id, node, "Scheduled", "");
    }

    // ---- samples and logs ------------------------------------------------------------------

    /// Takes every sample due strictly before `t` (the state has not changed since then).
    fn take_samples_before(&mut self, t: SimTime) {
        while self.next_sample < t {
            let at = self.next_sample;
            self.metrics.advance(at, &self.cluster, &self.workloads);
            let totals = &self.cluster.totals;
            let sample = Sample {
                time: at,
                ready_nodes_by_pool: totals.up_by_pool.clone(),
                pods_running: totals.running_pods,
                pods_pending: totals.pending_pods,
                cpu_allocated: ratio(totals.allocated.cpu_m, totals.allocatable.cpu_m),
                memory_allocated: ratio(totals.allocated.memory, totals.allocatable.memory),
                cost_usd: self.metrics.cost_by_pool(&self.cluster).iter().sum(),
            };
            self.timeseries.samples.push(sample);
            match self.scenario.sample_interval.0 {
                0 => break,
                step => self.next_sample = SimTime(at.0.saturating_add(step)),
            }
        }
    }

    fn log_pod(&mut self, pod: PodId, event: &'static str, message: &str) {
        if let Some(sink) = self.events.as_deref_mut() {
            let name = self.cluster.pod_name(pod);
            sink.record(&EventRecord {
                time_ms: self.queue.now().0,
                object: "pod",
                name: &name,
                event,
                node: "",
                message,
            });
        }
    }

    fn log_pod_on(&mut self, pod: PodId, node: NodeId, event: &'static str, message: &str) {
        if let Some(sink) = self.events.as_deref_mut() {
            let name = self.cluster.pod_name(pod);
            let node = &self.cluster.node(node).name;
            sink.record(&EventRecord {
                time_ms: self.queue.now().0,
                object: "pod",
                name: &name,
                event,
                node,
                message,
            });
        }
    }

    fn log_node(&mut self, node: NodeId, event: &'static str, message: &str) {
        if let Some(sink) = self.events.as_deref_mut() {
            let name = &self.cluster.node(node).name;
            sink.record(&EventRecord {
                time_ms: self.queue.now().0,
                object: "node",
                name,
                event,
                node: name,
                message,
            });
        }
    }

    /// Launches a node of `pool` in `zone`; it becomes ready after the pool's provisioning delay.
    pub fn launch_node(&mut self, pool: PoolId, zone: u32) -> NodeId {
        let delay = self.scenario.cluster.pools[pool.0 as usize]
            .provisioning_delay
            .sample(&mut self.provisioning_rngs[pool.0 as usize]);
        self.launch_node_after(pool, zone, delay)
    }

    /// Launches a node of `pool` in `zone` that becomes ready after `delay`.
    pub fn launch_node_after(&mut self, pool: PoolId, zone: u32, delay: SimDuration) -> NodeId {
        let now = self.queue.now();
        let id = self.cluster.launch_node(pool, zone, now, false);
        self.queue
            .schedule(now + delay, Event::NodeReady { node: id });
        self.log_node(id, "NodeLaunched", "");
        id
    }
}

/// How much of the run since binding an evicted batch pod keeps (see [`Simulation::requeue`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Progress {
    /// All of it: a preempted pod resumes where it stopped (docs/scheduling.md).
    Kept,
    /// Up to its last checkpoint (`checkpoint_interval`); none without checkpoints.
    SinceCheckpoint,
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

fn new_pod(
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
    }
}
