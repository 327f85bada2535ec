//! Workloads at run time: where pods come from and what happens when they end.
//!
//! - `Batch`: a Poisson stream of pods, each running for a sampled time.
//! - `Deployment`: `replicas` long-running pods; a pod that fails or is evicted is replaced by
//!   a new pending pod, as a ReplicaSet does.
//! - `Trace`: pods replayed from a CSV file.

use crate::dist::DurationDist;
use crate::rng::{SimRng, stream};
use crate::scenario::{Scenario, WorkloadKind};

/// Per-workload run-time state. Each random quantity has its own named stream, so adding a draw
/// to one never shifts another (`workload/<name>/arrivals`, `.../run_time`, `.../startup`).
// One value per workload, so the size difference between kinds costs nothing worth boxing for.
#[allow(clippy::large_enum_variant)]
pub enum WorkloadState {
    Batch {
        poisson_per_hour: f64,
        limit: Option<u64>,
        run_time: DurationDist,
        submitted: u64,
        arrivals_rng: SimRng,
        run_time_rng: SimRng,
    },
    Deployment {
        replicas: u32,
        startup: Option<DurationDist>,
        startup_rng: SimRng,
        /// Pods created so far (names the next one).
        created: u64,
        /// Pods not yet in a terminal phase.
        live: u32,
        /// Pods that count as ready.
        ready: u32,
        /// Milliseconds with ready ≥ replicas.
        available_ms: u64,
    },
    Trace {
        /// Index of the next row to submit.
        next_row: usize,
    },
}

impl WorkloadState {
    pub fn for_scenario(scenario: &Scenario) -> Vec<WorkloadState> {
        scenario
            .workloads
            .iter()
            .map(|w| {
                let rng =
                    |what: &str| stream(scenario.seed, &format!("workload/{}/{what}", w.name));
                match &w.kind {
                    WorkloadKind::Batch {
                        poisson_per_hour,
                        limit,
                        duration,
                        ..
                    } => WorkloadState::Batch {
                        poisson_per_hour: *poisson_per_hour,
                        limit: *limit,
                        run_time: duration.clone(),
                        submitted: 0,
                        arrivals_rng: rng("arrivals"),
                        run_time_rng: rng("run_time"),
                    },
                    WorkloadKind::Deployment { replicas, startup } => WorkloadState::Deployment {
                        replicas: *replicas,
                        startup: startup.clone(),
                        startup_rng: rng("startup"),
                        created: 0,
                        live: 0,
                        ready: 0,
                        available_ms: 0,
                    },
                    WorkloadKind::Trace { .. } => WorkloadState::Trace { next_row: 0 },
                }
            })
            .collect()
    }

    /// For Deployments: whether ready replicas meet the desired count.
    pub fn is_available(&self) -> Option<bool> {
        match self {
            WorkloadState::Deployment {
                replicas, ready, ..
            } => Some(*ready >= *replicas),
            _ => None,
        }
    }
}
