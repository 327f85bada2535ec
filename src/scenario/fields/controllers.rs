//! The field tables of the control loops: a Deployment's strategy, probes, load, refresh,
//! dependencies, crash loops and disruption budget; operator actions in `events`.

use super::*;

/// A top-level `events` entry: an outage for the cloud or an operator action.
pub const CLUSTER_EVENT: &[FieldSpec] = &[
    field(
        "at",
        Ty::Duration,
        "When the event happens (required for zone_outage; for random_zone_outages, when they may start, default 0s).",
    ),
    field(
        "every",
        Ty::Duration,
        "Repeat an operator action (rollout, rollback, cordon, uncordon, drain, upgrade) this often, instead of at.",
    ),
    field(
        "start",
        Ty::Duration,
        "With every: the first time (default: one period in).",
    ),
    field(
        "rollout",
        Ty::Object(ROLLOUT),
        "A new revision of a Deployment, rolled out by its strategy.",
    ),
    field(
        "rollback",
        Ty::Object(ROLLBACK),
        "kubectl rollout undo: back to the previous revision.",
    ),
    field(
        "cordon",
        Ty::Object(NODE_REF),
        "Mark a node unschedulable (its pods stay).",
    ),
    field(
        "uncordon",
        Ty::Object(NODE_REF),
        "Mark a cordoned node schedulable again.",
    ),
    field(
        "drain",
        Ty::Object(DRAIN),
        "kubectl drain: cordon, then evict every pod through the eviction API (budgets respected).",
    ),
    field(
        "upgrade",
        Ty::Object(UPGRADE),
        "A surge node-pool upgrade: new nodes first, then cordon, drain and delete old ones.",
    ),
    field(
        "zone_outage",
        Ty::Object(ZONE_OUTAGE),
        "Every node in the zone becomes not ready; no node launches there until it ends.",
    ),
    field(
        "random_zone_outages",
        Ty::Object(RANDOM_ZONE_OUTAGES),
        "Zone outages at random: Poisson times, a zone drawn uniformly, a drawn duration.",
    ),
];

pub const DEADLINE_ACTIONS: &[&str] = &["halt", "rollback"];
pub const STRATEGY_TYPES: &[&str] = &["RollingUpdate", "Recreate"];

pub const READINESS: &[FieldSpec] = &[
    field(
        "initial_delay",
        Ty::Duration,
        "initialDelaySeconds: the first probe after the container starts (default 0s).",
    ),
    field(
        "period",
        Ty::Duration,
        "periodSeconds: time between probes (default 10s).",
    ),
    field(
        "failure_threshold",
        Ty::UInt { max: 1000 },
        "failureThreshold: failed probes before a ready pod is unready (default 3).",
    ),
];

pub const STRATEGY: &[FieldSpec] = &[
    field(
        "type",
        Ty::Enum(STRATEGY_TYPES),
        "RollingUpdate (default) or Recreate.",
    ),
    field(
        "max_surge",
        Ty::IntOrPercent,
        "Pods above replicas during a rolling update: a count or a percentage, rounded up (default 25%).",
    ),
    field(
        "max_unavailable",
        Ty::IntOrPercent,
        "Pods below replicas during a rolling update: a count or a percentage, rounded down (default 25%).",
    ),
];

pub const LOAD: &[FieldSpec] = &[
    required(
        "requests_per_second",
        Ty::Load,
        "A number, {diurnal: {mean, amplitude, peak}}, {steps: [[0s, 100], [2h, 900]]} or {trace: rps.csv} (time_s,rps).",
    ),
    required(
        "per_pod",
        Ty::Number {
            min: 0.0,
            min_inclusive: false,
            max: 1e12,
        },
        "Requests per second one ready pod serves at 100% of its cpu request.",
    ),
];

pub const DIURNAL: &[FieldSpec] = &[
    required(
        "mean",
        Ty::Number {
            min: 0.0,
            min_inclusive: true,
            max: 1e12,
        },
        "Mean requests per second over a day.",
    ),
    field(
        "amplitude",
        Ty::Number {
            min: 0.0,
            min_inclusive: true,
            max: 1.0,
        },
        "Swing as a fraction of the mean: rps = mean × (1 + amplitude × cos(2π (t − peak) / 24h)) (default 0.5).",
    ),
    field(
        "peak",
        Ty::Duration,
        "Time of day of the peak (default 12h).",
    ),
];

