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

use crate::cli::{
    DEFAULT_OUT, Failure, jobs_arg, parse_overrides, print_out, print_warnings, replicates_arg,
    scenario_warnings, seed_arg,
};
use crate::metrics::TimeSeries;
use crate::metrics::summary::flatten_numbers;
use crate::output::atomic::write_atomic;
use crate::output::dir::OutputDir;
use crate::output::plot::{self, CostBreakdown, Series, VariantPoint};
use crate::output::table::{grid, human_decimals, human_number};
use crate::rng::replicate_seed;
use crate::scenario::{self, InputErrors, Override, Scenario};
use crate::sim::{self, RunOptions};
use crate::suggest::did_you_mean;

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
    /// Output directory [default: out/<scenario name>/compare/].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Override a field in every variant, e.g. --set duration=1d (repeatable; applied after
    /// the variant's own overrides).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
    /// Table columns: summary metrics by dotted name, e.g.
    /// --metrics cost.total_usd,pending_time_s.mean [default: those that apply to the scenario].
    #[arg(long, value_delimiter = ',', value_name = "A,B,C")]
    pub metrics: Vec<String>,
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

/// Mean with a Student-t 95% interval; a single value has a zero-width interval, which
/// [`Estimate::interval`] does not report.
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

impl Estimate {
    /// The 95% interval, or `None` for a single replicate (which has none, rather than one of
    /// zero width); CSV cells are then empty, JSON values null, table cells the mean alone.
    pub fn interval(&self) -> Option<(f64, f64)> {
        (self.n >= 2).then_some((self.low, self.high))
    }
}

impl VariantResult {
    pub fn get(&self, metric: &str) -> Option<&Estimate> {
        self.metrics
            .iter()
            .find(|(m, _)| m == metric)
            .map(|(_, e)| e)
    }
}

/// The mean over the scenario's Deployments of the share of time each had all its replicas
/// ready, over the whole run (start-up included). Absent without Deployments.
pub const AVAILABILITY: &str = "availability";

/// The same from each Deployment's first moment with every replica ready
/// (`availability_after_first_ready`; a Deployment never all ready counts as 0). The table and
/// the cost-against-availability chart use this one, so a start-up is not an outage.
pub const AVAILABILITY_AFTER_START_UP: &str = "availability_after_first_ready";

/// Derived across Deployments: the mean served share of those with a load, their degraded
/// minutes added up, the mean data age of those refreshed, the slowest to converge.
pub const SERVED_FRACTION: &str = "served_fraction";
pub const DEGRADED_MINUTES: &str = "degraded_minutes";
pub const DATA_AGE: &str = "data_age_s";
pub const CONVERGED: &str = "converged_s";
/// Derived across pools: the longest completed upgrade.
pub const UPGRADE_DURATION: &str = "upgrade_duration_s";

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
        match load_variant(file, v, cli_overrides) {
            Ok(s) => scenarios.push(s),
            Err(e) => errors.0.extend(e.0),
        }
    }
    if errors.is_empty() {
        Ok((base, scenarios))
    } else {
        Err(errors)
    }
}

/// Loads one variant of `file`: its `set` overrides, then the command line's. The scenario's
/// provenance names the variant and keeps the two sets of overrides apart.
pub fn load_variant(
    file: &Path,
    variant: &scenario::Variant,
    cli_overrides: &[Override],
) -> Result<Scenario, InputErrors> {
    let all: Vec<Override> = variant
        .set
        .iter()
        .map(|(path, value)| Override {
            path: path.clone(),
            value: value.clone(),
        })
        .chain(cli_overrides.iter().cloned())
        .collect();
    match scenario::load_file(file, &all) {
        Ok(mut s) => {
            let p = &mut s.provenance;
            let cli = p.set.split_off(variant.set.len().min(p.set.len()));
            p.variant_set = std::mem::replace(&mut p.set, cli);
            p.variant = Some(variant.name.clone());
            Ok(s)
        }
        Err(mut e) => {
            for err in &mut e.0 {
                err.message = format!("{} (in variant '{}')", err.message, variant.name);
            }
            Err(e)
        }
    }
}

