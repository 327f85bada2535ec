//! The real binary: scenarios in scenarios/ validate and run, `explain` and `binpack` work.

use std::path::{Path, PathBuf};
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_clustersim"))
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("clustersim-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn every_scenario_validates_and_runs() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    assert!(files.len() >= 3);
    for file in files {
        let out = bin().arg("validate").arg(&file).output().unwrap();
        assert!(out.status.success(), "{}: {:?}", file.display(), out);
        let dir = scratch(file.file_stem().unwrap().to_str().unwrap());
        let out = bin()
            .args(["run", "-q", "--out"])
            .arg(&dir)
            .arg(&file)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}: {:?}", file.display(), out);
        let summary = std::fs::read_to_string(dir.join("summary.json")).unwrap();
        assert!(summary.contains("unschedulable_reasons"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn explain_prints_the_failed_scheduling_message_of_a_pending_pod() {
    let out = bin()
        .args([
            "explain",
            "scenarios/taints-and-tolerations.yaml",
            "--pod",
            "api-9",
        ])
        .current_dir(root())
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "pod api-9 is pending at the end of the run: 0/6 nodes are available: \
         2 Insufficient cpu, 4 node(s) had untolerated taint {spot: true}."
    );
}

#[test]
fn explain_shows_each_nodes_verdict_and_scores_for_a_bound_pod() {
    // `batch` names the workload's first pod, batch-0.
    let out = bin()
        .args([
            "explain",
            "scenarios/taints-and-tolerations.yaml",
            "--pod",
            "batch",
        ])
        .current_dir(root())
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("pod batch-0 was scheduled on spot-0"),
        "{text}"
    );
    assert!(
        text.contains("on-demand-0: rejected by NodeResourcesFit: Insufficient cpu"),
        "{text}"
    );
    // TaintToleration 100 × 3 + LeastAllocated 81 × 1 + BalancedAllocation 93 × 1 = 474.
    assert!(text.contains("spot-0: feasible, score 474"), "{text}");
}

#[test]
fn explain_of_an_unknown_pod_is_an_input_error() {
    let out = bin()
        .args([
            "explain",
            "scenarios/taints-and-tolerations.yaml",
            "--pod",
            "nope",
        ])
        .current_dir(root())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn binpack_writes_the_results_table() {
    let dir = scratch("binpack");
    let out = bin()
        .arg("binpack")
        .arg(root().join("../shared/data/binpacking"))
        .arg("--out")
        .arg(&dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let csv = std::fs::read_to_string(dir.join("binpacking.csv")).unwrap();
    assert!(csv.starts_with("instance,items,capacity,lower_bound,best_known,FF,FFD,BFD\n"));
    assert!(csv.contains("Falkenauer_t120_00,120,1000,40,40,45,45,45\n"));
    let _ = std::fs::remove_dir_all(&dir);
}
