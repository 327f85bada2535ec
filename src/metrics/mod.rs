//! Measurements taken during a run: time-weighted integrals, counters, samples.
//!
//! The simulation calls [`Metrics::advance`] before it applies the events of each new instant,
//! so every integral is exact: the state is constant between instants.

pub mod controllers;
pub mod markers;
pub mod serving;
pub mod summary;
pub mod timeseries;

use std::collections::BTreeMap;

use crate::model::{CapacityType, Cluster, PodId};
use crate::scenario::Scenario;
use crate::time::{MS_PER_HOUR, SimDuration, SimTime};

pub use serving::Serving;
pub use timeseries::{DeploymentSample, Sample, TimeSeries};

/// Counters and integrals of one run.
#[derive(Clone, Debug, Default)]
pub struct Metrics {
    /// Time up to which the integrals are accumulated.
    pub last: SimTime,
    pub events_processed: u64,
    pub pods_submitted: u64,
    /// Pods bound at least once (`pods.scheduled`); re-bindings after an eviction or a
    /// preemption are counted in `rescheduling.bindings` instead.
    pub pods_scheduled: u64,
    pub pods_completed: u64,
    pub pods_evicted: u64,
    /// Time from submission to first binding of each scheduled pod, in ms, in binding order
    /// (see [`Metrics::record_first_wait`]).
    pub waits_ms: Vec<u64>,
    /// The pod of each entry of `waits_ms`.
    pub wait_pods: Vec<PodId>,
    /// Time from requeue (eviction, preemption) to binding again, in ms, per re-binding.
    pub rescheduling_waits_ms: Vec<u64>,
    /// ∫ up nodes dt per pool, in node·ms.
    pub up_node_ms: Vec<u128>,
    /// ∫ launched-and-not-terminated nodes dt per pool (what is billed), in node·ms.
    pub live_node_ms: Vec<u128>,
    /// ∫ allocated/allocatable dt, in ms.
    pub cpu_util_ms: f64,
    pub memory_util_ms: f64,
    pub gpu_util_ms: f64,
    /// ∫ milli-GPU on partly used devices / allocatable milli-GPU dt, in ms.
    pub gpu_fragment_ms: f64,
    pub peak_used_nodes: u32,
    /// Per workload: ms during which a Deployment had ready ≥ desired (0 for others).
    pub available_ms: Vec<u64>,
    /// Per workload: when a Deployment first had ready ≥ desired over a stretch of time
    /// (`None`: never, and always for other kinds).
    pub first_available: Vec<Option<SimTime>>,
    /// Evicted pods by reason (`SpotInterruption`, `Preempted`, ...; see
    /// `summary::EVICTION_REASONS`), counted by [`Metrics::count_eviction`].
    pub evicted_by_reason: BTreeMap<&'static str, u64>,
    pub interruption_notices: u64,
    pub interruption_waves: u64,
    pub node_failures: u64,
    pub burn_in_failures: u64,
    /// Batch work lost to evictions (progress since the last checkpoint), in cpu-millicore·ms.
    pub lost_cpu_m_ms: u128,
    /// Batch work kept: completed runs and checkpointed progress, in cpu-millicore·ms.
    pub useful_cpu_m_ms: u128,
    /// Current price per hour of each pool (changes with a price trace).
    pub price_now: Vec<f64>,
    /// Pools billed from `price_now` over time (they have a price trace) rather than at a fixed
    /// price.
    pub traced_price: Vec<bool>,
    /// ∫ price × live nodes dt per pool, in USD (used for pools with a price trace).
    pub traced_cost_usd: Vec<f64>,
    /// Cost shared out to pods per pool and template (`pool * templates + template`), in USD:
    /// ∫ price × (requested cpu / node cpu) dt.
    pub share_cost_usd: Vec<f64>,
    /// Cpu requested by crash-looping pods now, in millicores, and its integral.
    pub crashloop_cpu_m: u64,
    pub crashloop_cpu_m_ms: u128,
    /// What happened when, for the timeline's markers.
    pub markers: markers::Markers,
    /// Served load of each Deployment with a `load`, by workload index.
    pub serving: Vec<Option<Serving>>,
    /// Per workload: the fewest ready pods since the Deployment first had all its replicas
    /// ready, and when that first happened.
    pub min_ready: Vec<Option<u32>>,
    pub converged_at: Vec<Option<SimTime>>,
    /// Container restarts per workload.
    pub restarts: Vec<u64>,
    /// Rollouts per workload.
    pub rollouts: Vec<RolloutCounts>,
    pub disruption: DisruptionCounts,
    /// Node-pool upgrades per pool.
    pub upgrades: Vec<UpgradeCounts>,
    /// Age of the data ready pods serve, per workload.
    pub data_age: Vec<DataAge>,
    /// What the node autoscaler did.
    pub autoscaler: AutoscalerCounts,
    /// Per Deployment: ready pods and desired replicas, and since when the integrals above
    /// are up to date. Those integrals change only with readiness, so they are brought up to
    /// date when it changes (and at the end), never per instant.
    tracks: Vec<Option<Track>>,
    /// Deployments whose ready count changed in this instant (checked for lows after it).
    touched: Vec<usize>,
}

