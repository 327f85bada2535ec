//! Speed target (issue: controllers): 1,000 Deployments × 20 replicas, each rolled out every
//! hour for a week, on 2,000 nodes (3.4 million pods created). Run with
//! `cargo bench --bench rollouts -- --warm-up-time 1 --measurement-time 60 --sample-size 10`;
//! criterion prints the median.

use std::fmt::Write;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};

use clustersim::scenario::{Scenario, load_str};
use clustersim::sim::{RunOptions, run};

/// `deployments` Deployments of 20 replicas on `nodes` nodes, each rolled every hour (the
/// rollouts spread over the hour), for `duration`.
pub fn rolling_fleet(deployments: usize, nodes: usize, duration: &str) -> Scenario {
    let mut y = format!(
        "name: rolling-fleet
duration: {duration}
sample_interval: 1h
cluster:
  zones: [zone-a, zone-b, zone-c]
  pools:
    - {{ name: general, node: {{ cpu: 32, memory: 128Gi }}, price_per_hour: 1.5, count: {nodes} }}
workloads:
"
    );
    for i in 0..deployments {
        writeln!(
            y,
            "  - {{ name: svc-{i}, kind: Deployment, replicas: 20, requests: {{ cpu: 1, memory: 2Gi }}, startup: 30s }}"
        )
        .unwrap();
    }
    y.push_str("events:\n");
    let step_ms = 3_600_000 / deployments.max(1);
    for i in 0..deployments {
        writeln!(
            y,
            "  - {{ every: 1h, start: {}ms, rollout: {{ workload: svc-{i} }} }}",
            i * step_ms
        )
        .unwrap();
    }
    load_str(&y, "rolling-fleet.yaml", None, &[]).expect("valid scenario")
}

fn week(c: &mut Criterion) {
    let scenario = rolling_fleet(1000, 2000, "7d");
    let mut group = c.benchmark_group("rollouts");
    group.sample_size(10);
    group.bench_function("1000_deployments_hourly_week_2000_nodes", |b| {
        b.iter(|| {
            black_box(
                run(&scenario, RunOptions::default())
                    .unwrap()
                    .metrics
                    .events_processed,
            )
        })
    });
    group.finish();
}

criterion_group!(benches, week);
criterion_main!(benches);
