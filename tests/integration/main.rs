//! One integration-test binary: the real CLI, determinism, and validation against theory.

mod binpacking;
mod cli;
mod compare;
mod constraints;
mod custom_heuristic;
mod determinism;
mod explain_and_scenarios;
mod failures;
mod indexed_scheduling;
mod preemption;
mod properties;
mod queueing;
mod rollouts;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs the real `clustersim` binary.
pub fn clustersim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_clustersim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the clustersim binary runs")
}

/// A fresh, empty directory for one test's outputs.
pub fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("clustersim-it-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).expect("file exists")).expect("valid JSON")
}
