//! `clustersim sweep` and `merge`: cells, shards, resume after a kill, and outputs that do not
//! depend on threads or on how the work was split.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::{clustersim, scratch_dir, stderr, stdout};

const GRID: [&str; 4] = [
    "--grid",
    "cluster.pools.general.count=2,4,6",
    "--grid",
    "scheduler.policy=least-allocated,most-allocated",
];

fn sweep(out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "sweep",
        "scenarios/quickstart.yaml",
        "--replicates",
        "3",
        "--set",
        "duration=30m",
    ];
    args.extend(GRID);
    args.extend(["--out", out.to_str().unwrap()]);
    args.extend(extra);
    let o = clustersim(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    o
}

const FINAL: [&str; 6] = [
    "report.html",
    "sweep.csv",
    "sweep.json",
    "frontier.csv",
    "frontier.svg",
    "sweep-spec.json",
];

fn same_outputs(a: &Path, b: &Path) {
    for f in FINAL {
        let (x, y) = (std::fs::read(a.join(f)), std::fs::read(b.join(f)));
        assert!(x.is_ok(), "{f} missing in {}", a.display());
        assert_eq!(
            x.unwrap(),
            y.unwrap(),
            "{f} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

#[test]
fn grid_cells_and_outputs() {
    let dir = scratch_dir("sweep-grid");
    let o = sweep(&dir.join("one"), &["--jobs", "1"]);
    let table = stdout(&o);
    // 3 × 2 = 6 cells, every one in the table (few cells).
    assert!(
        table.contains("most-allocated") && table.contains("│    5 ┆"),
        "{table}"
    );
    let csv = std::fs::read_to_string(dir.join("one/sweep.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("cell,cluster.pools.general.count,scheduler.policy,metric,mean,ci_low,ci_high,n")
    );
    let costs: Vec<&str> = lines.filter(|l| l.contains(",cost.total_usd,")).collect();
    assert_eq!(costs.len(), 6, "{csv}");
    assert!(
        costs[0].starts_with("0,2,least-allocated,cost.total_usd,")
            && costs[5].starts_with("5,6,most-allocated,"),
        "{costs:#?}"
    );
    let frontier = std::fs::read_to_string(dir.join("one/frontier.csv")).unwrap();
    assert!(
        frontier.lines().skip(1).any(|l| l.ends_with(",true")),
        "{frontier}"
    );
    assert!(dir.join("one/frontier.png").is_file());
    // Threads do not change a byte.
    sweep(&dir.join("two"), &["--jobs", "2"]);
    same_outputs(&dir.join("one"), &dir.join("two"));
}

#[test]
fn shards_merged_equal_one_run() {
    let dir = scratch_dir("sweep-shards");
    sweep(&dir.join("whole"), &[]);
    for k in 0..3 {
        let o = sweep(
            &dir.join(format!("shard-{k}")),
            &["--shard", &format!("{k}/3")],
        );
        // A shard alone has only its cells: no final files yet.
        assert!(
            stdout(&o).contains("run `clustersim merge`"),
            "{}",
            stdout(&o)
        );
        assert!(!dir.join(format!("shard-{k}/sweep.csv")).exists());
    }
    let mut args = vec!["merge".to_string()];
    args.extend((0..3).map(|k| dir.join(format!("shard-{k}")).display().to_string()));
    args.extend(["--out".into(), dir.join("merged").display().to_string()]);
    let o = clustersim(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(o.status.success(), "{}", stderr(&o));
    same_outputs(&dir.join("whole"), &dir.join("merged"));
    // Two of three shards are not a sweep.
    let o = clustersim(&[
        "merge",
        dir.join("shard-0").to_str().unwrap(),
        dir.join("shard-1").to_str().unwrap(),
        "--out",
        dir.join("partial").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("2 of 6 cells are not finished"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn batch_system_indices_select_the_shard() {
    let dir = scratch_dir("sweep-env");
    let run = |var: &str, value: &str, out: &str| {
        let mut args = vec![
            "sweep",
            "scenarios/quickstart.yaml",
            "--replicates",
            "2",
            "--set",
            "duration=30m",
            "--shards",
            "2",
        ];
        args.extend(GRID);
        let out = dir.join(out);
        args.extend(["--out", out.to_str().unwrap()]);
        let o = Command::new(env!("CARGO_BIN_EXE_clustersim"))
            .args(&args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env(var, value)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let mut cells: Vec<String> = std::fs::read_dir(out.join("cells"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        cells.sort();
        cells
    };
    // Shard 1 of 2 runs cells 1, 3, 5.
    let want = vec!["cell-00001.json", "cell-00003.json", "cell-00005.json"];
    assert_eq!(run("JOB_COMPLETION_INDEX", "1", "k8s"), want);
    assert_eq!(run("SLURM_ARRAY_TASK_ID", "1", "slurm"), want);
}

#[test]
fn a_killed_sweep_resumes_to_the_same_results() {
    let dir = scratch_dir("sweep-resume");
    // Enough work that the kill lands mid-way: 8 cells of a longer run, one thread.
    let args = |out: &Path| -> Vec<String> {
        let mut a: Vec<String> = [
            "sweep",
            "scenarios/quickstart.yaml",
            "--replicates",
            "4",
            "--jobs",
            "1",
            "--set",
            "duration=14d",
            "--grid",
            "cluster.pools.general.count=2,3,4,5,6,7,8,9",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        a.extend(["--out".into(), out.display().to_string()]);
        a
    };
    let whole = dir.join("whole");
    let o = clustersim(&args(&whole).iter().map(String::as_str).collect::<Vec<_>>());
    assert!(o.status.success(), "{}", stderr(&o));
    let cut = dir.join("cut");
    let mut child = Command::new(env!("CARGO_BIN_EXE_clustersim"))
        .args(args(&cut))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Kill it once the first cell is written (or give up waiting after a minute).
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(60) {
        let n = std::fs::read_dir(cut.join("cells")).map_or(0, |d| d.count());
        if n >= 1 {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let _ = child.kill();
    let _ = child.wait();
    let done = std::fs::read_dir(cut.join("cells")).map_or(0, |d| d.count());
    // About 0.3 s per cell: the kill lands with most cells still to run.
    assert!(
        (1..8).contains(&done),
        "{done} of 8 cells finished before the kill"
    );
    let mut resume = args(&cut);
    resume.push("--resume".into());
    let o = clustersim(&resume.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(o.status.success(), "{}", stderr(&o));
    same_outputs(&whole, &cut);
}

#[test]
fn bad_sweeps_are_refused_with_every_reason() {
    let dir = scratch_dir("sweep-bad");
    let o = clustersim(&[
        "sweep",
        "scenarios/quickstart.yaml",
        "--grid",
        "cluster.pools.general.count=2,-1",
        "--grid",
        "nonsense",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("<--grid>: 'nonsense' is not PATH=V1,V2,..."),
        "{e}"
    );
    // With the dimension fixed, the cell whose value is invalid is named.
    let o = clustersim(&[
        "sweep",
        "scenarios/quickstart.yaml",
        "--grid",
        "cluster.pools.general.count=2,-1",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("must not be negative")
            && e.contains("(in cell 1: cluster.pools.general.count=-1)"),
        "{e}"
    );
    // A directory that holds another sweep is not overwritten.
    sweep(&dir.join("a"), &[]);
    let o = clustersim(&[
        "sweep",
        "scenarios/quickstart.yaml",
        "--grid",
        "cluster.pools.general.count=3",
        "--out",
        dir.join("a").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("holds a different sweep"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn latin_hypercube_sample_over_ranges() {
    let dir = scratch_dir("sweep-lhs");
    let o = clustersim(&[
        "sweep",
        "scenarios/quickstart.yaml",
        "--replicates",
        "2",
        "--set",
        "duration=30m",
        "--sample",
        "5",
        "--range",
        "cluster.pools.general.count=2..6",
        "--out",
        dir.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let spec: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("sweep-spec.json")).unwrap())
            .unwrap();
    // 5 strata over 2..=6: each whole number once.
    let mut values: Vec<i64> = spec["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c[0].as_str().unwrap().parse().unwrap())
        .collect();
    values.sort();
    assert_eq!(values, vec![2, 3, 4, 5, 6]);
}

/// The shipped Kubernetes Job and Slurm script run as written (one shard each, into a scratch
/// directory): their flags are ones `sweep` accepts.
#[test]
fn shipped_batch_job_commands_run() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = scratch_dir("sweep-deploy");
    // Kubernetes: the first container's command list.
    let job = std::fs::read_to_string(root.join("deploy/kubernetes/sweep-job.yaml")).unwrap();
    let block = job
        .split("command:")
        .nth(1)
        .unwrap()
        .split("resources:")
        .next()
        .unwrap();
    let mut args: Vec<String> = block
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- ").map(str::to_string))
        .collect();
    assert_eq!(args[..2], ["clustersim", "sweep"]);
    args.remove(0);
    for a in &mut args {
        if a.starts_with("--out=") {
            *a = format!("--out={}", dir.join("k8s").display());
        }
    }
    let o = Command::new(env!("CARGO_BIN_EXE_clustersim"))
        .args(&args)
        .current_dir(root)
        .env("JOB_COMPLETION_INDEX", "7")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("shard 7/8"));
    // Slurm: the clustersim command of the script, continuation lines joined.
    let script = std::fs::read_to_string(root.join("deploy/slurm/sweep.sbatch")).unwrap();
    let command = script
        .split("clustersim sweep")
        .last()
        .unwrap()
        .replace("\\\n", " ")
        .replace("\"${SLURM_CPUS_PER_TASK:-1}\"", "1");
    let mut args: Vec<String> = vec!["sweep".into()];
    args.extend(command.split_whitespace().map(str::to_string));
    let out = args.iter().position(|a| a == "--out").unwrap();
    args[out + 1] = dir.join("slurm").display().to_string();
    let o = Command::new(env!("CARGO_BIN_EXE_clustersim"))
        .args(&args)
        .current_dir(root)
        .env("SLURM_ARRAY_TASK_ID", "7")
        .env("SLURM_ARRAY_TASK_MIN", "0")
        .env("SLURM_ARRAY_TASK_COUNT", "8")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // Both ran shard 7 of 8 of the same sweep: the same cells.
    let cells = |d: &str| {
        let mut v: Vec<String> = std::fs::read_dir(dir.join(d).join("cells"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(cells("k8s"), cells("slurm"));
    assert_eq!(
        cells("k8s"),
        ["cell-00007.json", "cell-00015.json", "cell-00023.json"]
    );
}

#[test]
fn sweeps_refuse_absurd_sizes_and_unknown_metrics_but_not_respelled_paths() {
    let dir = scratch_dir("sweep-edges");
    // A sample far past the cell limit is refused before anything is built.
    let o = clustersim(&[
        "sweep",
        "scenarios/quickstart.yaml",
        "--range",
        "cluster.pools.general.count=1..4",
        "--sample",
        "1000000000000",
        "--out",
        dir.join("x").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--sample: the grid and sample make more cells"),
        "{}",
        stderr(&o)
    );
    // 2^64 grid cells do not wrap around to a small number.
    let mut args = vec!["sweep", "scenarios/quickstart.yaml"];
    for _ in 0..64 {
        args.extend(["--grid", "cluster.pools.general.count=1,2"]);
    }
    let o = clustersim(&args);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    // The same sweep with the scenario path spelled another way resumes into the directory.
    let out = dir.join("same");
    sweep(&out, &[]);
    let mut args = vec![
        "sweep",
        "./scenarios/quickstart.yaml",
        "--replicates",
        "3",
        "--set",
        "duration=30m",
    ];
    args.extend(GRID);
    args.extend([
        "--out",
        out.to_str().unwrap(),
        "--resume",
        "--metrics",
        "cost.total_usd,pending_time_s.p99",
    ]);
    let o = clustersim(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    // A metric no cell has is an error that names the nearest one.
    let mut args = vec![
        "sweep",
        "scenarios/quickstart.yaml",
        "--replicates",
        "3",
        "--set",
        "duration=30m",
    ];
    args.extend(GRID);
    args.extend([
        "--out",
        out.to_str().unwrap(),
        "--resume",
        "--metrics",
        "cost.total_usdd",
    ]);
    let o = clustersim(&args);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o)
            .contains("no cell reports a metric 'cost.total_usdd'; did you mean 'cost.total_usd'?"),
        "{}",
        stderr(&o)
    );
}
