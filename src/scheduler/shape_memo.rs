//! Judging each node *shape* once per pod.
//!
//! A profile that samples nodes (`kubernetes-default` examines 5% of a 10,000-node cluster,
//! but at least 100 nodes) cannot be answered from the scheduling index, because which nodes
//! it sees depends on where the rotating search starts. It can still avoid repeating work: two
//! nodes of one pool, in one zone, with the same allocation and pod count, that carry no
//! run-time taints and have their pool's shape, get the same verdict from every filter and the
//! same raw score from every plug-in that declares itself *shape-only* for the pod
//! ([`crate::scheduler::framework::Filter::shape_only`],
//! [`crate::scheduler::framework::Score::shape_only`]). [`ShapeMemo`] remembers, for the pod
//! being scheduled, what the first node of each shape gave; the others read it back.
//!
//! The table is a fixed open-addressing hash table cleared in O(1) between pods by a
//! generation stamp; when it fills up, further shapes are simply not remembered (the answer is
//! computed each time), so the memo never changes a decision, only its cost.

use crate::model::{Cluster, Node, NodeState};
use crate::quantity::Resources;

/// What a shape-only plug-in may look at on a node, beyond the node's pool: its zone, its
/// allocation and its pod count. Nodes that differ from their pool in anything else have no
/// shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Shape {
    pool: u32,
    zone: u32,
    pods: u32,
    allocated: Resources,
}

impl Shape {
    /// The node's shape, or `None` if it is not Ready, carries run-time taints, differs from
    /// its pool's allocatable or pod limit, or has a partly used GPU device (whose free vector
    /// alone does not tell whether a share fits).
    #[inline]
    pub fn of(node: &Node, cluster: &Cluster) -> Option<Shape> {
        let pool = cluster.pool(node.pool);
        let regular = node.state == NodeState::Ready
            && node.extra_taints.is_empty()
            && node.allocatable == pool.node
            && node.max_pods == pool.max_pods
            && (node.allocated.gpu == 0 || !node.has_shared_gpu());
        regular.then(|| Shape {
            pool: node.pool.0,
            zone: node.zone,
            pods: node.pod_count(),
            allocated: node.allocated,
        })
    }

    #[inline]
    fn hash(&self) -> u64 {
        const K: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut h = (self.pool as u64) << 40 ^ (self.zone as u64) << 20 ^ self.pods as u64;
        for x in [
            self.allocated.cpu_m,
            self.allocated.memory,
            self.allocated.gpu,
        ] {
            h = (h ^ x).wrapping_mul(K).rotate_left(29);
        }
        h.wrapping_mul(K)
    }
}

/// Slots in the table (a power of two).
const SLOTS: usize = 1 << 11;
/// At most this many shapes are remembered per pod (half the slots, so probes stay short).
const MAX_SHAPES: usize = SLOTS / 2;

/// Per pod: shape → what the first node of that shape gave.
pub struct ShapeMemo<V> {
    generation: u32,
    len: usize,
    slots: Vec<(u32, Shape, V)>,
}

impl<V: Copy + Default> Default for ShapeMemo<V> {
    fn default() -> Self {
        ShapeMemo {
            generation: 1,
            len: 0,
            slots: Vec::new(),
        }
    }
}

impl<V: Copy + Default> ShapeMemo<V> {
    /// Forgets every shape (call before each pod).
    pub fn clear(&mut self) {
        self.len = 0;
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            // Stamps wrapped around: old entries could look current.
            self.slots.clear();
            self.generation = 1;
        }
    }

    /// What a node of `shape` gave, computing it with `judge` on the first one (and every time
    /// once the table is full).
    #[inline]
    pub fn get_or_insert_with(&mut self, shape: Shape, judge: impl FnOnce() -> V) -> V {
        if self.slots.is_empty() {
            self.slots = vec![(0, Shape::default(), V::default()); SLOTS];
        }
        let mut i = (shape.hash() >> (64 - SLOTS.trailing_zeros())) as usize;
        loop {
            let slot = &mut self.slots[i];
            if slot.0 != self.generation {
                let v = judge();
                if self.len < MAX_SHAPES {
                    *slot = (self.generation, shape, v);
                    self.len += 1;
                }
                return v;
            }
            if slot.1 == shape {
                return slot.2;
            }
            i = (i + 1) & (SLOTS - 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(pool: u32, cpu: u64) -> Shape {
        Shape {
            pool,
            zone: 0,
            pods: 1,
            allocated: Resources::new(cpu, 0, 0),
        }
    }

    #[test]
    fn remembers_per_pod_and_forgets_between_pods() {
        let mut m: ShapeMemo<i64> = ShapeMemo::default();
        let calls = std::cell::Cell::new(0);
        let mut get = |s, v| {
            m.get_or_insert_with(s, || {
                calls.set(calls.get() + 1);
                v
            })
        };
        assert_eq!(get(shape(0, 1000), 7), 7);
        // Same shape: the remembered value, not the new one.
        assert_eq!(get(shape(0, 1000), 9), 7);
        // Another pool or allocation is another shape.
        assert_eq!(get(shape(1, 1000), 3), 3);
        assert_eq!(get(shape(0, 2000), 4), 4);
        assert_eq!(calls.get(), 3);
        m.clear();
        assert_eq!(m.get_or_insert_with(shape(0, 1000), || 9), 9);
    }

    #[test]
    fn a_full_table_computes_instead_of_remembering() {
        let mut m: ShapeMemo<u64> = ShapeMemo::default();
        // Fill it: MAX_SHAPES distinct shapes are remembered...
        for cpu in 0..MAX_SHAPES as u64 {
            m.get_or_insert_with(shape(0, cpu), || cpu);
        }
        assert_eq!(m.get_or_insert_with(shape(0, 5), || 99), 5);
        // ...the next one is computed on every call, and always correctly.
        let extra = shape(0, 1 << 40);
        assert_eq!(m.get_or_insert_with(extra, || 1), 1);
        assert_eq!(m.get_or_insert_with(extra, || 2), 2);
        assert_eq!(m.len, MAX_SHAPES);
    }
}
