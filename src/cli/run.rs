//! `clustersim run`.

use std::path::PathBuf;

use clap::Args;

use crate::cli::{
    DEFAULT_OUT, Failure, load_checked, load_named_variant, parse_overrides, print_out,
    print_warnings, scenario_warnings, seed_arg, until_arg,
};
use crate::output::dir::OutputDir;
use crate::output::event_log::{CsvEventLog, CsvSampleLog};
use crate::output::run_report::{RUN_CARRIED, RUN_FILES, summary_table, write_report, write_run};
use crate::progress::Progress;
use crate::scenario::InputErrors;
use crate::sim::{self, EventSink, RunOptions};
use crate::time::SimDuration;

/// Most `timeseries.csv` rows a run may produce (the scenario loader applies the same limit).
const MAX_SAMPLE_ROWS: u64 = 10_000_000;

#[derive(Args, Debug)]
pub struct RunArgs {
    /// Scenario file (YAML).
    pub file: PathBuf,
    /// Use this seed instead of the scenario's.
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = seed_arg)]
    pub seed: Option<u64>,
    /// Output directory [default: out/<scenario name>/, or out/<scenario name>.<variant>/].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Stop at this simulated time instead of the scenario's duration (e.g. 30m).
    #[arg(long, value_name = "DURATION", allow_hyphen_values = true, value_parser = until_arg)]
    pub until: Option<SimDuration>,
    /// Also write events.csv with every pod and node transition.
    #[arg(long)]
    pub events: bool,
    /// Run this one of the scenario's `variants` (its `set` overrides, then --set's), as
    /// `compare` runs it.
    #[arg(long, value_name = "NAME")]
    pub variant: Option<String>,
    /// Override a field, e.g. --set cluster.pools.general.count=10 (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
    /// Print nothing on success.
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn run(args: RunArgs) -> Result<(), Failure> {
    let overrides = parse_overrides(&args.set)?;
    // Every variant is checked, as `validate` and `compare` check them, whichever one runs.
    let (base, variants) = load_checked(&args.file, &overrides)?;
    let mut scenario = match &args.variant {
        Some(name) => load_named_variant(&args.file, name, &overrides)?,
        None => base,
    };
    print_warnings(&scenario_warnings(&scenario, &variants[..0]));
    if let Some(seed) = args.seed {
        scenario.seed = seed;
    }
    let until = args.until;
    if let Some(until) = until {
        let rows = until.0 / scenario.sample_interval.0.max(1);
        if rows > MAX_SAMPLE_ROWS {
            return Err(InputErrors::single(
                "<--until>",
                format!(
                    "{until} would take {rows} samples at sample_interval {}; the limit is {MAX_SAMPLE_ROWS}",
                    scenario.sample_interval
                ),
            )
            .into());
        }
    }
    let out = match (&args.out, &args.variant) {
        (Some(dir), _) => dir.clone(),
        (None, None) => PathBuf::from(DEFAULT_OUT).join(&scenario.name),
        (None, Some(variant)) => {
            if !is_file_name(variant) {
                return Err(InputErrors::single(
                    "<--variant>",
                    format!("variant '{variant}' cannot name a directory; give --out DIR"),
                )
                .into());
            }
            PathBuf::from(DEFAULT_OUT).join(format!("{}.{variant}", scenario.name))
        }
    };
    // Everything is written into a temporary directory that replaces `out` at the end, so an
    // interrupted or failed run leaves the previous results whole.
    let dir = OutputDir::create(&out, RUN_FILES, RUN_CARRIED)
        .map_err(|e| Failure::Internal(format!("cannot write {}: {e}", out.display())))?;

    let mut log = if args.events {
        Some(
            CsvEventLog::create(&dir.path().join("events.csv"))
                .map_err(|e| Failure::Internal(e.to_string()))?,
        )
    } else {
        None
    };
    let mut samples = CsvSampleLog::create(&dir.path().join("timeseries.csv"))
        .map_err(|e| Failure::Internal(e.to_string()))?;
    let end_ms = until.unwrap_or(scenario.duration).0;
    let mut progress = Progress::new(end_ms, &scenario.name);
    let mut on_progress = |t: crate::time::SimTime| progress.update(t.0);
    let options = RunOptions {
        until,
        events: log.as_mut().map(|l| l as &mut dyn EventSink),
        progress: Some(&mut on_progress),
        explain: None,
        samples: Some(&mut samples),
    };
    let result = sim::run(&scenario, options).map_err(|e| Failure::Internal(e.to_string()))?;
    progress.finish();
    if let Some(log) = log {
        log.commit()
            .map_err(|e| Failure::Internal(format!("cannot write events.csv: {e}")))?;
    }
    samples
        .commit()
        .map_err(|e| Failure::Internal(format!("cannot write timeseries.csv: {e}")))?;
    let title = match &args.variant {
        Some(v) => format!("{} / {v} (seed {})", scenario.name, scenario.seed),
        None => format!("{} (seed {})", scenario.name, scenario.seed),
    };
    write_run(dir.path(), &title, &result, true).map_err(Failure::Internal)?;
    let text = crate::scenario::input::read_to_string(
        &args.file,
        crate::scenario::input::InputKind::Scenario,
    )
    .unwrap_or_default();
    write_report(dir.path(), &result, &text).map_err(Failure::Internal)?;
    dir.commit()
        .map_err(|e| Failure::Internal(format!("cannot write {}: {e}", out.display())))?;
    if !args.quiet {
        print_out(&summary_table(&result));
        print_out(&format!("wrote {}", out.display()));
    }
    Ok(())
}

/// A plain file name: letters, digits, `-`, `_` and `.`, not `.` or `..`.
fn is_file_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
}
