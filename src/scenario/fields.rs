//! The field tables of the scenario format.
//!
//! Both the parser (`parse.rs`: which keys are allowed, which are required, value limits) and the
//! JSON Schema (`schema.rs`) are driven by these tables, so the two cannot drift apart.

use super::names::NameRule;
use super::parse::KNOWN_POLICIES;
use crate::scheduler::SCORE_NAMES;

/// What a field's value must be.
#[derive(Debug)]
pub enum Ty {
    /// Any string.
    Str,
    /// A non-empty string.
    Name,
    /// A name following a Kubernetes naming rule.
    Ident(NameRule),
    /// One of the listed strings.
    Enum(&'static [&'static str]),
    /// A duration such as `90s` or `1h30m`.
    Duration,
    /// A duration distribution: a duration, or `{exponential|lognormal|uniform: {...}}`.
    Dist,
    /// A cpu quantity: `500m`, `2`, `0.5`.
    Cpu,
    /// A memory quantity: `512Mi`, `1Gi`, `1G`, a byte count.
    Memory,
    /// A whole number of devices.
    Gpu,
    /// A whole number in `0..=max`.
    UInt { max: u64 },
    /// A 32-bit signed integer.
    Int32,
    /// `true` or `false`.
    Bool,
    /// A number `> min` (or `>= min` when `min_inclusive`) and `<= max`.
    Number {
        min: f64,
        min_inclusive: bool,
        max: f64,
    },
    /// A list of unique non-empty strings, each following `rule` if there is one.
    NameList {
        max_items: usize,
        rule: Option<NameRule>,
    },
    /// A mapping from strings to scalars (scalars are read as strings).
    StrMap,
    /// A mapping from dotted field paths to values of any kind (a variant's overrides).
    OverrideMap,
    /// Kubernetes labels: label keys to label values (scalars are read as strings).
    Labels,
    /// A mapping with the given fields.
    Object(&'static [FieldSpec]),
    /// A list of mappings with the given fields.
    List(&'static [FieldSpec]),
    /// A share of nodes: a fraction in (0, 1], or `{uniform: {min, max}}` of fractions.
    Share,
    /// A whole number or a percentage such as `25%` (Kubernetes' IntOrString).
    IntOrPercent,
    /// A whole number of percent in `1..=max`, written `60%` (or `60`).
    Percent { max: u32 },
    /// `true`, `false`, or a probability in [0, 1].
    Probability,
    /// Requests per second: a number, `{diurnal: {...}}`, `{steps: [[0s, 100], ...]}` or
    /// `{trace: file.csv}`.
    Load,
}

/// One field of an object in the scenario format.
#[derive(Debug)]
pub struct FieldSpec {
    pub name: &'static str,
    pub ty: Ty,
    /// Must be present (for the kinds where the field is valid).
    pub required: bool,
    /// Workload kinds the field is valid for; empty means every kind.
    pub kinds: &'static [&'static str],
    pub description: &'static str,
}

const fn field(name: &'static str, ty: Ty, description: &'static str) -> FieldSpec {
    FieldSpec {
        name,
        ty,
        required: false,
        kinds: &[],
        description,
    }
}

const fn required(name: &'static str, ty: Ty, description: &'static str) -> FieldSpec {
    FieldSpec {
        required: true,
        ..field(name, ty, description)
    }
}

const fn for_kind(kind: &'static [&'static str], spec: FieldSpec) -> FieldSpec {
    FieldSpec {
        kinds: kind,
        ..spec
    }
}

mod autoscaling;
mod controllers;
mod pod;
pub use autoscaling::*;
pub use controllers::*;
pub use pod::*;

