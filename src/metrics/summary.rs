//! `summary.json`: the run's headline numbers. Key names are part of the interface: scripts
//! read them, so they never change meaning.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::controllers::DeploymentController;
use crate::metrics::{Metrics, percentile, ratio};
use crate::model::{Cluster, Pod, PodPhase};
use crate::scenario::{CapacityType, PoolFailures, Provenance, Scenario, WorkloadKind};
use crate::time::SimTime;

/// Eviction reasons always reported (as 0 when none happened), so every run has the same keys.
pub const EVICTION_REASONS: [&str; 4] =
    ["SpotInterruption", "NodeFailure", "ZoneOutage", "Preempted"];

/// Builds the summary object. Nested objects give the dotted names, e.g. `pods.submitted`.
///
/// A metric that cannot apply to the scenario is absent rather than 0: `interruptions` without
/// an interruptible pool that launched nodes, `deployments` without a Deployment, `work`
/// without Batch or Trace workloads, waiting-time statistics of a group with no pods.
pub fn build(
    scenario: &Scenario,
    seed: u64,
    metrics: &Metrics,
    cluster: &Cluster,
    deployment_state: &DeploymentController,
) -> Value {
    let sim_ms = metrics.last.0;
    let secs = |ms: u64| ms as f64 / 1000.0;

    let time_mean = |node_ms: u128| {
        if sim_ms == 0 {
            0.0
        } else {
            node_ms as f64 / sim_ms as f64
        }
    };
    let mut ready_by_pool = Map::new();
    for (pool, &ms) in cluster.pools.iter().zip(&metrics.up_node_ms) {
        ready_by_pool.insert(pool.name.clone(), json!(time_mean(ms)));
    }
    let ready_mean: f64 = time_mean(metrics.up_node_ms.iter().sum());

    let costs = metrics.cost_by_pool(cluster);
    let mut by_pool = Map::new();
    let mut by_type = Map::new();
    for ct in CapacityType::ALL {
        by_type.insert(ct.as_str().to_string(), json!(0.0));
    }
    for (pool, &c) in cluster.pools.iter().zip(&costs) {
        by_pool.insert(pool.name.clone(), json!(c));
        let slot = by_type
            .get_mut(pool.capacity_type.as_str())
            .expect("every type present");
        *slot = json!(slot.as_f64().unwrap_or(0.0) + c);
    }
    let total_cost: f64 = costs.iter().sum();

    // Each node's cost is shared out by the cpu its pods request; the rest is idle. Only
    // namespaces that held a pod are listed (a trace workload's template namespace is not,
    // when every row names its own).
    let mut template_used = vec![false; cluster.templates.len()];
    for pod in &cluster.pods {
        template_used[pod.template.0 as usize] = true;
    }
    let mut by_namespace = Map::new();
    let mut namespaces: Vec<&str> = cluster
        .templates
        .iter()
        .zip(&template_used)
        .filter(|(_, used)| **used)
        .map(|(t, _)| t.namespace.as_str())
        .collect();
    namespaces.sort_unstable();
    namespaces.dedup();
    let templates = cluster.templates.len();
    let mut shared = 0.0;
    for ns in namespaces {
        let mut usd = 0.0;
        for (i, t) in cluster.templates.iter().enumerate() {
            if t.namespace == ns {
                for p in 0..cluster.pools.len() {
                    usd += metrics
                        .share_cost_usd
                        .get(p * templates + i)
                        .copied()
                        .unwrap_or(0.0);
                }
            }
        }
        shared += usd;
        by_namespace.insert(ns.to_string(), json!(usd));
    }
    let idle_usd = (total_cost - shared).max(0.0);
    let mut evicted_by_reason = Map::new();
    for reason in EVICTION_REASONS {
        evicted_by_reason.insert(reason.to_string(), json!(0));
    }
    for (reason, n) in &metrics.evicted_by_reason {
        evicted_by_reason.insert(reason.to_string(), json!(n));
    }
    let core_hours = |cpu_m_ms: u128| cpu_m_ms as f64 / 1000.0 / crate::time::MS_PER_HOUR as f64;

    let mut deployments = Map::new();
    for (w, ((spec, &avail_ms), first)) in scenario
        .workloads
        .iter()
        .zip(&metrics.available_ms)
        .zip(&metrics.first_available)
        .enumerate()
    {
        if let (WorkloadKind::Deployment(d), Some(ready)) = (&spec.kind, deployment_state.ready(w))
        {
            let replicas = &d.replicas;
            let ready = &ready;
            deployments.insert(
                spec.name.clone(),
                deployment(*replicas, *ready, avail_ms, *first, sim_ms),
            );
        }
    }

    let util_mean = |integral: f64| {
        if sim_ms == 0 {
            0.0
        } else {
            integral / sim_ms as f64
        }
    };

    let mut out = Map::new();
    out.insert("scenario".into(), json!(scenario.name));
    out.insert("seed".into(), json!(seed));
    out.insert("provenance".into(), provenance(&scenario.provenance));
    out.insert("sim_time_s".into(), json!(secs(sim_ms)));
    out.insert("events_processed".into(), json!(metrics.events_processed));
    out.insert(
        "pods".into(),
        json!({
            "submitted": metrics.pods_submitted,
            "scheduled": metrics.pods_scheduled,
            "completed": metrics.pods_completed,
            "evicted": metrics.pods_evicted,
            "evicted_by_reason": evicted_by_reason,
            "running_at_end": cluster.totals.running_pods,
            "pending_at_end": cluster.totals.pending_pods,
        }),
    );
    let waits = Waits::collect(scenario, metrics, cluster);
    let rescheduling = waits.rescheduling();
    out.insert("pending_time_s".into(), waits.pending_time());
    out.insert("rescheduling".into(), rescheduling);

    let launched = |pool: usize| cluster.nodes.iter().any(|n| n.pool.0 as usize == pool);
    let failures = &scenario.cluster.pool_failures;
    let pools_with = |has: &dyn Fn(&PoolFailures) -> bool| {
        failures
            .iter()
            .enumerate()
            .any(|(i, f)| has(f) && launched(i))
    };
    let mut nodes = Map::new();
    nodes.insert("ready_mean".into(), json!(ready_mean));
    nodes.insert("ready_mean_by_pool".into(), Value::Object(ready_by_pool));
    nodes.insert("peak_used".into(), json!(metrics.peak_used_nodes));
    nodes.insert("launched".into(), json!(cluster.nodes.len()));
    if pools_with(&|f| f.mtbf.is_some()) {
        nodes.insert("failures".into(), json!(metrics.node_failures));
    }
    if pools_with(&|f| f.burn_in.is_some()) {
        nodes.insert("burn_in_failures".into(), json!(metrics.burn_in_failures));
    }
    out.insert("nodes".into(), Value::Object(nodes));
    if pools_with(&|f| f.interruption.is_some()) {
        let mut interruptions = Map::new();
        interruptions.insert("notices".into(), json!(metrics.interruption_notices));
        let waves = |f: &PoolFailures| {
            f.interruption
                .as_ref()
                .is_some_and(|i| i.waves.is_some() || !i.trace.is_empty())
        };
        if pools_with(&waves) {
            interruptions.insert("waves".into(), json!(metrics.interruption_waves));
        }
        out.insert("interruptions".into(), Value::Object(interruptions));
    }
    if scenario
        .workloads
        .iter()
        .any(|w| !matches!(w.kind, WorkloadKind::Deployment { .. }))
    {
        out.insert(
            "work".into(),
            json!({
                "lost_core_hours": core_hours(metrics.lost_cpu_m_ms),
                "useful_core_hours": core_hours(metrics.useful_cpu_m_ms),
            }),
        );
    }
    let mut utilization = json!({
        "cpu_mean": util_mean(metrics.cpu_util_ms),
        "memory_mean": util_mean(metrics.memory_util_ms),
    });
    // GPU figures only where some pool has GPUs (absent, not zero, elsewhere).
    if scenario.cluster.pools.iter().any(|p| p.node.gpu > 0) {
        utilization["gpu_mean"] = json!(util_mean(metrics.gpu_util_ms));
        utilization["gpu_fragmented_mean"] = json!(util_mean(metrics.gpu_fragment_ms));
    }
    out.insert("utilization".into(), utilization);
    let mut cost = Map::new();
    cost.insert("total_usd".into(), json!(total_cost));
    cost.insert("by_pool".into(), Value::Object(by_pool));
    cost.insert("by_capacity_type".into(), Value::Object(by_type));
    if metrics.pods_completed > 0 {
        cost.insert(
            "per_completed_pod_usd".into(),
            json!(total_cost / metrics.pods_completed as f64),
        );
    }
    cost.insert("by_namespace".into(), Value::Object(by_namespace));
    cost.insert("idle_usd".into(), json!(idle_usd));
    out.insert("cost".into(), Value::Object(cost));
    if !deployments.is_empty() {
        out.insert("deployments".into(), Value::Object(deployments));
    }
    Value::Object(out)
}

