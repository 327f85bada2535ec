//! Speed targets (issue: simulation core):
//! - raw event list: at least 5 million events per second (`engine/hold`);
//! - an M/M/c run of 1,000,000 pods on 10 nodes in under 1 s (`mmc/1M_pods_10_nodes`);
//! - a 1,000-node trace of 100,000 pods (`trace/1000_nodes_100k_pods`);
//! - a pending queue of 100,000 pods on one node (`overloaded/1_node_100k_pending`).
//!
//! Run with `cargo bench --bench engine`; criterion prints the median of each.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use clustersim::engine::EventQueue;
use clustersim::reference_models::{mmc, synthetic_trace};
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
    trace_1000_nodes,
    overloaded_queue
);
criterion_main!(benches);
