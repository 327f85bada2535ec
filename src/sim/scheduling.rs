//! The scheduling pass that runs after each instant (rules 2, 4 and 5 in [`crate::sim`]), and
//! the queue of pods waiting for it.

use std::collections::BTreeMap;

use super::Simulation;
use super::context::Progress;
use crate::model::{Cluster, NodeId, PodId, PodPhase, TemplateId};
use crate::quantity::Resources;
use crate::scheduler::{
    Budgets, CursorBuffer, CycleState, PendingQueue, PodClass, PodRef, Policy, PostFilter, Profile,
    QueueKey, diagnosis, framework::independent_of_other_pods,
};
use crate::time::SimTime;

/// The pending queue and what the next pass needs to know about it.
pub(crate) struct SchedulingQueue {
    pending: PendingQueue,
    /// Queue key of each pending pod, indexed by pod id (`None` when not pending).
    keys: Vec<Option<QueueKey>>,
    /// Something changed that could let a pending pod schedule.
    pub(crate) dirty: bool,
    /// Pods queued since the last pass: each gets its FailedScheduling diagnosis once, after
    /// the pass, if it is still pending.
    newly_pending: Vec<PodId>,
    /// A pass is walking the queue: pods queued now (preemption victims and their
    /// replacements) wait in `queued_during_pass` and join the queue after the walk.
    in_pass: bool,
    queued_during_pass: Vec<PodId>,
    /// Pending pods deleted during a pass: they leave the queue after the walk.
    deleted_during_pass: Vec<PodId>,
}

impl SchedulingQueue {
    pub(crate) fn new(pending: PendingQueue) -> Self {
        SchedulingQueue {
            pending,
            keys: Vec::new(),
            dirty: false,
            newly_pending: Vec::new(),
            in_pass: false,
            queued_during_pass: Vec::new(),
            deleted_during_pass: Vec::new(),
        }
    }

    /// The pods in the queue, in queue order.
    pub(crate) fn pods(&self) -> impl Iterator<Item = PodId> + '_ {
        self.pending.iter().map(|(_, p)| p)
    }

    /// Takes a pending pod out of the queue (it was deleted). During a pass it leaves after
    /// the walk, which skips it.
    pub(crate) fn remove(&mut self, id: PodId) {
        if self.in_pass {
            self.deleted_during_pass.push(id);
            return;
        }
        if let Some(key) = self.keys.get_mut(id.0 as usize).and_then(Option::take) {
            self.pending.remove(key);
        }
    }

    /// Puts a pending pod into the queue; the next pass will try it. During a pass the pod
    /// joins the queue only after the walk (the queue must not change under it).
    pub(crate) fn enqueue(&mut self, cluster: &Cluster, id: PodId) {
        self.dirty = true;
        if self.in_pass {
            self.queued_during_pass.push(id);
            return;
        }
        let pod = cluster.pod(id);
        if pod.phase != PodPhase::Pending {
            return; // deleted while it waited to join
        }
        let class = PodClass {
            template: pod.template,
            requests: pod.requests,
            priority: pod.priority,
        };
        let key = self.pending.push(id, class);
        if self.keys.len() <= id.0 as usize {
            self.keys.resize(id.0 as usize + 1, None);
        }
        self.keys[id.0 as usize] = Some(key);
        self.newly_pending.push(id);
    }
}

/// The scheduler's state between passes.
pub(crate) struct Scheduler {
    pub(crate) policy: Box<dyn Policy>,
    /// The post-filter tried for pods that fit nowhere.
    pub(crate) preemption: Box<dyn PostFilter>,
    /// False when every pod has the same priority, so preemption can never find a victim.
    pub(crate) preemption_possible: bool,
    /// Some workload has topology spread or anti-affinity constraints (filters that look at
    /// other pods can reject a node only then).
    pub(crate) pod_constraints: bool,
    /// FailedScheduling reason → how many times a newly pending pod was found unschedulable
    /// with that reason on at least one node (`unschedulable_reasons` in summary.json).
    pub(crate) unschedulable_reasons: BTreeMap<String, u64>,
    /// The last FailedScheduling reasons, for a pod class at a node-change sequence number.
    pub(crate) diagnosis_cache: Option<(PodClass, u64, BTreeMap<String, usize>)>,
    /// Per-node verdicts of recent classes, while verdicts depend only on each node.
    pub(crate) reason_cache: diagnosis::ReasonCache<PodClass>,
    /// Memory of the last pass's queue walk, reused by the next.
    pub(crate) cursor_buffer: CursorBuffer,
}

