//! GPU fragmentation as the FGD paper measures it: the milli-GPU of a node that the typical
//! pods of the workload could not use, weighted by how common each typical pod is.
//!
//! **Typical pods** come from the trace before it is inflated: pods grouped by shape (cpu,
//! milli-GPU per device, device count, accepted models), CPU pods included, sorted by count
//! (ties: the larger shape first), kept from the top until they cover 95% of the pods; each
//! kept shape's weight is its count over the kept total.
//!
//! **Node fragmentation** F = Σ weight × f, where for each typical pod
//! - f = G (all milli-GPU left on the node) when the typical pod is a CPU pod, cannot use the
//!   node's model, finds fewer than its device count of devices with enough left, or lacks cpu;
//! - otherwise (it fits) f = the milli-GPU left on devices that hold less than its share.
//!
//! Memory is not part of the measure (as in the paper's simulator).

use super::{GpuNode, GpuPod};

/// The share of pods the typical shapes cover.
pub const TYPICAL_COVERAGE: f64 = 0.95;

/// Typical pod shapes and their weights.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TypicalPods {
    pub shapes: Vec<(GpuPod, f64)>,
}

impl TypicalPods {
    /// The typical pods of `pods` (the untuned trace).
    pub fn from_pods<'a>(pods: impl IntoIterator<Item = &'a GpuPod>) -> TypicalPods {
        let mut counts: std::collections::BTreeMap<(u64, u32, u32, u64), (GpuPod, u64)> =
            Default::default();
        let mut total = 0u64;
        for p in pods {
            total += 1;
            let key = (p.cpu_m, p.milli, p.gpus, p.models);
            counts
                .entry(key)
                .or_insert_with(|| {
                    (
                        GpuPod {
                            memory: 0,
                            ..p.clone()
                        },
                        0,
                    )
                })
                .1 += 1;
        }
        type Counted = ((u64, u32, u32, u64), GpuPod, u64);
        let mut shapes: Vec<Counted> = counts.into_iter().map(|(k, (p, n))| (k, p, n)).collect();
        // Count descending; ties: the larger (cpu, milli, gpus, models) first.
        shapes.sort_by(|a, b| b.2.cmp(&a.2).then(b.0.cmp(&a.0)));
        let mut kept = Vec::new();
        let mut covered = 0u64;
        for (_, p, n) in shapes {
            if total > 0 && covered as f64 >= TYPICAL_COVERAGE * total as f64 {
                break;
            }
            covered += n;
            kept.push((p, n));
        }
        TypicalPods {
            shapes: kept
                .into_iter()
                .map(|(p, n)| (p, n as f64 / covered as f64))
                .collect(),
        }
    }

    /// F for a node with `cpu_left` and devices `gpu_left` (model `model`).
    pub fn node_frag(&self, cpu_left: u64, gpu_left: &[u32], model: u32) -> f64 {
        if gpu_left.is_empty() {
            return 0.0;
        }
        let g_total: u64 = gpu_left.iter().map(|&g| g as u64).sum();
        let view = GpuNode {
            cpu_left,
            memory_left: u64::MAX,
            gpu_left,
            model,
            tags: &[],
        };
        let mut frag = 0.0;
        for (p, w) in &self.shapes {
            frag += w * pod_frag(p, &view, g_total) as f64;
        }
        frag
    }
}

/// f for one typical pod on one node (see the module docs).
pub fn pod_frag(p: &GpuPod, node: &GpuNode, g_total: u64) -> u64 {
    if p.gpus == 0 || p.milli == 0 || !node.accessible(p) || p.cpu_m > node.cpu_left {
        return g_total;
    }
    let able = node.gpu_left.iter().filter(|&&g| g >= p.milli).count();
    if able < p.gpus as usize {
        return g_total;
    }
    node.gpu_left
        .iter()
        .filter(|&&g| g < p.milli)
        .map(|&g| g as u64)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::super::test_nodes::pod;
    use super::*;

    #[test]
    fn typical_pods_cover_95_percent_by_count() {
        // 100 pods: 60 of shape A, 30 of B, 6 of C, 4 of D. Cumulative 60, 90, 96 ≥ 95: keep
        // A, B, C; weights 60/96, 30/96, 6/96.
        let a = pod(4000, 1, 1000);
        let b = pod(2000, 1, 500);
        let c = pod(1000, 0, 0);
        let d = pod(8000, 2, 1000);
        let mut pods = vec![a.clone(); 60];
        pods.extend(vec![b.clone(); 30]);
        pods.extend(vec![c.clone(); 6]);
        pods.extend(vec![d; 4]);
        let t = TypicalPods::from_pods(&pods);
        let got: Vec<(u64, f64)> = t.shapes.iter().map(|(p, w)| (p.cpu_m, *w)).collect();
        assert_eq!(
            got,
            vec![(4000, 60.0 / 96.0), (2000, 30.0 / 96.0), (1000, 6.0 / 96.0)]
        );
    }

    #[test]
    fn ties_in_count_keep_the_larger_shape_first() {
        // Two shapes of 1 pod each: (2000, ..) sorts before (1000, ..); coverage needs both.
        let t = TypicalPods::from_pods(&[pod(1000, 0, 0), pod(2000, 0, 0)]);
        assert_eq!(t.shapes[0].0.cpu_m, 2000);
        assert_eq!(t.shapes.len(), 2);
    }

    #[test]
    fn fragmentation_cases() {
        // Node: 4 cpu free, devices [300, 1000, 1000, 0], G = 2300.
        let left = [300, 1000, 1000, 0];
        let node = GpuNode {
            cpu_left: 4000,
            memory_left: u64::MAX,
            gpu_left: &left,
            model: 0,
            tags: &[],
        };
        let mut typed = pod(1000, 1, 500);
        typed.models = 0b10;
        let cases = [
            // A CPU pod cannot use any GPU: f = G.
            (pod(1000, 0, 0), 2300),
            // A 500 share fits (devices 1, 2); device 0 (300 < 500) is fragment; 0 adds 0.
            (pod(1000, 1, 500), 300),
            // A 200 share fits device 0 too: only the empty device (0) is below 200.
            (pod(1000, 1, 200), 0),
            // Two whole devices fit (1, 2): 300 is fragment.
            (pod(1000, 2, 1000), 300),
            // Three whole devices do not fit: all of G.
            (pod(1000, 3, 1000), 2300),
            // Too much cpu (Q4): all of G.
            (pod(5000, 1, 500), 2300),
            // Wrong model: all of G.
            (typed, 2300),
        ];
        for (p, want) in cases {
            assert_eq!(pod_frag(&p, &node, 2300), want, "{p:?}");
        }
        // F with weights 0.5 (500 share) and 0.5 (CPU pod): 0.5·300 + 0.5·2300 = 1300.
        let t = TypicalPods {
            shapes: vec![(pod(1000, 1, 500), 0.5), (pod(1000, 0, 0), 0.5)],
        };
        assert_eq!(t.node_frag(4000, &left, 0), 1300.0);
    }
}
