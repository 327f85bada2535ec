//! The command-line interface. `main.rs` only calls [`main`]; everything else is here so tests
//! can drive it.
//!
//! Exit codes: 0 success, 2 bad input (including bad arguments), 1 internal error.

mod binpack;
mod compare;
mod explain;
mod import;
mod run;
mod saturate;
mod sweep;
mod trace;

pub use compare::{
    Estimate, VariantResult, comparison_csv, estimate, load_named_variant, load_variants,
    run_compare,
};

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::scenario::{self, InputErrors, Override};

/// Where outputs go without `--out`: `out/<scenario name>/` in the current directory. The
/// repository ignores `out/`, so running a bundled scenario never touches the committed
/// `results/` (those are made by `scripts/regenerate-results`).
pub const DEFAULT_OUT: &str = "out";

/// Exit code for bad input.
pub const EXIT_INPUT: u8 = 2;
/// Exit code for an internal error.
pub const EXIT_INTERNAL: u8 = 1;

#[derive(Parser, Debug)]
#[command(
    name = "clustersim",
    version,
    about = "Discrete-event simulator of Kubernetes-style clusters"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run a scenario and write summary.json, timeseries.csv, timeline.png/svg (and events.csv).
    Run(run::RunArgs),
    /// Run every variant of a scenario over replicates and compare cost, availability and
    /// lost work with 95% confidence intervals.
    Compare(compare::CompareArgs),
    /// Check scenario files without running them.
    Validate {
        /// Scenario files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Override a field, e.g. --set cluster.pools.general.count=10 (repeatable).
        #[arg(long = "set", value_name = "PATH=VALUE")]
        set: Vec<String>,
    },
    /// Print the JSON Schema of scenario files (for editor completion and checking).
    Schema,
    /// Run first-fit, first-fit decreasing and best-fit decreasing on bin-packing instances
    /// and write binpacking.csv and binpacking.md.
    Binpack(binpack::BinpackArgs),
    /// Explain one pod: each node's filter verdict and scores when it was placed, or why it is
    /// still pending.
    Explain(explain::ExplainArgs),
    /// The FGD paper's GPU-sharing experiment: pods of an OpenB trace tried once each, in a
    /// seeded order, under each policy; writes allocation_curve.csv, grid.csv, table.md,
    /// summary.json and allocation.png/svg.
    Saturate(saturate::SaturateArgs),
    /// Run a scenario over a grid (or a Latin hypercube sample) of field values, each cell
    /// over replicates; shards over machines (--shard, Kubernetes Indexed Jobs, Slurm arrays)
    /// and resumes. Writes sweep.csv, sweep.json, frontier.csv and frontier.png/svg.
    Sweep(sweep::SweepArgs),
    /// Merge the directories of a sharded sweep into one (the same bytes as an unsharded run).
    Merge(sweep::MergeArgs),
    /// Kubernetes manifests and a node list in, the equivalent native scenario out (for
    /// editing): `import FILE_OR_DIR... [--nodes nodes.yaml] -o scenario.yaml`.
    Import(import::ImportArgs),
    /// Public cluster traces: `trace convert --from FORMAT INPUT... -o trace.csv`.
    Trace {
        #[command(subcommand)]
        command: trace::TraceCommand,
    },
}

/// Parses the process arguments, runs the command, and returns the exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(EXIT_INPUT)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match execute(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Input(errors)) => {
            eprintln!("{errors}");
            let n = errors.len();
            if n > 1 {
                eprintln!("{n} errors");
            }
            ExitCode::from(EXIT_INPUT)
        }
        Err(Failure::Internal(message)) => {
            eprintln!("internal error: {message}");
            ExitCode::from(EXIT_INTERNAL)
        }
    }
}

/// Why a command failed.
#[derive(Debug)]
pub enum Failure {
    /// The user's input is wrong: exit 2.
    Input(InputErrors),
    /// Something the user cannot fix (an I/O error writing results, a bug): exit 1.
    Internal(String),
}

impl From<InputErrors> for Failure {
    fn from(e: InputErrors) -> Self {
        Failure::Input(e)
    }
}

pub fn execute(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Run(args) => run::run(args),
        Command::Compare(args) => compare::compare(args),
        Command::Validate { files, set } => validate(&files, &set),
        Command::Binpack(args) => binpack::binpack(args),
        Command::Explain(args) => explain::explain(args),
        Command::Saturate(args) => saturate::saturate(args),
        Command::Sweep(args) => sweep::sweep(args),
        Command::Merge(args) => sweep::merge(args),
        Command::Trace { command } => trace::trace(command),
        Command::Import(args) => import::import(args),
        Command::Schema => {
            let schema = scenario::json_schema();
            let text = serde_json::to_string_pretty(&schema)
                .map_err(|e| Failure::Internal(e.to_string()))?;
            print_out(&text);
            Ok(())
        }
    }
}

/// Prints a line to stdout. A closed pipe (`clustersim schema | head`) is not an error.
pub fn print_out(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{text}");
}

/// Prints each warning as `warning: file:line:col: path: message` on stderr.
pub fn print_warnings(warnings: &[String]) {
    use std::io::Write;
    let mut err = std::io::stderr().lock();
    for w in warnings {
        let _ = writeln!(err, "warning: {w}");
    }
}

