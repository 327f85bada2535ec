//! The cluster: nodes in their stable order, pods, and running totals kept up to date on every
//! change so metrics never rescan the cluster.

use super::{Node, NodeId, NodeState, Pod, PodId, PodPhase, PoolId, TemplateId};
use super::{PodTemplate, PoolSpec, Selection, Selections, Taint};
use crate::quantity::Resources;
use crate::time::SimTime;

#[derive(Clone, Debug)]
pub struct Cluster {
    pub zones: Vec<String>,
    pub pools: Vec<PoolSpec>,
    /// Pod templates, one per workload, indexed by [`TemplateId`].
    pub templates: Vec<PodTemplate>,
    /// The workload name of each template (pods are named `<workload>-<ordinal>`).
    pub template_names: Vec<String>,
    /// Templates with required anti-affinity terms (the symmetric check visits only these).
    pub anti_affinity_templates: Vec<usize>,
    /// Per template, where its selections are in `selection_list` (see
    /// [`Cluster::spread_selection`]).
    selections: Vec<Selections>,
    /// Every spread constraint's and anti-affinity term's selection, with its per-node counts
    /// (empty when no template has such constraints, so binding then costs nothing more).
    selection_list: Vec<Selection>,
    /// Every node ever launched, indexed by [`NodeId`].
    pub nodes: Vec<Node>,
    /// Every pod ever submitted, indexed by [`PodId`].
    pub pods: Vec<Pod>,
    /// Live (not terminated) nodes in the stable order: pools in file order, then creation
    /// order. First-fit and every tie-break use this order.
    order: Vec<NodeId>,
    /// Launches per pool, for node names.
    launches: Vec<u32>,
    pub totals: Totals,
    /// Nodes whose free capacity, state or taints changed, oldest first, for indexes kept by
    /// scheduling policies (see [`Cluster::node_changes_since`]).
    node_log: Vec<NodeId>,
    /// Sequence number of `node_log[0]`.
    node_log_start: u64,
}

/// The change log keeps at least this many entries (and at least two per node).
const NODE_LOG_MIN: usize = 4096;

/// Running totals, updated incrementally.
#[derive(Clone, Debug, Default)]
pub struct Totals {
    /// Up nodes (ready, cordoned or draining) per pool.
    pub up_by_pool: Vec<u32>,
    /// Launched, not yet terminated nodes per pool (what is billed).
    pub live_by_pool: Vec<u32>,
    /// Allocatable resources of up nodes.
    pub allocatable: Resources,
    /// Requests of bound pods.
    pub allocated: Resources,
    /// Nodes holding at least one pod.
    pub used_nodes: u32,
    pub running_pods: u32,
    pub pending_pods: u32,
    /// Running pods per workload index.
    pub running_by_workload: Vec<u32>,
    /// Requested cpu (millicores) of bound pods per pool and template, at
    /// `pool * templates + template` (for cost shares by namespace).
    pub allocated_cpu_by_pool_template: Vec<u64>,
    /// Milli-GPU left on partly allocated GPU devices (free, but only for pods that fit in
    /// what a share left).
    pub gpu_fragment: u64,
}

impl Cluster {
    pub fn new(
        zones: Vec<String>,
        pools: Vec<PoolSpec>,
        templates: Vec<PodTemplate>,
        template_names: Vec<String>,
    ) -> Self {
        let n = pools.len();
        let slots = n * templates.len();
        // Every workload has a template, so template count bounds the workload indices.
        let workloads = templates.len();
        let anti_affinity_templates = templates
            .iter()
            .enumerate()
            .filter(|(_, t)| !t.anti_affinity.is_empty())
            .map(|(i, _)| i)
            .collect();
        let (selections, selection_list) = selections_of(&templates);
        Cluster {
            zones,
            pools,
            anti_affinity_templates,
            selections,
            selection_list,
            templates,
            template_names,
            nodes: Vec::new(),
            pods: Vec::new(),
            order: Vec::new(),
            launches: vec![0; n],
            totals: Totals {
                up_by_pool: vec![0; n],
                live_by_pool: vec![0; n],
                allocated_cpu_by_pool_template: vec![0; slots],
                gpu_fragment: 0,
                running_by_workload: vec![0; workloads],
                ..Totals::default()
            },
            node_log: Vec::new(),
            node_log_start: 0,
        }
    }

