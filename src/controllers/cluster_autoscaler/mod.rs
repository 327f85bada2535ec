//! The Cluster Autoscaler (kubernetes/autoscaler `cluster-autoscaler`, 1.33): pools with
//! `autoscaling: {min, max}` are its node groups.
//!
//! # Rules
//! 1. Every `scan_interval` (10 s) it looks at the pods the scheduler could not place (pending
//!    and reported unschedulable), leaving out expendable pods (priority below −10) and pods
//!    held back by their namespace quota.
//! 2. Pods that would fit the ready nodes' free room (the scheduler has not tried them since),
//!    or upcoming nodes (launched by a group, not ready yet) counted as empty ready nodes, wait
//!    for them and trigger nothing.
//! 3. For every group below its `max` and not backed off, the rest are packed first-fit
//!    decreasing onto template nodes of the group ([`estimator`], the scheduler's own filters),
//!    at most `max − size` nodes. The expander chain picks one option ([`expander`]); the
//!    group grows by its node count (`TriggeredScaleUp` on its pods, `ScaledUpGroup`). Pods no
//!    group can take get `NotTriggerScaleUp` with the reasons per group.
//! 4. A launch that finds no zone open (a capacity shortage), or a node not ready within
//!    `max_node_provision_time` (then deleted), backs the group off: 5 min, doubling to 30 min
//!    for failures after a back-off ran out, forgotten 3 h after the last failure. After a
//!    failed launch the next option is tried in the same scan.
//! 5. Scale-down, in scans without a scale-up and outside the cool-downs (10 min after a
//!    scale-up, 3 min after a failed scale-down): a node unneeded ([`scale_down`]) for longer
//!    than `unneeded_time` is removed, if its group stays at or above `min`: empty nodes first,
//!    up to 10 per scan, then one node with pods. A node being removed is tainted
//!    `ToBeDeletedByClusterAutoscaler:NoSchedule`, its pods are evicted through the eviction
//!    API (their budgets respected), and it is deleted.
//!
//! Simplifications: the pods of a removed node are evicted and the node deleted in the same
//! instant (no graceful termination); unneeded nodes get no `DeletionCandidateOfClusterAutoscaler`
//! soft taint; similar node groups are not balanced.

pub mod estimator;
pub mod expander;
pub mod scale_down;

use std::collections::{BTreeMap, BTreeSet};

use crate::cloud::Cloud;
use crate::controllers::Controllers;
use crate::engine::EventId;
use crate::metrics::Observation;
use crate::model::{NodeId, NodeState, PodId, PoolId, Taint, TaintEffect};
use crate::rng::{SimRng, stream};
use crate::scenario::{AutoscalerSpec, ClusterAutoscalerSpec, Scenario};
use crate::scheduler::Filter;
use crate::scheduler::diagnosis::reason_texts;
use crate::sim::Context;
use crate::time::{SimDuration, SimTime};
use expander::{ExpanderContext, ScaleUpOption};
use scale_down::{MovePlan, NON_EMPTY_CANDIDATES};

/// The taint on a node the autoscaler is deleting.
pub const TO_BE_DELETED_TAINT: &str = "ToBeDeletedByClusterAutoscaler";
const INITIAL_BACKOFF: SimDuration = SimDuration(5 * 60 * 1000);
const MAX_BACKOFF: SimDuration = SimDuration(30 * 60 * 1000);
const BACKOFF_RESET: SimDuration = SimDuration(3 * 3600 * 1000);
/// `--max-nodes-per-scaleup`.
const MAX_NODES_PER_SCALE_UP: u32 = 1000;
/// `--max-scale-down-parallelism` and `--max-drain-parallelism`.
const MAX_SCALE_DOWN_PARALLELISM: usize = 10;
const MAX_DRAIN_PARALLELISM: usize = 1;

/// The autoscaler's events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClusterAutoscalerEvent {
    Scan,
    /// A node it launched may still not be ready.
    ProvisionTimeout {
        node: NodeId,
    },
}

#[derive(Clone, Copy, Debug)]
struct Backoff {
    duration: SimDuration,
    until: SimTime,
    last_failure: SimTime,
}

