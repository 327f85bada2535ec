//! Indexed policies: first-fit, best-fit, worst-fit and the score profiles (least- and
//! most-allocated) without filtering every node for every pod, with decisions identical to the
//! plain scan they wrap.
//!
//! # Design
//!
//! A node is **regular** when it is Ready, carries no run-time taints and has its pool's shape
//! (allocatable and pod limit). Every filter clustersim has then depends only on the node's pool
//! and its free capacity, and every score plug-in only on its pool and its allocation. So the
//! index groups the regular nodes of each pool by their exact free vector
//! `(cpu, memory, gpu, pod slots)`: members of a group are interchangeable except for their
//! position in the stable node order, and the earliest member stands for the group.
//!
//! - Per (pod template, pool) a cached verdict says whether the pool's taints and labels admit
//!   the template, judged by the policy's own TaintToleration and NodeAffinity filters on one
//!   regular node of the pool. A `node_selector` on a per-node label (hostname, zone) that the
//!   pool does not set makes the template fall back to the plain scan.
//! - Per pod, groups are visited in order of free cpu starting at the pod's cpu request (a
//!   `BTreeMap` range), so full nodes cost nothing; each group that fits is ranked by the
//!   policy's own rule on its earliest member (the same `dominant_leftover` or score plug-ins
//!   the scan uses), ties to the earlier position. Ready nodes that are not regular are few and
//!   are checked the slow way, with every filter.
//! - The cost per pod is O(pools + distinct free vectors that fit + irregular nodes) instead of
//!   O(nodes × filters). Workloads with a handful of pod shapes keep the number of distinct
//!   free vectors far below the number of nodes.
//! - Nodes are keyed by a stable identity, (pool, node id), which sorts exactly as the stable
//!   node order (pools in file order, then creation order), so "earliest member" needs no
//!   positions and a launch or termination moves no other node.
//! - Updates: [`Cluster`] logs every node whose capacity, state or taints change, launches and
//!   terminations included ([`Cluster::node_changes_since`]); before each decision the index
//!   re-files just those nodes, O(log nodes) each. Only a log the index fell behind rebuilds
//!   it, O(nodes log nodes).
//! - Topology spread and anti-affinity make a node's verdict depend on the pods around it, not
//!   just its free capacity: the scan decides for a pod with a hard spread constraint or one
//!   that an anti-affinity term concerns (its own, or another template's that selects it).
//!   Every other pod is answered from the index, whatever other templates carry.
//! - When `percentage_of_nodes_to_score` limits the search, the decision depends on where the
//!   rotating scan starts, so the wrapped scan decides. If the chosen node ever fails the full
//!   filters (a node edited without [`Cluster::note_node_change`]), the index is rebuilt and the
//!   scan decides that pod.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{Cluster, Node, NodeId, NodeState};
use crate::scheduler::framework::{Filter, PodRef, Policy, Score, independent_of_other_pods};
use crate::scheduler::heuristics::{dominant_leftover, ratio_lt};
use crate::scheduler::profile::Profile;

/// How an indexed policy ranks the feasible nodes; ties always go to the earlier node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    /// The earliest feasible node.
    FirstFit,
    /// The least dominant-resource leftover ([`crate::scheduler::heuristics::BestFit`]).
    BestFit,
    /// The most dominant-resource leftover.
    WorstFit,
    /// The highest weighted total of the wrapped policy's score plug-ins.
    Score,
}

/// The filters whose verdicts the index reproduces.
const UNDERSTOOD_FILTERS: [&str; 6] = [
    "NodeUnschedulable",
    "TaintToleration",
    "NodeAffinity",
    "NodeResourcesFit",
    // These two look at other pods; the index serves only pods for which they pass every node
    // (see `independent_of_other_pods`).
    "PodTopologySpread",
    "InterPodAffinity",
];

/// Labels that differ between nodes of one pool.
const PER_NODE_LABELS: [&str; 2] = ["kubernetes.io/hostname", "topology.kubernetes.io/zone"];

