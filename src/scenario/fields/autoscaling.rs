//! The field tables of the autoscalers: a Deployment's `autoscaling` (a
//! HorizontalPodAutoscaler), a pool's `autoscaling` (a node group's size limits) and the
//! top-level `autoscaler` (the Cluster Autoscaler).

use super::*;

pub const HPA: &[FieldSpec] = &[
    field(
        "min_replicas",
        Ty::UInt { max: MAX_REPLICAS },
        "minReplicas: the fewest replicas the HPA scales to (default 1).",
    ),
    required(
        "max_replicas",
        Ty::UInt { max: MAX_REPLICAS },
        "maxReplicas: the most replicas the HPA scales to.",
    ),
    required(
        "target_cpu_utilization",
        Ty::Percent { max: 1000 },
        "averageUtilization: target mean cpu use of ready pods, percent of their cpu request (utilization = rps ÷ (ready × per_pod)).",
    ),
    field(
        "sync_period",
        Ty::Duration,
        "--horizontal-pod-autoscaler-sync-period: how often the HPA acts (default 15s).",
    ),
    field(
        "tolerance",
        Ty::Number {
            min: 0.0,
            min_inclusive: true,
            max: 1.0,
        },
        "No change while |1 − utilization ÷ target| is at most this (default 0.1).",
    ),
    field(
        "metrics_delay",
        Ty::Duration,
        "Age of the utilization the HPA sees (metrics pipeline lag, default 0s).",
    ),
    field(
        "behavior",
        Ty::Object(HPA_BEHAVIOR),
        "behavior.scaleUp / scaleDown: stabilization windows and rate policies (Kubernetes' defaults when absent).",
    ),
];

pub const HPA_BEHAVIOR: &[FieldSpec] = &[
    field(
        "scale_up",
        Ty::Object(SCALING_RULES),
        "Default: no stabilization; max of 100% and 4 pods per 15s.",
    ),
    field(
        "scale_down",
        Ty::Object(SCALING_RULES),
        "Default: 5m stabilization window; 100% per 15s.",
    ),
];

pub const SELECT_POLICIES: &[&str] = &["Max", "Min", "Disabled"];
pub const POLICY_TYPES: &[&str] = &["Pods", "Percent"];

pub const SCALING_RULES: &[FieldSpec] = &[
    field(
        "stabilization_window",
        Ty::Duration,
        "stabilizationWindowSeconds: scale to the most conservative recommendation of this window.",
    ),
    field(
        "policies",
        Ty::List(SCALING_POLICY),
        "Rate limits; which applies is chosen by select_policy (default: direction's defaults).",
    ),
    field(
        "select_policy",
        Ty::Enum(SELECT_POLICIES),
        "Max (the policy allowing the largest change, default), Min, or Disabled.",
    ),
];

pub const SCALING_POLICY: &[FieldSpec] = &[
    required("type", Ty::Enum(POLICY_TYPES), "Pods or Percent."),
    required(
        "value",
        Ty::UInt { max: MAX_REPLICAS },
        "Pods, or percent of the replicas at the period's start; at least 1.",
    ),
    required(
        "period",
        Ty::Duration,
        "periodSeconds: the window the change is counted over (at most 30m).",
    ),
];

pub const NODE_GROUP: &[FieldSpec] = &[
    required(
        "min",
        Ty::UInt {
            max: MAX_POOL_COUNT,
        },
        "Fewest nodes the Cluster Autoscaler scales the pool down to.",
    ),
    required(
        "max",
        Ty::UInt {
            max: MAX_POOL_COUNT,
        },
        "Most nodes the Cluster Autoscaler scales the pool up to.",
    ),
];

pub const AUTOSCALER_KINDS: &[&str] = &["cluster-autoscaler", "karpenter"];

pub const AUTOSCALER: &[FieldSpec] = &[
    required(
        "kind",
        Ty::Enum(AUTOSCALER_KINDS),
        "cluster-autoscaler (pools with autoscaling {min, max} are its node groups) or karpenter (node_pools of instance types).",
    ),
    field(
        "node_pools",
        Ty::List(KARPENTER_NODE_POOL),
        "karpenter: NodePools, each launching instance types from the catalog.",
    ),
    field(
        "batch_idle_duration",
        Ty::Duration,
        "karpenter: a batch of pending pods closes after this long without a new one (default 1s).",
    ),
    field(
        "batch_max_duration",
        Ty::Duration,
        "karpenter: the longest a batch stays open (default 10s).",
    ),
    field(
        "expander",
        Ty::NameList {
            max_items: 6,
            rule: None,
        },
        "--expander: random, most-pods, least-waste (default), least-nodes, price, priority; a list is a chain (each narrows the options).",
    ),
    field(
        "priorities",
        Ty::StrMap,
        "Priority expander: pool name to priority (higher is preferred).",
    ),
    field(
        "scan_interval",
        Ty::Duration,
        "--scan-interval: how often the autoscaler acts (default 10s).",
    ),
    field(
        "max_node_provision_time",
        Ty::Duration,
        "--max-node-provision-time: a node not ready by then is deleted and its group backed off (default 15m).",
    ),
    field(
        "expendable_pods_priority_cutoff",
        Ty::Int32,
        "--expendable-pods-priority-cutoff: pods of lower priority never trigger a scale-up (default -10).",
    ),
    field(
        "scale_down",
        Ty::Object(SCALE_DOWN),
        "When nodes are removed (default: enabled, threshold 0.5, unneeded 10m, 10m after a scale-up).",
    ),
];