/// `provenance`: the clustersim version, the variant and its overrides, the command line's
/// `--set` overrides, and each input file with its 64-bit FNV-1a hash (16 hex digits).
fn provenance(p: &Provenance) -> Value {
    let mut m = Map::new();
    m.insert(
        "clustersim_version".into(),
        json!(env!("CARGO_PKG_VERSION")),
    );
    if let Some(v) = &p.variant {
        m.insert("variant".into(), json!(v));
        m.insert("variant_set".into(), json!(p.variant_set));
    }
    m.insert("set".into(), json!(p.set));
    let inputs: Vec<Value> = p
        .inputs
        .iter()
        .map(|(file, hash)| json!({ "file": file, "fnv1a64": format!("{hash:016x}") }))
        .collect();
    m.insert("inputs".into(), Value::Array(inputs));
    Value::Object(m)
}

/// One Deployment's entry: `availability` over the whole run (start-up included), and, once
/// every replica was first ready, `converged_s` and `availability_after_first_ready` over the
/// rest of the run (start-up excluded; a later outage still counts).
fn deployment(
    replicas: u32,
    ready: u32,
    available_ms: u64,
    first: Option<SimTime>,
    sim_ms: u64,
) -> Value {
    let mut d = Map::new();
    // A run of zero length has no time average: report the state at its only instant.
    let availability = if sim_ms == 0 {
        if ready >= replicas { 1.0 } else { 0.0 }
    } else {
        available_ms as f64 / sim_ms as f64
    };
    d.insert("availability".into(), json!(availability));
    let first = first.map(|t| t.0).or((ready >= replicas).then_some(sim_ms));
    if let Some(first) = first {
        d.insert("converged_s".into(), json!(first as f64 / 1000.0));
        if first < sim_ms {
            // Time with every replica ready falls after `first`, by its definition.
            let after = available_ms as f64 / (sim_ms - first) as f64;
            d.insert("availability_after_first_ready".into(), json!(after));
        }
    }
    d.insert("replicas".into(), json!(replicas));
    d.insert("ready_at_end".into(), json!(ready));
    Value::Object(d)
}

