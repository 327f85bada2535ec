//! `clustersim binpack`: the bin-packing validation table.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use clap::Args;

use crate::cli::{Failure, print_out};
use crate::output::dir::OutputDir;
use crate::scenario::InputErrors;
use crate::scheduler::binpack::{HEURISTICS, bins_used, read_dir};

#[derive(Args, Debug)]
pub struct BinpackArgs {
    /// Directory of BPPLIB instance files (`*.txt`), optionally with an `index.csv` holding
    /// `instance,...,best_known` columns.
    pub dir: PathBuf,
    /// Output directory for binpacking.csv and binpacking.md.
    #[arg(long, default_value = super::DEFAULT_OUT)]
    pub out: PathBuf,
}

/// Every file `clustersim binpack` writes.
pub const BINPACK_FILES: &[&str] = &["binpacking.csv", "binpacking.md"];

pub fn binpack(args: BinpackArgs) -> Result<(), Failure> {
    let input = |m: String| Failure::Input(InputErrors::single(args.dir.display().to_string(), m));
    let instances = read_dir(&args.dir).map_err(input)?;
    let best = best_known(&args.dir.join("index.csv"));
    let mut csv = String::from("instance,items,capacity,lower_bound,best_known");
    let mut md = String::from(
        "# Bin packing: bins used per heuristic\n\n\
         Produced by `clustersim binpack DIR --out results`. FF: `fifo` queue + `first-fit`; \
         FFD: `largest-first` + `first-fit`; BFD: `largest-first` + `best-fit`. \
         Lower bound: ceil(total size / capacity).\n\n\
         | instance | items | lower bound | best known |",
    );
    for (label, ..) in HEURISTICS {
        write!(csv, ",{label}").unwrap();
        write!(md, " {label} |").unwrap();
    }
    csv.push('\n');
    md.push_str("\n|---|---:|---:|---:|");
    md.push_str(&"---:|".repeat(HEURISTICS.len()));
    md.push('\n');
    let mut totals = [0u64; HEURISTICS.len()];
    let (mut total_lb, mut total_best) = (0u64, 0u64);
    for instance in &instances {
        let lb = instance.lower_bound();
        let known = best.iter().find(|(n, _)| *n == instance.name).map(|b| b.1);
        total_lb += lb;
        total_best += known.unwrap_or(lb);
        let known_text = known.map(|b| b.to_string()).unwrap_or_default();
        write!(
            csv,
            "{},{},{},{lb},{known_text}",
            instance.name,
            instance.items.len(),
            instance.capacity
        )
        .unwrap();
        write!(
            md,
            "| {} | {} | {lb} | {known_text} |",
            instance.name,
            instance.items.len()
        )
        .unwrap();
        for (i, (_, queue, policy)) in HEURISTICS.into_iter().enumerate() {
            let bins = bins_used(instance, policy, queue).map_err(Failure::Internal)?;
            totals[i] += bins;
            write!(csv, ",{bins}").unwrap();
            write!(md, " {bins} |").unwrap();
        }
        csv.push('\n');
        md.push('\n');
    }
    write!(md, "| **total** | | {total_lb} | {total_best} |").unwrap();
    for t in totals {
        write!(md, " {t} |").unwrap();
    }
    md.push_str(
        "\n\nThe best-known total counts the lower bound where no best-known value is listed.\n",
    );
    // The default `results/` holds other results too: OutputDir then updates the two files in
    // place, each atomically; a directory of its own is replaced as a whole.
    let cannot =
        |e: std::io::Error| Failure::Internal(format!("cannot write {}: {e}", args.out.display()));
    let dir = OutputDir::create(&args.out, BINPACK_FILES, &[]).map_err(cannot)?;
    write_file(&dir.path().join("binpacking.csv"), &csv)?;
    write_file(&dir.path().join("binpacking.md"), &md)?;
    dir.commit().map_err(cannot)?;
    print_out(&format!(
        "{} instances; bins used: {}; best known {total_best}, lower bound {total_lb}",
        instances.len(),
        HEURISTICS
            .iter()
            .zip(totals)
            .map(|((l, ..), t)| format!("{l} {t}"))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    Ok(())
}

fn write_file(path: &Path, text: &str) -> Result<(), Failure> {
    std::fs::write(path, text)
        .map_err(|e| Failure::Internal(format!("cannot write {}: {e}", path.display())))
}

/// `(instance, best_known)` pairs from an index file; empty if there is none.
fn best_known(path: &Path) -> Vec<(String, u64)> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split(',').collect();
    let Some(col) = header.iter().position(|h| *h == "best_known") else {
        return Vec::new();
    };
    lines
        .filter_map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            Some((cells.first()?.to_string(), cells.get(col)?.parse().ok()?))
        })
        .collect()
}
