//! GPU sharing: devices of 1000 milli-GPU, pods that take a share of one device or whole
//! devices, and the six placement policies compared in "Beware of Fragmentation: Scheduling
//! GPU-Sharing Workloads with Fragmentation Gradient Descent" (Weng et al., USENIX ATC '23),
//! with the arithmetic of that paper's simulator (integer truncation, normalisation, the GPU
//! chosen inside a node, tie-breaks).
//!
//! Each policy is a score plug-in in its own file, working on a [`GpuNode`] view (free cpu
//! and memory, milli-GPU left per device, the device model, the GPU pods already there) and a
//! [`GpuPod`] shape. The `saturate` experiment ([`crate::research::saturate`]) drives them.
//!
//! | policy | file | score (higher wins; ties to the node that comes first) |
//! |---|---|---|
//! | Random | `random.rs` | 100 for one feasible node drawn uniformly, 0 elsewhere |
//! | DotProd | `dot_prod.rs` | smaller dot product of free and requested (cpu, GPU) |
//! | GpuClustering | `gpu_clustering.rs` | nodes already running pods of the same GPU shape |
//! | GpuPacking | `gpu_packing.rs` | shared GPUs first, then used nodes, then empty nodes |
//! | BestFit | `best_fit.rs` | least weighted leftover, normalised over feasible nodes |
//! | FGD | `fgd.rs` | largest decrease of expected GPU fragmentation ([`frag`]) |

pub mod best_fit;
pub mod dot_prod;
pub mod fgd;
pub mod frag;
pub mod gpu_clustering;
pub mod gpu_packing;
pub mod random;

use crate::rng::SimRng;

/// Milli-GPU in one device.
pub const MILLI: u32 = 1000;

/// The cpu (millicores) a node score normalises by (the paper simulator's constant, whatever
/// the node's size).
pub const CPU_NORM: f64 = 128_000.0;
/// The milli-GPU a node score normalises by (8 devices).
pub const GPU_NORM: f64 = 8_000.0;

/// A pod's shape as the GPU policies see it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GpuPod {
    /// Millicores requested.
    pub cpu_m: u64,
    /// Bytes requested.
    pub memory: u64,
    /// GPU devices (0: a CPU pod).
    pub gpus: u32,
    /// Milli-GPU per device, 1..=1000 (0 for a CPU pod). A share pod has `gpus` 1 and
    /// `milli` < 1000; an exclusive pod has `milli` 1000.
    pub milli: u32,
    /// Device models the pod accepts, as a bit set over the model table (0: any model).
    pub models: u64,
}

impl GpuPod {
    /// Milli-GPU in all (`gpus` × `milli`).
    pub fn gpu_total(&self) -> u64 {
        self.gpus as u64 * self.milli as u64
    }

    /// The `share-gpu` / `<k>-gpu` tag of a GPU pod (0 = share, k = k whole devices), used by
    /// GpuClustering; `None` for a CPU pod.
    pub fn tag(&self) -> Option<usize> {
        match (self.gpus, self.milli) {
            (0, _) | (_, 0) => None,
            (1, m) if m < MILLI => Some(0),
            (k, _) => Some(k as usize),
        }
    }
}

/// What the policies see of a node.
#[derive(Clone, Copy, Debug)]
pub struct GpuNode<'a> {
    /// Free millicores (allocatable − requested).
    pub cpu_left: u64,
    /// Free bytes.
    pub memory_left: u64,
    /// Milli-GPU left on each device, in device order.
    pub gpu_left: &'a [u32],
    /// Index of the node's device model in the model table.
    pub model: u32,
    /// GPU pods on the node by tag (index 0: share pods, k: pods of k whole devices).
    pub tags: &'a [u32],
}

