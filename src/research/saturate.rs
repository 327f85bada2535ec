//! The saturation experiment of the FGD paper ("Beware of Fragmentation", USENIX ATC '23),
//! reproducing its OpenB allocation figures.
//!
//! One run is one workload (a pod list), one policy and one seed:
//! 1. the pods, sorted by name, are shuffled (stream `saturate/order`);
//! 2. the list is inflated or deflated to `target` × the cluster's GPU capacity (stream
//!    `saturate/tune`): above the target, pods drawn uniformly are removed until the total is
//!    at most the target; below it, pods drawn uniformly with replacement from the name-sorted
//!    list are appended until a draw would pass the target by its per-device share (that draw
//!    is dropped), as the paper's simulator does;
//! 3. each seed fixes one random order of the nodes (stream `saturate/nodes`); score ties go to
//!    the node that comes first in it;
//! 4. every pod is tried once, in order, with no retries and no departures: a pod that fits
//!    nowhere is dropped. After each pod the arrived GPU request (failed pods included) and the
//!    allocated milli-GPU, cpu and memory are recorded.
//!
//! Arrived and allocated shares are binned as the paper's analysis script does: an event's bin
//! is its arrived percentage rounded half to even; column j is the mean allocation (rounded to
//! 2 decimals) over events in bin j, else over bins j − 1 to j + 1, else absent.
//!
//! Scores are cached per (pod shape, node) and recomputed only for nodes that changed since,
//! so a run costs about one pass over the nodes per pod plus a few fresh scores.

use rand::RngExt;
use rand::seq::SliceRandom;

use crate::rng::{SimRng, stream};
use crate::scenario::openb::{OpenbNode, OpenbPod};
use crate::scheduler::gpushare::frag::TypicalPods;
use crate::scheduler::gpushare::{self, DeviceChoice, GpuNode, GpuPod, GpuScore, MILLI};

/// The cluster, nodes sorted by name.
#[derive(Clone, Debug)]
pub struct Cluster {
    pub names: Vec<String>,
    pub cpu_m: Vec<u64>,
    pub memory: Vec<u64>,
    pub gpus: Vec<u32>,
    pub model: Vec<u32>,
    /// Device models, in order of first appearance in the name-sorted list.
    pub models: Vec<String>,
    pub gpu_capacity: u64,
    pub cpu_capacity: u64,
    pub memory_capacity: u64,
}

/// Models past this many cannot be told apart by a pod's model set.
pub const MAX_MODELS: usize = 63;

