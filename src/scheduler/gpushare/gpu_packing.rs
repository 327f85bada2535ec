//! GpuPacking: use shared GPUs first, then fully free GPUs on a used node, then an empty node.
//! A CPU pod scores 0 everywhere. With F fully free devices out of n:
//! - F = n (an empty node): max(33 − F, F);
//! - else take the devices that hold the pod in ascending order of milli left (stable) until
//!   k are taken; if u > 0 of them are fully free: max(50 − u, 33);
//! - else (only shared devices): max(100 − (Σ left × 100 div 1000) div 10, 50), the sum over
//!   the devices taken, each term truncated.

use super::{GpuNode, GpuPod, GpuScore, MILLI};

pub struct GpuPacking;

impl GpuScore for GpuPacking {
    fn name(&self) -> &'static str {
        "GpuPacking"
    }

    fn score(&self, pod: &GpuPod, node: &GpuNode, _: u32) -> i64 {
        if pod.milli == 0 || pod.gpus == 0 {
            return 0;
        }
        let free = node.fully_free() as i64;
        if free == node.gpu_left.len() as i64 {
            return (33 - free).max(free);
        }
        let mut taken = Vec::with_capacity(pod.gpus as usize);
        node.ascending_devices(pod, &mut taken);
        if taken.len() < pod.gpus as usize {
            return 0;
        }
        let u = taken.iter().filter(|&&i| node.gpu_left[i] == MILLI).count() as i64;
        if u > 0 {
            return (50 - u).max(33);
        }
        let ratio: i64 = taken
            .iter()
            .map(|&i| node.gpu_left[i] as i64 * 100 / MILLI as i64)
            .sum();
        (100 - ratio / 10).max(50)
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_nodes::{node, pod};
    use super::*;

    /// The paper simulator's own test cases (`gpu_packing_score_test.go`).
    #[test]
    fn upstream_cases() {
        let cases: [(&[u32], GpuPod, i64); 4] = [
            // Two whole GPUs on [200, 1000, 1000, 500]: taken 1000, 1000 → u = 2 → 48.
            (&[200, 1000, 1000, 500], pod(100, 2, 1000), 48),
            // Empty 4-GPU node: max(33 − 4, 4) = 29.
            (&[1000; 4], pod(100, 2, 1000), 29),
            // Empty 8-GPU node: max(33 − 8, 8) = 25.
            (&[1000; 8], pod(100, 2, 1000), 25),
            // Two 200 shares: taken 200 (device 0), 500 (device 3), no free one;
            // 200·100/1000 + 500·100/1000 = 20 + 50 = 70 → 100 − 7 = 93.
            (&[200, 1000, 1000, 500], pod(100, 2, 200), 93),
        ];
        for (left, p, want) in cases {
            assert_eq!(
                GpuPacking.score(&p, &node(1000, left, &[]), 0),
                want,
                "{left:?} {p:?}"
            );
        }
    }

    #[test]
    fn cpu_pods_score_zero() {
        assert_eq!(
            GpuPacking.score(&pod(100, 0, 0), &node(1000, &[1000], &[]), 0),
            0
        );
    }
}
