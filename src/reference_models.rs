//! Scenarios built in code for validation tests and benchmarks.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::dist::DurationDist;
use crate::quantity::Resources;
use crate::scenario::{
    CapacityType, ClusterSpec, PodTemplate, PoolSpec, QueueOrder, Scenario, SchedulerSpec,
    TraceRow, WorkloadKind, WorkloadSpec,
};
use crate::time::{SimDuration, SimTime};

/// A pool of `count` identical on-demand nodes in zone 0.
pub fn pool(name: &str, node: Resources, count: u32, price_per_hour: f64) -> PoolSpec {
    PoolSpec {
        name: name.into(),
        capacity_type: CapacityType::OnDemand,
        node,
        max_pods: 110,
        price_per_hour,
        count,
        zones: vec![0],
        labels: BTreeMap::new(),
        taints: Vec::new(),
        provisioning_delay: DurationDist::Constant(SimDuration::ZERO),
        autoscaling: None,
    }
}

/// A scenario with one zone, the given pools and workloads.
pub fn scenario(
    name: &str,
    seed: u64,
    duration: SimDuration,
    pools: Vec<PoolSpec>,
    workloads: Vec<WorkloadSpec>,
) -> Scenario {
    Scenario {
        name: name.into(),
        seed,
        duration,
        sample_interval: SimDuration(duration.0.div_ceil(100).max(1)),
        cluster: ClusterSpec {
            zones: vec!["zone-a".into()],
            pool_failures: vec![Default::default(); pools.len()],
            pools,
        },
        scheduler: SchedulerSpec::named("least-allocated", QueueOrder::Fifo),
        workloads,
        events: Vec::new(),
        actions: Vec::new(),
        variants: Vec::new(),
        priority_classes: Vec::new(),
        quotas: Vec::new(),
        source: None,
        warnings: Vec::new(),
        provenance: Default::default(),
        autoscaler: None,
    }
}

/// The M/M/c queue as a cluster: `c` nodes that each fit exactly one pod (1 cpu, pods ask
/// 1 cpu), Poisson arrivals at `lambda_per_hour`, exponential run times of mean `mean_run`,
/// FIFO. Arrivals stop after `pods` pods; the run lasts until well after the last arrival.
pub fn mmc(c: u32, lambda_per_hour: f64, mean_run: SimDuration, pods: u64, seed: u64) -> Scenario {
    let template = PodTemplate {
        namespace: "default".into(),
        requests: Resources::new(1000, 0, 0),
        ..Default::default()
    };
    let expected_span_h = pods as f64 / lambda_per_hour;
    let duration = SimDuration::from_secs_f64(
        expected_span_h * 3600.0 * 1.05 + 100.0 * mean_run.as_secs_f64(),
    );
    scenario(
        "mmc",
        seed,
        duration,
        vec![pool("servers", Resources::new(1000, 0, 0), c, 1.0)],
        vec![WorkloadSpec {
            name: "jobs".into(),
            template,
            disruption_budget: None,
            kind: WorkloadKind::Batch {
                poisson_per_hour: lambda_per_hour,
                limit: Some(pods),
                duration: DurationDist::Exponential { mean: mean_run },
                start: SimDuration::ZERO,
            },
        }],
    )
}

/// A trace of `pods` pods with varied shapes replayed onto `nodes` nodes of 16 cpu / 64Gi,
/// generated deterministically (no randomness beyond a fixed linear congruential sequence).
pub fn synthetic_trace(nodes: u32, pods: u32, policy: &str) -> Scenario {
    let mut x: u64 = 12345;
    let mut next = move || {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (x >> 33) as u32
    };
    let span_s = 86_400u64;
    let rows: Vec<TraceRow> = (0..pods)
        .map(|i| {
            let cpu = [250u64, 500, 1000, 2000, 4000][(next() % 5) as usize];
            let mem_gi = [1u64, 2, 4, 8][(next() % 4) as usize];
            TraceRow {
                submit: SimTime(i as u64 * span_s * 1000 / pods as u64),
                requests: Resources::new(cpu, mem_gi << 30, 0),
                duration: Some(SimDuration::from_secs(600 + (next() % 7200) as u64)),
                name: None,
                namespace: None,
                priority: None,
            }
        })
        .collect();
    let mut s = scenario(
        "trace",
        1,
        SimDuration::from_secs(span_s + 7200),
        vec![pool(
            "general",
            Resources::new(16_000, 64 << 30, 0),
            nodes,
            0.768,
        )],
        vec![WorkloadSpec {
            name: "trace".into(),
            template: PodTemplate {
                namespace: "default".into(),
                ..Default::default()
            },
            disruption_budget: None,
            kind: WorkloadKind::Trace {
                path: PathBuf::from("synthetic.csv"),
                rows,
            },
        }],
    );
    s.scheduler.policy = policy.into();
    s
}

/// Placement alone: `pods` pods submitted at time 0 that never finish, onto `nodes` nodes of
/// 128 cpu / 512Gi / 250 pods, under `policy`. Pods take one of four shapes (250m/1Gi,
/// 500m/1Gi, 1 cpu/4Gi, 2 cpu/4Gi) in a fixed pseudo-random sequence; on average they use
/// under 0.94 cpu, 2.5Gi and one pod slot each, so with at least one node per 100 pods every
/// pod fits and a run measures the scheduler's placement cost.
pub fn placement(nodes: u32, pods: u32, policy: &str) -> Scenario {
    let mut x: u64 = 987_654_321;
    let shapes: [(u64, u64); 4] = [(250, 1), (500, 1), (1000, 4), (2000, 4)];
    let rows: Vec<TraceRow> = (0..pods)
        .map(|_| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let (cpu, mem_gi) = shapes[((x >> 33) % 4) as usize];
            TraceRow {
                submit: SimTime::ZERO,
                requests: Resources::new(cpu, mem_gi << 30, 0),
                duration: None,
                name: None,
                namespace: None,
                priority: None,
            }
        })
        .collect();
    let mut node_pool = pool("big", Resources::new(128_000, 512 << 30, 0), nodes, 1.0);
    node_pool.max_pods = 250;
    let mut s = scenario(
        "placement",
        1,
        SimDuration::from_secs(1),
        vec![node_pool],
        vec![WorkloadSpec {
            name: "pods".into(),
            template: PodTemplate {
                namespace: "default".into(),
                ..Default::default()
            },
            disruption_budget: None,
            kind: WorkloadKind::Trace {
                path: PathBuf::from("placement.csv"),
                rows,
            },
        }],
    );
    s.scheduler.policy = policy.into();
    s
}
