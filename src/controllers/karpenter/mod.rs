//! Karpenter-style node provisioning and consolidation (karpenter.sh/v1, after
//! kubernetes-sigs/karpenter 1.x). Each NodePool's instance types and capacity types are
//! generated pools (`<nodepool>-<type>-<capacity>`, starting empty); its nodes carry
//! `karpenter.sh/nodepool`, `node.kubernetes.io/instance-type` and
//! `karpenter.sh/capacity-type`.
//!
//! # Rules
//! 1. When a scheduling pass leaves pods unschedulable, a batch opens; it closes once
//!    `batch_idle_duration` (1 s) passes without another, or after `batch_max_duration` (10 s).
//! 2. At the close, pods that fit the ready nodes' free room or nodes still launching wait for
//!    them; the rest are packed into NodeClaims ([`provisioner`]) and each claim is launched
//!    as its cheapest compatible offering, spot before on-demand. An offering that finds no
//!    capacity (every zone closed) is skipped for 3 minutes and the next one tried, so a spot
//!    shortage falls back to on-demand, and back to spot once it is over (`Launched`).
//! 3. A spot interruption evicts the node's pods at the notice; they are pending, so a new
//!    batch launches their replacement at once. The cloud replaces nothing itself.
//! 4. Every 10 s, disruption ([`consolidation`]): nodes whose pods have not changed for
//!    `consolidate_after` are candidates. Empty ones are deleted (`Empty`); with
//!    `WhenEmptyOrUnderutilized`, one node per round whose pods all fit on other nodes is
//!    drained and deleted, or, failing that, replaced by one cheaper node that takes all its
//!    pods (`Underutilized`; spot to spot only with at least 15 cheaper types, as upstream).
//!    A node being replaced is tainted `karpenter.sh/disrupted:NoSchedule` and drained once
//!    its replacement is ready. Every disruption goes through the eviction API, within the
//!    NodePool's budgets (`nodes: 10%` by default: roundup(total × 10%) − nodes being
//!    disrupted).
//!
//! Simplifications: no multi-node consolidation into one replacement (several nodes can still
//! be deleted in one round when their pods fit elsewhere, one per poll); spot offerings are
//! chosen by lowest price (upstream: price-capacity-optimized); a shortage closes an offering
//! in all its zones; no `expireAfter`, drift or `do-not-disrupt`.

pub mod consolidation;
pub mod provisioner;

use std::collections::BTreeMap;

use crate::cloud::Cloud;
use crate::controllers::Controllers;
use crate::controllers::cluster_autoscaler::estimator::{Rooms, schedulable_without_scale_up};
use crate::engine::EventId;
use crate::metrics::Observation;
use crate::model::{NodeId, NodeState, PodId, PoolId};
use crate::scenario::{AutoscalerSpec, KarpenterSpec, Scenario};
use crate::scheduler::Filter;
use crate::sim::Context;
use crate::time::{SimDuration, SimTime};

/// How long an offering that found no capacity is skipped.
pub const UNAVAILABLE_OFFERING_TTL: SimDuration = SimDuration(3 * 60 * 1000);
/// How often the disruption controller looks for consolidation.
pub const DISRUPTION_POLL: SimDuration = SimDuration(10_000);

/// Karpenter's events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KarpenterEvent {
    /// The open batch of pending pods may be due.
    Batch,
    /// A round of the disruption controller.
    Disruption,
}

/// Karpenter's state.
pub struct Karpenter {
    spec: KarpenterSpec,
    /// `(node pool, offering)` of each generated pool, by pool index.
    by_pool: Vec<Option<(usize, usize)>>,
    batch_start: Option<SimTime>,
    last_pending: SimTime,
    batch_timer: Option<EventId>,
    /// Offerings (by pool) that found no capacity, until when they are skipped.
    unavailable_until: BTreeMap<usize, SimTime>,
    /// When each node's pods last changed (as far as the disruption rounds saw), by node
    /// index; `None` for a node no round has seen change. Node ids are never reused.
    last_change: Vec<Option<SimTime>>,
    change_seq: u64,
    /// Nodes being replaced, with their replacement.
    replacing: BTreeMap<NodeId, NodeId>,
    claims: u64,
    /// The last disruption round found nothing to do: the node-change sequence then, and when
    /// the next node's `consolidate_after` runs out.
    consolidated: Option<(u64, Option<SimTime>)>,
    /// Nodes with room per request shape, for the what-ifs.
    rooms: Rooms,
}

impl Karpenter {
    pub fn new(scenario: &Scenario) -> Option<Self> {
        let Some(AutoscalerSpec::Karpenter(spec)) = scenario.autoscaler.as_ref() else {
            return None;
        };
        let mut by_pool = vec![None; scenario.cluster.pools.len()];
        for (n, np) in spec.node_pools.iter().enumerate() {
            for (o, off) in np.offerings.iter().enumerate() {
                by_pool[off.pool] = Some((n, o));
            }
        }
        Some(Karpenter {
            spec: spec.clone(),
            by_pool,
            batch_start: None,
            last_pending: SimTime::ZERO,
            batch_timer: None,
            unavailable_until: BTreeMap::new(),
            last_change: Vec::new(),
            change_seq: 0,
            replacing: BTreeMap::new(),
            claims: 0,
            consolidated: None,
            rooms: Rooms::default(),
        })
    }

    pub fn start(&mut self, cx: &mut Context) {
        let at = cx.now() + DISRUPTION_POLL;
        cx.set_timer(at, KarpenterEvent::Disruption);
    }

    /// The NodePool of a node's pool, if Karpenter launched it.
    fn node_pool_of(&self, cx: &Context, node: NodeId) -> Option<usize> {
        let pool = cx.cluster().node(node).pool.0 as usize;
        self.by_pool[pool].map(|(n, _)| n)
    }

