//! Batch workloads and Jobs.
//!
//! A Batch workload is pods arriving as a Poisson stream, each running for a sampled time. It
//! draws from two named streams, `workload/<name>/arrivals` and `workload/<name>/run_time`, so
//! a new draw in one never shifts the other.
//!
//! A Job workload is Kubernetes' Job controller: `parallelism` pods at a time until
//! `completions` have succeeded (or, without completions, a work queue that is done once one
//! pod has succeeded and the rest have ended); `backoffLimit` failed pods fail the Job
//! (`BackoffLimitExceeded`), as does running past `activeDeadlineSeconds` (`DeadlineExceeded`),
//! and a failed Job's remaining pods are deleted. With a schedule it is a CronJob, which starts
//! one Job per firing under its concurrencyPolicy. Run times come from
//! `workload/<name>/run_time`.
//!
//! Simplification: an evicted or preempted pod is not replaced by a new pod, as Kubernetes'
//! Job controller would do: the same pod goes back to the pending queue with the work it kept
//! ([`crate::sim::Context::requeue`]). For a Job the eviction still counts as a failed pod
//! against its backoffLimit, as Kubernetes counts a disrupted pod without a podFailurePolicy.

use crate::dist::{DurationDist, exponential_gap};
use crate::engine::EventId;
use crate::model::{Pod, PodId, PodPhase, TemplateId};
use crate::rng::{SimRng, stream};
use crate::scenario::{ConcurrencyPolicy, JobSpec, Scenario, WorkloadKind};
use crate::sim::Context;
use crate::time::SimTime;

/// The job controller's events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobEvent {
    /// The next pod of a Batch workload arrives.
    Arrival { workload: u32 },
    /// A Job starts (its start time, or a CronJob's firing).
    JobStart { workload: u32 },
    /// A Job's activeDeadlineSeconds is up.
    Deadline { workload: u32, run: u32 },
}

/// How a Job ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobOutcome {
    Complete,
    BackoffLimitExceeded,
    DeadlineExceeded,
    /// A CronJob with concurrencyPolicy Replace started a newer Job.
    Replaced,
}

impl JobOutcome {
    pub fn reason(self) -> &'static str {
        match self {
            JobOutcome::Complete => "Completed",
            JobOutcome::BackoffLimitExceeded => "BackoffLimitExceeded",
            JobOutcome::DeadlineExceeded => "DeadlineExceeded",
            JobOutcome::Replaced => "Replaced",
        }
    }
}

/// One Job of a Job workload (a CronJob has one per firing).
#[derive(Clone, Debug)]
pub struct JobRun {
    pub started: SimTime,
    /// Pods created and not yet ended, in creation order.
    active: Vec<PodId>,
    pub succeeded: u32,
    pub failed: u32,
    /// When and how it ended; `None` while it runs.
    pub ended: Option<(SimTime, JobOutcome)>,
    deadline: Option<EventId>,
}

