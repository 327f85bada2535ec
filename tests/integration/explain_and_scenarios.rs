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
    // TaintToleration 100 × 3 + LeastAllocated 81 × 1 + BalancedAllocation 93 × 1 = 474. (The
    // pods tolerate the spot taint, so no feasible node has an untolerated PreferNoSchedule
    // taint: all 100 after normalization.)
    assert!(text.contains("spot-0: feasible, score 474"), "{text}");
    // No preferred node affinity and no soft spread: both skipped at PreScore, as upstream.
    assert!(
        text.contains("(not scored, skipped at PreScore: NodeAffinity, PodTopologySpread)"),
        "{text}"
    );
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
    // Two BPPLIB files with hand-checked answers, and an index with their optima.
    // hand: [6, 4, 6, 4] in bins of 10: lower bound 20/10 = 2, and every heuristic finds 2.
    // t6: two exact triplets, 490+255+255 and 380+310+310. In file order FF fills them: 2 bins.
    // Sorted, 490+380 = 870 takes no 310 or 255; 310+310+255 = 875; the last 255 opens a
    // third bin, for FFD and BFD alike.
    let input = scratch("binpack-in");
    std::fs::create_dir_all(&input).unwrap();
    std::fs::write(input.join("hand.txt"), "4\n10\n6\n4\n6\n4\n").unwrap();
    std::fs::write(input.join("t6.txt"), "6 1000 490 255 255 380 310 310\n").unwrap();
    std::fs::write(
        input.join("index.csv"),
        "instance,best_known\nhand,2\nt6,2\n",
    )
    .unwrap();
    let dir = scratch("binpack");
    let out = bin()
        .arg("binpack")
        .arg(&input)
        .arg("--out")
        .arg(&dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let csv = std::fs::read_to_string(dir.join("binpacking.csv")).unwrap();
    assert_eq!(
        csv,
        "instance,items,capacity,lower_bound,best_known,FF,FFD,BFD\n\
         hand,4,10,2,2,2,2,2\n\
         t6,6,1000,2,2,2,3,3\n"
    );
    let md = std::fs::read_to_string(dir.join("binpacking.md")).unwrap();
    assert!(md.contains("| **total** | | 4 | 4 | 4 | 5 | 5 |"), "{md}");
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&input);
}

#[test]
fn binpack_on_the_shared_falkenauer_instances() {
    let Some(data) = crate::shared_data("binpacking") else {
        return;
    };
    let dir = scratch("binpack-shared");
    let out = bin()
        .arg("binpack")
        .arg(data)
        .arg("--out")
        .arg(&dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let csv = std::fs::read_to_string(dir.join("binpacking.csv")).unwrap();
    assert!(csv.contains("Falkenauer_t120_00,120,1000,40,40,45,45,45\n"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The timeline marks what happened: spot notices on a spot-heavy fleet, a zone outage as a
/// band with its end, and none of them where nothing happened.
#[test]
fn timelines_mark_spot_notices_and_zone_outages() {
    let dir = scratch("marks");
    let run = |args: &[&str], out: &str| {
        let out = dir.join(out);
        let mut a = args.to_vec();
        a.extend(["--quiet", "--out", out.to_str().unwrap()]);
        let o = super::clustersim(&a);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        std::fs::read_to_string(out.join("timeline.svg")).unwrap()
    };
    let spot = run(
        &[
            "run",
            "scenarios/spot-vs-reserved.yaml",
            "--variant",
            "spot-heavy",
        ],
        "spot",
    );
    assert!(spot.contains("spot notice"), "no spot notice mark");
    let outage = run(&["run", "scenarios/zone-outage.yaml"], "zone");
    assert!(outage.contains("zone outage") && outage.contains("zone back"));
    let quiet = run(&["run", "scenarios/quickstart.yaml"], "quiet");
    assert!(!quiet.contains("spot notice") && !quiet.contains("zone outage"));
}
