//! Placement cost per policy (issue: scheduling indexes): 100,000 pods submitted at once onto
//! 1,000 and 10,000 nodes, none finishing, so a run is one scheduling pass that binds them all
//! (`clustersim::reference_models::placement`). Target: first-fit, best-fit, most- and
//! least-allocated under 1 s at 10,000 nodes; `kubernetes-default` is for reference.
//!
//! Run with
//! `cargo bench --bench scheduling -- --warm-up-time 1 --measurement-time 5 --sample-size 10`;
//! criterion prints the median of each.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

use clustersim::reference_models::placement;
use clustersim::sim::{RunOptions, run};

const PODS: u32 = 100_000;
const POLICIES: [&str; 5] = [
    "first-fit",
    "best-fit",
    "most-allocated",
    "least-allocated",
    "kubernetes-default",
];

fn placement_per_policy(c: &mut Criterion) {
    let mut group = c.benchmark_group("placement");
    group.sample_size(10);
    group.throughput(Throughput::Elements(PODS as u64));
    for nodes in [1_000u32, 10_000] {
        for policy in POLICIES {
            let scenario = placement(nodes, PODS, policy);
            group.bench_with_input(
                BenchmarkId::new(policy, format!("{nodes}_nodes")),
                &scenario,
                |b, scenario| {
                    b.iter(|| {
                        let r = run(scenario, RunOptions::default()).expect("runs");
                        assert_eq!(r.metrics.pods_scheduled, PODS as u64, "every pod fits");
                        black_box(r.metrics.pods_scheduled)
                    })
                },
            );
        }
    }
    group.finish();
}

criterion_group!(benches, placement_per_policy);
criterion_main!(benches);
