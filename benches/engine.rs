//! Speed targets (issue: simulation core):
//! - raw event list: at least 5 million events per second (`engine/hold`);
//! - an M/M/c run of 1,000,000 pods on 10 nodes in under 1 s (`mmc/1M_pods_10_nodes`);
//! - a 1,000-node trace of 100,000 pods (`trace/1000_nodes_100k_pods`);
//! - a pending queue of 100,000 pods on one node (`overloaded/1_node_100k_pending`);
//! - the yardstick: the same M/M/c model as a bare Rust heap loop (`mmc/bare_heap_loop`), so
//!   the ratio of the two medians (target: clustersim at most 3× the bare loop) is measured in
//!   one run.
//!
//! Run with `cargo bench --bench engine`; criterion prints the median of each.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use clustersim::dist::DurationDist;
use clustersim::engine::EventQueue;
use clustersim::reference_models::{mmc, synthetic_trace};
use clustersim::rng::stream;
use clustersim::sim::{RunOptions, run};
use clustersim::time::{SimDuration, SimTime};

/// The classic "hold" model: a steady population of pending events; each step pops the earliest
/// and schedules one a pseudo-random step later.
fn hold(c: &mut Criterion) {
    const POPULATION: u64 = 10_000;
    const STEPS: u64 = 1_000_000;
    let mut group = c.benchmark_group("engine");
    group.throughput(Throughput::Elements(STEPS));
    group.sample_size(20);
    group.bench_function("hold", |b| {
        b.iter(|| {
            let mut q: EventQueue<u32> = EventQueue::with_capacity(POPULATION as usize);
            let mut x: u64 = 1;
            for i in 0..POPULATION {
                q.schedule(SimTime(i * 7 % 1000), i as u32);
            }
            for _ in 0..STEPS {
                let (t, e) = q.pop().expect("population never empties");
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
                q.schedule(SimTime(t.0 + (x >> 54)), e);
            }
            black_box(q.len())
        })
    });
    group.finish();
}

fn mmc_million(c: &mut Criterion) {
    let scenario = mmc(10, 54.0, SimDuration::from_secs(600), 1_000_000, 1);
    let mut group = c.benchmark_group("mmc");
    group.sample_size(10);
    group.throughput(Throughput::Elements(1_000_000));
    group.bench_function("1M_pods_10_nodes", |b| {
        b.iter(|| {
            let r = run(&scenario, RunOptions::default()).expect("runs");
            black_box(r.metrics.pods_completed)
        })
    });
    group.finish();
}

/// The M/M/c model with nothing but a binary heap of (time, sequence, event), a FIFO of waiting
/// arrivals and `c` free servers: what a hand-written simulation of this one model costs. The
/// draws are the simulator's (ChaCha8 streams, the same exponential sampling, integer
/// milliseconds), so only the machinery differs.
fn bare_mmc(c: u32, lambda_per_hour: f64, mean_run: SimDuration, pods: u64, seed: u64) -> u64 {
    const ARRIVAL: u32 = u32::MAX;
    let gap = DurationDist::Exponential {
        mean: SimDuration::from_secs_f64(3600.0 / lambda_per_hour),
    };
    let run = DurationDist::Exponential { mean: mean_run };
    let mut arrivals = stream(seed, "workload/jobs/arrivals");
    let mut runs = stream(seed, "workload/jobs/durations");
    let mut heap: BinaryHeap<Reverse<(u64, u64, u32)>> = BinaryHeap::new();
    let mut seq = 0u64;
    let mut push = |heap: &mut BinaryHeap<_>, t: u64, e: u32| {
        seq += 1;
        heap.push(Reverse((t, seq, e)));
    };
    let mut waiting: VecDeque<u64> = VecDeque::new();
    let (mut free, mut submitted, mut completed, mut waited) = (c, 1u64, 0u64, 0u64);
    push(&mut heap, gap.sample(&mut arrivals).0, ARRIVAL);
    while let Some(Reverse((t, _, e))) = heap.pop() {
        if e == ARRIVAL {
            waiting.push_back(t);
            if submitted < pods {
                submitted += 1;
                push(&mut heap, t + gap.sample(&mut arrivals).0, ARRIVAL);
            }
        } else {
            completed += 1;
            free += 1;
        }
        while free > 0
            && let Some(at) = waiting.pop_front()
        {
            free -= 1;
            waited += t - at;
            push(&mut heap, t + run.sample(&mut runs).0, 0);
        }
    }
    black_box(waited);
    completed
}

fn bare_mmc_million(c: &mut Criterion) {
    let mut group = c.benchmark_group("mmc");
    group.sample_size(10);
    group.throughput(Throughput::Elements(1_000_000));
    group.bench_function("bare_heap_loop", |b| {
        b.iter(|| {
            let done = bare_mmc(10, 54.0, SimDuration::from_secs(600), 1_000_000, 1);
            assert_eq!(done, 1_000_000);
            black_box(done)
        })
    });
    group.finish();
}

fn trace_1000_nodes(c: &mut Criterion) {
    let scenario = synthetic_trace(1000, 100_000, "least-allocated");
    let mut group = c.benchmark_group("trace");
    group.sample_size(10);
    group.throughput(Throughput::Elements(100_000));
    group.bench_function("1000_nodes_100k_pods", |b| {
        b.iter(|| {
            let r = run(&scenario, RunOptions::default()).expect("runs");
            black_box(r.metrics.pods_scheduled)
        })
    });
    group.finish();
}

/// An under-provisioned cluster: 1 node of 8 cpu, 600 one-cpu pods an hour for a week, so the
/// pending queue grows to about 100,000 pods. Each pass must not walk the whole queue.
fn overloaded_queue(c: &mut Criterion) {
    let mut scenario = mmc(1, 600.0, SimDuration::from_secs(600), 100_000, 1);
    scenario.cluster.pools[0].node = clustersim::quantity::Resources::new(8000, 0, 0);
    scenario.duration = SimDuration::from_secs(7 * 86_400);
    let mut group = c.benchmark_group("overloaded");
    group.sample_size(10);
    group.bench_function("1_node_100k_pending", |b| {
        b.iter(|| {
            let r = run(&scenario, RunOptions::default()).expect("runs");
            black_box(r.metrics.pods_scheduled)
        })
    });
    group.finish();
}

criterion_group!(
    benches,
    hold,
    mmc_million,
    bare_mmc_million,
    trace_1000_nodes,
    overloaded_queue
);
criterion_main!(benches);
