//! Same scenario + seed ⇒ byte-identical outputs; another seed ⇒ different ones.

use crate::{clustersim, scratch_dir, stderr};

fn run_into(name: &str, extra: &[&str]) -> std::path::PathBuf {
    let out = scratch_dir(name);
    let mut args = vec![
        "run",
        "scenarios/quickstart.yaml",
        "--events",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let o = clustersim(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    out
}

#[test]
fn same_seed_gives_identical_bytes_and_another_seed_differs() {
    let a = run_into("det-a", &[]);
    let b = run_into("det-b", &[]);
    let c = run_into("det-c", &["--seed", "8"]);
    for file in [
        "summary.json",
        "timeseries.csv",
        "events.csv",
        "timeline.svg",
    ] {
        let fa = std::fs::read(a.join(file)).unwrap();
        let fb = std::fs::read(b.join(file)).unwrap();
        assert!(
            fa == fb,
            "{file} differs between two runs with the same seed"
        );
    }
    for file in ["timeseries.csv", "events.csv"] {
        assert_ne!(
            std::fs::read(a.join(file)).unwrap(),
            std::fs::read(c.join(file)).unwrap(),
            "{file} ignores the seed"
        );
    }
}

#[test]
fn adding_a_workload_does_not_shift_another_workloads_draws() {
    // One random stream per component: a new Deployment leaves the batch arrival times alone.
    let base = run_into("streams-a", &["--set", "cluster.pools.general.count=40"]);
    let more = run_into(
        "streams-b",
        &[
            "--set",
            "cluster.pools.general.count=40",
            "--set",
            "workloads.web.replicas=20",
        ],
    );
    let submits = |dir: &std::path::Path| -> Vec<String> {
        std::fs::read_to_string(dir.join("events.csv"))
            .unwrap()
            .lines()
            .filter(|l| l.contains(",batch-") && l.contains(",Submitted,"))
            .map(String::from)
            .collect()
    };
    let (a, b) = (submits(&base), submits(&more));
    assert!(a.len() > 100);
    assert_eq!(a, b);
}

#[test]
fn committed_results_are_what_the_bundled_scenario_produces() {
    // results/quickstart is made by scripts/regenerate-results; a change that alters the
    // outputs must regenerate it, so what the README shows is what the code does.
    let out = run_into("committed", &[]);
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("results/quickstart");
    for file in ["summary.json", "timeseries.csv", "events.csv"] {
        let fresh = std::fs::read(out.join(file)).unwrap();
        let committed = std::fs::read(root.join(file)).unwrap();
        assert!(
            fresh == committed,
            "results/quickstart/{file} is not what the code produces: run scripts/regenerate-results"
        );
    }
}

#[test]
fn without_out_a_run_writes_under_out_not_results() {
    let dir = scratch_dir("default-out");
    let scenario =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/quickstart.yaml");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_clustersim"))
        .args(["run", "-q", "--until", "10m"])
        .arg(&scenario)
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(dir.join("out/quickstart/summary.json").is_file());
    assert!(!dir.join("results").exists());
}

#[test]
fn committed_comparison_is_what_compare_produces() {
    // results/spot-vs-reserved/compare is made by scripts/regenerate-results, as above.
    let file = std::path::Path::new("scenarios/spot-vs-reserved.yaml");
    let (_, results) = clustersim::cli::run_compare(file, &[], 10, None, Some(2))
        .unwrap_or_else(|_| panic!("compare runs"));
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let committed =
        std::fs::read_to_string(root.join("results/spot-vs-reserved/compare/comparison.csv"))
            .unwrap();
    assert!(
        clustersim::cli::comparison_csv(&results) == committed,
        "results/spot-vs-reserved/compare/comparison.csv is not what the code produces: run \
         scripts/regenerate-results"
    );
}