impl Cluster {
    pub fn from_openb(nodes: &[OpenbNode]) -> Result<Cluster, String> {
        let mut sorted: Vec<&OpenbNode> = nodes.iter().collect();
        sorted.sort_by(|a, b| a.name.cmp(&b.name));
        if let Some(w) = sorted.windows(2).find(|w| w[0].name == w[1].name) {
            return Err(format!("node name '{}' appears twice", w[0].name));
        }
        let mut models: Vec<String> = Vec::new();
        let mut c = Cluster {
            names: vec![],
            cpu_m: vec![],
            memory: vec![],
            gpus: vec![],
            model: vec![],
            models: vec![],
            gpu_capacity: 0,
            cpu_capacity: 0,
            memory_capacity: 0,
        };
        for n in sorted {
            let m = match models.iter().position(|x| *x == n.model) {
                Some(i) => i,
                None => {
                    models.push(n.model.clone());
                    models.len() - 1
                }
            };
            if models.len() > MAX_MODELS {
                return Err(format!("more than {MAX_MODELS} GPU models"));
            }
            c.names.push(n.name.clone());
            c.cpu_m.push(n.cpu_m);
            c.memory.push(n.memory);
            c.gpus.push(n.gpus);
            c.model.push(m as u32);
            let too_big = || "the cluster's total cpu, memory or GPU is too large".to_string();
            c.gpu_capacity = c
                .gpu_capacity
                .checked_add(n.gpus as u64 * MILLI as u64)
                .ok_or_else(too_big)?;
            c.cpu_capacity = c.cpu_capacity.checked_add(n.cpu_m).ok_or_else(too_big)?;
            c.memory_capacity = c
                .memory_capacity
                .checked_add(n.memory)
                .ok_or_else(too_big)?;
        }
        c.models = models;
        if c.gpu_capacity == 0 {
            return Err("the node list has no GPUs".into());
        }
        Ok(c)
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// A workload: its pods in name order, interned by shape, and its typical pods.
#[derive(Clone, Debug)]
pub struct Workload {
    pub name: String,
    /// Shape id of each pod, in name order.
    pub pods: Vec<u32>,
    pub shapes: Vec<GpuPod>,
    pub typical: TypicalPods,
}

impl Workload {
    pub fn from_openb(name: &str, pods: &[OpenbPod], cluster: &Cluster) -> Workload {
        let mut sorted: Vec<&OpenbPod> = pods.iter().collect();
        sorted.sort_by(|a, b| a.name.cmp(&b.name));
        let mut shapes: Vec<GpuPod> = Vec::new();
        let mut ids: std::collections::HashMap<GpuPod, u32> = Default::default();
        let mut list = Vec::with_capacity(sorted.len());
        let mut all = Vec::with_capacity(sorted.len());
        for p in sorted {
            let mut models = 0u64;
            for m in &p.models {
                // A model no node has sets a bit no node matches.
                models |= match cluster.models.iter().position(|x| x == m) {
                    Some(i) => 1 << i,
                    None => 1 << MAX_MODELS,
                };
            }
            let shape = GpuPod {
                cpu_m: p.cpu_m,
                memory: p.memory,
                gpus: p.gpus,
                milli: p.milli,
                models,
            };
            let id = *ids.entry(shape.clone()).or_insert_with(|| {
                shapes.push(shape.clone());
                shapes.len() as u32 - 1
            });
            list.push(id);
            all.push(shape);
        }
        Workload {
            name: name.to_string(),
            pods: list,
            typical: TypicalPods::from_pods(&all),
            shapes,
        }
    }

    /// Milli-GPU the whole list requests.
    pub fn gpu_total(&self) -> u64 {
        self.pods
            .iter()
            .map(|&s| self.shapes[s as usize].gpu_total())
            .sum()
    }
}

/// Allocation after one pod.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Point {
    pub arrived: u64,
    pub gpu: u64,
    pub cpu: u64,
    pub memory: u64,
}

/// The result of one run.
#[derive(Clone, Debug)]
pub struct Run {
    pub points: Vec<Point>,
    /// Pods tried, and how many found no node.
    pub tried: usize,
    pub failed: usize,
}

/// The pod order after shuffling and tuning to `target_pct` of GPU capacity.
pub fn pod_order(cluster: &Cluster, w: &Workload, seed: u64, target_pct: u64) -> Vec<u32> {
    let mut order = w.pods.clone();
    order.shuffle(&mut stream(seed, "saturate/order"));
    let mut rng = stream(seed, "saturate/tune");
    let target = cluster.gpu_capacity * target_pct / 100;
    let size = |s: u32| w.shapes[s as usize].gpu_total();
    let mut total: u64 = order.iter().map(|&s| size(s)).sum();
    if total > target {
        while total > target && !order.is_empty() {
            let i = rng.random_range(0..order.len());
            total -= size(order.remove(i));
        }
    } else if total < target && w.pods.iter().any(|&s| size(s) > 0) {
        // (A list without GPU pods never reaches a GPU target and is left as it is.)
        loop {
            let s = w.pods[rng.random_range(0..w.pods.len())];
            if total + w.shapes[s as usize].milli as u64 > target {
                break;
            }
            total += size(s);
            order.push(s);
        }
    }
    order
}

/// The running cluster of one run.
struct State {
    cpu_left: Vec<u64>,
    memory_left: Vec<u64>,
    /// Milli-GPU left per device, node `n` at `offset[n]..offset[n + 1]`.
    gpu_left: Vec<u32>,
    offset: Vec<usize>,
    /// GPU pods by tag per node (`tag_offset[n]`, `gpus[n] + 1` entries).
    tags: Vec<u32>,
    tag_offset: Vec<usize>,
    model: Vec<u32>,
    /// Bumped whenever the node changes, so cached scores know they are stale.
    version: Vec<u32>,
}

impl State {
    fn new(c: &Cluster) -> State {
        let mut offset = vec![0];
        let mut tag_offset = vec![];
        let mut t = 0;
        for &g in &c.gpus {
            offset.push(offset.last().unwrap() + g as usize);
            tag_offset.push(t);
            t += g as usize + 1;
        }
        State {
            cpu_left: c.cpu_m.clone(),
            memory_left: c.memory.clone(),
            gpu_left: vec![MILLI; *offset.last().unwrap()],
            offset,
            tags: vec![0; t],
            tag_offset,
            model: c.model.clone(),
            version: vec![1; c.len()],
        }
    }

