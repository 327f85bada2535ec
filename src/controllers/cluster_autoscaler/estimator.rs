//! What-if placement for the Cluster Autoscaler: would these pending pods fit on new nodes of a
//! node group, and on how many? (`estimator/binpacking_estimator.go`.)
//!
//! The nodes here are template nodes built from the pool, never added to the cluster: the
//! scheduler's real filters run against them, and the view is dropped when the estimate is
//! done. A template node's hostname domain holds only the pods packed onto it; pods packed onto
//! other template nodes are not seen by zone-level constraints (a simplification).

use crate::model::{Cluster, Node, NodeId, NodeState, PodId, PoolId};
use crate::quantity::Resources;
use crate::scheduler::{Filter, PodRef, Reason};
use crate::time::SimTime;

/// An empty node of `pool` in `zone` that is not in the cluster (its id is past the cluster's
/// nodes, so filters can tell). It has no name (its hostname label is empty): building one
/// per what-if would cost more than the check.
pub fn template_node(cluster: &Cluster, pool: PoolId, zone: u32, k: usize) -> Node {
    let spec = cluster.pool(pool);
    Node {
        id: NodeId((cluster.nodes.len() + k) as u32),
        name: String::new(),
        pool,
        zone,
        state: NodeState::Ready,
        allocatable: spec.node,
        allocated: Resources::ZERO,
        max_pods: spec.max_pods,
        pods: Vec::new(),
        extra_taints: Vec::new(),
        launched_at: SimTime::ZERO,
        ready_at: Some(SimTime::ZERO),
        terminated_at: None,
        gpu_left: crate::model::fresh_devices(spec.node.gpu),
    }
}

/// The first filter that rejects `pod` on `node`, if any.
pub fn rejects(
    filters: &[Box<dyn Filter>],
    cluster: &Cluster,
    pod: PodId,
    node: &Node,
) -> Option<Reason> {
    let p = cluster.pod(pod);
    let pod_ref = PodRef::new(cluster, p);
    filters
        .iter()
        .find_map(|f| f.filter(&pod_ref, node, cluster).err())
}

fn place(cluster: &Cluster, pod: PodId, node: &mut Node) {
    node.allocated += cluster.pod(pod).requests;
    node.pods.push(pod);
}

/// Cluster Autoscaler's `DecreasingPodOrderer`: pods by cpu/allocatable + memory/allocatable of
/// the group's node, largest first (ties by pod id).
pub fn sort_decreasing(cluster: &Cluster, node: &Resources, pods: &mut [PodId]) {
    let score = |id: &PodId| {
        let r = &cluster.pod(*id).requests;
        let cpu = r.cpu_m as f64 / node.cpu_m.max(1) as f64;
        let mem = r.memory as f64 / node.memory.max(1) as f64;
        cpu + mem
    };
    pods.sort_by(|a, b| score(b).total_cmp(&score(a)).then(a.cmp(b)));
}

/// The result of packing pods onto new nodes of one group.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Estimate {
    /// New nodes needed.
    pub nodes: u32,
    /// The pods they would take, in packing order.
    pub pods: Vec<PodId>,
}

/// First-fit decreasing onto new template nodes of `pool` in `zone`: each pod goes to the
/// first opened node it fits, else a new one, while fewer than `limit` are open. Pods that do
/// not fit an empty template node are left out.
pub fn estimate(
    cluster: &Cluster,
    filters: &[Box<dyn Filter>],
    pool: PoolId,
    zone: u32,
    pods: &[PodId],
    limit: u32,
) -> Estimate {
    let mut sorted = pods.to_vec();
    sort_decreasing(cluster, &cluster.pool(pool).node, &mut sorted);
    let mut nodes: Vec<Node> = Vec::new();
    let mut placed = Vec::new();
    let empty = template_node(cluster, pool, zone, 0);
    for pod in sorted {
        if let Some(n) = nodes
            .iter_mut()
            .find(|n| rejects(filters, cluster, pod, n).is_none())
        {
            place(cluster, pod, n);
            placed.push(pod);
            continue;
        }
        if nodes.len() as u32 >= limit || rejects(filters, cluster, pod, &empty).is_some() {
            continue;
        }
        let mut n = template_node(cluster, pool, zone, nodes.len());
        place(cluster, pod, &mut n);
        nodes.push(n);
        placed.push(pod);
    }
    Estimate {
        nodes: nodes.len() as u32,
        pods: placed,
    }
}

