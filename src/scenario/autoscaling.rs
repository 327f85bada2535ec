//! The autoscalers' settings: a Deployment's HorizontalPodAutoscaler and the cluster-wide
//! Cluster Autoscaler. Defaults are upstream's (Kubernetes 1.33, cluster-autoscaler 1.33).

use crate::time::SimDuration;

/// A HorizontalPodAutoscaler on a Deployment's cpu utilization (`autoscaling/v2`).
#[derive(Clone, Debug, PartialEq)]
pub struct HpaSpec {
    pub min_replicas: u32,
    pub max_replicas: u32,
    /// Target average cpu utilization, percent of the pods' cpu request.
    pub target_cpu_utilization: u32,
    /// The controller's `--horizontal-pod-autoscaler-sync-period` (default 15 s).
    pub sync_period: SimDuration,
    /// `--horizontal-pod-autoscaler-tolerance` (default 0.1).
    pub tolerance: f64,
    /// How old the utilization the HPA sees is (metrics-server's scrape and window).
    pub metrics_delay: SimDuration,
    /// True if the HPA has a `behavior`: Kubernetes then fills what it leaves out from the
    /// default policies. Without one Kubernetes keeps its older rules: scale-up at most
    /// max(2 × current, 4), the scale-down window only, no scale-down rate limit.
    pub behavior: bool,
    pub scale_up: ScalingRules,
    pub scale_down: ScalingRules,
}

impl HpaSpec {
    /// An HPA with upstream's defaults between `min` and `max` replicas.
    pub fn new(min_replicas: u32, max_replicas: u32, target_cpu_utilization: u32) -> Self {
        HpaSpec {
            min_replicas,
            max_replicas,
            target_cpu_utilization,
            sync_period: SimDuration::from_secs(15),
            tolerance: 0.1,
            metrics_delay: SimDuration::ZERO,
            behavior: false,
            scale_up: ScalingRules::default_scale_up(),
            scale_down: ScalingRules::default_scale_down(),
        }
    }
}

/// `behavior.scaleUp` or `behavior.scaleDown`.
#[derive(Clone, Debug, PartialEq)]
pub struct ScalingRules {
    pub stabilization_window: SimDuration,
    pub policies: Vec<ScalingPolicy>,
    pub select_policy: SelectPolicy,
}

impl ScalingRules {
    /// Kubernetes' default scale-up: no stabilization; the larger of 100% and 4 pods per 15 s.
    pub fn default_scale_up() -> Self {
        ScalingRules {
            stabilization_window: SimDuration::ZERO,
            policies: vec![
                ScalingPolicy {
                    kind: PolicyKind::Percent,
                    value: 100,
                    period: SimDuration::from_secs(15),
                },
                ScalingPolicy {
                    kind: PolicyKind::Pods,
                    value: 4,
                    period: SimDuration::from_secs(15),
                },
            ],
            select_policy: SelectPolicy::Max,
        }
    }

    /// Kubernetes' default scale-down: a 300 s stabilization window; 100% per 15 s.
    pub fn default_scale_down() -> Self {
        ScalingRules {
            stabilization_window: SimDuration::from_secs(300),
            policies: vec![ScalingPolicy {
                kind: PolicyKind::Percent,
                value: 100,
                period: SimDuration::from_secs(15),
            }],
            select_policy: SelectPolicy::Max,
        }
    }
}

/// One `HPAScalingPolicy`: at most `value` pods (or percent) per `period`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScalingPolicy {
    pub kind: PolicyKind,
    pub value: u32,
    pub period: SimDuration,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolicyKind {
    Pods,
    Percent,
}

/// `selectPolicy`: the policy allowing the largest change (`Max`), the smallest (`Min`), or
/// no scaling in this direction (`Disabled`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SelectPolicy {
    Max,
    Min,
    Disabled,
}

/// A pool that is a Cluster Autoscaler node group: its size stays within `min..=max`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NodeGroupLimits {
    pub min: u32,
    pub max: u32,
}

/// The cluster-wide node autoscaler.
#[derive(Clone, Debug, PartialEq)]
pub enum AutoscalerSpec {
    ClusterAutoscaler(ClusterAutoscalerSpec),
    Karpenter(KarpenterSpec),
}

/// Karpenter-style provisioning (karpenter.sh/v1): NodePools of instance types, launched for
/// pending pods and consolidated when underused.
#[derive(Clone, Debug, PartialEq)]
pub struct KarpenterSpec {
    pub node_pools: Vec<KarpenterNodePool>,
    /// `BATCH_IDLE_DURATION` (1 s) and `BATCH_MAX_DURATION` (10 s).
    pub batch_idle: SimDuration,
    pub batch_max: SimDuration,
    /// The instance-type catalog the node pools choose from.
    pub instance_types: Vec<crate::scenario::instance_types::InstanceType>,
}

