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

/// Node events `reason` as (time s, node).
fn node_events(log: &EventLog, reason: &str, message: &str) -> Vec<(f64, String)> {
    log.0
        .iter()
        .filter(|e| e.object == "node" && e.event == reason && e.message == message)
        .map(|e| (e.time_ms as f64 / 1000.0, e.name.clone()))
        .collect()
}

#[test]
fn a_burst_scales_a_group_by_the_first_fit_decreasing_bin_count_once() {
    // 4-cpu nodes; pods of 3, 3, 2, 2, 2, 1, 1 cpu pending at time 0. First-fit decreasing
    // onto template nodes: [3,1] [3,1] [2,2] [2] = 4 nodes, at the first scan (10 s). The
    // nodes take 2 min to be ready; scans meanwhile count them as upcoming, so no second
    // scale-up follows.
    let (summary, log) = run("name: burst
duration: 30m
cluster:
  pools:
    - name: general
      node: { cpu: 4, memory: 16Gi }
      count: 0
      provisioning_delay: 2m
      autoscaling: { min: 0, max: 50 }
autoscaler: { kind: cluster-autoscaler }
workloads:
  - { name: big, kind: Deployment, replicas: 2, requests: { cpu: 3, memory: 1Gi } }
  - { name: mid, kind: Deployment, replicas: 3, requests: { cpu: 2, memory: 1Gi } }
  - { name: small, kind: Deployment, replicas: 2, requests: { cpu: 1, memory: 1Gi } }
");
    assert_eq!(
        events(&log, "pool", "ScaledUpGroup"),
        [(
            10.0,
            "Scale-up: setting group general size to 4 instead of 0 (max: 50)".to_string()
        )]
    );
    let triggered = events(&log, "pod", "TriggeredScaleUp");
    assert_eq!(triggered.len(), 7);
    assert!(
        triggered
            .iter()
            .all(|(t, m)| *t == 10.0 && m == "pod triggered scale-up: [{general 0->4 (max: 50)}]")
    );
    assert_eq!(summary["pods"]["pending_at_end"], 0);
    let a = &summary["autoscaler"];
    assert_eq!(
        (a["scale_ups"].as_u64(), a["nodes_launched"].as_u64()),
        (Some(1), Some(4))
    );
}

/// Three nodes; one Deployment pod lands on general-0 (least-allocated, ties to the earliest
/// node); general-1 and general-2 are empty from time 0.
const IDLE_NODES: &str = "name: idle
duration: 30m
cluster:
  pools:
    - { name: general, node: { cpu: 4, memory: 16Gi }, count: COUNT, autoscaling: { min: 1, max: 10 } }
autoscaler: { kind: cluster-autoscaler }
workloads:
  - name: web
    kind: Deployment
    replicas: REPLICAS
    requests: { cpu: 1, memory: 1Gi }
    BUDGET
";

#[test]
fn an_empty_node_is_removed_after_unneeded_time_plus_scan_granularity() {
    // Scans at 10, 20, … s. The empty nodes are unneeded from the scan at 10 s; removal needs
    // more than 10 min unneeded (upstream compares strictly): the first scan past 610 s is
    // 620 s. Both empty nodes go together (empty nodes first, in bulk); then the group is at
    // its min of 1 and general-0, whose pod could have moved, stays.
    let yaml = IDLE_NODES
        .replace("COUNT", "3")
        .replace("REPLICAS", "1")
        .replace("BUDGET", "");
    let (summary, log) = run(&yaml);
    assert_eq!(
        node_events(&log, "ScaleDown", "nodes removed by cluster autoscaler"),
        [
            (620.0, "general-1".to_string()),
            (620.0, "general-2".to_string())
        ]
    );
    assert_eq!(summary["autoscaler"]["scale_downs"], 2);
    // With unneeded_time 5m: the first scan past 310 s.
    let yaml = yaml.replace(
        "autoscaler: { kind: cluster-autoscaler }",
        "autoscaler: { kind: cluster-autoscaler, scale_down: { unneeded_time: 5m } }",
    );
    let (_, log) = run(&yaml);
    let times: Vec<f64> = node_events(&log, "ScaleDown", "nodes removed by cluster autoscaler")
        .into_iter()
        .map(|(t, _)| t)
        .collect();
    assert_eq!(times, [320.0, 320.0]);
}

#[test]
fn a_node_whose_pods_can_move_is_drained_unless_a_budget_forbids_it() {
    // Two nodes, one web pod on each (25% cpu). general-0's pod can move to general-1; then
    // general-1's pod has nowhere to go (general-0 is leaving). At 620 s general-0 is drained
    // through the eviction API and deleted; its pod is replaced on general-1.
    let base = IDLE_NODES.replace("COUNT", "2").replace("REPLICAS", "2");
    let (summary, log) = run(&base.replace("BUDGET", ""));
    assert_eq!(
        node_events(&log, "ScaleDown", "nodes removed by cluster autoscaler"),
        [(620.0, "general-0".to_string())]
    );
    // One pod evicted (and replaced at once, so web never has fewer than 2 ready).
    let evicted = log.0.iter().filter(|e| e.event == "Evicted").count();
    assert_eq!(evicted, 1);
    assert_eq!(summary["deployments"]["web"]["min_ready"], 2);
    // A budget that allows one disruption lets the drain through at the same time.
    let (_, log) = run(&base.replace("BUDGET", "disruption_budget: { max_unavailable: 1 }"));
    assert_eq!(
        node_events(&log, "ScaleDown", "nodes removed by cluster autoscaler"),
        [(620.0, "general-0".to_string())]
    );
    // One that allows none keeps both nodes for the whole run.
    let (summary, log) = run(&base.replace("BUDGET", "disruption_budget: { min_available: 2 }"));
    assert!(node_events(&log, "ScaleDown", "nodes removed by cluster autoscaler").is_empty());
    assert_eq!(summary["autoscaler"]["scale_downs"], 0);
    assert_eq!(summary["deployments"]["web"]["min_ready"], 2);
}

#[test]
fn a_shortage_backs_the_group_off_and_the_next_option_is_taken() {
    // spot is preferred (priority 20) but cannot launch in its only zone for the first 20
    // min: the first scan's launch fails (FailedToScaleUpGroup, a 5 min back-off) and general
    // takes the pods in the same scan. A second burst at 30 min, after the shortage, goes to
    // spot again.
    let (summary, log) = run("name: shortage
duration: 1h
cluster:
  zones: [zone-a]
  pools:
    - name: spot
      capacity_type: spot
      node: { cpu: 4, memory: 16Gi }
      count: 0
      autoscaling: { min: 0, max: 10 }
      unavailable: [ { at: 0s, duration: 20m } ]
    - { name: general, node: { cpu: 4, memory: 16Gi }, count: 0, autoscaling: { min: 0, max: 10 } }
autoscaler:
  kind: cluster-autoscaler
  expander: [priority, least-waste]
  priorities: { spot: 20, general: 10 }
workloads:
  - name: first
    kind: Batch
    arrivals: { poisson_per_hour: 36000 }
    limit: 4
    duration: 1h
    tolerations: [ { key: clustersim.io/interrupted, operator: Exists } ]
    requests: { cpu: 2, memory: 1Gi }
  - name: second
    kind: Batch
    start: 30m
    arrivals: { poisson_per_hour: 36000 }
    limit: 2
    duration: 1h
    requests: { cpu: 2, memory: 1Gi }
");
    let failed = events(&log, "pool", "FailedToScaleUpGroup");
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0].0, 10.0);
    let ups: Vec<(f64, String)> = log
        .0
        .iter()
        .filter(|e| e.event == "ScaledUpGroup")
        .map(|e| (e.time_ms as f64 / 1000.0, e.name.clone()))
        .collect();
    assert_eq!(ups[0], (10.0, "spot".to_string()));
    assert_eq!(ups[1], (10.0, "general".to_string()));
    assert!(
        ups[2..].iter().any(|(t, p)| *t > 1800.0 && p == "spot"),
        "back to spot after the shortage: {ups:?}"
    );
    assert_eq!(summary["autoscaler"]["launch_failures"], 1);
}