#[derive(Clone, Debug)]
struct Track {
    replicas: u32,
    ready: u32,
    since: SimTime,
    touched: bool,
    /// ∫ desired replicas dt, in replica·ms; the most desired replicas; rescales.
    replica_ms: u128,
    replicas_max: u32,
    scale_events: u64,
}

/// The node autoscaler's decisions.
#[derive(Clone, Debug, Default)]
pub struct AutoscalerCounts {
    /// Scale-up decisions (each grows one group by one or more nodes).
    pub scale_ups: u64,
    /// Nodes removed by scale-down.
    pub scale_downs: u64,
    pub nodes_launched: u64,
    /// Launches that found no capacity, and nodes never ready within the provision time.
    pub launch_failures: u64,
}

/// Desired replicas of an autoscaled Deployment over the run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ReplicaStats {
    pub mean: f64,
    pub max: u32,
    pub scale_events: u64,
}

/// The age of the data a Deployment's ready pods serve: with R ready pods whose data versions
/// sum to S, the summed age at t is R·t − S, integrated exactly between instants.
#[derive(Clone, Debug, Default)]
pub struct DataAge {
    ready: u32,
    /// Σ data versions of the ready pods, in seconds.
    versions_s: f64,
    /// ∫ Σ age dt (pod·s²) and ∫ R dt (pod·s).
    age_integral: f64,
    ready_integral: f64,
}

impl DataAge {
    fn advance(&mut self, a: f64, b: f64) {
        let r = self.ready as f64;
        self.age_integral += r * (b * b - a * a) / 2.0 - self.versions_s * (b - a);
        self.ready_integral += r * (b - a);
    }

    /// Mean age of the data served by a ready pod, over the run (`None` if none was ready).
    pub fn mean_s(&self) -> Option<f64> {
        (self.ready_integral > 0.0).then(|| self.age_integral / self.ready_integral)
    }
}

/// What happened to a Deployment's rollouts.
#[derive(Clone, Debug, Default)]
pub struct RolloutCounts {
    pub started: u64,
    pub completed: u64,
    /// Marked ProgressDeadlineExceeded.
    pub failed: u64,
    pub rolled_back: u64,
    /// A newer rollout took over before this one completed.
    pub superseded: u64,
    /// Start to completion of each completed rollout, in ms.
    pub durations_ms: Vec<u64>,
}

/// Evictions through the eviction API.
#[derive(Clone, Debug, Default)]
pub struct DisruptionCounts {
    /// Granted evictions (voluntary: drains, upgrades).
    pub evictions: u64,
    /// Evictions the API refused because a PodDisruptionBudget allowed no disruption.
    pub refused_by_pdb: u64,
    /// Evictions forced past a budget when a drain timed out.
    pub forced: u64,
}

