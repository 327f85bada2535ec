//! PodDisruptionBudgets and the eviction API (Kubernetes' `pkg/controller/disruption`).
//!
//! A budget selects one workload's pods. With `expected` the owner's scale (a Deployment's
//! replicas; for Batch and Trace pods, their live pods) and `healthy` the ready pods (running
//! pods for Batch and Trace, which have no readiness):
//! - `min_available: N` wants N healthy; `min_available: P%` wants ⌈P% × expected⌉;
//! - `max_unavailable: N` or `P%` wants expected − N (or − ⌈P% × expected⌉);
//! - disruptions allowed = max(0, healthy − wanted).
//!
//! The eviction API refuses a voluntary eviction (a drain, an upgrade) when the pod's budget
//! allows none, with Kubernetes' message. Involuntary disruptions (spot reclaims, failures,
//! outages, preemption) do not ask; they lower `healthy` like anything else.

use crate::model::{Cluster, PodId};
use crate::scenario::{DisruptionBudget, Scenario};

use super::DeploymentController;

/// Kubernetes' answer to an eviction the budget does not allow (HTTP 429).
pub const PDB_REFUSAL: &str = "Cannot evict pod as it would violate the pod's disruption budget.";

/// The budgets of the run, by workload index.
pub struct DisruptionController {
    budgets: Vec<Option<DisruptionBudget>>,
}

impl DisruptionController {
    pub fn new(scenario: &Scenario) -> Self {
        DisruptionController {
            budgets: scenario
                .workloads
                .iter()
                .map(|w| w.disruption_budget)
                .collect(),
        }
    }

    pub fn has_budgets(&self) -> bool {
        self.budgets.iter().any(Option::is_some)
    }

    /// Disruptions the budget of `pod`'s workload allows now (`None`: no budget).
    pub fn allowed(
        &self,
        cluster: &Cluster,
        deployments: &DeploymentController,
        pod: PodId,
    ) -> Option<u32> {
        self.allowed_for(cluster, deployments, cluster.pod(pod).workload as usize)
    }

    /// Disruptions each workload's budget allows now (empty when no workload has one).
    pub fn allowed_by_workload(
        &self,
        cluster: &Cluster,
        deployments: &DeploymentController,
    ) -> Vec<Option<u32>> {
        if !self.has_budgets() {
            return Vec::new();
        }
        (0..self.budgets.len())
            .map(|w| self.allowed_for(cluster, deployments, w))
            .collect()
    }

    fn allowed_for(
        &self,
        cluster: &Cluster,
        deployments: &DeploymentController,
        w: usize,
    ) -> Option<u32> {
        let budget = self.budgets.get(w).copied().flatten()?;
        let (healthy, expected) = match deployments.ready(w) {
            Some(ready) => (ready, deployments.ready_of(w).1),
            None => {
                let running = cluster.totals.running_by_workload[w];
                (running, running)
            }
        };
        Some(allowed(budget, healthy, expected))
    }
}

/// Disruptions a budget allows with `healthy` pods of `expected` (Kubernetes' rounding:
/// percentages round up against the owner's scale).
pub fn allowed(budget: DisruptionBudget, healthy: u32, expected: u32) -> u32 {
    let wanted = match budget {
        DisruptionBudget::MinAvailable(x) => x.scaled(expected, true),
        DisruptionBudget::MaxUnavailable(x) => expected.saturating_sub(x.scaled(expected, true)),
    };
    healthy.saturating_sub(wanted)
}
