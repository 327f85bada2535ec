//! Deployments through the whole simulation: rolling updates and Recreate, progress deadlines,
//! rollbacks, served load, drains against disruption budgets, upgrades and crash loops.

use clustersim::model::PodPhase;
use clustersim::rng::stream;
use clustersim::scenario::load_str;
use clustersim::sim::{EventLog, Simulation, run_recorded};
use clustersim::time::SimTime;
use rand::RngExt;

fn run(yaml: &str) -> (serde_json::Value, EventLog) {
    let scenario = load_str(yaml, "test.yaml", None, &[]).expect("valid scenario");
    let (result, log) = run_recorded(&scenario).unwrap();
    (result.summary, log)
}

/// Times (s) of a Deployment's events with `reason`.
fn deployment_events(log: &EventLog, reason: &str) -> Vec<f64> {
    log.0
        .iter()
        .filter(|e| e.object == "deployment" && e.event == reason)
        .map(|e| e.time_ms as f64 / 1000.0)
        .collect()
}

const ROOMY: &str = "
cluster:
  pools:
    - { name: general, node: { cpu: 64, memory: 256Gi }, price_per_hour: 1, count: 2 }
";

#[test]
fn rolling_update_of_12_replicas_with_surge_3_takes_four_waves_of_startup() {
    // 12 replicas, surge 3, unavailable 0, startup 60 s: each wave of 3 new pods must become
    // available before 3 old ones go, so 12 / 3 = 4 waves of 60 s: 240 s.
    let (summary, log) = run(&format!(
        "name: waves\nduration: 1h\n{ROOMY}
workloads:
  - name: web
    kind: Deployment
    replicas: 12
    requests: {{ cpu: 1, memory: 1Gi }}
    startup: 60s
    strategy: {{ type: RollingUpdate, max_surge: 3, max_unavailable: 0 }}
events:
  - {{ at: 10m, rollout: {{ workload: web }} }}
"
    ));
    let r = &summary["rollouts"]["web"];
    assert_eq!(
        (r["started"].as_u64(), r["completed"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(r["duration_s"]["max"], 240.0);
    assert_eq!(deployment_events(&log, "NewReplicaSetAvailable"), [840.0]);
    // Never fewer than 12 ready: unavailable 0 holds, so the Deployment stays available.
    assert_eq!(summary["deployments"]["web"]["min_ready"], 12);
}

#[test]
fn recreate_is_down_for_one_startup() {
    // Recreate deletes all 4 old pods at 10m; the new ones are ready 30 s later: 30 s of 1 h
    // with no ready pod, after the initial 30 s start-up.
    let (summary, log) = run(&format!(
        "name: recreate\nduration: 1h\n{ROOMY}
workloads:
  - name: web
    kind: Deployment
    replicas: 4
    requests: {{ cpu: 1, memory: 1Gi }}
    startup: 30s
    strategy: {{ type: Recreate }}
events:
  - {{ at: 10m, rollout: {{ workload: web }} }}
"
    ));
    let web = &summary["deployments"]["web"];
    assert_eq!(web["min_ready"], 0);
    // Available 3600 − 30 (start) − 30 (recreate) of 3600 s.
    let avail = web["availability"].as_f64().unwrap();
    assert!((avail - 3540.0 / 3600.0).abs() < 1e-12, "{avail}");
    assert_eq!(summary["rollouts"]["web"]["duration_s"]["max"], 30.0);
    let scaled = deployment_events(&log, "ScalingReplicaSet");
    // v1 up at 0; at 600 v1 down to 0, then v2 up to 4.
    assert_eq!(scaled, [0.0, 600.0, 600.0]);
}

fn unhealthy_rollout(on_deadline: &str) -> (serde_json::Value, EventLog) {
    run(&format!(
        "name: halted\nduration: 2h\n{ROOMY}
workloads:
  - name: web
    kind: Deployment
    replicas: 12
    requests: {{ cpu: 1, memory: 1Gi }}
    startup: 20s
    progress_deadline: 10m
    on_progress_deadline: {on_deadline}
    load: {{ requests_per_second: 600, per_pod: 50 }}
events:
  - {{ at: 30m, rollout: {{ workload: web, healthy: false }} }}
"
    ))
}

#[test]
fn a_rollout_whose_pods_never_get_ready_halts_at_its_deadline_with_old_pods_serving() {
    let (summary, log) = unhealthy_rollout("halt");
    // Defaults 25%/25% of 12: surge 3, unavailable 3. v2 grows to 3 (15 pods), v1 shrinks to
    // 9 (available 12 − 3), v2 grows to 6 (15 pods again); then nothing moves, as in
    // Kubernetes: failed 10 minutes after the last progress, the rollout's steps at 30m.
    assert_eq!(
        deployment_events(&log, "ProgressDeadlineExceeded"),
        [2400.0]
    );
    let r = &summary["rollouts"]["web"];
    assert_eq!(
        (r["failed"].as_u64(), r["completed"].as_u64()),
        (Some(1), Some(0))
    );
    let web = &summary["deployments"]["web"];
    assert_eq!(web["ready_at_end"], 9);
    assert_eq!(web["min_ready"], 9);
    // 9 pods × 50 serve 450 of 600 rps for the last 90 minutes; the first 20 s nothing.
    // served = (600 × (1800 − 20) + 450 × 5400) / (600 × 7200)
    let want = (600.0 * 1780.0 + 450.0 * 5400.0) / (600.0 * 7200.0);
    let got = web["served_fraction"].as_f64().unwrap();
    assert!((got - want).abs() < 1e-12, "{got} vs {want}");
    assert_eq!(web["degraded_minutes"], (20.0 + 5400.0) / 60.0);
}

#[test]
fn rollback_at_the_deadline_restores_every_replica() {
    let (summary, log) = unhealthy_rollout("rollback");
    assert_eq!(
        deployment_events(&log, "ProgressDeadlineExceeded"),
        [2400.0]
    );
    assert_eq!(deployment_events(&log, "DeploymentRollback"), [2400.0]);
    let r = &summary["rollouts"]["web"];
    assert_eq!(r["rolled_back"], 1);
    // v1 scales back to 12: 3 new pods start and are ready 20 s later.
    assert_eq!(summary["deployments"]["web"]["ready_at_end"], 12);
    assert_eq!(deployment_events(&log, "NewReplicaSetAvailable"), [2420.0]);
}

#[test]
fn rollout_invariants_hold_at_every_second_of_random_rollouts() {
    // pods ≤ replicas + surge always; available ≥ replicas − unavailable once the Deployment
    // first converged (nothing involuntary happens here).
    let mut rng = stream(2024, "test/rollout-invariants");
    for case in 0..12 {
        let replicas: u32 = rng.random_range(1..=20);
        let surge: u32 = rng.random_range(0..=50);
        let unavailable: u32 = rng.random_range(0..=50);
        let (surge, unavailable) = if surge == 0 && unavailable == 0 {
            (25, 25)
        } else {
            (surge, unavailable)
        };
        let startup_max: u32 = rng.random_range(1..=90);
        let min_ready: u32 = rng.random_range(0..=30);
        let mut events = String::new();
        for _ in 0..rng.random_range(1..=4) {
            let at: u32 = rng.random_range(120..=1500);
            events.push_str(&format!(
                "  - {{ at: {at}s, rollout: {{ workload: web }} }}\n"
            ));
        }
        let yaml = format!(
            "name: invariants\nduration: 40m\n{ROOMY}
workloads:
  - name: web
    kind: Deployment
    replicas: {replicas}
    requests: {{ cpu: 1, memory: 1Gi }}
    startup: {{ uniform: {{ min: 1s, max: {startup_max}s }} }}
    min_ready: {min_ready}s
    strategy: {{ max_surge: {surge}%, max_unavailable: {unavailable}% }}
events:
{events}"
        );
        let scenario = load_str(&yaml, "case.yaml", None, &[]).expect("valid");
        // Kubernetes' rounding, as the controller applies it.
        let max_pods = replicas + (surge * replicas).div_ceil(100);
        let mut allowed_down = unavailable * replicas / 100;
        if (surge * replicas).div_ceil(100) == 0 && allowed_down == 0 {
            allowed_down = 1;
        }
        let min_available = replicas.saturating_sub(allowed_down);
        let mut sim = Simulation::new(&scenario, None).unwrap();
        let mut converged = false;
        for t in 0..=2400u64 {
            sim.run_until(SimTime(t * 1000), None);
            let pods: Vec<_> = sim
                .cluster()
                .pods
                .iter()
                .filter(|p| matches!(p.phase, PodPhase::Pending | PodPhase::Running))
                .collect();
            let available = pods.iter().filter(|p| p.available).count() as u32;
            assert!(
                pods.len() as u32 <= max_pods,
                "case {case} at {t}s: {} pods > {max_pods}\n{yaml}",
                pods.len()
            );
            if available >= replicas {
                converged = true;
            }
            if converged {
                assert!(
                    available >= min_available,
                    "case {case} at {t}s: {available} available < {min_available}\n{yaml}"
                );
            }
        }
        assert!(converged, "case {case} never converged");
    }
}

#[test]
fn served_fraction_of_steps_equals_the_integral() {
    // 4 pods × 50 rps = 200 rps of capacity. First 30 min 100 rps (all served), then 900 rps
    // (200 served): (100·1800 + 200·1800) / (100·1800 + 900·1800) = 540k / 1.8M = 0.3.
    let (summary, _) = run(&format!(
        "name: steps\nduration: 1h\n{ROOMY}
workloads:
  - name: web
    kind: Deployment
    replicas: 4
    requests: {{ cpu: 1, memory: 1Gi }}
    load: {{ requests_per_second: {{ steps: [[0s, 100], [30m, 900]] }}, per_pod: 50 }}
"
    ));
    let web = &summary["deployments"]["web"];
    assert!((web["served_fraction"].as_f64().unwrap() - 0.3).abs() < 1e-12);
    assert_eq!(web["degraded_minutes"], 30.0);
}

#[test]
fn served_fraction_of_a_diurnal_curve_equals_the_closed_form() {
    // rps = 100 (1 + 0.5 cos(ω (t − 12h))), capacity 2 × 50 = 100: over a day the load is
    // above capacity while cos > 0, i.e. 6h–18h (12 h degraded, served 100 rps), and below it
    // otherwise, where ∫ rps = 100·43200 + 50·(−2/ω). Requested: 100 · 86400.
    let (summary, _) = run(&format!(
        "name: diurnal\nduration: 24h\n{ROOMY}
workloads:
  - name: web
    kind: Deployment
    replicas: 2
    requests: {{ cpu: 1, memory: 1Gi }}
    load: {{ requests_per_second: {{ diurnal: {{ mean: 100, amplitude: 0.5, peak: 12h }} }}, per_pod: 50 }}
"
    ));
    let omega = std::f64::consts::TAU / 86_400.0;
    let served = 100.0 * 43_200.0 + (100.0 * 43_200.0 - 100.0 / omega);
    let want = served / (100.0 * 86_400.0);
    let web = &summary["deployments"]["web"];
    let got = web["served_fraction"].as_f64().unwrap();
    assert!((got - want).abs() < 1e-9, "{got} vs {want}");
    let degraded = web["degraded_minutes"].as_f64().unwrap();
    assert!((degraded - 720.0).abs() < 1e-6, "{degraded}");
}

#[test]
fn a_drain_slowed_by_a_budget_never_goes_below_min_available() {
    // most-allocated packs the 4 web pods onto a-0 (4 cpu); b-0 stays empty. The budget wants 3 ready, so the drain
    // evicts one pod, retries every 5 s, and evicts the next only when the replacement is
    // ready on b-0 30 s later: evictions at 1h, +30 s, +60 s, +90 s; drained at 1h + 90 s.
    let (summary, log) = run("
name: drain
duration: 2h
cluster:
  pools:
    - { name: a, node: { cpu: 4, memory: 16Gi }, count: 1 }
    - { name: b, node: { cpu: 4, memory: 16Gi }, count: 1 }
scheduler: { policy: most-allocated }
workloads:
  - name: web
    kind: Deployment
    replicas: 4
    requests: { cpu: 1, memory: 1Gi }
    startup: 30s
    disruption_budget: { min_available: 3 }
events:
  - { at: 1h, drain: { node: a-0 } }
");
    let drained = log.times("a-0", "NodeDrained");
    assert_eq!(drained, [3_690_000]);
    let evicted: Vec<u64> = log
        .0
        .iter()
        .filter(|e| e.event == "Evicted")
        .map(|e| e.time_ms)
        .collect();
    assert_eq!(evicted, [3_600_000, 3_630_000, 3_660_000, 3_690_000]);
    assert!(summary["disruption"]["refused_by_pdb"].as_u64().unwrap() > 0);
    assert_eq!(summary["disruption"]["evictions"], 4);
    assert_eq!(summary["disruption"]["forced"], 0);
    assert_eq!(summary["deployments"]["web"]["min_ready"], 3);
}

/// When a crash-looping container first starts with its dependency ready: it starts at 0 and
/// exits `crash_after` later each time, waiting 10 s, 20 s, 40 s, … (capped at 300 s) before
/// each restart.
fn first_start_after(ready_at: f64, crash_after: f64) -> (f64, u64) {
    let (mut start, mut restarts, mut delay) = (0.0, 0, 10.0);
    while start <= ready_at {
        start += crash_after + delay;
        restarts += 1;
        delay = (delay * 2.0f64).min(300.0);
    }
    (start, restarts)
}

#[test]
fn crash_loop_convergence_follows_the_back_off_sequence() {
    for db_startup in [12u64, 50, 100, 1000] {
        let (summary, _) = run(&format!(
            "name: deps\nduration: 2h\n{ROOMY}
workloads:
  - name: db
    kind: Deployment
    replicas: 1
    requests: {{ cpu: 1, memory: 1Gi }}
    startup: {db_startup}s
  - name: api
    kind: Deployment
    replicas: 3
    requests: {{ cpu: 2, memory: 1Gi }}
    depends_on: [ {{ workload: db }} ]
    crash_after: 5s
"
        ));
        let (start, restarts) = first_start_after(db_startup as f64, 5.0);
        let api = &summary["deployments"]["api"];
        assert_eq!(api["converged_s"], start, "db ready at {db_startup}s");
        assert_eq!(api["restarts"], 3 * restarts);
        // Each of 3 pods holds 2 cores from its first crash (5 s) until it is ready.
        let want = 3.0 * 2.0 * (start - 5.0) / 3600.0;
        let got = summary["work"]["crashloop_core_hours"].as_f64().unwrap();
        assert!((got - want).abs() < 1e-9, "{got} vs {want}");
    }
}

fn upgrade(healthy: &str) -> (serde_json::Value, EventLog) {
    run(&format!(
        "
name: upgrade
duration: 2h
cluster:
  pools:
    - {{ name: general, node: {{ cpu: 8, memory: 32Gi }}, count: 3, provisioning_delay: 60s }}
workloads:
  - name: web
    kind: Deployment
    replicas: 6
    requests: {{ cpu: 1, memory: 1Gi }}
    disruption_budget: {{ max_unavailable: 50% }}
events:
  - {{ at: 10m, upgrade: {{ pool: general, max_surge: 1, new_nodes_healthy: {healthy} }} }}
"
    ))
}

#[test]
fn a_surge_upgrade_replaces_one_node_per_provisioning_delay() {
    // max_surge 1: launch a node (60 s), drain and delete an old one (its 2 pods fit the
    // budget: 50% of 6 may go), launch the next: 3 × 60 s.
    let (summary, log) = upgrade("true");
    let u = &summary["upgrades"]["general"];
    assert_eq!(u["completed"], 1);
    assert_eq!(u["nodes_replaced"], 3);
    assert_eq!(u["duration_s"], 180.0);
    assert_eq!(log.times("general-0", "NodeTerminated"), [660_000]);
    assert_eq!(log.times("general-2", "NodeTerminated"), [780_000]);
    assert_eq!(summary["disruption"]["refused_by_pdb"], 0);
    assert_eq!(summary["deployments"]["web"]["ready_at_end"], 6);
}

#[test]
fn an_upgrade_whose_new_nodes_never_get_ready_stalls_without_touching_old_nodes() {
    let (summary, log) = upgrade("false");
    let u = &summary["upgrades"]["general"];
    assert_eq!(
        (u["completed"].as_u64(), u["nodes_replaced"].as_u64()),
        (Some(0), Some(0))
    );
    assert!(
        u.get("duration_s").is_none(),
        "no duration for an upgrade that never ended"
    );
    assert!(log.times("general-3", "NodeReady").is_empty());
    assert_eq!(summary["deployments"]["web"]["min_ready"], 6);
}
