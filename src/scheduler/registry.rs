//! Policy names → policies. An unknown name is an input error with a suggestion.

use crate::scheduler::framework::{Filter, Policy};
use crate::scheduler::heuristics::{BestFit, FirstFit, WorstFit};
use crate::scheduler::plugins::{
    LeastAllocated, MostAllocated, NodeAffinity, NodeResourcesFit, NodeUnschedulable,
    TaintToleration,
};
use crate::scheduler::profile::Profile;
use crate::suggest::did_you_mean;

/// Every policy a scenario may name in `scheduler.policy`.
pub const POLICY_NAMES: &[&str] = &[
    "least-allocated",
    "most-allocated",
    "first-fit",
    "best-fit",
    "worst-fit",
];

/// Kubernetes' default filters, in its order (the first that rejects a node names the reason).
pub fn default_filters() -> Vec<Box<dyn Filter>> {
    vec![
        Box::new(NodeUnschedulable),
        Box::new(TaintToleration),
        Box::new(NodeAffinity),
        Box::new(NodeResourcesFit),
    ]
}

/// Builds the policy called `name`.
pub fn build_policy(name: &str) -> Result<Box<dyn Policy>, String> {
    let policy: Box<dyn Policy> = match name {
        "least-allocated" => Box::new(Profile {
            name: name.into(),
            filters: default_filters(),
            scores: vec![(Box::new(LeastAllocated), 1)],
        }),
        "most-allocated" => Box::new(Profile {
            name: name.into(),
            filters: default_filters(),
            scores: vec![(Box::new(MostAllocated), 1)],
        }),
        "first-fit" => Box::new(FirstFit {
            filters: default_filters(),
        }),
        "best-fit" => Box::new(BestFit {
            filters: default_filters(),
        }),
        "worst-fit" => Box::new(WorstFit {
            filters: default_filters(),
        }),
        _ => return Err(unknown_policy_message(name)),
    };
    Ok(policy)
}

/// "unknown policy 'x', expected one of …; did you mean …?"
pub fn unknown_policy_message(name: &str) -> String {
    let mut msg = format!(
        "unknown policy '{name}', expected one of {}",
        POLICY_NAMES.join(", ")
    );
    if let Some(s) = did_you_mean(name, POLICY_NAMES.iter().copied()) {
        msg.push_str(&format!("; did you mean '{s}'?"));
    }
    msg
}
