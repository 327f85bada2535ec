//! Pod templates: what every pod of a workload shares (requests, priority, placement rules).

use std::collections::BTreeMap;

use super::Toleration;
use crate::quantity::Resources;
use crate::time::SimDuration;

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
    /// The `karpenter.sh/do-not-disrupt` annotation: Karpenter never consolidates a node
    /// running such a pod.
    pub do_not_disrupt: bool,
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
            // One integer value (checked when the scenario is read); the label must parse as a
            // base-10 int64, else the node does not match.
            LabelOperator::Gt | LabelOperator::Lt => {
                let (Some(v), Some(bound)) = (
                    value.and_then(|v| v.parse::<i64>().ok()),
                    self.values.first().and_then(|b| b.parse::<i64>().ok()),
                ) else {
                    return false;
                };
                if self.operator == LabelOperator::Gt {
                    v > bound
                } else {
                    v < bound
                }
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LabelOperator {
    In,
    NotIn,
    Exists,
    DoesNotExist,
    /// The label, read as an integer, is greater than the one value.
    Gt,
    /// The label, read as an integer, is less than the one value.
    Lt,
}

impl LabelOperator {
    pub const NAMES: &'static [&'static str] =
        &["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"];

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "In" => Some(LabelOperator::In),
            "NotIn" => Some(LabelOperator::NotIn),
            "Exists" => Some(LabelOperator::Exists),
            "DoesNotExist" => Some(LabelOperator::DoesNotExist),
            "Gt" => Some(LabelOperator::Gt),
            "Lt" => Some(LabelOperator::Lt),
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
    /// Kubernetes' `minDomains` (`DoNotSchedule` only): while fewer eligible domains than this
    /// exist, the global minimum counts as 0.
    pub min_domains: Option<u32>,
    /// `nodeAffinityPolicy: Honor` (the default): only nodes meeting the pod's node selector
    /// and required node affinity count; `Ignore` counts every node.
    pub honor_node_affinity: bool,
    /// `nodeTaintsPolicy: Honor`: only nodes whose `NoSchedule` and `NoExecute` taints the pod
    /// tolerates count; `Ignore` (the default) counts every node.
    pub honor_node_taints: bool,
}

/// Which pods a spread constraint or anti-affinity term counts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LabelSelector {
    /// Pods whose labels include every pair.
    Labels(BTreeMap<String, String>),
    /// Pods of this workload (the workload's own pods), by index in the scenario.
    Workload(u32),
}

impl LabelSelector {
    /// True if pods of template `t` may be picked by this selector of a pod in `namespace`:
    /// the same namespace and, for labels, every pair among the template's labels (a workload
    /// selector also needs the pod's workload, see [`Selection::picks`]).
    pub fn picks_template(&self, namespace: &str, t: &PodTemplate) -> bool {
        t.namespace == namespace
            && match self {
                LabelSelector::Workload(_) => true,
                LabelSelector::Labels(want) => want.iter().all(|(k, v)| t.labels.get(k) == Some(v)),
            }
    }
}

/// Which pods one spread constraint or anti-affinity term selects, with the part that depends
/// only on a pod's template looked up in a table over the cluster's templates, and how many
/// such pods each node holds, kept up to date by [`crate::model::Cluster`] on every bind and
/// unbind (templates never change during a run, so the tables are worked out once).
#[derive(Clone, Debug, Default)]
pub struct Selection {
    /// `templates[i]`: pods of template `i` may be picked.
    pub templates: Vec<bool>,
    /// For a workload selector, the workload a pod must belong to.
    pub workload: Option<u32>,
    /// Picked pods bound to each node, by node id (absent: none).
    pub per_node: Vec<u32>,
}

impl Selection {
    pub fn new(selector: &LabelSelector, namespace: &str, templates: &[PodTemplate]) -> Self {
        Selection {
            templates: templates
                .iter()
                .map(|t| selector.picks_template(namespace, t))
                .collect(),
            workload: match selector {
                LabelSelector::Workload(w) => Some(*w),
                LabelSelector::Labels(_) => None,
            },
            per_node: Vec::new(),
        }
    }

    /// The pods of template `i`, whatever their labels (the pods an anti-affinity term is
    /// carried by).
    pub fn of_template(i: usize, templates: usize) -> Self {
        Selection {
            templates: (0..templates).map(|j| j == i).collect(),
            workload: None,
            per_node: Vec::new(),
        }
    }

    /// True if the selector picks `pod`.
    #[inline]
    pub fn picks(&self, pod: &super::Pod) -> bool {
        self.templates.get(pod.template.0 as usize) == Some(&true)
            && self.workload.is_none_or(|w| pod.workload == w)
    }

    /// Picked pods bound to node `id`.
    #[inline]
    pub fn on(&self, id: super::NodeId) -> u32 {
        self.per_node.get(id.0 as usize).copied().unwrap_or(0)
    }
}

/// Where one template's selections are in the cluster's list, in the order of its fields,
/// and (for a template with anti-affinity) the selection of its own pods.
#[derive(Clone, Debug, Default)]
pub struct Selections {
    pub topology_spread: Vec<usize>,
    pub anti_affinity: Vec<usize>,
    pub own_pods: Option<usize>,
}

/// Required pod anti-affinity: no two matching pods in one topology domain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AntiAffinityTerm {
    pub topology_key: TopologyKey,
    pub label_selector: LabelSelector,
}
