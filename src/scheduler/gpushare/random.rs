//! Random: one feasible node drawn uniformly scores 100, every other node 0 (a PreScore draw);
//! the share pod's device is drawn uniformly among those that hold it.

use rand::RngExt;

use super::{DeviceChoice, GpuNode, GpuPod, GpuScore};
use crate::rng::SimRng;

#[derive(Debug, Default)]
pub struct Random {
    chosen: Option<u32>,
}

impl GpuScore for Random {
    fn name(&self) -> &'static str {
        "Random"
    }

    fn pre_score(&mut self, feasible: &[u32], rng: &mut SimRng) {
        self.chosen = match feasible.len() {
            0 => None,
            1 => Some(feasible[0]),
            n => Some(feasible[rng.random_range(0..n)]),
        };
    }

    fn score(&self, _: &GpuPod, _: &GpuNode, index: u32) -> i64 {
        if self.chosen == Some(index) { 100 } else { 0 }
    }

    fn cacheable(&self) -> bool {
        false
    }

    fn device_choice(&self) -> DeviceChoice {
        DeviceChoice::Random
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_nodes::{node, pod};
    use super::*;

    #[test]
    fn one_drawn_node_scores_100() {
        let mut r = Random::default();
        let mut rng = crate::rng::stream(1, "test");
        r.pre_score(&[3, 7, 9], &mut rng);
        let left = [1000];
        let n = node(1000, &left, &[]);
        let scores: Vec<i64> = [3, 7, 9]
            .iter()
            .map(|&i| r.score(&pod(0, 0, 0), &n, i))
            .collect();
        assert_eq!(scores.iter().sum::<i64>(), 100, "{scores:?}");
        // Uniform: over 3,000 draws each node is chosen about 1,000 times (sd ≈ 26).
        let mut hits = [0u32; 3];
        for _ in 0..3000 {
            r.pre_score(&[0, 1, 2], &mut rng);
            hits[r.chosen.unwrap() as usize] += 1;
        }
        assert!(hits.iter().all(|&h| (900..1100).contains(&h)), "{hits:?}");
    }
}