/// A pool's upgrades.
#[derive(Clone, Debug, Default)]
pub struct UpgradeCounts {
    pub started: u64,
    pub completed: u64,
    pub nodes_replaced: u64,
    /// Start to completion of each completed upgrade, in ms.
    pub durations_ms: Vec<u64>,
}

/// Something that happened and is counted, reported by the component it happened in.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Observation {
    InterruptionNotice,
    /// A correlated reclaim (a wave or a reclaim-trace row).
    InterruptionWave,
    NodeFailure,
    BurnInFailure,
    /// A pool's price per hour changes (a price-trace row).
    PriceChange {
        pool: usize,
        price: f64,
    },
    RolloutStarted {
        workload: usize,
    },
    RolloutCompleted {
        workload: usize,
        duration_ms: u64,
    },
    /// ProgressDeadlineExceeded.
    RolloutFailed {
        workload: usize,
    },
    /// A rollout undone (`kubectl rollout undo`, or at its deadline with `rollback`).
    RolledBack {
        workload: usize,
    },
    /// A newer rollout took over.
    RolloutSuperseded {
        workload: usize,
    },
    /// The eviction API granted a voluntary eviction.
    EvictionGranted,
    /// The eviction API refused one: the budget allowed no disruption.
    EvictionRefused,
    /// A drain evicted past a budget at its timeout.
    EvictionForced,
    UpgradeStarted {
        pool: usize,
    },
    /// An upgrade deleted one of the pool's old nodes.
    NodeUpgraded {
        pool: usize,
    },
    UpgradeCompleted {
        pool: usize,
        duration_ms: u64,
    },
    ContainerRestart {
        workload: usize,
    },
    /// The Cluster Autoscaler grew a node group by `nodes`.
    AutoscalerScaleUp {
        nodes: u32,
    },
    /// The Cluster Autoscaler removed a node.
    AutoscalerNodeRemoved,
    /// A node group could not launch, or a node it launched never became ready.
    AutoscalerLaunchFailure,
    /// An autoscaler set a Deployment's desired replicas.
    Rescaled {
        workload: usize,
        replicas: u32,
    },
}

impl Metrics {
    /// Empty measurements for `scenario`, whose cluster has `templates` pod templates.
    pub fn new(scenario: &Scenario, templates: usize) -> Self {
        let pools = &scenario.cluster.pools;
        Metrics {
            up_node_ms: vec![0; pools.len()],
            live_node_ms: vec![0; pools.len()],
            available_ms: vec![0; scenario.workloads.len()],
            serving: scenario
                .workloads
                .iter()
                .map(|w| match &w.kind {
                    crate::scenario::WorkloadKind::Deployment(d) => {
                        d.load.as_ref().map(Serving::new)
                    }
                    _ => None,
                })
                .collect(),
            min_ready: vec![None; scenario.workloads.len()],
            converged_at: vec![None; scenario.workloads.len()],
            restarts: vec![0; scenario.workloads.len()],
            rollouts: vec![RolloutCounts::default(); scenario.workloads.len()],
            upgrades: vec![UpgradeCounts::default(); pools.len()],
            data_age: vec![DataAge::default(); scenario.workloads.len()],
            tracks: scenario
                .workloads
                .iter()
                .map(|w| match &w.kind {
                    crate::scenario::WorkloadKind::Deployment(d) => Some(Track {
                        replicas: d.replicas,
                        ready: 0,
                        since: SimTime::ZERO,
                        touched: true,
                        replica_ms: 0,
                        replicas_max: d.replicas,
                        scale_events: 0,
                    }),
                    _ => None,
                })
                .collect(),
            // Every Deployment is looked at after time 0 (one of 0 replicas has converged).
            touched: scenario
                .workloads
                .iter()
                .enumerate()
                .filter(|(_, w)| matches!(w.kind, crate::scenario::WorkloadKind::Deployment(_)))
                .map(|(i, _)| i)
                .collect(),
            price_now: pools.iter().map(|p| p.price_per_hour).collect(),
            traced_price: scenario
                .cluster
                .pool_failures
                .iter()
                .map(|f| !f.price_trace.is_empty())
                .collect(),
            traced_cost_usd: vec![0.0; pools.len()],
            share_cost_usd: vec![0.0; pools.len() * templates],
            first_available: vec![None; scenario.workloads.len()],
            ..Default::default()
        }
    }