/// Wraps `scan` (a policy that examines every node) in an index following `rule`. Returns
/// `scan` unchanged if its filters are not all understood or if it lacks NodeUnschedulable or
/// NodeResourcesFit.
pub fn indexed(scan: Box<dyn Policy>, rule: Rule) -> Box<dyn Policy> {
    let names: Vec<&str> = scan.filters().iter().map(|f| f.name()).collect();
    // A score normalized across the feasible nodes cannot be read off one group's node: such
    // a profile is always scanned.
    let understood = names.iter().all(|n| UNDERSTOOD_FILTERS.contains(n))
        && names.contains(&"NodeUnschedulable")
        && names.contains(&"NodeResourcesFit")
        && !scan.scores().iter().any(|(s, _)| s.normalizes());
    if !understood {
        return scan;
    }
    Box::new(Indexed {
        scan,
        rule,
        index: NodeIndex::default(),
        verdicts_now: Vec::new(),
    })
}

/// A policy answered from a [`NodeIndex`], falling back to the wrapped scan.
pub struct Indexed {
    scan: Box<dyn Policy>,
    rule: Rule,
    index: NodeIndex,
    /// Scratch: this pod's verdict per pool.
    verdicts_now: Vec<Verdict>,
}

/// Free capacity of a regular node: cpu, memory, gpu, pod slots.
type State = (u64, u64, u64, u32);

/// A node's place in the stable order: its pool, then its id (ids grow with creation).
type Key = u64;

fn key_of(node: &Node) -> Key {
    ((node.pool.0 as u64) << 32) | node.id.0 as u64
}

fn node_of(key: Key) -> NodeId {
    NodeId(key as u32)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Verdict {
    Unknown,
    Feasible,
    Infeasible,
    /// Depends on per-node labels: use the scan.
    PerNode,
}

/// Where a node is filed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Slot {
    /// Not Ready: no filter set clustersim builds admits it.
    Absent,
    Group(u32, State),
    Irregular,
}

#[derive(Default)]
struct NodeIndex {
    built: bool,
    /// The next change-log entry to read.
    seq: u64,
    /// Node id → where it is filed.
    slot: Vec<Slot>,
    /// Per pool: free vector → keys of the regular nodes that have it.
    groups: Vec<BTreeMap<State, BTreeSet<Key>>>,
    /// Keys of Ready nodes that are not regular.
    irregular: BTreeSet<Key>,
    /// Per template, per pool.
    verdicts: Vec<Vec<Verdict>>,
}

fn classify(node: &Node, cluster: &Cluster) -> Slot {
    if node.state != NodeState::Ready {
        return Slot::Absent;
    }
    let pool = cluster.pool(node.pool);
    // A node with a partly used GPU device is told apart from its group by more than its free
    // vector: the slow way decides it.
    if !node.extra_taints.is_empty()
        || node.allocatable != pool.node
        || node.max_pods != pool.max_pods
        || node.has_shared_gpu()
    {
        return Slot::Irregular;
    }
    let free = node.free();
    let slots = node.max_pods.saturating_sub(node.pod_count());
    Slot::Group(node.pool.0, (free.cpu_m, free.memory, free.gpu, slots))
}

impl NodeIndex {
    fn rebuild(&mut self, cluster: &Cluster) {
        self.slot = vec![Slot::Absent; cluster.nodes.len()];
        self.groups = vec![BTreeMap::new(); cluster.pools.len()];
        self.irregular.clear();
        for &id in cluster.node_order() {
            self.file(id, cluster);
        }
        self.seq = cluster.node_change_seq();
        self.built = true;
    }

    fn file(&mut self, id: NodeId, cluster: &Cluster) {
        let node = cluster.node(id);
        let key = key_of(node);
        let slot = classify(node, cluster);
        match slot {
            Slot::Group(pool, state) => {
                self.groups[pool as usize]
                    .entry(state)
                    .or_default()
                    .insert(key);
            }
            Slot::Irregular => {
                self.irregular.insert(key);
            }
            Slot::Absent => {}
        }
        self.slot[id.0 as usize] = slot;
    }