/// Size guards: absurd sizes are refused with a message rather than attempted.
pub const MAX_POOL_COUNT: u64 = 1_000_000;
pub const MAX_TOTAL_NODES: u64 = 1_000_000;
pub const MAX_REPLICAS: u64 = 10_000_000;
pub const MAX_BATCH_LIMIT: u64 = 100_000_000;
pub const MAX_POISSON_PER_HOUR: f64 = 1e9;
pub const MAX_ZONES: usize = 1000;
pub const MAX_SAMPLE_ROWS: u64 = 10_000_000;
/// Most pods a run may expect to create (Poisson arrivals over the run, replicas, trace rows):
/// every pod is kept for reporting, so this bounds memory (about 150 bytes a pod).
pub const MAX_EXPECTED_PODS: f64 = 50_000_000.0;
/// What a run may hold in memory before it is refused (see `check_memory_budget`).
pub const MEMORY_BUDGET_BYTES: f64 = 4.0 * (1u64 << 30) as f64;
/// Memory per pod created, measured: about 290 bytes a pod over a run that created 3.4 million,
/// 370 for 2 million pods pending at once (queue entries); this takes the larger, rounded up.
pub const BYTES_PER_POD: f64 = 400.0;
/// Memory per node (its record, name, index entries), rounded up.
pub const BYTES_PER_NODE: f64 = 512.0;
/// Most of one resource the whole cluster may hold (sum over pools of count × node), so
/// running totals cannot overflow even while replacements double a pool.
pub const MAX_CLUSTER_RESOURCE: u128 = 1 << 60;
pub const MAX_PODS_PER_NODE: u64 = 1_000_000;
pub const MAX_PRICE_PER_HOUR: f64 = 1e12;
/// Shortest mean time between random events of one process (spot interruptions of a node,
/// interruption waves, node failures, capacity shortages, random zone outages).
pub const MIN_MEAN_TIME_BETWEEN: crate::time::SimDuration = crate::time::SimDuration(1000);

/// Zones are the values of the `topology.kubernetes.io/zone` label.
const ZONE_NAME: NameRule = NameRule::LabelValue;
/// Pools name the `clustersim.io/pool` label's values and prefix their nodes' names, so a
/// pool name is a DNS-1123 label, like the node pool names of Karpenter (whose nodes carry
/// `karpenter.sh/nodepool: <name>`).
const POOL_NAME: NameRule = NameRule::DnsLabel;
/// Workloads stand for Deployments and Jobs, which Kubernetes names by DNS-1123 subdomains.
const WORKLOAD_NAME: NameRule = NameRule::DnsSubdomain;
/// Kubernetes names namespaces by DNS-1123 labels.
const NAMESPACE: NameRule = NameRule::DnsLabel;

pub const CAPACITY_TYPES: &[&str] = &["on-demand", "reserved", "spot"];
pub const TAINT_EFFECTS: &[&str] = &["NoSchedule", "PreferNoSchedule", "NoExecute"];
pub const OPERATORS: &[&str] = &["Equal", "Exists"];
pub const QUEUES: &[&str] = &["fifo", "priority", "largest-first"];
pub const KINDS: &[&str] = &["Batch", "Deployment", "Job", "Trace"];
pub const CONCURRENCY_POLICIES: &[&str] = crate::scenario::model::ConcurrencyPolicy::NAMES;
pub const PREEMPTION_POLICIES: &[&str] = crate::scenario::model::PreemptionPolicy::NAMES;
pub const LABEL_OPERATORS: &[&str] = crate::scenario::model::LabelOperator::NAMES;
pub const TOPOLOGY_KEYS: &[&str] = crate::scenario::model::TopologyKey::NAMES;
pub const WHEN_UNSATISFIABLE: &[&str] = &["DoNotSchedule", "ScheduleAnyway"];
pub const INCLUSION_POLICIES: &[&str] = &["Honor", "Ignore"];
pub const MAX_PRIORITY_CLASSES: usize = 1000;

const BATCH: &[&str] = &["Batch"];
const DEPLOYMENT: &[&str] = &["Deployment"];
const TRACE: &[&str] = &["Trace"];
const BATCH_OR_TRACE: &[&str] = &["Batch", "Trace"];
const JOB: &[&str] = &["Job"];
const BATCH_OR_JOB: &[&str] = &["Batch", "Job"];

