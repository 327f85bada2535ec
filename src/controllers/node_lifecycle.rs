//! Node lifecycle: cordon, uncordon, drain (`kubectl drain`) and surge node-pool upgrades.
//!
//! # Rules
//! 1. A drain cordons the node, then asks the eviction API to evict every pod on it, in pod
//!    order. Refused evictions are retried every 5 s, as `kubectl drain` does. At the drain's
//!    timeout (none by default, as kubectl's) `force` evicts the rest ignoring their budgets
//!    and `abort` stops, leaving the node cordoned.
//! 2. A surge upgrade of a pool replaces each node that was live when it began. It runs
//!    `max_surge` slots that launch a new node, wait until it is ready, then drain and delete
//!    one old node; and `max_unavailable` slots that drain and delete an old node first, then
//!    launch its replacement and wait for it. Slots go on until no old node is left; the
//!    upgrade completes when every slot is idle. A new node that never becomes ready
//!    (`new_nodes_healthy`) holds its slot forever: the upgrade stalls.
//! 3. New nodes go to the zone of the old node next in line; their provisioning delay is the
//!    pool's, drawn from the stream `pool/<name>/upgrade`.
//!
//! Simplifications: nodes keep no version label (the controller knows which are new); a node
//! the cloud launches during an upgrade (a spot replacement) is not upgraded.

use std::collections::VecDeque;

use rand::RngExt;

use super::Controllers;
use crate::cloud::CloudEvent;
use crate::metrics::Observation;
use crate::model::{NodeId, NodeState, PoolId};
use crate::rng::{SimRng, stream};
use crate::scenario::{Scenario, TimeoutAction};
use crate::sim::Context;
use crate::time::{SimDuration, SimTime};

/// How often a drain retries evictions its budgets refused (`kubectl drain`).
pub const DRAIN_RETRY: SimDuration = SimDuration(5_000);

/// The node lifecycle controller's events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeLifecycleEvent {
    /// A drain tries again to evict the pods its budgets refused.
    DrainRetry { drain: u32 },
}

struct Drain {
    node: NodeId,
    deadline: Option<SimTime>,
    on_timeout: TimeoutAction,
    /// The upgrade slot waiting for this drain, if any.
    slot: Option<(usize, usize)>,
    done: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Slot {
    Idle,
    /// Waiting for this new node to become ready.
    Launching(NodeId),
    /// Waiting for this drain (index into `drains`).
    Draining(usize),
}

struct Upgrade {
    pool: PoolId,
    started: SimTime,
    /// Old nodes not yet taken by a slot, in node order.
    old: VecDeque<NodeId>,
    /// Slots; the first `surge` launch before they drain.
    slots: Vec<Slot>,
    surge: usize,
    drain_timeout: Option<SimDuration>,
    on_timeout: TimeoutAction,
    healthy: f64,
    done: bool,
}

/// Drains and upgrades in progress.
pub struct NodeLifecycleController {
    drains: Vec<Drain>,
    upgrades: Vec<Upgrade>,
    /// Per pool: provisioning delays and health of upgrade nodes.
    rngs: Vec<SimRng>,
}

impl NodeLifecycleController {
    pub fn new(scenario: &Scenario) -> Self {
        NodeLifecycleController {
            drains: Vec::new(),
            upgrades: Vec::new(),
            rngs: scenario
                .cluster
                .pools
                .iter()
                .map(|p| stream(scenario.seed, &format!("pool/{}/upgrade", p.name)))
                .collect(),
        }
    }
}

/// The live node named `name`, if there is one.
fn node_named(cx: &Context, name: &str) -> Option<NodeId> {
    let cluster = cx.cluster();
    cluster
        .node_order()
        .iter()
        .copied()
        .find(|&n| cluster.node(n).name == name)
}

impl Controllers {
    /// `kubectl cordon`.
    pub(super) fn cordon_named(&mut self, cx: &mut Context, name: &str) {
        match node_named(cx, name) {
            Some(n) if cx.cluster().node(n).state == NodeState::Ready => {
                cx.cordon(n, NodeState::Cordoned);
                cx.log_node(n, "NodeNotSchedulable", "cordoned");
            }
            Some(_) => {}
            None => cx.log_named("node", name, "NodeNotFound", "no live node has this name"),
        }
    }

    /// `kubectl uncordon`.
    pub(super) fn uncordon_named(&mut self, cx: &mut Context, name: &str) {
        match node_named(cx, name) {
            Some(n)
                if matches!(
                    cx.cluster().node(n).state,
                    NodeState::Cordoned | NodeState::Draining
                ) =>
            {
                cx.uncordon(n);
                cx.log_node(n, "NodeSchedulable", "uncordoned");
            }
            Some(_) => {}
            None => cx.log_named("node", name, "NodeNotFound", "no live node has this name"),
        }
    }

