//! `clustersim saturate`: the FGD paper's allocation experiment on OpenB-format data.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use clap::Args;
use rayon::prelude::*;
use serde_json::{Map, Value, json};

use crate::cli::{Failure, jobs_arg, print_out, seed_arg};
use crate::output::dir::OutputDir;
use crate::output::plot::{self, AllocationCurve};
use crate::output::table::grid as table_grid;
use crate::research::grid::{Published, column_stat};
use crate::research::saturate::{Cluster, Column, Workload, bin, run};
use crate::scenario::saturate::{self as spec_file, MAX_REPLICATES, SaturateSpec};
use crate::scenario::{InputErrors, openb};

#[derive(Args, Debug)]
pub struct SaturateArgs {
    /// The experiment file (e.g. scenarios/research/openb-fgd.yaml).
    pub scenario: PathBuf,
    /// Folder with the OpenB CSV files (`openb_node_list_gpu_node.csv`,
    /// `openb_pod_list_<workload>.csv`), from alibaba/clusterdata
    /// `cluster-trace-gpu-v2023/csv/`.
    #[arg(long)]
    pub data: PathBuf,
    /// Seeds per workload and policy (overrides the file's `replicates`).
    #[arg(long, value_parser = replicates, allow_negative_numbers = true)]
    pub replicates: Option<u64>,
    /// First seed (overrides the file's `seed`); replicate k uses seed + k.
    #[arg(long, value_parser = seed_arg, allow_negative_numbers = true)]
    pub seed: Option<u64>,
    /// Target share of GPU capacity the pod list is tuned to, e.g. 130% (overrides `target`).
    #[arg(long, value_parser = target_arg)]
    pub target: Option<u64>,
    /// Only these workloads (comma-separated; overrides `workloads`).
    #[arg(long, value_delimiter = ',')]
    pub workloads: Vec<String>,
    /// Only these policies (comma-separated; overrides `policies`).
    #[arg(long, value_delimiter = ',')]
    pub policies: Vec<String>,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long, value_parser = jobs_arg, allow_negative_numbers = true)]
    pub jobs: Option<usize>,
    /// A published grid (`workload,policy,arrived_pct,mean,...`) to compare every workload
    /// with; the default workload's figures at 100% and 130% are built in.
    #[arg(long)]
    pub published: Option<PathBuf>,
    /// Output directory (default: out/<experiment name>).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

fn replicates(text: &str) -> Result<u64, String> {
    crate::cli::whole_number(text, 1, MAX_REPLICATES)
}

fn target_arg(text: &str) -> Result<u64, String> {
    spec_file::parse_target(text)
}

/// Every file `clustersim saturate` writes.
pub const SATURATE_FILES: &[&str] = &[
    "allocation_curve.csv",
    "grid.csv",
    "table.md",
    "summary.json",
    "allocation.png",
    "allocation.svg",
];

/// One run's binned curve, pods tried and pods that found no node.
type Binned = (Vec<Option<Column>>, usize, usize);

/// Curves of one (workload, policy): one binned curve per seed.
struct Cell {
    workload: usize,
    policy: &'static str,
    curves: Vec<Vec<Option<Column>>>,
    tried: usize,
    failed: usize,
}

