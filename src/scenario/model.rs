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
    /// Operator actions: rollouts, rollbacks, cordons, drains, upgrades.
    pub actions: Vec<ScheduledAction>,
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
    /// The node autoscaler, if any.
    pub autoscaler: Option<crate::scenario::AutoscalerSpec>,
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
    /// A PodDisruptionBudget selecting the workload's pods.
    pub disruption_budget: Option<DisruptionBudget>,
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
    /// Long-running pods kept at `replicas` by ReplicaSets, one per revision, rolled from one
    /// revision to the next by the deployment controller.
    Deployment(Box<DeploymentSpec>),
    /// Pods replayed from a CSV file, sorted by submit time (stable for equal times).
    Trace { path: PathBuf, rows: Vec<TraceRow> },
    /// A Kubernetes Job, or with a schedule a CronJob that starts one Job per firing.
    Job(Box<JobSpec>),
}

/// A Job (defaults are Kubernetes'): `parallelism` pods at a time until `completions` succeed.
#[derive(Clone, Debug, PartialEq)]
pub struct JobSpec {
    pub parallelism: u32,
    /// Successful pods needed; `None` is a work queue: done when one succeeds and the rest end.
    pub completions: Option<u32>,
    /// Failed pods (evictions, preemptions) tolerated before the Job fails.
    pub backoff_limit: u32,
    /// Longest a Job may run from its start before it fails (DeadlineExceeded).
    pub active_deadline: Option<SimDuration>,
    /// Run time of each pod.
    pub duration: DurationDist,
    /// When the (first) Job starts.
    pub start: SimDuration,
    /// CronJob: a new Job at each firing from `start` on.
    pub schedule: Option<crate::cron::CronSchedule>,
    pub concurrency_policy: ConcurrencyPolicy,
}

/// A CronJob's concurrencyPolicy: what a firing does while an earlier Job still runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ConcurrencyPolicy {
    /// Start the new Job alongside (Kubernetes' default).
    #[default]
    Allow,
    /// Skip the firing.
    Forbid,
    /// Fail the running Job (its pods are deleted) and start the new one.
    Replace,
}

impl ConcurrencyPolicy {
    pub const NAMES: &'static [&'static str] = &["Allow", "Forbid", "Replace"];
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "Allow" => Some(Self::Allow),
            "Forbid" => Some(Self::Forbid),
            "Replace" => Some(Self::Replace),
            _ => None,
        }
    }
}

impl WorkloadKind {
    pub fn name(&self) -> &'static str {
        match self {
            WorkloadKind::Batch { .. } => "Batch",
            WorkloadKind::Deployment { .. } => "Deployment",
            WorkloadKind::Trace { .. } => "Trace",
            WorkloadKind::Job(_) => "Job",
        }
    }
}

/// A Deployment as the scenario gives it (defaults are Kubernetes').
#[derive(Clone, Debug, PartialEq)]
pub struct DeploymentSpec {
    pub replicas: u32,
    /// Time from binding until the container runs (image pull and start).
    pub startup: Option<DurationDist>,
    /// The readiness probe: a started container is ready after `initial_delay`; `None`: at once.
    pub readiness: Option<ReadinessProbe>,
    /// Kubernetes' minReadySeconds: a pod is available once it has been ready this long.
    pub min_ready: SimDuration,
    pub strategy: DeploymentStrategy,
    /// Kubernetes' progressDeadlineSeconds (default 600 s).
    pub progress_deadline: SimDuration,
    pub on_progress_deadline: DeadlineAction,
    /// Requests the Deployment serves, for served-share metrics.
    pub load: Option<LoadSpec>,
    /// The naive data refresh: every ready pod goes unready for a while at each tick.
    pub in_place_refresh: Option<RefreshSpec>,
    /// Workloads that must have ready pods when a container starts, or it crashes.
    pub depends_on: Vec<Dependency>,
    /// A container that starts while a dependency is not ready exits after this.
    pub crash_after: Option<SimDuration>,
    /// Random container crashes: mean time between crashes of one running container.
    pub crashes: Option<SimDuration>,
    /// The kubelet's restart back-off after a crash: `initial`, doubling to `max`.
    pub backoff: BackoffSpec,
    /// A HorizontalPodAutoscaler that sets `replicas` from cpu utilization.
    pub autoscaling: Option<crate::scenario::HpaSpec>,
    /// A StatefulSet's podManagementPolicy OrderedReady: one pod at a time is created, the
    /// next once every earlier one is ready.
    pub ordered_ready: bool,
}

impl Default for DeploymentSpec {
    fn default() -> Self {
        DeploymentSpec {
            replicas: 0,
            startup: None,
            readiness: None,
            min_ready: SimDuration::ZERO,
            strategy: DeploymentStrategy::default(),
            progress_deadline: SimDuration::from_secs(600),
            on_progress_deadline: DeadlineAction::Halt,
            load: None,
            in_place_refresh: None,
            depends_on: Vec::new(),
            crash_after: None,
            crashes: None,
            backoff: BackoffSpec::default(),
            autoscaling: None,
            ordered_ready: false,
        }
    }
}

/// A readiness probe's timing (successThreshold 1: the first passing probe makes a pod ready).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadinessProbe {
    pub initial_delay: SimDuration,
    pub period: SimDuration,
    pub failure_threshold: u32,
}

impl Default for ReadinessProbe {
    fn default() -> Self {
        ReadinessProbe {
            initial_delay: SimDuration::ZERO,
            period: SimDuration::from_secs(10),
            failure_threshold: 3,
        }
    }
}

/// A count or a percentage of the desired replicas (Kubernetes' IntOrString).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntOrPercent {
    Int(u32),
    Percent(u32),
}

