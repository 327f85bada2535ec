//! "Why pending": Kubernetes' FailedScheduling message, counted over nodes.

use std::collections::BTreeMap;

use crate::model::{Cluster, NodeId, PoolId};
use crate::scheduler::framework::{Filter, PodRef, Reason};

/// Runs `filters` over every live node and renders Kubernetes' message, e.g.
/// `0/12 nodes are available: 8 Insufficient cpu, 4 node(s) had untolerated taint {spot: true}.`
/// Like Kubernetes, each node counts once per reason and the "N reason" parts are sorted.
pub fn unschedulable_message(
    filters: &[Box<dyn Filter>],
    pod: &PodRef,
    cluster: &Cluster,
) -> String {
    let reasons = count_reasons(filters, pod, cluster);
    render_message(&reasons, cluster.node_order().len())
}

/// Kubernetes' message from reason counts over `total` nodes.
pub fn render_message(reasons: &BTreeMap<String, usize>, total: usize) -> String {
    let mut parts: Vec<String> = reasons.iter().map(|(r, n)| format!("{n} {r}")).collect();
    parts.sort();
    if parts.is_empty() {
        format!("0/{total} nodes are available.")
    } else {
        format!("0/{total} nodes are available: {}.", parts.join(", "))
    }
}

/// Reason text → number of nodes rejected for it.
///
/// Rejections are first counted by a compact key (the reason, the node's pool, and the node
/// itself only if it has run-time taints, the one thing besides the pool a text depends on), so
/// texts are rendered once per distinct key rather than once per node.
pub fn count_reasons(
    filters: &[Box<dyn Filter>],
    pod: &PodRef,
    cluster: &Cluster,
) -> BTreeMap<String, usize> {
    type Key = (Reason, PoolId, Option<NodeId>);
    let mut by_key: Vec<(Key, usize, NodeId)> = Vec::new();
    for &id in cluster.node_order() {
        let node = cluster.node(id);
        if let Some(reason) = filters
            .iter()
            .find_map(|f| f.filter(pod, node, cluster).err())
        {
            let key = (
                reason,
                node.pool,
                (!node.extra_taints.is_empty()).then_some(id),
            );
            match by_key.iter_mut().find(|(k, _, _)| *k == key) {
                Some((_, n, _)) => *n += 1,
                None => by_key.push((key, 1, id)),
            }
        }
    }
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for ((reason, _, _), n, example) in by_key {
        for text in reason_texts(reason, cluster.node(example), cluster) {
            *counts.entry(text).or_default() += n;
        }
    }
    counts
}

/// The user-facing texts of one rejection, in Kubernetes' words.
pub fn reason_texts(reason: Reason, node: &crate::model::Node, cluster: &Cluster) -> Vec<String> {
    let taint = match reason {
        Reason::UntoleratedTaint { index } => cluster.taints(node).nth(index as usize),
        _ => None,
    };
    texts(reason, taint)
}

/// [`reason_texts`], given the untolerated taint (for that reason only).
fn texts(reason: Reason, taint: Option<&crate::model::Taint>) -> Vec<String> {
    match reason {
        Reason::Insufficient {
            cpu,
            memory,
            gpu,
            pods,
        } => {
            let mut v = Vec::new();
            if pods {
                v.push("Too many pods".to_string());
            }
            if cpu {
                v.push("Insufficient cpu".to_string());
            }
            if memory {
                v.push("Insufficient memory".to_string());
            }
            if gpu {
                v.push("Insufficient nvidia.com/gpu".to_string());
            }
            v
        }
        Reason::UntoleratedTaint { .. } => vec![match taint {
            Some(t) => format!("node(s) had untolerated taint {{{}: {}}}", t.key, t.value),
            None => "node(s) had untolerated taint".to_string(),
        }],
        Reason::NodeSelectorMismatch => {
            vec!["node(s) didn't match Pod's node affinity/selector".to_string()]
        }
        Reason::Unschedulable => vec!["node(s) were unschedulable".to_string()],
        Reason::TopologySpread => {
            vec!["node(s) didn't match pod topology spread constraints".to_string()]
        }
        Reason::AntiAffinity => {
            vec!["node(s) didn't match pod anti-affinity rules".to_string()]
        }
    }
}

/// A rejection as [`count_reasons`] files it: the reason, the node's pool, and the node itself
/// only if it has run-time taints.
type RejectKey = (Reason, PoolId, Option<NodeId>);

/// The filters' first rejection of `node`, filed as [`count_reasons`] does, or `None` if it
/// passes.
fn reject_key(
    filters: &[Box<dyn Filter>],
    pod: &PodRef,
    node: &crate::model::Node,
    cluster: &Cluster,
) -> Option<RejectKey> {
    filters
        .iter()
        .find_map(|f| f.filter(pod, node, cluster).err())
        .map(|reason| {
            (
                reason,
                node.pool,
                (!node.extra_taints.is_empty()).then_some(node.id),
            )
        })
}

