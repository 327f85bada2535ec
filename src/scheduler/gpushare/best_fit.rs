//! BestFit: least weighted leftover. s = 0.5 (C − c)/128000 + 0.5 (G − k·m)/8000,
//! raw = int(100 × (1 − s)); NormalizeScore then maps the feasible nodes' raw scores to
//! (raw − lo) × 100 div (hi − lo), all 0 if hi = lo.

use super::{CPU_NORM, GPU_NORM, GpuNode, GpuPod, GpuScore};

pub struct BestFit;

impl GpuScore for BestFit {
    fn name(&self) -> &'static str {
        "BestFit"
    }

    fn score(&self, pod: &GpuPod, node: &GpuNode, _: u32) -> i64 {
        let cpu = (node.cpu_left as f64 - pod.cpu_m as f64) / CPU_NORM;
        let gpu = (node.gpu_left_total() as f64 - pod.gpu_total() as f64) / GPU_NORM;
        let s = 0.5 * cpu + 0.5 * gpu;
        (100.0 * (1.0 - s)) as i64
    }

    fn normalize(&self, scores: &mut [i64]) {
        let (Some(&lo), Some(&hi)) = (scores.iter().min(), scores.iter().max()) else {
            return;
        };
        for s in scores.iter_mut() {
            *s = if hi == lo {
                0
            } else {
                (*s - lo) * 100 / (hi - lo)
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_nodes::{node, pod};
    use super::*;

    #[test]
    fn raw_scores() {
        let cases: [(u64, &[u32], GpuPod, i64); 3] = [
            // Exact fit: s = 0 → 100.
            (8000, &[500], pod(8000, 1, 500), 100),
            // 64 cores and 4 GPUs left after the pod: s = 0.25 + 0.25 = 0.5 → 50.
            (72_000, &[1000; 5], pod(8000, 1, 1000), 50),
            // 128 cores and 8 GPUs left: s = 1 → 0.
            (128_000, &[1000; 8], pod(0, 0, 0), 0),
        ];
        for (cpu, left, p, want) in cases {
            assert_eq!(BestFit.score(&p, &node(cpu, left, &[]), 0), want);
        }
    }

    #[test]
    fn normalize_over_feasible_nodes() {
        // lo = 40, hi = 90: 40 → 0, 65 → 25·100/50 = 50, 90 → 100, 77 → 37·100/50 = 74.
        let mut s = [40, 65, 90, 77];
        BestFit.normalize(&mut s);
        assert_eq!(s, [0, 50, 100, 74]);
        let mut same = [7, 7];
        BestFit.normalize(&mut same);
        assert_eq!(same, [0, 0]);
    }
}
