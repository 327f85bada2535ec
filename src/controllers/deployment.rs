//! Deployments: one ReplicaSet per revision, rolled from one revision to the next as
//! Kubernetes' deployment controller does (`pkg/controller/deployment/rolling.go`,
//! `recreate.go`, `util/deployment_util.go`).
//!
//! # Rules
//! 1. A ReplicaSet keeps as many live pods as its desired `replicas`: it creates pods when it
//!    has fewer (a lost pod is replaced at once) and deletes the least valuable when it has more
//!    (pending first, then not ready, then ready for the shortest time, newest first).
//! 2. RollingUpdate: `surge` = max_surge of replicas rounded up, `unavailable` = max_unavailable
//!    rounded down (both 0 ⇒ unavailable 1). The new ReplicaSet grows while the desired pods of
//!    all ReplicaSets stay ≤ replicas + surge; the old ones shrink, unavailable pods first,
//!    oldest ReplicaSet first, while available pods stay ≥ replicas − unavailable. Each sync
//!    repeats until nothing changes (Kubernetes resyncs on every ReplicaSet update).
//! 3. Recreate: every old ReplicaSet goes to 0 first; the new one scales up once no old pod is
//!    left.
//! 4. A pod is available once it has been ready for `min_ready` (minReadySeconds).
//! 5. Progress is any change in the new ReplicaSet's size or available pods, or a shrinking old
//!    one. A rollout without progress for `progress_deadline` is marked failed
//!    (`ProgressDeadlineExceeded`) and, with `halt`, stays where it is; with `rollback` it is
//!    undone at once. A rollout completes when the new ReplicaSet has all replicas available
//!    and no old pod is left (`NewReplicaSetAvailable`).
//! 6. A new rollout during a rollout supersedes it: the ReplicaSet being rolled to becomes an
//!    old one. `rollback` (`kubectl rollout undo`) makes the previous revision's ReplicaSet
//!    the new one again, pods and all.
//!
//! Simplification: deleting a pod frees its node at once (no termination grace period).

use std::collections::BTreeSet;

use rand::RngExt;

use crate::metrics::Observation;
use crate::model::{Pod, PodId, PodPhase, TemplateId};
use crate::quantity::Resources;
use crate::rng::{SimRng, stream};
use crate::scenario::{DeadlineAction, DeploymentSpec, DeploymentStrategy, Scenario, WorkloadKind};
use crate::sim::Context;
use crate::time::SimTime;

/// The deployment controller's events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeploymentEvent {
    /// A pod may have been ready for its Deployment's minReadySeconds.
    PodAvailable { pod: PodId, incarnation: u32 },
    /// A rollout's progress deadline may have run out.
    ProgressCheck { workload: u32, rollout: u32 },
}

/// How a pod ended or lost readiness, as its owner needs to know.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PodLoss {
    pub was_ready: bool,
    pub was_available: bool,
}

struct ReplicaSet {
    /// `<deployment>-v<k>`, k counting the Deployment's ReplicaSets from 1.
    name: String,
    requests: Resources,
    /// Probability that a new pod passes readiness.
    healthy: f64,
    /// When its revision was rolled out: the data its pods serve.
    created: SimTime,
    /// Desired pods.
    replicas: u32,
    /// Live pods (pending or running), by id (creation order).
    pods: BTreeSet<PodId>,
    ready: u32,
    available: u32,
}

struct Rollout {
    id: u32,
    started: SimTime,
    last_progress: SimTime,
    /// (new replicas, new available, old replicas) at the last progress.
    signature: (u32, u32, u32),
    failed: bool,
}

struct DeploymentState {
    /// The workload index.
    workload: usize,
    name: String,
    spec: DeploymentSpec,
    priority: i32,
    replicas: u32,
    sets: Vec<ReplicaSet>,
    /// ReplicaSets in revision order; the last is the new one.
    history: Vec<usize>,
    created: u64,
    ready: u32,
    rollout: Option<Rollout>,
    rollouts: u32,
    health_rng: SimRng,
}