    /// Starts draining `node` (rule 1).
    pub(super) fn drain(
        &mut self,
        cx: &mut Context,
        node: NodeId,
        timeout: Option<SimDuration>,
        on_timeout: TimeoutAction,
        slot: Option<(usize, usize)>,
    ) -> usize {
        let i = self.lifecycle.drains.len();
        self.lifecycle.drains.push(Drain {
            node,
            deadline: timeout.map(|t| cx.now() + t),
            on_timeout,
            slot,
            done: false,
        });
        if cx.cluster().node(node).is_up() {
            cx.cordon(node, NodeState::Draining);
            cx.log_node(node, "NodeNotSchedulable", "draining");
        }
        self.drain_step(cx, i);
        i
    }

    pub(super) fn drain_named(
        &mut self,
        cx: &mut Context,
        name: &str,
        timeout: Option<SimDuration>,
        on_timeout: TimeoutAction,
    ) {
        match node_named(cx, name) {
            Some(n) => {
                self.drain(cx, n, timeout, on_timeout, None);
            }
            None => cx.log_named("node", name, "NodeNotFound", "no live node has this name"),
        }
    }

    pub(super) fn drain_pool(
        &mut self,
        cx: &mut Context,
        pool: usize,
        timeout: Option<SimDuration>,
        on_timeout: TimeoutAction,
    ) {
        let cluster = cx.cluster();
        let nodes: Vec<NodeId> = cluster
            .node_order()
            .iter()
            .copied()
            .filter(|&n| cluster.node(n).pool.0 as usize == pool && cluster.node(n).is_up())
            .collect();
        for n in nodes {
            self.drain(cx, n, timeout, on_timeout, None);
        }
    }

    pub fn handle_lifecycle(&mut self, cx: &mut Context, event: NodeLifecycleEvent) {
        match event {
            NodeLifecycleEvent::DrainRetry { drain } => self.drain_step(cx, drain as usize),
        }
    }

    /// One attempt to empty a draining node.
    fn drain_step(&mut self, cx: &mut Context, i: usize) {
        let drain = &self.lifecycle.drains[i];
        if drain.done {
            return;
        }
        let node = drain.node;
        if cx.cluster().node(node).state != NodeState::Terminated {
            let mut pods = cx.cluster().node(node).pods.clone();
            pods.sort_unstable();
            for pod in pods {
                self.request_eviction(cx, pod);
            }
        }
        let left = cx.cluster().node(node).pods.len();
        if left > 0 {
            let drain = &self.lifecycle.drains[i];
            let timed_out = drain.deadline.is_some_and(|d| cx.now() >= d);
            if !timed_out {
                let at = cx.now() + DRAIN_RETRY;
                let at = drain.deadline.map_or(at, |d| at.min(d));
                cx.set_timer(at, NodeLifecycleEvent::DrainRetry { drain: i as u32 });
                return;
            }
            match drain.on_timeout {
                TimeoutAction::Force => {
                    let mut pods = cx.cluster().node(node).pods.clone();
                    pods.sort_unstable();
                    for pod in pods {
                        cx.observe(Observation::EvictionForced);
                        self.evict(
                            cx,
                            pod,
                            "Drain",
                            "Evicted",
                            "drain timed out: evicted past its disruption budget",
                            crate::sim::Progress::SinceCheckpoint,
                        );
                    }
                }
                TimeoutAction::Abort => {
                    self.lifecycle.drains[i].done = true;
                    let message =
                        format!("drain timed out with {left} pod(s) left; node stays cordoned");
                    cx.log_node(node, "DrainAborted", &message);
                    return;
                }
            }
        }
        self.lifecycle.drains[i].done = true;
        if cx.cluster().node(node).state != NodeState::Terminated {
            cx.log_node(node, "NodeDrained", "");
        }
        if let Some((u, s)) = self.lifecycle.drains[i].slot {
            self.drained_for_upgrade(cx, u, s, node);
        }
    }

    /// Starts a surge upgrade of `pool` (rule 2).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn upgrade(
        &mut self,
        cx: &mut Context,
        pool: usize,
        max_surge: u32,
        max_unavailable: u32,
        drain_timeout: Option<SimDuration>,
        on_timeout: TimeoutAction,
        healthy: f64,
    ) {
        let cluster = cx.cluster();
        let old: VecDeque<NodeId> = cluster
            .node_order()
            .iter()
            .copied()
            .filter(|&n| cluster.node(n).pool.0 as usize == pool)
            .collect();
        let surge = (max_surge as usize).min(old.len());
        let unavailable = (max_unavailable as usize).min(old.len() - surge);
        let u = self.lifecycle.upgrades.len();
        self.lifecycle.upgrades.push(Upgrade {
            pool: PoolId(pool as u32),
            started: cx.now(),
            old,
            slots: vec![Slot::Idle; surge + unavailable],
            surge,
            drain_timeout,
            on_timeout,
            healthy,
            done: false,
        });
        cx.observe(Observation::UpgradeStarted { pool });
        if cx.logging() {
            let n = self.lifecycle.upgrades[u].old.len();
            let message = format!(
                "upgrading {n} node(s): {surge} surge, {unavailable} unavailable at a time"
            );
            cx.log_pool(PoolId(pool as u32), "UpgradeStarted", &message);
        }
        for s in 0..surge + unavailable {
            if s < surge {
                self.launch_for_upgrade(cx, u, s);
            } else {
                self.drain_next_old(cx, u, s);
            }
        }
        self.check_upgrade_done(cx, u);
    }

