//! Loader tests for the failure, spot and variant fields.

use super::*;
use crate::dist::DurationDist;
use crate::time::{SimDuration, SimTime};

const BASE: &str = "\
name: spot
duration: 1d
cluster:
  zones: [zone-a, zone-b]
  pools:
    - name: spot
      capacity_type: spot
      node: { cpu: 16, memory: 64Gi }
      price_per_hour: 0.23
      count: 20
      provisioning_delay: { uniform: { min: 60s, max: 180s } }
      replace: on-termination
      interruption:
        frequency: \"5-10%\"
        notice: 30s
        waves:
          mean_time_between: 7d
          share: { uniform: { min: 0.2, max: 0.6 } }
      mtbf: 30d
      repair: { exponential: { mean: 10m } }
      burn_in: { duration: 20m, failure_probability: 0.1 }
      unavailable:
        - { zone: zone-b, at: 2h, duration: 30m }
        - { mean_time_between: 3d, duration: 1h }
workloads:
  - name: batch
    kind: Batch
    arrivals: { poisson_per_hour: 10 }
    duration: 1h
    checkpoint_interval: 10m
    termination_grace_period: 60s
events:
  - at: 6h
    zone_outage: { zone: zone-b, duration: 45m }
variants:
  - name: none
    set: { cluster.pools.spot.count: 0, duration: 2h }
";

fn load(text: &str) -> Result<Scenario, InputErrors> {
    load_str(text, "spot.yaml", None, &[])
}

fn errors(text: &str) -> Vec<String> {
    match load(text) {
        Ok(_) => panic!("expected errors"),
        Err(e) => e.0.iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn every_failure_field_is_read() {
    let s = load(BASE).unwrap();
    let f = &s.cluster.pool_failures[0];
    assert_eq!(f.replace, ReplacePolicy::OnTermination);
    let i = f.interruption.as_ref().unwrap();
    // 5-10% → midpoint 7.5% a month: mean = 30d / −ln(0.925) ≈ 384.8 days.
    let mean_days = i.mean_time_between.unwrap().as_secs_f64() / 86_400.0;
    assert!(
        (mean_days - 30.0 / -(0.925f64).ln()).abs() < 1e-6,
        "{mean_days}"
    );
    assert_eq!(i.notice, SimDuration::from_secs(30));
    let w = i.waves.as_ref().unwrap();
    assert_eq!(w.mean_time_between, SimDuration::from_secs(7 * 86_400));
    assert_eq!(w.share, ShareDist::Uniform { min: 0.2, max: 0.6 });
    assert_eq!(f.mtbf, Some(SimDuration::from_secs(30 * 86_400)));
    assert_eq!(
        f.repair,
        Some(DurationDist::Exponential {
            mean: SimDuration::from_secs(600)
        })
    );
    assert_eq!(f.burn_in.as_ref().unwrap().failure_probability, 0.1);
    assert_eq!(f.unavailable.len(), 2);
    assert_eq!(f.unavailable[0].zone, Some(1));
    assert_eq!(
        f.unavailable[0].when,
        WindowTiming::At(SimTime(2 * 3_600_000))
    );
    assert_eq!(f.unavailable[1].zone, None);
    assert_eq!(
        s.events,
        vec![ClusterEvent::ZoneOutage {
            at: SimTime(6 * 3_600_000),
            zone: 1,
            duration: SimDuration::from_secs(45 * 60)
        }]
    );
    assert_eq!(s.variants.len(), 1);
    assert_eq!(
        s.variants[0].set,
        vec![
            ("cluster.pools.spot.count".to_string(), "0".to_string()),
            ("duration".to_string(), "2h".to_string())
        ]
    );
    let t = &s.workloads[0].template;
    assert_eq!(t.checkpoint_interval, Some(SimDuration::from_secs(600)));
    assert_eq!(t.termination_grace_period, SimDuration::from_secs(60));
}

#[test]
fn defaults_when_absent() {
    let text = BASE.replace("      replace: on-termination\n", "");
    let s = load(&text).unwrap();
    assert_eq!(s.cluster.pool_failures[0].replace, ReplacePolicy::OnNotice);
    let minimal = "name: x\nduration: 1h\ncluster:\n  pools:\n    - { name: p, node: { cpu: 1, memory: 1Gi }, count: 1 }\nworkloads:\n  - { name: b, kind: Batch, arrivals: { poisson_per_hour: 1 }, duration: 1m }\n";
    let s = load(minimal).unwrap();
    assert_eq!(s.cluster.pool_failures[0], PoolFailures::default());
    let t = &s.workloads[0].template;
    assert_eq!(t.checkpoint_interval, None);
    assert_eq!(t.termination_grace_period, SimDuration::from_secs(30));
}

#[test]
fn unknown_frequency_bucket_lists_the_valid_ones() {
    let e = errors(&BASE.replace("\"5-10%\"", "\"7%\""));
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].contains("unknown value '7%', expected one of <5%, 5-10%, 10-15%, 15-20%, >20%"),
        "{e:?}"
    );
}

