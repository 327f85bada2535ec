//! DotProd: d = (C/128000)(c/128000) + (G/8000)(k·m/8000) with C, G the node's free cpu and
//! milli-GPU and c, k·m the pod's; score = int(100 × (1 − d/2)). A smaller dot product of the
//! free and requested vectors scores higher (the paper simulator's variant; Tetris maximises
//! alignment instead).

use super::{CPU_NORM, GPU_NORM, GpuNode, GpuPod, GpuScore};

pub struct DotProd;

impl GpuScore for DotProd {
    fn name(&self) -> &'static str {
        "DotProd"
    }

    fn score(&self, pod: &GpuPod, node: &GpuNode, _: u32) -> i64 {
        let d = (node.cpu_left as f64 / CPU_NORM) * (pod.cpu_m as f64 / CPU_NORM)
            + (node.gpu_left_total() as f64 / GPU_NORM) * (pod.gpu_total() as f64 / GPU_NORM);
        (100.0 * (1.0 - d / 2.0)) as i64
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_nodes::{node, pod};
    use super::*;

    #[test]
    fn scores() {
        let cases: [(u64, &[u32], GpuPod, i64); 4] = [
            // Full 8-GPU, 128-core node, pod of 128 cores and 8 GPUs: d = 1 + 1 = 2 → 0.
            (128_000, &[1000; 8], pod(128_000, 8, 1000), 0),
            // Empty request: d = 0 → 100.
            (128_000, &[1000; 8], pod(0, 0, 0), 100),
            // 64 cores free, 4 GPUs free; pod 32 cores, one 500 share:
            // d = 0.5·0.25 + 0.5·0.0625 = 0.15625 → 100·(1 − 0.078125) = 92.19 → 92.
            (64_000, &[1000, 1000, 1000, 1000], pod(32_000, 1, 500), 92),
            // 16 cores, no GPU left, CPU pod of 16 cores: d = 0.125·0.125 = 0.015625 → 99.2 → 99.
            (16_000, &[0, 0], pod(16_000, 0, 0), 99),
        ];
        for (cpu, left, p, want) in cases {
            assert_eq!(DotProd.score(&p, &node(cpu, left, &[]), 0), want, "{p:?}");
        }
    }
}