pub const SCENARIO: &[FieldSpec] = &[
    required("name", Ty::Name, "Name of the scenario, used in reports."),
    field(
        "seed",
        Ty::UInt { max: u64::MAX },
        "Seed of every random stream (default 1). Same seed, same run.",
    ),
    required("duration", Ty::Duration, "How long to simulate, e.g. 2h."),
    field(
        "sample_interval",
        Ty::Duration,
        "How often the time series gets a row (default 1m).",
    ),
    required("cluster", Ty::Object(CLUSTER), "Zones and node pools."),
    field(
        "scheduler",
        Ty::Object(SCHEDULER),
        "Scheduling policy and queue order.",
    ),
    field("workloads", Ty::List(WORKLOAD), "What runs on the cluster."),
    field(
        "events",
        Ty::List(CLUSTER_EVENT),
        "Scheduled cluster events, e.g. {at: 6h, zone_outage: {zone: zone-b, duration: 45m}}.",
    ),
    field(
        "variants",
        Ty::List(VARIANT),
        "Variants for `clustersim compare`: each a name and a set of --set overrides.",
    ),
    field(
        "priority_classes",
        Ty::List(PRIORITY_CLASS),
        "Kubernetes PriorityClasses workloads may name in priority_class_name.",
    ),
    field(
        "quotas",
        Ty::List(QUOTA),
        "Namespace resource quotas on the requests of running pods.",
    ),
    field(
        "autoscaler",
        Ty::Object(AUTOSCALER),
        "The node autoscaler: {kind: cluster-autoscaler, ...} or {kind: karpenter, node_pools: [...]}.",
    ),
    field(
        "instance_types",
        Ty::Object(INSTANCE_TYPES),
        "Karpenter's instance-type catalog (default: the bundled AWS catalog).",
    ),
];

pub const PRIORITY_CLASS: &[FieldSpec] = &[
    required(
        "name",
        Ty::Ident(NameRule::DnsSubdomain),
        "Unique class name (a DNS-1123 subdomain, as Kubernetes requires of PriorityClasses).",
    ),
    required(
        "value",
        Ty::Int32,
        "Priority of the class's pods; higher is more important.",
    ),
    field(
        "default",
        Ty::Bool,
        "Pods of workloads naming neither priority nor a class get this class (at most one class).",
    ),
    field(
        "preemption_policy",
        Ty::Enum(PREEMPTION_POLICIES),
        "PreemptLowerPriority (default) or Never.",
    ),
];

pub const QUOTA: &[FieldSpec] = &[
    required(
        "namespace",
        Ty::Ident(NAMESPACE),
        "The namespace the quota limits.",
    ),
    field(
        "cpu",
        Ty::Cpu,
        "Most cpu the running pods may request in all.",
    ),
    field(
        "memory",
        Ty::Memory,
        "Most memory the running pods may request in all.",
    ),
    field(
        "gpu",
        Ty::Gpu,
        "Most GPUs the running pods may request in all.",
    ),
    field(
        "pods",
        Ty::UInt { max: MAX_REPLICAS },
        "Most pods that may run in the namespace at once.",
    ),
];

pub const RANDOM_ZONE_OUTAGES: &[FieldSpec] = &[
    required(
        "mean_time_between",
        Ty::Duration,
        "Mean time between outages anywhere in the cluster (exponential gaps).",
    ),
    required(
        "duration",
        Ty::Dist,
        "How long each outage lasts (a duration or a distribution).",
    ),
    field(
        "zones",
        Ty::NameList {
            max_items: MAX_ZONES,
            rule: Some(ZONE_NAME),
        },
        "Zones that may go down (default: every cluster zone).",
    ),
];

pub const ZONE_OUTAGE: &[FieldSpec] = &[
    required("zone", Ty::Name, "The zone that goes down."),
    required("duration", Ty::Duration, "How long the outage lasts."),
];

pub const VARIANT: &[FieldSpec] = &[
    required(
        "name",
        Ty::Ident(NameRule::Title),
        "Unique variant name (at most 63 characters).",
    ),
    required(
        "set",
        Ty::OverrideMap,
        "Overrides as PATH: VALUE, e.g. {cluster.pools.spot.count: 0}, applied in file order; \
         a value may be a mapping or a list, as with --set.",
    ),
];

pub const REPLACE_POLICIES: &[&str] = &["on-notice", "on-termination", "never"];
pub const FREQUENCY_BUCKETS: &[&str] = &["<5%", "5-10%", "10-15%", "15-20%", ">20%"];

pub const INTERRUPTION: &[FieldSpec] = &[
    field(
        "mean_time_between",
        Ty::Duration,
        "Mean time between interruptions of one ready node (exponential).",
    ),
    field(
        "frequency",
        Ty::Enum(FREQUENCY_BUCKETS),
        "AWS Spot Advisor bucket (share reclaimed per month), instead of mean_time_between.",
    ),
    field(
        "notice",
        Ty::Duration,
        "Time from the interruption notice to termination (default 2m; 30s on Google Cloud and Azure).",
    ),
    field(
        "waves",
        Ty::Object(WAVES),
        "Correlated reclaims: one zone loses a share of the pool at once.",
    ),
    field(
        "trace",
        Ty::Name,
        "CSV of reclaims to replay: time_s,zone,count (or share), relative to the scenario file.",
    ),
];