/// The warnings of a scenario and of its variants: the base file's, then for each variant the
/// ones its overrides add, naming the variant.
pub fn scenario_warnings(
    base: &scenario::Scenario,
    variants: &[scenario::Scenario],
) -> Vec<String> {
    let mut out: Vec<String> = base.warnings.iter().map(|w| w.to_string()).collect();
    for (v, s) in base.variants.iter().zip(variants) {
        for w in &s.warnings {
            let text = w.to_string();
            if !base.warnings.contains(w) {
                out.push(format!("{text} (in variant '{}')", v.name));
            }
        }
    }
    out
}

/// Most replicates `compare` runs per variant.
pub const MAX_REPLICATES: u32 = 10_000;
/// Most worker threads `compare --jobs` starts.
pub const MAX_JOBS: usize = 1024;

/// Value parsers for numeric options. Each is registered with `allow_negative_numbers`, so
/// `--seed -1` reaches it and gets "expected ..., found '-1'" rather than clap's "unexpected
/// argument '-1'".
pub(crate) fn whole_number(text: &str, min: u64, max: u64) -> Result<u64, String> {
    match text.trim().parse::<u64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(format!(
            "expected a whole number from {min} to {max}, found '{text}'"
        )),
    }
}

pub(crate) fn seed_arg(text: &str) -> Result<u64, String> {
    whole_number(text, 0, u64::MAX)
}

pub(crate) fn replicates_arg(text: &str) -> Result<u32, String> {
    whole_number(text, 1, MAX_REPLICATES.into()).map(|n| n as u32)
}

pub(crate) fn jobs_arg(text: &str) -> Result<usize, String> {
    whole_number(text, 1, MAX_JOBS as u64).map(|n| n as usize)
}

/// `--until`: a duration; registered with `allow_hyphen_values`, so `-1m` is explained here.
pub(crate) fn until_arg(text: &str) -> Result<crate::time::SimDuration, String> {
    if text.trim_start().starts_with('-') {
        return Err(format!(
            "expected a duration such as 30m or 2h (not negative), found '{text}'"
        ));
    }
    match crate::time::parse_duration(text) {
        Ok(d) if d > crate::time::SimDuration::ZERO => Ok(d),
        Ok(_) => Err(format!(
            "expected a duration longer than 0s, found '{text}'"
        )),
        Err(e) => Err(e),
    }
}

/// Parses `--set` arguments; every malformed one is reported.
pub fn parse_overrides(set: &[String]) -> Result<Vec<Override>, InputErrors> {
    let mut errors = InputErrors::default();
    let mut out = Vec::new();
    for s in set {
        match Override::parse(s) {
            Ok(o) => out.push(o),
            Err(message) => errors.push(scenario::InputError {
                file: "<--set>".into(),
                line: 0,
                column: 0,
                path: String::new(),
                message,
            }),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Loads a scenario and checks each of its variants, as `validate` does; every command that
/// reads a scenario goes through here. Returns the scenario and its variants (the scenario
/// itself when it has none).
pub fn load_checked(
    file: &std::path::Path,
    overrides: &[Override],
) -> Result<(scenario::Scenario, Vec<scenario::Scenario>), InputErrors> {
    if scenario::saturate::is_experiment(file) {
        return Err(InputErrors::single(
            file.display().to_string(),
            "this is an experiment file of `clustersim saturate` (it has a `saturate` section), \
             not a scenario; run it with `clustersim saturate FILE --data DIR`",
        ));
    }
    compare::load_variants(file, overrides)
}

fn validate(files: &[PathBuf], set: &[String]) -> Result<(), Failure> {
    let overrides = parse_overrides(set)?;
    let mut all = InputErrors::default();
    for file in files {
        // An experiment file of `saturate` is checked as that command reads it.
        if scenario::saturate::is_experiment(file) {
            match scenario::saturate::load(file) {
                Ok(spec) => print_out(&format!(
                    "{}: ok (a saturate experiment: {} workloads, {} policies, {} seeds)",
                    file.display(),
                    spec.workloads.len(),
                    spec.policies.len(),
                    spec.replicates
                )),
                Err(errors) => all.0.extend(errors.0),
            }
            continue;
        }
        // Each variant is checked as `compare` would load it.
        match load_checked(file, &overrides) {
            Ok((s, variants)) => {
                print_warnings(&scenario_warnings(&s, &variants));
                print_out(&format!(
                    "{}: ok ({} pools, {} workloads)",
                    file.display(),
                    s.cluster.pools.len(),
                    s.workloads.len()
                ))
            }
            Err(errors) => all.0.extend(errors.0),
        }
    }
    if all.is_empty() {
        Ok(())
    } else {
        Err(Failure::Input(all))
    }
}

/// Refuses an output path that is a symbolic link, a folder, a device or FIFO, or one of the
/// `inputs`, before anything is read or written.
pub(crate) fn check_output_file(
    flag: &str,
    path: &std::path::Path,
    inputs: &[PathBuf],
) -> Result<(), InputErrors> {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return Ok(()); // a new file
    };
    let what = if meta.file_type().is_symlink() {
        Some("a symbolic link")
    } else if meta.is_dir() {
        Some("a folder")
    } else if !meta.is_file() {
        Some("not a regular file (a device or FIFO)")
    } else {
        None
    };
    if let Some(what) = what {
        return Err(InputErrors::single(
            flag,
            format!(
                "{} is {what}; give a path for a new or regular file",
                path.display()
            ),
        ));
    }
    let inputs: Vec<PathBuf> = inputs
        .iter()
        .filter_map(|p| std::fs::canonicalize(p).ok())
        .collect();
    if let Ok(real) = std::fs::canonicalize(path)
        && inputs.contains(&real)
    {
        return Err(InputErrors::single(
            flag,
            format!("{} is one of the inputs", path.display()),
        ));
    }
    Ok(())
}