/// Loads `file` as `run --variant NAME` does: the named variant, or an error listing the
/// variants there are.
pub fn load_named_variant(
    file: &Path,
    name: &str,
    cli_overrides: &[Override],
) -> Result<Scenario, InputErrors> {
    let base = scenario::load_file(file, cli_overrides)?;
    let label = file.display().to_string();
    if base.variants.is_empty() {
        return Err(InputErrors::single(
            "<--variant>",
            format!("{label} has no variants; --variant picks one of a scenario's `variants`"),
        ));
    }
    let Some(v) = base.variants.iter().find(|v| v.name == name) else {
        let names: Vec<&str> = base.variants.iter().map(|v| v.name.as_str()).collect();
        let mut message = format!(
            "{label} has no variant '{name}'; its variants are {}",
            names.join(", ")
        );
        if let Some(s) = did_you_mean(name, names.iter().copied()) {
            message.push_str(&format!("; did you mean '{s}'?"));
        }
        return Err(InputErrors::single("<--variant>", message));
    };
    load_variant(file, v, cli_overrides)
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
    print_warnings(&scenario_warnings(&base, &scenarios));
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

/// Whether a metric missing from a replicate is a count that did not happen there (an
/// unschedulable or eviction reason), so 0. Any other missing metric did not apply to that
/// replicate and is left out of its estimate (which then has fewer replicates).
fn missing_means_zero(metric: &str) -> bool {
    metric.starts_with("unschedulable_reasons.") || metric.starts_with("pods.evicted_by_reason.")
}

/// Every numeric metric over the replicates, in order of first appearance, with the value of
/// each replicate that has it (see [`missing_means_zero`]). The derived availabilities come
/// first, for scenarios with Deployments.
fn aggregate(summaries: &[Value]) -> Vec<(String, Vec<f64>)> {
    let per_replicate: Vec<Vec<(String, f64)>> = summaries
        .iter()
        .map(|s| {
            let mut derived = Vec::new();
            if let Some(Value::Object(deployments)) = s.get("deployments")
                && !deployments.is_empty()
            {
                let n = deployments.len() as f64;
                let mean = |key: &str, fallback: &str| {
                    deployments
                        .values()
                        .map(|d| {
                            d.get(key)
                                .or_else(|| d.get(fallback))
                                .and_then(Value::as_f64)
                                .unwrap_or(0.0)
                        })
                        .sum::<f64>()
                        / n
                };
                derived.push((
                    AVAILABILITY.to_string(),
                    mean("availability", "availability"),
                ));
                // A Deployment never all ready has no "after": its availability is 0 anyway.
                derived.push((
                    AVAILABILITY_AFTER_START_UP.to_string(),
                    mean("availability_after_first_ready", "availability"),
                ));
                let values = |key: &str| -> Vec<f64> {
                    deployments
                        .values()
                        .filter_map(|d| d.get(key).and_then(Value::as_f64))
                        .collect()
                };
                let served = values("served_fraction");
                if !served.is_empty() {
                    let n = served.len() as f64;
                    derived.push((SERVED_FRACTION.into(), served.iter().sum::<f64>() / n));
                    derived.push((
                        DEGRADED_MINUTES.into(),
                        values("degraded_minutes").iter().sum(),
                    ));
                }
                let age = values("data_age_s");
                if !age.is_empty() {
                    derived.push((DATA_AGE.into(), age.iter().sum::<f64>() / age.len() as f64));
                }
                // The slowest to converge, when every Deployment did.
                let converged = values("converged_s");
                if converged.len() == deployments.len() {
                    derived.push((
                        CONVERGED.into(),
                        converged.iter().copied().fold(0.0, f64::max),
                    ));
                }
            }
            if let Some(Value::Object(upgrades)) = s.get("upgrades") {
                let done: Vec<f64> = upgrades
                    .values()
                    .filter_map(|u| u.get("duration_s").and_then(Value::as_f64))
                    .collect();
                if done.len() == upgrades.len() && !done.is_empty() {
                    derived.push((
                        UPGRADE_DURATION.into(),
                        done.iter().copied().fold(0.0, f64::max),
                    ));
                }
            }
            derived
                .into_iter()
                .chain(flatten_numbers(s).into_iter().filter(|(k, _)| k != "seed"))
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
    let mut values: Vec<Vec<Option<f64>>> = vec![vec![None; summaries.len()]; names.len()];
    for (r, numbers) in per_replicate.iter().enumerate() {
        for (k, v) in numbers {
            values[column[k]][r] = Some(*v);
        }
    }
    names
        .into_iter()
        .zip(values)
        .map(|(name, xs)| {
            let zero = missing_means_zero(&name);
            let xs = xs
                .into_iter()
                .filter_map(|x| if zero { Some(x.unwrap_or(0.0)) } else { x })
                .collect();
            (name, xs)
        })
        .collect()
}

pub(crate) fn aggregate_estimates(summaries: &[Value]) -> Vec<(String, Estimate)> {
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
                "{},{},{},{},{},{}",
                csv_field(&v.name),
                csv_field(metric),
                e.mean,
                e.interval()
                    .map_or(String::new(), |(low, _)| low.to_string()),
                e.interval()
                    .map_or(String::new(), |(_, high)| high.to_string()),
                e.n
            );
        }
    }
    out
}