    fn view(&self, n: usize) -> GpuNode<'_> {
        let gpus = self.offset[n + 1] - self.offset[n];
        GpuNode {
            cpu_left: self.cpu_left[n],
            memory_left: self.memory_left[n],
            gpu_left: &self.gpu_left[self.offset[n]..self.offset[n + 1]],
            model: self.model[n],
            tags: &self.tags[self.tag_offset[n]..self.tag_offset[n] + gpus + 1],
        }
    }

    fn place(&mut self, n: usize, pod: &GpuPod, devices: u64) {
        self.cpu_left[n] -= pod.cpu_m;
        self.memory_left[n] -= pod.memory;
        let base = self.offset[n];
        for i in 0..(self.offset[n + 1] - base) {
            if devices & (1 << i) != 0 {
                self.gpu_left[base + i] -= pod.milli;
            }
        }
        if let Some(tag) = pod.tag() {
            let gpus = self.offset[n + 1] - base;
            if tag <= gpus {
                self.tags[self.tag_offset[n] + tag] += 1;
            }
        }
        self.version[n] += 1;
    }
}

/// Runs `policy` (a name from [`gpushare::POLICY_NAMES`]) on one workload and seed.
pub fn run(
    cluster: &Cluster,
    w: &Workload,
    policy: &str,
    seed: u64,
    target_pct: u64,
) -> Result<Run, String> {
    let mut policy: Box<dyn GpuScore> =
        gpushare::build(policy, &w.typical).ok_or_else(|| format!("unknown policy '{policy}'"))?;
    let order = pod_order(cluster, w, seed, target_pct);
    let mut rank: Vec<u32> = (0..cluster.len() as u32).collect();
    rank.shuffle(&mut stream(seed, "saturate/nodes"));
    // Node n has priority rank[n]; scan in priority order so the first best node wins ties.
    let mut scan: Vec<u32> = (0..cluster.len() as u32).collect();
    scan.sort_by_key(|&n| rank[n as usize]);
    let mut rng: SimRng = stream(seed, "saturate/policy");

    let mut state = State::new(cluster);
    let cacheable = policy.cacheable();
    // Per shape: (version, verdict) per node; verdict −1 = does not fit, else the score
    // (cacheable policies) or 0.
    let mut cache: Vec<Vec<(u32, i64)>> = vec![Vec::new(); w.shapes.len()];
    let mut feasible: Vec<u32> = Vec::new();
    let mut scores: Vec<i64> = Vec::new();
    let mut point = Point::default();
    let mut points = Vec::with_capacity(order.len());
    let mut failed = 0;
    for &s in &order {
        let pod = &w.shapes[s as usize];
        point.arrived += pod.gpu_total();
        let entries = &mut cache[s as usize];
        if entries.is_empty() {
            entries.resize(cluster.len(), (0, -1));
        }
        feasible.clear();
        scores.clear();
        for &n in &scan {
            let e = &mut entries[n as usize];
            if e.0 != state.version[n as usize] {
                let view = state.view(n as usize);
                let verdict = if !view.fits(pod) {
                    -1
                } else if cacheable {
                    policy.score(pod, &view, n)
                } else {
                    0
                };
                *e = (state.version[n as usize], verdict);
            }
            if e.1 >= 0 {
                feasible.push(n);
                scores.push(e.1);
            }
        }
        if feasible.is_empty() {
            failed += 1;
            points.push(point);
            continue;
        }
        if !cacheable {
            policy.pre_score(&feasible, &mut rng);
            for (i, &n) in feasible.iter().enumerate() {
                scores[i] = policy.score(pod, &state.view(n as usize), n);
            }
        }
        policy.normalize(&mut scores);
        let mut best = 0;
        for i in 1..scores.len() {
            if scores[i] > scores[best] {
                best = i;
            }
        }
        let n = feasible[best] as usize;
        let view = state.view(n);
        let devices = devices_for(policy.as_ref(), pod, &view, &mut rng);
        state.place(n, pod, devices);
        point.gpu += pod.gpu_total();
        point.cpu += pod.cpu_m;
        point.memory += pod.memory;
        points.push(point);
    }
    Ok(Run {
        points,
        tried: order.len(),
        failed,
    })
}

