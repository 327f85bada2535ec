//! FGD, fragmentation gradient descent: place the pod where it increases the node's expected
//! GPU fragmentation ([`super::frag`]) the least. With σ(x) = 1/(1 + e^−x) and F the node's
//! fragmentation:
//! - a share pod tries each device that holds it, in device order: node′ = the node with the
//!   pod's cpu and its share on that device taken; s = int(100 σ((F(node) − F(node′))/1000));
//!   the node's score is the largest s, and the pod goes to the first device that attains it;
//! - any other pod: node′ = the node minus the pod (cpu, and for whole devices the k holding
//!   it taken in ascending order of milli left); one such s.
//!
//! σ uses `libm`'s `exp`, so scores are the same on every platform.

use super::frag::TypicalPods;
use super::{DeviceChoice, GpuNode, GpuPod, GpuScore, MILLI};

pub struct Fgd {
    typical: TypicalPods,
}

impl Fgd {
    pub fn new(typical: TypicalPods) -> Self {
        Fgd { typical }
    }

    fn scaled(delta: f64) -> i64 {
        let sigma = 1.0 / (1.0 + libm::exp(-delta / 1000.0));
        (100.0 * sigma) as i64
    }

    /// The score and, for a share pod, the device that attains it.
    pub fn evaluate(&self, pod: &GpuPod, node: &GpuNode) -> (i64, Option<usize>) {
        let before = self
            .typical
            .node_frag(node.cpu_left, node.gpu_left, node.model);
        let cpu_after = node.cpu_left.saturating_sub(pod.cpu_m);
        let mut after: Vec<u32> = node.gpu_left.to_vec();
        if pod.gpus == 1 && pod.milli > 0 && pod.milli < MILLI {
            let mut best: Option<(i64, usize)> = None;
            for i in 0..after.len() {
                if node.gpu_left[i] < pod.milli {
                    continue;
                }
                after[i] = node.gpu_left[i] - pod.milli;
                let f = self.typical.node_frag(cpu_after, &after, node.model);
                after[i] = node.gpu_left[i];
                let s = Self::scaled(before - f);
                if best.is_none_or(|(b, _)| s > b) {
                    best = Some((s, i));
                }
            }
            return best.map_or((0, None), |(s, i)| (s, Some(i)));
        }
        let mut taken = Vec::new();
        node.ascending_devices(pod, &mut taken);
        for &i in &taken {
            after[i] -= pod.milli;
        }
        let f = self.typical.node_frag(cpu_after, &after, node.model);
        (Self::scaled(before - f), None)
    }
}

impl GpuScore for Fgd {
    fn name(&self) -> &'static str {
        "FGD"
    }

    fn score(&self, pod: &GpuPod, node: &GpuNode, _: u32) -> i64 {
        self.evaluate(pod, node).0
    }

    fn device_choice(&self) -> DeviceChoice {
        DeviceChoice::Fgd
    }

    fn chosen_device(&self, pod: &GpuPod, node: &GpuNode) -> Option<usize> {
        self.evaluate(pod, node).1
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_nodes::{node, pod};
    use super::*;

    /// One typical pod, a 500 share, weight 1.
    fn half_shares() -> Fgd {
        Fgd::new(TypicalPods {
            shapes: vec![(pod(1000, 1, 500), 1.0)],
        })
    }

    #[test]
    fn share_pod_picks_the_device_that_fragments_least() {
        let fgd = half_shares();
        // Devices [1000, 700], 8 cores free. F(node) = 0 (both hold a 500 share).
        // A 300 share on device 0 → [700, 700]: still no device below 500, F′ = 0, Δ = 0,
        //   σ(0) = 0.5 → 50.
        // On device 1 → [1000, 400]: 400 < 500 is fragment, F′ = 400, Δ = −400,
        //   σ(−0.4) = 0.4013 → 40.
        // Best: 50 on device 0.
        let left = [1000, 700];
        assert_eq!(
            fgd.evaluate(&pod(1000, 1, 300), &node(8000, &left, &[])),
            (50, Some(0))
        );
        // A 200 share: device 0 → [800, 700], F′ = 0 → 50; device 1 → [1000, 500], F′ = 0 →
        // 50. Tie: the first device, 0.
        assert_eq!(
            fgd.evaluate(&pod(1000, 1, 200), &node(8000, &left, &[])),
            (50, Some(0))
        );
    }

    #[test]
    fn filling_a_fragment_scores_above_half() {
        let fgd = half_shares();
        // Devices [300, 1000]: F = 300 (device 0 cannot take a 500 share).
        // A 300 share on device 0 → [0, 1000]: F′ = 0, Δ = 300, σ(0.3) = 0.5744 → 57.
        // On device 1 → [300, 700]: F′ = 300, Δ = 0 → 50. Best 57 on device 0.
        let left = [300, 1000];
        assert_eq!(
            fgd.evaluate(&pod(1000, 1, 300), &node(8000, &left, &[])),
            (57, Some(0))
        );
    }

    #[test]
    fn whole_gpu_and_cpu_pods() {
        let fgd = half_shares();
        // Devices [1000, 1000]; a 1-GPU pod takes device 0 → [0, 1000]: F′ = 0, Δ = 0 → 50.
        let left = [1000, 1000];
        assert_eq!(
            fgd.evaluate(&pod(1000, 1, 1000), &node(8000, &left, &[])),
            (50, None)
        );
        // A CPU pod that leaves too little cpu for the typical pod (needs 1000, 500 left):
        // F′ = G = 2000, Δ = −2000, σ(−2) = 0.1192 → 11.
        assert_eq!(
            fgd.evaluate(&pod(7500, 0, 0), &node(8000, &left, &[])),
            (11, None)
        );
    }
}
