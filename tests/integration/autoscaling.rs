//! The autoscalers through the whole simulation and the real CLI: the HorizontalPodAutoscaler
//! against Kubernetes' algorithm, and the Cluster Autoscaler's scale-up and scale-down.

use clustersim::scenario::load_str;
use clustersim::sim::{EventLog, run_recorded};

fn run(yaml: &str) -> (serde_json::Value, EventLog) {
    let scenario = load_str(yaml, "test.yaml", None, &[]).expect("valid scenario");
    let (result, log) = run_recorded(&scenario).unwrap();
    (result.summary, log)
}

/// (time s, message) of every event `reason` of `object`.
fn events(log: &EventLog, object: &str, reason: &str) -> Vec<(f64, String)> {
    log.0
        .iter()
        .filter(|e| e.object == object && e.event == reason)
        .map(|e| (e.time_ms as f64 / 1000.0, e.message.clone()))
        .collect()
}

/// A web Deployment on a roomy fixed cluster: pods are ready as soon as they bind. Load 600 rps
/// (20 pods at 60% of 50 rps), stepping down to 300 rps (10 pods) at 10 min.
const HPA_STEP: &str = "name: hpa-step
duration: 20m
sample_interval: 15s
cluster:
  pools:
    - { name: general, node: { cpu: 64, memory: 256Gi }, count: 4 }
workloads:
  - name: web
    kind: Deployment
    replicas: 2
    requests: { cpu: 500m, memory: 512Mi }
    load: { requests_per_second: { steps: [[0s, 600], [10m, 300]] }, per_pod: 50 }
    autoscaling:
      min_replicas: 2
      max_replicas: 300
      target_cpu_utilization: 60%
      BEHAVIOR
";

#[test]
fn hpa_follows_kubernetes_rate_limits_and_stabilization_through_a_load_step() {
    // Default policies (behavior given): max(2c, c + 4) per 15 s: 2 → 6 → 12 → 20 at the syncs
    // of 15, 30 and 45 s. The step to 300 rps at 600 s asks for 10 from the sync of 600 s
    // (the step is in force from its instant), but the 5 min window holds the last
    // recommendation of 20 (made at 585 s) until it is 300 s old: the scale-down comes at
    // 885 s exactly.
    let (summary, log) = run(&HPA_STEP.replace("BEHAVIOR", "behavior: {}"));
    let rescales = events(&log, "hpa", "SuccessfulRescale");
    let got: Vec<(f64, &str)> = rescales.iter().map(|(t, m)| (*t, m.as_str())).collect();
    assert_eq!(
        got,
        [
            (
                15.0,
                "New size: 6; reason: cpu resource utilization (percentage of request) above target"
            ),
            (
                30.0,
                "New size: 12; reason: cpu resource utilization (percentage of request) above target"
            ),
            (
                45.0,
                "New size: 20; reason: cpu resource utilization (percentage of request) above target"
            ),
            (885.0, "New size: 10; reason: All metrics below target"),
        ]
    );
    let web = &summary["deployments"]["web"];
    // ∫ replicas dt = 2·15 + 6·15 + 12·15 + 20·840 + 10·315 = 20,250 replica·s over 1,200 s.
    assert_eq!(web["replicas_mean"], 16.875);
    assert_eq!(web["replicas_max"], 20);
    assert_eq!(web["scale_events"], 4);
}

#[test]
fn hpa_without_behavior_keeps_kubernetes_older_rules() {
    // No behavior: at most max(2c, 4) up: 2 → 4 → 8 → 16 → 20; the legacy window includes its
    // edge, so the 20 recommended at 585 s still holds at 885 s and 10 comes at 900 s.
    let (summary, log) = run(&HPA_STEP.replace("BEHAVIOR", ""));
    let times: Vec<(f64, String)> = events(&log, "hpa", "SuccessfulRescale")
        .into_iter()
        .map(|(t, m)| (t, m.split(';').next().unwrap().to_string()))
        .collect();
    let want: Vec<(f64, String)> = [(15.0, 4), (30.0, 8), (45.0, 16), (60.0, 20), (900.0, 10)]
        .iter()
        .map(|&(t, n)| (t, format!("New size: {n}")))
        .collect();
    assert_eq!(times, want);
    assert_eq!(summary["deployments"]["web"]["scale_events"], 5);
}

#[test]
fn hpa_replicas_reach_the_timeseries_through_the_cli() {
    let dir = std::env::temp_dir().join(format!("clustersim-hpa-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("s.yaml"),
        HPA_STEP.replace("BEHAVIOR", "behavior: {}"),
    )
    .unwrap();
    let out = dir.join("out");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_clustersim"))
        .args(["run", "-q", "--out"])
        .arg(&out)
        .arg(dir.join("s.yaml"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let csv = std::fs::read_to_string(out.join("timeseries.csv")).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = header
        .iter()
        .position(|h| *h == "replicas.web")
        .expect("replicas column");
    let at = |t: &str| -> String {
        csv.lines()
            .find(|l| l.split(',').next() == Some(t))
            .map(|l| l.split(',').nth(col).unwrap().to_string())
            .unwrap()
    };
    // Samples every 15 s show the state after that instant's sync.
    assert_eq!(
        [at("0"), at("15"), at("30"), at("45"), at("870"), at("885")],
        ["2", "6", "12", "20", "20", "10"].map(String::from)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn hpa_needs_a_load_and_sane_bounds() {
    let bad = "name: bad\nduration: 1h\ncluster:\n  pools:\n    - { name: p, node: { cpu: 4, memory: 8Gi }, count: 1 }\nworkloads:\n  - name: web\n    kind: Deployment\n    replicas: 2\n    autoscaling: { min_replicas: 5, max_replicas: 3, target_cpu_utilization: 0% }\n";
    let err = load_str(bad, "bad.yaml", None, &[])
        .unwrap_err()
        .to_string();
    let no_load = bad.replace(
        "min_replicas: 5, max_replicas: 3, target_cpu_utilization: 0%",
        "max_replicas: 3, target_cpu_utilization: 60%",
    );
    let err2 = load_str(&no_load, "bad.yaml", None, &[])
        .unwrap_err()
        .to_string();
    assert!(
        err2.contains("bad.yaml:10:18: workloads[0].autoscaling: autoscaling needs load"),
        "{err2}"
    );
    for want in [
        "bad.yaml:10:51: workloads[0].autoscaling.max_replicas: must be at least min_replicas (5)",
        "workloads[0].autoscaling.target_cpu_utilization: expected a percentage between 1% and 1000%",
    ] {
        assert!(err.contains(want), "missing {want:?} in:\n{err}");
    }
}
