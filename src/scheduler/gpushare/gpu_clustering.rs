//! GpuClustering: GPU pods of one shape go together. A CPU pod scores 0 everywhere. With
//! b = (25 × (8000 − G)) div 8000 (G: milli-GPU left; 8000 for every node size, as in the
//! paper's simulator), a node whose GPU pods all share the pod's tag (`share-gpu` or
//! `<k>-gpu`) scores 75 + b; one that has the tag among others 50 + b; a node with no GPU pods
//! 25 + b; one with only other tags b.

use super::{GPU_NORM, GpuNode, GpuPod, GpuScore};

pub struct GpuClustering;

impl GpuScore for GpuClustering {
    fn name(&self) -> &'static str {
        "GpuClustering"
    }

    fn score(&self, pod: &GpuPod, node: &GpuNode, _: u32) -> i64 {
        let Some(tag) = pod.tag() else {
            return 0;
        };
        let g = node.gpu_left_total() as i64;
        // Integer division truncating toward zero, as Go's (negative past 8 GPUs).
        let b = 25 * (GPU_NORM as i64 - g) / GPU_NORM as i64;
        let mine = node.tags.get(tag).copied().unwrap_or(0);
        let tags = node.tags.iter().filter(|&&n| n > 0).count();
        match (mine > 0, tags) {
            (true, 1) => 75 + b,
            (true, _) => 50 + b,
            (false, 0) => 25 + b,
            (false, _) => b,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_nodes::{node, pod};
    use super::*;

    #[test]
    fn scores() {
        // tags[0] = share pods, tags[k] = pods of k whole GPUs.
        let cases: [(&[u32], &[u32], GpuPod, i64); 6] = [
            // CPU pod: 0.
            (&[1000; 8], &[], pod(1000, 0, 0), 0),
            // Empty 8-GPU node, share pod: b = 0 → 25.
            (&[1000; 8], &[0, 0], pod(1000, 1, 500), 25),
            // 8 GPUs, 4000 left, only share pods there: b = 25·4000/8000 = 12 → 87.
            (
                &[0, 0, 0, 0, 1000, 1000, 1000, 1000],
                &[3, 0],
                pod(1000, 1, 500),
                87,
            ),
            // Same node, a 1-GPU pod: lacks the tag, node has other GPU pods → b = 12.
            (
                &[0, 0, 0, 0, 1000, 1000, 1000, 1000],
                &[3, 0],
                pod(1000, 1, 1000),
                12,
            ),
            // Both tags present, 1-GPU pod: 50 + 12 = 62.
            (
                &[0, 0, 0, 0, 1000, 1000, 1000, 1000],
                &[3, 1],
                pod(1000, 1, 1000),
                62,
            ),
            // A 2-GPU node with 2000 left: b = 25·6000/8000 = 18 (18.75 truncated) → 43.
            (&[1000, 1000], &[], pod(1000, 2, 1000), 43),
        ];
        for (left, tags, p, want) in cases {
            assert_eq!(
                GpuClustering.score(&p, &node(8000, left, tags), 0),
                want,
                "{left:?} {tags:?} {p:?}"
            );
        }
    }
}
