//! `summary.json`: the run's headline numbers. Key names are part of the interface: scripts
//! read them, so they never change meaning.

use serde_json::{Map, Value, json};

use crate::controllers::DeploymentController;
use crate::metrics::{Metrics, percentile, ratio};
use crate::model::Cluster;
use crate::scenario::{CapacityType, Scenario, WorkloadKind};

/// Eviction reasons always reported (as 0 when none happened), so every run has the same keys.
pub const EVICTION_REASONS: [&str; 4] =
    ["SpotInterruption", "NodeFailure", "ZoneOutage", "Preempted"];

/// Builds the summary object. Nested objects give the dotted names, e.g. `pods.submitted`.
pub fn build(
    scenario: &Scenario,
    seed: u64,
    metrics: &Metrics,
    cluster: &Cluster,
    deployment_state: &DeploymentController,
) -> Value {
    let sim_ms = metrics.last.0;
    let mut waits = metrics.waits_ms.clone();
    waits.sort_unstable();
    let waited = waits.iter().filter(|&&w| w > 0).count();
    let mean_wait_s = if waits.is_empty() {
        0.0
    } else {
        waits.iter().map(|&w| w as f64).sum::<f64>() / waits.len() as f64 / 1000.0
    };
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

    // Each node's cost is shared out by the cpu its pods request; the rest is idle.
    let mut by_namespace = Map::new();
    let mut namespaces: Vec<&str> = cluster
        .templates
        .iter()
        .map(|t| t.namespace.as_str())
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
    for (w, (spec, &avail_ms)) in scenario
        .workloads
        .iter()
        .zip(&metrics.available_ms)
        .enumerate()
    {
        if let (WorkloadKind::Deployment(d), Some(ready)) = (&spec.kind, deployment_state.ready(w))
        {
            let replicas = &d.replicas;
            // A run of zero length has no time average: report the state at its only instant.
            let availability = if sim_ms == 0 {
                if ready >= *replicas { 1.0 } else { 0.0 }
            } else {
                avail_ms as f64 / sim_ms as f64
            };
            deployments.insert(
                spec.name.clone(),
                json!({ "availability": availability, "replicas": replicas, "ready_at_end": ready }),
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
    let per_pod = if metrics.pods_completed == 0 {
        0.0
    } else {
        total_cost / metrics.pods_completed as f64
    };
    json!({
        "scenario": scenario.name,
        "seed": seed,
        "sim_time_s": secs(sim_ms),
        "events_processed": metrics.events_processed,
        "pods": {
            "submitted": metrics.pods_submitted,
            "scheduled": metrics.pods_scheduled,
            "completed": metrics.pods_completed,
            "evicted": metrics.pods_evicted,
            "evicted_by_reason": evicted_by_reason,
            "running_at_end": cluster.totals.running_pods,
            "pending_at_end": cluster.totals.pending_pods,
        },
        "pending_time_s": {
            "mean": mean_wait_s,
            "p50": secs(percentile(&waits, 0.50)),
            "p95": secs(percentile(&waits, 0.95)),
            "p99": secs(percentile(&waits, 0.99)),
            "max": secs(waits.last().copied().unwrap_or(0)),
            "waited_fraction": ratio(waited as u64, waits.len() as u64),
        },
        "rescheduling": rescheduling(&metrics.rescheduling_waits_ms),
        "nodes": {
            "ready_mean": ready_mean,
            "ready_mean_by_pool": ready_by_pool,
            "peak_used": metrics.peak_used_nodes,
            "launched": cluster.nodes.len(),
            "failures": metrics.node_failures,
            "burn_in_failures": metrics.burn_in_failures,
        },
        "interruptions": {
            "notices": metrics.interruption_notices,
            "waves": metrics.interruption_waves,
        },
        "work": {
            "lost_core_hours": core_hours(metrics.lost_cpu_m_ms),
            "useful_core_hours": core_hours(metrics.useful_cpu_m_ms),
        },
        "utilization": {
            "cpu_mean": util_mean(metrics.cpu_util_ms),
            "memory_mean": util_mean(metrics.memory_util_ms),
        },
        "cost": {
            "total_usd": total_cost,
            "by_pool": by_pool,
            "by_capacity_type": by_type,
            "per_completed_pod_usd": per_pod,
            "by_namespace": by_namespace,
            "idle_usd": idle_usd,
        },
        "deployments": deployments,
    })
}

/// Pods put back in the queue by an eviction or preemption: how many times, and how long they
/// waited to run again.
fn rescheduling(waits_ms: &[u64]) -> Value {
    let mut waits = waits_ms.to_vec();
    waits.sort_unstable();
    let secs = |ms: u64| ms as f64 / 1000.0;
    let mean = if waits.is_empty() {
        0.0
    } else {
        waits.iter().map(|&w| w as f64).sum::<f64>() / waits.len() as f64 / 1000.0
    };
    json!({
        "bindings": waits.len(),
        "wait_s": {
            "mean": mean,
            "p95": secs(percentile(&waits, 0.95)),
            "max": secs(waits.last().copied().unwrap_or(0)),
        },
    })
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