/// A CSV field, quoted when it must be.
pub(crate) fn csv_field(s: &str) -> String {
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
                // A single replicate has no interval: the keys are absent, not null.
                let mut entry = Map::new();
                entry.insert("mean".into(), json!(e.mean));
                if let Some((lo, hi)) = e.interval() {
                    entry.insert("ci95_low".into(), json!(lo));
                    entry.insert("ci95_high".into(), json!(hi));
                }
                entry.insert("replicates".into(), json!(e.n));
                metrics.insert(m.clone(), Value::Object(entry));
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

/// How a column's numbers read.
#[derive(Clone, Copy, Debug, PartialEq)]
enum CellFormat {
    /// `$1234.56`.
    Dollars,
    /// A share as a percentage with three decimals: 0.9999 is `99.990%`, not `1.00`.
    Percent,
    /// One decimal.
    Tenths,
    /// [`human_number`], the half-width to the mean's decimals.
    Human,
}

impl CellFormat {
    /// `mean ± half-width`, or `-` where the metric does not apply.
    fn pm(self, e: Option<&Estimate>) -> String {
        let Some(e) = e else {
            return "-".into();
        };
        let Some((low, high)) = e.interval() else {
            // One replicate has no interval: the value alone.
            return match self {
                CellFormat::Dollars => format!("${:.2}", e.mean),
                CellFormat::Percent => format!("{:.3}%", e.mean * 100.0),
                CellFormat::Tenths => format!("{:.1}", e.mean),
                CellFormat::Human => human_number(e.mean),
            };
        };
        let half = (high - low) / 2.0;
        match self {
            CellFormat::Dollars => format!("${:.2} ± ${half:.2}", e.mean),
            CellFormat::Percent => format!("{:.3}% ± {:.3}%", e.mean * 100.0, half * 100.0),
            CellFormat::Tenths => format!("{:.1} ± {half:.1}", e.mean),
            CellFormat::Human => {
                let d = human_decimals(e.mean);
                format!("{} ± {half:.d$}", human_number(e.mean))
            }
        }
    }
}

/// `mean ± half-width` of `metric` as compare's table writes it (`-` where it does not apply).
pub(crate) fn format_cell(metric: &str, e: Option<&Estimate>) -> String {
    metric_format(metric).pm(e)
}

/// One column of the comparison table.
pub(crate) struct Column {
    pub(crate) header: String,
    pub(crate) metric: String,
    format: CellFormat,
}

/// The default columns, each shown when it applies to the scenario: cost always; availability
/// with Deployments; p95 pending when some pod was scheduled; pods never scheduled when some
/// variant has any; lost core-hours with Batch or Trace workloads.
pub(crate) fn default_columns(results: &[VariantResult]) -> Vec<Column> {
    let any = |m: &str| results.iter().any(|v| v.get(m).is_some());
    let any_prefix = |p: &str| {
        results
            .iter()
            .any(|v| v.metrics.iter().any(|(m, _)| m.starts_with(p)))
    };
    let any_positive = |m: &str| {
        results
            .iter()
            .any(|v| v.get(m).is_some_and(|e| e.mean > 0.0))
    };
    let candidates = [
        ("cost (USD)", "cost.total_usd", CellFormat::Dollars, true),
        (
            "availability after start-up",
            AVAILABILITY_AFTER_START_UP,
            CellFormat::Percent,
            any(AVAILABILITY_AFTER_START_UP),
        ),
        (
            "p95 pending (s)",
            "pending_time_s.p95",
            CellFormat::Tenths,
            any("pending_time_s.p95"),
        ),
        (
            "never scheduled",
            "pending_time_s.censored.count",
            CellFormat::Tenths,
            any_positive("pending_time_s.censored.count"),
        ),
        (
            "lost core-hours",
            "work.lost_core_hours",
            CellFormat::Tenths,
            any("work.lost_core_hours"),
        ),
        (
            "served share",
            SERVED_FRACTION,
            CellFormat::Percent,
            any(SERVED_FRACTION),
        ),
        (
            "degraded (min)",
            DEGRADED_MINUTES,
            CellFormat::Tenths,
            any(DEGRADED_MINUTES),
        ),
        ("data age (s)", DATA_AGE, CellFormat::Tenths, any(DATA_AGE)),
        (
            "upgrade (s)",
            UPGRADE_DURATION,
            CellFormat::Tenths,
            any_prefix("upgrades."),
        ),
        (
            "converged (s)",
            CONVERGED,
            CellFormat::Tenths,
            any("work.crashloop_core_hours"),
        ),
        (
            "crash-loop core-hours",
            "work.crashloop_core_hours",
            CellFormat::Tenths,
            any("work.crashloop_core_hours"),
        ),
    ];
    candidates
        .into_iter()
        .filter(|c| c.3)
        .map(|(header, metric, format, _)| Column {
            header: header.into(),
            metric: metric.into(),
            format,
        })
        .collect()
}

/// How a metric reads in the table: shares (availability, fractions, utilisation) as
/// percentages with three decimals, so 0.9999 does not round to 1.00; costs in dollars; the
/// rest by [`human_number`].
fn metric_format(metric: &str) -> CellFormat {
    let last = metric.rsplit('.').next().unwrap_or(metric);
    if last.starts_with("availability")
        || last.contains("fraction")
        || metric.starts_with("utilization.")
    {
        CellFormat::Percent
    } else if metric.starts_with("cost.") {
        CellFormat::Dollars
    } else {
        CellFormat::Human
    }
}

/// The columns `--metrics` names, each headed by its metric name; a name no variant reports is
/// an input error (with a suggestion).
fn chosen_columns(results: &[VariantResult], names: &[String]) -> Result<Vec<Column>, Failure> {
    let mut errors = InputErrors::default();
    let known: Vec<&str> = {
        let mut k: Vec<&str> = Vec::new();
        for v in results {
            for (m, _) in &v.metrics {
                if !k.contains(&m.as_str()) {
                    k.push(m);
                }
            }
        }
        k
    };
    let mut columns = Vec::new();
    for name in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
        if known.contains(&name) {
            columns.push(Column {
                header: name.to_string(),
                metric: name.to_string(),
                format: metric_format(name),
            });
        } else {
            let mut message = format!("no variant reports a metric '{name}'");
            if let Some(s) = did_you_mean(name, known.iter().copied()) {
                message.push_str(&format!("; did you mean '{s}'?"));
            } else {
                message.push_str("; the metrics are the numeric keys of comparison.csv");
            }
            errors.push(crate::scenario::InputError {
                file: "<--metrics>".into(),
                line: 0,
                column: 0,
                path: String::new(),
                message,
            });
        }
    }
    if errors.is_empty() {
        Ok(columns)
    } else {
        Err(Failure::Input(errors))
    }
}