pub const WAVES: &[FieldSpec] = &[
    required(
        "mean_time_between",
        Ty::Duration,
        "Mean time between waves (Poisson).",
    ),
    required(
        "share",
        Ty::Share,
        "Share of the zone's ready nodes reclaimed by a wave.",
    ),
];

pub const SHARE: &[FieldSpec] = &[field(
    "uniform",
    Ty::Object(SHARE_RANGE),
    "Uniform between two fractions.",
)];

pub const SHARE_RANGE: &[FieldSpec] = &[
    required(
        "min",
        Ty::Number {
            min: 0.0,
            min_inclusive: true,
            max: 1.0,
        },
        "Smallest share.",
    ),
    required(
        "max",
        Ty::Number {
            min: 0.0,
            min_inclusive: true,
            max: 1.0,
        },
        "Largest share.",
    ),
];

pub const BURN_IN: &[FieldSpec] = &[
    required("duration", Ty::Dist, "How long a new node's checks take."),
    field(
        "failure_probability",
        Ty::Number {
            min: 0.0,
            min_inclusive: true,
            max: 0.99,
        },
        "Probability that a node fails its checks and is replaced (default 0; at most 0.99, or no node would ever join).",
    ),
];

pub const UNAVAILABLE: &[FieldSpec] = &[
    field(
        "zone",
        Ty::Name,
        "The zone short of capacity (default every zone of the pool).",
    ),
    field("at", Ty::Duration, "Start of a scheduled window."),
    field(
        "mean_time_between",
        Ty::Duration,
        "Random windows: mean time between starts (Poisson), instead of at.",
    ),
    required("duration", Ty::Dist, "Length of a window."),
];

pub const CLUSTER: &[FieldSpec] = &[
    field(
        "zones",
        Ty::NameList {
            max_items: MAX_ZONES,
            rule: Some(ZONE_NAME),
        },
        "Availability zones (default [default]).",
    ),
    required("pools", Ty::List(POOL), "Node pools; at least one."),
];

pub const POOL: &[FieldSpec] = &[
    required(
        "name",
        Ty::Ident(POOL_NAME),
        "Unique pool name (a DNS-1123 label: lowercase letters, digits and '-', at most 63).",
    ),
    field(
        "capacity_type",
        Ty::Enum(CAPACITY_TYPES),
        "How nodes are bought (default on-demand).",
    ),
    required(
        "node",
        Ty::Object(NODE),
        "Allocatable resources of one node.",
    ),
    field(
        "price_per_hour",
        Ty::Number {
            min: 0.0,
            min_inclusive: true,
            max: MAX_PRICE_PER_HOUR,
        },
        "Price of one node per hour (default 0).",
    ),
    required(
        "count",
        Ty::UInt {
            max: MAX_POOL_COUNT,
        },
        "Number of nodes at the start.",
    ),
    field(
        "autoscaling",
        Ty::Object(NODE_GROUP),
        "This pool is a Cluster Autoscaler node group sized within {min, max}.",
    ),
    field(
        "zones",
        Ty::NameList {
            max_items: MAX_ZONES,
            rule: Some(ZONE_NAME),
        },
        "Zones the pool's nodes are spread over (default all cluster zones).",
    ),
    field("labels", Ty::Labels, "Labels of every node of the pool."),
    field(
        "taints",
        Ty::List(TAINT),
        "Taints of every node of the pool.",
    ),
    field(
        "provisioning_delay",
        Ty::Dist,
        "Time from launch to ready for nodes launched during the run (default 0s).",
    ),
    field(
        "replace",
        Ty::Enum(REPLACE_POLICIES),
        "When a lost node is replaced: on-notice (default), on-termination or never.",
    ),
    field(
        "interruption",
        Ty::Object(INTERRUPTION),
        "Spot interruptions (only for capacity_type spot).",
    ),
    field(
        "mtbf",
        Ty::Duration,
        "Mean time between failures of one ready node (exponential).",
    ),
    field(
        "repair",
        Ty::Dist,
        "Time from a node failure until its replacement is ready (default the provisioning delay).",
    ),
    field(
        "burn_in",
        Ty::Object(BURN_IN),
        "Checks new nodes run before joining the pool (nodes present at the start skip them).",
    ),
    field(
        "unavailable",
        Ty::List(UNAVAILABLE),
        "Capacity shortages: windows during which the pool cannot launch nodes in a zone.",
    ),
    field(
        "price_trace",
        Ty::Name,
        "CSV of prices over time: time_s,price_per_hour, relative to the scenario file.",
    ),
];

