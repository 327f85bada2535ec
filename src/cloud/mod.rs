//! The infrastructure, which Kubernetes does not control: node launches and provisioning
//! delays, spot interruptions (`spot.rs`), node failures and burn-in (`failures.rs`), capacity
//! shortages and zone outages (`zones.rs`), and prices.
//!
//! # Rules
//! 1. A node's interruption and failure clocks start when it becomes ready (a provisioning or
//!    burning-in node cannot be interrupted); both are exponential, drawn from the pool's
//!    `pool/<name>/interruptions` and `pool/<name>/failures` streams.
//! 2. On an interruption notice the node is tainted `clustersim.io/interrupted:NoSchedule`,
//!    set Draining, and its pods are evicted at once (their capacity is freed at the notice);
//!    it terminates when the notice runs out. The pool launches a replacement at the notice
//!    (`replace: on-notice`) or at termination (`on-termination`), or never.
//! 3. A failed node (mtbf) loses its pods and terminates at once; its replacement is ready after
//!    the pool's `repair` time (default: its provisioning delay).
//! 4. A replacement goes to the lost node's zone, or, if the pool cannot launch there (a zone
//!    outage or an `unavailable` window), to the pool's open zone with the fewest live nodes;
//!    if every zone is closed it waits and is launched when a window or outage ends.
//! 5. An evicted batch pod goes back to the pending queue with its remaining run time less the
//!    work saved at its last checkpoint; a Deployment pod is replaced by its Deployment
//!    ([`crate::controllers::Controllers::evict`]).
//!
//! Pools keep their size as an auto-scaling group does: the cloud replaces what it takes.

mod failures;
mod spot;
mod zones;

pub use spot::INTERRUPTED_TAINT;

use crate::controllers::Controllers;
use crate::dist::{DurationDist, exponential_gap};
use crate::engine::EventId;
use crate::metrics::Observation;
use crate::model::{NodeId, NodeState, PodId, PoolId};
use crate::rng::{SimRng, stream};
use crate::scenario::{ClusterEvent, PoolFailures, ReplacePolicy, Scenario, WindowTiming};
use crate::sim::{Context, Progress};
use crate::time::{SimDuration, SimTime};

/// The cloud's events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CloudEvent {
    /// A provisioning node becomes ready.
    NodeReady {
        node: NodeId,
    },
    /// A spot node gets its interruption notice.
    InterruptionNotice {
        node: NodeId,
    },
    /// A node's notice has run out: it terminates.
    NodeTerminate {
        node: NodeId,
    },
    /// A node fails (mtbf).
    NodeFailure {
        node: NodeId,
    },
    /// A burn-in period ends: the node passes or fails its checks.
    BurnInDone {
        node: NodeId,
    },
    /// A correlated reclaim of a spot pool's nodes in one zone.
    InterruptionWave {
        pool: u32,
    },
    /// A row of a pool's reclaim trace is due.
    ReclaimTraceRow {
        pool: u32,
        row: u32,
    },
    /// A capacity-shortage window of a pool starts or ends.
    UnavailableStart {
        pool: u32,
        window: u32,
    },
    UnavailableEnd {
        pool: u32,
        window: u32,
        zone: u32,
    },
    /// A scheduled zone outage (index into the scenario's events) starts, or a zone recovers.
    ZoneOutageStart {
        event: u32,
    },
    ZoneOutageEnd {
        zone: u32,
    },
    /// A pool's price changes (row of its price trace).
    PriceStep {
        pool: u32,
        row: u32,
    },
}

/// Run-time state of the infrastructure.
pub struct Cloud {
    nodes: Vec<NodeExt>,
    pools: Vec<PoolRngs>,
    /// Open capacity-shortage windows per pool and zone.
    unavailable: Vec<Vec<u32>>,
    /// Open outages per zone.
    zone_out: Vec<u32>,
    /// Replacements waiting for an open zone: (pool, preferred zone, ready delay).
    deferred: Vec<(PoolId, u32, Option<SimDuration>)>,
    /// Random zone outages: when, where and how long (stream `cluster/zone_outages`).
    zone_outages: SimRng,
}

struct PoolRngs {
    provisioning: SimRng,
    interruptions: SimRng,
    waves: SimRng,
    failures: SimRng,
    repair: SimRng,
    burn_in: SimRng,
    unavailable: SimRng,
}

#[derive(Clone, Default)]
struct NodeExt {
    interrupt: Option<EventId>,
    failure: Option<EventId>,
    noticed: bool,
    burned_in: bool,
    /// Became ready (or would have) while its zone was down; readied when the zone recovers.
    awaiting_zone: bool,
}

