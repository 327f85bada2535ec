//! Speed targets for constraints that look at other pods (issue: performance), each a whole
//! run per sample:
//!
//! - 5,000 nodes and 67,500 batch pods in an hour, alone and beside a 500-replica Deployment
//!   with hostname anti-affinity (target: the second within 2× the first);
//! - 500 replicas with a zone spread constraint placed at t = 0 on 5,000 nodes (target
//!   < 0.1 s), beside the same Deployment without the constraint;
//! - 2,500 nodes at 160% load for 70 minutes with the anti-affinity Deployment and a pending
//!   queue of tens of thousands of pods retried on every pass (target < 2 s).
//!
//! Run with `cargo bench --bench constraints -- --warm-up-time 1 --measurement-time 5
//! --sample-size 10`; criterion prints the median.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};

use clustersim::scenario::{Scenario, load_str};
use clustersim::sim::{RunOptions, run};

/// `nodes` 16-cpu nodes over three zones, `least-allocated`, then `workloads` (YAML list
/// items).
fn scenario(name: &str, nodes: u32, duration: &str, workloads: &str) -> Scenario {
    let text = format!(
        "name: {name}
seed: 1
duration: {duration}
sample_interval: 1m
cluster:
  zones: [zone-a, zone-b, zone-c]
  pools:
    - name: general
      node: {{ cpu: 16, memory: 64Gi }}
      price_per_hour: 0.768
      count: {nodes}
scheduler:
  policy: least-allocated
workloads:
{workloads}"
    );
    load_str(&text, name, None, &[]).expect("a valid scenario")
}

fn batch(per_hour: u32) -> String {
    format!(
        "  - name: batch
    kind: Batch
    arrivals: {{ poisson_per_hour: {per_hour} }}
    duration: 10m
    requests: {{ cpu: 1, memory: 2Gi }}
"
    )
}

const ANTI_AFFINITY: &str = "  - name: cache
    kind: Deployment
    replicas: 500
    requests: { cpu: 500m, memory: 1Gi }
    anti_affinity:
      - { topology_key: kubernetes.io/hostname }
";

fn web(spread: bool) -> String {
    let constraint = if spread {
        "    topology_spread:
      - { max_skew: 1, topology_key: zone, when_unsatisfiable: DoNotSchedule, label_selector: { app: web } }
"
    } else {
        ""
    };
    format!(
        "  - name: web
    kind: Deployment
    replicas: 500
    labels: {{ app: web }}
    requests: {{ cpu: 1, memory: 2Gi }}
{constraint}"
    )
}

fn bench_runs(c: &mut Criterion, group: &str, runs: Vec<(&str, Scenario)>) {
    let mut group = c.benchmark_group(group);
    group.sample_size(10);
    for (name, s) in runs {
        group.bench_function(name, |b| {
            b.iter(|| {
                black_box(run(&s, RunOptions::default()).expect("runs"));
            })
        });
    }
    group.finish();
}

fn anti_affinity(c: &mut Criterion) {
    let plain = scenario("anti-off", 5000, "1h", &batch(67_500));
    let anti = scenario("anti-on", 5000, "1h", &(batch(67_500) + ANTI_AFFINITY));
    bench_runs(
        c,
        "constraints/5000_nodes_67k_pods_1h",
        vec![
            ("unconstrained", plain),
            ("hostname_anti_affinity_500", anti),
        ],
    );
}

fn zone_spread(c: &mut Criterion) {
    bench_runs(
        c,
        "constraints/5000_nodes_500_replicas",
        vec![
            ("no_spread", scenario("web", 5000, "1m", &web(false))),
            (
                "zone_spread",
                scenario("web-spread", 5000, "1m", &web(true)),
            ),
        ],
    );
}

fn pending_queue(c: &mut Criterion) {
    // 384,000 one-cpu pods an hour for 10 minutes each hold 64,000 cpus: 160% of 40,000.
    let s = scenario("pending", 2500, "70m", &(batch(384_000) + ANTI_AFFINITY));
    bench_runs(
        c,
        "constraints/2500_nodes_160pct_load_70m",
        vec![("hostname_anti_affinity_500", s)],
    );
}

criterion_group!(benches, anti_affinity, zone_spread, pending_queue);
criterion_main!(benches);
