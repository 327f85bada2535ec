//! The HorizontalPodAutoscaler: sets a Deployment's replicas from its pods' cpu utilization,
//! as Kubernetes' controller does (`pkg/controller/podautoscaler/horizontal.go` and
//! `replica_calculator.go`, 1.33).
//!
//! # Rules
//! 1. Every `sync_period` (15 s), starting one period in, the HPA reads the Deployment's
//!    `spec.replicas` (current) and its pods. Current outside `[min, max]` is brought to the
//!    bound at once, without the policies.
//! 2. Utilization is measured on ready pods only: `floor(100 × rps ÷ (ready × per_pod))` percent
//!    of their cpu request (Kubernetes sums integer millicores; the load model gives each
//!    ready pod an equal share of the requests). The load is read `metrics_delay` ago. With no
//!    ready pod there is no metric and the HPA does nothing (`FailedGetResourceMetric`).
//! 3. ratio = utilization ÷ target. Pending and not-ready pods are set aside; if the ratio is
//!    above 1 and there are such pods, they count as using 0% and the ratio is recomputed over
//!    all pods; a recomputed ratio that crosses 1 or falls inside the tolerance changes
//!    nothing. Otherwise: nothing inside the tolerance (|1 − ratio| ≤ 0.1), else
//!    desired = ⌈ratio × pods measured⌉.
//! 4. With a `behavior` (any, even `{}`: Kubernetes fills the rest from the default policies):
//!    - stabilization: the recommendation is the current count brought within [lowest
//!      recommendation of the scale-up window, highest of the scale-down window] (windows
//!      exclude their oldest instant);
//!    - rate: scaling up is limited to the policy (per `select_policy`) computed from the
//!      replicas at the start of each policy's period (current − added + removed within
//!      it), Percent rounding up; scaling down likewise, Percent rounding down; then
//!      `[min, max]`.
//! 5. Without a `behavior` Kubernetes keeps its older rules (`normalizeDesiredReplicas`): the
//!    highest recommendation of the last 5 minutes (inclusive), then at most
//!    max(2 × current, 4) up and `[min, max]`; no other limit.
//! 6. The first sync records the current count as a recommendation, so nothing scales down
//!    in the first scale-down window.
//! 7. A change is written to the Deployment's scale (`SuccessfulRescale`), which scales its
//!    ReplicaSet: new pods go through the scheduler like any pod.

use crate::controllers::DeploymentController;
use crate::metrics::Observation;
use crate::scenario::{
    HpaSpec, LoadSpec, PolicyKind, ScalingRules, Scenario, SelectPolicy, WorkloadKind,
};
use crate::sim::Context;
use crate::time::SimTime;

/// The HPA's events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HpaEvent {
    /// A sync of the HPA of workload `workload`.
    Sync { workload: u32 },
}

/// What an HPA sees of its Deployment at a sync.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Observed {
    /// `spec.replicas`.
    pub current: u32,
    /// Ready pods (they have a metric).
    pub ready: u32,
    /// Pending or not-ready pods.
    pub unready: u32,
    /// Requests per second of the Deployment's load.
    pub rps: f64,
    pub per_pod: f64,
}

/// One HPA's memory between syncs.
#[derive(Clone, Debug)]
pub struct HpaState {
    pub spec: HpaSpec,
    /// Unstabilized recommendations by time.
    recommendations: Vec<(SimTime, u32)>,
    /// Replicas added (up) and removed (down) by past rescales, by time.
    up_events: Vec<(SimTime, u32)>,
    down_events: Vec<(SimTime, u32)>,
}

/// What one sync decided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// No metric (no ready pod): nothing happens.
    NoMetrics,
    /// Keep the current count.
    Keep,
    /// Rescale to `to`, for `reason`.
    Rescale { to: u32, reason: &'static str },
}

impl HpaState {
    pub fn new(spec: HpaSpec) -> Self {
        HpaState {
            spec,
            recommendations: Vec::new(),
            up_events: Vec::new(),
            down_events: Vec::new(),
        }
    }

