//! The cluster's state: nodes, pods and their lifecycles, and the types that describe them
//! (pools, pod templates, taints, label selectors). The model depends on nothing above it: the
//! scenario reader builds these types, the scheduler and the controllers read and change them.
//!
//! Entities live in vectors and refer to each other by index (`NodeId`, `PodId`), which keeps
//! the state compact, cheap to copy for what-if checks, and iterated in a stable order.

mod cluster;
mod node;
mod pod;
mod pool;
mod quota;
mod taints;
mod template;

pub use cluster::Cluster;
pub use node::{
    GPU_PRODUCT_LABEL, Node, NodeId, NodeState, PoolId, WELL_KNOWN_LABELS, devices_fit,
    fresh_devices, pick_devices,
};
pub use pod::{Pod, PodId, PodPhase, TemplateId};
pub use pool::{CapacityType, PoolSpec};
pub use quota::{QuotaSpec, Quotas};
pub use taints::{Taint, TaintEffect, Toleration, TolerationOperator};
pub use template::{
    AntiAffinityTerm, LabelOperator, LabelRequirement, LabelSelector, NodeAffinitySpec,
    PodTemplate, PreemptionPolicy, PreferredTerm, Selection, Selections, TopologyKey,
    TopologySpreadConstraint, WhenUnsatisfiable,
};