    /// Records that a node's free capacity, state, taints or place in the order changed, so
    /// that scheduling indexes catch up. Every method here that changes a node calls it; code
    /// that edits a [`Node`] directly (e.g. pushes to `extra_taints`) must call it too.
    pub fn note_node_change(&mut self, id: NodeId) {
        if self.node_log.len() >= NODE_LOG_MIN.max(2 * self.nodes.len()) {
            // Readers that fell this far behind rebuild instead; amortised O(1) per change.
            let half = self.node_log.len() / 2;
            self.node_log.drain(..half);
            self.node_log_start += half as u64;
        }
        self.node_log.push(id);
    }

    /// The sequence number the next node change will get.
    pub fn node_change_seq(&self) -> u64 {
        self.node_log_start + self.node_log.len() as u64
    }

    /// Nodes changed since sequence number `seq` (possibly repeated), or `None` if some of
    /// those changes were already discarded (the reader must then rebuild from scratch).
    pub fn node_changes_since(&self, seq: u64) -> Option<&[NodeId]> {
        let skip = seq.checked_sub(self.node_log_start)?;
        self.node_log.get(usize::try_from(skip).ok()?..)
    }

    /// Which pods constraint `k` of template `owner`'s `topology_spread` selects, and how many
    /// each node holds.
    pub fn spread_selection(&self, owner: TemplateId, k: usize) -> &Selection {
        &self.selection_list[self.selections[owner.0 as usize].topology_spread[k]]
    }

    /// Which pods term `k` of template `owner`'s `anti_affinity` selects, and how many each
    /// node holds.
    pub fn anti_affinity_selection(&self, owner: TemplateId, k: usize) -> &Selection {
        &self.selection_list[self.selections[owner.0 as usize].anti_affinity[k]]
    }

    /// The pods of template `i`, which has anti-affinity terms, per node.
    pub fn own_pods_selection(&self, i: usize) -> &Selection {
        let k = self.selections[i]
            .own_pods
            .expect("a template with anti-affinity terms");
        &self.selection_list[k]
    }

    /// Every selection with its counts (for tests that recount them).
    pub fn selection_list(&self) -> &[Selection] {
        &self.selection_list
    }

    /// Counts `pod` in (`bound`) or out of the per-node counts of every selection picking it.
    fn count_selected(&mut self, pod: PodId, node: NodeId, bound: bool) {
        let p = &self.pods[pod.0 as usize];
        for sel in &mut self.selection_list {
            if !sel.picks(p) {
                continue;
            }
            let i = node.0 as usize;
            if sel.per_node.len() <= i {
                sel.per_node.resize(self.nodes.len().max(i + 1), 0);
            }
            if bound {
                sel.per_node[i] += 1;
            } else {
                sel.per_node[i] -= 1;
            }
        }
    }

    /// Live nodes in the stable order.
    #[inline]
    pub fn node_order(&self) -> &[NodeId] {
        &self.order
    }

