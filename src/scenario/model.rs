//! The validated scenario: what the simulator runs.
//!
//! Everything here has passed validation: names are unique, zone references resolve, sizes are
//! within limits, trace files are loaded. The simulator never re-checks input.

use std::path::PathBuf;

use crate::dist::DurationDist;
use crate::quantity::Resources;
use crate::time::{SimDuration, SimTime};

pub use crate::model::{
    AntiAffinityTerm, CapacityType, LabelOperator, LabelRequirement, LabelSelector,
    NodeAffinitySpec, PodTemplate, PoolSpec, PreemptionPolicy, PreferredTerm, QuotaSpec, Taint,
    TaintEffect, Toleration, TolerationOperator, TopologyKey, TopologySpreadConstraint,
    WhenUnsatisfiable,
};
pub use crate::scheduler::{QueueOrder, SchedulerSpec};

/// A whole scenario file, validated.
#[derive(Clone, Debug)]
pub struct Scenario {
    pub name: String,
    pub seed: u64,
    /// How long to simulate.
    pub duration: SimDuration,
    /// How often `timeseries.csv` gets a row.
    pub sample_interval: SimDuration,
    pub cluster: ClusterSpec,
    pub scheduler: SchedulerSpec,
    pub workloads: Vec<WorkloadSpec>,
    /// Scheduled cluster events (zone outages).
    pub events: Vec<ClusterEvent>,
    /// Variants for `clustersim compare`.
    pub variants: Vec<Variant>,
    /// Kubernetes PriorityClasses that workloads may name (`priority_class_name`).
    pub priority_classes: Vec<PriorityClass>,
    /// Namespace resource quotas: a pod whose namespace would exceed its quota stays pending.
    pub quotas: Vec<QuotaSpec>,
    /// The file the scenario came from, if any (trace paths are relative to it).
    pub source: Option<PathBuf>,
}

#[derive(Clone, Debug)]
pub struct ClusterSpec {
    pub zones: Vec<String>,
    pub pools: Vec<PoolSpec>,
    /// Interruptions, failures, burn-in, capacity shortages and price trace of each pool,
    /// indexed like `pools` (kept apart so the scheduler's view of a pool stays small).
    pub pool_failures: Vec<PoolFailures>,
}

/// A Kubernetes PriorityClass.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PriorityClass {
    pub name: String,
    pub value: i32,
    /// Pods of workloads naming neither `priority` nor a class get this class.
    pub default: bool,
    pub preemption_policy: PreemptionPolicy,
}

#[derive(Clone, Debug)]
pub struct WorkloadSpec {
    pub name: String,
    pub template: PodTemplate,
    pub kind: WorkloadKind,
}

#[derive(Clone, Debug)]
pub enum WorkloadKind {
    /// Pods arriving as a Poisson process, each running for a sampled time.
    Batch {
        /// Mean arrivals per hour.
        poisson_per_hour: f64,
        /// Stop after this many pods.
        limit: Option<u64>,
        /// Run time of each pod.
        duration: DurationDist,
        /// First arrival process starts at this time (default 0).
        start: SimDuration,
    },
    /// `replicas` long-running pods, each replaced when it fails or is evicted.
    Deployment {
        replicas: u32,
        /// Time from binding until a pod counts as ready.
        startup: Option<DurationDist>,
    },
    /// Pods replayed from a CSV file, sorted by submit time (stable for equal times).
    Trace { path: PathBuf, rows: Vec<TraceRow> },
}

impl WorkloadKind {
    pub fn name(&self) -> &'static str {
        match self {
            WorkloadKind::Batch { .. } => "Batch",
            WorkloadKind::Deployment { .. } => "Deployment",
            WorkloadKind::Trace { .. } => "Trace",
        }
    }
}

/// One row of a pod trace.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceRow {
    pub submit: SimTime,
    pub requests: Resources,
    /// `None`: runs until the end of the simulation.
    pub duration: Option<SimDuration>,
    pub name: Option<String>,
    pub namespace: Option<String>,
    pub priority: Option<i32>,
}

/// When a pool replaces a node it lost (the pool keeps its `count`, as an auto-scaling group does).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplacePolicy {
    /// Launch the replacement when the interruption notice arrives (Karpenter's behaviour).
    OnNotice,
    /// Launch the replacement when the node is gone.
    OnTermination,
    /// Never: the pool shrinks.
    Never,
}

impl ReplacePolicy {
    pub const NAMES: [&'static str; 3] = ["on-notice", "on-termination", "never"];

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "on-notice" => Some(ReplacePolicy::OnNotice),
            "on-termination" => Some(ReplacePolicy::OnTermination),
            "never" => Some(ReplacePolicy::Never),
            _ => None,
        }
    }
}

/// AWS Spot Instance Advisor interruption-frequency buckets: the share of instances reclaimed
/// in a month.
pub const FREQUENCY_BUCKETS: [&str; 5] = ["<5%", "5-10%", "10-15%", "15-20%", ">20%"];