impl DeploymentState {
    fn current(&self) -> usize {
        *self.history.last().expect("a Deployment has a ReplicaSet")
    }

    fn old_replicas(&self) -> u32 {
        let cur = self.current();
        (0..self.sets.len())
            .filter(|&i| i != cur)
            .map(|i| self.sets[i].replicas)
            .sum()
    }

    fn old_pods(&self) -> usize {
        let cur = self.current();
        (0..self.sets.len())
            .filter(|&i| i != cur)
            .map(|i| self.sets[i].pods.len())
            .sum()
    }

    fn total_replicas(&self) -> u32 {
        self.sets.iter().map(|s| s.replicas).sum()
    }

    fn total_available(&self) -> u32 {
        self.sets.iter().map(|s| s.available).sum()
    }

    /// Kubernetes' `ResolveFenceposts`: (surge, unavailable) for the current replicas.
    fn fenceposts(&self) -> (u32, u32) {
        match self.spec.strategy {
            DeploymentStrategy::RollingUpdate {
                max_surge,
                max_unavailable,
            } => resolve_fenceposts(max_surge, max_unavailable, self.replicas),
            DeploymentStrategy::Recreate => (0, self.replicas),
        }
    }
}

/// Kubernetes' `ResolveFenceposts`: surge rounds up, unavailable rounds down, and if both come
/// to 0, unavailable is 1.
pub fn resolve_fenceposts(
    max_surge: crate::scenario::IntOrPercent,
    max_unavailable: crate::scenario::IntOrPercent,
    replicas: u32,
) -> (u32, u32) {
    let surge = max_surge.scaled(replicas, true);
    let unavailable = max_unavailable.scaled(replicas, false);
    if surge == 0 && unavailable == 0 {
        (0, 1)
    } else {
        (surge, unavailable)
    }
}

/// Every Deployment of the run, by workload index (`None` for other kinds).
pub struct DeploymentController {
    deployments: Vec<Option<DeploymentState>>,
}

impl DeploymentController {
    pub fn new(scenario: &Scenario) -> Self {
        let deployments = scenario
            .workloads
            .iter()
            .enumerate()
            .map(|(i, w)| match &w.kind {
                WorkloadKind::Deployment(spec) => Some(DeploymentState {
                    workload: i,
                    name: w.name.clone(),
                    spec: (**spec).clone(),
                    priority: w.template.priority,
                    replicas: spec.replicas,
                    sets: vec![ReplicaSet {
                        name: format!("{}-v1", w.name),
                        requests: w.template.requests,
                        healthy: 1.0,
                        created: SimTime::ZERO,
                        replicas: 0,
                        pods: BTreeSet::new(),
                        ready: 0,
                        available: 0,
                    }],
                    history: vec![0],
                    created: 0,
                    ready: 0,
                    rollout: None,
                    rollouts: 0,
                    health_rng: stream(scenario.seed, &format!("workload/{}/health", w.name)),
                }),
                _ => None,
            })
            .collect();
        DeploymentController { deployments }
    }

    /// Time 0: the first ReplicaSet scales to `replicas`.
    pub fn start(&mut self, cx: &mut Context, w: usize) {
        let Some(d) = self.deployments[w].as_mut() else {
            return;
        };
        let replicas = d.replicas;
        scale(cx, d, 0, replicas);
    }

    pub fn handle(&mut self, cx: &mut Context, event: DeploymentEvent) {
        match event {
            DeploymentEvent::PodAvailable { pod, incarnation } => {
                let now = cx.now();
                let p = cx.cluster().pod(pod);
                let (w, rs) = (p.workload as usize, p.revision as usize);
                let Some(d) = self.deployments[w].as_mut() else {
                    return;
                };
                let due = p
                    .ready_since
                    .is_some_and(|since| since + d.spec.min_ready <= now);
                if p.incarnation != incarnation
                    || p.phase != PodPhase::Running
                    || !due
                    || p.available
                {
                    return;
                }
                cx.set_pod_available(pod);
                d.sets[rs].available += 1;
                self.sync(cx, w);
            }
            DeploymentEvent::ProgressCheck { workload, rollout } => {
                self.progress_check(cx, workload as usize, rollout)
            }
        }
    }