    #[inline]
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.0 as usize]
    }

    #[inline]
    pub fn pod(&self, id: PodId) -> &Pod {
        &self.pods[id.0 as usize]
    }

    #[inline]
    pub fn pod_mut(&mut self, id: PodId) -> &mut Pod {
        &mut self.pods[id.0 as usize]
    }

    pub fn pool(&self, id: PoolId) -> &PoolSpec {
        &self.pools[id.0 as usize]
    }

    pub fn template(&self, id: TemplateId) -> &PodTemplate {
        &self.templates[id.0 as usize]
    }

    /// Taints on a node: its pool's, then any added at run time.
    pub fn taints<'a>(&'a self, node: &'a Node) -> impl Iterator<Item = &'a Taint> + 'a {
        self.pools[node.pool.0 as usize]
            .taints
            .iter()
            .chain(node.extra_taints.iter())
    }

    /// A node label: the pool's labels, then the well-known ones.
    pub fn node_label<'a>(&'a self, node: &'a Node, key: &str) -> Option<&'a str> {
        let pool = &self.pools[node.pool.0 as usize];
        if let Some(v) = pool.labels.get(key) {
            return Some(v);
        }
        match key {
            "kubernetes.io/hostname" => Some(&node.name),
            "topology.kubernetes.io/zone" => Some(&self.zones[node.zone as usize]),
            "karpenter.sh/capacity-type" => Some(pool.capacity_type.as_str()),
            "clustersim.io/pool" => Some(&pool.name),
            _ => None,
        }
    }

    /// Launches a node of `pool` in `zone`. It starts in `Provisioning` unless `ready` is set
    /// (the initial nodes of a pool are ready at time 0).
    pub fn launch_node(&mut self, pool: PoolId, zone: u32, now: SimTime, ready: bool) -> NodeId {
        let id = NodeId(self.nodes.len() as u32);
        let spec = &self.pools[pool.0 as usize];
        let n = &mut self.launches[pool.0 as usize];
        let name = format!("{}-{}", spec.name, *n);
        *n += 1;
        self.nodes.push(Node {
            id,
            name,
            pool,
            zone,
            state: NodeState::Provisioning,
            allocatable: spec.node,
            allocated: Resources::ZERO,
            max_pods: spec.max_pods,
            pods: Vec::new(),
            extra_taints: Vec::new(),
            launched_at: now,
            ready_at: None,
            terminated_at: None,
            gpu_left: super::node::fresh_devices(spec.node.gpu),
        });
        self.totals.live_by_pool[pool.0 as usize] += 1;
        // Keep the stable order: after the last live node of this pool or an earlier one.
        let pos = self
            .order
            .partition_point(|other| self.nodes[other.0 as usize].pool <= pool);
        self.order.insert(pos, id);
        self.note_node_change(id);
        if ready {
            self.mark_ready(id, now);
        }
        id
    }

    /// Provisioning (or NotReady) → Ready.
    pub fn mark_ready(&mut self, id: NodeId, now: SimTime) {
        let node = &mut self.nodes[id.0 as usize];
        debug_assert!(matches!(
            node.state,
            NodeState::Provisioning | NodeState::NotReady
        ));
        node.state = NodeState::Ready;
        node.ready_at.get_or_insert(now);
        self.totals.up_by_pool[node.pool.0 as usize] += 1;
        self.totals.allocatable += node.allocatable;
        self.note_node_change(id);
    }

    /// Cordoned (or draining) → Ready: the node takes pods again.
    pub fn uncordon(&mut self, id: NodeId) {
        let node = &mut self.nodes[id.0 as usize];
        debug_assert!(matches!(
            node.state,
            NodeState::Cordoned | NodeState::Draining
        ));
        node.state = NodeState::Ready;
        self.note_node_change(id);
    }

    /// Marks a node unschedulable (cordon) or draining; pods already bound stay.
    pub fn set_unschedulable(&mut self, id: NodeId, state: NodeState) {
        debug_assert!(matches!(state, NodeState::Cordoned | NodeState::Draining));
        let node = &mut self.nodes[id.0 as usize];
        if node.is_up() {
            node.state = state;
        }
        self.note_node_change(id);
    }

    /// An up node becomes NotReady (its pods must have been unbound first); it stays billed.
    pub fn set_not_ready(&mut self, id: NodeId) {
        let node = &mut self.nodes[id.0 as usize];
        debug_assert!(node.pods.is_empty(), "a node going down still has pods");
        if node.is_up() {
            node.state = NodeState::NotReady;
            self.totals.up_by_pool[node.pool.0 as usize] -= 1;
            self.totals.allocatable -= node.allocatable;
        }
        self.note_node_change(id);
    }

    /// Terminates a node. Its pods must have been unbound first.
    pub fn terminate_node(&mut self, id: NodeId, now: SimTime) {
        let node = &mut self.nodes[id.0 as usize];
        debug_assert!(
            node.pods.is_empty(),
            "terminating a node that still has pods"
        );
        if node.state == NodeState::Terminated {
            return;
        }
        if node.is_up() {
            self.totals.up_by_pool[node.pool.0 as usize] -= 1;
            self.totals.allocatable -= node.allocatable;
        }
        node.state = NodeState::Terminated;
        node.terminated_at = Some(now);
        self.totals.live_by_pool[node.pool.0 as usize] -= 1;
        // The order is sorted by (pool, id): find the node by binary search.
        let key = |n: &NodeId| (self.nodes[n.0 as usize].pool, *n);
        let me = (self.nodes[id.0 as usize].pool, id);
        let pos = self.order.partition_point(|n| key(n) < me);
        if self.order.get(pos) == Some(&id) {
            self.order.remove(pos);
        }
        self.note_node_change(id);
    }

    /// Adds a pending pod and returns its id.
    pub fn submit_pod(&mut self, mut pod: Pod) -> PodId {
        let id = PodId(self.pods.len() as u32);
        pod.id = id;
        pod.phase = PodPhase::Pending;
        self.pods.push(pod);
        self.totals.pending_pods += 1;
        id
    }

    /// Pending → Running on `node`: the pod now holds its requests there, GPU shares on the
    /// devices [`super::node::pick_devices`] chooses.
    pub fn bind(&mut self, pod_id: PodId, node_id: NodeId, now: SimTime) {
        self.bind_on_devices(pod_id, node_id, now, None);
    }

    /// [`Cluster::bind`], on the given GPU devices (a bit set) if `devices` is set.
    pub fn bind_on_devices(
        &mut self,
        pod_id: PodId,
        node_id: NodeId,
        now: SimTime,
        devices: Option<u64>,
    ) {
        let pod = &mut self.pods[pod_id.0 as usize];
        let node = &mut self.nodes[node_id.0 as usize];
        if pod.requests.gpu > 0 && !node.gpu_left.is_empty() {
            let mask = devices
                .unwrap_or_else(|| super::node::pick_devices(&node.gpu_left, pod.requests.gpu));
            let per = per_device(pod.requests.gpu, mask);
            self.totals.gpu_fragment -= fragment(&node.gpu_left);
            for (i, g) in node.gpu_left.iter_mut().enumerate() {
                if mask & (1 << i) != 0 {
                    debug_assert!(*g >= per, "binding over a GPU device's capacity");
                    *g = g.saturating_sub(per);
                }
            }
            self.totals.gpu_fragment += fragment(&node.gpu_left);
            pod.gpu_devices = mask;
        }
        debug_assert_eq!(pod.phase, PodPhase::Pending);
        debug_assert!(node.is_schedulable());
        debug_assert!(pod.requests.fits_in(&node.free()), "binding over capacity");
        pod.phase = PodPhase::Running;
        pod.node = Some(node_id);
        pod.bound_at = Some(now);
        pod.slot_on_node = node.pods.len() as u32;
        if node.pods.is_empty() {
            self.totals.used_nodes += 1;
        }
        node.pods.push(pod_id);
        node.allocated += pod.requests;
        self.totals.allocated += pod.requests;
        let slot = node.pool.0 as usize * self.templates.len() + pod.template.0 as usize;
        self.totals.allocated_cpu_by_pool_template[slot] += pod.requests.cpu_m;
        self.totals.pending_pods -= 1;
        self.totals.running_pods += 1;
        self.totals.running_by_workload[pod.workload as usize] += 1;
        if !self.selection_list.is_empty() {
            self.count_selected(pod_id, node_id, true);
        }
        self.note_node_change(node_id);
    }

    /// Running → `phase` (a terminal phase, or `Pending` to requeue): frees the pod's requests.
    pub fn unbind(&mut self, pod_id: PodId, phase: PodPhase) {
        let pod = &mut self.pods[pod_id.0 as usize];
        debug_assert_eq!(pod.phase, PodPhase::Running);
        let node_id = pod.node.take().expect("running pod has a node");
        pod.phase = phase;
        pod.ready = false;
        pod.ready_since = None;
        pod.available = false;
        pod.started_at = None;
        pod.crash_looping = false;
        // Timers set for this binding are stale from now on.
        pod.incarnation = pod.incarnation.wrapping_add(1);
        let slot = pod.slot_on_node as usize;
        let requests = pod.requests;
        let template = pod.template.0 as usize;
        let devices = std::mem::take(&mut pod.gpu_devices);
        let node = &mut self.nodes[node_id.0 as usize];
        if devices != 0 {
            let per = per_device(requests.gpu, devices);
            self.totals.gpu_fragment -= fragment(&node.gpu_left);
            for (i, g) in node.gpu_left.iter_mut().enumerate() {
                if devices & (1 << i) != 0 {
                    *g = (*g + per).min(1000);
                }
            }
            self.totals.gpu_fragment += fragment(&node.gpu_left);
        }
        node.pods.swap_remove(slot);
        if let Some(&moved) = node.pods.get(slot) {
            self.pods[moved.0 as usize].slot_on_node = slot as u32;
        }
        node.allocated -= requests;
        let share = node.pool.0 as usize * self.templates.len() + template;
        self.totals.allocated_cpu_by_pool_template[share] -= requests.cpu_m;
        if node.pods.is_empty() {
            self.totals.used_nodes -= 1;
        }
        self.totals.allocated -= requests;
        self.totals.running_pods -= 1;
        self.totals.running_by_workload[self.pods[pod_id.0 as usize].workload as usize] -= 1;
        if !self.selection_list.is_empty() {
            self.count_selected(pod_id, node_id, false);
        }
        if phase == PodPhase::Pending {
            self.totals.pending_pods += 1;
        }
        self.note_node_change(node_id);
    }

    /// Pending → Deleted: the pod leaves without ever running again.
    pub fn delete_pending(&mut self, pod_id: PodId) {
        let pod = &mut self.pods[pod_id.0 as usize];
        debug_assert_eq!(pod.phase, PodPhase::Pending);
        pod.phase = PodPhase::Deleted;
        self.totals.pending_pods -= 1;
    }

    /// Display name of a pod: a trace row's own name, or `<workload>-<ordinal>`.
    pub fn pod_name(&self, id: PodId) -> String {
        let pod = self.pod(id);
        match &pod.name_override {
            Some(name) => name.to_string(),
            None => format!(
                "{}-{}",
                self.template_names[pod.template.0 as usize], pod.ordinal
            ),
        }
    }
}

