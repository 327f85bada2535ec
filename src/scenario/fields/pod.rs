//! The field tables of a pod's scheduling constraints: node affinity, topology spread,
//! anti-affinity, resource requests and tolerations.

use super::*;

pub const AFFINITY: &[FieldSpec] = &[field(
    "node_affinity",
    Ty::Object(NODE_AFFINITY),
    "Kubernetes' nodeAffinity.",
)];

pub const NODE_AFFINITY: &[FieldSpec] = &[
    field(
        "required",
        Ty::List(LABEL_REQUIREMENT),
        "Requirements every node must meet (all of them).",
    ),
    field(
        "preferred",
        Ty::List(PREFERRED_TERM),
        "Weighted preferences: a node meeting all of a term's requirements scores its weight.",
    ),
];

pub const LABEL_REQUIREMENT: &[FieldSpec] = &[
    required("key", Ty::Ident(NameRule::LabelKey), "Node label key."),
    required(
        "operator",
        Ty::Enum(LABEL_OPERATORS),
        "In, NotIn, Exists, DoesNotExist, Gt or Lt (Gt and Lt compare one whole-number value).",
    ),
    field(
        "values",
        Ty::NameList {
            max_items: 1000,
            rule: Some(NameRule::LabelValue),
        },
        "Values for In and NotIn.",
    ),
];

pub const PREFERRED_TERM: &[FieldSpec] = &[
    required("weight", Ty::UInt { max: 100 }, "Weight 1-100."),
    required(
        "match",
        Ty::List(LABEL_REQUIREMENT),
        "Requirements the node must all meet to earn the weight.",
    ),
];

pub const TOPOLOGY_SPREAD: &[FieldSpec] = &[
    required(
        "max_skew",
        Ty::UInt { max: 1_000_000 },
        "Most matching pods one domain may have above the least-loaded domain; at least 1.",
    ),
    required(
        "topology_key",
        Ty::Enum(TOPOLOGY_KEYS),
        "zone or hostname (topology.kubernetes.io/zone, kubernetes.io/hostname).",
    ),
    field(
        "when_unsatisfiable",
        Ty::Enum(WHEN_UNSATISFIABLE),
        "DoNotSchedule (default, a filter) or ScheduleAnyway (a score).",
    ),
    field(
        "label_selector",
        Ty::Labels,
        "Labels of the pods to count (default: the workload's own pods).",
    ),
    field(
        "min_domains",
        Ty::UInt { max: 1_000_000 },
        "Kubernetes' minDomains (DoNotSchedule only): with fewer eligible domains, the minimum counts as 0.",
    ),
    field(
        "node_affinity_policy",
        Ty::Enum(INCLUSION_POLICIES),
        "Honor (default): count only nodes meeting the pod's node selector and required affinity; Ignore: all nodes.",
    ),
    field(
        "node_taints_policy",
        Ty::Enum(INCLUSION_POLICIES),
        "Honor: count only nodes whose taints the pod tolerates; Ignore (default): all nodes.",
    ),
];

pub const ANTI_AFFINITY: &[FieldSpec] = &[
    required(
        "topology_key",
        Ty::Enum(TOPOLOGY_KEYS),
        "zone or hostname (topology.kubernetes.io/zone, kubernetes.io/hostname).",
    ),
    field(
        "label_selector",
        Ty::Labels,
        "Labels of the pods to keep away from (default: the workload's own pods).",
    ),
];

pub const REQUESTS: &[FieldSpec] = &[
    field("cpu", Ty::Cpu, "cpu, e.g. 500m or 2."),
    field("memory", Ty::Memory, "Memory, e.g. 1Gi."),
    field("gpu", Ty::Gpu, "Number of whole GPU devices."),
    field(
        "gpu_milli",
        Ty::UInt { max: 1000 },
        "A share of one GPU device in milli-GPU (1 to 1000), instead of gpu.",
    ),
];

pub const TOLERATION: &[FieldSpec] = &[
    field(
        "key",
        Ty::Str,
        "Taint key; empty with operator Exists tolerates every taint.",
    ),
    field(
        "operator",
        Ty::Enum(OPERATORS),
        "Equal (default) or Exists.",
    ),
    field(
        "value",
        Ty::Ident(NameRule::LabelValue),
        "Taint value to match with Equal.",
    ),
    field(
        "effect",
        Ty::Enum(TAINT_EFFECTS),
        "Effect to tolerate (default every effect).",
    ),
];