/// The Cluster Autoscaler's state.
pub struct ClusterAutoscaler {
    spec: ClusterAutoscalerSpec,
    /// `(min, max)` per pool; `None` for fixed pools.
    groups: Vec<Option<(u32, u32)>>,
    backoff: Vec<Option<Backoff>>,
    last_scale_up: Option<SimTime>,
    last_scale_down_failure: Option<SimTime>,
    /// Since when each unneeded node has been unneeded.
    unneeded_since: BTreeMap<NodeId, SimTime>,
    /// The last scale-up verdict each pending pod got (logged when it changes).
    verdicts: BTreeMap<PodId, String>,
    provision_timers: BTreeMap<NodeId, EventId>,
    /// Random expander and tie-breaks (stream `cluster-autoscaler/expander`).
    rng: SimRng,
    /// Nodes with room per request shape, for the what-ifs.
    rooms: estimator::Rooms,
}

impl ClusterAutoscaler {
    pub fn new(scenario: &Scenario) -> Option<Self> {
        let Some(AutoscalerSpec::ClusterAutoscaler(spec)) = scenario.autoscaler.as_ref() else {
            return None;
        };
        let pools = &scenario.cluster.pools;
        Some(ClusterAutoscaler {
            spec: spec.clone(),
            groups: pools.iter().map(|p| p.autoscaling).collect(),
            backoff: vec![None; pools.len()],
            last_scale_up: None,
            last_scale_down_failure: None,
            unneeded_since: BTreeMap::new(),
            verdicts: BTreeMap::new(),
            provision_timers: BTreeMap::new(),
            rng: stream(scenario.seed, "cluster-autoscaler/expander"),
            rooms: estimator::Rooms::default(),
        })
    }

    /// Time 0: the first scan is one interval in.
    pub fn start(&mut self, cx: &mut Context) {
        let at = cx.now() + self.spec.scan_interval;
        cx.set_timer(at, ClusterAutoscalerEvent::Scan);
    }

    /// The last scale-up verdict of `pod` (for `clustersim explain`).
    pub fn verdict(&self, pod: PodId) -> Option<&str> {
        self.verdicts.get(&pod).map(String::as_str)
    }

    pub fn handle(
        &mut self,
        cx: &mut Context,
        owners: &mut Controllers,
        cloud: &mut Cloud,
        filters: &[Box<dyn Filter>],
        event: ClusterAutoscalerEvent,
    ) {
        match event {
            ClusterAutoscalerEvent::Scan => {
                let next = cx.now() + self.spec.scan_interval;
                cx.set_timer(next, event);
                self.forget_stale_backoffs(cx.now());
                let scaled_up = self.scale_up(cx, cloud, filters);
                if self.spec.scale_down.enabled {
                    self.scale_down(cx, owners, cloud, filters, scaled_up);
                }
            }
            ClusterAutoscalerEvent::ProvisionTimeout { node } => {
                self.provision_timers.remove(&node);
                if cx.cluster().node(node).state != NodeState::Provisioning {
                    return;
                }
                let pool = cx.cluster().node(node).pool;
                if cx.logging() {
                    let message = format!(
                        "Nodes added to group {} failed to register within {}",
                        cx.cluster().pool(pool).name,
                        self.spec.max_node_provision_time
                    );
                    cx.log_pool(pool, "ScaleUpTimedOut", &message);
                }
                cx.observe(Observation::AutoscalerLaunchFailure);
                self.back_off(pool, cx.now());
                cloud.delete_node(cx, owners, node);
            }
        }
    }

    fn forget_stale_backoffs(&mut self, now: SimTime) {
        for b in &mut self.backoff {
            if b.is_some_and(|b| b.last_failure + BACKOFF_RESET < now) {
                *b = None;
            }
        }
    }

    fn backed_off(&self, pool: usize, now: SimTime) -> bool {
        self.backoff[pool].is_some_and(|b| b.until >= now)
    }

    /// Rule 4: exponential back-off of a node group after a failed scale-up.
    fn back_off(&mut self, pool: PoolId, now: SimTime) {
        let b = &mut self.backoff[pool.0 as usize];
        let duration = match b {
            Some(old) if old.until < now => SimDuration((old.duration.0 * 2).min(MAX_BACKOFF.0)),
            Some(old) => old.duration,
            None => INITIAL_BACKOFF,
        };
        *b = Some(Backoff {
            duration,
            until: now + duration,
            last_failure: now,
        });
    }

