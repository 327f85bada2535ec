//! Capacity shortages (a pool cannot launch in a zone for a while) and zone outages (every
//! node of a zone goes not ready, and comes back when the zone recovers).

use rand::RngExt;

use super::{Cloud, CloudEvent, evict_all, exponential_mean};
use crate::controllers::Controllers;
use crate::model::{NodeId, NodeState};
use crate::scenario::{ClusterEvent, WindowTiming};
use crate::sim::Context;

impl Cloud {
    pub(super) fn unavailable_start(&mut self, cx: &mut Context, pool: u32, window: u32) {
        cx.mark(crate::metrics::markers::MarkKind::CapacityShortage);
        let now = cx.now();
        let p = pool as usize;
        let scenario = cx.scenario();
        let spec = &scenario.cluster.pool_failures[p].unavailable[window as usize];
        let zones: Vec<u32> = match spec.zone {
            Some(z) => vec![z as u32],
            None => scenario.cluster.pools[p]
                .zones
                .iter()
                .map(|&z| z as u32)
                .collect(),
        };
        let rng = &mut self.pools[p].unavailable;
        let length = spec.duration.sample(rng);
        if let WindowTiming::Random { mean_time_between } = spec.when {
            let gap = exponential_mean(rng, mean_time_between);
            cx.set_timer(now + gap, CloudEvent::UnavailableStart { pool, window });
        }
        for zone in zones {
            self.unavailable[p][zone as usize] += 1;
            cx.set_timer(
                now + length,
                CloudEvent::UnavailableEnd { pool, window, zone },
            );
        }
    }

    /// A scheduled outage starts, or the next random one strikes (and the one after is drawn).
    pub(super) fn zone_outage_start(
        &mut self,
        cx: &mut Context,
        owners: &mut Controllers,
        event: u32,
    ) {
        let now = cx.now();
        let (zone, duration) = match &cx.scenario().events[event as usize] {
            ClusterEvent::ZoneOutage { zone, duration, .. } => (*zone, *duration),
            ClusterEvent::RandomZoneOutages {
                mean_time_between,
                duration,
                zones,
                ..
            } => {
                let rng = &mut self.zone_outages;
                let gap = exponential_mean(rng, *mean_time_between);
                cx.set_timer(now + gap, CloudEvent::ZoneOutageStart { event });
                if zones.is_empty() {
                    return;
                }
                let zone = zones[rng.random_range(0..zones.len())];
                (zone, duration.sample(rng))
            }
        };
        self.zone_out[zone] += 1;
        cx.mark(crate::metrics::markers::MarkKind::ZoneOutage);
        let zone = zone as u32;
        cx.set_timer(now + duration, CloudEvent::ZoneOutageEnd { zone });
        let cluster = cx.cluster();
        let down: Vec<NodeId> = cluster
            .node_order()
            .iter()
            .copied()
            .filter(|&n| cluster.node(n).zone == zone && cluster.node(n).is_up())
            .collect();
        for node in down {
            self.disarm_node_clocks(cx, node);
            evict_all(cx, owners, node, "ZoneOutage");
            cx.set_node_not_ready(node, "zone outage");
        }
        cx.capacity_changed();
    }

    pub(super) fn zone_outage_end(&mut self, cx: &mut Context, zone: u32) {
        self.zone_out[zone as usize] -= 1;
        if self.zone_out[zone as usize] > 0 {
            return;
        }
        cx.mark(crate::metrics::markers::MarkKind::ZoneRestored);
        let cluster = cx.cluster();
        let back: Vec<NodeId> = cluster
            .node_order()
            .iter()
            .copied()
            .filter(|&n| cluster.node(n).zone == zone)
            .collect();
        for node in back {
            let state = cx.cluster().node(node).state;
            let waiting = std::mem::take(&mut self.ext(node).awaiting_zone);
            // A node under an interruption notice stays down: it terminates when the notice
            // runs out, and its replacement is already accounted for.
            if self.ext(node).noticed {
                continue;
            }
            if state == NodeState::NotReady || (state == NodeState::Provisioning && waiting) {
                cx.mark_node_ready(node, "zone recovered");
                self.arm_node_clocks(cx, node);
            }
        }
        cx.capacity_changed();
        self.retry_deferred(cx);
    }
}
