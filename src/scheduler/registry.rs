//! Names → policies and plug-ins. An unknown name is an input error with a suggestion.

use super::SchedulerSpec;
use crate::rng::stream;
use crate::scheduler::framework::{Filter, Policy, Score};
use crate::scheduler::heuristics::{
    BestFit, DotProduct, FirstFit, PowerOfTwo, RandomFit, WorstFit,
};
use crate::scheduler::index::{Rule, indexed};
use crate::scheduler::plugins::{
    BalancedAllocation, InterPodAffinity, LeastAllocated, MostAllocated, NodeAffinity,
    NodeAffinityScore, NodeResourcesFit, NodeUnschedulable, PodTopologySpread,
    PodTopologySpreadScore, RequestedToCapacityRatio, TaintToleration, TaintTolerationScore,
};
use crate::scheduler::profile::Profile;
use crate::suggest::did_you_mean;

/// Every policy a scenario may name in `scheduler.policy`.
/// The first is the default.
pub const POLICY_NAMES: &[&str] = &[
    "least-allocated",
    "kubernetes-default",
    "most-allocated",
    "balanced",
    "first-fit",
    "best-fit",
    "worst-fit",
    "dot-product",
    "random",
    "power-of-two",
];

/// Filter plug-ins a custom profile may list in `scheduler.filters`.
pub const FILTER_NAMES: &[&str] = &[
    "NodeUnschedulable",
    "TaintToleration",
    "NodeAffinity",
    "NodeResourcesFit",
    "PodTopologySpread",
    "InterPodAffinity",
];

/// Score plug-ins a custom profile may list in `scheduler.scores`.
pub const SCORE_NAMES: &[&str] = &[
    "LeastAllocated",
    "MostAllocated",
    "BalancedAllocation",
    "TaintToleration",
    "NodeAffinity",
    "PodTopologySpread",
    "RequestedToCapacityRatio",
];

/// What building a policy may depend on besides its name.
#[derive(Clone, Copy, Debug)]
pub struct PolicyContext {
    /// The scenario seed, for policies that draw random numbers.
    pub seed: u64,
}

/// Kubernetes' default filters, in its order (the first that rejects a node names the reason).
pub fn default_filters() -> Vec<Box<dyn Filter>> {
    FILTER_NAMES
        .iter()
        .map(|n| filter_plugin(n).expect("registered"))
        .collect()
}

/// The filter plug-in called `name`.
pub fn filter_plugin(name: &str) -> Result<Box<dyn Filter>, String> {
    Ok(match name {
        "NodeUnschedulable" => Box::new(NodeUnschedulable),
        "TaintToleration" => Box::new(TaintToleration),
        "NodeAffinity" => Box::new(NodeAffinity),
        "NodeResourcesFit" => Box::new(NodeResourcesFit),
        "PodTopologySpread" => Box::new(PodTopologySpread),
        "InterPodAffinity" => Box::new(InterPodAffinity),
        _ => return Err(unknown_message("filter plugin", name, FILTER_NAMES)),
    })
}

/// The score plug-in called `name`.
pub fn score_plugin(name: &str) -> Result<Box<dyn Score>, String> {
    Ok(match name {
        "LeastAllocated" => Box::new(LeastAllocated),
        "MostAllocated" => Box::new(MostAllocated),
        "BalancedAllocation" => Box::new(BalancedAllocation),
        "TaintToleration" => Box::new(TaintTolerationScore),
        "NodeAffinity" => Box::new(NodeAffinityScore),
        "PodTopologySpread" => Box::new(PodTopologySpreadScore),
        "RequestedToCapacityRatio" => Box::new(RequestedToCapacityRatio {
            shape: RequestedToCapacityRatio::default_shape(),
        }),
        _ => return Err(unknown_message("score plugin", name, SCORE_NAMES)),
    })
}