    /// Rules 1–4; true if a group grew.
    fn scale_up(
        &mut self,
        cx: &mut Context,
        cloud: &mut Cloud,
        filters: &[Box<dyn Filter>],
    ) -> bool {
        let cutoff = self.spec.expendable_priority_cutoff;
        let cluster = cx.cluster();
        let mut pending: Vec<PodId> = cx
            .unschedulable_pods()
            .into_iter()
            .filter(|&p| cluster.pod(p).priority >= cutoff)
            .collect();
        self.verdicts
            .retain(|p, _| cluster.pod(*p).phase == crate::model::PodPhase::Pending);
        if pending.is_empty() {
            return false;
        }
        // Rule 2: upcoming nodes of node groups.
        let upcoming: Vec<NodeId> = cluster
            .node_order()
            .iter()
            .copied()
            .filter(|&n| {
                let node = cluster.node(n);
                node.state == NodeState::Provisioning && self.groups[node.pool.0 as usize].is_some()
            })
            .collect();
        let waiting = estimator::schedulable_without_scale_up(
            cluster,
            filters,
            &upcoming,
            &pending,
            &mut self.rooms,
        );
        pending.retain(|p| waiting.binary_search(p).is_err());
        if pending.is_empty() {
            return false;
        }
        let now = cx.now();
        let mut reasons: BTreeMap<PodId, BTreeMap<String, u32>> = BTreeMap::new();
        let mut options: Vec<ScaleUpOption> = Vec::new();
        for (p, limits) in self.groups.iter().enumerate() {
            let Some((_, max)) = *limits else {
                continue;
            };
            let pool = PoolId(p as u32);
            let size = cluster.totals.live_by_pool[p];
            let skip = if size >= max {
                Some("max node group size reached")
            } else if self.backed_off(p, now) {
                Some("in backoff after failed scale-up")
            } else {
                None
            };
            if let Some(why) = skip {
                for &pod in &pending {
                    *reasons
                        .entry(pod)
                        .or_default()
                        .entry(why.into())
                        .or_default() += 1;
                }
                continue;
            }
            // The template node stands in the zone the next node would go to (any of the
            // pool's zones while all are closed: the launch will fail and back the group off).
            let zone = cloud
                .zone_for_new_node(cx, pool)
                .unwrap_or(cluster.pool(pool).zones[0] as u32);
            let limit = (max - size).min(MAX_NODES_PER_SCALE_UP);
            let e = estimator::estimate(cluster, filters, pool, zone, &pending, limit);
            // Why the pods left out do not fit an empty template node of this group.
            let empty = estimator::template_node(cluster, pool, zone, 0);
            for &pod in &pending {
                if e.pods.contains(&pod) {
                    continue;
                }
                let why = match estimator::rejects(filters, cluster, pod, &empty) {
                    Some(r) => reason_texts(r, &empty, cluster).join(", "),
                    None => "max node group size reached".to_string(),
                };
                *reasons.entry(pod).or_default().entry(why).or_default() += 1;
            }
            if e.nodes > 0 {
                options.push(ScaleUpOption {
                    pool,
                    nodes: e.nodes,
                    pods: e.pods,
                });
            }
        }
        let mut scaled = false;
        while !options.is_empty() {
            let ecx = ExpanderContext {
                cluster: cx.cluster(),
                priorities: &self.spec.priorities,
            };
            let Some(best) =
                expander::choose(&self.spec.expanders, options.clone(), &ecx, &mut self.rng)
            else {
                break;
            };
            options.retain(|o| o.pool != best.pool);
            if self.grow(cx, cloud, &best) {
                scaled = true;
                for pod in &best.pods {
                    reasons.remove(pod);
                }
                break;
            }
        }
        if scaled {
            self.last_scale_up = Some(now);
        }
        for (pod, why) in reasons {
            let mut parts: Vec<String> = why.into_iter().map(|(r, n)| format!("{n} {r}")).collect();
            parts.sort();
            let message = format!("pod didn't trigger scale-up: {}", parts.join(", "));
            self.record_verdict(cx, pod, "NotTriggerScaleUp", message);
        }
        scaled
    }

