//! The context every component gets: the cluster and the few ways to change it.
//!
//! Controllers, the kubelet and the cloud never hold the cluster themselves. They read it
//! through [`Context::cluster`] and change it only through the calls here: create a pod, end or
//! requeue one, start a node, taint or cordon one, set a timer, log an event. Each call keeps
//! the pieces that must move together in step (the scheduling queue, namespace quotas, the
//! measurements, the event log), so no component has to remember them, and no decision code
//! touches a metric.

use super::Event;
use super::log::{EventRecord, EventSink};
use super::scheduling::SchedulingQueue;
use crate::controllers::PodLoss;
use crate::engine::{EventId, EventQueue};
use crate::metrics::{Metrics, Observation};
use crate::model::{Cluster, NodeId, NodeState, Pod, PodId, PodPhase, PoolId, Quotas, Taint};
use crate::scenario::Scenario;
use crate::time::{SimDuration, SimTime};

/// How much of the run since binding an evicted batch pod keeps (see [`Context::requeue`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    /// All of it: a preempted pod resumes where it stopped (docs/scheduling.md).
    Kept,
    /// Up to its last checkpoint (`checkpoint_interval`); none without checkpoints.
    SinceCheckpoint,
}

/// The cluster and the services around it, owned by the simulation and lent to each handler.
pub struct Context<'a> {
    pub(super) scenario: &'a Scenario,
    pub(super) cluster: Cluster,
    pub(super) timers: EventQueue<Event>,
    pub(super) queue: SchedulingQueue,
    pub(super) quotas: Quotas,
    pub(super) metrics: Metrics,
    pub(super) sink: Option<&'a mut dyn EventSink>,
    /// Nodes that became ready since the sim last looked (the node lifecycle controller
    /// watches them).
    pub(super) newly_ready_nodes: Vec<NodeId>,
    /// A pass reported a pod unschedulable since the sim last looked (Karpenter watches).
    pub(super) pods_became_unschedulable: bool,
}

impl<'a> Context<'a> {
    /// The current simulated time.
    pub fn now(&self) -> SimTime {
        self.timers.now()
    }