impl GpuNode<'_> {
    /// Milli-GPU left on the whole node (G).
    pub fn gpu_left_total(&self) -> u64 {
        self.gpu_left.iter().map(|&g| g as u64).sum()
    }

    /// Devices with nothing allocated.
    pub fn fully_free(&self) -> usize {
        self.gpu_left.iter().filter(|&&g| g == MILLI).count()
    }

    /// True if the node's device model is one the pod accepts.
    pub fn accessible(&self, pod: &GpuPod) -> bool {
        pod.models == 0 || (self.model < 64 && pod.models & (1 << self.model) != 0)
    }

    /// The Open-Gpu-Share filter plus NodeResourcesFit: cpu and memory fit and, for a GPU pod,
    /// the node's model is accepted and it has `gpus` devices with at least `milli` left
    /// (a share pod: any one device; whole devices: fully free ones).
    pub fn fits(&self, pod: &GpuPod) -> bool {
        if pod.cpu_m > self.cpu_left || pod.memory > self.memory_left {
            return false;
        }
        if pod.milli == 0 || pod.gpus == 0 {
            return true;
        }
        if self.gpu_left.is_empty() || !self.accessible(pod) {
            return false;
        }
        let able = self.gpu_left.iter().filter(|&&g| g >= pod.milli).count();
        able >= pod.gpus as usize
    }

    /// The devices a GPU pod takes when the policy has no preference of its own: whole devices
    /// are the lowest-index fully free ones; a share goes to the device with the least milli
    /// left that still holds it, lowest index on ties (the paper simulator's `best` rule).
    /// Returns a bit set of device indices; empty if the pod does not fit.
    pub fn best_fit_devices(&self, pod: &GpuPod) -> u64 {
        if pod.gpus == 0 || pod.milli == 0 {
            return 0;
        }
        if pod.gpus == 1 || pod.milli == MILLI {
            // The cluster's own rule for the shapes it knows.
            return crate::model::pick_devices(self.gpu_left, pod.gpu_total());
        }
        // k > 1 devices of a share each (not in the OpenB traces): the first k that hold it.
        let mut mask = 0u64;
        let mut need = pod.gpus;
        for (i, &g) in self.gpu_left.iter().enumerate() {
            if need == 0 {
                break;
            }
            if g >= pod.milli && (pod.milli < MILLI || g == MILLI) {
                mask |= 1 << i;
                need -= 1;
            }
        }
        if need == 0 { mask } else { 0 }
    }

    /// The `k` devices in ascending order of milli left (stable: lower index first on ties)
    /// that hold `milli` each, as the paper simulator's `Sub` and GpuPacking take them.
    pub fn ascending_devices(&self, pod: &GpuPod, out: &mut Vec<usize>) {
        out.clear();
        if pod.gpus == 0 || pod.milli == 0 {
            return;
        }
        let mut order: Vec<usize> = (0..self.gpu_left.len()).collect();
        order.sort_by_key(|&i| self.gpu_left[i]);
        for i in order {
            if out.len() == pod.gpus as usize {
                break;
            }
            if self.gpu_left[i] >= pod.milli {
                out.push(i);
            }
        }
    }
}

/// How a policy picks the device of a share pod inside the chosen node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeviceChoice {
    /// [`GpuNode::best_fit_devices`].
    BestFit,
    /// Uniform over the devices that hold the share.
    Random,
    /// The device FGD's score chose.
    Fgd,
}

/// A score plug-in of the GPU-sharing framework (Kubernetes' Score extension point, with its
/// PreScore and NormalizeScore companions).
pub trait GpuScore: Send + Sync {
    /// The paper's name for the policy.
    fn name(&self) -> &'static str;
    /// Runs once per pod before scoring, with the feasible nodes (PreScore).
    fn pre_score(&mut self, _feasible: &[u32], _rng: &mut SimRng) {}
    /// A score in 0..=100 for a feasible node; `index` is the node's position in the cluster.
    fn score(&self, pod: &GpuPod, node: &GpuNode, index: u32) -> i64;
    /// NormalizeScore over the feasible nodes' scores, in place.
    fn normalize(&self, _scores: &mut [i64]) {}
    /// True if `score` depends only on the pod's shape and the node's state (so a score stays
    /// valid until the node changes).
    fn cacheable(&self) -> bool {
        true
    }
    /// How the share pod's device is picked once the node is chosen.
    fn device_choice(&self) -> DeviceChoice {
        DeviceChoice::BestFit
    }
    /// For [`DeviceChoice::Fgd`]: the device the score chose.
    fn chosen_device(&self, _pod: &GpuPod, _node: &GpuNode) -> Option<usize> {
        None
    }
}