struct JobState {
    spec: JobSpec,
    runs: Vec<JobRun>,
    /// The run of each live pod.
    pod_run: std::collections::HashMap<PodId, u32>,
    submitted: u64,
    run_time_rng: SimRng,
    /// CronJob firings skipped under concurrencyPolicy Forbid.
    skipped: u64,
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
    jobs: Vec<Option<JobState>>,
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
        let jobs = scenario
            .workloads
            .iter()
            .map(|w| match &w.kind {
                WorkloadKind::Job(spec) => Some(JobState {
                    spec: (**spec).clone(),
                    runs: Vec::new(),
                    pod_run: Default::default(),
                    submitted: 0,
                    run_time_rng: stream(scenario.seed, &format!("workload/{}/run_time", w.name)),
                    skipped: 0,
                }),
                _ => None,
            })
            .collect();
        JobController { batches, jobs }
    }

    /// Time 0: the first arrival of workload `w`, or its first Job.
    pub fn start(&mut self, cx: &mut Context, w: usize) {
        if let Some(start) = self.batches[w].as_ref().map(|b| b.start) {
            self.schedule_next_arrival(cx, w, start);
        }
        if let Some(job) = self.jobs[w].as_ref() {
            let start = SimTime::ZERO + job.spec.start;
            let first = match &job.spec.schedule {
                Some(schedule) => schedule.next_at_or_after(start),
                None => Some(start),
            };
            if let Some(at) = first {
                cx.set_timer(at, JobEvent::JobStart { workload: w as u32 });
            }
        }
    }

    pub fn handle(&mut self, cx: &mut Context, event: JobEvent) {
        match event {
            JobEvent::Arrival { workload } => self.on_arrival(cx, workload as usize),
            JobEvent::JobStart { workload } => self.on_job_start(cx, workload as usize),
            JobEvent::Deadline { workload, run } => {
                let w = workload as usize;
                if self.jobs[w]
                    .as_ref()
                    .is_some_and(|j| j.runs[run as usize].ended.is_none())
                {
                    self.end_run(cx, w, run, JobOutcome::DeadlineExceeded);
                }
            }
        }
    }

    /// The Jobs of workload `w` so far (empty for other kinds).
    pub fn runs(&self, w: usize) -> &[JobRun] {
        self.jobs
            .get(w)
            .and_then(|j| j.as_ref())
            .map_or(&[], |j| j.runs.as_slice())
    }

    /// CronJob firings of workload `w` skipped under concurrencyPolicy Forbid.
    pub fn skipped(&self, w: usize) -> u64 {
        self.jobs
            .get(w)
            .and_then(|j| j.as_ref())
            .map_or(0, |j| j.skipped)
    }

    fn on_job_start(&mut self, cx: &mut Context, w: usize) {
        let now = cx.now();
        let Some(job) = self.jobs[w].as_mut() else {
            return;
        };
        if let Some(next) = job.spec.schedule.as_ref().and_then(|s| s.next_after(now)) {
            cx.set_timer(next, JobEvent::JobStart { workload: w as u32 });
        }
        let running: Vec<u32> = (0..job.runs.len() as u32)
            .filter(|&r| job.runs[r as usize].ended.is_none())
            .collect();
        if !running.is_empty() {
            match job.spec.concurrency_policy {
                ConcurrencyPolicy::Allow => {}
                ConcurrencyPolicy::Forbid => {
                    job.skipped += 1;
                    let name = &cx.scenario().workloads[w].name;
                    cx.log_named(
                        "cronjob",
                        name,
                        "JobAlreadyActive",
                        "Not starting job because prior execution is running and concurrency policy is Forbid",
                    );
                    return;
                }
                ConcurrencyPolicy::Replace => {
                    for r in running {
                        self.end_run(cx, w, r, JobOutcome::Replaced);
                    }
                }
            }
        }
        let Some(job) = self.jobs[w].as_mut() else {
            return;
        };
        let run = job.runs.len() as u32;
        let deadline = job.spec.active_deadline.map(|d| {
            cx.set_timer(
                now + d,
                JobEvent::Deadline {
                    workload: w as u32,
                    run,
                },
            )
        });
        job.runs.push(JobRun {
            started: now,
            active: Vec::new(),
            succeeded: 0,
            failed: 0,
            ended: None,
            deadline,
        });
        if job.spec.schedule.is_some() {
            let name = &cx.scenario().workloads[w].name;
            cx.log_named(
                "cronjob",
                name,
                "SuccessfulCreate",
                &format!("Created job {name}-{run}"),
            );
        }
        self.fill(cx, w, run);
    }

    /// Creates pods of Job `run` until `parallelism` are active or no more are wanted.
    fn fill(&mut self, cx: &mut Context, w: usize, run: u32) {
        let now = cx.now();
        let Some(job) = self.jobs[w].as_mut() else {
            return;
        };
        loop {
            let r = &job.runs[run as usize];
            let active = r.active.len() as u32;
            let wanted = match job.spec.completions {
                Some(c) => c.saturating_sub(r.succeeded).saturating_sub(active) > 0,
                // A work queue: no new pods once one has succeeded.
                None => r.succeeded == 0,
            };
            if !wanted || active >= job.spec.parallelism {
                break;
            }
            let ordinal = job.submitted;
            job.submitted += 1;
            let runtime = job.spec.duration.sample(&mut job.run_time_rng);
            let template = &cx.scenario().workloads[w].template;
            let pod = Pod::new(
                w,
                TemplateId(w as u32),
                ordinal,
                template.requests,
                template.priority,
                now,
                Some(runtime),
            );
            let id = cx.submit(pod);
            job.pod_run.insert(id, run);
            job.runs[run as usize].active.push(id);
        }
    }

    /// A pod of a Job ended: a success counts towards completions, anything else is a failure.
    pub fn pod_ended(&mut self, cx: &mut Context, w: usize, pod: PodId) {
        let Some(job) = self.jobs[w].as_mut() else {
            return;
        };
        let Some(run) = job.pod_run.remove(&pod) else {
            return;
        };
        let r = &mut job.runs[run as usize];
        r.active.retain(|&p| p != pod);
        if cx.cluster().pod(pod).phase == PodPhase::Succeeded {
            r.succeeded += 1;
        } else {
            r.failed += 1;
        }
        self.progress(cx, w, run);
    }

    /// A pod of a Job was evicted or preempted (and went back to the queue): a failed pod.
    pub fn pod_failed(&mut self, cx: &mut Context, w: usize, pod: PodId) {
        let Some(job) = self.jobs[w].as_mut() else {
            return;
        };
        let Some(&run) = job.pod_run.get(&pod) else {
            return;
        };
        job.runs[run as usize].failed += 1;
        self.progress(cx, w, run);
    }

    /// After a pod of `run` ended or failed: the Job fails, completes or creates more pods.
    fn progress(&mut self, cx: &mut Context, w: usize, run: u32) {
        let Some(job) = self.jobs[w].as_ref() else {
            return;
        };
        let r = &job.runs[run as usize];
        if r.failed > job.spec.backoff_limit {
            self.end_run(cx, w, run, JobOutcome::BackoffLimitExceeded);
            return;
        }
        let complete = match job.spec.completions {
            Some(c) => r.succeeded >= c,
            None => r.succeeded > 0 && r.active.is_empty(),
        };
        if complete {
            self.end_run(cx, w, run, JobOutcome::Complete);
        } else {
            self.fill(cx, w, run);
        }
    }

    /// Ends Job `run`, deleting its remaining pods, and logs the Job condition's reason.
    fn end_run(&mut self, cx: &mut Context, w: usize, run: u32, outcome: JobOutcome) {
        let now = cx.now();
        let Some(job) = self.jobs[w].as_mut() else {
            return;
        };
        let r = &mut job.runs[run as usize];
        r.ended = Some((now, outcome));
        if let Some(timer) = r.deadline.take() {
            cx.cancel_timer(timer);
        }
        let pods = std::mem::take(&mut r.active);
        for &p in &pods {
            job.pod_run.remove(&p);
        }
        let message = match outcome {
            JobOutcome::Complete => "Job completed".to_string(),
            JobOutcome::BackoffLimitExceeded => {
                "Job has reached the specified backoff limit".into()
            }
            JobOutcome::DeadlineExceeded => "Job was active longer than specified deadline".into(),
            JobOutcome::Replaced => {
                "Job was replaced by a newer one (concurrencyPolicy Replace)".into()
            }
        };
        for p in pods {
            cx.delete_pod(p, outcome.reason());
        }
        let name = cx.scenario().workloads[w].name.clone();
        let job_name = if job.spec.schedule.is_some() {
            format!("{name}-{run}")
        } else {
            name
        };
        cx.log_named("job", &job_name, outcome.reason(), &message);
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

#[cfg(test)]
mod tests {
    use crate::scenario::load_str;
    use crate::sim::{RunOptions, run};

    /// Runs one Job workload (`job` is its kind-specific YAML, indented by four) on `nodes`
    /// nodes of 4 cpu and returns its `jobs.<name>` summary.
    fn job_summary(nodes: u32, job: &str, extra_pool: &str) -> serde_json::Value {
        let text = format!(
            "name: t\nduration: 6h\ncluster:\n  pools:\n    - name: general\n      node: {{cpu: 4, memory: 16Gi}}\n      count: {nodes}\n{extra_pool}workloads:\n  - name: j\n    kind: Job\n    requests: {{cpu: 1, memory: 1Gi}}\n{job}"
        );
        let s = load_str(&text, "t.yaml", None, &[]).unwrap_or_else(|e| panic!("{e}\n{text}"));
        let r = run(&s, RunOptions::default()).unwrap();
        r.summary["jobs"]["j"].clone()
    }

    /// (job fields, nodes, jobs started, completed, failures by reason, mean duration, pods
    /// succeeded).
    type Case<'a> = (&'a str, u32, u64, u64, [u64; 3], Option<f64>, u64);

    #[test]
    fn jobs_follow_kubernetes_job_semantics() {
        // (job fields, nodes, jobs started, completed, failures by reason [backoff, deadline,
        // replaced], mean duration of completed Jobs in s, pods succeeded)
        let cases: &[Case] = &[
            // Defaults: parallelism 1, completions unset (a work queue): one pod, 10m.
            ("    duration: 10m\n", 1, 1, 1, [0, 0, 0], Some(600.0), 1),
            // 10 completions, 3 at a time, 10m each: waves of 3, 3, 3, 1 → 40m.
            (
                "    duration: 10m\n    parallelism: 3\n    completions: 10\n",
                1,
                1,
                1,
                [0, 0, 0],
                Some(2400.0),
                10,
            ),
            // Parallelism above what fits: 4 cpu of 1-cpu pods run at once, 8 completions
            // in two waves → 20m even with parallelism 8.
            (
                "    duration: 10m\n    parallelism: 8\n    completions: 8\n",
                1,
                1,
                1,
                [0, 0, 0],
                Some(1200.0),
                8,
            ),
            // A work queue with parallelism 3: all three start; once one succeeds no new
            // pod is made, and the Job completes when the other two end: 10m.
            (
                "    duration: 10m\n    parallelism: 3\n",
                1,
                1,
                1,
                [0, 0, 0],
                Some(600.0),
                3,
            ),
            // activeDeadlineSeconds: 3 completions of 30m one at a time need 90m; the deadline
            // of 70m fails the Job with 2 succeeded (at 30m and 60m).
            (
                "    duration: 30m\n    completions: 3\n    active_deadline: 70m\n",
                1,
                1,
                0,
                [0, 1, 0],
                None,
                2,
            ),
            // A CronJob every hour from 0h to 6h: 7 Jobs of one 10m pod; the one started at
            // the end (6h) is still running.
            (
                "    duration: 10m\n    schedule: '0 * * * *'\n",
                1,
                7,
                6,
                [0, 0, 0],
                Some(600.0),
                6,
            ),
            // 90m Jobs every hour under Forbid: fire at 0h, skip 1h, fire at 2h (the first
            // ended at 1h30m), ... → Jobs at 0, 2, 4, 6h; 3 complete (the last runs at the end).
            (
                "    duration: 90m\n    schedule: '@hourly'\n    concurrency_policy: Forbid\n",
                1,
                4,
                3,
                [0, 0, 0],
                Some(5400.0),
                3,
            ),
            // Replace: each firing fails the running Job: 6 replaced, the last still running.
            (
                "    duration: 90m\n    schedule: '@hourly'\n    concurrency_policy: Replace\n",
                1,
                7,
                0,
                [0, 0, 6],
                None,
                0,
            ),
            // Allow: Jobs overlap; 7 start, each takes 90m, the ones from 0h to 4h complete.
            (
                "    duration: 90m\n    schedule: '@hourly'\n",
                1,
                7,
                5,
                [0, 0, 0],
                Some(5400.0),
                5,
            ),
        ];
        for (i, &(fields, nodes, jobs, completed, failed, duration, pods)) in
            cases.iter().enumerate()
        {
            let s = job_summary(nodes, fields, "");
            assert_eq!(s["jobs"], jobs, "case {i}: {s}");
            assert_eq!(s["completed"], completed, "case {i}: {s}");
            assert_eq!(
                s["failed"]["BackoffLimitExceeded"], failed[0],
                "case {i}: {s}"
            );
            assert_eq!(s["failed"]["DeadlineExceeded"], failed[1], "case {i}: {s}");
            assert_eq!(s["failed"]["Replaced"], failed[2], "case {i}: {s}");
            match duration {
                Some(d) => assert_eq!(s["duration_s"]["mean"], d, "case {i}: {s}"),
                None => assert!(s.get("duration_s").is_none(), "case {i}: {s}"),
            }
            assert_eq!(s["pods_succeeded"], pods, "case {i}: {s}");
        }
        // Forbid counts its skipped firings: 1h, 3h, 5h.
        let s = job_summary(
            1,
            "    duration: 90m\n    schedule: '@hourly'\n    concurrency_policy: Forbid\n",
            "",
        );
        assert_eq!(s["skipped"], 3);
    }

    #[test]
    fn evictions_count_against_the_backoff_limit() {
        // The Job's pods run only on spot nodes reclaimed every few minutes; each eviction
        // is a failed pod, so a backoffLimit of 2 fails the Job at its third eviction.
        let spot = "    - name: spot\n      capacity_type: spot\n      node: {cpu: 4, memory: 16Gi}\n      count: 1\n      labels: {lifecycle: spot}\n      interruption: {mean_time_between: 5m}\n";
        let s = job_summary(
            0,
            "    duration: 2h\n    backoff_limit: 2\n    node_selector: {lifecycle: spot}\n",
            spot,
        );
        assert_eq!(s["failed"]["BackoffLimitExceeded"], 1, "{s}");
        assert_eq!(s["pods_failed"], 3, "{s}");
        assert_eq!(s["completed"], 0, "{s}");
    }
}