impl Cloud {
    pub fn new(scenario: &Scenario) -> Self {
        let zones = scenario.cluster.zones.len();
        let pools = scenario
            .cluster
            .pools
            .iter()
            .map(|p| {
                let s = |what: &str| stream(scenario.seed, &format!("pool/{}/{what}", p.name));
                PoolRngs {
                    provisioning: s("provisioning"),
                    interruptions: s("interruptions"),
                    waves: s("waves"),
                    failures: s("failures"),
                    repair: s("repair"),
                    burn_in: s("burn_in"),
                    unavailable: s("unavailable"),
                }
            })
            .collect();
        Cloud {
            nodes: Vec::new(),
            pools,
            unavailable: vec![vec![0; zones]; scenario.cluster.pools.len()],
            zone_out: vec![0; zones],
            deferred: Vec::new(),
            zone_outages: stream(scenario.seed, "cluster/zone_outages"),
        }
    }

    fn ext(&mut self, node: NodeId) -> &mut NodeExt {
        let i = node.0 as usize;
        if self.nodes.len() <= i {
            self.nodes.resize(i + 1, NodeExt::default());
        }
        &mut self.nodes[i]
    }

    /// Time 0, before any workload: every pool's initial nodes, ready, spread round-robin
    /// over the pool's zones.
    pub fn launch_initial_nodes(&mut self, cx: &mut Context) {
        for (p, pool) in cx.scenario().cluster.pools.iter().enumerate() {
            for i in 0..pool.count {
                let zone = pool.zones[i as usize % pool.zones.len()] as u32;
                cx.launch_initial_node(PoolId(p as u32), zone);
            }
        }
    }

    /// Time 0, after the workloads: clocks of the initial nodes, waves, trace rows, windows,
    /// outages, prices.
    pub fn start(&mut self, cx: &mut Context) {
        let scenario = cx.scenario();
        let initial: Vec<NodeId> = cx.cluster().node_order().to_vec();
        for node in initial {
            self.ext(node).burned_in = true;
            self.arm_node_clocks(cx, node);
        }
        for (p, f) in scenario.cluster.pool_failures.iter().enumerate() {
            let pool = p as u32;
            if let Some(i) = &f.interruption {
                if let Some(w) = &i.waves {
                    let gap = exponential_mean(&mut self.pools[p].waves, w.mean_time_between);
                    cx.set_timer(SimTime::ZERO + gap, CloudEvent::InterruptionWave { pool });
                }
                for (row, r) in i.trace.iter().enumerate() {
                    let row = row as u32;
                    cx.set_timer(r.time, CloudEvent::ReclaimTraceRow { pool, row });
                }
            }
            for (w, u) in f.unavailable.iter().enumerate() {
                let at = match u.when {
                    WindowTiming::At(at) => at,
                    WindowTiming::Random { mean_time_between } => {
                        SimTime::ZERO
                            + exponential_mean(&mut self.pools[p].unavailable, mean_time_between)
                    }
                };
                let window = w as u32;
                cx.set_timer(at, CloudEvent::UnavailableStart { pool, window });
            }
            for (row, (at, _)) in f.price_trace.iter().enumerate() {
                let row = row as u32;
                cx.set_timer(*at, CloudEvent::PriceStep { pool, row });
            }
        }
        for (e, event) in scenario.events.iter().enumerate() {
            let event_index = e as u32;
            match event {
                ClusterEvent::ZoneOutage { at, .. } => {
                    cx.set_timer(*at, CloudEvent::ZoneOutageStart { event: event_index });
                }
                ClusterEvent::RandomZoneOutages {
                    at,
                    mean_time_between,
                    ..
                } => {
                    let gap = exponential_mean(&mut self.zone_outages, *mean_time_between);
                    cx.set_timer(
                        *at + gap,
                        CloudEvent::ZoneOutageStart { event: event_index },
                    );
                }
            }
        }
    }

