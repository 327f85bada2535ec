//! Speed targets: a 30-day run of 2,000 spot nodes with interruptions (mean 72 h per node,
//! 2-minute notice, replaced at the notice) and 500,000 batch pods (issue: spot capacity and
//! failures); and the month at scale (issue: performance): 10,000 nodes of which 8,000 spot
//! (about 80,000 interruption notices), about 1.1 million batch pods, under `least-allocated`
//! (target < 10 s) and `kubernetes-default` (target < 20 s). Run with
//! `cargo bench --bench spot -- --warm-up-time 1 --measurement-time 10 --sample-size 10`;
//! criterion prints the median.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};

use clustersim::dist::DurationDist;
use clustersim::quantity::Resources;
use clustersim::reference_models::{pool, scenario};
use clustersim::scenario::{
    CapacityType, InterruptionSpec, PodTemplate, Scenario, WorkloadKind, WorkloadSpec,
};
use clustersim::sim::{RunOptions, run};
use clustersim::time::SimDuration;

fn spot_month() -> Scenario {
    spot_month_of(2000, 0, 500_000)
}

/// `spot` spot nodes and `on_demand` on-demand ones (listed first), `pods` batch pods of
/// 4 cpu / 8 GiB running 4 h on average, arriving evenly over 30 days.
fn spot_month_of(spot: u32, on_demand: u32, pods: u64) -> Scenario {
    let mut p = pool("spot", Resources::new(16_000, 64 << 30, 0), spot, 0.23);
    p.capacity_type = CapacityType::Spot;
    p.provisioning_delay = DurationDist::Uniform {
        min: SimDuration::from_secs(60),
        max: SimDuration::from_secs(180),
    };
    let month = SimDuration::from_secs(30 * 86_400);
    let batch = WorkloadSpec {
        name: "batch".into(),
        template: PodTemplate {
            namespace: "default".into(),
            requests: Resources::new(4000, 8 << 30, 0),
            checkpoint_interval: Some(SimDuration::from_secs(900)),
            ..Default::default()
        },
        disruption_budget: None,
        kind: WorkloadKind::Batch {
            poisson_per_hour: pods as f64 / month.as_hours_f64(),
            limit: Some(pods),
            duration: DurationDist::Exponential {
                mean: SimDuration::from_secs(4 * 3600),
            },
            start: SimDuration::ZERO,
        },
    };
    let mut pools = vec![p];
    if on_demand > 0 {
        let general = pool(
            "general",
            Resources::new(16_000, 64 << 30, 0),
            on_demand,
            0.768,
        );
        pools.insert(0, general);
    }
    let spot_index = pools.len() - 1;
    let mut s = scenario("spot-month", 1, month, pools, vec![batch]);
    s.cluster.zones = vec!["zone-a".into(), "zone-b".into(), "zone-c".into()];
    for p in &mut s.cluster.pools {
        p.zones = vec![0, 1, 2];
    }
    s.cluster.pool_failures[spot_index].interruption = Some(InterruptionSpec {
        mean_time_between: Some(SimDuration::from_secs(72 * 3600)),
        notice: SimDuration::from_secs(120),
        waves: None,
        trace: vec![],
    });
    s
}

fn spot_2000_nodes(c: &mut Criterion) {
    let scenario = spot_month();
    let mut group = c.benchmark_group("spot");
    group.sample_size(10);
    group.bench_function("30d_2000_nodes_500k_pods", |b| {
        b.iter(|| {
            let r = run(&scenario, RunOptions::default()).expect("runs");
            black_box(r.metrics.interruption_notices)
        })
    });
    group.finish();
}

/// One whole run per sample: 10,000 nodes (2,000 on demand, 8,000 spot), 1.1 M pods, 30 days.
fn spot_10000_nodes(c: &mut Criterion) {
    let mut group = c.benchmark_group("spot");
    group.sample_size(10);
    for policy in ["least-allocated", "kubernetes-default"] {
        let mut scenario = spot_month_of(8000, 2000, 1_100_000);
        scenario.scheduler.policy = policy.into();
        group.bench_function(format!("30d_10000_nodes_1.1M_pods/{policy}"), |b| {
            b.iter(|| {
                let r = run(&scenario, RunOptions::default()).expect("runs");
                black_box(r.metrics.interruption_notices)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, spot_2000_nodes, spot_10000_nodes);
criterion_main!(benches);
