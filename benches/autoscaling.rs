//! Speed target (issue: autoscaling): one Cluster Autoscaler scan at 5,000 nodes with 1,000
//! pending pods under 20 ms. A scan cannot run outside a simulation, so this times an hour of
//! scans (360) with the autoscaler and the same hour without it; the scan's cost is the
//! difference divided by 360. The 5,000 nodes are full; 1,000 pending pods of 10 shapes wait
//! for nodes that take 2 hours to provision, so every scan runs the whole filter-out (free room
//! on the 5,000 nodes, then packing onto the upcoming nodes) and the scale-down simulation.
//! Run with `cargo bench --bench autoscaling -- --warm-up-time 1 --measurement-time 20`;
//! criterion prints the medians.

use std::fmt::Write;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};

use clustersim::scenario::{Scenario, load_str};
use clustersim::sim::{RunOptions, run};

fn scans(with_autoscaler: bool) -> Scenario {
    let group = if with_autoscaler {
        ", autoscaling: { min: 0, max: 1000 }, provisioning_delay: 2h"
    } else {
        ""
    };
    let mut y = format!(
        "name: ca-scan
duration: 1h
sample_interval: 10m
cluster:
  zones: [zone-a, zone-b, zone-c]
  pools:
    - {{ name: full, node: {{ cpu: 4, memory: 16Gi }}, count: 5000 }}
    - {{ name: spare, node: {{ cpu: 8, memory: 32Gi }}, count: 0{group} }}
workloads:
  - {{ name: fill, kind: Deployment, replicas: 5000, requests: {{ cpu: 4, memory: 1Gi }} }}
"
    );
    for i in 0..10 {
        writeln!(
            y,
            "  - {{ name: wait-{i}, kind: Deployment, replicas: 100, requests: {{ cpu: {}m, memory: 1Gi }} }}",
            500 + 100 * i
        )
        .unwrap();
    }
    if with_autoscaler {
        y.push_str("autoscaler: { kind: cluster-autoscaler, max_node_provision_time: 3h }\n");
    }
    load_str(&y, "ca-scan.yaml", None, &[]).expect("valid scenario")
}

fn scan(c: &mut Criterion) {
    let mut group = c.benchmark_group("cluster_autoscaler");
    group.sample_size(10);
    for (name, with) in [
        ("hour_of_scans_5000_nodes_1000_pending", true),
        ("same_hour_without_autoscaler", false),
    ] {
        let scenario = scans(with);
        group.bench_function(name, |b| {
            b.iter(|| {
                black_box(
                    run(&scenario, RunOptions::default())
                        .unwrap()
                        .metrics
                        .events_processed,
                )
            })
        });
    }
    group.finish();
}

criterion_group!(benches, scan);
criterion_main!(benches);
