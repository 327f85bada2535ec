//! Preemption (Kubernetes' DefaultPreemption post-filter): a pending pod that fits nowhere may
//! evict strictly lower-priority pods from one node.
//!
//! For each node: take every pod of lower priority off the node; if the pending pod still does
//! not pass the filters, the node cannot help. Otherwise put the candidates back one by one,
//! most important first (higher priority, then longer running, then pod id), keeping each one
//! whose return still leaves room (Kubernetes' "reprieve"); the rest are the node's victims.
//! Among the nodes that can help, the one whose most important victim has the lowest priority
//! wins, then the one with the fewest victims, then the earliest in the stable node order.
//!
//! The what-if runs on the real cluster (unbind, check, bind back) so every filter, including
//! those that count other pods, sees the state the pod would meet; the cluster is restored
//! before returning.
//!
//! Cost: per preempting pod, O(pods on the nodes examined × filter cost). Preemption only runs
//! when the scenario has pods of more than one priority.

use crate::model::PreemptionPolicy;
use crate::model::{Cluster, NodeId, Pod, PodId, PodPhase};
use crate::scheduler::framework::{Budgets, Filter, Nomination, PodRef, PostFilter};
use crate::scheduler::profile::Profile;
use crate::time::SimTime;

/// Kubernetes' DefaultPreemption.
pub struct DefaultPreemption;

/// A pod taken off its node during a what-if, with what binding it again must restore.
struct Removed {
    pod: PodId,
    node: NodeId,
    /// The pod as it was on its node (binding times, readiness, container state).
    saved: Pod,
}

fn remove(cluster: &mut Cluster, pod: PodId) -> Removed {
    let p = cluster.pod(pod);
    let saved = Removed {
        pod,
        node: p.node.expect("a running pod has a node"),
        saved: p.clone(),
    };
    cluster.unbind(pod, PodPhase::Pending);
    saved
}

fn restore(cluster: &mut Cluster, r: &Removed) {
    // The same devices: the pod is put back exactly as it was.
    cluster.bind_on_devices(
        r.pod,
        r.node,
        r.saved.bound_at.unwrap_or(SimTime::ZERO),
        Some(r.saved.gpu_devices),
    );
    let slot = cluster.pod(r.pod).slot_on_node;
    let p = cluster.pod_mut(r.pod);
    *p = r.saved.clone();
    p.slot_on_node = slot;
}

fn fits(filters: &[Box<dyn Filter>], pod: &Pod, node: NodeId, cluster: &Cluster) -> bool {
    let r = PodRef::new(cluster, pod);
    Profile::feasible(filters, &r, cluster.node(node), cluster)
}

/// True if `pod` may preempt at all (its policy is not `Never`).
pub fn may_preempt(cluster: &Cluster, pod: &Pod) -> bool {
    cluster.template(pod.template).preemption_policy != PreemptionPolicy::Never
}

/// The minimal victim set on `node` for `pod` (most important first), or `None` if evicting
/// every lower-priority pod there would not make room.
pub fn select_victims_on_node(
    pod: &Pod,
    node: NodeId,
    cluster: &mut Cluster,
    filters: &[Box<dyn Filter>],
) -> Option<Vec<PodId>> {
    select_victims_within_budgets(pod, node, cluster, filters, &Budgets::default())
        .map(|(victims, _)| victims)
}

