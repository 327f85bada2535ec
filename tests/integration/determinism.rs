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
