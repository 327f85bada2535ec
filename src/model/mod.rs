//! The cluster's state: nodes, pods and their lifecycles.
//!
//! Entities live in vectors and refer to each other by index (`NodeId`, `PodId`), which keeps
//! the state compact, cheap to copy for what-if checks, and iterated in a stable order.

mod cluster;
mod node;
mod pod;

pub use cluster::Cluster;
pub use node::{Node, NodeId, NodeState, PoolId, WELL_KNOWN_LABELS};
pub use pod::{Pod, PodId, PodPhase, TemplateId};
