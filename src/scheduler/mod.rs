//! Scheduling: the pending queue, the framework's extension points, plug-ins and policies.

pub mod config;
pub mod cycle;
pub mod diagnosis;
pub mod explain;
pub mod framework;
pub mod gpushare;
pub mod heuristics;
pub mod index;
#[cfg(test)]
mod index_equivalence;
pub mod plugins;
pub mod preemption;
pub mod profile;
pub mod queue;
pub mod registry;
pub mod shape_memo;
#[cfg(test)]
pub(crate) mod testkit;
#[cfg(test)]
mod upstream;

/// The bin-packing experiments moved to [`crate::binpack`]; this path still names them.
pub use crate::binpack;
pub use config::{QueueOrder, SchedulerSpec};
pub use cycle::CycleState;
pub use framework::{
    Budgets, Filter, MAX_NODE_SCORE, Nomination, PodRef, Policy, PostFilter, Reason, Score,
};
pub use preemption::DefaultPreemption;
pub use profile::Profile;
pub use queue::{CursorBuffer, PassCursor, PendingQueue, PodClass, QueueKey};
pub use registry::{FILTER_NAMES, POLICY_NAMES, PolicyContext, SCORE_NAMES, build_policy};
