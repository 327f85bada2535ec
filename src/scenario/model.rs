//! The validated scenario: what the simulator runs.
//!
//! Everything here has passed validation: names are unique, zone references resolve, sizes are
//! within limits, trace files are loaded. The simulator never re-checks input.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::dist::DurationDist;
use crate::quantity::Resources;
use crate::time::{SimDuration, SimTime};

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
    /// Valid input that is probably a mistake, located like errors (see
    /// [`crate::scenario::warnings`]).
    pub warnings: Vec<crate::scenario::InputError>,
    /// What was loaded, for `summary.json`'s `provenance`.
    pub provenance: Provenance,
}

/// Where a loaded scenario came from: recorded in `summary.json` so a result can be traced
/// back to its exact inputs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Provenance {
    /// The variant this scenario is (`run --variant`, or one of `compare`'s), if any.
    pub variant: Option<String>,
    /// The variant's own overrides, as `PATH=VALUE`, in file order.
    pub variant_set: Vec<String>,
    /// The command line's `--set` overrides, as `PATH=VALUE`, in order.
    pub set: Vec<String>,
    /// The scenario file and every file it loaded (pod, reclaim and price traces), named as
    /// given (relative paths stay relative), each with the FNV-1a 64-bit hash of its bytes.
    pub inputs: Vec<(String, u64)>,
}

#[derive(Clone, Debug)]
pub struct ClusterSpec {
    pub zones: Vec<String>,
    pub pools: Vec<PoolSpec>,
    /// Interruptions, failures, burn-in, capacity shortages and price trace of each pool,
    /// indexed like `pools` (kept apart so the scheduler's view of a pool stays small).
    pub pool_failures: Vec<PoolFailures>,
}

/// How a pool's nodes are bought.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CapacityType {
    OnDemand,
    Reserved,
    Spot,
}

impl CapacityType {
    pub const ALL: [CapacityType; 3] = [
        CapacityType::OnDemand,
        CapacityType::Reserved,
        CapacityType::Spot,
    ];

    /// The name used in files and outputs: `on-demand`, `reserved`, `spot`.
    pub fn as_str(self) -> &'static str {
        match self {
            CapacityType::OnDemand => "on-demand",
            CapacityType::Reserved => "reserved",
            CapacityType::Spot => "spot",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// A node pool: `count` identical nodes.
#[derive(Clone, Debug)]
pub struct PoolSpec {
    pub name: String,
    pub capacity_type: CapacityType,
    /// Allocatable resources of one node.
    pub node: Resources,
    /// Most pods one node may hold (Kubernetes' default is 110).
    pub max_pods: u32,
    pub price_per_hour: f64,
    pub count: u32,
    /// Indices into `ClusterSpec::zones`; nodes are spread round-robin over them.
    pub zones: Vec<usize>,
    pub labels: BTreeMap<String, String>,
    pub taints: Vec<Taint>,
    /// Time from launch to ready for nodes launched during the run (initial nodes are ready at 0).
    pub provisioning_delay: DurationDist,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TaintEffect {
    NoSchedule,
    PreferNoSchedule,
    NoExecute,
}

impl TaintEffect {
    pub const ALL: [TaintEffect; 3] = [
        TaintEffect::NoSchedule,
        TaintEffect::PreferNoSchedule,
        TaintEffect::NoExecute,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TaintEffect::NoSchedule => "NoSchedule",
            TaintEffect::PreferNoSchedule => "PreferNoSchedule",
            TaintEffect::NoExecute => "NoExecute",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Taint {
    pub key: String,
    pub value: String,
    pub effect: TaintEffect,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TolerationOperator {
    /// The taint's value must equal the toleration's.
    Equal,
    /// Any value; with an empty key, any taint.
    Exists,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Toleration {
    /// Empty with `Exists` tolerates every taint.
    pub key: String,
    pub operator: TolerationOperator,
    pub value: String,
    /// `None` tolerates every effect.
    pub effect: Option<TaintEffect>,
}

impl Toleration {
    /// Kubernetes' `ToleratesTaint`.
    pub fn tolerates(&self, taint: &Taint) -> bool {
        if let Some(effect) = self.effect
            && effect != taint.effect
        {
            return false;
        }
        match self.operator {
            TolerationOperator::Exists => self.key.is_empty() || self.key == taint.key,
            TolerationOperator::Equal => self.key == taint.key && self.value == taint.value,
        }
    }
}

#[derive(Clone, Debug)]
pub struct SchedulerSpec {
    /// A policy name from the scheduler registry, e.g. `least-allocated`.
    pub policy: String,
    pub queue: QueueOrder,
    /// A custom profile's filter plug-ins, by name (validated against the registry).
    pub filters: Option<Vec<String>>,
    /// A custom profile's score plug-ins with their weights.
    pub scores: Option<Vec<(String, i64)>>,
    /// Kubernetes' `percentageOfNodesToScore` (0 = adaptive) for profile-based policies.
    pub percentage_of_nodes_to_score: Option<u32>,
    /// The RequestedToCapacityRatio score's shape, `(utilization 0–100, score 0–10)` points in
    /// increasing utilisation, if a custom profile gave one.
    pub shape: Option<Vec<(u64, u64)>>,
}

impl SchedulerSpec {
    /// A named policy with the given queue order and no custom profile.
    pub fn named(policy: &str, queue: QueueOrder) -> Self {
        SchedulerSpec {
            policy: policy.into(),
            queue,
            filters: None,
            scores: None,
            percentage_of_nodes_to_score: None,
            shape: None,
        }
    }
}

/// The order in which pending pods are tried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueueOrder {
    /// Arrival order.
    Fifo,
    /// Higher priority first, then arrival (Kubernetes' PrioritySort).
    Priority,
    /// Largest dominant resource share first (relative to the largest node shape in the
    /// cluster), then arrival: the "decreasing" of first-fit decreasing, for batch packing.
    LargestFirst,
}

impl QueueOrder {
    pub const NAMES: [&'static str; 3] = ["fifo", "priority", "largest-first"];

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "fifo" => Some(QueueOrder::Fifo),
            "priority" => Some(QueueOrder::Priority),
            "largest-first" => Some(QueueOrder::LargestFirst),
            _ => None,
        }
    }
}

/// What every pod of a workload shares.
#[derive(Clone, Debug, Default)]
pub struct PodTemplate {
    pub namespace: String,
    pub labels: BTreeMap<String, String>,
    /// The resolved priority: the workload's `priority`, its priority class's value, or the
    /// default class's value.
    pub priority: i32,
    /// Whether the pods may preempt lower-priority pods (Kubernetes' `preemptionPolicy`).
    pub preemption_policy: PreemptionPolicy,
    pub requests: Resources,
    pub node_selector: BTreeMap<String, String>,
    pub tolerations: Vec<Toleration>,
    /// Required and preferred node affinity.
    pub node_affinity: NodeAffinitySpec,
    /// Pod topology spread constraints.
    pub topology_spread: Vec<TopologySpreadConstraint>,
    /// Required pod anti-affinity terms.
    pub anti_affinity: Vec<AntiAffinityTerm>,
    /// Batch work is saved this often; an evicted pod loses the progress since its last
    /// checkpoint (`None`: no checkpoints, all progress is lost).
    pub checkpoint_interval: Option<SimDuration>,
    /// Kubernetes' terminationGracePeriodSeconds (default 30s).
    pub termination_grace_period: SimDuration,
}

/// Kubernetes' `preemptionPolicy`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PreemptionPolicy {
    /// May evict lower-priority pods to make room (the default).
    #[default]
    PreemptLowerPriority,
    /// Never preempts; waits for room like any other pod.
    Never,
}

impl PreemptionPolicy {
    pub const NAMES: &'static [&'static str] = &["PreemptLowerPriority", "Never"];

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "PreemptLowerPriority" => Some(PreemptionPolicy::PreemptLowerPriority),
            "Never" => Some(PreemptionPolicy::Never),
            _ => None,
        }
    }
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

/// A namespace's ResourceQuota: the most the requests of its running pods may add up to.
/// `None` leaves that resource unlimited.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuotaSpec {
    pub namespace: String,
    pub cpu_m: Option<u64>,
    pub memory: Option<u64>,
    pub gpu: Option<u64>,
    pub pods: Option<u64>,
}

/// A node selector requirement: `key` `operator` `values`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabelRequirement {
    pub key: String,
    pub operator: LabelOperator,
    pub values: Vec<String>,
}