#[test]
fn bad_failure_values_are_reported_together() {
    let text = BASE
        .replace("capacity_type: spot", "capacity_type: on-demand")
        .replace(
            "frequency: \"5-10%\"",
            "frequency: \"5-10%\"\n        mean_time_between: 3d",
        )
        .replace("min: 0.2, max: 0.6", "min: 0.7, max: 0.6")
        .replace("replace: on-termination", "replace: sometimes")
        .replace("zone: zone-b, at: 2h", "zone: zone-q, at: 2h")
        .replace("zone_outage: { zone: zone-b", "zone_outage: { zone: zone-c")
        .replace("checkpoint_interval: 10m", "checkpoint_interval: 0s");
    let e = errors(&text).join("\n");
    for needle in [
        "replace: unknown value 'sometimes'",
        "interruptions are for capacity_type spot; this pool is on-demand",
        "give mean_time_between or frequency, not both",
        "uniform min 0.7 is greater than max 0.6",
        "unknown zone 'zone-q'",
        "unknown zone 'zone-c'",
        "checkpoint_interval: must be longer than 0s",
    ] {
        assert!(e.contains(needle), "missing {needle:?} in\n{e}");
    }
}

#[test]
fn fixed_share_and_schema_mentions_new_fields() {
    let text = BASE.replace("share: { uniform: { min: 0.2, max: 0.6 } }", "share: 0.5");
    let s = load(&text).unwrap();
    let w = s.cluster.pool_failures[0]
        .interruption
        .as_ref()
        .unwrap()
        .waves
        .clone();
    assert_eq!(w.unwrap().share, ShareDist::Fixed(0.5));
    let e = errors(&BASE.replace("share: { uniform: { min: 0.2, max: 0.6 } }", "share: 1.5"));
    assert!(e[0].contains("expected a fraction"), "{e:?}");
    let schema = json_schema().to_string();
    for f in [
        "interruption",
        "mtbf",
        "burn_in",
        "zone_outage",
        "variants",
        "checkpoint_interval",
    ] {
        assert!(schema.contains(f), "{f}");
    }
}