    fn unfile(&mut self, id: NodeId, cluster: &Cluster) {
        let pos = key_of(cluster.node(id));
        match self.slot[id.0 as usize] {
            Slot::Group(pool, state) => {
                let groups = &mut self.groups[pool as usize];
                if let Some(members) = groups.get_mut(&state) {
                    members.remove(&pos);
                    if members.is_empty() {
                        groups.remove(&state);
                    }
                }
            }
            Slot::Irregular => {
                self.irregular.remove(&pos);
            }
            Slot::Absent => {}
        }
        self.slot[id.0 as usize] = Slot::Absent;
    }

    /// Catches up with the cluster's change log: launched nodes are filed, terminated ones
    /// (no longer Ready) unfiled, changed ones re-filed.
    fn sync(&mut self, cluster: &Cluster) {
        let Some(changes) = cluster.node_changes_since(self.seq).filter(|_| self.built) else {
            self.rebuild(cluster);
            return;
        };
        if self.slot.len() < cluster.nodes.len() {
            self.slot.resize(cluster.nodes.len(), Slot::Absent);
        }
        for &id in changes {
            self.unfile(id, cluster);
            self.file(id, cluster);
        }
        self.seq = cluster.node_change_seq();
    }

    /// Whether pool `pool`'s taints and labels admit the pod's template (cached).
    fn verdict(
        &mut self,
        pod: &PodRef,
        cluster: &Cluster,
        filters: &[Box<dyn Filter>],
        pool: usize,
    ) -> Verdict {
        let t = pod.pod.template.0 as usize;
        if self.verdicts.len() <= t {
            self.verdicts.resize(t + 1, Vec::new());
        }
        if self.verdicts[t].len() < cluster.pools.len() {
            self.verdicts[t].resize(cluster.pools.len(), Verdict::Unknown);
        }
        if self.verdicts[t][pool] != Verdict::Unknown {
            return self.verdicts[t][pool];
        }
        // A regular node of the pool: its taints and (pool-wide) labels are the pool's.
        let Some(&key) = self.groups[pool].values().next().and_then(|m| m.first()) else {
            return Verdict::Unknown; // no regular node to judge by; nothing to rank either
        };
        let node = cluster.node(node_of(key));
        let labels = &cluster.pools[pool].labels;
        let affinity = filters.iter().any(|f| f.name() == "NodeAffinity");
        let per_node =
            |k: &String| PER_NODE_LABELS.contains(&k.as_str()) && !labels.contains_key(k);
        let template = pod.template;
        let verdict = if affinity
            && (template.node_selector.keys().any(per_node)
                || template
                    .node_affinity
                    .required
                    .iter()
                    .any(|r| per_node(&r.key)))
        {
            Verdict::PerNode
        } else if filters
            .iter()
            .filter(|f| matches!(f.name(), "TaintToleration" | "NodeAffinity"))
            .all(|f| f.filter(pod, node, cluster).is_ok())
        {
            Verdict::Feasible
        } else {
            Verdict::Infeasible
        };
        self.verdicts[t][pool] = verdict;
        verdict
    }
}

/// A feasible node and what the rule ranks it by.
#[derive(Clone, Copy)]
struct Candidate {
    /// Its place in the stable order.
    pos: Key,
    leftover: (u64, u64),
    score: i64,
}

impl Indexed {
    fn candidate(&self, pos: Key, pod: &PodRef, cluster: &Cluster) -> Candidate {
        let node = cluster.node(node_of(pos));
        let mut c = Candidate {
            pos,
            leftover: (0, 1),
            score: 0,
        };
        match self.rule {
            Rule::FirstFit => {}
            Rule::BestFit | Rule::WorstFit => {
                c.leftover = dominant_leftover(&pod.pod.requests, node);
            }
            Rule::Score => {
                c.score = self
                    .scan
                    .scores()
                    .iter()
                    .filter(|(s, _)| s.applies(pod, cluster))
                    .map(|(s, w)| w * s.score(pod, node, cluster))
                    .sum();
            }
        }
        c
    }