    /// A node became ready: an upgrade slot waiting for it moves on.
    pub fn node_ready(&mut self, cx: &mut Context, node: NodeId) {
        let found = self
            .lifecycle
            .upgrades
            .iter()
            .enumerate()
            .find_map(|(u, up)| {
                up.slots
                    .iter()
                    .position(|s| *s == Slot::Launching(node))
                    .map(|s| (u, s))
            });
        if let Some((u, s)) = found {
            self.lifecycle.upgrades[u].slots[s] = Slot::Idle;
            self.drain_next_old(cx, u, s);
            self.check_upgrade_done(cx, u);
        }
    }

    fn launch_for_upgrade(&mut self, cx: &mut Context, u: usize, s: usize) {
        let up = &self.lifecycle.upgrades[u];
        let pool = up.pool;
        // The zone of the old node next in line (or of the pool's first zone).
        let zone = up
            .old
            .front()
            .map(|&n| cx.cluster().node(n).zone)
            .unwrap_or_else(|| cx.scenario().cluster.pools[pool.0 as usize].zones[0] as u32);
        let healthy = up.healthy;
        let rng = &mut self.lifecycle.rngs[pool.0 as usize];
        let ok = healthy >= 1.0 || (healthy > 0.0 && rng.random::<f64>() < healthy);
        let node = if ok {
            let delay = cx.scenario().cluster.pools[pool.0 as usize]
                .provisioning_delay
                .sample(rng);
            cx.launch_node(pool, zone, delay, |node| {
                CloudEvent::NodeReady { node }.into()
            })
        } else {
            cx.launch_broken_node(pool, zone)
        };
        self.lifecycle.upgrades[u].slots[s] = Slot::Launching(node);
    }

    fn drain_next_old(&mut self, cx: &mut Context, u: usize, s: usize) {
        let up = &mut self.lifecycle.upgrades[u];
        // Old nodes a spot reclaim or failure took already need no drain.
        while let Some(&n) = up.old.front() {
            if cx.cluster().node(n).state == NodeState::Terminated {
                up.old.pop_front();
            } else {
                break;
            }
        }
        let Some(old) = up.old.pop_front() else {
            up.slots[s] = Slot::Idle;
            return;
        };
        let (timeout, on_timeout) = (up.drain_timeout, up.on_timeout);
        let d = self.lifecycle.drains.len();
        self.lifecycle.upgrades[u].slots[s] = Slot::Draining(d);
        self.drain(cx, old, timeout, on_timeout, Some((u, s)));
    }

    /// A slot's old node is empty: delete it, then launch (unavailable slots always replace
    /// what they drained; surge slots launch again while old nodes remain).
    fn drained_for_upgrade(&mut self, cx: &mut Context, u: usize, s: usize, node: NodeId) {
        let pool = self.lifecycle.upgrades[u].pool;
        if cx.cluster().node(node).state != NodeState::Terminated {
            cx.terminate_node(node);
            cx.observe(Observation::NodeUpgraded {
                pool: pool.0 as usize,
            });
        }
        let up = &self.lifecycle.upgrades[u];
        let surge_slot = s < up.surge;
        let waiting_launches = up.slots[..up.surge]
            .iter()
            .filter(|x| matches!(x, Slot::Launching(_)))
            .count();
        let old_left = up.old.len();
        self.lifecycle.upgrades[u].slots[s] = Slot::Idle;
        if !surge_slot || old_left > waiting_launches {
            self.launch_for_upgrade(cx, u, s);
        }
        self.check_upgrade_done(cx, u);
    }

    fn check_upgrade_done(&mut self, cx: &mut Context, u: usize) {
        let up = &mut self.lifecycle.upgrades[u];
        if up.done || !up.old.is_empty() || up.slots.iter().any(|s| *s != Slot::Idle) {
            return;
        }
        up.done = true;
        let duration_ms = cx.now().since(up.started).0;
        let pool = up.pool;
        cx.observe(Observation::UpgradeCompleted {
            pool: pool.0 as usize,
            duration_ms,
        });
        cx.log_pool(pool, "UpgradeCompleted", "");
    }
}