pub const NODE: &[FieldSpec] = &[
    required("cpu", Ty::Cpu, "Allocatable cpu, e.g. 8 or 7500m."),
    required("memory", Ty::Memory, "Allocatable memory, e.g. 32Gi."),
    field(
        "gpu",
        Ty::Gpu,
        "Number of GPU devices, 1000 milli-GPU each (default 0; at most 64).",
    ),
    field(
        "gpu_model",
        Ty::Str,
        "GPU model, e.g. V100M16; set as the node label nvidia.com/gpu.product.",
    ),
    field(
        "pods",
        Ty::UInt {
            max: MAX_PODS_PER_NODE,
        },
        "Most pods one node may hold (default 110).",
    ),
];

pub const TAINT: &[FieldSpec] = &[
    required("key", Ty::Ident(NameRule::LabelKey), "Taint key."),
    field(
        "value",
        Ty::Ident(NameRule::LabelValue),
        "Taint value (default empty).",
    ),
    required("effect", Ty::Enum(TAINT_EFFECTS), "Taint effect."),
];

pub const SCHEDULER: &[FieldSpec] = &[
    field(
        "policy",
        Ty::Enum(KNOWN_POLICIES),
        "Node scoring policy (default least-allocated).",
    ),
    field(
        "queue",
        Ty::Enum(QUEUES),
        "Order in which pending pods are tried (default fifo).",
    ),
    field(
        "filters",
        Ty::NameList {
            max_items: 32,
            rule: None,
        },
        "Custom profile: filter plug-ins, e.g. [NodeResourcesFit, TaintToleration] (NodeUnschedulable and NodeResourcesFit always apply).",
    ),
    field(
        "scores",
        Ty::List(SCORE),
        "Custom profile: score plug-ins with weights, e.g. [{name: MostAllocated, weight: 2}].",
    ),
    field(
        "percentage_of_nodes_to_score",
        Ty::UInt { max: 100 },
        "Stop looking after this percentage of nodes is found feasible (0 = Kubernetes' adaptive default; at least 100 nodes).",
    ),
];

pub const SCORE: &[FieldSpec] = &[
    required("name", Ty::Enum(SCORE_NAMES), "Score plug-in name."),
    field(
        "weight",
        Ty::UInt { max: 100 },
        "Weight of the plug-in's 0-100 score in the sum (default 1).",
    ),
    field(
        "shape",
        Ty::List(SHAPE_POINT),
        "RequestedToCapacityRatio only: utilisation → score points, e.g. [{utilization: 0, score: 0}, {utilization: 100, score: 10}] (the default).",
    ),
];

pub const SHAPE_POINT: &[FieldSpec] = &[
    required(
        "utilization",
        Ty::UInt { max: 100 },
        "Utilisation in percent, strictly increasing along the shape.",
    ),
    required(
        "score",
        Ty::UInt { max: 10 },
        "Score 0-10 (scaled to 0-100).",
    ),
];