#[test]
fn a_node_never_ready_is_given_up_after_max_node_provision_time() {
    // Nodes take 20 min to be ready; the autoscaler gives up at 15 min (launched at 10 s:
    // ScaleUpTimedOut at 910 s), deletes the node and backs the group off for 5 min. The
    // retry at 1220 s times out at 2120 s, and the back-off doubles to 10 min (past the end).
    let (summary, log) = run("name: slow
duration: 40m
cluster:
  pools:
    - { name: general, node: { cpu: 4, memory: 16Gi }, count: 0, provisioning_delay: 20m, autoscaling: { min: 0, max: 10 } }
autoscaler: { kind: cluster-autoscaler }
workloads:
  - { name: web, kind: Deployment, replicas: 1, requests: { cpu: 1, memory: 1Gi } }
");
    let timed_out = events(&log, "pool", "ScaleUpTimedOut");
    assert_eq!(
        timed_out,
        [910.0, 2120.0].map(|t| (
            t,
            "Nodes added to group general failed to register within 15m".to_string()
        ))
    );
    // The next try comes once the back-off (until 1210 s) is over: the scan at 1220 s.
    let ups: Vec<f64> = events(&log, "pool", "ScaledUpGroup")
        .into_iter()
        .map(|(t, _)| t)
        .collect();
    assert_eq!(ups, [10.0, 1220.0]);
    assert_eq!(summary["autoscaler"]["launch_failures"], 2);
}

#[test]
fn explain_says_why_a_pending_pod_did_not_trigger_a_scale_up() {
    let dir = std::env::temp_dir().join(format!("clustersim-ca-explain-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("s.yaml");
    std::fs::write(
        &file,
        "name: too-big
duration: 10m
cluster:
  pools:
    - { name: general, node: { cpu: 4, memory: 16Gi }, count: 1, autoscaling: { min: 1, max: 3 } }
    - name: gpu
      node: { cpu: 16, memory: 64Gi, gpu: 1 }
      count: 0
      autoscaling: { min: 0, max: 2 }
      taints: [ { key: nvidia.com/gpu, value: present, effect: NoSchedule } ]
autoscaler: { kind: cluster-autoscaler }
workloads:
  - { name: huge, kind: Deployment, replicas: 1, requests: { cpu: 8, memory: 8Gi } }
",
    )
    .unwrap();
    let o = crate::clustersim(&["explain", file.to_str().unwrap(), "--pod", "huge"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    // The general group's 4-cpu template is too small; the gpu group's template is big enough
    // but tainted.
    assert!(
        text.contains(
            "cluster-autoscaler: pod didn't trigger scale-up: 1 Insufficient cpu, 1 node(s) had untolerated taint {nvidia.com/gpu: present}"
        ),
        "{text}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// (time s, pool) of every `Launched` node.
fn launches(log: &EventLog) -> Vec<(f64, String)> {
    log.0
        .iter()
        .filter(|e| e.event == "Launched")
        .map(|e| {
            (
                e.time_ms as f64 / 1000.0,
                e.name.rsplit_once('-').unwrap().0.to_string(),
            )
        })
        .collect()
}

#[test]
fn karpenter_falls_back_to_on_demand_in_a_spot_shortage_and_returns_after() {
    // Each batch pod (1.5 cpu) needs an m5.large of its own. Spot cannot launch from 10 to
    // 30 min: launches meeting the shortage skip spot for 3 min and take on-demand; from
    // 33 min on (the last skip has run out) spot is back.
    let (summary, log) = run("name: fallback
duration: 1h
cluster:
  zones: [zone-a]
  pools:
    - { name: system, node: { cpu: 1, memory: 4Gi }, count: 1 }
autoscaler:
  kind: karpenter
  node_pools:
    - name: default
      instance_types: [m5.large]
      capacity_types: [on-demand, spot]
      provisioning_delay: 30s
      unavailable: [ { at: 10m, duration: 20m } ]
workloads:
  - name: batch
    kind: Batch
    arrivals: { poisson_per_hour: 60 }
    duration: 10m
    requests: { cpu: 1500m, memory: 1Gi }
");
    let l = launches(&log);
    let spot = |p: &str| p.ends_with("-spot");
    assert!(
        l.iter().filter(|(t, _)| *t < 600.0).all(|(_, p)| spot(p)),
        "{l:?}"
    );
    let during: Vec<&(f64, String)> = l
        .iter()
        .filter(|(t, _)| *t > 600.0 && *t < 1800.0)
        .collect();
    assert!(
        !during.is_empty() && during.iter().all(|(_, p)| !spot(p)),
        "{during:?}"
    );
    let after: Vec<&(f64, String)> = l.iter().filter(|(t, _)| *t > 1980.0).collect();
    assert!(
        !after.is_empty() && after.iter().all(|(_, p)| spot(p)),
        "{after:?}"
    );
    assert!(summary["autoscaler"]["launch_failures"].as_u64().unwrap() >= 1);
    let by_type = &summary["nodes"]["by_instance_type"];
    assert_eq!(by_type["m5.large"], summary["autoscaler"]["nodes_launched"]);
}

#[test]
fn karpenter_consolidation_never_leaves_a_running_pod_pending() {
    // A burst of 24 batch pods (10 min each) brings up nodes; web's 6 replicas spread over
    // them. When the batch is done the nodes are underused: consolidation deletes the empty
    // ones and drains the rest through the eviction API, each time only where every pod fits
    // elsewhere (or on a cheaper replacement that is already ready). Web never has fewer than
    // 6 ready pods, and no sample after the burst has settled shows a pending pod.
    let yaml = "name: consolidate
duration: 2h
sample_interval: 30s
cluster:
  zones: [zone-a, zone-b]
  pools:
    - { name: system, node: { cpu: 1, memory: 4Gi }, count: 1 }
autoscaler:
  kind: karpenter
  node_pools:
    - name: default
      instance_types: [m5.large, m5.xlarge, m5.2xlarge, c5.xlarge]
      capacity_types: [spot, on-demand]
      provisioning_delay: 40s
workloads:
  - { name: web, kind: Deployment, replicas: 6, requests: { cpu: 500m, memory: 1Gi } }
  - name: burst
    kind: Batch
    arrivals: { poisson_per_hour: 36000 }
    limit: 24
    duration: 10m
    requests: { cpu: 1500m, memory: 2Gi }
";
    let scenario = load_str(yaml, "test.yaml", None, &[]).unwrap();
    let (result, log) = run_recorded(&scenario).unwrap();
    let summary = &result.summary;
    assert_eq!(summary["deployments"]["web"]["min_ready"], 6);
    assert!(summary["autoscaler"]["scale_downs"].as_u64().unwrap() >= 4);
    let disrupting = log.0.iter().filter(|e| e.event == "Disrupting").count();
    assert!(disrupting >= 4);
    for s in &result.timeseries.samples {
        if s.time.0 >= 120_000 {
            assert_eq!(s.pods_pending, 0, "pending pods at {} ms", s.time.0);
        }
    }
    assert_eq!(summary["pods"]["pending_at_end"], 0);
}

#[test]
fn karpenter_never_consolidates_a_node_running_a_do_not_disrupt_pod() {
    // Six short pods (10 min) and two long ones (2 h) arrive together and share one node.
    // Once the short ones are done the node is underused and the long pods would fit a
    // cheaper node: consolidation evicts them, unless they carry karpenter.sh/do-not-disrupt.
    let yaml = "name: dnd
duration: 1h
cluster:
  pools:
    - { name: system, node: { cpu: 1, memory: 4Gi }, count: 1 }
autoscaler:
  kind: karpenter
  node_pools:
    - { name: default, instance_types: [m5.large, m5.xlarge, m5.2xlarge, m5.4xlarge], capacity_types: [on-demand] }
workloads:
  - { name: short, kind: Batch, arrivals: { poisson_per_hour: 360000 }, limit: 6, duration: 10m, requests: { cpu: 1500m, memory: 1Gi } }
  - { name: long, kind: Batch, arrivals: { poisson_per_hour: 360000 }, limit: 2, duration: 2h, requests: { cpu: 600m, memory: 1Gi }DND }
";
    let evicted_long = |log: &EventLog| {
        log.0
            .iter()
            .filter(|e| e.event == "Evicted" && e.name.starts_with("long-"))
            .count()
    };
    let (_, log) = run(&yaml.replace("DND", ""));
    assert!(evicted_long(&log) > 0);
    let (_, log) = run(&yaml.replace("DND", ", do_not_disrupt: true"));
    assert_eq!(evicted_long(&log), 0);
}

#[test]
fn karpenter_input_errors_are_located() {
    let bad = "name: bad
duration: 1h
cluster:
  pools:
    - { name: system, node: { cpu: 1, memory: 4Gi }, count: 1 }
autoscaler:
  kind: karpenter
  expander: least-waste
  node_pools:
    - name: default
      instance_types: [m5.larg]
      capacity_types: [spot, cheap]
";
    let err = load_str(bad, "bad.yaml", None, &[])
        .unwrap_err()
        .to_string();
    for want in [
        "bad.yaml:8:3: autoscaler: field 'expander' is not valid for kind karpenter",
        "autoscaler.node_pools[0].instance_types[0]: unknown instance type 'm5.larg'",
        "did you mean 'm5.large'?",
        "autoscaler.node_pools[0].capacity_types[1]: unknown capacity type 'cheap'",
    ] {
        assert!(err.contains(want), "missing {want:?} in:\n{err}");
    }
}

#[test]
fn the_timeline_leaves_out_pools_that_never_had_a_node() {
    // A Karpenter NodePool of 3 types × 2 capacity types generates 6 pools; only those that
    // launched a node reach the chart's legend (timeseries.csv keeps every column).
    let dir = std::env::temp_dir().join(format!("clustersim-karp-plot-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("s.yaml"),
        "name: legend
duration: 30m
cluster:
  pools:
    - { name: system, node: { cpu: 1, memory: 4Gi }, count: 1 }
autoscaler:
  kind: karpenter
  node_pools:
    - { name: np, instance_types: [m5.large, m5.xlarge, m5.2xlarge], capacity_types: [spot, on-demand] }
workloads:
  - { name: web, kind: Deployment, replicas: 2, requests: { cpu: 1500m, memory: 1Gi } }
",
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
    let svg = std::fs::read_to_string(out.join("timeline.svg")).unwrap();
    let csv = std::fs::read_to_string(out.join("timeseries.csv")).unwrap();
    // The two 1.5-cpu pods share one claim: an m5.xlarge spot node (4 cpu).
    assert!(svg.contains("np-m5-xlarge-spot"));
    for unused in [
        "np-m5-large-spot",
        "np-m5-2xlarge-on-demand",
        "np-m5-large-on-demand",
    ] {
        assert!(!svg.contains(unused), "{unused} in the legend");
        assert!(csv.contains(&format!("ready_nodes.{unused}")));
    }
    let _ = std::fs::remove_dir_all(&dir);
}