    /// Launches `option`'s nodes; false (and the group backed off) if none could launch.
    fn grow(&mut self, cx: &mut Context, cloud: &mut Cloud, option: &ScaleUpOption) -> bool {
        let pool = option.pool;
        let p = pool.0 as usize;
        let (_, max) = self.groups[p].expect("a node group");
        let from = cx.cluster().totals.live_by_pool[p];
        let to = from + option.nodes;
        let name = cx.cluster().pool(pool).name.clone();
        if cx.logging() {
            let message = format!(
                "Scale-up: setting group {name} size to {to} instead of {from} (max: {max})"
            );
            cx.log_pool(pool, "ScaledUpGroup", &message);
        }
        let mut launched = 0;
        for _ in 0..option.nodes {
            let Some(node) = cloud.increase_size(cx, pool) else {
                break;
            };
            launched += 1;
            let at = cx.now() + self.spec.max_node_provision_time;
            let timer = cx.set_timer(at, ClusterAutoscalerEvent::ProvisionTimeout { node });
            self.provision_timers.insert(node, timer);
        }
        if launched < option.nodes {
            cx.observe(Observation::AutoscalerLaunchFailure);
            self.back_off(pool, cx.now());
            if cx.logging() {
                let message = format!(
                    "Scale-up failed for group {name}: no capacity in any of the group's zones"
                );
                cx.log_pool(pool, "FailedToScaleUpGroup", &message);
            }
        }
        if launched == 0 {
            return false;
        }
        cx.observe(Observation::AutoscalerScaleUp { nodes: launched });
        let message = format!(
            "pod triggered scale-up: [{{{name} {from}->{} (max: {max})}}]",
            from + launched
        );
        for &pod in &option.pods {
            self.record_verdict(cx, pod, "TriggeredScaleUp", message.clone());
        }
        true
    }

    fn record_verdict(
        &mut self,
        cx: &mut Context,
        pod: PodId,
        reason: &'static str,
        message: String,
    ) {
        if self.verdicts.get(&pod) == Some(&message) {
            return;
        }
        cx.log_pod(pod, reason, &message);
        self.verdicts.insert(pod, message);
    }

    /// Rule 5.
    fn scale_down(
        &mut self,
        cx: &mut Context,
        owners: &mut Controllers,
        cloud: &mut Cloud,
        filters: &[Box<dyn Filter>],
        scaled_up: bool,
    ) {
        let now = cx.now();
        let unneeded = self.find_unneeded(cx, owners, filters);
        let since = std::mem::take(&mut self.unneeded_since);
        self.unneeded_since = unneeded
            .iter()
            .map(|&n| (n, since.get(&n).copied().unwrap_or(now)))
            .collect();
        let d = &self.spec.scale_down;
        let cooling = scaled_up
            || self
                .last_scale_up
                .is_some_and(|t| t + d.delay_after_add > now)
            || self
                .last_scale_down_failure
                .is_some_and(|t| t + d.delay_after_failure > now);
        if cooling {
            return;
        }
        let unneeded_time = d.unneeded_time;
        let mut size: Vec<u32> = cx.cluster().totals.live_by_pool.clone();
        let mut empty = Vec::new();
        let mut busy = Vec::new();
        let budgets = owners
            .disruption
            .allowed_by_workload(cx.cluster(), &owners.deployment);
        // Empty nodes first, then nodes with pods (whose pods must still find room on nodes
        // that stay).
        for with_pods in [false, true] {
            for (&node, &since) in &self.unneeded_since {
                if since + unneeded_time >= now {
                    continue; // not unneeded for longer than unneeded_time yet
                }
                let n = cx.cluster().node(node);
                let p = n.pool.0 as usize;
                let (min, _) = self.groups[p].expect("a node group");
                if size[p] <= min || n.pods.is_empty() == with_pods {
                    continue;
                }
                if !with_pods {
                    if empty.len() < MAX_SCALE_DOWN_PARALLELISM {
                        size[p] -= 1;
                        empty.push(node);
                    }
                    continue;
                }
                if busy.len() >= MAX_DRAIN_PARALLELISM
                    || empty.len() + busy.len() >= MAX_SCALE_DOWN_PARALLELISM
                {
                    break;
                }
                let leaving = |x: NodeId| empty.contains(&x);
                if MovePlan::default()
                    .try_move(
                        cx.cluster(),
                        filters,
                        n,
                        &leaving,
                        &budgets,
                        &mut self.rooms,
                    )
                    .is_ok()
                {
                    size[p] -= 1;
                    busy.push(node);
                }
            }
        }
        for node in empty {
            self.remove_node(cx, owners, cloud, node);
        }
        for node in busy {
            if !self.drain_and_remove(cx, owners, cloud, node) {
                self.last_scale_down_failure = Some(now);
            }
        }
    }