pub fn saturate(args: SaturateArgs) -> Result<(), Failure> {
    let mut spec = spec_file::load(&args.scenario)?;
    if let Some(r) = args.replicates {
        spec.replicates = r;
    }
    if let Some(s) = args.seed {
        spec.seed = s;
    }
    if let Some(t) = args.target {
        spec.target_pct = t;
    }
    if !args.workloads.is_empty() {
        if let Some(w) = args
            .workloads
            .iter()
            .enumerate()
            .find_map(|(i, w)| args.workloads[..i].contains(w).then_some(w))
        {
            return Err(
                InputErrors::single("--workloads", format!("'{w}' is listed twice")).into(),
            );
        }
        spec.workloads = args.workloads.clone();
    }
    if !args.policies.is_empty() {
        let mut errors = InputErrors::default();
        spec.policies.clear();
        for p in &args.policies {
            match spec_file::resolve_policy(p, &spec.policies) {
                Ok(c) => spec.policies.push(c),
                Err(m) => errors.0.extend(InputErrors::single("--policies", m).0),
            }
        }
        if !errors.is_empty() {
            return Err(errors.into());
        }
    }
    let mut published = Published::builtin();
    if let Some(p) = &args.published {
        published.read(p)?;
    }

    // Read every input, reporting all problems at once.
    let mut errors = InputErrors::default();
    let nodes_path = args.data.join(&spec.nodes);
    let nodes = openb::read_nodes(&nodes_path)
        .map_err(|e| errors.0.extend(e.0))
        .ok();
    let mut lists = Vec::new();
    for w in &spec.workloads {
        match openb::read_pods(&args.data.join(SaturateSpec::pod_file(w))) {
            Ok(pods) => lists.push(pods),
            Err(e) => errors.0.extend(e.0),
        }
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let nodes = nodes.expect("read without errors");
    let cluster = Cluster::from_openb(&nodes)
        .map_err(|m| InputErrors::single(nodes_path.display().to_string(), m))?;
    let workloads: Vec<Workload> = spec
        .workloads
        .iter()
        .zip(&lists)
        .map(|(name, pods)| Workload::from_openb(name, pods, &cluster))
        .collect();

    let tasks: Vec<(usize, &'static str, u64)> = (0..workloads.len())
        .flat_map(|w| {
            let spec = &spec;
            spec.policies.iter().flat_map(move |&p| {
                (0..spec.replicates).map(move |k| (w, p, spec.seed.wrapping_add(k)))
            })
        })
        .collect();
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(j) = args.jobs {
        builder = builder.num_threads(j);
    }
    let pool = builder
        .build()
        .map_err(|e| Failure::Internal(format!("cannot start worker threads: {e}")))?;
    let target = spec.target_pct;
    // `collect` on an indexed parallel iterator keeps task order.
    let results: Vec<Result<Binned, String>> = pool.install(|| {
        tasks
            .par_iter()
            .map(|&(w, p, seed)| {
                let r = run(&cluster, &workloads[w], p, seed, target)?;
                Ok((bin(&cluster, &r, target), r.tried, r.failed))
            })
            .collect()
    });
    let mut cells: Vec<Cell> = Vec::new();
    for (&(w, p, _), r) in tasks.iter().zip(results) {
        let (curve, tried, failed) = r.map_err(Failure::Internal)?;
        match cells.last_mut() {
            Some(c) if c.workload == w && c.policy == p => {
                c.curves.push(curve);
                c.tried += tried;
                c.failed += failed;
            }
            _ => cells.push(Cell {
                workload: w,
                policy: p,
                curves: vec![curve],
                tried,
                failed,
            }),
        }
    }

    let out = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new(super::DEFAULT_OUT).join(&spec.name));
    let cannot =
        |e: std::io::Error| Failure::Internal(format!("cannot write {}: {e}", out.display()));
    let dir = OutputDir::create(&out, SATURATE_FILES, &[]).map_err(cannot)?;
    write(
        dir.path(),
        "allocation_curve.csv",
        &curve_csv(&spec, &workloads, &cells),
    )?;
    write(
        dir.path(),
        "grid.csv",
        &grid_csv(&spec, &workloads, &cells, &published),
    )?;
    let table = table_md(&spec, &workloads, &cells, &published);
    write(dir.path(), "table.md", &table.markdown)?;
    let summary = summary_json(&spec, &args, &cluster, &workloads, &cells, &published);
    let text =
        serde_json::to_string_pretty(&summary).map_err(|e| Failure::Internal(e.to_string()))?;
    write(dir.path(), "summary.json", &(text + "\n"))?;
    let curves = plot_curves(&spec, &workloads, &cells, &published);
    plot::allocation(&dir.path().join("allocation"), &curves)
        .map_err(|e| Failure::Internal(e.to_string()))?;
    dir.commit().map_err(cannot)?;
    print_out(&table.terminal);
    print_out(&format!(
        "{} runs ({} workloads × {} policies × {} seeds) on {} nodes, {} GPUs; wrote {}",
        tasks.len(),
        workloads.len(),
        spec.policies.len(),
        spec.replicates,
        cluster.len(),
        cluster.gpu_capacity / 1000,
        out.display()
    ));
    Ok(())
}

fn write(dir: &Path, name: &str, text: &str) -> Result<(), Failure> {
    let path = dir.join(name);
    std::fs::write(&path, text)
        .map_err(|e| Failure::Internal(format!("cannot write {}: {e}", path.display())))
}

fn curve_csv(spec: &SaturateSpec, workloads: &[Workload], cells: &[Cell]) -> String {
    let mut s = String::from(
        "policy,seed,arrived_pct,gpu_alloc_pct,cpu_alloc_pct,mem_alloc_pct,workload\n",
    );
    for c in cells {
        for (k, curve) in c.curves.iter().enumerate() {
            let seed = spec.seed.wrapping_add(k as u64);
            for (j, col) in curve.iter().enumerate() {
                if let Some([g, cpu, mem]) = col {
                    writeln!(
                        s,
                        "{},{seed},{j},{g:.2},{cpu:.2},{mem:.2},{}",
                        c.policy, workloads[c.workload].name
                    )
                    .unwrap();
                }
            }
        }
    }
    s
}

fn grid_csv(spec: &SaturateSpec, w: &[Workload], cells: &[Cell], published: &Published) -> String {
    let mut s = String::from(
        "workload,policy,arrived_pct,mean,ci95,sd,min,max,n_seeds,published_mean,difference\n",
    );
    for c in cells {
        let name = &w[c.workload].name;
        for pct in (0..=spec.target_pct).step_by(5) {
            let Some(st) = column_stat(&c.curves, pct as usize, 0) else {
                continue;
            };
            let (p, d) = match published.get(name, c.policy, pct) {
                Some(p) => (format!("{p}"), format!("{:.3}", st.mean - p)),
                None => (String::new(), String::new()),
            };
            writeln!(
                s,
                "{name},{},{pct},{:.3},{:.3},{:.3},{:.2},{:.2},{},{p},{d}",
                c.policy, st.mean, st.ci95, st.sd, st.min, st.max, st.n
            )
            .unwrap();
        }
    }
    s
}

struct Tables {
    markdown: String,
    terminal: String,
}

/// The columns the tables report: 100% and the target (if different).
fn report_columns(spec: &SaturateSpec) -> Vec<u64> {
    let mut cols = vec![100.min(spec.target_pct)];
    if spec.target_pct != cols[0] {
        cols.push(spec.target_pct);
    }
    cols
}

fn table_md(spec: &SaturateSpec, w: &[Workload], cells: &[Cell], published: &Published) -> Tables {
    let cols = report_columns(spec);
    let mut md = format!(
        "# GPU allocation when {} of GPU capacity has arrived\n\n\
         Produced by `clustersim saturate`. Mean over {} seeds (from {}) with the Student-t 95% \
         interval; \"published\" is the paper simulator's mean over its 10 seeds, \"diff\" ours \
         minus published, in percentage points.\n",
        cols.iter()
            .map(|c| format!("{c}%"))
            .collect::<Vec<_>>()
            .join(" and "),
        spec.replicates,
        spec.seed
    );
    let mut terminal = String::new();
    for (wi, workload) in w.iter().enumerate() {
        let mut headers = vec!["policy".to_string()];
        for c in &cols {
            headers.push(format!("alloc @{c}%"));
            headers.push(format!("published @{c}%"));
            headers.push("diff".into());
        }
        headers.push("pods failed".into());
        let mut rows = Vec::new();
        for c in cells.iter().filter(|c| c.workload == wi) {
            let mut row = vec![c.policy.to_string()];
            for &pct in &cols {
                let st = column_stat(&c.curves, pct as usize, 0);
                row.push(st.map_or("–".into(), |s| format!("{:.2} ± {:.2}", s.mean, s.ci95)));
                let p = published.get(&workload.name, c.policy, pct);
                row.push(p.map_or(String::new(), |p| format!("{p:.2}")));
                row.push(match (st, p) {
                    (Some(s), Some(p)) => format!("{:+.2}", s.mean - p),
                    _ => String::new(),
                });
            }
            row.push(format!(
                "{:.1}%",
                100.0 * c.failed as f64 / c.tried.max(1) as f64
            ));
            rows.push(row);
        }
        write!(
            md,
            "\n## {}\n\n| {} |\n|---|",
            workload.name,
            headers.join(" | ")
        )
        .unwrap();
        md.push_str(&"---:|".repeat(headers.len() - 1));
        md.push('\n');
        for r in &rows {
            writeln!(md, "| {} |", r.join(" | ")).unwrap();
        }
        let h: Vec<&str> = headers.iter().map(String::as_str).collect();
        writeln!(terminal, "workload {}", workload.name).unwrap();
        terminal.push_str(&table_grid(&h, &rows));
        terminal.push('\n');
    }
    md.push_str(
        "\n\"pods failed\": share of the pods tried (after tuning to the target) that fit on no \
         node, over all seeds.\n",
    );
    Tables {
        markdown: md,
        terminal,
    }
}

fn summary_json(
    spec: &SaturateSpec,
    args: &SaturateArgs,
    cluster: &Cluster,
    w: &[Workload],
    cells: &[Cell],
    published: &Published,
) -> Value {
    let mut inputs = vec![args.data.join(&spec.nodes)];
    inputs.extend(
        spec.workloads
            .iter()
            .map(|n| args.data.join(SaturateSpec::pod_file(n))),
    );
    let hashes: Vec<Value> = std::iter::once(args.scenario.clone())
        .chain(inputs)
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap_or_default();
            json!({
                "file": p.file_name().map(|n| n.to_string_lossy().into_owned()),
                "fnv1a64": format!("{:016x}", crate::rng::fnv1a64(&bytes)),
            })
        })
        .collect();
    let mut results = Map::new();
    for (wi, workload) in w.iter().enumerate() {
        let mut per = Map::new();
        for c in cells.iter().filter(|c| c.workload == wi) {
            let mut m = Map::new();
            for pct in report_columns(spec) {
                if let Some(s) = column_stat(&c.curves, pct as usize, 0) {
                    let mut e = json!({
                        "gpu_alloc_pct_mean": s.mean, "ci95": s.ci95, "sd": s.sd,
                        "min": s.min, "max": s.max, "n_seeds": s.n,
                    });
                    if let Some(p) = published.get(&workload.name, c.policy, pct) {
                        e["published_mean"] = json!(p);
                        e["difference"] = json!(s.mean - p);
                    }
                    m.insert(format!("at_{pct}_pct"), e);
                }
            }
            m.insert("pods_tried".into(), json!(c.tried));
            m.insert("pods_failed".into(), json!(c.failed));
            per.insert(c.policy.into(), Value::Object(m));
        }
        let mut entry = Map::new();
        entry.insert("pods".into(), json!(workload.pods.len()));
        entry.insert(
            "typical_pod_shapes".into(),
            json!(workload.typical.shapes.len()),
        );
        entry.insert("policies".into(), Value::Object(per));
        results.insert(workload.name.clone(), Value::Object(entry));
    }
    json!({
        "experiment": spec.name,
        "provenance": {
            "clustersim_version": env!("CARGO_PKG_VERSION"),
            "seed": spec.seed,
            "replicates": spec.replicates,
            "target_pct": spec.target_pct,
            "overrides": {
                "replicates": args.replicates, "seed": args.seed, "target": args.target,
                "workloads": args.workloads, "policies": args.policies,
            },
            "inputs": hashes,
        },
        "cluster": {
            "nodes": cluster.len(),
            "gpus": cluster.gpu_capacity / 1000,
            "cpu_cores": cluster.cpu_capacity / 1000,
        },
        "workloads": results,
    })
}

/// Mean GPU allocation per policy for the first workload, with the published points.
fn plot_curves(
    spec: &SaturateSpec,
    w: &[Workload],
    cells: &[Cell],
    published: &Published,
) -> AllocationCurve {
    let mut curve = AllocationCurve {
        title: format!(
            "{}: GPU allocation vs arrived workload ({}, mean of {} seeds)",
            spec.name, w[0].name, spec.replicates
        ),
        ..Default::default()
    };
    for c in cells.iter().filter(|c| c.workload == 0) {
        let points: Vec<(f64, f64)> = (0..=spec.target_pct as usize)
            .filter_map(|j| column_stat(&c.curves, j, 0).map(|s| (j as f64, s.mean)))
            .collect();
        let reference: Vec<(f64, f64)> = (0..=spec.target_pct)
            .filter_map(|j| {
                published
                    .get(&w[0].name, c.policy, j)
                    .map(|p| (j as f64, p))
            })
            .collect();
        curve.series.push((c.policy.to_string(), points, reference));
    }
    curve
}