    /// A pod of Deployment `w` became ready.
    pub fn pod_ready(&mut self, cx: &mut Context, pod: PodId) {
        let p = cx.cluster().pod(pod);
        let (w, rs, incarnation) = (p.workload as usize, p.revision as usize, p.incarnation);
        let Some(d) = self.deployments[w].as_mut() else {
            return;
        };
        d.ready += 1;
        d.sets[rs].ready += 1;
        if d.spec.min_ready.0 == 0 {
            cx.set_pod_available(pod);
            d.sets[rs].available += 1;
        } else {
            let at = cx.now() + d.spec.min_ready;
            cx.set_timer(at, DeploymentEvent::PodAvailable { pod, incarnation });
        }
        if d.rollout.is_some() || d.old_pods() > 0 {
            self.sync(cx, w);
        } else if d.spec.ordered_ready {
            fill(cx, d, rs);
        }
    }

    /// A running pod of Deployment `w` stopped being ready.
    pub fn pod_unready(&mut self, cx: &mut Context, pod: PodId, loss: PodLoss) {
        let p = cx.cluster().pod(pod);
        let (w, rs) = (p.workload as usize, p.revision as usize);
        let Some(d) = self.deployments[w].as_mut() else {
            return;
        };
        forget_readiness(d, rs, loss);
        if d.rollout.is_some() || d.old_pods() > 0 {
            self.sync(cx, w);
        } else if d.spec.ordered_ready {
            fill(cx, d, rs);
        }
    }

    /// A pod of Deployment `w` ended in `phase` (not by the Deployment's own scale-down): one
    /// fewer live pod, and its ReplicaSet replaces it unless it succeeded.
    pub fn pod_ended(&mut self, cx: &mut Context, w: usize, pod: PodId, loss: PodLoss) {
        let Some(d) = self.deployments[w].as_mut() else {
            return;
        };
        let rs = cx.cluster().pod(pod).revision as usize;
        d.sets[rs].pods.remove(&pod);
        forget_readiness(d, rs, loss);
        if cx.cluster().pod(pod).phase != PodPhase::Succeeded {
            self.sync(cx, w);
        }
    }

    /// A new revision (`rollout` event): a new ReplicaSet with `requests` (or the current
    /// ones), whose pods pass readiness with probability `healthy`.
    pub fn rollout(
        &mut self,
        cx: &mut Context,
        w: usize,
        requests: Option<Resources>,
        healthy: f64,
    ) {
        let Some(d) = self.deployments[w].as_mut() else {
            return;
        };
        let from = d.current();
        let requests = requests.unwrap_or(d.sets[from].requests);
        let k = d.sets.len() + 1;
        d.sets.push(ReplicaSet {
            name: format!("{}-v{k}", d.name),
            requests,
            healthy,
            created: cx.now(),
            replicas: 0,
            pods: BTreeSet::new(),
            ready: 0,
            available: 0,
        });
        d.history.push(d.sets.len() - 1);
        if cx.logging() {
            let message = format!("Created new replica set \"{}\"", d.sets[k - 1].name);
            cx.log_named("deployment", &d.name, "NewReplicaSetCreated", &message);
        }
        begin_rollout(cx, w, d);
        self.sync(cx, w);
    }

