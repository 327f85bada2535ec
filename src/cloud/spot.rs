//! Spot interruptions: per-node notices, correlated waves, and reclaim traces (rule 2).

use rand::RngExt;

use super::{Cloud, CloudEvent, evict_pod, exponential_mean, failures_of};
use crate::controllers::Controllers;
use crate::metrics::Observation;
use crate::model::{NodeId, NodeState, PoolId};
use crate::scenario::{ReclaimAmount, ReplacePolicy, ShareDist, Taint, TaintEffect};
use crate::sim::Context;
use crate::time::SimDuration;

/// The taint a node gets with its interruption notice.
pub const INTERRUPTED_TAINT: &str = "clustersim.io/interrupted";

impl Cloud {
    /// Rule 2: taint, drain, evict; terminate when the notice runs out.
    pub(super) fn interruption_notice(
        &mut self,
        cx: &mut Context,
        owners: &mut Controllers,
        node: NodeId,
    ) {
        let now = cx.now();
        let state = cx.cluster().node(node).state;
        if self.ext(node).noticed
            || matches!(state, NodeState::Terminated | NodeState::Provisioning)
        {
            return;
        }
        self.ext(node).noticed = true;
        self.disarm_node_clocks(cx, node);
        cx.observe(Observation::InterruptionNotice);
        let (pool, zone) = (cx.cluster().node(node).pool, cx.cluster().node(node).zone);
        let notice = failures_of(cx, pool)
            .interruption
            .as_ref()
            .map_or(SimDuration::ZERO, |i| i.notice);
        cx.taint_node(
            node,
            Taint {
                key: INTERRUPTED_TAINT.to_string(),
                value: String::new(),
                effect: TaintEffect::NoSchedule,
            },
        );
        cx.cordon(node, NodeState::Draining);
        cx.log_node(
            node,
            "InterruptionNotice",
            &format!("terminates in {notice}"),
        );
        self.notify_pods(cx, owners, node, notice);
        if failures_of(cx, pool).replace == ReplacePolicy::OnNotice {
            self.replace(cx, pool, zone, None);
        }
        cx.set_timer(now + notice, CloudEvent::NodeTerminate { node });
    }

    /// An interruption notice reaches the node's pods. A Deployment pod is deleted at once: its
    /// ReplicaSet starts a replacement straight away, as Kubernetes does for a terminating pod.
    /// A batch pod gets SIGTERM and runs out its termination grace period (cut short by the
    /// notice), so it may reach one more checkpoint; then it is evicted and queued again.
    fn notify_pods(
        &mut self,
        cx: &mut Context,
        owners: &mut Controllers,
        node: NodeId,
        notice: SimDuration,
    ) {
        let now = cx.now();
        let mut pods = cx.cluster().node(node).pods.clone();
        pods.sort_unstable();
        for pod in pods {
            let p = cx.cluster().pod(pod);
            let grace = cx
                .cluster()
                .template(p.template)
                .termination_grace_period
                .min(notice);
            if owners.replaced_while_terminating(p.workload) || grace == SimDuration::ZERO {
                evict_pod(cx, owners, pod, "SpotInterruption");
            } else {
                cx.set_terminating(pod);
                cx.set_timer(now + grace, crate::kubelet::KubeletEvent::PodKill { pod });
            }
        }
    }

    pub(super) fn interruption_wave(
        &mut self,
        cx: &mut Context,
        owners: &mut Controllers,
        pool: u32,
    ) {
        let now = cx.now();
        let p = pool as usize;
        let scenario = cx.scenario();
        let Some(w) = scenario.cluster.pool_failures[p]
            .interruption
            .as_ref()
            .and_then(|i| i.waves.as_ref())
        else {
            return;
        };
        let rng = &mut self.pools[p].waves;
        let gap = exponential_mean(rng, w.mean_time_between);
        let zones = &scenario.cluster.pools[p].zones;
        let zone = zones[rng.random_range(0..zones.len())] as u32;
        let share = match w.share {
            ShareDist::Fixed(s) => s,
            ShareDist::Uniform { min, max } => min + (max - min) * rng.random::<f64>(),
        };
        cx.set_timer(now + gap, CloudEvent::InterruptionWave { pool });
        self.reclaim(cx, owners, pool, zone, ReclaimAmount::Share(share));
    }

    /// Interrupts `amount` of the pool's ready nodes in `zone`, chosen by the pool's wave stream.
    pub(super) fn reclaim(
        &mut self,
        cx: &mut Context,
        owners: &mut Controllers,
        pool: u32,
        zone: u32,
        amount: ReclaimAmount,
    ) {
        cx.observe(Observation::InterruptionWave);
        let cluster = cx.cluster();
        let mut candidates: Vec<NodeId> = cluster
            .node_order()
            .iter()
            .copied()
            .filter(|&n| {
                let node = cluster.node(n);
                node.pool.0 == pool && node.zone == zone && node.state == NodeState::Ready
            })
            .collect();
        let k = match amount {
            ReclaimAmount::Count(n) => n as usize,
            ReclaimAmount::Share(s) => (s * candidates.len() as f64).round() as usize,
        }
        .min(candidates.len());
        let rng = &mut self.pools[pool as usize].waves;
        for i in 0..k {
            let j = rng.random_range(i..candidates.len());
            candidates.swap(i, j);
        }
        let mut chosen = candidates[..k].to_vec();
        chosen.sort_unstable();
        if cx.logging() {
            let message = format!(
                "{k} nodes reclaimed in {}",
                cx.scenario().cluster.zones[zone as usize]
            );
            cx.log_pool(PoolId(pool), "InterruptionWave", &message);
        }
        for node in chosen {
            self.interruption_notice(cx, owners, node);
        }
    }
}
