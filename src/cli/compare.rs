//! `clustersim compare`: every variant of a scenario over N replicates, with 95% confidence
//! intervals.
//!
//! Replicate i of every variant runs with seed `replicate_seed(seed, i)`, so variants share
//! their random numbers (common random numbers) and differences between them are not noise from
//! different draws. Runs go in parallel on a pool of `--jobs` threads, but results are gathered
//! in (variant, replicate) order before anything is aggregated, so every output is identical for
//! any `--jobs`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use clap::Args;
use rayon::prelude::*;
use serde_json::{Map, Value, json};
use statrs::distribution::{ContinuousCDF, StudentsT};

use crate::cli::{Failure, jobs_arg, parse_overrides, print_out, replicates_arg, seed_arg};
use crate::metrics::TimeSeries;
use crate::metrics::summary::flatten_numbers;
use crate::output::atomic::write_atomic;
use crate::output::dir::OutputDir;
use crate::output::plot::{self, CostBreakdown, Series, VariantPoint};
use crate::output::table::grid;
use crate::rng::replicate_seed;
use crate::scenario::{self, InputErrors, Override, Scenario};
use crate::sim::{self, RunOptions};

#[derive(Args, Debug)]
pub struct CompareArgs {
    /// Scenario file (YAML) with a `variants` list.
    pub file: PathBuf,
    /// Replicates per variant (1 to 10000).
    #[arg(long, value_name = "N", default_value_t = 10, allow_negative_numbers = true, value_parser = replicates_arg)]
    pub replicates: u32,
    /// Base seed of the replicates [default: the scenario's seed].
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = seed_arg)]
    pub seed: Option<u64>,
    /// Runs in parallel, 1 to 1024 [default: the number of cores].
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = jobs_arg)]
    pub jobs: Option<usize>,
    /// Output directory [default: results/<scenario name>/compare/].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Override a field in every variant, e.g. --set duration=1d (repeatable; applied after
    /// the variant's own overrides).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
    /// Print nothing on success.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Mean and 95% confidence interval of one metric of one variant.
#[derive(Clone, Debug, PartialEq)]
pub struct Estimate {
    pub mean: f64,
    pub low: f64,
    pub high: f64,
    pub n: usize,
}

/// Mean with a Student-t 95% interval; a single value has a zero-width interval.
pub fn estimate(xs: &[f64]) -> Estimate {
    let n = xs.len();
    let mean = xs.iter().sum::<f64>() / n.max(1) as f64;
    if n < 2 {
        return Estimate {
            mean,
            low: mean,
            high: mean,
            n,
        };
    }
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    let t = StudentsT::new(0.0, 1.0, (n - 1) as f64)
        .map(|d| d.inverse_cdf(0.975))
        .unwrap_or(f64::NAN);
    let half = t * (var / n as f64).sqrt();
    Estimate {
        mean,
        low: mean - half,
        high: mean + half,
        n,
    }
}

/// One variant's estimates, metrics in order of first appearance.
pub struct VariantResult {
    pub name: String,
    pub metrics: Vec<(String, Estimate)>,
    /// Replicate 0's time series (for the timeline chart).
    pub timeseries: TimeSeries,
}

impl VariantResult {
    pub fn get(&self, metric: &str) -> Option<&Estimate> {
        self.metrics
            .iter()
            .find(|(m, _)| m == metric)
            .map(|(_, e)| e)
    }
}

/// The metric every chart and table calls availability: the mean over the scenario's
/// Deployments of the share of time each had all its replicas ready (1 without Deployments).
pub const AVAILABILITY: &str = "availability";

/// Loads `file` and each of its variants (its `set` overrides, then the command line's); a
/// scenario without variants is its own single variant. Errors name the variant.
///
/// This is the one check every command applies (`validate`, `run`, `explain`, `compare`, through
/// [`crate::cli::load_checked`]), so a file that `validate` refuses is refused everywhere.
pub fn load_variants(
    file: &Path,
    cli_overrides: &[Override],
) -> Result<(Scenario, Vec<Scenario>), InputErrors> {
    let base = scenario::load_file(file, cli_overrides)?;
    if base.variants.is_empty() {
        return Ok((base.clone(), vec![base]));
    }
    let mut errors = InputErrors::default();
    let mut scenarios = Vec::new();
    for v in &base.variants {
        let all: Vec<Override> = v
            .set
            .iter()
            .map(|(path, value)| Override {
                path: path.clone(),
                value: value.clone(),
            })
            .chain(cli_overrides.iter().cloned())
            .collect();
        match scenario::load_file(file, &all) {
            Ok(s) => scenarios.push(s),
            Err(e) => {
                for mut err in e.0 {
                    err.message = format!("{} (in variant '{}')", err.message, v.name);
                    errors.push(err);
                }
            }
        }
    }
    if errors.is_empty() {
        Ok((base, scenarios))
    } else {
        Err(errors)
    }
}