pub const WORKLOAD: &[FieldSpec] = &[
    required(
        "name",
        Ty::Ident(WORKLOAD_NAME),
        "Unique workload name (a DNS-1123 subdomain); its pods are named <name>-<n>.",
    ),
    required(
        "kind",
        Ty::Enum(KINDS),
        "Batch, Deployment, Job (a Kubernetes Job or CronJob) or Trace.",
    ),
    field(
        "namespace",
        Ty::Ident(NAMESPACE),
        "Namespace of the pods (default default).",
    ),
    field("labels", Ty::Labels, "Labels of every pod."),
    field(
        "priority",
        Ty::Int32,
        "Pod priority; higher is more important (default 0, or the default priority class).",
    ),
    field(
        "priority_class_name",
        Ty::Ident(NameRule::DnsSubdomain),
        "A priority class from priority_classes (exclusive with priority).",
    ),
    field(
        "preemption_policy",
        Ty::Enum(PREEMPTION_POLICIES),
        "Never: the pods never preempt others (default: the class's policy, else PreemptLowerPriority).",
    ),
    field(
        "affinity",
        Ty::Object(AFFINITY),
        "Node affinity: required and preferred node label requirements.",
    ),
    field(
        "topology_spread",
        Ty::List(TOPOLOGY_SPREAD),
        "Pod topology spread constraints.",
    ),
    field(
        "anti_affinity",
        Ty::List(ANTI_AFFINITY),
        "Required pod anti-affinity: no two matching pods in one topology domain.",
    ),
    field(
        "requests",
        Ty::Object(REQUESTS),
        "Resources each pod requests (a missing resource is 0).",
    ),
    field(
        "node_selector",
        Ty::Labels,
        "Node labels a pod's node must have.",
    ),
    field(
        "gpu_models",
        Ty::NameList {
            max_items: 64,
            rule: Some(NameRule::LabelValue),
        },
        "GPU models the pods accept (node label nvidia.com/gpu.product In the list).",
    ),
    field(
        "tolerations",
        Ty::List(TOLERATION),
        "Taints the pods tolerate.",
    ),
    for_kind(
        BATCH,
        required("arrivals", Ty::Object(ARRIVALS), "How pods arrive."),
    ),
    for_kind(
        BATCH,
        field(
            "limit",
            Ty::UInt {
                max: MAX_BATCH_LIMIT,
            },
            "Stop after this many pods.",
        ),
    ),
    for_kind(
        BATCH_OR_JOB,
        required("duration", Ty::Dist, "Run time of each pod."),
    ),
    for_kind(
        BATCH_OR_JOB,
        field(
            "start",
            Ty::Duration,
            "When arrivals begin, or the Job starts (with schedule: from when it may fire) (default 0s).",
        ),
    ),
    for_kind(
        JOB,
        field(
            "parallelism",
            Ty::UInt { max: MAX_REPLICAS },
            "Most pods running at once (default 1).",
        ),
    ),
    for_kind(
        JOB,
        field(
            "completions",
            Ty::UInt { max: MAX_REPLICAS },
            "Successful pods that complete the Job (default: a work queue, done when one pod succeeds and the others end).",
        ),
    ),
    for_kind(
        JOB,
        field(
            "backoff_limit",
            Ty::UInt { max: MAX_REPLICAS },
            "Failed pods (evicted or preempted) before the Job fails with BackoffLimitExceeded (default 6).",
        ),
    ),
    for_kind(
        JOB,
        field(
            "active_deadline",
            Ty::Duration,
            "activeDeadlineSeconds: a Job still running this long after it started fails with DeadlineExceeded.",
        ),
    ),
    for_kind(
        JOB,
        field(
            "schedule",
            Ty::Str,
            "CronJob: a cron schedule (minute hour day-of-month month day-of-week, or @hourly...); time 0 is Monday 00:00.",
        ),
    ),
    for_kind(
        JOB,
        field(
            "concurrency_policy",
            Ty::Enum(CONCURRENCY_POLICIES),
            "CronJob: Allow (default), Forbid (skip a firing while a Job runs) or Replace.",
        ),
    ),
    for_kind(
        BATCH_OR_TRACE,
        field(
            "checkpoint_interval",
            Ty::Duration,
            "Work is saved this often; an evicted pod loses only the progress since (default none).",
        ),
    ),
    field(
        "termination_grace_period",
        Ty::Duration,
        "How long a batch pod keeps running after an interruption notice before it is evicted (default 30s, at most the notice).",
    ),
    for_kind(
        DEPLOYMENT,
        required(
            "replicas",
            Ty::UInt { max: MAX_REPLICAS },
            "Number of long-running pods.",
        ),
    ),
    for_kind(
        DEPLOYMENT,
        field(
            "startup",
            Ty::Dist,
            "Time from binding until the container runs (without a readiness probe it is ready then).",
        ),
    ),
    for_kind(
        DEPLOYMENT,
        field(
            "readiness",
            Ty::Object(READINESS),
            "Readiness probe: a started container is ready at its first passing probe.",
        ),
    ),
    for_kind(
        DEPLOYMENT,
        field(
            "min_ready",
            Ty::Duration,
            "minReadySeconds: a pod is available once ready this long (default 0s).",
        ),
    ),
    for_kind(
        DEPLOYMENT,
        field(
            "strategy",
            Ty::Object(STRATEGY),
            "RollingUpdate (default, max_surge 25%, max_unavailable 25%) or Recreate.",
        ),
    ),
    for_kind(
        DEPLOYMENT,
        field(
            "pod_management_policy",
            Ty::Enum(&["Parallel", "OrderedReady"]),
            "A StatefulSet's: OrderedReady creates one pod at a time, each once the earlier ones are ready (default Parallel).",
        ),
    ),
    for_kind(
        DEPLOYMENT,
        field(
            "progress_deadline",
            Ty::Duration,
            "progressDeadlineSeconds: a rollout without progress this long fails (default 10m).",
        ),
    ),
    for_kind(
        DEPLOYMENT,
        field(
            "on_progress_deadline",
            Ty::Enum(DEADLINE_ACTIONS),
            "halt (Kubernetes, the default: the rollout stays where it is) or rollback (automatic undo).",
        ),
    ),
    for_kind(
        DEPLOYMENT,
        field(
            "load",
            Ty::Object(LOAD),
            "Requests the Deployment serves: served share = min(1, ready × per_pod / rps).",
        ),
    ),
    for_kind(
        DEPLOYMENT,
        field(
            "in_place_refresh",
            Ty::Object(REFRESH),
            "Naive data refresh: every ready pod goes unready for downtime at each tick, unpaced.",
        ),
    ),
    for_kind(
        DEPLOYMENT,
        field(
            "depends_on",
            Ty::List(DEPENDENCY),
            "Workloads whose ready pods a container needs when it starts (see crash_after).",
        ),
    ),
    for_kind(
        DEPLOYMENT,
        field(
            "crash_after",
            Ty::Duration,
            "A container that starts while a dependency is not ready exits after this (CrashLoopBackOff).",
        ),
    ),
    for_kind(
        DEPLOYMENT,
        field(
            "crashes",
            Ty::Object(CRASHES),
            "Random container crashes of running pods.",
        ),
    ),
    for_kind(
        DEPLOYMENT,
        field(
            "backoff",
            Ty::Object(BACKOFF),
            "The kubelet's restart back-off (default 10s doubling to 5m, reset after 10m running).",
        ),
    ),
    for_kind(
        DEPLOYMENT,
        field(
            "autoscaling",
            Ty::Object(HPA),
            "A HorizontalPodAutoscaler on cpu utilization (needs load).",
        ),
    ),
    field(
        "do_not_disrupt",
        Ty::Bool,
        "The karpenter.sh/do-not-disrupt annotation: Karpenter never consolidates a node running these pods.",
    ),
    field(
        "disruption_budget",
        Ty::Object(DISRUPTION_BUDGET),
        "A PodDisruptionBudget over the workload's pods: min_available or max_unavailable.",
    ),
    for_kind(
        TRACE,
        required(
            "path",
            Ty::Name,
            "CSV trace file, relative to the scenario file's directory.",
        ),
    ),
];

