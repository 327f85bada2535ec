//! Karpenter's disruption controller: consolidation of empty and underutilized nodes
//! (`pkg/controllers/disruption`), rule 4 of [`super`].

use super::Karpenter;
use super::provisioner;
use crate::cloud::Cloud;
use crate::controllers::Controllers;
use crate::controllers::cluster_autoscaler::scale_down::MovePlan;
use crate::metrics::Observation;
use crate::model::{CapacityType, NodeId, NodeState, Taint, TaintEffect};
use crate::scenario::ConsolidationPolicy;
use crate::scheduler::Filter;
use crate::sim::Context;

/// The taint on a node Karpenter is disrupting.
pub const DISRUPTED_TAINT: &str = "karpenter.sh/disrupted";
/// Spot-to-spot replacement needs at least this many cheaper instance types (upstream's
/// `MinInstanceTypesForSpotToSpotConsolidation`).
pub const MIN_SPOT_TO_SPOT_TYPES: usize = 15;

impl Karpenter {
    /// One round of the disruption controller.
    pub(super) fn disrupt(
        &mut self,
        cx: &mut Context,
        owners: &mut Controllers,
        cloud: &mut Cloud,
        filters: &[Box<dyn Filter>],
    ) {
        let now = cx.now();
        self.note_changes(cx);
        self.finish_replacements(cx, owners, cloud);
        let mut allowed = self.budgets(cx);
        let candidates: Vec<NodeId> = cx
            .cluster()
            .node_order()
            .iter()
            .copied()
            .filter(|&n| {
                let Some(np) = self.node_pool_of(cx, n) else {
                    return false;
                };
                let node = cx.cluster().node(n);
                let settled = self
                    .last_change
                    .get(&n)
                    .is_none_or(|&t| t + self.spec.node_pools[np].consolidate_after <= now);
                let protected = node.pods.iter().any(|&p| {
                    cx.cluster()
                        .template(cx.cluster().pod(p).template)
                        .do_not_disrupt
                });
                node.state == NodeState::Ready
                    && settled
                    && !protected
                    && !self.replacing.contains_key(&n)
                    && !self.replacing.values().any(|&r| r == n)
            })
            .collect();
        // Empty nodes first, in bulk within the budgets.
        for &n in &candidates {
            let np = self.node_pool_of(cx, n).expect("a Karpenter node");
            if cx.cluster().node(n).pods.is_empty() && allowed[np] > 0 {
                allowed[np] -= 1;
                self.delete(cx, owners, cloud, n, "Empty");
            }
        }
        // Then one underutilized node: the cheapest to disrupt (fewest pods, then the most
        // expensive node) that can be deleted or replaced by a cheaper one.
        let mut busy: Vec<NodeId> = candidates
            .into_iter()
            .filter(|&n| {
                let np = self.node_pool_of(cx, n).expect("a Karpenter node");
                let node = cx.cluster().node(n);
                node.state == NodeState::Ready
                    && !node.pods.is_empty()
                    && allowed[np] > 0
                    && self.spec.node_pools[np].consolidation
                        == ConsolidationPolicy::WhenEmptyOrUnderutilized
            })
            .collect();
        busy.sort_by(|&a, &b| {
            let (na, nb) = (cx.cluster().node(a), cx.cluster().node(b));
            let price = |n: &crate::model::Node| cx.cluster().pool(n.pool).price_per_hour;
            na.pods
                .len()
                .cmp(&nb.pods.len())
                .then(price(nb).total_cmp(&price(na)))
                .then(a.cmp(&b))
        });
        let budgets = owners
            .disruption
            .allowed_by_workload(cx.cluster(), &owners.deployment);
        for n in busy {
            let node = cx.cluster().node(n);
            let leaving = |x: NodeId| self.replacing.contains_key(&x);
            if MovePlan::default()
                .try_move(cx.cluster(), filters, node, &leaving, &budgets)
                .is_ok()
            {
                self.delete(cx, owners, cloud, n, "Underutilized");
                return;
            }
            if self.replace(cx, cloud, filters, n) {
                return;
            }
        }
    }

    /// Marks the nodes whose pods or state changed since the last round.
    fn note_changes(&mut self, cx: &Context) {
        let now = cx.now();
        let cluster = cx.cluster();
        match cluster.node_changes_since(self.change_seq) {
            Some(changed) => {
                for &n in changed {
                    self.last_change.insert(n, now);
                }
            }
            None => {
                for &n in cluster.node_order() {
                    self.last_change.insert(n, now);
                }
            }
        }
        self.change_seq = cluster.node_change_seq();
        self.last_change
            .retain(|&n, _| cluster.node(n).state != NodeState::Terminated);
    }