    pub fn handle(&mut self, cx: &mut Context, owners: &mut Controllers, event: CloudEvent) {
        match event {
            CloudEvent::NodeReady { node } => self.on_node_ready(cx, node),
            CloudEvent::InterruptionNotice { node } => {
                self.ext(node).interrupt = None;
                self.interruption_notice(cx, owners, node);
            }
            CloudEvent::NodeTerminate { node } => {
                let pool = cx.cluster().node(node).pool;
                let zone = cx.cluster().node(node).zone;
                // A node that already went (it failed during its notice) was replaced then.
                if self.terminate(cx, owners, node)
                    && failures_of(cx, pool).replace == ReplacePolicy::OnTermination
                {
                    self.replace(cx, pool, zone, None);
                }
            }
            CloudEvent::NodeFailure { node } => {
                self.ext(node).failure = None;
                self.node_failure(cx, owners, node);
            }
            CloudEvent::BurnInDone { node } => self.burn_in_done(cx, owners, node),
            CloudEvent::InterruptionWave { pool } => self.interruption_wave(cx, owners, pool),
            CloudEvent::ReclaimTraceRow { pool, row } => {
                let spec = failures_of(cx, PoolId(pool)).interruption.as_ref();
                let r = &spec.expect("a trace row has a trace").trace[row as usize];
                let (zone, amount) = (r.zone as u32, r.amount);
                self.reclaim(cx, owners, pool, zone, amount);
            }
            CloudEvent::UnavailableStart { pool, window } => {
                self.unavailable_start(cx, pool, window)
            }
            CloudEvent::UnavailableEnd { pool, zone, .. } => {
                self.unavailable[pool as usize][zone as usize] -= 1;
                self.retry_deferred(cx);
            }
            CloudEvent::ZoneOutageStart { event } => self.zone_outage_start(cx, owners, event),
            CloudEvent::ZoneOutageEnd { zone } => self.zone_outage_end(cx, zone),
            CloudEvent::PriceStep { pool, row } => {
                let price = failures_of(cx, PoolId(pool)).price_trace[row as usize].1;
                cx.observe(Observation::PriceChange {
                    pool: pool as usize,
                    price,
                });
            }
        }
    }

    /// Launches a node of `pool` in `zone`; it becomes ready after the pool's provisioning delay.
    pub fn launch_node(&mut self, cx: &mut Context, pool: PoolId, zone: u32) -> NodeId {
        let delay = cx.scenario().cluster.pools[pool.0 as usize]
            .provisioning_delay
            .sample(&mut self.pools[pool.0 as usize].provisioning);
        Self::launch_node_after(cx, pool, zone, delay)
    }

    /// The zone a new node of `pool` would go to: the open zone with the fewest live nodes of
    /// the pool (an auto-scaling group balances its zones); `None` while every zone of the
    /// pool is closed (a capacity shortage or an outage).
    pub fn zone_for_new_node(&self, cx: &Context, pool: PoolId) -> Option<u32> {
        let cluster = cx.cluster();
        let zones = &cx.scenario().cluster.pools[pool.0 as usize].zones;
        let mut live = vec![0u32; cx.scenario().cluster.zones.len()];
        for &n in cluster.node_order() {
            let node = cluster.node(n);
            if node.pool == pool {
                live[node.zone as usize] += 1;
            }
        }
        zones
            .iter()
            .map(|&z| z as u32)
            .filter(|&z| !self.zone_closed(pool, z))
            .min_by_key(|&z| (live[z as usize], z))
    }

    /// An autoscaler grows `pool` by one node (the cloud provider's `IncreaseSize`): launched in
    /// [`Cloud::zone_for_new_node`], ready after the pool's provisioning delay. `None` when no
    /// zone can take it.
    pub fn increase_size(&mut self, cx: &mut Context, pool: PoolId) -> Option<NodeId> {
        let zone = self.zone_for_new_node(cx, pool)?;
        Some(self.launch_node(cx, pool, zone))
    }

    /// An autoscaler deletes `node` (the cloud provider's `DeleteNodes`, which also shrinks the
    /// group, so it is not replaced). Pods still on it are evicted as the node goes.
    pub fn delete_node(&mut self, cx: &mut Context, owners: &mut Controllers, node: NodeId) {
        self.terminate(cx, owners, node);
    }

    /// Launches a node of `pool` in `zone` that becomes ready after `delay`.
    fn launch_node_after(cx: &mut Context, pool: PoolId, zone: u32, delay: SimDuration) -> NodeId {
        cx.launch_node(pool, zone, delay, |node| {
            CloudEvent::NodeReady { node }.into()
        })
    }

    /// A provisioning node's delay is over: burn-in first if the pool has one, then ready
    /// (unless its zone is down).
    fn on_node_ready(&mut self, cx: &mut Context, node: NodeId) {
        // An autoscaler may have given up on the node and deleted it.
        if cx.cluster().node(node).state == NodeState::Terminated {
            return;
        }
        let now = cx.now();
        let pool = cx.cluster().node(node).pool;
        let zone = cx.cluster().node(node).zone;
        if let Some(b) = &failures_of(cx, pool).burn_in
            && !self.ext(node).burned_in
        {
            self.ext(node).burned_in = true;
            let d = b.duration.sample(&mut self.pools[pool.0 as usize].burn_in);
            cx.set_timer(now + d, CloudEvent::BurnInDone { node });
            cx.log_node(node, "BurnInStarted", "");
            return;
        }
        if self.zone_out[zone as usize] > 0 {
            self.ext(node).awaiting_zone = true;
            cx.log_node(node, "NodeNotReady", "zone outage");
            return;
        }
        cx.mark_node_ready(node, "");
        self.arm_node_clocks(cx, node);
    }

