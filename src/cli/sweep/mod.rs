//! `clustersim sweep` and `clustersim merge`: a scenario over a grid (and Latin hypercube
//! samples) of field values, each cell over replicates with common random numbers, sharded
//! across machines if need be.
//!
//! Layout of a sweep directory: `sweep-spec.json` (the scenario, seed, replicates, overrides,
//! dimensions and every cell's values), `cells/cell-NNNNN.json` (one per finished cell, written
//! atomically as the cell finishes), and, once every cell is there, `sweep.csv`, `sweep.json`,
//! `frontier.csv` and `frontier.png`/`.svg`. The final files depend only on the spec and the
//! cells, so merging the directories of all shards gives the same bytes as one unsharded run.

mod cells;
mod outputs;

use std::path::{Path, PathBuf};

use clap::Args;
use rayon::prelude::*;
use serde_json::{Map, Value, json};

use crate::cli::compare::{Estimate, aggregate_estimates, load_named_variant};
use crate::cli::{
    DEFAULT_OUT, Failure, jobs_arg, parse_overrides, print_out, replicates_arg, seed_arg,
};
use crate::output::atomic::write_atomic;
use crate::rng::{fnv1a64, replicate_seed};
use crate::scenario::{self, InputError, InputErrors, Override, Scenario};
use crate::sim::{self, RunOptions};
use cells::{Dimension, MAX_CELLS};

#[derive(Args, Debug)]
pub struct SweepArgs {
    /// Scenario file (YAML).
    pub file: PathBuf,
    /// A dimension: PATH=V1,V2,... (repeatable; the cells are the cross product). The path
    /// `variant` picks the scenario's variants by name.
    #[arg(long, value_name = "PATH=V1,V2,...")]
    pub grid: Vec<String>,
    /// Latin hypercube sample of N points over the --range dimensions (seeded).
    #[arg(long, value_name = "N")]
    pub sample: Option<usize>,
    /// A sampled dimension: PATH=LO..HI (whole numbers when both ends are; repeatable).
    #[arg(long, value_name = "PATH=LO..HI")]
    pub range: Vec<String>,
    /// Replicates per cell (1 to 10000); replicate i of every cell shares seed i.
    #[arg(long, value_name = "N", default_value_t = 10, allow_negative_numbers = true, value_parser = replicates_arg)]
    pub replicates: u32,
    /// Base seed [default: the scenario's seed].
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = seed_arg)]
    pub seed: Option<u64>,
    /// Runs in parallel [default: the number of cores]; results do not depend on it.
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = jobs_arg)]
    pub jobs: Option<usize>,
    /// Run only shard K of N (every N-th cell from K; K counts from 0).
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// The number of shards when the index comes from JOB_COMPLETION_INDEX (Kubernetes
    /// Indexed Jobs) or SLURM_ARRAY_TASK_ID (Slurm job arrays).
    #[arg(long, value_name = "N")]
    pub shards: Option<usize>,
    /// Skip cells already finished in --out (a killed sweep loses only the cells in flight).
    #[arg(long)]
    pub resume: bool,
    /// Override a field in every cell (repeatable; applied before the cell's own values).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
    /// Metrics in sweep.csv by dotted name [default: those compare's table shows].
    #[arg(long, value_delimiter = ',', value_name = "A,B,C")]
    pub metrics: Vec<String>,
    /// Output directory [default: out/<scenario name>/sweep/].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print nothing on success.
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Args, Debug)]
pub struct MergeArgs {
    /// Sweep directories (the shards' --out directories).
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// Where the merged sweep goes.
    #[arg(long)]
    pub out: PathBuf,
    /// Print nothing on success.
    #[arg(long, short)]
    pub quiet: bool,
}

/// What a sweep is: everything its results depend on.
#[derive(Clone, Debug, PartialEq)]
pub struct Spec {
    pub scenario: String,
    pub name: String,
    /// FNV-1a of the scenario file and every file it loads.
    pub inputs: Vec<(String, u64)>,
    pub seed: u64,
    pub replicates: u32,
    pub set: Vec<String>,
    pub metrics: Vec<String>,
    pub paths: Vec<String>,
    pub cells: Vec<Vec<String>>,
}