/// The devices a placed pod takes: whole devices are the lowest-index fully free ones; a share
/// goes where the policy's device rule says.
fn devices_for(policy: &dyn GpuScore, pod: &GpuPod, node: &GpuNode, rng: &mut SimRng) -> u64 {
    let share = pod.gpus == 1 && pod.milli > 0 && pod.milli < MILLI;
    if !share {
        return node.best_fit_devices(pod);
    }
    match policy.device_choice() {
        DeviceChoice::BestFit => node.best_fit_devices(pod),
        DeviceChoice::Random => {
            let able: Vec<usize> = (0..node.gpu_left.len())
                .filter(|&i| node.gpu_left[i] >= pod.milli)
                .collect();
            if able.len() <= 1 {
                able.first().map_or(0, |&i| 1 << i)
            } else {
                1 << able[rng.random_range(0..able.len())]
            }
        }
        DeviceChoice::Fgd => policy
            .chosen_device(pod, node)
            .map_or_else(|| node.best_fit_devices(pod), |i| 1 << i),
    }
}

/// `num × 100 / den` rounded half to even (Python's `round`), exactly.
pub fn percent_half_even(num: u64, den: u64) -> u64 {
    let scaled = num as u128 * 100;
    let (q, r) = (scaled / den as u128, scaled % den as u128);
    let twice = 2 * r;
    let up = twice > den as u128 || (twice == den as u128 && q % 2 == 1);
    (q + up as u128) as u64
}

/// `x` rounded to 2 decimals.
pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// One binned column of a curve: GPU, cpu and memory allocation in percent.
pub type Column = [f64; 3];

/// Bins a run's points into columns 0..=`max_pct` of arrived GPU share.
pub fn bin(cluster: &Cluster, run: &Run, max_pct: u64) -> Vec<Option<Column>> {
    let width = max_pct as usize + 2;
    let mut sums = vec![[0.0f64; 3]; width];
    let mut counts = vec![0u64; width];
    let pct = |used: u64, cap: u64| round2(used as f64 * 100.0 / cap.max(1) as f64);
    for p in &run.points {
        let ar = percent_half_even(p.arrived, cluster.gpu_capacity) as usize;
        if ar >= width {
            continue;
        }
        let v = [
            pct(p.gpu, cluster.gpu_capacity),
            pct(p.cpu, cluster.cpu_capacity),
            pct(p.memory, cluster.memory_capacity),
        ];
        for k in 0..3 {
            sums[ar][k] += v[k];
        }
        counts[ar] += 1;
    }
    (0..=max_pct as usize)
        .map(|j| {
            let window: Vec<usize> = if counts[j] > 0 {
                vec![j]
            } else {
                (j.saturating_sub(1)..=j + 1).collect()
            };
            let n: u64 = window.iter().map(|&i| counts[i]).sum();
            (n > 0).then(|| {
                let mut col = [0.0; 3];
                for (k, c) in col.iter_mut().enumerate() {
                    let s: f64 = window.iter().map(|&i| sums[i][k]).sum();
                    *c = round2(s / n as f64);
                }
                col
            })
        })
        .collect()
}

#[cfg(test)]
mod tests;
