//! Measurements taken during a run: time-weighted integrals, counters, samples.
//!
//! The simulation calls [`Metrics::advance`] before it applies the events of each new instant,
//! so every integral is exact: the state is constant between instants.

pub mod summary;
pub mod timeseries;

use std::collections::BTreeMap;

use crate::model::{Cluster, PodId};
use crate::scenario::CapacityType;
use crate::time::{MS_PER_HOUR, SimTime};
use crate::workload::WorkloadState;

pub use timeseries::{Sample, TimeSeries};

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
}

impl Metrics {
    pub fn new(pools: usize, workloads: usize) -> Self {
        Metrics {
            up_node_ms: vec![0; pools],
            live_node_ms: vec![0; pools],
            available_ms: vec![0; workloads],
            first_available: vec![None; workloads],
            ..Default::default()
        }
    }

    /// Accumulates the current state over `[last, to)`.
    pub fn advance(&mut self, to: SimTime, cluster: &Cluster, workloads: &[WorkloadState]) {
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
        if self.price_now.len() == cluster.pools.len() {
            let templates = cluster.templates.len();
            for (p, pool) in cluster.pools.iter().enumerate() {
                let price = self.price_now[p];
                if self.traced_price[p] {
                    self.traced_cost_usd[p] += price * t.live_by_pool[p] as f64 * hours;
                }
                if pool.node.cpu_m == 0 {
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
        }
        self.cpu_util_ms += ratio(t.allocated.cpu_m, t.allocatable.cpu_m) * dt as f64;
        self.memory_util_ms += ratio(t.allocated.memory, t.allocatable.memory) * dt as f64;
        for (i, w) in workloads.iter().enumerate() {
            if w.is_available() == Some(true) {
                self.available_ms[i] += dt;
                self.first_available[i].get_or_insert(self.last);
            }
        }
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

    /// Records the state after an instant's scheduling pass (peaks are taken here).
    pub fn observe_peaks(&mut self, cluster: &Cluster) {
        self.peak_used_nodes = self.peak_used_nodes.max(cluster.totals.used_nodes);
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