/// Runs every variant of `base` (loaded from `file`) for `replicates` replicates.
pub fn run_compare(
    file: &Path,
    cli_overrides: &[Override],
    replicates: u32,
    seed: Option<u64>,
    jobs: Option<usize>,
) -> Result<(Scenario, Vec<VariantResult>), Failure> {
    let (base, scenarios) = load_variants(file, cli_overrides)?;
    if replicates == 0 {
        return Err(Failure::Input(InputErrors::single(
            "<--replicates>",
            "at least one replicate is needed",
        )));
    }
    let seed = seed.unwrap_or(base.seed);
    let tasks: Vec<(usize, u64)> = (0..scenarios.len())
        .flat_map(|v| (0..replicates as u64).map(move |i| (v, i)))
        .collect();
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(j) = jobs {
        builder = builder.num_threads(j.max(1));
    }
    let pool = builder
        .build()
        .map_err(|e| Failure::Internal(format!("cannot start worker threads: {e}")))?;
    // `collect` on an indexed parallel iterator keeps task order: (variant, replicate).
    let runs: Vec<Result<(Value, Option<TimeSeries>), String>> = pool.install(|| {
        tasks
            .par_iter()
            .map(|&(v, i)| {
                let mut s = scenarios[v].clone();
                s.seed = replicate_seed(seed, i);
                let r = sim::run(&s, RunOptions::default()).map_err(|e| e.to_string())?;
                Ok((r.summary, (i == 0).then_some(r.timeseries)))
            })
            .collect()
    });
    let names: Vec<String> = if base.variants.is_empty() {
        vec![base.name.clone()]
    } else {
        base.variants.iter().map(|v| v.name.clone()).collect()
    };
    let mut runs = runs.into_iter();
    let mut results = Vec::new();
    for name in &names {
        let mut summaries = Vec::new();
        let mut timeseries = TimeSeries::default();
        for _ in 0..replicates {
            let (summary, ts) = runs
                .next()
                .expect("one result per task")
                .map_err(Failure::Internal)?;
            if let Some(ts) = ts {
                timeseries = ts;
            }
            summaries.push(summary);
        }
        results.push(VariantResult {
            name: name.clone(),
            metrics: aggregate_estimates(&summaries),
            timeseries,
        });
    }
    Ok((base, results))
}

/// Every numeric summary metric (and the derived availability), in order of first appearance.
/// Every numeric metric over the replicates, in order of first appearance. A metric missing
/// from a replicate is a count that did not happen there (an unschedulable reason, an eviction
/// reason), so it counts as 0: every metric then has one value per replicate.
fn aggregate(summaries: &[Value]) -> Vec<(String, Vec<f64>)> {
    let per_replicate: Vec<Vec<(String, f64)>> = summaries
        .iter()
        .map(|s| {
            let numbers = flatten_numbers(s);
            let avail: Vec<f64> = numbers
                .iter()
                .filter(|(k, _)| k.starts_with("deployments.") && k.ends_with(".availability"))
                .map(|(_, v)| *v)
                .collect();
            let a = if avail.is_empty() {
                1.0
            } else {
                avail.iter().sum::<f64>() / avail.len() as f64
            };
            std::iter::once((AVAILABILITY.to_string(), a))
                .chain(numbers.into_iter().filter(|(k, _)| k != "seed"))
                .collect()
        })
        .collect();
    let mut names: Vec<String> = Vec::new();
    let mut column: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for (k, _) in per_replicate.iter().flatten() {
        if !column.contains_key(k) {
            column.insert(k.clone(), names.len());
            names.push(k.clone());
        }
    }
    let mut values = vec![vec![0.0; summaries.len()]; names.len()];
    for (r, numbers) in per_replicate.iter().enumerate() {
        for (k, v) in numbers {
            values[column[k]][r] = *v;
        }
    }
    names.into_iter().zip(values).collect()
}

fn aggregate_estimates(summaries: &[Value]) -> Vec<(String, Estimate)> {
    aggregate(summaries)
        .into_iter()
        .map(|(k, xs)| (k, estimate(&xs)))
        .collect()
}