impl IntOrPercent {
    /// Kubernetes' `GetScaledValueFromIntOrPercent`: a percentage of `total`, rounded up or
    /// down.
    pub fn scaled(self, total: u32, round_up: bool) -> u32 {
        match self {
            IntOrPercent::Int(n) => n,
            IntOrPercent::Percent(p) => {
                let product = p as u64 * total as u64;
                let v = if round_up {
                    product.div_ceil(100)
                } else {
                    product / 100
                };
                v.min(u32::MAX as u64) as u32
            }
        }
    }

    pub fn is_zero(self) -> bool {
        matches!(self, IntOrPercent::Int(0) | IntOrPercent::Percent(0))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeploymentStrategy {
    RollingUpdate {
        max_surge: IntOrPercent,
        max_unavailable: IntOrPercent,
    },
    /// Every old pod is deleted before any new one is created.
    Recreate,
}

impl Default for DeploymentStrategy {
    fn default() -> Self {
        DeploymentStrategy::RollingUpdate {
            max_surge: IntOrPercent::Percent(25),
            max_unavailable: IntOrPercent::Percent(25),
        }
    }
}

/// What happens when a rollout makes no progress for its deadline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeadlineAction {
    /// Kubernetes: the rollout is marked failed (ProgressDeadlineExceeded) and stays where it is.
    Halt,
    /// As `halt`, then an automatic `kubectl rollout undo`.
    Rollback,
}

/// Requests per second over time, and what one ready pod serves.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadSpec {
    pub requests_per_second: LoadCurve,
    /// Requests per second one ready pod serves at 100% of its cpu request.
    pub per_pod: f64,
}

/// Requests per second as a function of time.
#[derive(Clone, Debug, PartialEq)]
pub enum LoadCurve {
    Constant(f64),
    /// mean × (1 + amplitude × cos(2π (t − peak) / 24 h)).
    Diurnal {
        mean: f64,
        amplitude: f64,
        peak: SimDuration,
    },
    /// Piecewise constant: each `(from, rps)` holds until the next (0 before the first).
    Steps(Vec<(SimTime, f64)>),
}

impl LoadCurve {
    /// Requests per second at `t`.
    pub fn rps_at(&self, t: SimTime) -> f64 {
        match self {
            LoadCurve::Constant(r) => *r,
            LoadCurve::Steps(steps) => {
                let i = steps.partition_point(|(from, _)| *from <= t);
                if i == 0 { 0.0 } else { steps[i - 1].1 }
            }
            LoadCurve::Diurnal {
                mean,
                amplitude,
                peak,
            } => {
                let x = std::f64::consts::TAU / 86_400.0 * (t.as_secs_f64() - peak.as_secs_f64());
                mean * (1.0 + amplitude * x.cos())
            }
        }
    }
}

/// In-place refresh: every `every`, each ready pod goes unready for `downtime` (plus a uniform
/// jitter in `[0, jitter]` drawn per pod and tick before it starts).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RefreshSpec {
    pub every: SimDuration,
    pub downtime: SimDuration,
    pub jitter: SimDuration,
}

/// A workload whose ready pods a container needs when it starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dependency {
    /// Index of the workload in the scenario.
    pub workload: usize,
    pub min_ready: u32,
}

/// The kubelet's CrashLoopBackOff: `initial`, doubling up to `max`, reset after a container
/// has run for `reset_after`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BackoffSpec {
    pub initial: SimDuration,
    pub max: SimDuration,
    pub reset_after: SimDuration,
}

impl Default for BackoffSpec {
    fn default() -> Self {
        BackoffSpec {
            initial: SimDuration::from_secs(10),
            max: SimDuration::from_secs(300),
            reset_after: SimDuration::from_secs(600),
        }
    }
}

/// A PodDisruptionBudget over a workload's pods.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DisruptionBudget {
    MinAvailable(IntOrPercent),
    MaxUnavailable(IntOrPercent),
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

/// When an operator action happens: once, or every `every` from `start`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventTiming {
    At(SimTime),
    Every { start: SimTime, every: SimDuration },
}

/// What an operator does (top-level `events` besides outages).
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// A new revision of a Deployment (`kubectl apply` of a changed template).
    Rollout {
        workload: usize,
        /// New requests for the new revision's pods, if the template changes them.
        requests: Option<crate::quantity::Resources>,
        /// Probability that a new pod passes its readiness probe (1: all do, 0: none).
        healthy: f64,
    },
    /// `kubectl rollout undo`: back to the previous revision's template.
    Rollback {
        workload: usize,
    },
    Cordon {
        node: String,
    },
    Uncordon {
        node: String,
    },
    /// `kubectl drain` of one node or of every node of a pool.
    Drain {
        target: NodeTarget,
        /// Give up after this long (`None`: wait forever, as kubectl does by default).
        timeout: Option<SimDuration>,
        on_timeout: TimeoutAction,
    },
    /// A surge node-pool upgrade.
    Upgrade {
        pool: usize,
        max_surge: u32,
        max_unavailable: u32,
        drain_timeout: Option<SimDuration>,
        on_timeout: TimeoutAction,
        /// Probability that a new node becomes ready.
        new_nodes_healthy: f64,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NodeTarget {
    Node(String),
    Pool(usize),
}

/// What a drain does when its timeout runs out with pods still on the node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeoutAction {
    /// Evict the rest ignoring their disruption budgets.
    Force,
    /// Stop evicting; the node stays cordoned.
    Abort,
}

/// An operator action and when it happens.
#[derive(Clone, Debug, PartialEq)]
pub struct ScheduledAction {
    pub when: EventTiming,
    pub action: Action,
}

/// A named set of overrides for `clustersim compare`, in file order.
#[derive(Clone, Debug, PartialEq)]
pub struct Variant {
    pub name: String,
    pub set: Vec<(String, String)>,
}