    /// One reconcile at `now` (rules 1–5); records what Kubernetes records.
    pub fn sync(&mut self, now: SimTime, seen: Observed) -> Decision {
        let current = seen.current;
        if self.recommendations.is_empty() {
            self.recommendations.push((now, current));
        }
        if current == 0 {
            // Scaling is disabled while the target has no replicas (minReplicas ≥ 1).
            return Decision::Keep;
        }
        let (min, max) = (self.spec.min_replicas, self.spec.max_replicas);
        let (desired, reason) = if current > max {
            (max, "Current number of replicas above Spec.MaxReplicas")
        } else if current < min {
            (min, "Current number of replicas below Spec.MinReplicas")
        } else {
            let Some(metric) = replicas_for_cpu(&self.spec, seen) else {
                return Decision::NoMetrics;
            };
            let reason = if metric > current {
                "cpu resource utilization (percentage of request) above target"
            } else {
                "All metrics below target"
            };
            let desired = if self.spec.behavior {
                let stabilized = self.stabilize(now, current, metric);
                self.rate_limit(now, current, stabilized)
            } else {
                let stabilized = self.stabilize_legacy(now, metric);
                legacy_limit(current, stabilized, min, max)
            };
            (desired, reason)
        };
        if desired == current {
            return Decision::Keep;
        }
        self.store_scale_event(now, current, desired);
        Decision::Rescale {
            to: desired,
            reason,
        }
    }

    /// Rule 4 (`stabilizeRecommendationWithBehaviors`).
    fn stabilize(&mut self, now: SimTime, current: u32, desired: u32) -> u32 {
        let up_window = self.spec.scale_up.stabilization_window;
        let down_window = self.spec.scale_down.stabilization_window;
        let within = |t: SimTime, w: crate::time::SimDuration| t.0 + w.0 > now.0;
        let mut up = desired;
        let mut down = desired;
        for &(t, r) in &self.recommendations {
            if within(t, up_window) {
                up = up.min(r);
            }
            if within(t, down_window) {
                down = down.max(r);
            }
        }
        let longest = up_window.max(down_window);
        self.recommendations.retain(|&(t, _)| within(t, longest));
        self.recommendations.push((now, desired));
        current.max(up).min(down)
    }

    /// Rule 5 (`stabilizeRecommendation`): the highest recommendation of the scale-down
    /// window, its oldest instant included.
    fn stabilize_legacy(&mut self, now: SimTime, desired: u32) -> u32 {
        let window = self.spec.scale_down.stabilization_window;
        let within = |t: SimTime| t.0 + window.0 >= now.0;
        self.recommendations.retain(|&(t, _)| within(t));
        let highest = self.recommendations.iter().map(|&(_, r)| r).max();
        self.recommendations.push((now, desired));
        highest.map_or(desired, |h| h.max(desired))
    }

    /// Rule 4 (`convertDesiredReplicasWithBehaviorRate`).
    fn rate_limit(&self, now: SimTime, current: u32, desired: u32) -> u32 {
        let (min, max) = (self.spec.min_replicas, self.spec.max_replicas);
        if desired > current {
            let limit = scale_up_limit(
                current,
                now,
                &self.up_events,
                &self.down_events,
                &self.spec.scale_up,
            )
            .max(current);
            desired.min(max.min(limit))
        } else if desired < current {
            let limit = scale_down_limit(
                current,
                now,
                &self.up_events,
                &self.down_events,
                &self.spec.scale_down,
            )
            .min(current);
            desired.max(min.max(limit))
        } else {
            desired
        }
    }

    fn store_scale_event(&mut self, now: SimTime, from: u32, to: u32) {
        if !self.spec.behavior {
            // Kubernetes keeps no scale events without a behavior (nothing reads them).
            return;
        }
        let (events, rules) = if to > from {
            (&mut self.up_events, &self.spec.scale_up)
        } else {
            (&mut self.down_events, &self.spec.scale_down)
        };
        let longest = rules.policies.iter().map(|p| p.period).max();
        if let Some(longest) = longest {
            events.retain(|&(t, _)| t.0 + longest.0 > now.0);
        }
        events.push((now, to.abs_diff(from)));
    }
}