    /// `kubectl rollout undo`: the previous revision's ReplicaSet becomes the new one.
    pub fn rollback(&mut self, cx: &mut Context, w: usize) {
        let Some(d) = self.deployments[w].as_mut() else {
            return;
        };
        if d.history.len() < 2 {
            cx.log_named(
                "deployment",
                &d.name,
                "DeploymentRollbackRevisionNotFound",
                "Unable to find last revision.",
            );
            return;
        }
        // The rollout being undone is rolled back, not superseded.
        if d.rollout.take().is_some() {
            cx.observe(Observation::RolledBack { workload: w });
        }
        let target = d.history[d.history.len() - 2];
        d.history.retain(|&i| i != target);
        d.history.push(target);
        if cx.logging() {
            let message = format!(
                "Rolled back deployment \"{}\" to replica set \"{}\"",
                d.name, d.sets[target].name
            );
            cx.log_named("deployment", &d.name, "DeploymentRollback", &message);
        }
        begin_rollout(cx, w, d);
        self.sync(cx, w);
    }

    fn progress_check(&mut self, cx: &mut Context, w: usize, rollout: u32) {
        let Some(d) = self.deployments[w].as_mut() else {
            return;
        };
        let Some(r) = d.rollout.as_mut() else {
            return;
        };
        if r.id != rollout || r.failed {
            return;
        }
        let due = r.last_progress + d.spec.progress_deadline;
        if cx.now() < due {
            cx.set_timer(
                due,
                DeploymentEvent::ProgressCheck {
                    workload: w as u32,
                    rollout,
                },
            );
            return;
        }
        r.failed = true;
        cx.observe(Observation::RolloutFailed { workload: w });
        if cx.logging() {
            let name = d.sets[d.current()].name.clone();
            let message = format!("ReplicaSet \"{name}\" has timed out progressing.");
            cx.log_named("deployment", &d.name, "ProgressDeadlineExceeded", &message);
        }
        if d.spec.on_progress_deadline == DeadlineAction::Rollback {
            self.rollback(cx, w);
        }
    }

    /// Reconciles Deployment `w` (rules 1–3 and 5), repeating until nothing changes.
    fn sync(&mut self, cx: &mut Context, w: usize) {
        let Some(d) = self.deployments[w].as_mut() else {
            return;
        };
        // Each round scales at least one ReplicaSet towards its goal, so this ends; the bound
        // only guards against a bug turning into a hang.
        for _ in 0..64 {
            let changed = match d.spec.strategy {
                DeploymentStrategy::Recreate => recreate_step(cx, d),
                DeploymentStrategy::RollingUpdate { .. } => rolling_step(cx, d),
            };
            if !changed {
                break;
            }
        }
        // ReplicaSets replace what they lost.
        for rs in 0..d.sets.len() {
            fill(cx, d, rs);
        }
        track_progress(cx, w, d);
    }

    /// The scale subresource: sets Deployment `w`'s desired replicas (what an autoscaler
    /// does). Outside a rollout the current ReplicaSet scales at once; during one the rolling
    /// update carries on towards the new count (Kubernetes scales the ReplicaSets of a rollout
    /// in proportion; clustersim lets the rollout's own steps absorb the change).
    pub fn set_replicas(&mut self, cx: &mut Context, w: usize, replicas: u32) {
        let Some(d) = self.deployments[w].as_mut() else {
            return;
        };
        if d.replicas == replicas {
            return;
        }
        d.replicas = replicas;
        if d.rollout.is_none() && d.old_pods() == 0 {
            let cur = d.current();
            scale(cx, d, cur, replicas);
        } else {
            self.sync(cx, w);
        }
    }

    /// Desired replicas of Deployment `w` (`spec.replicas`).
    pub fn replicas(&self, w: usize) -> Option<u32> {
        self.deployments[w].as_ref().map(|d| d.replicas)
    }

    /// Live pods (pending or running) of Deployment `w`, over all its ReplicaSets.
    pub fn live_pods(&self, w: usize) -> u32 {
        self.deployments[w]
            .as_ref()
            .map_or(0, |d| d.sets.iter().map(|s| s.pods.len() as u32).sum())
    }