/// Milli-GPU a request of `milli` in all holds on each device of `mask`.
fn per_device(milli: u64, mask: u64) -> u32 {
    (milli / (mask.count_ones().max(1) as u64)).min(1000) as u32
}

/// Milli-GPU left on a node's partly allocated devices.
fn fragment(gpu_left: &[u32]) -> u64 {
    gpu_left
        .iter()
        .filter(|&&g| g != 0 && g != 1000)
        .map(|&g| g as u64)
        .sum()
}

/// The selections of every template's spread constraints and anti-affinity terms (and each
/// anti-affinity template's own pods), listed once, and where each template's are.
fn selections_of(templates: &[PodTemplate]) -> (Vec<Selections>, Vec<Selection>) {
    let mut list = Vec::new();
    let mut push = |s: Selection| {
        list.push(s);
        list.len() - 1
    };
    let per_template = templates
        .iter()
        .enumerate()
        .map(|(i, t)| Selections {
            topology_spread: t
                .topology_spread
                .iter()
                .map(|c| push(Selection::new(&c.label_selector, &t.namespace, templates)))
                .collect(),
            anti_affinity: t
                .anti_affinity
                .iter()
                .map(|a| push(Selection::new(&a.label_selector, &t.namespace, templates)))
                .collect(),
            own_pods: (!t.anti_affinity.is_empty())
                .then(|| push(Selection::of_template(i, templates.len()))),
        })
        .collect();
    (per_template, list)
}