/// Rule 5 (`convertDesiredReplicasWithRules`): at most max(2 × current, 4) up, then
/// `[min, max]`.
pub fn legacy_limit(current: u32, desired: u32, min: u32, max: u32) -> u32 {
    let scale_up_limit = (2.0 * f64::from(current)).max(4.0) as u32;
    let maximum = max.min(scale_up_limit);
    if desired < min {
        min
    } else if desired > maximum {
        maximum
    } else {
        desired
    }
}

/// Rules 2–3 (`GetResourceReplicas`): the replica count the cpu metric asks for, or `None`
/// without a metric.
pub fn replicas_for_cpu(spec: &HpaSpec, seen: Observed) -> Option<u32> {
    if seen.ready == 0 {
        return None;
    }
    let target = f64::from(spec.target_cpu_utilization);
    let tolerance = spec.tolerance;
    let utilization = utilization_percent(seen.rps, seen.per_pod, seen.ready);
    let ratio = utilization as f64 / target;
    let scale_up_with_unready = seen.unready > 0 && ratio > 1.0;
    if !scale_up_with_unready {
        if (1.0 - ratio).abs() <= tolerance {
            return Some(seen.current);
        }
        return Some(ceil_u32(ratio * f64::from(seen.ready)));
    }
    // Unready pods count as using nothing.
    let all = seen.ready + seen.unready;
    let new_ratio = utilization_percent(seen.rps, seen.per_pod, all) as f64 / target;
    if (1.0 - new_ratio).abs() <= tolerance || new_ratio < 1.0 {
        return Some(seen.current);
    }
    let new_replicas = ceil_u32(new_ratio * f64::from(all));
    if new_replicas < seen.current {
        return Some(seen.current);
    }
    Some(new_replicas)
}

/// Mean utilization in whole percent of `pods` pods' cpu request when they share `rps`.
/// Kubernetes truncates (`metricsTotal * 100 / requestsTotal` in integers); the small epsilon
/// keeps an exact quotient such as 60 from reading as 59.999….
fn utilization_percent(rps: f64, per_pod: f64, pods: u32) -> u64 {
    let pct = 100.0 * rps.max(0.0) / (f64::from(pods) * per_pod);
    (pct + 1e-9).floor().min(u32::MAX as f64) as u64
}

fn ceil_u32(x: f64) -> u32 {
    x.ceil().clamp(0.0, u32::MAX as f64) as u32
}

/// Replicas changed by `events` within `period` before `now` (the window excludes its start).
fn change_within(events: &[(SimTime, u32)], now: SimTime, period: crate::time::SimDuration) -> i64 {
    events
        .iter()
        .filter(|&&(t, _)| t.0 + period.0 > now.0)
        .map(|&(_, n)| i64::from(n))
        .sum()
}

/// `calculateScaleUpLimitWithScalingRules`.
pub fn scale_up_limit(
    current: u32,
    now: SimTime,
    up: &[(SimTime, u32)],
    down: &[(SimTime, u32)],
    rules: &ScalingRules,
) -> u32 {
    policy_limit(current, now, up, down, rules, true)
}

/// `calculateScaleDownLimitWithBehaviors`.
pub fn scale_down_limit(
    current: u32,
    now: SimTime,
    up: &[(SimTime, u32)],
    down: &[(SimTime, u32)],
    rules: &ScalingRules,
) -> u32 {
    policy_limit(current, now, up, down, rules, false)
}