/// As [`select_victims_on_node`], keeping disruption budgets where it can (Kubernetes'
/// `filterPodsWithPDBViolation`): the candidates whose eviction would exceed their budget are
/// reprieved first. Returns the victims and how many of them violate their budget.
pub fn select_victims_within_budgets(
    pod: &Pod,
    node: NodeId,
    cluster: &mut Cluster,
    filters: &[Box<dyn Filter>],
    budgets: &Budgets,
) -> Option<(Vec<PodId>, usize)> {
    if !cluster.node(node).is_schedulable() {
        return None;
    }
    let mut candidates: Vec<PodId> = cluster
        .node(node)
        .pods
        .iter()
        .copied()
        .filter(|&v| cluster.pod(v).priority < pod.priority)
        .collect();
    if candidates.is_empty() {
        return None;
    }
    // Most important first: higher priority, then earlier start, then pod id.
    candidates.sort_by_key(|&v| {
        let p = cluster.pod(v);
        (std::cmp::Reverse(p.priority), p.bound_at, v)
    });
    // Those whose budget is spent come first in the reprieve, so they are kept if possible;
    // each other budget pays for one candidate at a time.
    let mut left: Vec<Option<u32>> = budgets.allowed.clone();
    let (mut violating, mut fine): (Vec<PodId>, Vec<PodId>) = (Vec::new(), Vec::new());
    for &v in &candidates {
        let w = cluster.pod(v).workload as usize;
        match left.get_mut(w).and_then(Option::as_mut) {
            Some(0) => violating.push(v),
            Some(n) => {
                *n -= 1;
                fine.push(v);
            }
            None => fine.push(v),
        }
    }
    let order: Vec<(PodId, bool)> = violating
        .iter()
        .map(|&v| (v, true))
        .chain(fine.iter().map(|&v| (v, false)))
        .collect();
    let mut removed: Vec<(Removed, bool)> = order
        .iter()
        .map(|&(v, violates)| (remove(cluster, v), violates))
        .collect();
    let mut victims = None;
    if fits(filters, pod, node, cluster) {
        let mut chosen = Vec::new();
        let mut violations = 0;
        for (r, violates) in &mut removed {
            restore(cluster, r);
            if fits(filters, pod, node, cluster) {
                r.node = NodeId(u32::MAX); // reprieved: already back on the node
            } else {
                let again = remove(cluster, r.pod);
                *r = again;
                chosen.push(r.pod);
                violations += usize::from(*violates);
            }
        }
        // Report the victims most important first, whatever group they came from.
        chosen.sort_by_key(|&v| candidates.iter().position(|&c| c == v));
        victims = Some((chosen, violations));
    }
    for (r, _) in removed.iter().filter(|(r, _)| r.node != NodeId(u32::MAX)) {
        restore(cluster, r);
    }
    victims
}