/// The terminal table: variant × columns, each cell mean ± 95% half-width, `-` where the metric
/// does not apply to a variant.
fn comparison_table(results: &[VariantResult], replicates: u32, columns: &[Column]) -> String {
    let (headers, rows, note) = comparison_rows(results, replicates, columns);
    let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
    format!("{}\n{note}", grid(&headers, &rows))
}

/// The comparison table's headers, rows and the note under it.
fn comparison_rows(
    results: &[VariantResult],
    replicates: u32,
    columns: &[Column],
) -> (Vec<String>, Vec<Vec<String>>, String) {
    let rows: Vec<Vec<String>> = results
        .iter()
        .map(|v| {
            std::iter::once(v.name.clone())
                .chain(columns.iter().map(|c| c.format.pm(v.get(&c.metric))))
                .collect()
        })
        .collect();
    let headers: Vec<String> = std::iter::once("variant".to_string())
        .chain(columns.iter().map(|c| c.header.clone()))
        .collect();
    let fewer = results
        .iter()
        .flat_map(|v| columns.iter().filter_map(|c| v.get(&c.metric)))
        .any(|e| e.n < replicates as usize);
    let mut note = if replicates < 2 {
        "one replicate: values without confidence intervals".to_string()
    } else {
        format!("mean ± 95% confidence half-width over {replicates} replicates")
    };
    if fewer {
        note.push_str(" (fewer where a metric did not apply to every replicate)");
    }
    (headers, rows, note)
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
    "report.html",
];