    /// True if `a` beats `b` under the rule (the scan's comparison, ties to the earlier node).
    fn better(&self, a: &Candidate, b: &Candidate) -> bool {
        let earlier = a.pos < b.pos;
        match self.rule {
            Rule::FirstFit => earlier,
            Rule::BestFit => {
                ratio_lt(a.leftover, b.leftover) || (!ratio_lt(b.leftover, a.leftover) && earlier)
            }
            Rule::WorstFit => {
                ratio_lt(b.leftover, a.leftover) || (!ratio_lt(a.leftover, b.leftover) && earlier)
            }
            Rule::Score => a.score > b.score || (a.score == b.score && earlier),
        }
    }

    /// The index's decision, or `None` if the scan must decide.
    fn select_indexed(&mut self, pod: &PodRef, cluster: &Cluster) -> Option<Option<NodeId>> {
        if !independent_of_other_pods(self.scan.filters(), pod, cluster) {
            return None;
        }
        self.index.sync(cluster);
        let mut verdicts = std::mem::take(&mut self.verdicts_now);
        verdicts.clear();
        for pool in 0..cluster.pools.len() {
            let v = self.index.verdict(pod, cluster, self.scan.filters(), pool);
            if v == Verdict::PerNode {
                self.verdicts_now = verdicts;
                return None;
            }
            verdicts.push(v);
        }
        let need = pod.pod.requests;
        let mut best: Option<Candidate> = None;
        for (pool, groups) in self.index.groups.iter().enumerate() {
            if verdicts[pool] != Verdict::Feasible {
                continue;
            }
            for (state, members) in groups.range((need.cpu_m, 0, 0, 0)..) {
                if state.1 < need.memory || state.2 < need.gpu || state.3 == 0 {
                    continue;
                }
                let Some(&pos) = members.first() else {
                    continue;
                };
                if self.rule == Rule::FirstFit && best.is_some_and(|b| b.pos < pos) {
                    continue;
                }
                let c = self.candidate(pos, pod, cluster);
                if best.is_none_or(|b| self.better(&c, &b)) {
                    best = Some(c);
                }
            }
        }
        self.verdicts_now = verdicts;
        for &pos in &self.index.irregular {
            let node = cluster.node(node_of(pos));
            if !Profile::feasible(self.scan.filters(), pod, node, cluster) {
                continue;
            }
            let c = self.candidate(pos, pod, cluster);
            if best.is_none_or(|b| self.better(&c, &b)) {
                best = Some(c);
            }
        }
        let chosen = best.map(|c| node_of(c.pos));
        if let Some(id) = chosen
            && !Profile::feasible(self.scan.filters(), pod, cluster.node(id), cluster)
        {
            // A node changed without being logged: start over, and let the scan decide.
            self.index.built = false;
            return None;
        }
        Some(chosen)
    }
}

impl Policy for Indexed {
    fn name(&self) -> &str {
        self.scan.name()
    }

    fn select(&mut self, pod: &PodRef, cluster: &Cluster) -> Option<NodeId> {
        let all = cluster.node_order().len();
        let sampled = self
            .scan
            .as_profile()
            .is_some_and(|p| p.feasible_nodes_to_find(all) < all);
        if !sampled && let Some(choice) = self.select_indexed(pod, cluster) {
            return choice;
        }
        self.scan.select(pod, cluster)
    }

    fn filters(&self) -> &[Box<dyn Filter>] {
        self.scan.filters()
    }

    fn failures_persist_within_pass(&self) -> bool {
        self.scan.failures_persist_within_pass()
    }

    fn scores(&self) -> &[(Box<dyn Score>, i64)] {
        self.scan.scores()
    }

    fn as_profile(&mut self) -> Option<&mut Profile> {
        self.scan.as_profile()
    }
}