/// The waits of one group of pods.
#[derive(Default)]
struct Group {
    /// First waits of the pods that were bound, in ms.
    waits: Vec<u64>,
    /// Waits so far of pods still pending at the end that were never bound (censored), in ms.
    censored: Vec<u64>,
}

impl Group {
    /// `pending_time_s` statistics. Every key is in seconds except the counts and fractions.
    ///
    /// - `scheduled`, `mean`, `p50`, `p95`, `p99`, `max`, `waited_fraction`: pods that were
    ///   bound (their first binding), the statistics only when there is one;
    /// - `censored.count` and `censored.wait_so_far.{mean, p50, p95, max}`: pods still pending
    ///   at the end, never bound; their true waits are at least these;
    /// - `mean_with_censored_at_least`: the mean over both, counting each censored pod's wait so
    ///   far, so a lower bound of the true mean; `waited_fraction_with_censored`: the share of
    ///   both that waited, every censored pod counting as one that waited.
    fn stats(mut self) -> Value {
        self.waits.sort_unstable();
        self.censored.sort_unstable();
        let mut m = Map::new();
        m.insert("scheduled".into(), json!(self.waits.len()));
        if !self.waits.is_empty() {
            for (k, v) in order_stats(&self.waits, true) {
                m.insert(k.into(), v);
            }
            let waited = self.waits.iter().filter(|&&w| w > 0).count();
            m.insert(
                "waited_fraction".into(),
                json!(ratio(waited as u64, self.waits.len() as u64)),
            );
        }
        let mut censored = Map::new();
        censored.insert("count".into(), json!(self.censored.len()));
        if !self.censored.is_empty() {
            let mut so_far = Map::new();
            for (k, v) in order_stats(&self.censored, false) {
                so_far.insert(k.into(), v);
            }
            censored.insert("wait_so_far".into(), Value::Object(so_far));
        }
        m.insert("censored".into(), Value::Object(censored));
        let all = self.waits.len() + self.censored.len();
        if all > 0 {
            let total: u128 = self
                .waits
                .iter()
                .chain(&self.censored)
                .map(|&w| w as u128)
                .sum();
            let waited = self.waits.iter().filter(|&&w| w > 0).count() + self.censored.len();
            m.insert(
                "mean_with_censored_at_least".into(),
                json!(total as f64 / all as f64 / 1000.0),
            );
            m.insert(
                "waited_fraction_with_censored".into(),
                json!(ratio(waited as u64, all as u64)),
            );
        }
        Value::Object(m)
    }
}