/// Builds the policy a scenario's `scheduler` section describes: a custom profile when it lists
/// `filters` or `scores`, otherwise the named policy.
pub fn build_policy(spec: &SchedulerSpec, cx: PolicyContext) -> Result<Box<dyn Policy>, String> {
    if spec.filters.is_none() && spec.scores.is_none() {
        let mut policy = build_named_policy(&spec.policy, cx)?;
        if let (Some(p), Some(profile)) = (spec.percentage_of_nodes_to_score, policy.as_profile()) {
            profile.percentage_of_nodes_to_score = Some(p);
        }
        return Ok(policy);
    }
    // Custom profile. NodeUnschedulable and NodeResourcesFit are always applied (clustersim
    // never binds to a cordoned node nor overcommits one), the rest as listed.
    let mut filters: Vec<Box<dyn Filter>> = vec![Box::new(NodeUnschedulable)];
    let listed = spec
        .filters
        .clone()
        .unwrap_or_else(|| FILTER_NAMES.iter().map(|s| s.to_string()).collect());
    for name in &listed {
        if name != "NodeUnschedulable" {
            filters.push(filter_plugin(name)?);
        }
    }
    if !listed.iter().any(|n| n == "NodeResourcesFit") {
        filters.push(Box::new(NodeResourcesFit));
    }
    let mut scores = Vec::new();
    for (name, weight) in spec.scores.iter().flatten() {
        let plugin: Box<dyn Score> = match (name.as_str(), &spec.shape) {
            ("RequestedToCapacityRatio", Some(shape)) => Box::new(RequestedToCapacityRatio {
                shape: shape.clone(),
            }),
            _ => score_plugin(name)?,
        };
        scores.push((plugin, *weight));
    }
    let mut profile = Profile::new("custom", filters, scores);
    // Kubernetes' default for a profile: the adaptive percentage.
    profile.percentage_of_nodes_to_score = Some(spec.percentage_of_nodes_to_score.unwrap_or(0));
    Ok(Box::new(profile))
}

/// Builds the policy called `name`.
pub fn build_named_policy(name: &str, cx: PolicyContext) -> Result<Box<dyn Policy>, String> {
    let profile = |scores: Vec<(Box<dyn Score>, i64)>| -> Box<dyn Policy> {
        Box::new(Profile::new(name, default_filters(), scores))
    };
    let policy: Box<dyn Policy> = match name {
        "kubernetes-default" => {
            // Kubernetes' default score weights for the plug-ins clustersim models:
            // TaintToleration 3, NodeAffinity 2, PodTopologySpread 2,
            // NodeResourcesFit (LeastAllocated) 1, BalancedAllocation 1.
            let mut p = Profile::new(
                name,
                default_filters(),
                vec![
                    (Box::new(TaintTolerationScore), 3),
                    (Box::new(NodeAffinityScore), 2),
                    (Box::new(PodTopologySpreadScore), 2),
                    (Box::new(LeastAllocated), 1),
                    (Box::new(BalancedAllocation), 1),
                ],
            );
            p.percentage_of_nodes_to_score = Some(0);
            Box::new(p)
        }
        "least-allocated" => indexed(profile(vec![(Box::new(LeastAllocated), 1)]), Rule::Score),
        "most-allocated" => indexed(profile(vec![(Box::new(MostAllocated), 1)]), Rule::Score),
        "balanced" => profile(vec![(Box::new(BalancedAllocation), 1)]),
        "first-fit" => indexed(
            Box::new(FirstFit {
                filters: default_filters(),
            }),
            Rule::FirstFit,
        ),
        "best-fit" => indexed(
            Box::new(BestFit {
                filters: default_filters(),
            }),
            Rule::BestFit,
        ),
        "worst-fit" => indexed(
            Box::new(WorstFit {
                filters: default_filters(),
            }),
            Rule::WorstFit,
        ),
        "dot-product" => Box::new(DotProduct {
            filters: default_filters(),
        }),
        "random" => Box::new(RandomFit {
            filters: default_filters(),
            rng: stream(cx.seed, "scheduler/random"),
        }),
        "power-of-two" => Box::new(PowerOfTwo {
            filters: default_filters(),
            rng: stream(cx.seed, "scheduler/power-of-two"),
        }),
        _ => return Err(unknown_policy_message(name)),
    };
    Ok(policy)
}

/// "unknown policy 'x', expected one of …; did you mean …?"
pub fn unknown_policy_message(name: &str) -> String {
    unknown_message("policy", name, POLICY_NAMES)
}

fn unknown_message(what: &str, name: &str, known: &[&str]) -> String {
    let mut msg = format!(
        "unknown {what} '{name}', expected one of {}",
        known.join(", ")
    );
    if let Some(s) = did_you_mean(name, known.iter().copied()) {
        msg.push_str(&format!("; did you mean '{s}'?"));
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_registered_name_builds() {
        let cx = PolicyContext { seed: 1 };
        for name in POLICY_NAMES {
            assert_eq!(build_named_policy(name, cx).unwrap().name(), *name);
        }
        for name in FILTER_NAMES {
            assert_eq!(filter_plugin(name).unwrap().name(), *name);
        }
        for name in SCORE_NAMES {
            assert_eq!(score_plugin(name).unwrap().name(), *name);
        }
    }

    #[test]
    fn unknown_names_suggest_the_closest() {
        let e = build_named_policy("frist-fit", PolicyContext { seed: 1 })
            .err()
            .unwrap();
        assert!(e.ends_with("did you mean 'first-fit'?"), "{e}");
        let e = score_plugin("MostAlocated").err().unwrap();
        assert!(e.starts_with("unknown score plugin 'MostAlocated'"), "{e}");
        assert!(e.ends_with("did you mean 'MostAllocated'?"), "{e}");
    }
}
