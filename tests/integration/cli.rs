//! `clustersim run`, `validate` and `schema` as a user runs them.

use crate::{clustersim, read_json, scratch_dir, stderr, stdout};

#[test]
fn run_quickstart_writes_every_output() {
    let out = scratch_dir("quickstart");
    let o = clustersim(&[
        "run",
        "scenarios/quickstart.yaml",
        "--out",
        out.to_str().unwrap(),
        "--events",
    ]);
    assert!(o.status.success(), "stderr: {}", stderr(&o));
    for file in [
        "summary.json",
        "timeseries.csv",
        "events.csv",
        "timeline.png",
        "timeline.svg",
    ] {
        let meta = std::fs::metadata(out.join(file)).unwrap_or_else(|_| panic!("{file} written"));
        assert!(meta.len() > 0, "{file} is empty");
    }
    let leftovers: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");

    let s = read_json(&out.join("summary.json"));
    for key in [
        "/scenario",
        "/seed",
        "/sim_time_s",
        "/events_processed",
        "/pods/submitted",
        "/pods/scheduled",
        "/pods/completed",
        "/pods/evicted",
        "/pods/pending_at_end",
        "/pending_time_s/mean",
        "/pending_time_s/p50",
        "/pending_time_s/p95",
        "/pending_time_s/p99",
        "/pending_time_s/max",
        "/pending_time_s/waited_fraction",
        "/nodes/ready_mean",
        "/nodes/peak_used",
        "/utilization/cpu_mean",
        "/utilization/memory_mean",
        "/cost/total_usd",
        "/cost/by_pool/general",
        "/deployments/web/availability",
    ] {
        assert!(s.pointer(key).is_some(), "summary.json lacks {key}");
    }
    assert_eq!(s["scenario"], "quickstart");
    assert_eq!(s["seed"], 7);
    assert_eq!(s["sim_time_s"], 7200.0);
    // 4 on-demand nodes at $0.384/h for 2 h, always up.
    assert!((s["cost"]["total_usd"].as_f64().unwrap() - 4.0 * 0.384 * 2.0).abs() < 1e-9);
    assert_eq!(s["nodes"]["ready_mean"], 4.0);
    // Six web replicas fit at once on 32 free cores: always available.
    assert_eq!(s["deployments"]["web"]["availability"], 1.0);
    let submitted = s["pods"]["submitted"].as_u64().unwrap();
    assert!(
        submitted > 200,
        "about 240 batch pods arrive in 2 h, plus 6 web pods: {submitted}"
    );

    // One row per minute from 0 to 2 h inclusive, plus the header.
    let ts = std::fs::read_to_string(out.join("timeseries.csv")).unwrap();
    assert!(ts.starts_with("time_s,ready_nodes.general,pods_running,pods_pending,cpu_allocated,memory_allocated,cost_usd,ready.web\n"));
    assert_eq!(ts.lines().count(), 1 + 121);

    let events = std::fs::read_to_string(out.join("events.csv")).unwrap();
    assert!(events.starts_with("time_s,object,name,event,node,message\n"));
    assert!(events.contains(",pod,web-0,Scheduled,general-0,"));
    let png = std::fs::read(out.join("timeline.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let svg = std::fs::read_to_string(out.join("timeline.svg")).unwrap();
    assert!(svg.contains("quickstart"), "title rendered");

    // The terminal summary names the headline numbers.
    let table = stdout(&o);
    assert!(
        table.contains("pods submitted") && table.contains("web availability"),
        "{table}"
    );
}

#[test]
fn run_honours_seed_until_and_set() {
    let out = scratch_dir("overrides");
    let o = clustersim(&[
        "run",
        "scenarios/quickstart.yaml",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
        "--seed",
        "11",
        "--until",
        "30m",
        "--set",
        "cluster.pools.general.count=2",
    ]);
    assert!(o.status.success(), "stderr: {}", stderr(&o));
    assert!(stdout(&o).is_empty(), "--quiet prints nothing");
    let s = read_json(&out.join("summary.json"));
    assert_eq!(s["seed"], 11);
    assert_eq!(s["sim_time_s"], 1800.0);
    assert_eq!(s["nodes"]["ready_mean"], 2.0);
}

#[test]
fn validate_accepts_the_bundled_scenarios() {
    let o = clustersim(&["validate", "scenarios/quickstart.yaml"]);
    assert!(o.status.success(), "stderr: {}", stderr(&o));
    assert!(stdout(&o).contains("quickstart.yaml: ok"));
}

#[test]
fn validate_reports_every_error_with_line_column_and_path() {
    let dir = scratch_dir("bad-scenario");
    let bad = dir.join("bad.yaml");
    std::fs::write(
        &bad,
        "name: bad\nseed: 7\nduration: 2hours\ncluster:\n  zones: [zone-a]\n  pools:\n    - name: general\n      capacity_type: on-demand\n      node: { cpus: 8, memory: 32Gi }\n      count: -1\n      zones: [zone-c]\nworkloads:\n  - name: web\n    kind: Deployment\n    replicas: 6\n    requests: { cpu: 500x }\n",
    )
    .unwrap();
    let o = clustersim(&["validate", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "bad input exits 2");
    let err = stderr(&o);
    let file = bad.to_str().unwrap();
    for expected in [
        format!("{file}:3:11: duration: '2hours': unknown time unit 'hours'"),
        format!(
            "{file}:9:15: cluster.pools[0].node: unknown field 'cpus', expected one of cpu, memory, gpu"
        ),
        format!("{file}:10:14: cluster.pools[0].count: must not be negative"),
        format!("{file}:11:15: cluster.pools[0].zones[0]: unknown zone 'zone-c'"),
        format!("{file}:16:22: workloads[0].requests.cpu: '500x' is not a cpu quantity"),
    ] {
        assert!(err.contains(&expected), "missing `{expected}` in:\n{err}");
    }
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn bad_input_never_panics_and_exits_2() {
    let dir = scratch_dir("bad-inputs");
    let cases: &[(&str, &str)] = &[
        ("empty.yaml", ""),
        ("not-a-map.yaml", "- 1\n- 2\n"),
        ("syntax.yaml", "name: [unclosed\n"),
        (
            "huge.yaml",
            "name: x\nduration: 1h\ncluster:\n  pools:\n    - {name: p, node: {cpu: 1}, count: 999999999999}\n",
        ),
        ("binary.yaml", "\u{0}\u{1}\u{2}"),
    ];
    for (name, text) in cases {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        for cmd in ["validate", "run"] {
            let o = clustersim(&[cmd, path.to_str().unwrap(), "--set", "seed=1"]);
            assert_eq!(o.status.code(), Some(2), "{cmd} {name}: {}", stderr(&o));
            assert!(
                !stderr(&o).contains("panicked"),
                "{cmd} {name}: {}",
                stderr(&o)
            );
            assert!(
                stderr(&o).contains(name),
                "{cmd} {name}: the error names the file: {}",
                stderr(&o)
            );
        }
    }
    let missing = clustersim(&["run", "no/such/file.yaml"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("no/such/file.yaml"));
    // Every run below gets a scratch --out, so a check that fails to refuse never writes into
    // the repository's out/.
    let out = scratch_dir("refused-runs");
    let out = out.to_str().unwrap();
    let bad_until = clustersim(&[
        "run",
        "scenarios/quickstart.yaml",
        "--until",
        "soon",
        "--out",
        out,
    ]);
    assert_eq!(bad_until.status.code(), Some(2));
    let absurd_until = clustersim(&[
        "run",
        "scenarios/quickstart.yaml",
        "--until",
        "36500d",
        "--out",
        out,
    ]);
    assert_eq!(
        absurd_until.status.code(),
        Some(2),
        "{}",
        stderr(&absurd_until)
    );
    assert!(stderr(&absurd_until).contains("the limit is"));
    let bad_set = clustersim(&[
        "run",
        "scenarios/quickstart.yaml",
        "--set",
        "no-equals-sign",
        "--out",
        out,
    ]);
    assert_eq!(bad_set.status.code(), Some(2));
    let unknown_policy = clustersim(&[
        "validate",
        "scenarios/quickstart.yaml",
        "--set",
        "scheduler.policy=least-alocated",
    ]);
    assert_eq!(unknown_policy.status.code(), Some(2));
    assert!(
        stderr(&unknown_policy).contains("did you mean 'least-allocated'"),
        "{}",
        stderr(&unknown_policy)
    );
    let bad_flag = clustersim(&["run", "--no-such-flag"]);
    assert_eq!(bad_flag.status.code(), Some(2));
}

#[test]
fn schema_is_json_and_names_the_fields() {
    let o = clustersim(&["schema"]);
    assert!(o.status.success());
    let schema: serde_json::Value = serde_json::from_slice(&o.stdout).expect("schema is JSON");
    assert!(schema.pointer("/properties/cluster").is_some());
    assert!(schema.pointer("/properties/workloads").is_some());
    assert_eq!(schema["additionalProperties"], false);
}

/// The value in the summary table's row `label`.
fn table_value(table: &str, label: &str) -> Option<String> {
    table.lines().find_map(|line| {
        let cells: Vec<&str> = line.trim_matches('│').split('┆').map(str::trim).collect();
        (cells.len() == 2 && cells[0] == label).then(|| cells[1].to_string())
    })
}

/// Writes `text` as `name` in a fresh directory and returns its path.
fn scenario_file(dir: &str, name: &str, text: &str) -> std::path::PathBuf {
    let path = scratch_dir(dir).join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn time_zero_has_one_scheduling_pass_so_priority_wins() {
    // A 1-cpu node; a priority-0 Deployment pod (submitted at start) and a priority-100 trace
    // pod at time 0. With one pass after every time-0 event, the queue order decides.
    let dir = scratch_dir("t0-pass");
    std::fs::write(
        dir.join("pods.csv"),
        "submit_time,cpu,memory,duration,name,priority\n0,1,0,,hi,100\n",
    )
    .unwrap();
    let file = dir.join("t0.yaml");
    std::fs::write(
        &file,
        "name: t0\nduration: 1m\ncluster:\n  pools:\n    - {name: p, node: {cpu: 1, memory: 1Gi}, count: 1}\nscheduler: {queue: priority}\nworkloads:\n  - {name: low, kind: Deployment, replicas: 1, requests: {cpu: 1}}\n  - {name: trace, kind: Trace, path: pods.csv}\n",
    )
    .unwrap();
    let out = dir.join("out");
    let o = clustersim(&[
        "run",
        file.to_str().unwrap(),
        "--events",
        "-q",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let events = std::fs::read_to_string(out.join("events.csv")).unwrap();
    assert!(events.contains(",pod,hi,Scheduled,p-0,"), "{events}");
    assert!(events.contains(",pod,low-0,FailedScheduling,"), "{events}");
}

#[test]
fn names_that_are_not_file_names_are_refused() {
    for bad in ["/", "../x", ".", "a/b"] {
        let file = scenario_file(
            "bad-name",
            "s.yaml",
            &format!(
                "name: \"{bad}\"\nduration: 1h\ncluster:\n  pools: [{{name: p, node: {{cpu: 1}}, count: 1}}]\n"
            ),
        );
        let o = clustersim(&["validate", file.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{bad}");
        assert!(
            stderr(&o).contains("cannot name the output directory"),
            "{bad}: {}",
            stderr(&o)
        );
    }
}

#[test]
fn absurd_pod_counts_and_cluster_sizes_are_refused_before_running() {
    let flood = scenario_file(
        "flood",
        "s.yaml",
        "name: flood\nduration: 1h\ncluster:\n  pools: [{name: p, node: {cpu: 1}, count: 1}]\nworkloads:\n  - {name: b, kind: Batch, arrivals: {poisson_per_hour: 1e9}, duration: 1s, requests: {cpu: 1}}\n",
    );
    let out = scratch_dir("refused-flood");
    let o = clustersim(&[
        "run",
        flood.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("pods would be created"),
        "{}",
        stderr(&o)
    );
    let huge = scenario_file(
        "huge-cluster",
        "s.yaml",
        "name: huge\nduration: 1h\ncluster:\n  pools: [{name: p, node: {cpu: 1, memory: 4Pi}, count: 5000}]\n",
    );
    let o = clustersim(&[
        "run",
        huge.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("absurd amount of memory"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn settings_that_cannot_work_are_refused() {
    let dir = scratch_dir("cannot-work");
    std::fs::write(dir.join("prices.csv"), "time_s,price_per_hour\n0,1\n").unwrap();
    let file = dir.join("s.yaml");
    std::fs::write(
        &file,
        "name: x\nduration: 1h\ncluster:\n  pools:\n    - {name: r, capacity_type: reserved, node: {cpu: 1, memory: 1Gi}, count: 1, price_trace: prices.csv}\n    - {name: g, node: {cpu: 1, memory: 1Gi}, count: 1, mtbf: 1h, burn_in: {duration: 0s, failure_probability: 1}}\n",
    )
    .unwrap();
    let o = clustersim(&["validate", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    // A reserved pool's price is its commitment; a burn-in nothing passes would relaunch forever.
    assert!(
        err.contains("a price trace is for on-demand and spot pools"),
        "{err}"
    );
    assert!(
        err.contains("failure_probability: must be at most 0.99, found 1"),
        "{err}"
    );
}

#[test]
fn validate_checks_every_variant() {
    let dir = scratch_dir("bad-variant");
    let file = dir.join("v.yaml");
    std::fs::write(
        &file,
        "name: v\nduration: 1h\ncluster:\n  pools:\n    - {name: general, node: {cpu: 1, memory: 1Gi}, count: 1}\nvariants:\n  - {name: fine, set: {cluster.pools.general.count: 2}}\n  - {name: broken, set: {cluster.pools.general.count: -3}}\n",
    )
    .unwrap();
    let o = clustersim(&["validate", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("(in variant 'broken')"),
        "{}",
        stderr(&o)
    );
    assert!(!stderr(&o).contains("'fine'"), "{}", stderr(&o));
}

#[test]
fn pods_that_never_fit_are_censored_waits_not_zero_waits() {
    // One 4-cpu node. `web` (2 × 1 cpu) binds at time 0 and waits 0; `giant` (13 × 8 cpu) never
    // fits, so its 13 pods are still pending after 1 h: censored waits of 3600 s each.
    let file = scenario_file(
        "censored",
        "s.yaml",
        "name: censored\nduration: 1h\ncluster:\n  pools: [{name: p, node: {cpu: 4, memory: 16Gi}, count: 1}]\nworkloads:\n  - {name: web, kind: Deployment, replicas: 2, requests: {cpu: 1, memory: 1Gi}}\n  - {name: giant, kind: Deployment, namespace: big, priority: 5, replicas: 13, requests: {cpu: 8, memory: 1Gi}}\n",
    );
    let out = scratch_dir("censored-out");
    let o = clustersim(&[
        "run",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let s = read_json(&out.join("summary.json"));
    let p = &s["pending_time_s"];
    // The scheduled pods alone: 2 pods, no wait.
    assert_eq!(p["scheduled"], 2);
    assert_eq!(p["mean"], 0.0);
    assert_eq!(p["waited_fraction"], 0.0);
    assert_eq!(p["censored"]["count"], 13);
    assert_eq!(p["censored"]["wait_so_far"]["mean"], 3600.0);
    assert_eq!(p["censored"]["wait_so_far"]["max"], 3600.0);
    // (2·0 + 13·3600) / 15 = 3120 s; 13 of 15 pods waited.
    assert_eq!(p["mean_with_censored_at_least"], 3120.0);
    assert_eq!(p["waited_fraction_with_censored"], 13.0 / 15.0);
    // Groups: giant had no pod scheduled, so it has no scheduled statistics at all.
    let giant = &p["by_workload"]["giant"];
    assert_eq!(giant["scheduled"], 0);
    assert!(giant.get("mean").is_none(), "{giant}");
    assert_eq!(giant["censored"]["count"], 13);
    assert_eq!(p["by_workload"]["web"]["censored"]["count"], 0);
    assert_eq!(p["by_namespace"]["big"]["censored"]["count"], 13);
    assert_eq!(p["by_namespace"]["default"]["scheduled"], 2);
    assert_eq!(p["by_priority"]["5"]["censored"]["count"], 13);
    assert_eq!(p["by_priority"]["0"]["scheduled"], 2);
    // The table says so.
    let table = stdout(&o);
    for (label, value) in [
        ("never scheduled (censored)", "13"),
        ("censored wait so far, mean (s)", "3600"),
        ("pending time mean with censored, at least (s)", "3120"),
        ("share of pods that waited, with censored", "86.7%"),
        ("share of scheduled pods that waited", "0.0%"),
    ] {
        assert_eq!(
            table_value(&table, label).as_deref(),
            Some(value),
            "{table}"
        );
    }
    // `giant` is never available; `web` is from time 0.
    assert_eq!(s["deployments"]["giant"]["availability"], 0.0);
    assert!(s["deployments"]["giant"].get("converged_s").is_none());
    assert_eq!(s["deployments"]["web"]["converged_s"], 0.0);
    // What cannot apply is absent, not 0: no pool can be interrupted or fail, no batch work,
    // no pod completed.
    assert!(s.get("interruptions").is_none(), "{s}");
    assert!(s["nodes"].get("failures").is_none(), "{s}");
    assert!(s["nodes"].get("burn_in_failures").is_none(), "{s}");
    assert!(s.get("work").is_none(), "{s}");
    assert!(s["cost"].get("per_completed_pod_usd").is_none(), "{s}");
    assert!(s["rescheduling"].get("wait_s").is_none(), "{s}");
}

#[test]
fn validate_and_run_warn_about_likely_mistakes_without_failing() {
    // Line 6: a node of 32 bytes. Line 12: `big` asks 8 cpu of nodes with 4 and 2. Line 17:
    // `ssd` asks 500 cores. The trace (line 19) has a row too big for any node and a row of 64
    // bytes of memory.
    let dir = scratch_dir("warnings");
    std::fs::write(
        dir.join("pods.csv"),
        "submit_time,cpu,memory,duration,name\n0,1,1Gi,60,ok\n0,64,1Gi,60,huge\n0,1,64,60,tiny\n",
    )
    .unwrap();
    let file = dir.join("w.yaml");
    std::fs::write(
        &file,
        "name: warn\nduration: 1h\ncluster:\n  pools:\n    - name: general\n      node: { cpu: 4, memory: 32 }\n      count: 1\n    - name: small\n      node: { cpu: 2, memory: 8Gi }\n      count: 1\nworkloads:\n  - name: big\n    kind: Deployment\n    replicas: 1\n    requests: { cpu: 8, memory: 1Gi }\n  - name: ssd\n    kind: Deployment\n    replicas: 1\n    requests: { cpu: 500, memory: 1Gi }\n  - { name: jobs, kind: Trace, path: pods.csv }\n",
    )
    .unwrap();
    let f = file.to_str().unwrap();
    let csv = dir.join("pods.csv");
    let csv = csv.display();
    let expected = [
        format!(
            "warning: {f}:6:31: cluster.pools[0].node.memory: 32 bytes of memory for a node; a memory value without a unit is bytes: did you mean 32Gi or 32Mi?"
        ),
        format!(
            "warning: {f}:12:5: workloads[0]: the pods of 'big' can never fit any pool: general (nodes too small: cpu 8 > 4, memory 1Gi > 32); small (nodes too small: cpu 8 > 2)"
        ),
        format!(
            "warning: {f}:16:5: workloads[1]: the pods of 'ssd' can never fit any pool: general (nodes too small: cpu 500 > 4, memory 1Gi > 32); small (nodes too small: cpu 500 > 2)"
        ),
        format!(
            "warning: {f}:19:22: workloads[1].requests.cpu: 500 cores for a pod; a cpu value without a unit is cores: did you mean 500m?"
        ),
        format!(
            "warning: {f}:20:38: workloads[2]: 1 of the 3 pods of 'jobs' ({csv}) can never fit any pool; the first, huge: general (nodes too small: cpu 64 > 4, memory 1Gi > 32); small (nodes too small: cpu 64 > 2)"
        ),
        format!(
            "warning: {f}:20:38: workloads[2]: 1 of the 3 pods of 'jobs' ({csv}) ask for less than 1Mi of memory; a memory value without a unit is bytes (1Gi, 512Mi)"
        ),
    ];
    let out = dir.join("out");
    for args in [
        vec!["validate", f],
        vec!["run", f, "-q", "--out", out.to_str().unwrap()],
    ] {
        let o = clustersim(&args);
        assert!(
            o.status.success(),
            "{args:?}: warnings do not fail: {}",
            stderr(&o)
        );
        let err = stderr(&o);
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(lines, expected, "{args:?}");
    }
}