    /// Ready pods of Deployment `w` (`None` if `w` is not a Deployment).
    pub fn ready(&self, w: usize) -> Option<u32> {
        self.deployments[w].as_ref().map(|d| d.ready)
    }

    /// (ready pods, desired replicas) of Deployment `w`.
    pub fn ready_of(&self, w: usize) -> (u32, u32) {
        self.deployments[w]
            .as_ref()
            .map_or((0, 0), |d| (d.ready, d.replicas))
    }

    /// Indices of the Deployments.
    pub fn workloads(&self) -> impl Iterator<Item = usize> + '_ {
        self.deployments
            .iter()
            .enumerate()
            .filter(|(_, d)| d.is_some())
            .map(|(w, _)| w)
    }

    /// Live pods of Deployment `w`, by id.
    pub fn pods(&self, w: usize) -> Vec<PodId> {
        let Some(d) = self.deployments[w].as_ref() else {
            return Vec::new();
        };
        let mut out: Vec<PodId> = d.sets.iter().flat_map(|s| s.pods.iter().copied()).collect();
        out.sort_unstable();
        out
    }
}

fn forget_readiness(d: &mut DeploymentState, rs: usize, loss: PodLoss) {
    if loss.was_ready {
        d.ready -= 1;
        d.sets[rs].ready -= 1;
    }
    if loss.was_available {
        d.sets[rs].available -= 1;
    }
}

/// A rollout begins (rule 6: a running one is superseded).
fn begin_rollout(cx: &mut Context, w: usize, d: &mut DeploymentState) {
    if d.rollout.take().is_some() {
        cx.observe(Observation::RolloutSuperseded { workload: w });
    }
    d.rollouts += 1;
    let now = cx.now();
    d.rollout = Some(Rollout {
        id: d.rollouts,
        started: now,
        last_progress: now,
        signature: (u32::MAX, u32::MAX, u32::MAX),
        failed: false,
    });
    cx.observe(Observation::RolloutStarted { workload: w });
    cx.set_timer(
        now + d.spec.progress_deadline,
        DeploymentEvent::ProgressCheck {
            workload: w as u32,
            rollout: d.rollouts,
        },
    );
}

/// Rule 5: progress, and completion.
fn track_progress(cx: &mut Context, w: usize, d: &mut DeploymentState) {
    let cur = d.current();
    let signature = (
        d.sets[cur].replicas,
        d.sets[cur].available,
        d.old_replicas(),
    );
    let complete = d.sets[cur].replicas == d.replicas
        && d.sets[cur].available >= d.replicas
        && d.old_replicas() == 0
        && d.old_pods() == 0;
    let Some(r) = d.rollout.as_mut() else {
        return;
    };
    if r.signature != signature {
        r.signature = signature;
        r.last_progress = cx.now();
    }
    if complete {
        let duration_ms = cx.now().since(r.started).0;
        d.rollout = None;
        cx.observe(Observation::RolloutCompleted {
            workload: w,
            duration_ms,
        });
        if cx.logging() {
            let message = format!(
                "ReplicaSet \"{}\" has successfully progressed.",
                d.sets[cur].name
            );
            cx.log_named("deployment", &d.name, "NewReplicaSetAvailable", &message);
        }
    }
}

/// Rule 3: one step of Recreate.
fn recreate_step(cx: &mut Context, d: &mut DeploymentState) -> bool {
    let cur = d.current();
    let old: Vec<usize> = (0..d.sets.len())
        .filter(|&i| i != cur && d.sets[i].replicas > 0)
        .collect();
    if !old.is_empty() {
        for rs in old {
            scale(cx, d, rs, 0);
        }
        return true;
    }
    if d.old_pods() > 0 || d.sets[cur].replicas == d.replicas {
        return false;
    }
    let replicas = d.replicas;
    scale(cx, d, cur, replicas);
    true
}