/// `comparison.csv`.
pub fn comparison_csv(results: &[VariantResult]) -> String {
    let mut out = String::from("variant,metric,mean,ci95_low,ci95_high,replicates\n");
    for v in results {
        for (metric, e) in &v.metrics {
            let _ = writeln!(
                out,
                "{},{},{:.6},{:.6},{:.6},{}",
                csv_field(&v.name),
                csv_field(metric),
                e.mean,
                e.low,
                e.high,
                e.n
            );
        }
    }
    out
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// `comparison.json`.
pub fn comparison_json(
    scenario: &Scenario,
    replicates: u32,
    seed: u64,
    results: &[VariantResult],
) -> Value {
    let variants: Vec<Value> = results
        .iter()
        .map(|v| {
            let mut metrics = Map::new();
            for (m, e) in &v.metrics {
                metrics.insert(
                    m.clone(),
                    json!({ "mean": e.mean, "ci95_low": e.low, "ci95_high": e.high, "replicates": e.n }),
                );
            }
            json!({ "name": v.name, "metrics": metrics })
        })
        .collect();
    json!({
        "scenario": scenario.name,
        "seed": seed,
        "replicates": replicates,
        "variants": variants,
    })
}

fn pm(e: Option<&Estimate>, f: impl Fn(f64) -> String) -> String {
    match e {
        Some(e) => format!("{} ± {}", f(e.mean), f((e.high - e.low) / 2.0)),
        None => "-".into(),
    }
}

/// The terminal table: variant × (cost, availability, p95 pending, lost core-hours).
pub fn comparison_table(results: &[VariantResult], replicates: u32) -> String {
    let rows: Vec<Vec<String>> = results
        .iter()
        .map(|v| {
            vec![
                v.name.clone(),
                pm(v.get("cost.total_usd"), |x| format!("${x:.2}")),
                pm(v.get(AVAILABILITY), |x| format!("{:.3}%", x * 100.0)),
                pm(v.get("pending_time_s.p95"), |x| format!("{x:.1}")),
                pm(v.get("work.lost_core_hours"), |x| format!("{x:.1}")),
            ]
        })
        .collect();
    format!(
        "{}\nmean ± 95% confidence half-width over {replicates} replicates",
        grid(
            &[
                "variant",
                "cost (USD)",
                "availability",
                "p95 pending (s)",
                "lost core-hours"
            ],
            &rows
        )
    )
}

/// Every file `clustersim compare` writes.
pub const COMPARE_FILES: &[&str] = &[
    "comparison.csv",
    "comparison.json",
    "table.txt",
    "cost-vs-availability.png",
    "cost-vs-availability.svg",
    "cost-breakdown.png",
    "cost-breakdown.svg",
    "variants-over-time.png",
    "variants-over-time.svg",
];

fn write_outputs(
    dir: &Path,
    scenario: &Scenario,
    replicates: u32,
    seed: u64,
    results: &[VariantResult],
) -> Result<String, String> {
    let io = |what: &str, e: &dyn std::fmt::Display| {
        format!("cannot write {}: {e}", dir.join(what).display())
    };
    std::fs::create_dir_all(dir).map_err(|e| io("", &e))?;
    write_atomic(
        dir.join("comparison.csv"),
        comparison_csv(results).as_bytes(),
    )
    .map_err(|e| io("comparison.csv", &e))?;
    let mut json =
        serde_json::to_string_pretty(&comparison_json(scenario, replicates, seed, results))
            .map_err(|e| io("comparison.json", &e))?;
    json.push('\n');
    write_atomic(dir.join("comparison.json"), json.as_bytes())
        .map_err(|e| io("comparison.json", &e))?;
    let table = comparison_table(results, replicates);
    write_atomic(dir.join("table.txt"), format!("{table}\n").as_bytes())
        .map_err(|e| io("table.txt", &e))?;

    let mean = |v: &VariantResult, m: &str| v.get(m).map_or(0.0, |e| e.mean);
    let points: Vec<VariantPoint> = results
        .iter()
        .map(|v| {
            let cost = v.get("cost.total_usd");
            let avail = v.get(AVAILABILITY);
            VariantPoint {
                variant: v.name.clone(),
                cost: cost.map_or(0.0, |e| e.mean),
                cost_lo: cost.map_or(0.0, |e| e.low),
                cost_hi: cost.map_or(0.0, |e| e.high),
                availability: avail.map_or(1.0, |e| e.mean),
                avail_lo: avail.map_or(1.0, |e| e.low.min(1.0)),
                avail_hi: avail.map_or(1.0, |e| e.high.min(1.0)),
            }
        })
        .collect();
    let title = format!("{}: {replicates} replicates per variant", scenario.name);
    plot::cost_vs_availability(&dir.join("cost-vs-availability"), &title, &points)
        .map_err(|e| io("cost-vs-availability.png", &e))?;
    let rows: Vec<CostBreakdown> = results
        .iter()
        .map(|v| CostBreakdown {
            variant: v.name.clone(),
            by_type: crate::scenario::CapacityType::ALL
                .iter()
                .map(|t| {
                    let key = format!("cost.by_capacity_type.{}", t.as_str());
                    (t.as_str().to_string(), mean(v, &key))
                })
                .collect(),
        })
        .collect();
    plot::cost_breakdown(
        &dir.join("cost-breakdown"),
        &format!("{}: mean cost by capacity type (USD)", scenario.name),
        &rows,
    )
    .map_err(|e| io("cost-breakdown.png", &e))?;
    let time: Vec<f64> = results
        .first()
        .map(|v| {
            v.timeseries
                .samples
                .iter()
                .map(|s| s.time.0 as f64 / 3_600_000.0)
                .collect()
        })
        .unwrap_or_default();
    let series = |f: &dyn Fn(&crate::metrics::Sample) -> f64| -> Vec<Series> {
        results
            .iter()
            .map(|v| Series {
                label: v.name.clone(),
                values: v.timeseries.samples.iter().map(f).collect(),
            })
            .collect()
    };
    let ready = series(&|s| s.ready_nodes_by_pool.iter().sum::<u32>() as f64);
    let pending = series(&|s| s.pods_pending as f64);
    plot::variant_timelines(
        &dir.join("variants-over-time"),
        &format!("{}: replicate 0 of each variant", scenario.name),
        &time,
        &ready,
        &pending,
    )
    .map_err(|e| io("variants-over-time.png", &e))?;
    Ok(table)
}

pub fn compare(args: CompareArgs) -> Result<(), Failure> {
    let overrides = parse_overrides(&args.set)?;
    let (base, results) = run_compare(
        &args.file,
        &overrides,
        args.replicates,
        args.seed,
        args.jobs,
    )?;
    let seed = args.seed.unwrap_or(base.seed);
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("results").join(&base.name).join("compare"));
    let cannot =
        |e: std::io::Error| Failure::Internal(format!("cannot write {}: {e}", out.display()));
    let dir = OutputDir::create(&out, COMPARE_FILES, &[]).map_err(cannot)?;
    let table = write_outputs(dir.path(), &base, args.replicates, seed, &results)
        .map_err(Failure::Internal)?;
    dir.commit().map_err(cannot)?;
    if !args.quiet {
        print_out(&table);
        print_out(&format!("wrote {}", out.display()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn student_t_interval() {
        // n = 4, mean 2.5, s² = 5/3, t(0.975, 3) = 3.182446: half = 3.182446·√(5/12).
        let e = estimate(&[1.0, 2.0, 3.0, 4.0]);
        assert!((e.mean - 2.5).abs() < 1e-12);
        let half = 3.182446 * (5.0f64 / 12.0).sqrt();
        assert!((e.high - e.mean - half).abs() < 1e-5, "{e:?}");
        let one = estimate(&[7.0]);
        assert_eq!((one.low, one.high, one.n), (7.0, 7.0, 1));
    }

    #[test]
    fn aggregate_keeps_first_appearance_order_and_derives_availability() {
        let a = json!({"seed": 1, "cost": {"total_usd": 2.0}, "deployments": {"w": {"availability": 0.5}}});
        let b = json!({"seed": 2, "cost": {"total_usd": 4.0}, "deployments": {"w": {"availability": 1.0}}});
        let m = aggregate_estimates(&[a, b]);
        let names: Vec<&str> = m.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            names,
            [
                "availability",
                "cost.total_usd",
                "deployments.w.availability"
            ]
        );
        assert_eq!(m[0].1.mean, 0.75);
        assert_eq!(m[1].1.mean, 3.0);
    }

    #[test]
    fn a_count_missing_from_a_replicate_counts_as_zero() {
        let a = json!({"unschedulable_reasons": {"Insufficient cpu": 8}});
        let b = json!({"unschedulable_reasons": {}});
        let m = aggregate_estimates(&[a, b]);
        let (_, e) = m
            .iter()
            .find(|(k, _)| k == "unschedulable_reasons.Insufficient cpu")
            .unwrap();
        assert_eq!((e.mean, e.n), (4.0, 2));
    }
}