    /// A pod was bound after waiting `wait_ms`: its first binding measures how long it waited
    /// to start; a requeued pod's later bindings measure how long an eviction or preemption
    /// kept it off a node.
    pub fn note_bound(&mut self, pod: PodId, wait_ms: u64, requeues: u32) {
        if requeues == 0 {
            self.record_first_wait(pod, wait_ms);
        } else {
            self.rescheduling_waits_ms.push(wait_ms);
        }
    }

    /// A pod of `workload` serving data of `version` became ready (or stopped being ready)
    /// at `now`.
    pub fn note_readiness(&mut self, workload: usize, version: SimTime, ready: bool, now: SimTime) {
        self.flush(workload, now);
        let d = &mut self.data_age[workload];
        if ready {
            d.ready += 1;
            d.versions_s += version.as_secs_f64();
        } else {
            d.ready -= 1;
            d.versions_s -= version.as_secs_f64();
        }
        if let Some(t) = self.tracks[workload].as_mut() {
            if ready {
                t.ready += 1;
            } else {
                t.ready -= 1;
            }
            if !t.touched {
                t.touched = true;
                self.touched.push(workload);
            }
        }
    }

    /// Brings Deployment `w`'s integrals (availability, served load, data age) up to `now`.
    fn flush(&mut self, w: usize, now: SimTime) {
        let Some(t) = self.tracks[w].as_mut() else {
            return;
        };
        if now <= t.since {
            return;
        }
        let (from, ready) = (t.since, t.ready);
        t.replica_ms += u128::from(t.replicas) * u128::from(now.since(from).0);
        if ready >= t.replicas {
            self.available_ms[w] += now.since(from).0;
            self.first_available[w].get_or_insert(from);
        }
        t.since = now;
        if ready > 0 {
            self.data_age[w].advance(from.as_secs_f64(), now.as_secs_f64());
        }
        if let Some(s) = self.serving[w].as_mut() {
            s.advance(from, now, ready);
        }
    }

    /// Brings every Deployment's integrals up to `now` (before the summary is read).
    pub fn flush_all(&mut self, now: SimTime) {
        for w in 0..self.tracks.len() {
            self.flush(w, now);
        }
    }