/// The limit the policies of `rules` put on scaling up (or down) from `current`: each policy
/// proposes a count from the replicas at the start of its period, and `select_policy` takes
/// the largest change (`Max`) or the smallest (`Min`). Percent rounds up when scaling up and
/// truncates when scaling down, as Kubernetes does.
fn policy_limit(
    current: u32,
    now: SimTime,
    up: &[(SimTime, u32)],
    down: &[(SimTime, u32)],
    rules: &ScalingRules,
    scaling_up: bool,
) -> u32 {
    let largest_change = match rules.select_policy {
        SelectPolicy::Disabled => return current,
        SelectPolicy::Max => true,
        SelectPolicy::Min => false,
    };
    // Scaling up, the largest change is the largest count; scaling down, the smallest.
    let select: fn(i64, i64) -> i64 = if largest_change == scaling_up {
        i64::max
    } else {
        i64::min
    };
    let mut result: Option<i64> = None;
    for p in &rules.policies {
        let start = i64::from(current) - change_within(up, now, p.period)
            + change_within(down, now, p.period);
        let value = i64::from(p.value);
        let proposed = match (p.kind, scaling_up) {
            (PolicyKind::Pods, true) => start + value,
            (PolicyKind::Pods, false) => start - value,
            (PolicyKind::Percent, true) => {
                (start as f64 * (1.0 + f64::from(p.value) / 100.0)).ceil() as i64
            }
            (PolicyKind::Percent, false) => {
                (start as f64 * (1.0 - f64::from(p.value) / 100.0)) as i64
            }
        };
        result = Some(result.map_or(proposed, |r| select(r, proposed)));
    }
    result
        .unwrap_or(i64::from(current))
        .clamp(0, i64::from(u32::MAX)) as u32
}

/// Every HPA of a run, by workload index.
pub struct HpaController {
    hpas: Vec<Option<(HpaState, LoadSpec)>>,
}

impl HpaController {
    pub fn new(scenario: &Scenario) -> Self {
        let hpas = scenario
            .workloads
            .iter()
            .map(|w| match &w.kind {
                WorkloadKind::Deployment(d) => match (&d.autoscaling, &d.load) {
                    (Some(h), Some(load)) => Some((HpaState::new(h.clone()), load.clone())),
                    _ => None,
                },
                _ => None,
            })
            .collect();
        HpaController { hpas }
    }

    /// Time 0: each HPA's first sync is one period in.
    pub fn start(&mut self, cx: &mut Context) {
        for (w, h) in self.hpas.iter().enumerate() {
            if let Some((state, _)) = h {
                let at = cx.now() + state.spec.sync_period;
                cx.set_timer(at, HpaEvent::Sync { workload: w as u32 });
            }
        }
    }

    /// True if workload `w` has an HPA.
    pub fn autoscaled(&self, w: usize) -> bool {
        self.hpas.get(w).is_some_and(Option::is_some)
    }

    pub fn handle(
        &mut self,
        cx: &mut Context,
        deployments: &mut DeploymentController,
        e: HpaEvent,
    ) {
        let HpaEvent::Sync { workload } = e;
        let w = workload as usize;
        let Some((state, load)) = self.hpas[w].as_mut() else {
            return;
        };
        let now = cx.now();
        cx.set_timer(now + state.spec.sync_period, e);
        let seen_at = SimTime(now.0.saturating_sub(state.spec.metrics_delay.0));
        let (ready, current) = deployments.ready_of(w);
        let live = deployments.live_pods(w);
        let seen = Observed {
            current,
            ready,
            unready: live.saturating_sub(ready),
            rps: load.requests_per_second.rps_at(seen_at),
            per_pod: load.per_pod,
        };
        let name = &cx.scenario().workloads[w].name;
        match state.sync(now, seen) {
            Decision::NoMetrics => {
                if cx.logging() {
                    cx.log_named(
                        "hpa",
                        name,
                        "FailedGetResourceMetric",
                        "failed to get cpu utilization: did not receive metrics for targeted \
                         pods (pods might be unready)",
                    );
                }
            }
            Decision::Keep => {}
            Decision::Rescale { to, reason } => {
                if cx.logging() {
                    let message = format!("New size: {to}; reason: {reason}");
                    cx.log_named("hpa", name, "SuccessfulRescale", &message);
                }
                cx.observe(Observation::Rescaled {
                    workload: w,
                    replicas: to,
                });
                deployments.set_replicas(cx, w, to);
            }
        }
    }
}

#[cfg(test)]
mod tests;
