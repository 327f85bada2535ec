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
use crate::time::SimTime;

/// The taint on a node Karpenter is disrupting.
pub const DISRUPTED_TAINT: &str = "karpenter.sh/disrupted";
/// Spot-to-spot replacement needs at least this many cheaper instance types (upstream's
/// `MinInstanceTypesForSpotToSpotConsolidation`).
pub const MIN_SPOT_TO_SPOT_TYPES: usize = 15;
/// Underused nodes a round tries to delete or replace, cheapest to disrupt first.
pub const MAX_CANDIDATES_PER_ROUND: usize = 20;

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
        // Upstream's "consolidated" state: a round that found nothing to do is not repeated
        // until the cluster changes or a node's consolidate_after runs out.
        let seq = cx.cluster().node_change_seq();
        if self.replacing.is_empty()
            && self
                .consolidated
                .is_some_and(|(at_seq, until)| at_seq == seq && until.is_none_or(|t| now < t))
        {
            return;
        }
        // One pass over the nodes: each NodePool's budget counts, settled candidates, and when
        // the next unsettled node settles (for the "consolidated" memo).
        let pools = self.spec.node_pools.len();
        let mut total = vec![0u32; pools];
        let mut disrupting = vec![0u32; pools];
        let mut candidates: Vec<NodeId> = Vec::new();
        let mut next_settle: Option<SimTime> = None;
        for &n in cx.cluster().node_order() {
            let Some(np) = self.node_pool_of(cx, n) else {
                continue;
            };
            total[np] += 1;
            let ready = cx.cluster().node(n).state == NodeState::Ready;
            let replaced = self.replacing.contains_key(&n);
            if !ready || replaced {
                disrupting[np] += 1;
            }
            if !ready {
                continue;
            }
            if let Some(&Some(t)) = self.last_change.get(n.0 as usize) {
                let settles = t + self.spec.node_pools[np].consolidate_after;
                if settles > now {
                    next_settle = Some(next_settle.map_or(settles, |m| m.min(settles)));
                    continue;
                }
            }
            if !replaced && !self.replacing.values().any(|&r| r == n) {
                candidates.push(n);
            }
        }
        let mut allowed = self.budgets(&total, &disrupting);
        // Empty nodes first, in bulk within the budgets.
        let mut empty_deleted = 0;
        let mut busy = Vec::new();
        for n in candidates {
            let np = self.node_pool_of(cx, n).expect("a Karpenter node");
            if cx.cluster().node(n).pods.is_empty() {
                if allowed[np] > 0 {
                    allowed[np] -= 1;
                    empty_deleted += 1;
                    self.delete(cx, owners, cloud, n, "Empty");
                }
            } else if allowed[np] > 0
                && self.spec.node_pools[np].consolidation
                    == ConsolidationPolicy::WhenEmptyOrUnderutilized
            {
                busy.push(n);
            }
        }
        // Then one underutilized node: the cheapest to disrupt (fewest pods, then the most
        // expensive node) that can be deleted or replaced by a cheaper one, skipping nodes
        // that run a do-not-disrupt pod. Like upstream's consolidation timeouts, a round looks
        // at a bounded number of nodes.
        let cluster = cx.cluster();
        // Sort keys laid out flat (fewest pods, then the most expensive, then the id), so the
        // selection below compares plain tuples instead of looking nodes up. `total_key`
        // orders prices as `f64::total_cmp` does.
        let total_key = |x: f64| {
            let b = x.to_bits() as i64;
            b ^ ((((b >> 63) as u64) >> 1) as i64)
        };
        let mut keyed: Vec<(usize, std::cmp::Reverse<i64>, NodeId)> = busy
            .iter()
            .map(|&n| {
                let node = cluster.node(n);
                let price = cluster.pool(node.pool).price_per_hour;
                (node.pods.len(), std::cmp::Reverse(total_key(price)), n)
            })
            .collect();
        let protected = |n: NodeId| {
            cluster
                .node(n)
                .pods
                .iter()
                .any(|&p| cluster.template(cluster.pod(p).template).do_not_disrupt)
        };
        // The first few in order are enough unless most of them are protected.
        let shortlist = 4 * MAX_CANDIDATES_PER_ROUND;
        if keyed.len() > shortlist {
            keyed.select_nth_unstable(shortlist);
            let (head, _) = keyed.split_at(shortlist);
            if head.iter().filter(|k| !protected(k.2)).count() >= MAX_CANDIDATES_PER_ROUND {
                keyed.truncate(shortlist);
            }
        }
        keyed.sort_unstable();
        let mut busy: Vec<NodeId> = keyed.into_iter().map(|k| k.2).collect();
        busy.retain(|&n| !protected(n));
        busy.truncate(MAX_CANDIDATES_PER_ROUND);
        let budgets = owners
            .disruption
            .allowed_by_workload(cx.cluster(), &owners.deployment);
        let acted = self.claims;
        for n in busy {
            let node = cx.cluster().node(n);
            let leaving = |x: NodeId| self.replacing.contains_key(&x);
            if MovePlan::default()
                .try_move(
                    cx.cluster(),
                    filters,
                    node,
                    &leaving,
                    &budgets,
                    &mut self.rooms,
                )
                .is_ok()
            {
                self.delete(cx, owners, cloud, n, "Underutilized");
                return;
            }
            if self.replace(cx, cloud, filters, n) {
                return;
            }
        }
        // Nothing to do: remember it until the cluster changes or the next node settles.
        if self.claims == acted && empty_deleted == 0 {
            self.consolidated = Some((cx.cluster().node_change_seq(), next_settle));
        }
    }

    /// Marks the nodes whose pods or state changed since the last round.
    fn note_changes(&mut self, cx: &Context) {
        let now = cx.now();
        let cluster = cx.cluster();
        let mut mark = |n: NodeId| {
            let i = n.0 as usize;
            if i >= self.last_change.len() {
                self.last_change.resize(i + 1, None);
            }
            self.last_change[i] = Some(now);
        };
        match cluster.node_changes_since(self.change_seq) {
            Some(changed) => changed.iter().for_each(|&n| mark(n)),
            None => cluster.node_order().iter().for_each(|&n| mark(n)),
        }
        self.change_seq = cluster.node_change_seq();
    }

    /// Nodes each NodePool may disrupt now: the fewest its budgets allow (of `total` nodes),
    /// less the nodes being disrupted or not ready (`disrupting`).
    fn budgets(&self, total: &[u32], disrupting: &[u32]) -> Vec<u32> {
        self.spec
            .node_pools
            .iter()
            .enumerate()
            .map(|(np, pool)| {
                let cap = pool
                    .budgets
                    .iter()
                    .map(|b| b.scaled(total[np], true))
                    .min()
                    .unwrap_or(u32::MAX);
                cap.saturating_sub(disrupting[np])
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
                NodeState::Ready if owners.evict_all_from(cx, old) => {
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
        if !owners.evict_all_from(cx, node) {
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