pub const SCALE_DOWN: &[FieldSpec] = &[
    field("enabled", Ty::Bool, "--scale-down-enabled (default true)."),
    field(
        "utilization_threshold",
        Ty::Number {
            min: 0.0,
            min_inclusive: true,
            max: 1.0,
        },
        "--scale-down-utilization-threshold: max(cpu, memory) requested ÷ allocatable under which a node is unneeded (default 0.5).",
    ),
    field(
        "unneeded_time",
        Ty::Duration,
        "--scale-down-unneeded-time: how long a node must be unneeded before it is removed (default 10m).",
    ),
    field(
        "delay_after_add",
        Ty::Duration,
        "--scale-down-delay-after-add (default 10m).",
    ),
    field(
        "delay_after_failure",
        Ty::Duration,
        "--scale-down-delay-after-failure (default 3m).",
    ),
    field(
        "max_empty_bulk_delete",
        Ty::UInt { max: 100_000 },
        "--max-empty-bulk-delete: empty nodes removed at once (default 10); other nodes go one per scan.",
    ),
];

pub const CONSOLIDATION_POLICIES: &[&str] = &["WhenEmptyOrUnderutilized", "WhenEmpty"];

pub const KARPENTER_NODE_POOL: &[FieldSpec] = &[
    required(
        "name",
        Ty::Ident(POOL_NAME),
        "NodePool name; its nodes carry karpenter.sh/nodepool: <name>.",
    ),
    required(
        "instance_types",
        Ty::NameList {
            max_items: 1000,
            rule: None,
        },
        "Instance types from the catalog it may launch.",
    ),
    field(
        "capacity_types",
        Ty::NameList {
            max_items: 3,
            rule: None,
        },
        "reserved, spot and/or on-demand (default [on-demand]); preferred in that order.",
    ),
    field(
        "zones",
        Ty::NameList {
            max_items: MAX_ZONES,
            rule: Some(ZONE_NAME),
        },
        "Zones it may launch in (default all).",
    ),
    field(
        "weight",
        Ty::Int32,
        "NodePools of higher weight are tried first (default 0).",
    ),
    field(
        "limits",
        Ty::Object(NODE_POOL_LIMITS),
        "limits: {cpu}: the most cpu its nodes may hold.",
    ),
    field("labels", Ty::Labels, "Labels of every node it launches."),
    field(
        "taints",
        Ty::List(TAINT),
        "Taints of every node it launches.",
    ),
    field(
        "provisioning_delay",
        Ty::Dist,
        "Time from launch to ready (default 1m).",
    ),
    field(
        "disruption",
        Ty::Object(NODE_POOL_DISRUPTION),
        "Consolidation: policy, consolidate_after, budgets (default WhenEmptyOrUnderutilized, 0s, nodes 10%).",
    ),
    field(
        "unavailable",
        Ty::List(UNAVAILABLE),
        "Spot capacity shortages: windows during which its spot offerings cannot launch.",
    ),
    field(
        "interruption_frequency",
        Ty::Enum(FREQUENCY_BUCKETS),
        "Spot Advisor bucket for all its spot types, instead of the catalog's (a rougher market).",
    ),
];

pub const NODE_POOL_LIMITS: &[FieldSpec] =
    &[required("cpu", Ty::Cpu, "The most cpu of all its nodes.")];

pub const NODE_POOL_DISRUPTION: &[FieldSpec] = &[
    field(
        "consolidation_policy",
        Ty::Enum(CONSOLIDATION_POLICIES),
        "WhenEmptyOrUnderutilized (default) or WhenEmpty.",
    ),
    field(
        "consolidate_after",
        Ty::Duration,
        "How long a node's pods must be unchanged before it may be consolidated (default 0s).",
    ),
    field(
        "budgets",
        Ty::List(DISRUPTION_BUDGET_NODES),
        "How many nodes may be disrupted at once (default [{nodes: 10%}]; the fewest wins).",
    ),
];

pub const DISRUPTION_BUDGET_NODES: &[FieldSpec] = &[required(
    "nodes",
    Ty::IntOrPercent,
    "Nodes of the NodePool that may be disrupted at once: a count or a percentage (rounded up).",
)];

pub const INSTANCE_TYPES: &[FieldSpec] = &[required(
    "path",
    Ty::Name,
    "CSV catalog: name,cpu,memory,gpu,on_demand_usd,spot_usd,interruption (relative to the scenario file).",
)];
