//! Closed-form results the simulator is validated against.
//!
//! Notation: Poisson arrivals at rate λ, exponential service at rate μ, c servers, offered load
//! a = λ/μ. See the README section "Validation" for the tests that use these.

/// Erlang B: the probability that an arrival finds all `c` servers busy in a loss system
/// (M/M/c/c), by the stable recursion B₀ = 1, B_k = a·B_{k−1} / (k + a·B_{k−1}).
pub fn erlang_b(c: u32, a: f64) -> f64 {
    let mut b = 1.0;
    for k in 1..=c {
        b = a * b / (k as f64 + a * b);
    }
    b
}

/// Erlang C: the probability that an arrival waits in an M/M/c queue (requires a < c).
pub fn erlang_c(c: u32, a: f64) -> f64 {
    let b = erlang_b(c, a);
    c as f64 * b / (c as f64 - a * (1.0 - b))
}

/// Mean wait in queue of an M/M/c queue: Wq = C(c, a) / (cμ − λ).
pub fn mmc_mean_wait(c: u32, lambda: f64, mu: f64) -> f64 {
    erlang_c(c, lambda / mu) / (c as f64 * mu - lambda)
}

/// Machine repairman (M/M/r//N): N machines failing at rate λ each while up, r repair crews at
/// rate μ. Returns (p₀, mean number down L, availability (N − L)/N).
pub fn machine_repairman(n: u32, r: u32, lambda: f64, mu: f64) -> (f64, f64, f64) {
    let mut p = vec![1.0f64; n as usize + 1];
    for k in 1..=n as usize {
        p[k] = p[k - 1] * (n as usize - k + 1) as f64 * lambda / ((k.min(r as usize)) as f64 * mu);
    }
    let total: f64 = p.iter().sum();
    let l: f64 = p
        .iter()
        .enumerate()
        .map(|(k, pk)| k as f64 * pk / total)
        .sum();
    (p[0] / total, l, (n as f64 - l) / n as f64)
}

/// Long-run fraction of time a node is up when it alternates between up (mean `mtbf`) and down
/// (mean `mttr`) periods: MTBF / (MTBF + MTTR), whatever the down-time distribution.
pub fn alternating_renewal_availability(mtbf: f64, mttr: f64) -> f64 {
    mtbf / (mtbf + mttr)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 5e-7
    }

    #[test]
    fn matches_reference_test_vectors() {
        // Test vectors from the queueing reference.
        assert!(close(erlang_b(5, 3.0), 0.110054));
        assert!(close(erlang_b(10, 8.0), 0.121661));
        assert!(close(erlang_c(2, 1.5), 9.0 / 14.0));
        assert!(close(mmc_mean_wait(2, 1.5, 1.0), 1.285714));
        assert!(close(erlang_c(10, 8.0), 0.409180));
        assert!(close(mmc_mean_wait(10, 8.0, 1.0), 0.204590));
        assert!(close(erlang_c(100, 95.0), 0.506457));
        assert!(close(mmc_mean_wait(100, 95.0, 1.0), 0.101291));
        let (p0, l, avail) = machine_repairman(10, 1, 0.1, 1.0);
        assert!(close(p0, 0.214582) && close(l, 2.145823) && close(avail, 0.785418));
        let (_, l, avail) = machine_repairman(10, 2, 0.2, 1.0);
        assert!(close(l, 2.403722) && close(avail, 0.759628));
    }
}
