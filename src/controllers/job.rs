//! Batch workloads: pods arriving as a Poisson stream, each running for a sampled time.
//!
//! Each Batch workload draws from two named streams, `workload/<name>/arrivals` and
//! `workload/<name>/run_time`, so a new draw in one never shifts the other. An evicted batch
//! pod is not replaced by a new pod, as Kubernetes' Job controller would do: the same pod goes
//! back to the pending queue with the work it kept ([`crate::sim::Context::requeue`]).

use crate::dist::{DurationDist, exponential_gap};
use crate::model::{Pod, TemplateId};
use crate::rng::{SimRng, stream};
use crate::scenario::{Scenario, WorkloadKind};
use crate::sim::Context;
use crate::time::SimTime;

/// The job controller's events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobEvent {
    /// The next pod of a Batch workload arrives.
    Arrival { workload: u32 },
}

struct BatchState {
    poisson_per_hour: f64,
    limit: Option<u64>,
    start: SimTime,
    run_time: DurationDist,
    submitted: u64,
    arrivals_rng: SimRng,
    run_time_rng: SimRng,
}

/// Every Batch workload's arrival process, by workload index (`None` for other kinds).
pub struct JobController {
    batches: Vec<Option<BatchState>>,
}

impl JobController {
    pub fn new(scenario: &Scenario) -> Self {
        let batches = scenario
            .workloads
            .iter()
            .map(|w| match &w.kind {
                WorkloadKind::Batch {
                    poisson_per_hour,
                    limit,
                    duration,
                    start,
                } => {
                    let rng =
                        |what: &str| stream(scenario.seed, &format!("workload/{}/{what}", w.name));
                    Some(BatchState {
                        poisson_per_hour: *poisson_per_hour,
                        limit: *limit,
                        start: SimTime::ZERO + *start,
                        run_time: duration.clone(),
                        submitted: 0,
                        arrivals_rng: rng("arrivals"),
                        run_time_rng: rng("run_time"),
                    })
                }
                _ => None,
            })
            .collect();
        JobController { batches }
    }

    /// Time 0: the first arrival of workload `w`.
    pub fn start(&mut self, cx: &mut Context, w: usize) {
        if let Some(start) = self.batches[w].as_ref().map(|b| b.start) {
            self.schedule_next_arrival(cx, w, start);
        }
    }

    pub fn handle(&mut self, cx: &mut Context, event: JobEvent) {
        match event {
            JobEvent::Arrival { workload } => self.on_arrival(cx, workload as usize),
        }
    }

    fn schedule_next_arrival(&mut self, cx: &mut Context, w: usize, after: SimTime) {
        let Some(b) = self.batches[w].as_mut() else {
            return;
        };
        if b.limit.is_some_and(|l| b.submitted >= l) {
            return;
        }
        let gap = exponential_gap(&mut b.arrivals_rng, b.poisson_per_hour);
        cx.set_timer(after + gap, JobEvent::Arrival { workload: w as u32 });
    }

    fn on_arrival(&mut self, cx: &mut Context, w: usize) {
        let Some(b) = self.batches[w].as_mut() else {
            return;
        };
        let ordinal = b.submitted;
        b.submitted += 1;
        let run = b.run_time.sample(&mut b.run_time_rng);
        let now = cx.now();
        let template = &cx.scenario().workloads[w].template;
        let pod = Pod::new(
            w,
            TemplateId(w as u32),
            ordinal,
            template.requests,
            template.priority,
            now,
            Some(run),
        );
        cx.submit(pod);
        self.schedule_next_arrival(cx, w, now);
    }
}
