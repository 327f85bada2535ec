//! One integration-test binary: the real CLI, determinism, and validation against theory.

mod autoscaling;
mod binpacking;
mod cli;
mod compare;
mod constraints;
mod custom_heuristic;
mod determinism;
mod explain_and_scenarios;
mod failures;
mod fuzz;
mod gpu_sharing;
mod hardening;
mod indexed_scheduling;
mod manifests;
mod preemption;
mod properties;
mod provenance;
mod queueing;
mod rollouts;
mod sweep;
mod trace_convert;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Runs the real `clustersim` binary.
pub fn clustersim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_clustersim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the clustersim binary runs")
}

/// Runs the real `clustersim` binary (or `bin`), killing it after `timeout`: `None` then.
pub fn clustersim_within(bin: &Path, args: &[&str], timeout: Duration) -> Option<Output> {
    let mut child = Command::new(bin)
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the clustersim binary starts");
    // Drain both pipes on threads so a chatty child never blocks on a full pipe.
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = r.read_to_end(&mut buf);
            buf
        })
    };
    let out = drain(Box::new(child.stdout.take().expect("piped")));
    let err = drain(Box::new(child.stderr.take().expect("piped")));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break Some(status);
        }
        if start.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let (stdout, stderr) = (
        out.join().unwrap_or_default(),
        err.join().unwrap_or_default(),
    );
    status.map(|status| Output {
        status,
        stdout,
        stderr,
    })
}

/// The binary the tests run.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_clustersim"))
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

/// `../shared/data/<name>` beside the repository, if it is there. The shared data sets are not
/// part of the project, so a plain clone lacks them: then this prints why the calling test
/// checks nothing (straight to stderr, past the test harness's capture, so it shows in a normal
/// `cargo test`) and returns `None`.
pub fn shared_data(name: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data")
        .join(name);
    if dir.is_dir() {
        return Some(dir);
    }
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr(),
        "note: skipping a check on ../shared/data/{name}: it is absent (shared data sets are \
         not part of the repository; the generated instances still run)"
    );
    None
}

pub fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).expect("file exists")).expect("valid JSON")
}

/// SplitMix64: a few lines of well-known generator, so test inputs depend on no library's
/// sampling algorithm and are the same everywhere.
pub struct SplitMix(pub u64);

impl SplitMix {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}