/// Upstream's `FilterOutSchedulable`: the pods that would schedule without a scale-up, on the
/// ready nodes' free room or on `upcoming` nodes (launched, not ready yet) counted as ready and
/// empty. First fit in pod id order, room promised as pods are placed; once a pod of a class
/// (template and requests) fits nowhere, the rest of its class are not tried again.
pub fn schedulable_without_scale_up(
    cluster: &Cluster,
    filters: &[Box<dyn Filter>],
    upcoming: &[NodeId],
    pods: &[PodId],
    rooms: &mut Rooms,
) -> Vec<PodId> {
    let mut promised = Promised::new();
    let mut failed: Vec<(crate::model::TemplateId, Resources)> = Vec::new();
    let mut rest = Vec::new();
    let mut taken = Vec::new();
    for &pod in pods {
        let p = cluster.pod(pod);
        let class = (p.template, p.requests);
        if failed.contains(&class) {
            rest.push(pod);
            continue;
        }
        match find_room(cluster, filters, pod, &promised, |_| true, rooms) {
            Some(id) => {
                promise(&mut promised, id, p.requests);
                taken.push(pod);
            }
            None => {
                failed.push(class);
                rest.push(pod);
            }
        }
    }
    taken.extend(fit_on_upcoming(cluster, filters, upcoming, &rest));
    taken.sort_unstable();
    taken
}

/// Room already promised on real nodes during one what-if: resources and pods per node.
pub type Promised = std::collections::BTreeMap<NodeId, (Resources, u32)>;

/// Promises room for `requests` on `node`.
pub fn promise(promised: &mut Promised, node: NodeId, requests: Resources) {
    let e = promised.entry(node).or_insert((Resources::ZERO, 0));
    e.0 += requests;
    e.1 += 1;
}

/// Schedulable nodes with room for a request shape, in node order: [`find_room`]'s first,
/// cheap test, done once per shape and remembered while no node changes (the cluster's
/// node-change sequence, which every change of free capacity, state, taints or order moves).
/// In a full cluster a what-if then looks at the few nodes with room instead of every node.
#[derive(Debug, Default)]
pub struct Rooms {
    /// The node-change sequence the lists are for.
    seq: Option<u64>,
    shapes: Vec<(Resources, Vec<NodeId>)>,
}

/// Most shapes [`Rooms`] keeps before it starts over (memory stays bounded).
const MAX_ROOM_SHAPES: usize = 64;

impl Rooms {
    /// Schedulable nodes whose free resources take `requests`, in node order.
    pub fn nodes(&mut self, cluster: &Cluster, requests: Resources) -> &[NodeId] {
        let seq = cluster.node_change_seq();
        if self.seq != Some(seq) || self.shapes.len() >= MAX_ROOM_SHAPES {
            self.seq = Some(seq);
            self.shapes.clear();
        }
        let i = match self.shapes.iter().position(|(r, _)| *r == requests) {
            Some(i) => i,
            None => {
                let list = cluster
                    .node_order()
                    .iter()
                    .copied()
                    .filter(|&id| {
                        let n = cluster.node(id);
                        n.is_schedulable() && requests.fits_in(&n.free())
                    })
                    .collect();
                self.shapes.push((requests, list));
                self.shapes.len() - 1
            }
        };
        &self.shapes[i].1
    }
}

/// The first schedulable node (in node order, among those `allowed`) where `pod` fits beside
/// what is `promised` there: free resources less the promise, a pod slot, every filter.
/// `rooms` must only ever be used with this cluster.
pub fn find_room(
    cluster: &Cluster,
    filters: &[Box<dyn Filter>],
    pod: PodId,
    promised: &Promised,
    allowed: impl Fn(NodeId) -> bool,
    rooms: &mut Rooms,
) -> Option<NodeId> {
    let p = cluster.pod(pod);
    let pod_ref = PodRef::new(cluster, p);
    rooms
        .nodes(cluster, p.requests)
        .iter()
        .copied()
        .find(|&id| {
            let n = cluster.node(id);
            if !allowed(id) {
                return false;
            }
            let (extra, extra_pods) = promised.get(&id).copied().unwrap_or((Resources::ZERO, 0));
            p.requests.fits_in(&n.free().saturating_sub(&extra))
                && n.pod_count() + extra_pods < n.max_pods
                && filters
                    .iter()
                    .all(|f| f.filter(&pod_ref, n, cluster).is_ok())
        })
}

