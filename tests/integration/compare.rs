//! `clustersim compare`: identical results for any number of worker threads, and every
//! shipped scenario runs.

use std::path::Path;

use clustersim::cli::{comparison_csv, run_compare};
use clustersim::scenario::Override;

fn set(list: &[&str]) -> Vec<Override> {
    list.iter().map(|s| Override::parse(s).unwrap()).collect()
}

#[test]
fn compare_output_is_identical_for_any_jobs() {
    let file = Path::new("scenarios/spot-vs-reserved.yaml");
    let short = set(&["duration=2d", "sample_interval=1h"]);
    let csv = |jobs| {
        let (_, results) =
            run_compare(file, &short, 3, None, Some(jobs)).unwrap_or_else(|_| panic!());
        comparison_csv(&results)
    };
    let one = csv(1);
    assert_eq!(one, csv(2));
    assert!(one.starts_with("variant,metric,mean,ci95_low,ci95_high,replicates\n"));
    for needle in [
        "all-on-demand,availability,",
        "spot-heavy,cost.by_capacity_type.spot,",
        "mixed,interruptions.notices,",
        "reserved,work.lost_core_hours,",
        "spot-heavy,pods.evicted_by_reason.SpotInterruption,",
        "mixed,cost.by_namespace.analytics,",
    ] {
        assert!(one.contains(needle), "{needle}");
    }
    // No spot node ever runs in all-on-demand: no interruption metrics at all, rather than
    // zeros that read as a calm spot market.
    assert!(!one.contains("all-on-demand,interruptions."), "{one}");
    assert!(!one.contains("reserved,interruptions."), "{one}");
}

#[test]
fn shipped_scenarios_compare() {
    for name in ["spot-fleet", "zone-outage", "gpu-burn-in"] {
        let file = format!("scenarios/{name}.yaml");
        let (_, results) = run_compare(Path::new(&file), &set(&["duration=1d"]), 2, None, Some(2))
            .unwrap_or_else(|_| panic!("{name}"));
        assert!(results.len() >= 2, "{name}");
    }
    // The outage costs the packed Deployment availability that the spread one keeps.
    let (_, r) = run_compare(
        Path::new("scenarios/zone-outage.yaml"),
        &[],
        1,
        None,
        Some(1),
    )
    .unwrap_or_else(|_| panic!());
    let avail = |i: usize| r[i].get("availability").unwrap().mean;
    assert!(
        avail(0) < 0.97 && avail(1) > 0.99,
        "{} {}",
        avail(0),
        avail(1)
    );
}

/// The heuristics scenario has one variant per placement policy and no Deployment: the table
/// holds the asked-for pending figures, the policies differ where the scenario says they do,
/// and no cost-against-availability chart is drawn (there is no availability to plot).
#[test]
fn heuristics_compare_has_no_availability_chart() {
    let out = std::env::temp_dir().join(format!("clustersim-heur-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let metrics = "pending_time_s.p95,pending_time_s.waited_fraction";
    let o = crate::clustersim(&[
        "compare",
        "scenarios/heuristics-on-a-trace.yaml",
        "--replicates",
        "1",
        "--metrics",
        metrics,
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let table = std::fs::read_to_string(out.join("table.txt")).unwrap();
    // Packing (best-fit) leaves 13 of 40 jobs waiting, p95 375 s; spreading (worst-fit)
    // 9 of 40 (22.5%), p95 900 s.
    let row = |name: &str| {
        table
            .lines()
            .find(|l| l.contains(&format!(" {name} ")))
            .unwrap_or_else(|| panic!("{name} missing:\n{table}"))
            .to_string()
    };
    assert!(row("best-fit").contains("375") && row("best-fit").contains("32.500%"));
    assert!(row("worst-fit").contains("900") && row("worst-fit").contains("22.500%"));
    assert!(table.contains("one replicate"), "{table}");
    assert!(!out.join("cost-vs-availability.png").exists());
    assert!(out.join("variants-over-time.png").exists());
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(!report.contains("Cost against availability"));
    assert!(report.contains("Over time (replicate 0)"));
    let _ = std::fs::remove_dir_all(&out);
}