/// Mean, nearest-rank percentiles and max of sorted, non-empty waits, in seconds.
fn order_stats(sorted: &[u64], p99: bool) -> Vec<(&'static str, Value)> {
    let secs = |ms: u64| json!(ms as f64 / 1000.0);
    let sum: u128 = sorted.iter().map(|&w| w as u128).sum();
    let mut out = vec![
        ("mean", json!(sum as f64 / sorted.len() as f64 / 1000.0)),
        ("p50", secs(percentile(sorted, 0.50))),
        ("p95", secs(percentile(sorted, 0.95))),
    ];
    if p99 {
        out.push(("p99", secs(percentile(sorted, 0.99))));
    }
    out.push(("max", secs(*sorted.last().expect("non-empty"))));
    out
}

/// Every pod's wait, overall and by workload, namespace and priority.
struct Waits {
    all: Group,
    by_workload: Vec<(String, Group)>,
    by_namespace: BTreeMap<String, Group>,
    by_priority: BTreeMap<i32, Group>,
    /// Re-bindings after an eviction or preemption, in ms.
    rescheduling: Vec<u64>,
    /// Requeued pods still pending at the end: their waits so far, in ms.
    rescheduling_censored: Vec<u64>,
}

impl Waits {
    fn collect(scenario: &Scenario, metrics: &Metrics, cluster: &Cluster) -> Waits {
        let mut w = Waits {
            all: Group::default(),
            by_workload: scenario
                .workloads
                .iter()
                .map(|w| (w.name.clone(), Group::default()))
                .collect(),
            by_namespace: BTreeMap::new(),
            by_priority: BTreeMap::new(),
            rescheduling: metrics.rescheduling_waits_ms.clone(),
            rescheduling_censored: Vec::new(),
        };
        let mut add = |pod: &Pod, wait: u64, censored: bool| {
            let namespace = &cluster.templates[pod.template.0 as usize].namespace;
            let groups = [
                &mut w.all,
                &mut w.by_workload[pod.workload as usize].1,
                w.by_namespace.entry(namespace.clone()).or_default(),
                w.by_priority.entry(pod.priority).or_default(),
            ];
            for g in groups {
                if censored {
                    g.censored.push(wait);
                } else {
                    g.waits.push(wait);
                }
            }
        };
        for (&pod, &wait) in metrics.wait_pods.iter().zip(&metrics.waits_ms) {
            add(cluster.pod(pod), wait, false);
        }
        let end = metrics.last;
        let mut requeued = Vec::new();
        for pod in cluster.pods.iter().filter(|p| p.phase == PodPhase::Pending) {
            let so_far = end.since(pod.queued_at).0;
            if pod.requeues == 0 {
                add(pod, so_far, true);
            } else {
                requeued.push(so_far);
            }
        }
        w.rescheduling_censored = requeued;
        w
    }

    /// `pending_time_s`: [`Group::stats`] over every pod, then `by_workload` (scenario order),
    /// `by_namespace` (by name) and `by_priority` (lowest first) for the groups that had pods.
    fn pending_time(self) -> Value {
        let Value::Object(mut m) = self.all.stats() else {
            unreachable!("stats is an object")
        };
        let mut by_workload = Map::new();
        for (name, g) in self.by_workload {
            if !g.waits.is_empty() || !g.censored.is_empty() {
                by_workload.insert(name, g.stats());
            }
        }
        m.insert("by_workload".into(), Value::Object(by_workload));
        let by_namespace: Map<String, Value> = self
            .by_namespace
            .into_iter()
            .map(|(k, g)| (k, g.stats()))
            .collect();
        m.insert("by_namespace".into(), Value::Object(by_namespace));
        let by_priority: Map<String, Value> = self
            .by_priority
            .into_iter()
            .map(|(k, g)| (k.to_string(), g.stats()))
            .collect();
        m.insert("by_priority".into(), Value::Object(by_priority));
        Value::Object(m)
    }

    /// Pods put back in the queue by an eviction or preemption: how many times they were bound
    /// again and how long they waited for it, and how many are still waiting at the end.
    fn rescheduling(&self) -> Value {
        let mut m = Map::new();
        m.insert("bindings".into(), json!(self.rescheduling.len()));
        if !self.rescheduling.is_empty() {
            let mut waits = self.rescheduling.clone();
            waits.sort_unstable();
            let stats: Map<String, Value> = order_stats(&waits, false)
                .into_iter()
                .filter(|(k, _)| *k != "p50")
                .map(|(k, v)| (k.to_string(), v))
                .collect();
            m.insert("wait_s".into(), Value::Object(stats));
        }
        let mut censored = Map::new();
        censored.insert("count".into(), json!(self.rescheduling_censored.len()));
        if let Some(&max) = self.rescheduling_censored.iter().max() {
            censored.insert("wait_so_far_max_s".into(), json!(max as f64 / 1000.0));
        }
        m.insert("censored".into(), Value::Object(censored));
        Value::Object(m)
    }
}