/// Pods that fit on `upcoming` nodes (launched, not ready yet), as if those were ready and
/// empty: first fit, pods in decreasing order of the first upcoming node's shape.
pub fn fit_on_upcoming(
    cluster: &Cluster,
    filters: &[Box<dyn Filter>],
    upcoming: &[NodeId],
    pods: &[PodId],
) -> Vec<PodId> {
    let mut nodes: Vec<Node> = upcoming
        .iter()
        .enumerate()
        .map(|(k, &id)| {
            let real = cluster.node(id);
            template_node(cluster, real.pool, real.zone, k)
        })
        .collect();
    let Some(first) = nodes.first() else {
        return Vec::new();
    };
    let mut sorted = pods.to_vec();
    let shape = first.allocatable;
    sort_decreasing(cluster, &shape, &mut sorted);
    let mut taken = Vec::new();
    for pod in sorted {
        if let Some(n) = nodes
            .iter_mut()
            .find(|n| rejects(filters, cluster, pod, n).is_none())
        {
            place(cluster, pod, n);
            taken.push(pod);
        }
    }
    taken.sort_unstable();
    taken
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{PodTemplate, Taint, TaintEffect};
    use crate::quantity::Resources;
    const GI: u64 = 1 << 30;
    use crate::scheduler::plugins::{NodeResourcesFit, TaintToleration};
    use crate::scheduler::testkit::{pod, pool};

    fn filters() -> Vec<Box<dyn Filter>> {
        vec![Box::new(NodeResourcesFit), Box::new(TaintToleration)]
    }

    fn cluster_with(pools: Vec<crate::model::PoolSpec>, cpus: &[u64]) -> (Cluster, Vec<PodId>) {
        let mut cluster = Cluster::new(
            vec!["zone-a".into()],
            pools,
            vec![PodTemplate::default()],
            vec!["w".into()],
        );
        let pods = cpus
            .iter()
            .map(|&c| cluster.submit_pod(pod(Resources::new(c, GI, 0))))
            .collect();
        (cluster, pods)
    }

    #[test]
    fn packing_is_first_fit_decreasing_onto_template_nodes() {
        // 4-cpu nodes; pods of 1, 2, 3, 2, 1, 3, 2 cpu. Decreasing: 3 3 2 2 2 1 1.
        // First fit: [3,1] [3,1] [2,2] [2] → 4 nodes, every pod placed.
        let (cluster, pods) = cluster_with(
            vec![pool("p", Resources::new(4000, 64 * GI, 0))],
            &[1000, 2000, 3000, 2000, 1000, 3000, 2000],
        );
        let e = estimate(&cluster, &filters(), PoolId(0), 0, &pods, 100);
        assert_eq!(e.nodes, 4);
        assert_eq!(e.pods.len(), 7);
        // A limit of 2 nodes: [3,1] [3,1] hold the 3s and 1s; the 2s are left out.
        let e = estimate(&cluster, &filters(), PoolId(0), 0, &pods, 2);
        assert_eq!(e.nodes, 2);
        assert_eq!(e.pods.len(), 4);
    }

    #[test]
    fn template_nodes_carry_the_pools_taints_and_reject_what_never_fits() {
        let mut tainted = pool("gpu", Resources::new(4000, 64 * GI, 0));
        tainted.taints.push(Taint {
            key: "gpu".into(),
            value: "true".into(),
            effect: TaintEffect::NoSchedule,
        });
        let (cluster, pods) = cluster_with(
            vec![tainted, pool("p", Resources::new(4000, 64 * GI, 0))],
            &[1000, 5000],
        );
        // The tainted pool takes nothing; the 5-cpu pod never fits a 4-cpu node.
        assert_eq!(
            estimate(&cluster, &filters(), PoolId(0), 0, &pods, 10).nodes,
            0
        );
        let e = estimate(&cluster, &filters(), PoolId(1), 0, &pods, 10);
        assert_eq!((e.nodes, e.pods), (1, vec![pods[0]]));
    }
}