/// A NodePool: which instance types, capacity types and zones it may launch, its limits and
/// its disruption settings.
#[derive(Clone, Debug, PartialEq)]
pub struct KarpenterNodePool {
    pub name: String,
    /// Higher weights are tried first.
    pub weight: i32,
    /// One generated pool per instance type and capacity type (`<nodepool>-<type>-<capacity>`).
    pub offerings: Vec<Offering>,
    /// `limits.cpu`, in millicores.
    pub limit_cpu_m: Option<u64>,
    pub consolidation: ConsolidationPolicy,
    /// `consolidateAfter` (default 0 s): how long a node's pods must be unchanged.
    pub consolidate_after: SimDuration,
    /// `budgets[].nodes`: the fewest allowed wins (default 10%).
    pub budgets: Vec<crate::scenario::IntOrPercent>,
}

/// An instance type bought one way: the pool its nodes belong to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Offering {
    pub pool: usize,
    /// Index into the catalog.
    pub instance_type: usize,
    pub capacity_type: crate::model::CapacityType,
}

/// `disruption.consolidationPolicy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConsolidationPolicy {
    WhenEmpty,
    WhenEmptyOrUnderutilized,
}

/// The Cluster Autoscaler's flags (kubernetes/autoscaler `cluster-autoscaler/FAQ.md`).
#[derive(Clone, Debug, PartialEq)]
pub struct ClusterAutoscalerSpec {
    /// `--expander`: strategies applied in order, each narrowing the options; ties left at the
    /// end are broken at random.
    pub expanders: Vec<Expander>,
    /// Priority expander: pool index → priority (higher wins); pools not listed have none.
    pub priorities: Vec<Option<i32>>,
    /// `--scan-interval` (default 10 s).
    pub scan_interval: SimDuration,
    /// `--max-node-provision-time` (default 15 min).
    pub max_node_provision_time: SimDuration,
    /// `--expendable-pods-priority-cutoff` (default −10): pods below it never trigger a scale-up.
    pub expendable_priority_cutoff: i32,
    pub scale_down: ScaleDownSpec,
}

impl Default for ClusterAutoscalerSpec {
    fn default() -> Self {
        ClusterAutoscalerSpec {
            expanders: vec![Expander::LeastWaste],
            priorities: Vec::new(),
            scan_interval: SimDuration::from_secs(10),
            max_node_provision_time: SimDuration::from_secs(15 * 60),
            expendable_priority_cutoff: -10,
            scale_down: ScaleDownSpec::default(),
        }
    }
}

/// `--expander` strategies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expander {
    Random,
    MostPods,
    LeastWaste,
    LeastNodes,
    Price,
    Priority,
}

impl Expander {
    pub const NAMES: &'static [&'static str] = &[
        "random",
        "most-pods",
        "least-waste",
        "least-nodes",
        "price",
        "priority",
    ];

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "random" => Expander::Random,
            "most-pods" => Expander::MostPods,
            "least-waste" => Expander::LeastWaste,
            "least-nodes" => Expander::LeastNodes,
            "price" => Expander::Price,
            "priority" => Expander::Priority,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Expander::Random => "random",
            Expander::MostPods => "most-pods",
            Expander::LeastWaste => "least-waste",
            Expander::LeastNodes => "least-nodes",
            Expander::Price => "price",
            Expander::Priority => "priority",
        }
    }
}

/// Scale-down flags.
#[derive(Clone, Debug, PartialEq)]
pub struct ScaleDownSpec {
    /// `--scale-down-enabled` (default true).
    pub enabled: bool,
    /// `--scale-down-utilization-threshold` (default 0.5): max(cpu, memory) requested over
    /// allocatable below which a node is a candidate.
    pub utilization_threshold: f64,
    /// `--scale-down-unneeded-time` (default 10 min).
    pub unneeded_time: SimDuration,
    /// `--scale-down-delay-after-add` (default 10 min).
    pub delay_after_add: SimDuration,
    /// `--scale-down-delay-after-failure` (default 3 min).
    pub delay_after_failure: SimDuration,
    /// `--max-empty-bulk-delete` (default 10).
    pub max_empty_bulk_delete: u32,
}

impl Default for ScaleDownSpec {
    fn default() -> Self {
        ScaleDownSpec {
            enabled: true,
            utilization_threshold: 0.5,
            unneeded_time: SimDuration::from_secs(600),
            delay_after_add: SimDuration::from_secs(600),
            delay_after_failure: SimDuration::from_secs(180),
            max_empty_bulk_delete: 10,
        }
    }
}
