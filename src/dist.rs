//! Distributions of durations: constant, exponential, lognormal, uniform.
//!
//! Samples are drawn in seconds as `f64` and rounded to whole milliseconds, so simulated time
//! stays integral. rand_distr computes with its portable math, so draws are the same everywhere.

use rand::RngExt;
use rand_distr::{Distribution, Exp1, StandardNormal};

use crate::rng::SimRng;
use crate::time::SimDuration;

/// A distribution over durations, as written in a scenario file.
#[derive(Clone, Debug, PartialEq)]
pub enum DurationDist {
    /// Always the same duration: `10m`.
    Constant(SimDuration),
    /// `{exponential: {mean: 10m}}`.
    Exponential { mean: SimDuration },
    /// `{lognormal: {median: 10m, sigma: 0.5}}`: exp(ln(median) + sigma·Z).
    LogNormal { median: SimDuration, sigma: f64 },
    /// `{uniform: {min: 1m, max: 3m}}`, inclusive of both ends at millisecond resolution.
    Uniform { min: SimDuration, max: SimDuration },
}

impl DurationDist {
    pub fn sample(&self, rng: &mut SimRng) -> SimDuration {
        match *self {
            DurationDist::Constant(d) => d,
            DurationDist::Exponential { mean } => {
                let e: f64 = Exp1.sample(rng);
                SimDuration::from_secs_f64(e * mean.as_secs_f64())
            }
            DurationDist::LogNormal { median, sigma } => {
                let z: f64 = StandardNormal.sample(rng);
                let factor = libm::exp(sigma * z);
                SimDuration::from_secs_f64(median.as_secs_f64() * factor)
            }
            DurationDist::Uniform { min, max } => {
                if max.0 <= min.0 {
                    min
                } else {
                    SimDuration(rng.random_range(min.0..=max.0))
                }
            }
        }
    }

    /// The mean of the distribution, for reports and closed-form checks.
    pub fn mean(&self) -> SimDuration {
        match *self {
            DurationDist::Constant(d) => d,
            DurationDist::Exponential { mean } => mean,
            DurationDist::LogNormal { median, sigma } => {
                SimDuration::from_secs_f64(median.as_secs_f64() * libm::exp(sigma * sigma / 2.0))
            }
            DurationDist::Uniform { min, max } => SimDuration((min.0 + max.0) / 2),
        }
    }
}

/// Draws an exponential inter-event gap for a Poisson process of `rate_per_hour`.
pub fn exponential_gap(rng: &mut SimRng, rate_per_hour: f64) -> SimDuration {
    let e: f64 = Exp1.sample(rng);
    SimDuration::from_secs_f64(e * 3600.0 / rate_per_hour)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::stream;

    fn sample_mean(d: &DurationDist, n: usize) -> f64 {
        let mut rng = stream(1, "test");
        (0..n)
            .map(|_| d.sample(&mut rng).as_secs_f64())
            .sum::<f64>()
            / n as f64
    }

    #[test]
    fn sample_means_match_distribution_means() {
        let n = 200_000;
        for d in [
            DurationDist::Exponential {
                mean: SimDuration::from_secs(600),
            },
            DurationDist::LogNormal {
                median: SimDuration::from_secs(600),
                sigma: 0.5,
            },
            DurationDist::Uniform {
                min: SimDuration::from_secs(60),
                max: SimDuration::from_secs(180),
            },
        ] {
            let expected = d.mean().as_secs_f64();
            let got = sample_mean(&d, n);
            // Each has coefficient of variation ≤ 1, so the standard error is ≤ mean/√n; 5 SE.
            let tol = 5.0 * expected / (n as f64).sqrt();
            assert!(
                (got - expected).abs() < tol,
                "{d:?}: {got} vs {expected} ± {tol}"
            );
        }
        assert_eq!(
            DurationDist::Constant(SimDuration(5)).sample(&mut stream(1, "x")),
            SimDuration(5)
        );
    }
}