    pub fn scenario(&self) -> &'a Scenario {
        self.scenario
    }

    /// The cluster, read-only.
    pub fn cluster(&self) -> &Cluster {
        &self.cluster
    }

    // ---- timers ----------------------------------------------------------------------------

    /// Schedules `event` at `at` (not before now); returns an id to cancel it with.
    pub fn set_timer(&mut self, at: SimTime, event: impl Into<Event>) -> EventId {
        self.timers.schedule(at, event.into())
    }

    pub fn cancel_timer(&mut self, id: EventId) {
        self.timers.cancel(id);
    }

    /// Remembers `timer` as the pod's pending completion or readiness timer, cancelled if the
    /// pod leaves its node first.
    pub fn set_pod_timer(&mut self, pod: PodId, timer: Option<EventId>) {
        self.cluster.pod_mut(pod).timer = timer;
    }

    // ---- pods ------------------------------------------------------------------------------

    /// Creates a pending pod and queues it for scheduling.
    pub fn submit(&mut self, pod: Pod) -> PodId {
        let id = self.cluster.submit_pod(pod);
        self.metrics.pods_submitted += 1;
        self.log_pod(id, "Submitted", "");
        self.queue.enqueue(&self.cluster, id);
        id
    }

    /// Ends a running pod in a terminal phase and frees its node; returns whether it was ready
    /// and available. The caller tells the pod's owner
    /// ([`crate::controllers::Controllers::pod_ended`]).
    pub fn end_pod(
        &mut self,
        pod: PodId,
        phase: PodPhase,
        reason: &'static str,
        message: &str,
    ) -> PodLoss {
        let node = self.cluster.pod(pod).node;
        let was_ready = PodLoss {
            was_ready: self.cluster.pod(pod).ready,
            was_available: self.cluster.pod(pod).available,
        };
        if was_ready.was_ready {
            let p = self.cluster.pod(pod);
            let now = self.timers.now();
            self.metrics
                .note_readiness(p.workload as usize, p.data_version, false, now);
        }
        if let Some(timer) = self.cluster.pod_mut(pod).timer.take() {
            self.timers.cancel(timer);
        }
        if let Some(node) = node {
            self.log_pod_on(pod, node, reason, message);
        }
        self.stop_crash_loop(pod);
        self.quotas.release(&self.cluster, pod);
        self.cluster.unbind(pod, phase);
        self.queue.dirty = true;
        was_ready
    }

    /// Deletes a pod its controller no longer wants: a pending pod leaves the queue, a running
    /// one stops and frees its node.
    pub fn delete_pod(&mut self, pod: PodId, message: &str) {
        match self.cluster.pod(pod).phase {
            PodPhase::Pending => {
                self.cluster.delete_pending(pod);
                self.queue.remove(pod);
                self.log_pod(pod, "Deleted", message);
            }
            PodPhase::Running => {
                self.end_pod(pod, PodPhase::Deleted, "Deleted", message);
            }
            _ => {}
        }
    }

    /// A running pod's run time is over: it succeeds.
    pub fn complete_pod(&mut self, pod: PodId) -> PodLoss {
        self.cluster.pod_mut(pod).timer = None;
        let p = self.cluster.pod(pod);
        self.metrics.note_completed(p.requests.cpu_m, p.run_time);
        let was_ready = self.end_pod(pod, PodPhase::Succeeded, "Completed", "");
        self.metrics.pods_completed += 1;
        was_ready
    }

    /// Evicts a running Batch or Trace pod back to the pending queue (a Deployment pod is ended
    /// and replaced instead); `event` and `message` go to the log.
    ///
    /// Of the time the pod ran since it was bound, the part it keeps (`progress`) is taken off
    /// its remaining run time; the rest runs again. The measurements count the kept part as
    /// useful work and the rest as lost work.
    pub fn requeue(&mut self, pod: PodId, progress: Progress, event: &'static str, message: &str) {
        let now = self.now();
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
            self.metrics
                .note_interrupted(p.requests.cpu_m, elapsed, saved);
            self.cluster.pod_mut(pod).run_time = Some(SimDuration(remaining.0 - saved.0));
        }
        if let Some(timer) = self.cluster.pod_mut(pod).timer.take() {
            self.timers.cancel(timer);
        }
        self.log_pod_on(pod, node, event, message);
        self.stop_crash_loop(pod);
        self.quotas.release(&self.cluster, pod);
        self.cluster.unbind(pod, PodPhase::Pending);
        let p = self.cluster.pod_mut(pod);
        p.queued_at = now;
        p.requeues += 1;
        p.reported_unschedulable = false;
        p.terminating = false;
        self.queue.enqueue(&self.cluster, pod);
    }

    /// Marks a running pod ready; false (and nothing changes) if it is not running or is
    /// ready already.
    pub fn set_pod_ready(&mut self, pod: PodId) -> bool {
        let now = self.now();
        let p = self.cluster.pod_mut(pod);
        if p.phase != PodPhase::Running || p.ready {
            return false;
        }
        p.ready = true;
        p.ready_since = Some(now);
        let (w, version) = (p.workload as usize, p.data_version);
        self.metrics.note_readiness(w, version, true, now);
        self.stop_crash_loop(pod);
        true
    }

    /// A ready pod stops being ready (its probe fails, its container crashed); `None` if it
    /// was not ready.
    pub fn set_pod_unready(&mut self, pod: PodId) -> Option<PodLoss> {
        let now = self.timers.now();
        let p = self.cluster.pod_mut(pod);
        if !p.ready {
            return None;
        }
        let loss = PodLoss {
            was_ready: true,
            was_available: p.available,
        };
        p.ready = false;
        p.ready_since = None;
        p.available = false;
        let (w, version) = (p.workload as usize, p.data_version);
        self.metrics.note_readiness(w, version, false, now);
        Some(loss)
    }

    /// The pod now serves data released at `version` (call while it is not ready).
    pub fn set_data_version(&mut self, pod: PodId, version: SimTime) {
        debug_assert!(!self.cluster.pod(pod).ready);
        self.cluster.pod_mut(pod).data_version = version;
    }

    /// The pod has been ready for its Deployment's minReadySeconds.
    pub fn set_pod_available(&mut self, pod: PodId) {
        self.cluster.pod_mut(pod).available = true;
    }

    /// Gives a pod to a ReplicaSet (a rollback adopts an old ReplicaSet's pods).
    pub fn set_pod_revision(&mut self, pod: PodId, revision: u32) {
        self.cluster.pod_mut(pod).revision = revision;
    }

    /// The pod's container crashed: it restarts after a back-off, whose doubling continues
    /// from `next_step`; until it is ready again the pod is crash-looping, holding its node.
    pub fn note_container_crash(&mut self, pod: PodId, next_step: u32) {
        let p = self.cluster.pod_mut(pod);
        p.restarts += 1;
        p.started_at = None;
        p.backoff_step = next_step;
        if !p.crash_looping {
            p.crash_looping = true;
            let cpu_m = p.requests.cpu_m;
            self.metrics.crashloop_cpu_m += cpu_m;
        }
    }

    /// The pod's container (re)started now.
    pub fn note_container_started(&mut self, pod: PodId) {
        let now = self.now();
        self.cluster.pod_mut(pod).started_at = Some(now);
    }

    fn stop_crash_loop(&mut self, pod: PodId) {
        let p = self.cluster.pod_mut(pod);
        if p.crash_looping {
            p.crash_looping = false;
            let cpu_m = p.requests.cpu_m;
            self.metrics.crashloop_cpu_m -= cpu_m;
        }
    }

    /// Pending pods the scheduler has tried and could not place (and that no namespace quota
    /// holds back), by id.
    pub fn unschedulable_pods(&self) -> Vec<PodId> {
        let mut out: Vec<PodId> = self
            .queue
            .pods()
            .filter(|&p| {
                let pod = self.cluster.pod(p);
                pod.phase == PodPhase::Pending
                    && pod.reported_unschedulable
                    && self.quotas.message(&self.cluster, p).is_none()
            })
            .collect();
        out.sort_unstable();
        out
    }

    /// The pod was told to stop and runs out its termination grace period.
    pub fn set_terminating(&mut self, pod: PodId) {
        self.cluster.pod_mut(pod).terminating = true;
    }

    /// Counts one eviction under `reason` (every eviction, whether the pod ends or is queued
    /// again).
    pub fn count_eviction(&mut self, reason: &'static str) {
        self.metrics.count_eviction(reason);
    }

    /// Tells the measurements something happened that they count.
    pub fn observe(&mut self, what: Observation) {
        if let Some(kind) = crate::metrics::markers::MarkKind::of_observation(&what) {
            self.mark(kind);
        }
        self.metrics.observe(what);
    }

    // ---- nodes -----------------------------------------------------------------------------

    /// An initial node: up and ready at time 0.
    pub fn launch_initial_node(&mut self, pool: PoolId, zone: u32) -> NodeId {
        let id = self.cluster.launch_node(pool, zone, SimTime::ZERO, true);
        self.log_node(id, "NodeReady", "initial node");
        id
    }

    /// Launches a node of `pool` in `zone`; `ready_event` fires after `delay`.
    pub fn launch_node(
        &mut self,
        pool: PoolId,
        zone: u32,
        delay: SimDuration,
        ready_event: impl FnOnce(NodeId) -> Event,
    ) -> NodeId {
        let now = self.now();
        let id = self.cluster.launch_node(pool, zone, now, false);
        self.timers.schedule(now + delay, ready_event(id));
        self.log_node(id, "NodeLaunched", "");
        id
    }

    /// Launches a node of `pool` in `zone` that never becomes ready (a broken image: an upgrade
    /// gone wrong). It is billed like any node.
    pub fn launch_broken_node(&mut self, pool: PoolId, zone: u32) -> NodeId {
        let now = self.now();
        let id = self.cluster.launch_node(pool, zone, now, false);
        self.log_node(id, "NodeLaunched", "");
        id
    }

    /// The node is ready: pods may schedule on it.
    pub fn mark_node_ready(&mut self, node: NodeId, message: &str) {
        let now = self.now();
        self.cluster.mark_ready(node, now);
        self.queue.dirty = true;
        self.newly_ready_nodes.push(node);
        self.log_node(node, "NodeReady", message);
    }

    /// A cordoned node takes pods again.
    pub fn uncordon(&mut self, node: NodeId) {
        self.cluster.uncordon(node);
        self.queue.dirty = true;
    }

    /// Adds a taint to the node (on top of its pool's).
    pub fn taint_node(&mut self, node: NodeId, taint: Taint) {
        self.cluster.nodes[node.0 as usize].extra_taints.push(taint);
        self.cluster.note_node_change(node);
    }

    /// Removes the node's own taints with `key` (its pool's stay).
    pub fn remove_taint(&mut self, node: NodeId, key: &str) {
        self.cluster.nodes[node.0 as usize]
            .extra_taints
            .retain(|t| t.key != key);
        self.cluster.note_node_change(node);
        self.queue.dirty = true;
    }

    /// No new pods on the node (`Draining`: cordoned on its way out).
    pub fn cordon(&mut self, node: NodeId, state: NodeState) {
        self.cluster.set_unschedulable(node, state);
    }

    /// The node stops being ready (its pods must be gone already).
    pub fn set_node_not_ready(&mut self, node: NodeId, message: &str) {
        self.cluster.set_not_ready(node);
        self.log_node(node, "NodeNotReady", message);
    }

    /// Deletes an empty node.
    pub fn terminate_node(&mut self, node: NodeId) {
        let now = self.now();
        self.cluster.terminate_node(node, now);
        self.queue.dirty = true;
        self.log_node(node, "NodeTerminated", "");
    }

    /// Something changed that may let a pending pod schedule: run a pass after this instant.
    pub fn capacity_changed(&mut self) {
        self.queue.dirty = true;
    }

    // ---- the event log ---------------------------------------------------------------------

    /// True if anyone reads the log (skip building messages otherwise).
    pub fn logging(&self) -> bool {
        self.sink.is_some()
    }

    pub fn log_pod(&mut self, pod: PodId, event: &'static str, message: &str) {
        if let Some(sink) = self.sink.as_deref_mut() {
            let name = self.cluster.pod_name(pod);
            sink.record(&EventRecord {
                time_ms: self.timers.now().0,
                object: "pod",
                name: &name,
                event,
                node: "",
                message,
            });
        }
    }

    pub fn log_pod_on(&mut self, pod: PodId, node: NodeId, event: &'static str, message: &str) {
        if let Some(sink) = self.sink.as_deref_mut() {
            let name = self.cluster.pod_name(pod);
            let node = &self.cluster.node(node).name;
            sink.record(&EventRecord {
                time_ms: self.timers.now().0,
                object: "pod",
                name: &name,
                event,
                node,
                message,
            });
        }
    }

    /// Records a marker for the timeline at the current time.
    pub fn mark(&mut self, kind: crate::metrics::markers::MarkKind) {
        let now = self.timers.now().0;
        self.metrics.markers.add(now, kind);
    }

    pub fn log_node(&mut self, node: NodeId, event: &'static str, message: &str) {
        if let Some(sink) = self.sink.as_deref_mut() {
            let name = &self.cluster.node(node).name;
            sink.record(&EventRecord {
                time_ms: self.timers.now().0,
                object: "node",
                name,
                event,
                node: name,
                message,
            });
        }
    }

    /// Logs an event of any named object (`deployment`, ...).
    pub fn log_named(
        &mut self,
        object: &'static str,
        name: &str,
        event: &'static str,
        message: &str,
    ) {
        if let Some(sink) = self.sink.as_deref_mut() {
            sink.record(&EventRecord {
                time_ms: self.timers.now().0,
                object,
                name,
                event,
                node: "",
                message,
            });
        }
    }

    pub fn log_pool(&mut self, pool: PoolId, event: &'static str, message: &str) {
        if let Some(sink) = self.sink.as_deref_mut() {
            let name = &self.scenario.cluster.pools[pool.0 as usize].name;
            sink.record(&EventRecord {
                time_ms: self.timers.now().0,
                object: "pool",
                name,
                event,
                node: "",
                message,
            });
        }
    }
}