impl<'a> Simulation<'a> {
    /// One pass over the pending queue (rules 2 and 4 in the module docs).
    pub(super) fn scheduling_pass(&mut self, now: SimTime) {
        if self.cx.queue.pending.is_empty() {
            self.cx.queue.newly_pending.clear();
            return;
        }
        // Within one pass capacity only shrinks, so a pod that failed proves that every later
        // pod of the same template asking at least as much, at no higher priority, fails too;
        // skip those, and the rest of the failed pod's class. Policies whose filters look at
        // other pods turn this off when some workload has topology spread or anti-affinity
        // constraints. A preemption frees capacity, so after one the pass trusts no failure.
        // Pods that no constraint ties to other pods keep the cache either way.
        let persist =
            self.scheduler.policy.failures_persist_within_pass() || !self.scheduler.pod_constraints;
        let mut use_cache = true;
        let mut failed: Vec<(TemplateId, Resources, i32)> = Vec::new();
        // Bound pods leave the queue after the walk (the queue must not change during it).
        let mut bound: Vec<QueueKey> = Vec::new();
        self.cx.queue.in_pass = true;
        let mut cursor = self
            .cx
            .queue
            .pending
            .cursor_reusing(std::mem::take(&mut self.scheduler.cursor_buffer));
        while let Some((key, pod_id)) = cursor.next(&self.cx.queue.pending) {
            if self.cx.cluster.pods[pod_id.0 as usize].phase != PodPhase::Pending {
                continue; // deleted by its controller during this pass
            }
            let cluster = &self.cx.cluster;
            let pod = &cluster.pods[pod_id.0 as usize];
            let cache_here = use_cache
                && (persist
                    || independent_of_other_pods(
                        self.scheduler.policy.filters(),
                        &PodRef::new(cluster, pod),
                        cluster,
                    ));
            if !self.cx.quotas.is_empty() && self.cx.quotas.blocks(cluster, pod_id) {
                // The namespace quota is checked before any node. The rest of the class has the
                // same namespace (same template) and requests, so it is blocked too.
                if cache_here {
                    cursor.skip_rest_of_class();
                }
                continue;
            }
            let known_failure = cache_here
                && failed.iter().any(|(t, r, p)| {
                    *t == pod.template && r.fits_in(&pod.requests) && pod.priority <= *p
                });
            let mut choice = if known_failure {
                None
            } else {
                // PreFilter results live for this decision only: the pod is bound right after.
                let cycle = CycleState::default();
                self.scheduler
                    .policy
                    .select(&PodRef::new(cluster, pod).with_cycle(&cycle), cluster)
            };
            if choice.is_none() && !known_failure && self.scheduler.preemption_possible {
                let (nominated, evicted) = self.try_preemption(pod_id);
                choice = nominated;
                if evicted {
                    // Capacity grew mid-pass: earlier failures prove nothing any more.
                    use_cache = false;
                    failed.clear();
                }
            }
            let cluster = &self.cx.cluster;
            let pod = &cluster.pods[pod_id.0 as usize];
            match choice {
                Some(node) => {
                    if let Some(ex) = self.explain.as_deref_mut()
                        && ex.matches(cluster, pod)
                    {
                        let chosen = cluster.node(node).name.clone();
                        ex.record(
                            self.scheduler.policy.as_ref(),
                            &PodRef::new(cluster, pod),
                            cluster,
                            &chosen,
                            now.0,
                        );
                    }
                    // Bookkeeping at once: a later pod of this pass sees the quota used and may
                    // preempt this one.
                    self.bind(now, pod_id, node);
                    bound.push(key);
                }
                None => {
                    if cache_here {
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
        self.scheduler.cursor_buffer = cursor.into_buffer();
        let queue = &mut self.cx.queue;
        queue.in_pass = false;
        for key in bound {
            if let Some(pod_id) = queue.pending.remove(key) {
                queue.keys[pod_id.0 as usize] = None;
            }
        }
        for pod_id in std::mem::take(&mut queue.deleted_during_pass) {
            queue.remove(pod_id);
        }
        self.diagnose_newly_pending();
        // Victims and replacements queued during the walk: tried from the next pass on.
        for pod_id in std::mem::take(&mut self.cx.queue.queued_during_pass) {
            self.cx.queue.enqueue(&self.cx.cluster, pod_id);
        }
    }

    /// Binds `pod` to `node` and starts it there: the wait is measured, the namespace quota
    /// charged, and the kubelet starts its clocks.
    fn bind(&mut self, now: SimTime, pod_id: PodId, node: NodeId) {
        let cx = &mut self.cx;
        cx.cluster.bind(pod_id, node, now);
        let pod = cx.cluster.pod_mut(pod_id);
        pod.reported_unschedulable = false;
        let wait = now.since(pod.queued_at).0;
        let (template, requests, requeues) = (pod.template, pod.requests, pod.requeues);
        cx.metrics.note_bound(pod_id, wait, requeues);
        cx.quotas.charge(template, requests);
        self.kubelet
            .pod_bound(&mut self.cx, &mut self.controllers, pod_id, node);
        let devices = self.cx.cluster.pod(pod_id).gpu_devices;
        // The device list is built only for a GPU pod and only when the log is read.
        if devices == 0 || !self.cx.logging() {
            self.cx.log_pod_on(pod_id, node, "Scheduled", "");
        } else {
            let list: Vec<String> = (0..64)
                .filter(|i| devices & (1 << i) != 0)
                .map(|i: u32| i.to_string())
                .collect();
            let message = format!("GPU devices {}", list.join(" "));
            self.cx.log_pod_on(pod_id, node, "Scheduled", &message);
        }
    }

    /// Gives every pod queued since the last pass that is still pending Kubernetes'
    /// FailedScheduling message, once per wait (rendered against the cluster after the pass).
    /// A pod over its namespace quota gets the quota's message instead.
    fn diagnose_newly_pending(&mut self) {
        for pod_id in std::mem::take(&mut self.cx.queue.newly_pending) {
            let cluster = &self.cx.cluster;
            let pod = cluster.pod(pod_id);
            if pod.phase != PodPhase::Pending || pod.reported_unschedulable {
                continue;
            }
            let reasons = &mut self.scheduler.unschedulable_reasons;
            if let Some((reason, message)) = self.cx.quotas.message(cluster, pod_id) {
                if self.cx.logging() {
                    self.cx.log_pod(pod_id, "FailedScheduling", &message);
                }
                *reasons.entry(reason).or_default() += 1;
            } else {
                // Filters see only the pod's class and the nodes, so while no node has changed
                // a pod of the same class gets the same reasons (the common case while a full
                // cluster queues a stream of alike pods).
                let class = PodClass {
                    template: pod.template,
                    requests: pod.requests,
                    priority: pod.priority,
                };
                let filters = self.scheduler.policy.filters();
                let cycle = CycleState::default();
                let pod_ref = PodRef::new(cluster, pod).with_cycle(&cycle);
                // While verdicts depend only on each node's own state, each class's verdicts
                // are kept node by node and only changed nodes are filtered again.
                let local = self.scheduler.policy.failures_persist_within_pass()
                    || !self.scheduler.pod_constraints
                    || independent_of_other_pods(filters, &pod_ref, cluster);
                let found = if local {
                    self.scheduler
                        .reason_cache
                        .count(class, filters, &pod_ref, cluster)
                } else {
                    let seq = cluster.node_change_seq();
                    match &self.scheduler.diagnosis_cache {
                        Some((c, s, found)) if *c == class && *s == seq => found.clone(),
                        _ => {
                            let found = diagnosis::count_reasons(filters, &pod_ref, cluster);
                            self.scheduler.diagnosis_cache = Some((class, seq, found.clone()));
                            found
                        }
                    }
                };
                if self.cx.logging() {
                    let message =
                        diagnosis::render_message(&found, self.cx.cluster.node_order().len());
                    self.cx.log_pod(pod_id, "FailedScheduling", &message);
                }
                for reason in found.into_keys() {
                    *reasons.entry(reason).or_default() += 1;
                }
            }
            self.cx.cluster.pod_mut(pod_id).reported_unschedulable = true;
            self.cx.pods_became_unschedulable = true;
        }
    }

    /// Runs the post-filter for a pod that fits nowhere; evicts the victims. Returns the
    /// nominated node if the pod now fits there, and whether any pod was evicted.
    fn try_preemption(&mut self, pod: PodId) -> (Option<NodeId>, bool) {
        let budgets = Budgets {
            allowed: self
                .controllers
                .disruption
                .allowed_by_workload(&self.cx.cluster, &self.controllers.deployment),
        };
        let Some(nomination) = self.scheduler.preemption.post_filter(
            pod,
            &mut self.cx.cluster,
            self.scheduler.policy.filters(),
            &budgets,
        ) else {
            return (None, false);
        };
        let message = format!(
            "preempting {} lower-priority pod(s) on node {}",
            nomination.victims.len(),
            self.cx.cluster.node(nomination.node).name
        );
        self.cx
            .log_pod_on(pod, nomination.node, "Nominated", &message);
        for &victim in &nomination.victims {
            self.preempt(victim, pod, nomination.node);
        }
        if !nomination.victims.is_empty() {
            self.cx.mark(crate::metrics::markers::MarkKind::Preemption);
        }
        let cluster = &self.cx.cluster;
        let fits = Profile::feasible(
            self.scheduler.policy.filters(),
            &PodRef::new(cluster, cluster.pod(pod)),
            cluster.node(nomination.node),
            cluster,
        );
        (
            fits.then_some(nomination.node),
            !nomination.victims.is_empty(),
        )
    }

    /// Evicts `victim` to make room for `preemptor`: a Deployment pod ends and is replaced,
    /// a Batch or Trace pod goes back to the queue keeping its progress.
    fn preempt(&mut self, victim: PodId, preemptor: PodId, node: NodeId) {
        let cluster = &self.cx.cluster;
        let message = format!(
            "Preempted by pod {} (priority {}) on node {}",
            cluster.pod_name(preemptor),
            cluster.pod(preemptor).priority,
            cluster.node(node).name
        );
        self.controllers.evict(
            &mut self.cx,
            victim,
            "Preempted",
            "Preempted",
            &message,
            Progress::Kept,
        );
    }

    /// If the explained pod is pending now, records Kubernetes' message for it.
    pub(super) fn explain_pending_at_end(&mut self) {
        let Some(ex) = self.explain.as_deref_mut() else {
            return;
        };
        if ex.bound.is_some() {
            return;
        }
        let cluster = &self.cx.cluster;
        let found = cluster.pods.iter().find(|p| ex.matches(cluster, p));
        if let Some(pod) = found {
            ex.pod = Some(cluster.pod_name(pod.id));
            if pod.phase == PodPhase::Pending {
                ex.pending_message = Some(diagnosis::unschedulable_message(
                    self.scheduler.policy.filters(),
                    &PodRef::new(cluster, pod),
                    cluster,
                ));
                ex.autoscaler_message = self
                    .autoscaler
                    .as_ref()
                    .and_then(|ca| ca.verdict(pod.id))
                    .map(String::from);
            }
        }
    }
}