#[test]
fn traces_load_relative_to_the_scenario() {
    let dir = std::env::temp_dir().join(format!("clustersim-pooltraces-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("reclaims.csv"),
        "time_s,zone,count\n7200,zone-b,3\n3600,zone-a,1\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("prices.csv"),
        "time_s,price_per_hour\n0,0.2\n3600,0.3\n",
    )
    .unwrap();
    let text = BASE
        .replace("notice: 30s", "notice: 30s\n        trace: reclaims.csv")
        .replace(
            "      mtbf: 30d",
            "      price_trace: prices.csv\n      mtbf: 30d",
        );
    let s = load_str(&text, "spot.yaml", Some(&dir), &[]).unwrap();
    let f = &s.cluster.pool_failures[0];
    let trace = &f.interruption.as_ref().unwrap().trace;
    assert_eq!(trace.len(), 2);
    assert_eq!(trace[0].time, SimTime(3_600_000));
    assert_eq!(trace[1].zone, 1);
    assert_eq!(trace[1].amount, ReclaimAmount::Count(3));
    assert_eq!(
        f.price_trace,
        vec![(SimTime(0), 0.2), (SimTime(3_600_000), 0.3)]
    );
    std::fs::write(dir.join("reclaims.csv"), "time_s,zone,count\nx,zone-z,-1\n").unwrap();
    let e = load_str(&text, "spot.yaml", Some(&dir), &[])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("time_s") && e.contains("zone-z") && e.contains("whole number"),
        "{e}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A scratch directory holding `files` (name, contents).
fn dir_with(name: &str, files: &[(&str, &str)]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("clustersim-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (file, text) in files {
        std::fs::write(dir.join(file), text).unwrap();
    }
    dir
}

/// BASE with a reclaim trace and a price trace, named by these paths.
fn with_pool_traces(reclaims: &str, prices: &str) -> String {
    BASE.replace(
        "notice: 30s",
        &format!("notice: 30s\n        trace: {reclaims}"),
    )
    .replace(
        "      mtbf: 30d",
        &format!("      price_trace: {prices}\n      mtbf: 30d"),
    )
}

#[test]
fn unreadable_pool_traces_are_reported_at_the_field_that_names_them() {
    let dir = dir_with(
        "pooltrace-files",
        &[("ok.csv", "time_s,price_per_hour\n0,1\n")],
    );
    let fifo = dir.join("fifo.csv");
    let have_fifo = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    let d = dir.display();
    // (reclaim trace, price trace, expected errors). Line 16 names the reclaim trace, line 20
    // the price trace. /dev/zero and a FIFO would be read forever or block if opened.
    let mut cases = vec![
        (
            "missing.csv".to_string(),
            "/dev/zero".to_string(),
            vec![
                format!("spot.yaml:16:16: cluster.pools[0].interruption.trace: cannot read reclaim trace '{d}/missing.csv': No such file or directory (os error 2)"),
                "spot.yaml:20:20: cluster.pools[0].price_trace: cannot read price trace '/dev/zero': it is a character device; only regular files are read".to_string(),
            ],
        ),
        (
            ".".to_string(),
            "ok.csv".to_string(),
            vec![format!("spot.yaml:16:16: cluster.pools[0].interruption.trace: cannot read reclaim trace '{d}/.': it is a directory; only regular files are read")],
        ),
    ];
    if have_fifo {
        cases.push((
            "ok.csv".to_string(),
            "fifo.csv".to_string(),
            vec![format!("spot.yaml:20:20: cluster.pools[0].price_trace: cannot read price trace '{d}/fifo.csv': it is a named pipe (FIFO); only regular files are read")],
        ));
    }
    for (reclaims, prices, expected) in cases {
        let text = with_pool_traces(&reclaims, &prices);
        let got: Vec<String> = load_str(&text, "spot.yaml", Some(&dir), &[])
            .unwrap_err()
            .0
            .iter()
            .map(ToString::to_string)
            .filter(|e| !e.contains("ok.csv"))
            .collect();
        assert_eq!(got, expected, "{reclaims} {prices}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn malformed_pool_trace_rows_are_reported_at_file_and_line() {
    // (reclaim trace text, price trace text, expected errors): never the csv crate's
    // "CSV error: record N (line: N, byte: N)".
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "time_s,zone,count\n0,zone-a,1\n5,zone-b\n",
            "time_s,price_per_hour\n0,1,2\n1,0.5\n",
            &[
                "reclaims.csv:3: 2 fields, but the header has 3",
                "prices.csv:2: 3 fields, but the header has 2",
            ],
        ),
        (
            "time_s,zone,count\n0,zone-a,\u{fffd}\n",
            "time_s,price_per_hour\n0,NaN\n-1,1e400\n",
            &[
                "reclaims.csv:2: count: expected a whole number of nodes, found '\u{fffd}'",
                "prices.csv:2: price_per_hour: expected a price ≥ 0, found 'NaN'",
                "prices.csv:3: time_s: expected seconds from the start (≥ 0), found '-1'",
                "prices.csv:3: price_per_hour: expected a price ≥ 0, found '1e400'",
            ],
        ),
    ];
    for (reclaims, prices, expected) in cases {
        let dir = dir_with(
            "pooltrace-rows",
            &[("reclaims.csv", reclaims), ("prices.csv", prices)],
        );
        let text = with_pool_traces("reclaims.csv", "prices.csv");
        let d = format!("{}/", dir.display());
        let got: Vec<String> = load_str(&text, "spot.yaml", Some(&dir), &[])
            .unwrap_err()
            .0
            .iter()
            .map(|e| e.to_string().replace(&d, ""))
            .collect();
        assert_eq!(got, *expected);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

#[test]
fn random_processes_faster_than_one_second_are_refused() {
    // (replace, with, the error): each mean time between random events has a floor of 1s.
    let cases = [
        (
            "          mean_time_between: 7d",
            "          mean_time_between: 1ms",
            "spot.yaml:17:30: cluster.pools[0].interruption.waves.mean_time_between: must be at least 1s, found 1ms",
        ),
        (
            "      mtbf: 30d",
            "      mtbf: 999ms",
            "spot.yaml:19:13: cluster.pools[0].mtbf: must be at least 1s, found 999ms",
        ),
        (
            "        - { mean_time_between: 3d, duration: 1h }",
            "        - { mean_time_between: 10ms, duration: 1h }",
            "spot.yaml:24:32: cluster.pools[0].unavailable[1].mean_time_between: must be at least 1s, found 10ms",
        ),
    ];
    for (from, to, expected) in cases {
        assert!(BASE.contains(from), "{from}");
        assert_eq!(errors(&BASE.replace(from, to)), [expected], "{to}");
    }
    assert!(load(&BASE.replace("mean_time_between: 7d", "mean_time_between: 1s")).is_ok());
}

#[test]
fn an_empty_zone_list_for_random_outages_is_refused() {
    // Like a pool's zones: an empty list would silently switch the outages off.
    let text = BASE.replace(
        "events:\n",
        "events:\n  - random_zone_outages: { mean_time_between: 1d, duration: 1h, zones: [] }\n",
    );
    assert_eq!(
        errors(&text),
        [
            "spot.yaml:33:72: events[0].random_zone_outages.zones: at least one zone is needed (omit the field for all zones)"
        ]
    );
}
