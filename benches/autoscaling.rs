//! Speed target (issue: autoscaling): one Cluster Autoscaler scan at 5,000 nodes with 1,000
//! pending pods under 20 ms. A scan cannot run outside a simulation, so this times an hour of
//! scans (360) with the autoscaler and the same hour without it; the scan's cost is the
//! difference divided by 360. The 5,000 nodes are full; 1,000 pending pods of 10 shapes wait
//! for nodes that take 2 hours to provision, so every scan runs the whole filter-out (free room
//! on the 5,000 nodes, then packing onto the upcoming nodes) and the scale-down simulation.
//!
//! Second target: a week of 10,000 nodes under Karpenter with 500,000 batch pods and 200
//! autoscaled Deployments in under 10 s. Measured here at the same arrival rate (2,976 batch
//! pods an hour, 4 h each) and 200 Deployments with HPAs, for one day, which peaks near 3,200
//! nodes; the week at 10,000 nodes is well beyond it (see the README's performance section).
//!
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

/// Karpenter with a batch stream and 200 HPA-scaled Deployments for `duration`.
pub fn karpenter_fleet(duration: &str) -> Scenario {
    let mut y = format!(
        "name: karpenter-fleet
duration: {duration}
sample_interval: 1h
cluster:
  zones: [zone-a, zone-b, zone-c]
  pools:
    - {{ name: system, node: {{ cpu: 4, memory: 16Gi }}, count: 3 }}
autoscaler:
  kind: karpenter
  node_pools:
    - name: default
      instance_types: [m5.2xlarge, m5.4xlarge, c5.4xlarge, r5.2xlarge, r5.4xlarge]
      capacity_types: [spot, on-demand]
      disruption: {{ consolidate_after: 10m }}
workloads:
  - name: batch
    kind: Batch
    arrivals: {{ poisson_per_hour: 2976 }}
    duration: {{ exponential: {{ mean: 4h }} }}
    requests: {{ cpu: 2, memory: 8Gi }}
"
    );
    for i in 0..200 {
        writeln!(
            y,
            "  - {{ name: svc-{i}, kind: Deployment, replicas: 10, requests: {{ cpu: 500m, memory: 1Gi }}, \
             load: {{ requests_per_second: {{ diurnal: {{ mean: 600, amplitude: 0.5, peak: {}h }} }}, per_pod: 50 }}, \
             autoscaling: {{ min_replicas: 2, max_replicas: 100, target_cpu_utilization: 60% }} }}",
            i % 24
        )
        .unwrap();
    }
    load_str(&y, "karpenter-fleet.yaml", None, &[]).expect("valid scenario")
}

fn karpenter(c: &mut Criterion) {
    let scenario = karpenter_fleet("1d");
    let mut group = c.benchmark_group("karpenter");
    group.sample_size(10);
    group.bench_function("day_80000_batch_pods_200_hpa_deployments", |b| {
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

criterion_group!(benches, scan, karpenter);
criterion_main!(benches);