impl LabelRequirement {
    /// Kubernetes' node selector requirement match against a label value (`None`: absent).
    pub fn matches(&self, value: Option<&str>) -> bool {
        match self.operator {
            LabelOperator::In => value.is_some_and(|v| self.values.iter().any(|x| x == v)),
            LabelOperator::NotIn => value.is_none_or(|v| !self.values.iter().any(|x| x == v)),
            LabelOperator::Exists => value.is_some(),
            LabelOperator::DoesNotExist => value.is_none(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LabelOperator {
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

impl LabelOperator {
    pub const NAMES: &'static [&'static str] = &["In", "NotIn", "Exists", "DoesNotExist"];

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "In" => Some(LabelOperator::In),
            "NotIn" => Some(LabelOperator::NotIn),
            "Exists" => Some(LabelOperator::Exists),
            "DoesNotExist" => Some(LabelOperator::DoesNotExist),
            _ => None,
        }
    }
}

/// Node affinity: every `required` requirement must match (one Kubernetes node selector term);
/// each `preferred` term whose requirements all match adds its weight to the node's score.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NodeAffinitySpec {
    pub required: Vec<LabelRequirement>,
    pub preferred: Vec<PreferredTerm>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreferredTerm {
    /// 1–100.
    pub weight: i64,
    pub requirements: Vec<LabelRequirement>,
}

/// The topology domains clustersim models.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TopologyKey {
    /// `topology.kubernetes.io/zone`.
    Zone,
    /// `kubernetes.io/hostname`: each node is its own domain.
    Hostname,
}

impl TopologyKey {
    pub const NAMES: &'static [&'static str] = &[
        "zone",
        "hostname",
        "topology.kubernetes.io/zone",
        "kubernetes.io/hostname",
    ];

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "zone" | "topology.kubernetes.io/zone" => Some(TopologyKey::Zone),
            "hostname" | "kubernetes.io/hostname" => Some(TopologyKey::Hostname),
            _ => None,
        }
    }
}

/// Kubernetes' `whenUnsatisfiable`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WhenUnsatisfiable {
    /// A filter: nodes that would push the skew over `max_skew` are rejected.
    DoNotSchedule,
    /// A score: nodes that keep the skew low are preferred.
    ScheduleAnyway,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopologySpreadConstraint {
    pub max_skew: u32,
    pub topology_key: TopologyKey,
    pub when_unsatisfiable: WhenUnsatisfiable,
    /// Pods whose labels include all of these count (default: the workload's own labels, or
    /// its own pods when it has none).
    pub label_selector: LabelSelector,
}

/// Which pods a spread constraint or anti-affinity term counts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LabelSelector {
    /// Pods whose labels include every pair.
    Labels(BTreeMap<String, String>),
    /// Pods of this workload (the workload's own pods), by index in the scenario.
    Workload(u32),
}

/// Required pod anti-affinity: no two matching pods in one topology domain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AntiAffinityTerm {
    pub topology_key: TopologyKey,
    pub label_selector: LabelSelector,
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
