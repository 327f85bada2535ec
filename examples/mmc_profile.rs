//! Runs the M/M/c benchmark model once; handy under a profiler.
use clustersim::reference_models::mmc;
use clustersim::sim::{RunOptions, run};
use clustersim::time::SimDuration;

fn main() {
    let pods: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let scenario = mmc(10, 54.0, SimDuration::from_secs(600), pods, 1);
    let r = run(&scenario, RunOptions::default()).expect("runs");
    println!(
        "{} pods completed, {} events",
        r.metrics.pods_completed, r.metrics.events_processed
    );
}