/// Flattens nested objects into `(dotted.key, number)` pairs, in document order; used by the
/// terminal table and by `compare`, which aggregates every numeric metric.
pub fn flatten_numbers(value: &Value) -> Vec<(String, f64)> {
    fn walk(prefix: &str, v: &Value, out: &mut Vec<(String, f64)>) {
        match v {
            Value::Object(map) => {
                for (k, child) in map {
                    let key = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    walk(&key, child, out);
                }
            }
            Value::Number(n) => {
                if let Some(x) = n.as_f64() {
                    out.push((prefix.to_string(), x));
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk("", value, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wait_statistics_keep_censored_pods_apart_and_bound_the_mean() {
        let g = Group {
            waits: vec![30_000, 0, 10_000, 0],
            censored: vec![120_000, 60_000],
        };
        let s = g.stats();
        // Scheduled: (0 + 0 + 10 + 30) / 4 = 10 s; nearest rank: p50 is the 2nd of 4 (0 s),
        // p95 the ⌈3.8⌉ = 4th (30 s); 2 of 4 waited.
        assert_eq!(s["scheduled"], 4);
        assert_eq!(s["mean"], 10.0);
        assert_eq!(s["p50"], 0.0);
        assert_eq!(s["p95"], 30.0);
        assert_eq!(s["max"], 30.0);
        assert_eq!(s["waited_fraction"], 0.5);
        // Censored: waits so far 60 and 120 s, mean 90.
        assert_eq!(s["censored"]["count"], 2);
        assert_eq!(s["censored"]["wait_so_far"]["mean"], 90.0);
        assert_eq!(s["censored"]["wait_so_far"]["p50"], 60.0);
        assert_eq!(s["censored"]["wait_so_far"]["max"], 120.0);
        // Both: (40 + 180) / 6 s at least; (2 + 2) of 6 waited.
        assert_eq!(s["mean_with_censored_at_least"], 220.0 / 6.0);
        assert_eq!(s["waited_fraction_with_censored"], 4.0 / 6.0);

        // No pod at all: counts only, no statistic pretends to be 0.
        let empty = Group::default().stats();
        assert_eq!(
            empty,
            json!({"scheduled": 0, "censored": {"count": 0}}),
            "{empty}"
        );
    }

    #[test]
    fn availability_after_first_ready_leaves_out_the_start_up() {
        let h = 3_600_000;
        // (replicas, ready at end, ms available, first available, run ms) → (availability,
        // converged_s, availability_after_first_ready).
        type Case = (
            u32,
            u32,
            u64,
            Option<u64>,
            u64,
            f64,
            Option<f64>,
            Option<f64>,
        );
        let cases: [Case; 5] = [
            // Ready after a 60 s start-up, then always: 3540/3600 whole run, 3540/3540 after.
            (
                3,
                3,
                h - 60_000,
                Some(60_000),
                h,
                59.0 / 60.0,
                Some(60.0),
                Some(1.0),
            ),
            // The same, with a 540 s outage later: 3000/3600 and 3000/3540.
            (
                3,
                3,
                h - 600_000,
                Some(60_000),
                h,
                5.0 / 6.0,
                Some(60.0),
                Some(3000.0 / 3540.0),
            ),
            // Never all ready: no first-ready time, nothing after it.
            (3, 1, 0, None, h, 0.0, None, None),
            // All ready only at the last instant: first ready then, no time after.
            (3, 3, 0, None, h, 0.0, Some(3600.0), None),
            // A run of zero length reports the state at its only instant.
            (1, 1, 0, None, 0, 1.0, Some(0.0), None),
        ];
        for (replicas, ready, available, first, run, avail, first_s, after) in cases {
            let d = deployment(replicas, ready, available, first.map(SimTime), run);
            let get = |k: &str| d.get(k).and_then(Value::as_f64);
            assert_eq!(get("availability"), Some(avail), "{d}");
            assert_eq!(get("converged_s"), first_s, "{d}");
            assert_eq!(get("availability_after_first_ready"), after, "{d}");
        }
    }
}