impl PostFilter for DefaultPreemption {
    fn name(&self) -> &'static str {
        "DefaultPreemption"
    }

    fn post_filter(
        &self,
        pod: PodId,
        cluster: &mut Cluster,
        filters: &[Box<dyn Filter>],
        budgets: &Budgets,
    ) -> Option<Nomination> {
        let preemptor = cluster.pod(pod).clone();
        if !may_preempt(cluster, &preemptor) {
            return None;
        }
        let order: Vec<NodeId> = cluster.node_order().to_vec();
        // (budget violations, highest victim priority, victim count, node order index) —
        // lower is better, as Kubernetes' pickOneNodeForPreemption ranks them.
        let mut best: Option<((usize, i32, usize, usize), Nomination)> = None;
        for (i, &node) in order.iter().enumerate() {
            let Some((victims, violations)) =
                select_victims_within_budgets(&preemptor, node, cluster, filters, budgets)
            else {
                continue;
            };
            let Some(top) = victims.first().map(|&v| cluster.pod(v).priority) else {
                continue; // fits without evicting anything: nothing to preempt for
            };
            let key = (violations, top, victims.len(), i);
            if best.as_ref().is_none_or(|(b, _)| key < *b) {
                best = Some((key, Nomination { node, victims }));
            }
        }
        best.map(|(_, n)| n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PodTemplate;
    use crate::model::{PoolId, TemplateId};
    use crate::quantity::Resources;
    use crate::scheduler::registry::default_filters;
    use crate::scheduler::testkit::{pod, pool};

    /// Nodes of 4000m each; `pods[i]` lists `(priority, cpu_m)` of the pods bound to node i.
    /// Template 1 never preempts. Returns the cluster and the pods' ids per node.
    fn cluster(nodes: &[&[(i32, u64)]]) -> (Cluster, Vec<Vec<PodId>>) {
        let never = PodTemplate {
            preemption_policy: PreemptionPolicy::Never,
            ..PodTemplate::default()
        };
        let mut c = Cluster::new(
            vec!["zone-a".into()],
            vec![pool("p", Resources::new(4000, 0, 0))],
            vec![PodTemplate::default(), never],
            vec!["w".into(), "never".into()],
        );
        let mut ids = Vec::new();
        for (t, list) in nodes.iter().enumerate() {
            let node = c.launch_node(PoolId(0), 0, SimTime(0), true);
            let mut on_node = Vec::new();
            for (i, &(priority, cpu)) in list.iter().enumerate() {
                let mut p = pod(Resources::new(cpu, 0, 0));
                p.priority = priority;
                let id = c.submit_pod(p);
                // Distinct start times: later in the list started later.
                c.bind(id, node, SimTime((t * 10 + i) as u64));
                on_node.push(id);
            }
            ids.push(on_node);
        }
        (c, ids)
    }

    fn preemptor(c: &mut Cluster, priority: i32, cpu: u64, template: u32) -> PodId {
        let mut p = pod(Resources::new(cpu, 0, 0));
        p.priority = priority;
        p.template = TemplateId(template);
        c.submit_pod(p)
    }

    #[test]
    fn victims_are_the_minimal_set_after_reprieve() {
        // Node 4000m full: a prio 1 1000m, b prio 2 1000m, c prio 3 2000m. Preemptor prio 10
        // asks 2000m. All three out: 4000m free, fits. Reprieve most important first:
        // c back → 2000m free, fits, reprieved; b back → 1000m free, no fit, victim;
        // a back → 1000m free, no fit, victim. Victims [b, a].
        let (mut c, ids) = cluster(&[&[(1, 1000), (2, 1000), (3, 2000)]]);
        let p = preemptor(&mut c, 10, 2000, 0);
        let before: Vec<_> = c.nodes[0].pods.to_vec();
        let n = DefaultPreemption
            .post_filter(p, &mut c, &default_filters(), &Budgets::default())
            .unwrap();
        assert_eq!(n.node, NodeId(0));
        assert_eq!(n.victims, vec![ids[0][1], ids[0][0]]);
        // The what-if left the cluster as it was.
        let mut after: Vec<_> = c.nodes[0].pods.clone();
        let mut before = before;
        before.sort();
        after.sort();
        assert_eq!(before, after);
        assert_eq!(c.nodes[0].allocated.cpu_m, 4000);
        assert_eq!(c.totals.pending_pods, 1);
        assert_eq!(c.pod(ids[0][0]).bound_at, Some(SimTime(0)));

        // Preemptor prio 2 asks 2000m: only a (prio 1, 1000m) is lower; without it 1000m
        // free, no fit → no nomination. Equal priority is never a victim.
        let p = preemptor(&mut c, 2, 2000, 0);
        assert_eq!(
            DefaultPreemption.post_filter(p, &mut c, &default_filters(), &Budgets::default()),
            None
        );
    }

    /// Pods per node as `(priority, cpu_m)`, and the node expected to be chosen.
    type Case<'a> = (&'a [&'a [(i32, u64)]], u32);

    #[test]
    fn node_choice_lowest_top_priority_then_fewest_then_order() {
        let table: &[Case] = &[
            // Preemptor prio 10 asks 4000m. Node 0: one prio 5 victim (top 5); node 1: two
            // prio 1 victims (top 1) → node 1, lower top priority beats fewer victims.
            (&[&[(5, 4000)], &[(1, 2000), (1, 2000)]], 1),
            // Node 0: two prio 1 victims; node 1: one prio 1 victim → node 1 (fewer).
            (&[&[(1, 2000), (1, 2000)], &[(1, 4000)]], 1),
            // Both one prio 1 victim → node 0 (earlier in the node order).
            (&[&[(1, 4000)], &[(1, 4000)]], 0),
            // Node 0 holds an equal-priority pod (no victim possible); node 1 prio 9 → node 1.
            (&[&[(10, 4000)], &[(9, 4000)]], 1),
        ];
        for (i, (nodes, want)) in table.iter().enumerate() {
            let (mut c, _) = cluster(nodes);
            let p = preemptor(&mut c, 10, 4000, 0);
            let n =
                DefaultPreemption.post_filter(p, &mut c, &default_filters(), &Budgets::default());
            assert_eq!(n.map(|n| n.node), Some(NodeId(*want)), "case {i}");
        }
    }

    #[test]
    fn never_policy_does_not_preempt() {
        let (mut c, _) = cluster(&[&[(1, 4000)]]);
        let p = preemptor(&mut c, 10, 4000, 1);
        assert_eq!(
            DefaultPreemption.post_filter(p, &mut c, &default_filters(), &Budgets::default()),
            None
        );
    }
}