/// The reasons of one pod class, node by node, brought up to date from the cluster's
/// node-change log instead of re-filtering every node.
#[derive(Debug)]
struct ClassReasons<C> {
    class: C,
    /// The node-change sequence the verdicts are for.
    seq: u64,
    /// Each node's rejection, by node index (`None`: passes, or not live).
    verdicts: Vec<Option<RejectKey>>,
    /// Nodes per rejection; entries that drop to 0 are removed.
    counts: Vec<(RejectKey, usize)>,
    /// Last use, for eviction.
    used: u64,
}

/// Most pod classes a [`ReasonCache`] follows at once.
const MAX_CLASSES: usize = 8;

/// [`count_reasons`] for pods of a few classes while the cluster changes a few nodes at a
/// time: each class keeps every node's verdict and re-filters only the nodes changed since it
/// was last asked, so a stream of pending pods costs O(changed nodes) each rather than
/// O(nodes).
///
/// Sound only while a node's verdict depends on nothing but the pod's class and the node's
/// own state (capacity, pods, state, taints, labels), all of which [`Cluster`] logs: that is,
/// no filter looks at other pods, or no pod has topology spread or anti-affinity terms. The
/// caller checks this; the answers are then exactly [`count_reasons`]'s (a test compares them
/// after random changes).
#[derive(Debug)]
pub struct ReasonCache<C> {
    classes: Vec<ClassReasons<C>>,
    clock: u64,
}

impl<C> Default for ReasonCache<C> {
    fn default() -> Self {
        ReasonCache {
            classes: Vec::new(),
            clock: 0,
        }
    }
}

impl<C: PartialEq + Copy> ReasonCache<C> {
    /// What [`count_reasons`] would return for a pod of `class` now.
    pub fn count(
        &mut self,
        class: C,
        filters: &[Box<dyn Filter>],
        pod: &PodRef,
        cluster: &Cluster,
    ) -> BTreeMap<String, usize> {
        self.clock += 1;
        let seq = cluster.node_change_seq();
        let slot = match self.classes.iter().position(|c| c.class == class) {
            Some(i) => i,
            None => {
                let fresh = ClassReasons {
                    class,
                    // No change log reaches back this far: the first use rebuilds.
                    seq: u64::MAX,
                    verdicts: Vec::new(),
                    counts: Vec::new(),
                    used: 0,
                };
                if self.classes.len() < MAX_CLASSES {
                    self.classes.push(fresh);
                    self.classes.len() - 1
                } else {
                    let (i, _) = self
                        .classes
                        .iter()
                        .enumerate()
                        .min_by_key(|(_, c)| c.used)
                        .expect("MAX_CLASSES > 0");
                    self.classes[i] = fresh;
                    i
                }
            }
        };
        let entry = &mut self.classes[slot];
        entry.used = self.clock;
        match cluster.node_changes_since(entry.seq) {
            Some(changed) => {
                for &id in changed {
                    let node = cluster.node(id);
                    let new = if node.state == crate::model::NodeState::Terminated {
                        None
                    } else {
                        reject_key(filters, pod, node, cluster)
                    };
                    entry.set(id, new);
                }
            }
            None => {
                entry.verdicts.clear();
                entry.counts.clear();
                for &id in cluster.node_order() {
                    let new = reject_key(filters, pod, cluster.node(id), cluster);
                    entry.set(id, new);
                }
            }
        }
        entry.seq = seq;
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for &(key, n) in &entry.counts {
            for text in key_texts(key, cluster) {
                *counts.entry(text).or_default() += n;
            }
        }
        counts
    }
}

impl<C> ClassReasons<C> {
    /// Records `id`'s verdict, keeping the counts in step.
    fn set(&mut self, id: NodeId, new: Option<RejectKey>) {
        let i = id.0 as usize;
        if i >= self.verdicts.len() {
            self.verdicts.resize(i + 1, None);
        }
        let old = std::mem::replace(&mut self.verdicts[i], new);
        if old == new {
            return;
        }
        if let Some(old) = old
            && let Some(pos) = self.counts.iter().position(|(k, _)| *k == old)
        {
            self.counts[pos].1 -= 1;
            if self.counts[pos].1 == 0 {
                self.counts.remove(pos);
            }
        }
        if let Some(new) = new {
            match self.counts.iter_mut().find(|(k, _)| *k == new) {
                Some((_, n)) => *n += 1,
                None => self.counts.push((new, 1)),
            }
        }
    }
}

/// The texts of a filed rejection: a node with run-time taints speaks for itself; otherwise
/// every node of the pool has the pool's taints only, so the pool does.
fn key_texts((reason, pool, node): RejectKey, cluster: &Cluster) -> Vec<String> {
    match node {
        Some(id) => reason_texts(reason, cluster.node(id), cluster),
        None => {
            let taint = match reason {
                Reason::UntoleratedTaint { index } => cluster.pool(pool).taints.get(index as usize),
                _ => None,
            };
            texts(reason, taint)
        }
    }
}