impl Spec {
    fn to_json(&self) -> Value {
        json!({
            "clustersim_version": env!("CARGO_PKG_VERSION"),
            "scenario": self.scenario,
            "name": self.name,
            "inputs": self.inputs.iter().map(|(f, h)| json!({"file": f, "fnv1a64": format!("{h:016x}")})).collect::<Vec<_>>(),
            "seed": self.seed,
            "replicates": self.replicates,
            "set": self.set,
            "metrics": self.metrics,
            "dimensions": self.paths,
            "cells": self.cells,
        })
    }

    fn from_json(v: &Value) -> Option<Spec> {
        let strings = |v: &Value| -> Option<Vec<String>> {
            v.as_array()?
                .iter()
                .map(|s| s.as_str().map(String::from))
                .collect()
        };
        Some(Spec {
            scenario: v["scenario"].as_str()?.into(),
            name: v["name"].as_str()?.into(),
            inputs: v["inputs"]
                .as_array()?
                .iter()
                .map(|i| {
                    Some((
                        i["file"].as_str()?.to_string(),
                        u64::from_str_radix(i["fnv1a64"].as_str()?, 16).ok()?,
                    ))
                })
                .collect::<Option<_>>()?,
            seed: v["seed"].as_u64()?,
            replicates: v["replicates"].as_u64()? as u32,
            set: strings(&v["set"])?,
            metrics: strings(&v["metrics"])?,
            paths: strings(&v["dimensions"])?,
            cells: v["cells"]
                .as_array()?
                .iter()
                .map(strings)
                .collect::<Option<_>>()?,
        })
    }

    pub(super) fn text(&self) -> String {
        serde_json::to_string_pretty(&self.to_json()).expect("json") + "\n"
    }

    /// What the results depend on: everything but how the scenario's path was spelled and
    /// which metrics the tables show (cells keep every metric), so shards started from other
    /// directories, or with other --metrics, still make one sweep.
    fn identity(&self) -> String {
        identity_of(&self.to_json())
    }

    /// Identifies the sweep in every cell file.
    fn key(&self) -> String {
        format!("{:016x}", fnv1a64(self.identity().as_bytes()))
    }

