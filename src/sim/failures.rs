//! Losing nodes: spot interruptions (per node, in waves, from a trace), node failures, burn-in,
//! capacity shortages and zone outages; evicting and requeueing pods; replacing nodes.
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
//!    work saved at its last checkpoint; a Deployment pod is replaced by its Deployment.

use rand::RngExt;

use super::{Event, Progress, Simulation};
use crate::dist::{DurationDist, exponential_gap};
use crate::engine::EventId;
use crate::model::{NodeId, NodeState, PodId, PodPhase, PoolId};
use crate::rng::{SimRng, stream};
use crate::scenario::{
    ClusterEvent, ReclaimAmount, ReplacePolicy, Scenario, ShareDist, Taint, TaintEffect,
    WindowTiming,
};
use crate::time::{SimDuration, SimTime};
use crate::workload::WorkloadState;

/// The taint a node gets with its interruption notice.
pub const INTERRUPTED_TAINT: &str = "clustersim.io/interrupted";

/// Run-time state of the failure models.
pub(super) struct FailureState {
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

impl FailureState {
    pub(super) fn new(scenario: &Scenario) -> Self {
        let zones = scenario.cluster.zones.len();
        let pools = scenario
            .cluster
            .pools
            .iter()
            .map(|p| {
                let s = |what: &str| stream(scenario.seed, &format!("pool/{}/{what}", p.name));
                PoolRngs {
                    interruptions: s("interruptions"),
                    waves: s("waves"),
                    failures: s("failures"),
                    repair: s("repair"),
                    burn_in: s("burn_in"),
                    unavailable: s("unavailable"),
                }
            })
            .collect();
        FailureState {
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
}

impl<'a> Simulation<'a> {
    /// Time 0: clocks of the initial nodes, waves, trace rows, windows, outages, prices.
    pub(super) fn start_failures(&mut self) {
        let scenario = self.scenario;
        let pools = &scenario.cluster.pools;
        self.metrics.price_now = pools.iter().map(|p| p.price_per_hour).collect();
        self.metrics.traced_price = scenario
            .cluster
            .pool_failures
            .iter()
            .map(|f| !f.price_trace.is_empty())
            .collect();
        self.metrics.traced_cost_usd = vec![0.0; pools.len()];
        self.metrics.share_cost_usd = vec![0.0; pools.len() * self.cluster.templates.len()];
        let initial: Vec<NodeId> = self.cluster.node_order().to_vec();
        for node in initial {
            self.fail.ext(node).burned_in = true;
            self.arm_node_clocks(node);
        }
        for (p, f) in scenario.cluster.pool_failures.iter().enumerate() {
            let pool = p as u32;
            if let Some(i) = &f.interruption {
                if let Some(w) = &i.waves {
                    let gap = exponential_mean(&mut self.fail.pools[p].waves, w.mean_time_between);
                    self.queue
                        .schedule(SimTime::ZERO + gap, Event::InterruptionWave { pool });
                }
                for (row, r) in i.trace.iter().enumerate() {
                    let row = row as u32;
                    self.queue
                        .schedule(r.time, Event::ReclaimTraceRow { pool, row });
                }
            }
            for (w, u) in f.unavailable.iter().enumerate() {
                let at = match u.when {
                    WindowTiming::At(at) => at,
                    WindowTiming::Random { mean_time_between } => {
                        SimTime::ZERO
                            + exponential_mean(
                                &mut self.fail.pools[p].unavailable,
                                mean_time_between,
                            )
                    }
                };
                let window = w as u32;
                self.queue
                    .schedule(at, Event::UnavailableStart { pool, window });
            }
            for (row, (at, _)) in f.price_trace.iter().enumerate() {
                let row = row as u32;
                self.queue.schedule(*at, Event::PriceStep { pool, row });
            }
        }
        for (e, event) in scenario.events.iter().enumerate() {
            match event {
                ClusterEvent::ZoneOutage { at, .. } => {
                    self.queue
                        .schedule(*at, Event::ZoneOutageStart { event: e as u32 });
                }
                ClusterEvent::RandomZoneOutages {
                    at,
                    mean_time_between,
                    ..
                } => {
                    let gap = exponential_mean(&mut self.fail.zone_outages, *mean_time_between);
                    self.queue
                        .schedule(*at + gap, Event::ZoneOutageStart { event: e as u32 });
                }
            }
        }
    }

    /// Handles the failure events (the others never reach here).
    pub(super) fn on_failure_event(&mut self, now: SimTime, event: Event) {
        match event {
            Event::InterruptionNotice { node } => {
                self.fail.ext(node).interrupt = None;
                self.interruption_notice(now, node);
            }
            Event::NodeTerminate { node } => {
                let pool = self.cluster.node(node).pool;
                let zone = self.cluster.node(node).zone;
                // A node that already went (it failed during its notice) was replaced then.
                if self.terminate(now, node)
                    && self.failures_of(pool).replace == ReplacePolicy::OnTermination
                {
                    self.replace(pool, zone, None);
                }
            }
            Event::PodKill { pod } => {
                // Unless it finished, or went with its node, during the grace period.
                let p = self.cluster.pod(pod);
                if p.terminating && p.phase == PodPhase::Running {
                    self.evict_pod(pod, "SpotInterruption");
                }
            }
            Event::NodeFailure { node } => {
                self.fail.ext(node).failure = None;
                self.node_failure(now, node);
            }
            Event::BurnInDone { node } => self.burn_in_done(now, node),
            Event::InterruptionWave { pool } => self.interruption_wave(now, pool),
            Event::ReclaimTraceRow { pool, row } => {
                let spec = self.failures_of(PoolId(pool)).interruption.as_ref();
                let r = &spec.expect("a trace row has a trace").trace[row as usize];
                let (zone, amount) = (r.zone as u32, r.amount);
                self.reclaim(now, pool, zone, amount);
            }
            Event::UnavailableStart { pool, window } => self.unavailable_start(now, pool, window),
            Event::UnavailableEnd { pool, zone, .. } => {
                self.fail.unavailable[pool as usize][zone as usize] -= 1;
                self.retry_deferred();
            }
            Event::ZoneOutageStart { event } => self.zone_outage_start(now, event),
            Event::ZoneOutageEnd { zone } => self.zone_outage_end(now, zone),
            Event::PriceStep { pool, row } => {
                let price = self.failures_of(PoolId(pool)).price_trace[row as usize].1;
                self.metrics.price_now[pool as usize] = price;
            }
            Event::BatchArrival { .. }
            | Event::TraceArrival { .. }
            | Event::PodFinished { .. }
            | Event::PodReady { .. }
            | Event::NodeReady { .. } => unreachable!("not a failure event: {event:?}"),
        }
    }

    fn failures_of(&self, pool: PoolId) -> &'a crate::scenario::PoolFailures {
        let scenario: &'a Scenario = self.scenario;
        &scenario.cluster.pool_failures[pool.0 as usize]
    }

    /// A provisioning node's delay is over: burn-in first if the pool has one, then ready
    /// (unless its zone is down).
    pub(super) fn on_node_ready(&mut self, now: SimTime, node: NodeId) {
        let pool = self.cluster.node(node).pool;
        let zone = self.cluster.node(node).zone;
        if let Some(b) = &self.failures_of(pool).burn_in
            && !self.fail.ext(node).burned_in
        {
            self.fail.ext(node).burned_in = true;
            let d = b
                .duration
                .sample(&mut self.fail.pools[pool.0 as usize].burn_in);
            self.queue.schedule(now + d, Event::BurnInDone { node });
            self.log_node(node, "BurnInStarted", "");
            return;
        }
        if self.fail.zone_out[zone as usize] > 0 {
            self.fail.ext(node).awaiting_zone = true;
            self.log_node(node, "NodeNotReady", "zone outage");
            return;
        }
        self.cluster.mark_ready(node, now);
        self.dirty = true;
        self.log_node(node, "NodeReady", "");
        self.arm_node_clocks(node);
    }

    fn burn_in_done(&mut self, now: SimTime, node: NodeId) {
        let pool = self.cluster.node(node).pool;
        let p = self
            .failures_of(pool)
            .burn_in
            .as_ref()
            .map_or(0.0, |b| b.failure_probability);
        let u: f64 = self.fail.pools[pool.0 as usize].burn_in.random();
        if u < p {
            self.metrics.burn_in_failures += 1;
            self.log_node(node, "BurnInFailed", "");
            let zone = self.cluster.node(node).zone;
            self.terminate(now, node);
            if self.failures_of(pool).replace != ReplacePolicy::Never {
                self.replace(pool, zone, None);
            }
        } else {
            self.log_node(node, "BurnInPassed", "");
            self.on_node_ready(now, node);
        }
    }

    /// Starts a ready node's interruption and failure clocks.
    fn arm_node_clocks(&mut self, node: NodeId) {
        let p = self.cluster.node(node).pool.0 as usize;
        let now = self.queue.now();
        let f = &self.scenario.cluster.pool_failures[p];
        if let Some(mean) = f.interruption.as_ref().and_then(|i| i.mean_time_between) {
            let gap = exponential_mean(&mut self.fail.pools[p].interruptions, mean);
            let id = self
                .queue
                .schedule(now + gap, Event::InterruptionNotice { node });
            self.fail.ext(node).interrupt = Some(id);
        }
        if let Some(mtbf) = f.mtbf {
            let gap = exponential_mean(&mut self.fail.pools[p].failures, mtbf);
            let id = self.queue.schedule(now + gap, Event::NodeFailure { node });
            self.fail.ext(node).failure = Some(id);
        }
    }

    fn disarm_node_clocks(&mut self, node: NodeId) {
        let ext = self.fail.ext(node);
        let timers = [ext.interrupt.take(), ext.failure.take()];
        for id in timers.into_iter().flatten() {
            self.queue.cancel(id);
        }
    }

    /// Rule 2: taint, drain, evict; terminate when the notice runs out.
    fn interruption_notice(&mut self, now: SimTime, node: NodeId) {
        let state = self.cluster.node(node).state;
        if self.fail.ext(node).noticed
            || matches!(state, NodeState::Terminated | NodeState::Provisioning)
        {
            return;
        }
        self.fail.ext(node).noticed = true;
        self.disarm_node_clocks(node);
        self.metrics.interruption_notices += 1;
        let (pool, zone) = (self.cluster.node(node).pool, self.cluster.node(node).zone);
        let notice = self
            .failures_of(pool)
            .interruption
            .as_ref()
            .map_or(SimDuration::ZERO, |i| i.notice);
        self.cluster.nodes[node.0 as usize]
            .extra_taints
            .push(Taint {
                key: INTERRUPTED_TAINT.to_string(),
                value: String::new(),
                effect: TaintEffect::NoSchedule,
            });
        self.cluster.set_unschedulable(node, NodeState::Draining);
        self.log_node(
            node,
            "InterruptionNotice",
            &format!("terminates in {notice}"),
        );
        self.notify_pods(now, node, notice);
        if self.failures_of(pool).replace == ReplacePolicy::OnNotice {
            self.replace(pool, zone, None);
        }
        self.queue
            .schedule(now + notice, Event::NodeTerminate { node });
    }

    /// Rule 3.
    fn node_failure(&mut self, now: SimTime, node: NodeId) {
        if !self.cluster.node(node).is_up() {
            return;
        }
        self.metrics.node_failures += 1;
        let (pool, zone) = (self.cluster.node(node).pool, self.cluster.node(node).zone);
        self.log_node(node, "NodeFailed", "");
        self.evict_all(node, "NodeFailure");
        self.terminate(now, node);
        let f = self.failures_of(pool);
        if f.replace != ReplacePolicy::Never {
            let repair = f.repair.clone();
            let delay = repair
                .map(|d: DurationDist| d.sample(&mut self.fail.pools[pool.0 as usize].repair));
            self.replace(pool, zone, delay);
        }
    }

    /// Terminates a node; false if it was gone already.
    fn terminate(&mut self, now: SimTime, node: NodeId) -> bool {
        if self.cluster.node(node).state == NodeState::Terminated {
            return false;
        }
        self.disarm_node_clocks(node);
        self.evict_all(node, "NodeTerminated");
        self.cluster.terminate_node(node, now);
        self.dirty = true;
        self.log_node(node, "NodeTerminated", "");
        true
    }

    /// Rule 4: launches a replacement, or defers it until a zone opens.
    fn replace(&mut self, pool: PoolId, zone: u32, delay: Option<SimDuration>) {
        let Some(zone) = self.open_zone(pool, zone) else {
            self.fail.deferred.push((pool, zone, delay));
            return;
        };
        match delay {
            Some(delay) => self.launch_node_after(pool, zone, delay),
            None => self.launch_node(pool, zone),
        };
    }

    fn zone_closed(&self, pool: PoolId, zone: u32) -> bool {
        self.fail.zone_out[zone as usize] > 0
            || self.fail.unavailable[pool.0 as usize][zone as usize] > 0
    }

    fn open_zone(&self, pool: PoolId, preferred: u32) -> Option<u32> {
        if !self.zone_closed(pool, preferred) {
            return Some(preferred);
        }
        let zones = &self.scenario.cluster.pools[pool.0 as usize].zones;
        let live_in = |z: u32| {
            self.cluster
                .node_order()
                .iter()
                .filter(|&&n| {
                    let node = self.cluster.node(n);
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

    fn retry_deferred(&mut self) {
        for (pool, zone, delay) in std::mem::take(&mut self.fail.deferred) {
            self.replace(pool, zone, delay);
        }
    }

    fn interruption_wave(&mut self, now: SimTime, pool: u32) {
        let p = pool as usize;
        let Some(w) = self.scenario.cluster.pool_failures[p]
            .interruption
            .as_ref()
            .and_then(|i| i.waves.as_ref())
        else {
            return;
        };
        let rng = &mut self.fail.pools[p].waves;
        let gap = exponential_mean(rng, w.mean_time_between);
        let zones = &self.scenario.cluster.pools[p].zones;
        let zone = zones[rng.random_range(0..zones.len())] as u32;
        let share = match w.share {
            ShareDist::Fixed(s) => s,
            ShareDist::Uniform { min, max } => min + (max - min) * rng.random::<f64>(),
        };
        self.queue
            .schedule(now + gap, Event::InterruptionWave { pool });
        self.reclaim(now, pool, zone, ReclaimAmount::Share(share));
    }

    /// Interrupts `amount` of the pool's ready nodes in `zone`, chosen by the pool's wave stream.
    fn reclaim(&mut self, now: SimTime, pool: u32, zone: u32, amount: ReclaimAmount) {
        self.metrics.interruption_waves += 1;
        let mut candidates: Vec<NodeId> = self
            .cluster
            .node_order()
            .iter()
            .copied()
            .filter(|&n| {
                let node = self.cluster.node(n);
                node.pool.0 == pool && node.zone == zone && node.state == NodeState::Ready
            })
            .collect();
        let k = match amount {
            ReclaimAmount::Count(n) => n as usize,
            ReclaimAmount::Share(s) => (s * candidates.len() as f64).round() as usize,
        }
        .min(candidates.len());
        let rng = &mut self.fail.pools[pool as usize].waves;
        for i in 0..k {
            let j = rng.random_range(i..candidates.len());
            candidates.swap(i, j);
        }
        let mut chosen = candidates[..k].to_vec();
        chosen.sort_unstable();
        self.log_wave(pool, zone, k);
        for node in chosen {
            self.interruption_notice(now, node);
        }
    }

    fn log_wave(&mut self, pool: u32, zone: u32, k: usize) {
        if let Some(sink) = self.events.as_deref_mut() {
            let name = &self.scenario.cluster.pools[pool as usize].name;
            let message = format!(
                "{k} nodes reclaimed in {}",
                self.scenario.cluster.zones[zone as usize]
            );
            sink.record(&super::EventRecord {
                time_ms: self.queue.now().0,
                object: "pool",
                name,
                event: "InterruptionWave",
                node: "",
                message: &message,
            });
        }
    }

    fn unavailable_start(&mut self, now: SimTime, pool: u32, window: u32) {
        let p = pool as usize;
        let spec = &self.scenario.cluster.pool_failures[p].unavailable[window as usize];
        let zones: Vec<u32> = match spec.zone {
            Some(z) => vec![z as u32],
            None => self.scenario.cluster.pools[p]
                .zones
                .iter()
                .map(|&z| z as u32)
                .collect(),
        };
        let rng = &mut self.fail.pools[p].unavailable;
        let length = spec.duration.sample(rng);
        if let WindowTiming::Random { mean_time_between } = spec.when {
            let gap = exponential_mean(rng, mean_time_between);
            self.queue
                .schedule(now + gap, Event::UnavailableStart { pool, window });
        }
        for zone in zones {
            self.fail.unavailable[p][zone as usize] += 1;
            self.queue
                .schedule(now + length, Event::UnavailableEnd { pool, window, zone });
        }
    }

    /// A scheduled outage starts, or the next random one strikes (and the one after is drawn).
    fn zone_outage_start(&mut self, now: SimTime, event: u32) {
        let (zone, duration) = match &self.scenario.events[event as usize] {
            ClusterEvent::ZoneOutage { zone, duration, .. } => (*zone, *duration),
            ClusterEvent::RandomZoneOutages {
                mean_time_between,
                duration,
                zones,
                ..
            } => {
                let rng = &mut self.fail.zone_outages;
                let gap = exponential_mean(rng, *mean_time_between);
                self.queue
                    .schedule(now + gap, Event::ZoneOutageStart { event });
                if zones.is_empty() {
                    return;
                }
                let zone = zones[rng.random_range(0..zones.len())];
                (zone, duration.sample(rng))
            }
        };
        self.fail.zone_out[zone] += 1;
        let zone = zone as u32;
        self.queue
            .schedule(now + duration, Event::ZoneOutageEnd { zone });
        let down: Vec<NodeId> = self
            .cluster
            .node_order()
            .iter()
            .copied()
            .filter(|&n| self.cluster.node(n).zone == zone && self.cluster.node(n).is_up())
            .collect();
        for node in down {
            self.disarm_node_clocks(node);
            self.evict_all(node, "ZoneOutage");
            self.cluster.set_not_ready(node);
            self.log_node(node, "NodeNotReady", "zone outage");
        }
        self.dirty = true;
    }

    fn zone_outage_end(&mut self, now: SimTime, zone: u32) {
        self.fail.zone_out[zone as usize] -= 1;
        if self.fail.zone_out[zone as usize] > 0 {
            return;
        }
        let back: Vec<NodeId> = self
            .cluster
            .node_order()
            .iter()
            .copied()
            .filter(|&n| self.cluster.node(n).zone == zone)
            .collect();
        for node in back {
            let state = self.cluster.node(node).state;
            let waiting = std::mem::take(&mut self.fail.ext(node).awaiting_zone);
            // A node under an interruption notice stays down: it terminates when the notice
            // runs out, and its replacement is already accounted for.
            if self.fail.ext(node).noticed {
                continue;
            }
            if state == NodeState::NotReady || (state == NodeState::Provisioning && waiting) {
                self.cluster.mark_ready(node, now);
                self.log_node(node, "NodeReady", "zone recovered");
                self.arm_node_clocks(node);
            }
        }
        self.dirty = true;
        self.retry_deferred();
    }

    /// An interruption notice reaches the node's pods. A Deployment pod is deleted at once: its
    /// ReplicaSet starts a replacement straight away, as Kubernetes does for a terminating pod.
    /// A batch pod gets SIGTERM and runs out its termination grace period (cut short by the
    /// notice), so it may reach one more checkpoint; then it is evicted and queued again.
    fn notify_pods(&mut self, now: SimTime, node: NodeId, notice: SimDuration) {
        let mut pods = self.cluster.node(node).pods.clone();
        pods.sort_unstable();
        for pod in pods {
            let p = self.cluster.pod(pod);
            let grace = self
                .cluster
                .template(p.template)
                .termination_grace_period
                .min(notice);
            let deployment = matches!(
                self.workloads[p.workload as usize],
                WorkloadState::Deployment { .. }
            );
            if deployment || grace == SimDuration::ZERO {
                self.evict_pod(pod, "SpotInterruption");
            } else {
                self.cluster.pod_mut(pod).terminating = true;
                self.queue.schedule(now + grace, Event::PodKill { pod });
            }
        }
    }

    fn evict_all(&mut self, node: NodeId, reason: &'static str) {
        // By pod id: the order of `node.pods` depends on past removals (and on preemption
        // what-ifs), and the order of evictions decides the order pods are queued again.
        let mut pods = self.cluster.node(node).pods.clone();
        pods.sort_unstable();
        for pod in pods {
            // A pod still in its grace period goes for the reason it was told to stop.
            let reason = if self.cluster.pod(pod).terminating {
                "SpotInterruption"
            } else {
                reason
            };
            self.evict_pod(pod, reason);
        }
    }

    /// Rule 5.
    fn evict_pod(&mut self, pod: PodId, reason: &'static str) {
        self.metrics.count_eviction(reason);
        let w = self.cluster.pod(pod).workload as usize;
        if matches!(self.workloads[w], WorkloadState::Deployment { .. }) {
            self.end_pod(pod, PodPhase::Evicted, "Evicted", reason);
        } else {
            self.requeue(pod, Progress::SinceCheckpoint, "Evicted", reason);
        }
    }

    /// Counts the work of a batch pod that just completed: its remaining run time (the
    /// progress it kept through earlier evictions was counted by [`Simulation::requeue`]).
    pub(super) fn note_completed_work(&mut self, pod: PodId) {
        let p = self.cluster.pod(pod);
        if let Some(run) = p.run_time {
            self.metrics.useful_cpu_m_ms += p.requests.cpu_m as u128 * run.0 as u128;
        }
    }
}

fn exponential_mean(rng: &mut SimRng, mean: SimDuration) -> SimDuration {
    exponential_gap(rng, 3600.0 / mean.as_secs_f64().max(1e-3))
}