    /// Counts what a component reported.
    pub fn observe(&mut self, what: Observation) {
        match what {
            Observation::InterruptionNotice => self.interruption_notices += 1,
            Observation::InterruptionWave => self.interruption_waves += 1,
            Observation::NodeFailure => self.node_failures += 1,
            Observation::BurnInFailure => self.burn_in_failures += 1,
            Observation::PriceChange { pool, price } => self.price_now[pool] = price,
            Observation::RolloutStarted { workload } => self.rollouts[workload].started += 1,
            Observation::RolloutCompleted {
                workload,
                duration_ms,
            } => {
                let r = &mut self.rollouts[workload];
                r.completed += 1;
                r.durations_ms.push(duration_ms);
            }
            Observation::RolloutFailed { workload } => self.rollouts[workload].failed += 1,
            Observation::RolledBack { workload } => self.rollouts[workload].rolled_back += 1,
            Observation::RolloutSuperseded { workload } => self.rollouts[workload].superseded += 1,
            Observation::EvictionGranted => self.disruption.evictions += 1,
            Observation::EvictionRefused => self.disruption.refused_by_pdb += 1,
            Observation::EvictionForced => self.disruption.forced += 1,
            Observation::UpgradeStarted { pool } => self.upgrades[pool].started += 1,
            Observation::NodeUpgraded { pool } => self.upgrades[pool].nodes_replaced += 1,
            Observation::UpgradeCompleted { pool, duration_ms } => {
                let u = &mut self.upgrades[pool];
                u.completed += 1;
                u.durations_ms.push(duration_ms);
            }
            Observation::ContainerRestart { workload } => self.restarts[workload] += 1,
            Observation::AutoscalerScaleUp { nodes } => {
                self.autoscaler.scale_ups += 1;
                self.autoscaler.nodes_launched += u64::from(nodes);
            }
            Observation::AutoscalerNodeRemoved => self.autoscaler.scale_downs += 1,
            Observation::AutoscalerLaunchFailure => self.autoscaler.launch_failures += 1,
            Observation::Rescaled { workload, replicas } => {
                let now = self.last;
                self.flush(workload, now);
                if let Some(t) = self.tracks[workload].as_mut() {
                    t.replicas = replicas;
                    t.replicas_max = t.replicas_max.max(replicas);
                    t.scale_events += 1;
                    if !t.touched {
                        t.touched = true;
                        self.touched.push(workload);
                    }
                }
            }
        }
    }

    /// Desired replicas of Deployment `w` over `[0, end)` (call after [`Metrics::flush_all`]).
    pub fn replica_stats(&self, w: usize, end: SimTime) -> Option<ReplicaStats> {
        let t = self.tracks.get(w)?.as_ref()?;
        let mean = if end.0 == 0 {
            f64::from(t.replicas)
        } else {
            t.replica_ms as f64 / end.0 as f64
        };
        Some(ReplicaStats {
            mean,
            max: t.replicas_max,
            scale_events: t.scale_events,
        })
    }

    /// Desired replicas of Deployment `w` now.
    pub fn replicas_now(&self, w: usize) -> Option<u32> {
        Some(self.tracks.get(w)?.as_ref()?.replicas)
    }

    /// A batch pod requesting `cpu_m` completed with `remaining` run time left to count (the
    /// progress it kept through earlier evictions was counted by [`Metrics::note_interrupted`]),
    /// so a pod that completes adds exactly its full run time to the useful work, however often
    /// it was evicted.
    pub fn note_completed(&mut self, cpu_m: u64, remaining: Option<SimDuration>) {
        if let Some(run) = remaining {
            self.useful_cpu_m_ms += cpu_m as u128 * run.0 as u128;
        }
    }

    /// A batch pod requesting `cpu_m` was evicted after running `elapsed`, of which it keeps
    /// `saved`: the rest is lost work.
    pub fn note_interrupted(&mut self, cpu_m: u64, elapsed: SimDuration, saved: SimDuration) {
        let cpu_m = cpu_m as u128;
        self.lost_cpu_m_ms += cpu_m * elapsed.0.saturating_sub(saved.0) as u128;
        self.useful_cpu_m_ms += cpu_m * saved.0 as u128;
    }