    /// The cell's values with short names (the last two segments of each path), for plots.
    fn short_label(&self, cell: usize) -> String {
        self.paths
            .iter()
            .zip(&self.cells[cell])
            .map(|(p, v)| {
                let parts: Vec<&str> = p.split('.').collect();
                let short = parts[parts.len().saturating_sub(2)..].join(".");
                format!("{short}={v}")
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn label(&self, cell: usize) -> String {
        self.paths
            .iter()
            .zip(&self.cells[cell])
            .map(|(p, v)| format!("{p}={v}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// [`Spec::identity`] of a spec as stored (its own clustersim version included).
fn identity_of(stored: &Value) -> String {
    let mut v = stored.clone();
    v["scenario"] = Value::Null;
    v["metrics"] = Value::Null;
    // Input files count by content, however their paths were spelled.
    let hashes: Vec<Value> = v["inputs"]
        .as_array()
        .map(|a| a.iter().map(|i| i["fnv1a64"].clone()).collect())
        .unwrap_or_default();
    v["inputs"] = Value::Array(hashes);
    serde_json::to_string(&v).expect("json")
}

const SPEC_FILE: &str = "sweep-spec.json";
const CELLS_DIR: &str = "cells";

fn cell_file(dir: &Path, cell: usize) -> PathBuf {
    dir.join(CELLS_DIR).join(format!("cell-{cell:05}.json"))
}

/// One finished cell: every metric's estimate over the replicates.
#[derive(Clone, Debug)]
pub struct CellResult {
    pub index: usize,
    pub metrics: Vec<(String, Estimate)>,
}

fn cell_json(spec: &Spec, r: &CellResult) -> String {
    let metrics: Map<String, Value> = r
        .metrics
        .iter()
        .map(|(k, e)| (k.clone(), json!([e.mean, e.low, e.high, e.n])))
        .collect();
    let v = json!({
        "sweep": spec.key(),
        "cell": r.index,
        "values": spec.cells[r.index],
        "metrics": metrics,
    });
    serde_json::to_string(&v).expect("json") + "\n"
}

/// The cell stored at `path` if it belongs to `spec`.
fn read_cell(spec: &Spec, path: &Path) -> Option<CellResult> {
    let text = std::fs::read_to_string(path).ok()?;
    let v: Value = serde_json::from_str(&text).ok()?;
    if v["sweep"].as_str()? != spec.key() {
        return None;
    }
    let index = v["cell"].as_u64()? as usize;
    let metrics = v["metrics"]
        .as_object()?
        .iter()
        .map(|(k, e)| {
            let a = e.as_array()?;
            Some((
                k.clone(),
                Estimate {
                    mean: a.first()?.as_f64()?,
                    low: a.get(1)?.as_f64()?,
                    high: a.get(2)?.as_f64()?,
                    n: a.get(3)?.as_u64()? as usize,
                },
            ))
        })
        .collect::<Option<_>>()?;
    Some(CellResult { index, metrics })
}

fn input_error(label: &str, message: impl Into<String>) -> Failure {
    Failure::Input(InputErrors::single(label, message))
}

/// Loads the scenario of one cell: the base overrides, then the cell's values (`variant`
/// names a variant).
fn load_cell(
    file: &Path,
    spec: &Spec,
    base: &[Override],
    cell: usize,
) -> Result<Scenario, InputErrors> {
    let mut overrides = base.to_vec();
    let mut variant = None;
    for (p, v) in spec.paths.iter().zip(&spec.cells[cell]) {
        if p == "variant" {
            variant = Some(v.clone());
        } else {
            overrides.push(Override {
                path: p.clone(),
                value: v.clone(),
            });
        }
    }
    let loaded = match &variant {
        Some(name) => load_named_variant(file, name, &overrides),
        None => scenario::load_file(file, &overrides),
    };
    loaded.map_err(|mut e| {
        for err in &mut e.0 {
            err.message = format!("{} (in cell {cell}: {})", err.message, spec.label(cell));
        }
        e
    })
}

pub fn sweep(args: SweepArgs) -> Result<(), Failure> {
    let base_overrides = parse_overrides(&args.set)?;
    let base = scenario::load_file(&args.file, &base_overrides)?;
    let mut grid = Vec::new();
    let mut errors = InputErrors::default();
    for g in &args.grid {
        match cells::parse_grid(g) {
            Ok(d) => grid.push(d),
            Err(m) => errors.push(arg_error("--grid", m)),
        }
    }
    let mut ranges = Vec::new();
    for r in &args.range {
        match cells::parse_range(r) {
            Ok(r) => ranges.push(r),
            Err(m) => errors.push(arg_error("--range", m)),
        }
    }
    match (args.sample, ranges.is_empty()) {
        (Some(0), _) => errors.push(arg_error("--sample", "at least one point is needed")),
        (Some(_), true) => errors.push(arg_error(
            "--sample",
            "give the dimensions to sample with --range PATH=LO..HI",
        )),
        (None, false) => errors.push(arg_error(
            "--range",
            "give the number of points with --sample N",
        )),
        _ => {}
    }
    if grid.is_empty() && ranges.is_empty() {
        errors.push(arg_error(
            "--grid",
            "a sweep needs at least one --grid or --range dimension",
        ));
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let seed = args.seed.unwrap_or(base.seed);
    // Counted before anything is built, without overflow.
    let total = grid
        .iter()
        .map(|d| d.values.len())
        .chain(args.sample)
        .try_fold(1usize, |acc, n| acc.checked_mul(n))
        .filter(|&t| t <= MAX_CELLS);
    if total.is_none() {
        let what = if args.sample.is_some() {
            "--sample"
        } else {
            "--grid"
        };
        return Err(input_error(
            what,
            format!("the grid and sample make more cells than a sweep may have ({MAX_CELLS})"),
        ));
    }
    let sampled: Vec<Dimension> = args
        .sample
        .map(|n| cells::latin_hypercube(&ranges, n, seed))
        .unwrap_or_default();
    let (paths, cell_values) = cells::cells(&grid, &sampled);
    let spec = Spec {
        scenario: args.file.display().to_string(),
        name: base.name.clone(),
        inputs: base.provenance.inputs.clone(),
        seed,
        replicates: args.replicates,
        set: args.set.clone(),
        metrics: args.metrics.clone(),
        paths,
        cells: cell_values,
    };
    // Every cell is checked before anything runs.
    let mut scenarios = Vec::with_capacity(spec.cells.len());
    let mut errors = InputErrors::default();
    for c in 0..spec.cells.len() {
        match load_cell(&args.file, &spec, &base_overrides, c) {
            Ok(s) => scenarios.push(s),
            Err(e) => errors.0.extend(e.0),
        }
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let env = |k: &str| std::env::var(k).ok();
    let shard = cells::shard(args.shard.as_deref(), args.shards, &env)
        .map_err(|m| input_error("shard", m))?;

    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(DEFAULT_OUT).join(&base.name).join("sweep"));
    let cannot =
        |e: std::io::Error| Failure::Internal(format!("cannot write {}: {e}", out.display()));
    std::fs::create_dir_all(out.join(CELLS_DIR)).map_err(cannot)?;
    check_spec(&out, &spec)?;
    write_atomic(out.join(SPEC_FILE), spec.text().as_bytes()).map_err(cannot)?;

    let mine: Vec<usize> = (0..spec.cells.len())
        .filter(|c| shard.is_none_or(|(k, n)| c % n == k))
        .filter(|&c| !(args.resume && read_cell(&spec, &cell_file(&out, c)).is_some()))
        .collect();
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(j) = args.jobs {
        builder = builder.num_threads(j);
    }
    let pool = builder
        .build()
        .map_err(|e| Failure::Internal(format!("cannot start worker threads: {e}")))?;
    let reps = args.replicates;
    pool.install(|| {
        mine.par_iter().try_for_each(|&c| -> Result<(), Failure> {
            let summaries: Vec<Value> = (0..reps as u64)
                .into_par_iter()
                .map(|i| {
                    let mut s = scenarios[c].clone();
                    s.seed = replicate_seed(seed, i);
                    sim::run(&s, RunOptions::default())
                        .map(|r| r.summary)
                        .map_err(|e| Failure::Internal(e.to_string()))
                })
                .collect::<Result<_, _>>()?;
            let result = CellResult {
                index: c,
                metrics: aggregate_estimates(&summaries),
            };
            write_atomic(cell_file(&out, c), cell_json(&spec, &result).as_bytes()).map_err(cannot)
        })
    })?;
    let finished = collect_cells(&spec, std::slice::from_ref(&out));
    let done = finished.iter().filter(|c| c.is_some()).count();
    if done < spec.cells.len() {
        if !args.quiet {
            let which = shard.map_or(String::new(), |(k, n)| format!("shard {k}/{n}: "));
            print_out(&format!(
                "{which}{} cells run; {done} of {} finished in {}; run `clustersim merge` on every shard's directory when all are done",
                mine.len(),
                spec.cells.len(),
                out.display()
            ));
        }
        return Ok(());
    }
    let results: Vec<CellResult> = finished.into_iter().flatten().collect();
    outputs::check_metrics(&spec, &results)?;
    let table = outputs::write(&out, &spec, &results).map_err(cannot)?;
    if !args.quiet {
        print_out(&table);
        print_out(&format!("wrote {}", out.display()));
    }
    Ok(())
}

fn arg_error(flag: &str, message: impl Into<String>) -> InputError {
    InputError {
        file: format!("<{flag}>"),
        line: 0,
        column: 0,
        path: String::new(),
        message: message.into(),
    }
}

/// Refuses a directory that holds a different sweep.
fn check_spec(dir: &Path, spec: &Spec) -> Result<(), Failure> {
    let path = dir.join(SPEC_FILE);
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(());
    };
    let theirs = serde_json::from_str::<Value>(&text).ok();
    if theirs.as_ref().map(identity_of) != Some(spec.identity()) {
        return Err(input_error(
            &dir.display().to_string(),
            "holds a different sweep (another scenario, grid, seed, replicates, input files or \
             clustersim version); choose another --out or remove it",
        ));
    }
    Ok(())
}

/// Each cell's result from the first of `dirs` that has it.
fn collect_cells(spec: &Spec, dirs: &[PathBuf]) -> Vec<Option<CellResult>> {
    (0..spec.cells.len())
        .map(|c| {
            dirs.iter()
                .find_map(|d| read_cell(spec, &cell_file(d, c)).filter(|r| r.index == c))
        })
        .collect()
}

pub fn merge(args: MergeArgs) -> Result<(), Failure> {
    let mut spec: Option<(Spec, String, PathBuf)> = None;
    for d in &args.dirs {
        let path = d.join(SPEC_FILE);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            input_error(
                &path.display().to_string(),
                format!("cannot read: {e} (is it a sweep directory?)"),
            )
        })?;
        let raw = serde_json::from_str::<Value>(&text).ok();
        let s = raw
            .as_ref()
            .and_then(Spec::from_json)
            .ok_or_else(|| input_error(&path.display().to_string(), "not a sweep specification"))?;
        let id = identity_of(raw.as_ref().expect("parsed"));
        match &spec {
            Some((_, first, from)) if *first != id => {
                return Err(input_error(
                    &path.display().to_string(),
                    format!(
                        "a different sweep than {}; merge shards of one sweep only",
                        from.display()
                    ),
                ));
            }
            Some(_) => {}
            None => spec = Some((s, id, d.clone())),
        }
    }
    let (spec, stored, from) = spec.expect("at least one directory");
    if stored != spec.identity() {
        return Err(input_error(
            &from.display().to_string(),
            "was made by another clustersim version; merge it with that version",
        ));
    }
    let found = collect_cells(&spec, &args.dirs);
    let missing: Vec<usize> = found
        .iter()
        .enumerate()
        .filter(|(_, c)| c.is_none())
        .map(|(i, _)| i)
        .collect();
    if !missing.is_empty() {
        let first: Vec<String> = missing
            .iter()
            .take(10)
            .map(|c| format!("{c} ({})", spec.label(*c)))
            .collect();
        return Err(input_error(
            "merge",
            format!(
                "{} of {} cells are not finished in these directories, e.g. {}; run the missing shards (or `sweep --resume`) first",
                missing.len(),
                spec.cells.len(),
                first.join("; ")
            ),
        ));
    }
    let out = &args.out;
    let cannot =
        |e: std::io::Error| Failure::Internal(format!("cannot write {}: {e}", out.display()));
    std::fs::create_dir_all(out.join(CELLS_DIR)).map_err(cannot)?;
    check_spec(out, &spec)?;
    write_atomic(out.join(SPEC_FILE), spec.text().as_bytes()).map_err(cannot)?;
    let results: Vec<CellResult> = found.into_iter().flatten().collect();
    for r in &results {
        write_atomic(cell_file(out, r.index), cell_json(&spec, r).as_bytes()).map_err(cannot)?;
    }
    outputs::check_metrics(&spec, &results)?;
    let table = outputs::write(out, &spec, &results).map_err(cannot)?;
    if !args.quiet {
        print_out(&table);
        print_out(&format!(
            "merged {} cells from {} directories into {}",
            results.len(),
            args.dirs.len(),
            out.display()
        ));
    }
    Ok(())
}
