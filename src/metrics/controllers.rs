//! The summary keys of the control loops: rollouts, served load, crash loops, disruptions and
//! upgrades. Each appears only where it applies (a Deployment with a load, a pool that was
//! upgraded), so a reader never mistakes "not measured" for zero.

use serde_json::{Map, Value, json};

use super::Metrics;
use crate::model::Cluster;
use crate::scenario::{Action, AutoscalerSpec, Scenario, WorkloadKind};

/// Adds the control loops' keys to `summary`.
pub fn add(summary: &mut Value, scenario: &Scenario, metrics: &Metrics, cluster: &Cluster) {
    let Some(obj) = summary.as_object_mut() else {
        return;
    };
    let secs = |ms: u64| ms as f64 / 1000.0;
    let mut crash_sources = false;
    if let Some(Value::Object(deployments)) = obj.get_mut("deployments") {
        for (w, spec) in scenario.workloads.iter().enumerate() {
            let WorkloadKind::Deployment(d) = &spec.kind else {
                continue;
            };
            let Some(Value::Object(entry)) = deployments.get_mut(&spec.name) else {
                continue;
            };
            if d.autoscaling.is_some()
                && let Some(r) = metrics.replica_stats(w, metrics.last)
            {
                entry.insert("replicas_mean".into(), json!(r.mean));
                entry.insert("replicas_max".into(), json!(r.max));
                entry.insert("scale_events".into(), json!(r.scale_events));
            }
            if let Some(low) = metrics.min_ready[w] {
                entry.insert("min_ready".into(), json!(low));
            }
            if let Some(s) = &metrics.serving[w] {
                if let Some(f) = s.served_fraction() {
                    entry.insert("served_fraction".into(), json!(f));
                }
                entry.insert("degraded_minutes".into(), json!(s.totals.degraded_s / 60.0));
            }
            let refreshed = d.in_place_refresh.is_some()
                || scenario
                    .actions
                    .iter()
                    .any(|a| matches!(a.action, Action::Rollout { workload, .. } if workload == w));
            if refreshed && let Some(age) = metrics.data_age[w].mean_s() {
                entry.insert("data_age_s".into(), json!(age));
            }
            if !d.depends_on.is_empty() || d.crashes.is_some() {
                crash_sources = true;
                entry.insert("restarts".into(), json!(metrics.restarts[w]));
            }
        }
    }
    let mut rollouts = Map::new();
    for (w, spec) in scenario.workloads.iter().enumerate() {
        let r = &metrics.rollouts[w];
        if r.started == 0 {
            continue;
        }
        let mut entry = Map::new();
        entry.insert("started".into(), json!(r.started));
        entry.insert("completed".into(), json!(r.completed));
        entry.insert("failed".into(), json!(r.failed));
        entry.insert("rolled_back".into(), json!(r.rolled_back));
        entry.insert("superseded".into(), json!(r.superseded));
        if !r.durations_ms.is_empty() {
            let mean = r.durations_ms.iter().sum::<u64>() as f64 / r.durations_ms.len() as f64;
            let max = r.durations_ms.iter().copied().max().unwrap_or(0);
            entry.insert(
                "duration_s".into(),
                json!({ "mean": mean / 1000.0, "max": secs(max) }),
            );
        }
        rollouts.insert(spec.name.clone(), Value::Object(entry));
    }
    if !rollouts.is_empty() {
        obj.insert("rollouts".into(), Value::Object(rollouts));
    }
    let voluntary = scenario
        .actions
        .iter()
        .any(|a| matches!(a.action, Action::Drain { .. } | Action::Upgrade { .. }));
    let budgets = scenario
        .workloads
        .iter()
        .any(|w| w.disruption_budget.is_some());
    if voluntary || budgets {
        let d = &metrics.disruption;
        obj.insert(
            "disruption".into(),
            json!({
                "evictions": d.evictions,
                "refused_by_pdb": d.refused_by_pdb,
                "forced": d.forced,
            }),
        );
    }
    let mut upgrades = Map::new();
    for (p, pool) in scenario.cluster.pools.iter().enumerate() {
        let u = &metrics.upgrades[p];
        if u.started == 0 {
            continue;
        }
        let mut entry = Map::new();
        entry.insert("started".into(), json!(u.started));
        entry.insert("completed".into(), json!(u.completed));
        entry.insert("nodes_replaced".into(), json!(u.nodes_replaced));
        if let Some(&last) = u.durations_ms.last() {
            entry.insert("duration_s".into(), json!(secs(last)));
        }
        upgrades.insert(pool.name.clone(), Value::Object(entry));
    }
    if !upgrades.is_empty() {
        obj.insert("upgrades".into(), Value::Object(upgrades));
    }
    if scenario.autoscaler.is_some() {
        let a = &metrics.autoscaler;
        obj.insert(
            "autoscaler".into(),
            json!({
                "scale_ups": a.scale_ups,
                "scale_downs": a.scale_downs,
                "nodes_launched": a.nodes_launched,
                "launch_failures": a.launch_failures,
            }),
        );
    }
    if matches!(scenario.autoscaler, Some(AutoscalerSpec::Karpenter(_))) {
        add_instance_types(obj, metrics, cluster);
    }
    if crash_sources {
        let core_hours =
            metrics.crashloop_cpu_m_ms as f64 / 1000.0 / crate::time::MS_PER_HOUR as f64;
        let work = obj
            .entry("work")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(work) = work {
            work.insert("crashloop_core_hours".into(), json!(core_hours));
        }
    }
}