/// Rule 2: one step of a rolling update (Kubernetes' `rolloutRolling`).
fn rolling_step(cx: &mut Context, d: &mut DeploymentState) -> bool {
    let cur = d.current();
    let (surge, unavailable) = d.fenceposts();
    let replicas = d.replicas;
    // reconcileNewReplicaSet
    let new = d.sets[cur].replicas;
    if new > replicas {
        scale(cx, d, cur, replicas);
        return true;
    }
    if new < replicas {
        let total = d.total_replicas();
        let max_total = replicas.saturating_add(surge);
        if total < max_total {
            let up = (max_total - total).min(replicas - new);
            scale(cx, d, cur, new + up);
            return true;
        }
    }
    // reconcileOldReplicaSets
    if d.old_replicas() == 0 {
        return false;
    }
    let min_available = replicas.saturating_sub(unavailable) as i64;
    let new_unavailable = d.sets[cur].replicas as i64 - d.sets[cur].available as i64;
    let max_scaled_down = d.total_replicas() as i64 - min_available - new_unavailable;
    if max_scaled_down <= 0 {
        return false;
    }
    let old: Vec<usize> = (0..d.sets.len()).filter(|&i| i != cur).collect();
    // cleanupUnhealthyReplicas: oldest first, at most max_scaled_down.
    let mut cleaned = 0i64;
    for &rs in &old {
        if cleaned >= max_scaled_down {
            break;
        }
        let s = &d.sets[rs];
        if s.replicas == 0 || s.replicas <= s.available {
            continue;
        }
        let n = (max_scaled_down - cleaned).min((s.replicas - s.available) as i64) as u32;
        let to = s.replicas - n;
        scale(cx, d, rs, to);
        cleaned += n as i64;
    }
    // scaleDownOldReplicaSetsForRollingUpdate: keep available ≥ replicas − unavailable.
    let available = d.total_available() as i64;
    let mut scaled = 0i64;
    if available > min_available {
        let budget = available - min_available;
        for &rs in &old {
            if scaled >= budget {
                break;
            }
            let s = &d.sets[rs];
            if s.replicas == 0 {
                continue;
            }
            let n = (budget - scaled).min(s.replicas as i64) as u32;
            let to = s.replicas - n;
            scale(cx, d, rs, to);
            scaled += n as i64;
        }
    }
    cleaned + scaled > 0
}

/// Sets ReplicaSet `rs`'s desired pods, logs it as Kubernetes does, and creates or deletes
/// pods to match (rule 1).
fn scale(cx: &mut Context, d: &mut DeploymentState, rs: usize, to: u32) {
    let from = d.sets[rs].replicas;
    if from == to {
        return;
    }
    d.sets[rs].replicas = to;
    if cx.logging() {
        let verb = if to > from { "up" } else { "down" };
        let message = format!(
            "Scaled {verb} replica set {} to {to} from {from}",
            d.sets[rs].name
        );
        cx.log_named("deployment", &d.name, "ScalingReplicaSet", &message);
    }
    fill(cx, d, rs);
}

/// Rule 1: the ReplicaSet creates or deletes pods to match its desired count.
fn fill(cx: &mut Context, d: &mut DeploymentState, rs: usize) {
    let live = d.sets[rs].pods.len() as u32;
    let want = d.sets[rs].replicas;
    if live < want {
        // OrderedReady: the next pod only once every live one is ready.
        let create = match d.spec.ordered_ready {
            true => u32::from(d.sets[rs].ready == live),
            false => want - live,
        };
        for _ in 0..create {
            create_pod(cx, d, rs);
        }
    } else if live > want {
        let victims = pods_to_delete(cx, &d.sets[rs], (live - want) as usize);
        let message = format!("scaled down: replica set {}", d.sets[rs].name);
        for pod in victims {
            let p = cx.cluster().pod(pod);
            let loss = PodLoss {
                was_ready: p.ready,
                was_available: p.available,
            };
            cx.delete_pod(pod, &message);
            d.sets[rs].pods.remove(&pod);
            forget_readiness(d, rs, loss);
        }
    }
}

