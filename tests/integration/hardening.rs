//! Regression tests for defects a fuzzing campaign found: each names what it guards.

use std::time::Duration;

use crate::{bin, clustersim, clustersim_within, scratch_dir, stderr};

const TINY: &str = "name: tiny\nduration: 1h\ncluster:\n  zones: [zone-a]\n  pools:\n    - {name: p, node: {cpu: 4, memory: 8Gi}, count: 2}\nworkloads:\n  - {name: web, kind: Deployment, replicas: 2, requests: {cpu: 1}}\n";

/// Exit code and stderr of one command; a hang (over 20 s) fails the test.
fn outcome(args: &[&str]) -> (Option<i32>, String) {
    let o = clustersim_within(&bin(), args, Duration::from_secs(20))
        .unwrap_or_else(|| panic!("clustersim {args:?} hung"));
    (o.status.code(), stderr(&o))
}

#[test]
fn null_cluster_zones_are_refused_by_every_command_not_a_panic() {
    let dir = scratch_dir("null-zones");
    let out = dir.join("out");
    let out = out.to_str().unwrap();
    // (file text, extra --set): every way of saying "no zones".
    let cases: &[(&str, &[&str])] = &[
        ("  zones: null", &[]),
        ("  zones: ~", &[]),
        ("  zones:", &[]),
        ("  zones: [zone-a]", &["--set", "cluster.zones=null"]),
        ("  zones: [zone-a]", &["--set", "cluster.zones="]),
    ];
    for (i, (zones, set)) in cases.iter().enumerate() {
        let file = dir.join(format!("z{i}.yaml"));
        std::fs::write(&file, TINY.replace("  zones: [zone-a]", zones)).unwrap();
        let file = file.to_str().unwrap();
        for cmd in [
            vec!["validate", file],
            vec!["run", file, "--out", out, "-q"],
            vec!["explain", file, "--pod", "web-0"],
            vec!["compare", file, "--replicates", "1", "--out", out, "-q"],
        ] {
            let args: Vec<&str> = cmd.iter().chain(set.iter()).copied().collect();
            let (code, err) = outcome(&args);
            assert_eq!(code, Some(2), "{args:?}: {err}");
            assert!(
                err.contains("cluster.zones: zones must be a non-empty list"),
                "{args:?}: {err}"
            );
        }
    }
}

#[test]
fn trace_files_that_are_not_regular_files_are_refused_at_the_naming_field() {
    let dir = scratch_dir("special-traces");
    let fifo = dir.join("fifo.csv");
    let have_fifo = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    let out = dir.join("out");
    // (workload or pool line naming the file, the field path, the file): /dev/zero used to be
    // read until memory ran out, a FIFO without a writer blocked forever.
    let mut cases = vec![
        (
            "  - {name: t, kind: Trace, path: /dev/zero}\n",
            "s.yaml:9:34: workloads[1].path: cannot read trace file '/dev/zero': it is a character device",
        ),
        (
            "  - {name: t, kind: Trace, path: .}\n",
            "workloads[1].path: cannot read trace file",
        ),
    ];
    if have_fifo {
        cases.push((
            "  - {name: t, kind: Trace, path: fifo.csv}\n",
            "s.yaml:9:34: workloads[1].path: cannot read trace file",
        ));
    }
    for (line, expected) in cases {
        let file = dir.join("s.yaml");
        std::fs::write(&file, format!("{TINY}{line}")).unwrap();
        let (code, err) = outcome(&[
            "run",
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(code, Some(2), "{line}: {err}");
        assert!(
            err.contains(expected),
            "{line}: expected `{expected}` in {err}"
        );
    }
    // Pool traces: the price trace is named on the pool's line.
    let file = dir.join("p.yaml");
    std::fs::write(
        &file,
        TINY.replace("count: 2}", "count: 2, price_trace: /dev/zero}"),
    )
    .unwrap();
    let (code, err) = outcome(&["validate", file.to_str().unwrap()]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("p.yaml:6:69: cluster.pools[0].price_trace: cannot read price trace '/dev/zero': it is a character device; only regular files are read"),
        "{err}"
    );
}

#[test]
fn negative_numeric_arguments_say_what_is_expected() {
    // (arguments, what the message must say): clap used to answer "unexpected argument '-1'".
    let cases: &[(&[&str], &str)] = &[
        (
            &["run", "scenarios/quickstart.yaml", "--seed", "-1"],
            "invalid value '-1' for '--seed <N>': expected a whole number from 0 to 18446744073709551615, found '-1'",
        ),
        (
            &["run", "scenarios/quickstart.yaml", "--until", "-1m"],
            "invalid value '-1m' for '--until <DURATION>': expected a duration such as 30m or 2h (not negative), found '-1m'",
        ),
        (
            &["run", "scenarios/quickstart.yaml", "--until", "0s"],
            "expected a duration longer than 0s, found '0s'",
        ),
        (
            &["compare", "scenarios/quickstart.yaml", "--replicates", "-1"],
            "invalid value '-1' for '--replicates <N>': expected a whole number from 1 to 10000, found '-1'",
        ),
        (
            &[
                "compare",
                "scenarios/quickstart.yaml",
                "--replicates",
                "99999999",
            ],
            "expected a whole number from 1 to 10000, found '99999999'",
        ),
        (
            &["compare", "scenarios/quickstart.yaml", "--seed", "-5"],
            "invalid value '-5' for '--seed <N>'",
        ),
        (
            &["compare", "scenarios/quickstart.yaml", "--jobs", "-2"],
            "invalid value '-2' for '--jobs <N>': expected a whole number from 1 to 1024",
        ),
    ];
    for (args, expected) in cases {
        let o = clustersim(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(expected), "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn run_and_explain_refuse_what_validate_refuses_in_a_variant() {
    let dir = scratch_dir("variant-checks");
    let file = dir.join("v.yaml");
    std::fs::write(
        &file,
        format!("{TINY}variants:\n  - {{name: broken, set: {{cluster.pools.p.count: -3}}}}\n"),
    )
    .unwrap();
    let file = file.to_str().unwrap();
    let out = dir.join("out");
    for args in [
        vec!["validate", file],
        vec!["run", file, "--out", out.to_str().unwrap()],
        vec!["explain", file, "--pod", "web-0"],
        vec![
            "compare",
            file,
            "--replicates",
            "1",
            "--out",
            out.to_str().unwrap(),
        ],
    ] {
        let (code, err) = outcome(&args);
        assert_eq!(code, Some(2), "{args:?}: {err}");
        assert!(
            err.contains("must not be negative, found -3 (from --set cluster.pools.p.count) (in variant 'broken')"),
            "{args:?}: {err}"
        );
    }
    assert!(!out.exists(), "a refused run writes nothing");
}