/// The share of instances a bucket reclaims in 30 days, taken as the bucket's midpoint
/// (25% for the open bucket ">20%").
pub fn frequency_bucket_share(bucket: &str) -> Option<f64> {
    match bucket {
        "<5%" => Some(0.025),
        "5-10%" => Some(0.075),
        "10-15%" => Some(0.125),
        "15-20%" => Some(0.175),
        ">20%" => Some(0.25),
        _ => None,
    }
}

/// Mean time between interruptions of one node for a frequency bucket, assuming a constant
/// hazard λ that reclaims the bucket's share p of instances in 30 days:
/// 1 − exp(−λ·30d) = p, so the mean 1/λ = 30d / −ln(1 − p).
pub fn frequency_bucket_mean(bucket: &str) -> Option<SimDuration> {
    let p = frequency_bucket_share(bucket)?;
    let month_s = 30.0 * 86_400.0;
    Some(SimDuration::from_secs_f64(month_s / -libm::log(1.0 - p)))
}

/// A share of nodes: a fixed fraction or uniform between two fractions.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ShareDist {
    Fixed(f64),
    Uniform { min: f64, max: f64 },
}

/// Correlated reclaims: at Poisson times one zone loses a share of the pool's ready nodes.
#[derive(Clone, Debug, PartialEq)]
pub struct WaveSpec {
    pub mean_time_between: SimDuration,
    pub share: ShareDist,
}

/// How many nodes a reclaim-trace row takes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ReclaimAmount {
    Count(u32),
    Share(f64),
}

/// One row of a reclaim trace: at `time`, zone `zone` (index into the cluster's zones) loses
/// `amount` of the pool's ready nodes there.
#[derive(Clone, Debug, PartialEq)]
pub struct ReclaimRow {
    pub time: SimTime,
    pub zone: usize,
    pub amount: ReclaimAmount,
}

/// Spot interruptions of a pool.
#[derive(Clone, Debug, PartialEq)]
pub struct InterruptionSpec {
    /// Mean time between interruptions of one ready node (exponential); `None`: no independent
    /// interruptions (only waves or a trace).
    pub mean_time_between: Option<SimDuration>,
    /// Time from the notice to the node's termination.
    pub notice: SimDuration,
    pub waves: Option<WaveSpec>,
    pub trace: Vec<ReclaimRow>,
}

/// New nodes run checks before joining the pool; a share fails and is replaced.
#[derive(Clone, Debug, PartialEq)]
pub struct BurnInSpec {
    pub duration: DurationDist,
    pub failure_probability: f64,
}

/// A window during which a pool cannot launch nodes in a zone (a capacity shortage).
#[derive(Clone, Debug, PartialEq)]
pub struct UnavailableSpec {
    /// Zone index; `None`: every zone of the pool.
    pub zone: Option<usize>,
    pub when: WindowTiming,
    pub duration: DurationDist,
}

/// When a window or outage starts.
#[derive(Clone, Debug, PartialEq)]
pub enum WindowTiming {
    /// Once, at this time.
    At(SimTime),
    /// At Poisson times with this mean gap.
    Random { mean_time_between: SimDuration },
}

/// Failure behaviour of a pool (all optional; the default is a pool that never loses nodes).
#[derive(Clone, Debug, PartialEq)]
pub struct PoolFailures {
    pub replace: ReplacePolicy,
    pub interruption: Option<InterruptionSpec>,
    /// Mean time between failures of one ready node (exponential).
    pub mtbf: Option<SimDuration>,
    /// Time from a failure until the replacement is ready (default: the provisioning delay).
    pub repair: Option<DurationDist>,
    pub burn_in: Option<BurnInSpec>,
    pub unavailable: Vec<UnavailableSpec>,
    /// Spot price over time, `(from, price_per_hour)`, sorted; before the first row the pool's
    /// `price_per_hour` applies.
    pub price_trace: Vec<(SimTime, f64)>,
}

impl Default for PoolFailures {
    fn default() -> Self {
        PoolFailures {
            replace: ReplacePolicy::OnNotice,
            interruption: None,
            mtbf: None,
            repair: None,
            burn_in: None,
            unavailable: Vec::new(),
            price_trace: Vec::new(),
        }
    }
}

/// A scheduled cluster event (top-level `events`).
#[derive(Clone, Debug, PartialEq)]
pub enum ClusterEvent {
    /// Every node in `zone` becomes not ready for `duration`.
    ZoneOutage {
        at: SimTime,
        zone: usize,
        duration: SimDuration,
    },
    /// From `at` on, outages strike at Poisson times (mean gap `mean_time_between`), each in a
    /// zone drawn uniformly from `zones` (indices into the cluster's zones) and lasting a drawn
    /// `duration`.
    RandomZoneOutages {
        at: SimTime,
        mean_time_between: SimDuration,
        duration: DurationDist,
        zones: Vec<usize>,
    },
}

/// A named set of overrides for `clustersim compare`, in file order.
#[derive(Clone, Debug, PartialEq)]
pub struct Variant {
    pub name: String,
    pub set: Vec<(String, String)>,
}