/// `nodes.by_instance_type.<type>` (nodes launched) and `cost.by_instance_type.<type>` (USD)
/// over the pools that carry an instance type (Karpenter's).
fn add_instance_types(obj: &mut Map<String, Value>, metrics: &Metrics, cluster: &Cluster) {
    let type_of = |pool: usize| {
        cluster.pools[pool]
            .labels
            .get("node.kubernetes.io/instance-type")
            .cloned()
    };
    let mut nodes: std::collections::BTreeMap<String, u64> = Default::default();
    for n in &cluster.nodes {
        if let Some(t) = type_of(n.pool.0 as usize) {
            *nodes.entry(t).or_default() += 1;
        }
    }
    let mut cost: std::collections::BTreeMap<String, f64> = Default::default();
    for (p, usd) in metrics.cost_by_pool(cluster).into_iter().enumerate() {
        // Types never launched are left out, not reported at $0.
        if let Some(t) = type_of(p).filter(|t| nodes.contains_key(t)) {
            *cost.entry(t).or_default() += usd;
        }
    }
    let section = |obj: &mut Map<String, Value>, key: &str| {
        if !obj.get(key).is_some_and(Value::is_object) {
            obj.insert(key.into(), Value::Object(Map::new()));
        }
    };
    section(obj, "nodes");
    if let Some(Value::Object(n)) = obj.get_mut("nodes") {
        n.insert("by_instance_type".into(), json!(nodes));
    }
    section(obj, "cost");
    if let Some(Value::Object(c)) = obj.get_mut("cost") {
        c.insert("by_instance_type".into(), json!(cost));
    }
}

/// `jobs.<name>` for each Job workload: how many Jobs started, how each ended, how long the
/// completed ones took from start to completion, and the pods that succeeded and failed. Jobs
/// still running at the end are counted as such, not as completed; `duration_s` is absent when
/// no Job completed, and `skipped` appears only for a CronJob.
pub fn add_jobs(
    summary: &mut Value,
    scenario: &Scenario,
    jobs: &crate::controllers::JobController,
) {
    use crate::controllers::job::JobOutcome;
    let Some(obj) = summary.as_object_mut() else {
        return;
    };
    let mut out = Map::new();
    for (w, spec) in scenario.workloads.iter().enumerate() {
        let WorkloadKind::Job(job) = &spec.kind else {
            continue;
        };
        let runs = jobs.runs(w);
        let count = |o: JobOutcome| {
            runs.iter()
                .filter(|r| r.ended.is_some_and(|e| e.1 == o))
                .count()
        };
        let durations: Vec<f64> = runs
            .iter()
            .filter_map(|r| match r.ended {
                Some((at, JobOutcome::Complete)) => Some(at.since(r.started).as_secs_f64()),
                _ => None,
            })
            .collect();
        let mut entry = Map::new();
        entry.insert("jobs".into(), json!(runs.len()));
        entry.insert("completed".into(), json!(count(JobOutcome::Complete)));
        let mut failed = Map::new();
        for o in [
            JobOutcome::BackoffLimitExceeded,
            JobOutcome::DeadlineExceeded,
            JobOutcome::Replaced,
        ] {
            failed.insert(o.reason().into(), json!(count(o)));
        }
        entry.insert("failed".into(), Value::Object(failed));
        entry.insert(
            "running_at_end".into(),
            json!(runs.iter().filter(|r| r.ended.is_none()).count()),
        );
        if !durations.is_empty() {
            let mean = durations.iter().sum::<f64>() / durations.len() as f64;
            let max = durations.iter().cloned().fold(0.0, f64::max);
            entry.insert("duration_s".into(), json!({"mean": mean, "max": max}));
        }
        entry.insert(
            "pods_succeeded".into(),
            json!(runs.iter().map(|r| u64::from(r.succeeded)).sum::<u64>()),
        );
        entry.insert(
            "pods_failed".into(),
            json!(runs.iter().map(|r| u64::from(r.failed)).sum::<u64>()),
        );
        if job.schedule.is_some() {
            entry.insert("skipped".into(), json!(jobs.skipped(w)));
        }
        out.insert(spec.name.clone(), Value::Object(entry));
    }
    if !out.is_empty() {
        obj.insert("jobs".into(), Value::Object(out));
    }
}
