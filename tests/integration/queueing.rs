//! Validation against queueing theory: the cluster as an M/M/c queue.
//!
//! c nodes that each fit one pod, Poisson arrivals, exponential run times, FIFO. The measured
//! mean pending time and the share of pods that waited must match Erlang C. Each estimate comes
//! from independent replicates (fixed seeds), with a Student-t confidence interval; the first
//! pods of each replicate are dropped so the empty starting cluster does not bias the estimate.

use clustersim::reference_models::mmc;
use clustersim::sim::{RunOptions, run};
use clustersim::theory::{erlang_c, mmc_mean_wait};
use clustersim::time::SimDuration;

const REPLICATES: u64 = 20;
const PODS_PER_REPLICATE: u64 = 100_000;
const WARM_UP_PODS: usize = 1_000;
/// Two-sided 99% Student-t quantile with 19 degrees of freedom.
const T_99_19: f64 = 2.861;

/// Mean and 99% CI half-width over replicate values.
fn mean_ci(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, T_99_19 * (var / n).sqrt())
}

fn check_mmc(c: u32, lambda_per_hour: f64, mean_run: SimDuration) {
    let mu_per_hour = 3600.0 / mean_run.as_secs_f64();
    let expected_wait_s = mmc_mean_wait(c, lambda_per_hour, mu_per_hour) * 3600.0;
    let expected_waited = erlang_c(c, lambda_per_hour / mu_per_hour);

    let mut waits = Vec::new();
    let mut waited = Vec::new();
    for seed in 1..=REPLICATES {
        let scenario = mmc(c, lambda_per_hour, mean_run, PODS_PER_REPLICATE, seed);
        let result = run(&scenario, RunOptions::default()).expect("runs");
        // FIFO on identical servers binds in arrival order, so this drops the first arrivals.
        let kept = &result.metrics.waits_ms[WARM_UP_PODS..];
        waits.push(kept.iter().map(|&w| w as f64 / 1000.0).sum::<f64>() / kept.len() as f64);
        waited.push(kept.iter().filter(|&&w| w > 0).count() as f64 / kept.len() as f64);
    }
    let (wait, wait_hw) = mean_ci(&waits);
    let (frac, frac_hw) = mean_ci(&waited);
    eprintln!(
        "M/M/{c} λ={lambda_per_hour}/h: Wq {wait:.2} s ± {wait_hw:.2} (Erlang C {expected_wait_s:.2} s, error {:+.2}%), \
         P(wait) {frac:.4} ± {frac_hw:.4} (Erlang C {expected_waited:.4}, error {:+.2}%)",
        100.0 * (wait - expected_wait_s) / expected_wait_s,
        100.0 * (frac - expected_waited) / expected_waited,
    );
    assert!(
        (wait - expected_wait_s).abs() <= wait_hw,
        "mean wait {wait} ± {wait_hw} misses Erlang C {expected_wait_s}"
    );
    assert!(
        (frac - expected_waited).abs() <= frac_hw,
        "waited share {frac} ± {frac_hw} misses Erlang C {expected_waited}"
    );
    // The interval must be tight enough to mean something: within 10% of the value.
    assert!(wait_hw < 0.1 * expected_wait_s && frac_hw < 0.1 * expected_waited);
}

#[test]
fn mm10_matches_erlang_c() {
    // c = 10, λ = 48/h, mean run 10 min (μ = 6/h): a = 8, C = 0.409180, Wq = C/(cμ − λ) = 122.75 s.
    check_mmc(10, 48.0, SimDuration::from_secs(600));
}

#[test]
fn mm2_matches_erlang_c() {
    // c = 2, λ = 1.5/h, mean run 1 h: a = 1.5, C = 9/14, Wq = 1.285714 h.
    check_mmc(2, 1.5, SimDuration::from_secs(3600));
}