    /// Nodes each NodePool may disrupt now: the fewest its budgets allow, less the nodes being
    /// disrupted or not ready.
    fn budgets(&self, cx: &Context) -> Vec<u32> {
        let cluster = cx.cluster();
        let pools = &self.spec.node_pools;
        let mut total = vec![0u32; pools.len()];
        let mut busy = vec![0u32; pools.len()];
        for &n in cluster.node_order() {
            let Some(np) = self.node_pool_of(cx, n) else {
                continue;
            };
            total[np] += 1;
            if cluster.node(n).state != NodeState::Ready || self.replacing.contains_key(&n) {
                busy[np] += 1;
            }
        }
        (0..pools.len())
            .map(|np| {
                let cap = pools[np]
                    .budgets
                    .iter()
                    .map(|b| b.scaled(total[np], true))
                    .min()
                    .unwrap_or(u32::MAX);
                cap.saturating_sub(busy[np])
            })
            .collect()
    }

    /// Replaced nodes whose replacement is ready are drained and deleted; a replacement that
    /// failed puts its node back.
    fn finish_replacements(
        &mut self,
        cx: &mut Context,
        owners: &mut Controllers,
        cloud: &mut Cloud,
    ) {
        for (old, new) in self.replacing.clone() {
            let state = cx.cluster().node(new).state;
            match state {
                NodeState::Ready if self.drain(cx, owners, old) => {
                    self.replacing.remove(&old);
                    cx.log_node(old, "Disrupting", "Disrupting Node: Underutilized/Replace");
                    cx.observe(Observation::AutoscalerNodeRemoved);
                    cloud.delete_node(cx, owners, old);
                }
                NodeState::Terminated => {
                    self.replacing.remove(&old);
                    cx.remove_taint(old, DISRUPTED_TAINT);
                    cx.uncordon(old);
                }
                _ => {}
            }
        }
    }

    /// Evicts every pod of `node` through the eviction API; false (node kept, tainted) at the
    /// first refusal.
    fn drain(&mut self, cx: &mut Context, owners: &mut Controllers, node: NodeId) -> bool {
        let mut pods = cx.cluster().node(node).pods.clone();
        pods.sort_unstable();
        pods.into_iter().all(|p| owners.request_eviction(cx, p))
    }

    fn taint(cx: &mut Context, node: NodeId) {
        cx.taint_node(
            node,
            Taint {
                key: DISRUPTED_TAINT.into(),
                value: String::new(),
                effect: TaintEffect::NoSchedule,
            },
        );
    }

    /// Deletes `node` for `reason`, draining it first; a refused eviction puts it back.
    fn delete(
        &mut self,
        cx: &mut Context,
        owners: &mut Controllers,
        cloud: &mut Cloud,
        node: NodeId,
        reason: &str,
    ) {
        Self::taint(cx, node);
        cx.cordon(node, NodeState::Draining);
        if !self.drain(cx, owners, node) {
            cx.remove_taint(node, DISRUPTED_TAINT);
            cx.uncordon(node);
            return;
        }
        if cx.logging() {
            cx.log_node(
                node,
                "Disrupting",
                &format!("Disrupting Node: {reason}/Delete"),
            );
        }
        cx.observe(Observation::AutoscalerNodeRemoved);
        cloud.delete_node(cx, owners, node);
    }

    /// Launches one cheaper node for all of `node`'s pods, if there is one; true if it did.
    fn replace(
        &mut self,
        cx: &mut Context,
        cloud: &mut Cloud,
        filters: &[Box<dyn Filter>],
        node: NodeId,
    ) -> bool {
        let np = self.node_pool_of(cx, node).expect("a Karpenter node");
        let cluster = cx.cluster();
        let n = cluster.node(node);
        let price = cluster.pool(n.pool).price_per_hour;
        let spot = cluster.pool(n.pool).capacity_type == CapacityType::Spot;
        let mut pods = n.pods.clone();
        provisioner::sort_pods(cluster, &mut pods);
        let pool = &self.spec.node_pools[np];
        let (claims, unplaced) = provisioner::pack(
            cluster,
            filters,
            std::slice::from_ref(pool),
            &pods,
            &mut [None],
        );
        let [claim] = claims.as_slice() else {
            return false;
        };
        if !unplaced.is_empty() {
            return false;
        }
        let now = cx.now();
        let open = |o: &usize| {
            self.unavailable_until
                .get(&pool.offerings[*o].pool)
                .is_none_or(|&t| t <= now)
        };
        let order: Vec<usize> = provisioner::launch_order(cluster, pool, claim)
            .into_iter()
            .filter(open)
            .collect();
        let Some(&first) = order.first() else {
            return false;
        };
        let offering = pool.offerings[first];
        if cluster.pools[offering.pool].price_per_hour >= price {
            return false;
        }
        if spot && offering.capacity_type == CapacityType::Spot {
            let cheaper = order
                .iter()
                .filter(|&&o| {
                    let off = pool.offerings[o];
                    off.capacity_type == CapacityType::Spot
                        && cluster.pools[off.pool].price_per_hour < price
                })
                .count();
            if cheaper < MIN_SPOT_TO_SPOT_TYPES {
                return false;
            }
        }
        let claim = provisioner::Claim {
            compatible: vec![first],
            ..claim.clone()
        };
        let Some(new) = self.launch(cx, cloud, &claim) else {
            return false;
        };
        Self::taint(cx, node);
        cx.cordon(node, NodeState::Cordoned);
        self.replacing.insert(node, new);
        true
    }
}