pub const ARRIVALS: &[FieldSpec] = &[required(
    "poisson_per_hour",
    Ty::Number {
        min: 0.0,
        min_inclusive: false,
        max: MAX_POISSON_PER_HOUR,
    },
    "Mean arrivals per hour of a Poisson process.",
)];

/// The mapping form of a distribution: exactly one of these keys.
pub const DIST: &[FieldSpec] = &[
    field(
        "exponential",
        Ty::Object(EXPONENTIAL),
        "Exponential distribution.",
    ),
    field(
        "lognormal",
        Ty::Object(LOGNORMAL),
        "Log-normal distribution.",
    ),
    field("uniform", Ty::Object(UNIFORM), "Uniform distribution."),
];

pub const EXPONENTIAL: &[FieldSpec] = &[required("mean", Ty::Duration, "Mean duration.")];

pub const LOGNORMAL: &[FieldSpec] = &[
    required("median", Ty::Duration, "Median duration."),
    required(
        "sigma",
        Ty::Number {
            min: 0.0,
            min_inclusive: true,
            max: 10.0,
        },
        "Standard deviation of the log of the duration.",
    ),
];

pub const UNIFORM: &[FieldSpec] = &[
    required("min", Ty::Duration, "Shortest duration."),
    required("max", Ty::Duration, "Longest duration."),
];

/// The spec of `name` in `fields`. The parser only asks for names it declared, so a miss is a
/// bug in this module, caught by the tests.
pub fn spec<'a>(fields: &'a [FieldSpec], name: &str) -> &'a FieldSpec {
    match fields.iter().find(|f| f.name == name) {
        Some(f) => f,
        None => panic!("field '{name}' is not declared in its field table"),
    }
}