/// `{diurnal: {...}}`, one of the forms of a Load.
pub const DIURNAL_WRAPPER: &[FieldSpec] = &[required(
    "diurnal",
    Ty::Object(DIURNAL),
    "A daily cosine around a mean.",
)];

pub const REFRESH: &[FieldSpec] = &[
    required("every", Ty::Duration, "Time between refreshes."),
    required(
        "downtime",
        Ty::Duration,
        "How long each pod is unready while it refreshes.",
    ),
    field(
        "jitter",
        Ty::Duration,
        "Each pod starts its refresh after a uniform delay in [0, jitter] (default 0s).",
    ),
];

pub const DEPENDENCY: &[FieldSpec] = &[
    required("workload", Ty::Name, "The Deployment depended on."),
    field(
        "min_ready",
        Ty::UInt { max: MAX_REPLICAS },
        "Ready pods it needs (default 1).",
    ),
];

pub const CRASHES: &[FieldSpec] = &[required(
    "mean_time_between",
    Ty::Duration,
    "Mean running time between crashes of one container (exponential).",
)];

pub const BACKOFF: &[FieldSpec] = &[
    field(
        "initial",
        Ty::Duration,
        "Delay before the first restart (default 10s); it doubles with each crash.",
    ),
    field(
        "max",
        Ty::Duration,
        "The cap of the delay (default 5m, the kubelet's maxContainerRestartPeriod).",
    ),
    field(
        "reset_after",
        Ty::Duration,
        "A container that ran this long starts its back-off afresh (default 10m).",
    ),
];

pub const DISRUPTION_BUDGET: &[FieldSpec] = &[
    field(
        "min_available",
        Ty::IntOrPercent,
        "Ready pods that must remain: a count, or a percentage of replicas rounded up.",
    ),
    field(
        "max_unavailable",
        Ty::IntOrPercent,
        "Pods that may be unready or evicted: a count, or a percentage of replicas rounded up.",
    ),
];

pub const ROLLOUT: &[FieldSpec] = &[
    required("workload", Ty::Name, "The Deployment to roll."),
    field(
        "healthy",
        Ty::Probability,
        "Whether new pods pass readiness: true (default), false, or the probability that one does.",
    ),
    field(
        "set",
        Ty::Object(ROLLOUT_SET),
        "What the new revision changes in the pod template.",
    ),
];

pub const ROLLOUT_SET: &[FieldSpec] = &[field(
    "requests",
    Ty::Object(REQUESTS),
    "New requests of the new revision's pods (a missing resource keeps its value).",
)];

pub const ROLLBACK: &[FieldSpec] = &[required(
    "workload",
    Ty::Name,
    "The Deployment to roll back.",
)];

pub const NODE_REF: &[FieldSpec] = &[required(
    "node",
    Ty::Name,
    "A node name, <pool>-<n> (n counts the pool's launches from 0).",
)];

pub const TIMEOUT_ACTIONS: &[&str] = &["force", "abort"];

pub const DRAIN: &[FieldSpec] = &[
    field("node", Ty::Name, "The node to drain."),
    field("pool", Ty::Name, "Drain every node of this pool instead."),
    field(
        "drain_timeout",
        Ty::Duration,
        "Give up after this long (default: wait forever, as kubectl drain does).",
    ),
    field(
        "on_timeout",
        Ty::Enum(TIMEOUT_ACTIONS),
        "At the timeout: force (evict the rest ignoring budgets, the default) or abort (stop; the node stays cordoned).",
    ),
];

pub const UPGRADE: &[FieldSpec] = &[
    required("pool", Ty::Name, "The pool to upgrade."),
    field(
        "max_surge",
        Ty::UInt {
            max: MAX_POOL_COUNT,
        },
        "New nodes launched ahead of the old ones they replace (default 1).",
    ),
    field(
        "max_unavailable",
        Ty::UInt {
            max: MAX_POOL_COUNT,
        },
        "Old nodes drained before their replacements are ready (default 0).",
    ),
    field(
        "drain_timeout",
        Ty::Duration,
        "Per old node: give up waiting for its pods' budgets after this long (default 1h).",
    ),
    field(
        "on_timeout",
        Ty::Enum(TIMEOUT_ACTIONS),
        "At the drain timeout: force (default, as GKE does) or abort (the upgrade stops).",
    ),
    field(
        "new_nodes_healthy",
        Ty::Probability,
        "Whether new nodes become ready: true (default), false (the upgrade stalls), or a probability.",
    ),
];
