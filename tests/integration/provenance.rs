//! `summary.json` says what produced it, and `run --variant` runs a variant as `compare` does.

use clustersim::rng::fnv1a64;

use crate::{clustersim, read_json, scratch_dir, stderr};

fn hex(bytes: &[u8]) -> String {
    format!("{:016x}", fnv1a64(bytes))
}

#[test]
fn summary_records_version_seed_overrides_and_input_hashes() {
    let out = scratch_dir("provenance");
    let o = clustersim(&[
        "run",
        "scenarios/trace-replay.yaml",
        "-q",
        "--seed",
        "5",
        "--set",
        "cluster.pools.general.count=3",
        "--set",
        "duration=1h",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let s = read_json(&out.join("summary.json"));
    assert_eq!(s["seed"], 5);
    let p = &s["provenance"];
    assert_eq!(p["clustersim_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(
        p["set"],
        serde_json::json!(["cluster.pools.general.count=3", "duration=1h"])
    );
    assert!(p.get("variant").is_none(), "{p}");
    // The scenario file and the trace it loads, each with the FNV-1a 64 hash of its bytes.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let yaml = std::fs::read(root.join("scenarios/trace-replay.yaml")).unwrap();
    let csv = std::fs::read(root.join("scenarios/traces/sample-pods.csv")).unwrap();
    assert_eq!(
        p["inputs"],
        serde_json::json!([
            { "file": "scenarios/trace-replay.yaml", "fnv1a64": hex(&yaml) },
            { "file": "scenarios/traces/sample-pods.csv", "fnv1a64": hex(&csv) },
        ])
    );
}

/// `summary.json` of a run, without its provenance.
fn outcome(args: &[&str], name: &str) -> serde_json::Value {
    let out = scratch_dir(name);
    let mut all = args.to_vec();
    all.extend(["-q", "--out", out.to_str().unwrap()]);
    let o = clustersim(&all);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut s = read_json(&out.join("summary.json"));
    let p = s.as_object_mut().unwrap().remove("provenance").unwrap();
    serde_json::json!({ "summary": s, "provenance": p })
}

#[test]
fn run_variant_is_the_variant_s_overrides_then_the_command_line_s() {
    let file = "scenarios/spot-vs-reserved.yaml";
    let variant = outcome(
        &[
            "run",
            file,
            "--variant",
            "spot-heavy",
            "--set",
            "duration=1d",
        ],
        "variant",
    );
    let by_hand = outcome(
        &[
            "run",
            file,
            "--set",
            "cluster.pools.general.count=2",
            "--set",
            "cluster.pools.spot.count=14",
            "--set",
            "cluster.pools.reserved.count=0",
            "--set",
            "duration=1d",
        ],
        "variant-by-hand",
    );
    assert_eq!(variant["summary"], by_hand["summary"]);
    // Two on-demand nodes that never fail, at $0.768/h for 24 h = $36.864.
    let general = variant["summary"]["cost"]["by_pool"]["general"]
        .as_f64()
        .unwrap();
    assert!((general - 2.0 * 0.768 * 24.0).abs() < 1e-9, "{general}");
    let p = &variant["provenance"];
    assert_eq!(p["variant"], "spot-heavy");
    assert_eq!(
        p["variant_set"],
        serde_json::json!([
            "cluster.pools.general.count=2",
            "cluster.pools.spot.count=14",
            "cluster.pools.reserved.count=0"
        ])
    );
    assert_eq!(p["set"], serde_json::json!(["duration=1d"]));
}

#[test]
fn variant_overrides_may_be_mappings_and_lists() {
    let dir = scratch_dir("variant-maps");
    let file = dir.join("v.yaml");
    std::fs::write(
        &file,
        "name: v\nduration: 1h\ncluster:\n  zones: [zone-a, zone-b]\n  pools:\n    - {name: general, node: {cpu: 4, memory: 16Gi}, count: 2}\nworkloads:\n  - {name: web, kind: Deployment, replicas: 2, requests: {cpu: 1, memory: 1Gi}}\nvariants:\n  - name: big\n    set: { workloads.web.requests: {cpu: 2, memory: 2Gi}, cluster.zones: [zone-a], workloads.web.labels: {app: \"true\"} }\n",
    )
    .unwrap();
    let f = file.to_str().unwrap();
    let o = clustersim(&["validate", f]);
    assert!(o.status.success(), "{}", stderr(&o));
    let big = outcome(&["run", f, "--variant", "big"], "variant-maps-run");
    // 2 pods × 2 cpu on 2 nodes × 4 cpu: half the cpu, all the time.
    assert_eq!(big["summary"]["utilization"]["cpu_mean"], 0.5);
    assert_eq!(
        big["provenance"]["variant_set"],
        serde_json::json!([
            "workloads.web.requests={\"cpu\": 2, \"memory\": \"2Gi\"}",
            "cluster.zones=[\"zone-a\"]",
            "workloads.web.labels={\"app\": \"true\"}"
        ])
    );
    // An unknown variant is an input error that lists the others.
    let o = clustersim(&["run", f, "--variant", "bigg"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("has no variant 'bigg'; its variants are big; did you mean 'big'?"),
        "{}",
        stderr(&o)
    );
}
