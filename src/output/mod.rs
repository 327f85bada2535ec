//! Writing results: output directories written as a whole, atomic files, CSV and JSON, plots,
//! terminal tables.

pub mod atomic;
pub mod dir;
pub mod event_log;
pub mod plot;
pub mod report;
pub mod run_report;
pub mod table;

/// "1 replicate", "5 replicates": `n` and `word`, plural unless `n` is 1.
pub fn count_of(n: impl Into<u64>, word: &str) -> String {
    let n = n.into();
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}