    /// Accumulates the current state over `[last, to)`.
    pub fn advance(&mut self, to: SimTime, cluster: &Cluster) {
        let dt = to.since(self.last).0;
        if dt == 0 {
            return;
        }
        let t = &cluster.totals;
        for (i, (&up, &live)) in t.up_by_pool.iter().zip(&t.live_by_pool).enumerate() {
            self.up_node_ms[i] += up as u128 * dt as u128;
            self.live_node_ms[i] += live as u128 * dt as u128;
        }
        let hours = dt as f64 / MS_PER_HOUR as f64;
        let templates = cluster.templates.len();
        for (p, pool) in cluster.pools.iter().enumerate() {
            let price = self.price_now[p];
            if self.traced_price[p] {
                self.traced_cost_usd[p] += price * t.live_by_pool[p] as f64 * hours;
            }
            // A pool without live nodes has no pods and nothing to share out.
            if pool.node.cpu_m == 0 || t.live_by_pool[p] == 0 {
                continue;
            }
            let per_cpu_m = price * hours / pool.node.cpu_m as f64;
            let allocated = &t.allocated_cpu_by_pool_template[p * templates..][..templates];
            for (i, &cpu_m) in allocated.iter().enumerate() {
                if cpu_m > 0 {
                    self.share_cost_usd[p * templates + i] += cpu_m as f64 * per_cpu_m;
                }
            }
        }
        self.cpu_util_ms += ratio(t.allocated.cpu_m, t.allocatable.cpu_m) * dt as f64;
        self.memory_util_ms += ratio(t.allocated.memory, t.allocatable.memory) * dt as f64;
        if t.allocatable.gpu > 0 {
            self.gpu_util_ms += ratio(t.allocated.gpu, t.allocatable.gpu) * dt as f64;
            self.gpu_fragment_ms += ratio(t.gpu_fragment, t.allocatable.gpu) * dt as f64;
        }
        self.crashloop_cpu_m_ms += self.crashloop_cpu_m as u128 * dt as u128;
        self.last = to;
    }

    /// Records a pod's first binding, `wait_ms` after it was submitted (`pods.scheduled` and
    /// `pending_time_s`). Later bindings of a requeued pod go to `rescheduling_waits_ms`.
    pub fn record_first_wait(&mut self, pod: PodId, wait_ms: u64) {
        self.waits_ms.push(wait_ms);
        self.wait_pods.push(pod);
        self.pods_scheduled += 1;
    }

    /// Counts one eviction (in `pods_evicted` and under `reason`). Every eviction goes through
    /// here, whether the pod ends or goes back to the pending queue.
    pub fn count_eviction(&mut self, reason: &'static str) {
        self.pods_evicted += 1;
        *self.evicted_by_reason.entry(reason).or_default() += 1;
    }

    /// Records the state after an instant's scheduling pass (peaks and lows are taken here).
    pub fn observe_peaks(&mut self, cluster: &Cluster) {
        self.peak_used_nodes = self.peak_used_nodes.max(cluster.totals.used_nodes);
        for w in std::mem::take(&mut self.touched) {
            let Some(t) = self.tracks[w].as_mut() else {
                continue;
            };
            t.touched = false;
            let (ready, replicas) = (t.ready, t.replicas);
            if self.converged_at[w].is_none() && ready >= replicas {
                self.converged_at[w] = Some(self.last);
            }
            if self.converged_at[w].is_some() {
                let low = self.min_ready[w].get_or_insert(ready);
                *low = (*low).min(ready);
            }
        }
    }

    /// Cost so far, per pool, in USD: non-reserved pools pay for launched node time; a reserved
    /// pool pays for its full `count` from time 0, used or not.
    pub fn cost_by_pool(&self, cluster: &Cluster) -> Vec<f64> {
        cluster
            .pools
            .iter()
            .enumerate()
            .map(|(i, pool)| {
                let node_ms = match pool.capacity_type {
                    CapacityType::Reserved => pool.count as u128 * self.last.0 as u128,
                    _ if self.traced_price.get(i) == Some(&true) => {
                        return self.traced_cost_usd[i];
                    }
                    _ => self.live_node_ms[i],
                };
                pool.price_per_hour * (node_ms as f64 / MS_PER_HOUR as f64)
            })
            .collect()
    }
}

/// `a / b`, or 0 when `b` is 0.
pub fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// Nearest-rank percentile of sorted values: the smallest value with at least `q` of the
/// values at or below it.
pub fn percentile(sorted: &[u64], q: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&v, 0.5), 50);
        assert_eq!(percentile(&v, 0.95), 95);
        assert_eq!(percentile(&v, 0.99), 99);
        assert_eq!(percentile(&v, 1.0), 100);
        assert_eq!(percentile(&[7], 0.5), 7);
        assert_eq!(percentile(&[], 0.5), 0);
    }
}