    /// Rule 1: a pass left pods unschedulable.
    pub fn pods_unschedulable(&mut self, cx: &mut Context) {
        let now = cx.now();
        self.last_pending = now;
        if self.batch_start.is_none() {
            self.batch_start = Some(now);
            let at = now + self.spec.batch_idle;
            self.batch_timer = Some(cx.set_timer(at, KarpenterEvent::Batch));
        }
    }

    pub fn handle(
        &mut self,
        cx: &mut Context,
        owners: &mut Controllers,
        cloud: &mut Cloud,
        filters: &[Box<dyn Filter>],
        event: KarpenterEvent,
    ) {
        match event {
            KarpenterEvent::Batch => {
                let now = cx.now();
                let Some(start) = self.batch_start else {
                    return;
                };
                let idle_end = self.last_pending + self.spec.batch_idle;
                let max_end = start + self.spec.batch_max;
                if idle_end > now && max_end > now {
                    let at = idle_end.min(max_end);
                    self.batch_timer = Some(cx.set_timer(at, KarpenterEvent::Batch));
                    return;
                }
                self.batch_start = None;
                self.batch_timer = None;
                self.provision(cx, cloud, filters);
            }
            KarpenterEvent::Disruption => {
                let next = cx.now() + DISRUPTION_POLL;
                cx.set_timer(next, event);
                self.disrupt(cx, owners, cloud, filters);
            }
        }
    }

    /// Rule 2.
    fn provision(&mut self, cx: &mut Context, cloud: &mut Cloud, filters: &[Box<dyn Filter>]) {
        let cluster = cx.cluster();
        let pending = cx.unschedulable_pods();
        if pending.is_empty() {
            return;
        }
        let upcoming: Vec<NodeId> = cluster
            .node_order()
            .iter()
            .copied()
            .filter(|&n| {
                cluster.node(n).state == NodeState::Provisioning
                    && self.by_pool[cluster.node(n).pool.0 as usize].is_some()
            })
            .collect();
        let waiting =
            schedulable_without_scale_up(cluster, filters, &upcoming, &pending, &mut self.rooms);
        let mut pods: Vec<PodId> = pending
            .into_iter()
            .filter(|p| waiting.binary_search(p).is_err())
            .collect();
        if pods.is_empty() {
            return;
        }
        provisioner::sort_pods(cluster, &mut pods);
        let mut cpu_left = self.cpu_left(cx);
        let (claims, unplaced) = provisioner::pack(
            cluster,
            filters,
            &self.spec.node_pools,
            &pods,
            &mut cpu_left,
        );
        for pod in unplaced {
            cx.log_pod(
                pod,
                "FailedScheduling",
                "could not schedule pod: incompatible with every nodepool or over its limits",
            );
        }
        for claim in claims {
            self.launch(cx, cloud, &claim);
        }
    }

    /// Cpu each NodePool may still add under its limit.
    fn cpu_left(&self, cx: &Context) -> Vec<Option<u64>> {
        let cluster = cx.cluster();
        let mut used = vec![0u64; self.spec.node_pools.len()];
        for &n in cluster.node_order() {
            if let Some(np) = self.node_pool_of(cx, n) {
                used[np] += cluster.node(n).allocatable.cpu_m;
            }
        }
        self.spec
            .node_pools
            .iter()
            .zip(used)
            .map(|(np, u)| np.limit_cpu_m.map(|l| l.saturating_sub(u)))
            .collect()
    }

    /// Launches `claim` as its first offering with capacity; `None` if none has.
    fn launch(
        &mut self,
        cx: &mut Context,
        cloud: &mut Cloud,
        claim: &provisioner::Claim,
    ) -> Option<NodeId> {
        let np = &self.spec.node_pools[claim.node_pool];
        let now = cx.now();
        for o in provisioner::launch_order(cx.cluster(), np, claim) {
            let offering = np.offerings[o];
            if self
                .unavailable_until
                .get(&offering.pool)
                .is_some_and(|&t| t > now)
            {
                continue;
            }
            let Some(node) = cloud.increase_size(cx, PoolId(offering.pool as u32)) else {
                // Insufficient capacity: skip this offering for a while, try the next.
                self.unavailable_until
                    .insert(offering.pool, now + UNAVAILABLE_OFFERING_TTL);
                cx.observe(Observation::AutoscalerLaunchFailure);
                if cx.logging() {
                    let message = format!(
                        "InsufficientCapacityError: {} {} unavailable; skipped for 3m",
                        self.spec.instance_types[offering.instance_type].name,
                        offering.capacity_type.as_str()
                    );
                    cx.log_pool(
                        PoolId(offering.pool as u32),
                        "InsufficientCapacity",
                        &message,
                    );
                }
                continue;
            };
            self.claims += 1;
            cx.observe(Observation::AutoscalerScaleUp { nodes: 1 });
            if cx.logging() {
                let n = cx.cluster().node(node);
                let message = format!(
                    "launched nodeclaim {}-{}, instance-type {}, zone {}, capacity-type {}, {} pods",
                    np.name,
                    self.claims,
                    self.spec.instance_types[offering.instance_type].name,
                    cx.cluster().zones[n.zone as usize],
                    offering.capacity_type.as_str(),
                    claim.pods.len()
                );
                cx.log_node(node, "Launched", &message);
            }
            return Some(node);
        }
        if cx.logging() {
            let message = format!(
                "could not launch a nodeclaim for {} pods: every compatible offering is unavailable",
                claim.pods.len()
            );
            cx.log_named("nodepool", &np.name, "FailedLaunch", &message);
        }
        None
    }
}
