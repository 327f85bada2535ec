//! `clustersim trace convert` through the real CLI: fixtures always, the real public-trace
//! samples in `../shared/data` when they are there.

use std::path::Path;

use crate::{clustersim, read_json, scratch_dir, shared_data, stderr, stdout};

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `clustersim trace convert --from FORMAT ARGS...`.
fn convert(format: &str, args: &[&str]) -> std::process::Output {
    let mut all = vec!["trace", "convert", "--from", format];
    all.extend_from_slice(args);
    clustersim(&all)
}

/// Rows of a converted trace (comments and header left out).
fn data_rows(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .skip(1)
        .collect()
}

#[test]
fn converted_openb_runs_as_a_scenario_and_converts_identically_twice() {
    let dir = scratch_dir("convert-openb");
    let pods = dir.join("pods.csv");
    let nodes = dir.join("nodes.csv");
    std::fs::write(
        &pods,
        "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time\n\
         p-0,4000,8192,1,1000,,LS,Running,0,600,0\n\
         p-1,2000,4096,1,500,,BE,Running,10,310,20\n\
         p-2,2000,4096,1,500,,BE,Running,30,330,30\n\
         p-3,1000,1024,0,0,,BE,Pending,40,90,\n",
    )
    .unwrap();
    std::fs::write(
        &nodes,
        "sn,cpu_milli,memory_mib,gpu,model\nn-0,16000,65536,1,T4\nn-1,16000,65536,1,T4\n",
    )
    .unwrap();
    let out = dir.join("out");
    let trace = out.join("trace.csv");
    let scenario = out.join("scenario.yaml");
    let o = convert(
        "alibaba-gpu-2023",
        &[
            path(&pods),
            path(&nodes),
            "-o",
            path(&trace),
            "--scenario",
            path(&scenario),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let said = stdout(&o);
    assert!(said.contains("3 pods from 2 files"), "{said}");
    assert!(said.contains("left out: 1 never scheduled"), "{said}");
    assert!(said.contains("2 nodes in 1 pool"), "{said}");
    let first = std::fs::read(&trace).unwrap();
    let yaml = std::fs::read_to_string(&scenario).unwrap();
    assert!(yaml.contains("path: \"trace.csv\""), "{yaml}");
    // The longest pod ends at 600 s.
    assert!(yaml.contains("duration: 600s"), "{yaml}");

    // The written scenario runs: all three pods placed (the two half-GPU pods share one T4).
    let run_dir = dir.join("run");
    let o = clustersim(&["run", path(&scenario), "--out", path(&run_dir)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let summary = read_json(&run_dir.join("summary.json"));
    assert_eq!(summary["pods"]["submitted"], 3, "{summary:#}");
    assert_eq!(summary["pods"]["scheduled"], 3, "{summary:#}");

    // Same inputs, same bytes.
    let o = convert(
        "alibaba-gpu-2023",
        &[path(&pods), path(&nodes), "-o", path(&trace)],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::read(&trace).unwrap(), first);
}

#[test]
fn bad_trace_input_exits_2_and_writes_nothing() {
    let dir = scratch_dir("convert-bad");
    let out = dir.join("trace.csv");
    // No scale for normalized requests: both flags named, exit 2.
    let t = dir.join("task_events.csv");
    std::fs::write(
        &t,
        "0,,1,0,,0,u,1,9,0.5,0.5,0,0\n0,,1,1,,9,u,1,9,0.5,0.5,0,0\n",
    )
    .unwrap();
    let o = convert("google-2011", &[path(&t), "-o", path(&out)]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("--machine-cpu: google-2011 gives requests normalized"),
        "{e}"
    );
    assert!(e.contains("--machine-memory"), "{e}");
    // A bad row: its file and line, exit 2, and no output file.
    let o = convert(
        "google-2011",
        &[
            path(&t),
            "-o",
            path(&out),
            "--machine-cpu",
            "32",
            "--machine-memory",
            "128Gi",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("task_events.csv:2: event type: '9' is not a task event type"),
        "{e}"
    );
    assert!(!out.exists());
    // Bad flag values are refused by the parser, with what was expected.
    let o = convert(
        "azure-2019",
        &[path(&t), "-o", path(&out), "--sample", "1.5"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("expected a fraction above 0 and at most 1"));
    let o = convert(
        "azure-2019",
        &[path(&t), "-o", path(&out), "--window", "2h..1h"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("the window's end must be after its start"));
}

#[test]
fn real_openb_pods_all_convert() {
    let Some(data) = shared_data("openb") else {
        return;
    };
    let pods = data.join("openb_pod_list_default.csv");
    let text = std::fs::read_to_string(&pods).unwrap();
    // Independent count: a pod without scheduled_time (the last column) never ran.
    let rows: Vec<&str> = text.lines().skip(1).collect();
    let pending = rows.iter().filter(|r| r.ends_with(',')).count();
    let dir = scratch_dir("convert-real-openb");
    let out = dir.join("trace.csv");
    let o = convert(
        "alibaba-gpu-2023",
        &[
            path(&pods),
            path(&data.join("openb_node_list_gpu_node.csv")),
            "-o",
            path(&out),
            "--scenario",
            path(&dir.join("openb.yaml")),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let written = std::fs::read_to_string(&out).unwrap();
    // 8,152 pods, 897 of them never scheduled: 7,255 written.
    assert_eq!(data_rows(&written).len(), rows.len() - pending);
    assert!(
        stdout(&o).contains(&format!("left out: {pending} never scheduled")),
        "{}",
        stdout(&o)
    );
    // 1,213 nodes.
    assert!(stdout(&o).contains("1213 nodes"), "{}", stdout(&o));
    let o = clustersim(&["validate", path(&dir.join("openb.yaml"))]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn real_google_2011_and_alibaba_2018_rows_convert() {
    let Some(data) = shared_data("real-traces") else {
        return;
    };
    let dir = scratch_dir("convert-real-traces");
    let g = data.join("google-2011");
    let out = dir.join("google.csv");
    let o = convert(
        "google-2011",
        &[
            path(&g.join("task_events/part-00000-of-00500.jobs-subset.csv")),
            path(&g.join("machine_events/part-00000-of-00001.machines-subset.csv")),
            path(&g.join("job_events/part-00000-of-00500.jobs-subset.csv")),
            "--machine-cpu",
            "32",
            "--machine-memory",
            "128Gi",
            "-o",
            path(&out),
            "--scenario",
            path(&dir.join("google.yaml")),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    // Cross-checked with an independent count over the 5,500 events: 1,748 tasks end after
    // running and 86 are still running at the end (1,834 pods); 39 are killed while pending;
    // the task subset uses 1,362 machines.
    let text = std::fs::read_to_string(&out).unwrap();
    let rows = data_rows(&text);
    assert_eq!(rows.len(), 1834);
    assert_eq!(
        rows.iter()
            .filter(|r| r.split(',').nth(3) == Some(""))
            .count(),
        86
    );
    assert!(stdout(&o).contains("left out: 39 killed before it ran"));
    assert!(stdout(&o).contains("1362 nodes"), "{}", stdout(&o));
    let o = clustersim(&["validate", path(&dir.join("google.yaml"))]);
    assert!(o.status.success(), "{}", stderr(&o));

    // Alibaba 2018: every Terminated, Failed or Running task with a plan is instance_num pods.
    let a = data.join("alibaba-2018");
    let tasks = std::fs::read_to_string(a.join("batch_task.csv")).unwrap();
    let expected: u64 = tasks
        .lines()
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|f| matches!(f[4], "Terminated" | "Failed" | "Running"))
        .filter(|f| !f[1].is_empty() && !f[7].is_empty() && !f[8].is_empty())
        .map(|f| f[1].parse::<f64>().unwrap() as u64)
        .sum();
    let machines = std::fs::read_to_string(a.join("machine_meta.csv")).unwrap();
    let distinct: std::collections::BTreeSet<&str> = machines
        .lines()
        .map(|l| l.split(',').next().unwrap())
        .collect();
    let out = dir.join("alibaba.csv");
    let o = convert(
        "alibaba-2018",
        &[
            path(&a.join("batch_task.csv")),
            path(&a.join("machine_meta.csv")),
            "--machine-memory",
            "512Gi",
            "--sample",
            "0.1",
            "-o",
            path(&out),
            "--scenario",
            path(&dir.join("alibaba.yaml")),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&out).unwrap();
    let kept = data_rows(&text).len() as f64;
    // A 10% sample of `expected` pods: within 4 standard deviations of 0.1 × expected
    // (a binomial count). The pods of one task share their name's start, not their coin.
    let n = expected as f64;
    let sd = (n * 0.1 * 0.9).sqrt();
    assert!((kept - 0.1 * n).abs() < 4.0 * sd, "kept {kept} of {n}");
    let said = stdout(&o);
    assert!(
        said.contains(&format!("{} nodes", distinct.len())),
        "{said}"
    );
    let o = clustersim(&["validate", path(&dir.join("alibaba.yaml"))]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn outputs_that_are_not_new_or_regular_files_are_refused() {
    let dir = scratch_dir("convert-outputs");
    let vm = dir.join("vmtable.csv");
    std::fs::write(&vm, "a,s,d,0,60,90,10,50,Interactive,2,4\n").unwrap();
    let real = dir.join("real.csv");
    std::fs::write(&real, "keep\n").unwrap();
    #[cfg(unix)]
    {
        let link = dir.join("link.csv");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let o = convert("azure-2019", &[path(&vm), "-o", path(&link)]);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains("is a symbolic link"), "{}", stderr(&o));
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "keep\n");
    }
    // The input itself as the output.
    let o = convert("azure-2019", &[path(&vm), "-o", path(&vm)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("is one of the inputs"),
        "{}",
        stderr(&o)
    );
    // A folder.
    let o = convert("azure-2019", &[path(&vm), "-o", path(&dir)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("is a folder"), "{}", stderr(&o));
    // --scenario without a machine table: an error, and the existing trace is kept.
    let o = convert(
        "azure-2019",
        &[
            path(&vm),
            "-o",
            path(&real),
            "--scenario",
            path(&dir.join("s.yaml")),
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("no machine table among the inputs"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read_to_string(&real).unwrap(), "keep\n");
    // A gzipped table, as the traces are published.
    let gz = dir.join("vmtable.csv.gz");
    std::fs::write(&gz, [0x1f, 0x8b, 8, 0, 0, 0]).unwrap();
    let o = convert("azure-2019", &[path(&gz), "-o", path(&dir.join("x.csv"))]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("gzip-compressed; decompress it first"),
        "{}",
        stderr(&o)
    );
}
