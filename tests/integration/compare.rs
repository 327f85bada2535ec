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