    /// Unneeded nodes of node groups now (rule 5, [`scale_down`]).
    fn find_unneeded(
        &mut self,
        cx: &Context,
        owners: &Controllers,
        filters: &[Box<dyn Filter>],
    ) -> BTreeSet<NodeId> {
        let cluster = cx.cluster();
        let threshold = self.spec.scale_down.utilization_threshold;
        let budgets = owners
            .disruption
            .allowed_by_workload(cluster, &owners.deployment);
        // Nodes already unneeded are looked at first, then the rest in node order.
        let mut order: Vec<NodeId> = self.unneeded_since.keys().copied().collect();
        order.extend(
            cluster
                .node_order()
                .iter()
                .copied()
                .filter(|n| !self.unneeded_since.contains_key(n)),
        );
        let mut plan = MovePlan::default();
        let mut unneeded = BTreeSet::new();
        let mut simulated = 0;
        for id in order {
            let node = cluster.node(id);
            if node.state != NodeState::Ready || self.groups[node.pool.0 as usize].is_none() {
                continue;
            }
            if scale_down::utilization(node) > threshold {
                continue;
            }
            if !node.pods.is_empty() {
                if simulated >= NON_EMPTY_CANDIDATES {
                    continue;
                }
                simulated += 1;
                let leaving = |n: NodeId| unneeded.contains(&n);
                if plan
                    .try_move(cluster, filters, node, &leaving, &budgets, &mut self.rooms)
                    .is_err()
                {
                    continue;
                }
            }
            unneeded.insert(id);
        }
        unneeded
    }

    fn mark_to_be_deleted(cx: &mut Context, node: NodeId) {
        cx.cordon(node, NodeState::Draining);
        cx.taint_node(
            node,
            Taint {
                key: TO_BE_DELETED_TAINT.into(),
                value: String::new(),
                effect: TaintEffect::NoSchedule,
            },
        );
        cx.log_node(
            node,
            "ScaleDown",
            "marked the node as toBeDeleted/unschedulable",
        );
    }

    fn remove_node(
        &mut self,
        cx: &mut Context,
        owners: &mut Controllers,
        cloud: &mut Cloud,
        node: NodeId,
    ) {
        let pool = cx.cluster().node(node).pool;
        if cx.logging() {
            let message = format!(
                "Scale-down: removing empty node \"{}\"",
                cx.cluster().node(node).name
            );
            cx.log_pool(pool, "ScaleDownEmpty", &message);
        }
        Self::mark_to_be_deleted(cx, node);
        self.delete(cx, owners, cloud, node);
    }

    /// Evicts the node's pods through the eviction API, then deletes it; false if a budget
    /// refused an eviction (the node is put back).
    fn drain_and_remove(
        &mut self,
        cx: &mut Context,
        owners: &mut Controllers,
        cloud: &mut Cloud,
        node: NodeId,
    ) -> bool {
        let pool = cx.cluster().node(node).pool;
        if cx.logging() {
            let mut pods = cx.cluster().node(node).pods.clone();
            pods.sort_unstable();
            let n = cx.cluster().node(node);
            let names: Vec<String> = pods.iter().map(|&p| cx.cluster().pod_name(p)).collect();
            let message = format!(
                "Scale-down: removing node {}, utilization: {:.2}, pods to reschedule: {}",
                n.name,
                scale_down::utilization(n),
                names.join(",")
            );
            cx.log_pool(pool, "ScaleDown", &message);
        }
        Self::mark_to_be_deleted(cx, node);
        if !owners.evict_all_from(cx, node) {
            cx.remove_taint(node, TO_BE_DELETED_TAINT);
            cx.uncordon(node);
            cx.log_node(
                node,
                "ScaleDownFailed",
                "failed to drain and delete node: a pod's disruption budget refused its eviction",
            );
            return false;
        }
        self.delete(cx, owners, cloud, node);
        true
    }

    fn delete(
        &mut self,
        cx: &mut Context,
        owners: &mut Controllers,
        cloud: &mut Cloud,
        node: NodeId,
    ) {
        self.unneeded_since.remove(&node);
        cx.log_node(node, "ScaleDown", "nodes removed by cluster autoscaler");
        cx.observe(Observation::AutoscalerNodeRemoved);
        cloud.delete_node(cx, owners, node);
    }
}