    /// Starts a ready node's interruption and failure clocks.
    fn arm_node_clocks(&mut self, cx: &mut Context, node: NodeId) {
        let p = cx.cluster().node(node).pool.0 as usize;
        let now = cx.now();
        let f = &cx.scenario().cluster.pool_failures[p];
        if let Some(mean) = f.interruption.as_ref().and_then(|i| i.mean_time_between) {
            let gap = exponential_mean(&mut self.pools[p].interruptions, mean);
            let id = cx.set_timer(now + gap, CloudEvent::InterruptionNotice { node });
            self.ext(node).interrupt = Some(id);
        }
        if let Some(mtbf) = f.mtbf {
            let gap = exponential_mean(&mut self.pools[p].failures, mtbf);
            let id = cx.set_timer(now + gap, CloudEvent::NodeFailure { node });
            self.ext(node).failure = Some(id);
        }
    }

    fn disarm_node_clocks(&mut self, cx: &mut Context, node: NodeId) {
        let ext = self.ext(node);
        let timers = [ext.interrupt.take(), ext.failure.take()];
        for id in timers.into_iter().flatten() {
            cx.cancel_timer(id);
        }
    }

    /// Terminates a node; false if it was gone already.
    fn terminate(&mut self, cx: &mut Context, owners: &mut Controllers, node: NodeId) -> bool {
        if cx.cluster().node(node).state == NodeState::Terminated {
            return false;
        }
        self.disarm_node_clocks(cx, node);
        evict_all(cx, owners, node, "NodeTerminated");
        cx.terminate_node(node);
        true
    }

    /// Rule 4: launches a replacement, or defers it until a zone opens.
    fn replace(&mut self, cx: &mut Context, pool: PoolId, zone: u32, delay: Option<SimDuration>) {
        let Some(zone) = self.open_zone(cx, pool, zone) else {
            self.deferred.push((pool, zone, delay));
            return;
        };
        match delay {
            Some(delay) => Self::launch_node_after(cx, pool, zone, delay),
            None => self.launch_node(cx, pool, zone),
        };
    }

    fn zone_closed(&self, pool: PoolId, zone: u32) -> bool {
        self.zone_out[zone as usize] > 0 || self.unavailable[pool.0 as usize][zone as usize] > 0
    }

    fn open_zone(&self, cx: &Context, pool: PoolId, preferred: u32) -> Option<u32> {
        if !self.zone_closed(pool, preferred) {
            return Some(preferred);
        }
        let cluster = cx.cluster();
        let zones = &cx.scenario().cluster.pools[pool.0 as usize].zones;
        let live_in = |z: u32| {
            cluster
                .node_order()
                .iter()
                .filter(|&&n| {
                    let node = cluster.node(n);
                    node.pool == pool && node.zone == z
                })
                .count()
        };
        zones
            .iter()
            .map(|&z| z as u32)
            .filter(|&z| !self.zone_closed(pool, z))
            .min_by_key(|&z| (live_in(z), z))
    }

    fn retry_deferred(&mut self, cx: &mut Context) {
        for (pool, zone, delay) in std::mem::take(&mut self.deferred) {
            self.replace(cx, pool, zone, delay);
        }
    }
}

/// The failure behaviour of `pool`.
fn failures_of<'a>(cx: &Context<'a>, pool: PoolId) -> &'a PoolFailures {
    &cx.scenario().cluster.pool_failures[pool.0 as usize]
}

/// Evicts every pod of `node`, in pod order: the order of `node.pods` depends on past removals
/// (and on preemption what-ifs), and the order of evictions decides the order pods are queued
/// again.
fn evict_all(cx: &mut Context, owners: &mut Controllers, node: NodeId, reason: &'static str) {
    let mut pods = cx.cluster().node(node).pods.clone();
    pods.sort_unstable();
    for pod in pods {
        // A pod still in its grace period goes for the reason it was told to stop.
        let reason = if cx.cluster().pod(pod).terminating {
            "SpotInterruption"
        } else {
            reason
        };
        evict_pod(cx, owners, pod, reason);
    }
}

/// Rule 5.
fn evict_pod(cx: &mut Context, owners: &mut Controllers, pod: PodId, reason: &'static str) {
    owners.evict(
        cx,
        pod,
        reason,
        "Evicted",
        reason,
        Progress::SinceCheckpoint,
    );
}

fn exponential_mean(rng: &mut SimRng, mean: SimDuration) -> SimDuration {
    exponential_gap(rng, 3600.0 / mean.as_secs_f64().max(1e-3))
}

/// A drawn repair time, or the provisioning delay when the pool gives none.
fn repair_delay(repair: Option<&DurationDist>, rng: &mut SimRng) -> Option<SimDuration> {
    repair.map(|d| d.sample(rng))
}
