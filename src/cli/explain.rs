//! `clustersim explain`.

use std::path::PathBuf;

use clap::Args;

use crate::cli::{Failure, load_checked, parse_overrides, print_out};
use crate::scenario::InputErrors;
use crate::scheduler::explain::Explanation;
use crate::sim::{self, RunOptions};

#[derive(Args, Debug)]
pub struct ExplainArgs {
    /// Scenario file (YAML).
    pub file: PathBuf,
    /// A pod's name (e.g. web-3, or a trace row's name), or a workload's name for its first pod.
    #[arg(long)]
    pub pod: String,
    /// Override a field, e.g. --set cluster.pools.general.count=10 (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
}

pub fn explain(args: ExplainArgs) -> Result<(), Failure> {
    let overrides = parse_overrides(&args.set)?;
    let scenario = load_checked(&args.file, &overrides)?.0;
    let mut explanation = Explanation::new(&args.pod);
    let options = RunOptions {
        explain: Some(&mut explanation),
        ..Default::default()
    };
    sim::run(&scenario, options).map_err(|e| Failure::Internal(e.to_string()))?;
    if explanation.pod.is_none() {
        return Err(Failure::Input(InputErrors::single(
            "<--pod>",
            format!(
                "no pod or workload named '{}' appeared in the run",
                args.pod
            ),
        )));
    }
    let policy = if scenario.scheduler.filters.is_some() || scenario.scheduler.scores.is_some() {
        "custom"
    } else {
        &scenario.scheduler.policy
    };
    print_out(explanation.render(policy).trim_end());
    Ok(())
}