/// The policy names `saturate` accepts, in the paper's order.
pub const POLICY_NAMES: [&str; 6] = [
    "Random",
    "DotProd",
    "GpuClustering",
    "GpuPacking",
    "BestFit",
    "FGD",
];

/// Builds a policy by name (case-insensitive, `-` and `_` ignored); FGD needs the typical pods.
pub fn build(name: &str, typical: &frag::TypicalPods) -> Option<Box<dyn GpuScore>> {
    let key: String = name
        .chars()
        .filter(|c| *c != '-' && *c != '_')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    Some(match key.as_str() {
        "random" => Box::new(random::Random::default()),
        "dotprod" => Box::new(dot_prod::DotProd),
        "gpuclustering" => Box::new(gpu_clustering::GpuClustering),
        "gpupacking" => Box::new(gpu_packing::GpuPacking),
        "bestfit" => Box::new(best_fit::BestFit),
        "fgd" => Box::new(fgd::Fgd::new(typical.clone())),
        _ => return None,
    })
}

/// The canonical spelling of a policy name, if it is one.
pub fn canonical(name: &str) -> Option<&'static str> {
    let typical = frag::TypicalPods::default();
    build(name, &typical).map(|p| p.name())
}

#[cfg(test)]
pub(crate) mod test_nodes {
    use super::*;

    /// A node view over `left` with 64 cores and 256 GiB free unless said otherwise.
    pub fn node<'a>(cpu_left: u64, left: &'a [u32], tags: &'a [u32]) -> GpuNode<'a> {
        GpuNode {
            cpu_left,
            memory_left: 256 << 30,
            gpu_left: left,
            model: 0,
            tags,
        }
    }

    pub fn pod(cpu_m: u64, gpus: u32, milli: u32) -> GpuPod {
        GpuPod {
            cpu_m,
            memory: 1 << 30,
            gpus,
            milli,
            models: 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::test_nodes::{node, pod};
    use super::*;

    #[test]
    fn filter_takes_a_share_on_any_device_and_whole_gpus_only_fully_free() {
        let left = [200, 1000, 1000, 500];
        let n = node(8000, &left, &[]);
        // (pod, fits): shares need one device with ≥ milli left; whole needs fully free ones.
        let cases = [
            (pod(1000, 1, 500), true),   // device 3 has exactly 500
            (pod(1000, 1, 1000), true),  // devices 1, 2
            (pod(1000, 2, 1000), true),  // devices 1 and 2
            (pod(1000, 3, 1000), false), // only 2 fully free
            (pod(9000, 0, 0), false),    // 9 cores > 8 free
            (pod(8000, 0, 0), true),     // a CPU pod ignores devices
        ];
        for (p, want) in cases {
            assert_eq!(n.fits(&p), want, "{p:?}");
        }
        let mut typed = pod(1000, 1, 100);
        typed.models = 0b10; // model 1 only; the node is model 0
        assert!(!n.fits(&typed));
        typed.models = 0b11;
        assert!(n.fits(&typed));
    }

    #[test]
    fn best_fit_device_rule() {
        let left = [600, 1000, 300, 300];
        let n = node(8000, &left, &[]);
        // A 300 share: least left ≥ 300 is 300, lowest index → device 2.
        assert_eq!(n.best_fit_devices(&pod(0, 1, 300)), 0b0100);
        // A 400 share: 600 (device 0) beats 1000.
        assert_eq!(n.best_fit_devices(&pod(0, 1, 400)), 0b0001);
        // A whole device: the only fully free one, device 1.
        assert_eq!(n.best_fit_devices(&pod(0, 1, 1000)), 0b0010);
        // Two whole devices do not fit.
        assert_eq!(n.best_fit_devices(&pod(0, 2, 1000)), 0);
    }

    #[test]
    fn names_round_trip() {
        for n in POLICY_NAMES {
            assert_eq!(canonical(n), Some(n));
            assert_eq!(canonical(&n.to_lowercase()), Some(n));
        }
        assert_eq!(canonical("gpu-packing"), Some("GpuPacking"));
        assert_eq!(canonical("tetris"), None);
    }
}