/// The `n` pods a ReplicaSet deletes first: pending before running, not ready before ready,
/// not available before available, ready for less time before longer, newer before older.
fn pods_to_delete(cx: &Context, rs: &ReplicaSet, n: usize) -> Vec<PodId> {
    let cluster = cx.cluster();
    // Ascending: bound, ready, available, then ready longest, then oldest — so the first are
    // the ones to delete.
    let mut ranked: Vec<(DeletionRank, PodId)> = rs
        .pods
        .iter()
        .map(|&id| {
            let p = cluster.pod(id);
            let rank = (
                p.node.is_some(),
                p.ready,
                p.available,
                std::cmp::Reverse(p.ready_since.unwrap_or(SimTime::ZERO)),
                std::cmp::Reverse(id),
            );
            (rank, id)
        })
        .collect();
    ranked.sort_unstable();
    ranked.into_iter().take(n).map(|(_, id)| id).collect()
}

/// How much a ReplicaSet wants to keep a pod (smaller goes first).
type DeletionRank = (
    bool,
    bool,
    bool,
    std::cmp::Reverse<SimTime>,
    std::cmp::Reverse<PodId>,
);

fn create_pod(cx: &mut Context, d: &mut DeploymentState, rs: usize) {
    let w = d.workload;
    let ordinal = d.created;
    d.created += 1;
    let set = &d.sets[rs];
    let healthy = if set.healthy >= 1.0 {
        true
    } else if set.healthy <= 0.0 {
        false
    } else {
        d.health_rng.random::<f64>() < set.healthy
    };
    let mut pod = Pod::new(
        w,
        TemplateId(w as u32),
        ordinal,
        set.requests,
        d.priority,
        cx.now(),
        None,
    );
    pod.revision = rs as u32;
    pod.healthy = healthy;
    pod.data_version = set.created;
    let id = cx.submit(pod);
    d.sets[rs].pods.insert(id);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::IntOrPercent::{Int, Percent};

    #[test]
    fn fenceposts_round_as_kubernetes_does() {
        // Kubernetes' deployment_util_test.go TestResolveFenceposts, plus the defaults:
        // surge = ⌈pct × replicas⌉, unavailable = ⌊pct × replicas⌋, both 0 ⇒ unavailable 1.
        let cases = [
            (Percent(0), Percent(0), 0, (0, 1)), // upstream "0%","0%",0 → 0, 1
            (Percent(39), Percent(39), 10, (4, 3)), // 3.9 → 4 up, 3 down
            (Int(0), Percent(39), 10, (0, 3)),   // upstream nil surge
            (Percent(39), Int(0), 10, (4, 0)),   // upstream nil unavailable
            (Int(0), Int(0), 10, (0, 1)),        // upstream nil, nil
            (Percent(25), Percent(25), 10, (3, 2)), // defaults: 2.5 → 3 and 2
            (Percent(25), Percent(25), 1, (1, 0)), // 0.25 → 1 and 0
            (Percent(25), Percent(25), 3, (1, 0)), // 0.75 → 1 and 0
            (Percent(25), Percent(25), 4, (1, 1)), // exactly 1 each
            (Percent(25), Percent(25), 12, (3, 3)), // exactly 3 each
            (Percent(10), Percent(10), 5, (1, 0)), // 0.5 → 1 and 0
            (Percent(100), Percent(0), 7, (7, 0)), // blue-green: a whole second set
            (Int(3), Int(0), 12, (3, 0)),        // counts are taken as they are
            (Percent(0), Percent(20), 4, (0, 1)), // 0.8 → 0 and 0 ⇒ unavailable 1
        ];
        for (surge, unavailable, replicas, want) in cases {
            assert_eq!(
                resolve_fenceposts(surge, unavailable, replicas),
                want,
                "{surge:?} {unavailable:?} of {replicas}"
            );
        }
    }
}