fn write_outputs(
    dir: &Path,
    scenario: &Scenario,
    replicates: u32,
    seed: u64,
    results: &[VariantResult],
    columns: &[Column],
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
    let table = comparison_table(results, replicates, columns);
    write_atomic(dir.join("table.txt"), format!("{table}\n").as_bytes())
        .map_err(|e| io("table.txt", &e))?;

    let mean = |v: &VariantResult, m: &str| v.get(m).map_or(0.0, |e| e.mean);
    let points: Vec<VariantPoint> = results
        .iter()
        .map(|v| {
            let cost = v.get("cost.total_usd");
            let avail = v.get(AVAILABILITY_AFTER_START_UP);
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
    let title = format!(
        "{}: {} per variant",
        scenario.name,
        crate::output::count_of(replicates, "replicate")
    );
    // Without Deployments there is no availability to plot cost against: no chart.
    if results
        .iter()
        .any(|v| v.get(AVAILABILITY_AFTER_START_UP).is_some())
    {
        plot::cost_vs_availability(&dir.join("cost-vs-availability"), &title, &points)
            .map_err(|e| io("cost-vs-availability.png", &e))?;
    }
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
    // What moves in this scenario: the served share where Deployments carry a load, their
    // ready pods where there are Deployments, then nodes, and pending pods if any waited.
    let mut panels = Vec::new();
    fn loaded(s: &crate::metrics::Sample) -> impl Iterator<Item = f64> + '_ {
        s.deployments.iter().filter_map(|d| d.served)
    }
    if results.iter().any(|v| {
        v.timeseries
            .samples
            .iter()
            .any(|s| loaded(s).next().is_some())
    }) {
        panels.push(plot::VariantPanel {
            y_desc: "served share".into(),
            share: true,
            series: series(&|s| {
                let (n, sum) = loaded(s).fold((0, 0.0), |(n, t), x| (n + 1, t + x));
                if n == 0 { 1.0 } else { sum / n as f64 }
            }),
            startup_zoom: None,
        });
    }
    if results.iter().any(|v| {
        v.timeseries
            .samples
            .iter()
            .any(|s| !s.deployments.is_empty())
    }) {
        panels.push(plot::VariantPanel {
            y_desc: "ready Deployment pods".into(),
            share: false,
            series: series(&|s| s.deployments.iter().map(|d| d.ready).sum::<u32>() as f64),
            startup_zoom: Some("ready pods (start-up)".into()),
        });
    }
    panels.push(plot::VariantPanel {
        y_desc: "ready nodes".into(),
        share: false,
        series: series(&|s| s.ready_nodes_by_pool.iter().sum::<u32>() as f64),
        startup_zoom: None,
    });
    if results
        .iter()
        .any(|v| v.timeseries.samples.iter().any(|s| s.pods_pending > 0))
        || panels.len() < 2
    {
        panels.push(plot::VariantPanel {
            y_desc: "pending pods".into(),
            share: false,
            series: series(&|s| s.pods_pending as f64),
            startup_zoom: None,
        });
    }
    plot::variant_timelines(
        &dir.join("variants-over-time"),
        &format!("{}: replicate 0 of each variant", scenario.name),
        &time,
        &panels,
    )
    .map_err(|e| io("variants-over-time.png", &e))?;
    let (headers, rows, note) = comparison_rows(results, replicates, columns);
    report::write(dir, scenario, &headers, &rows, &note).map_err(|e| io("report.html", &e))?;
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
        .unwrap_or_else(|| PathBuf::from(DEFAULT_OUT).join(&base.name).join("compare"));
    let columns = if args.metrics.is_empty() {
        default_columns(&results)
    } else {
        chosen_columns(&results, &args.metrics)?
    };
    let cannot =
        |e: std::io::Error| Failure::Internal(format!("cannot write {}: {e}", out.display()));
    let dir = OutputDir::create(&out, COMPARE_FILES, &[]).map_err(cannot)?;
    let table = write_outputs(dir.path(), &base, args.replicates, seed, &results, &columns)
        .map_err(Failure::Internal)?;
    dir.commit().map_err(cannot)?;
    if !args.quiet {
        print_out(&table);
        print_out(&format!("wrote {}", out.display()));
    }
    Ok(())
}

mod report;
#[cfg(test)]
mod tests;
