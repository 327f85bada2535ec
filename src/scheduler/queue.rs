//! The pending queue: pods waiting for a node, in the order the queue-sort policy gives.
//!
//! Pods are also grouped into *scheduling classes*: same template, same requests, same
//! priority. Filters and scores cannot tell two pods of one class apart, so when one fails in a
//! scheduling pass every later pod of its class fails too (capacity only shrinks during a pass).
//! A [`PassCursor`] walks the queue in order but can drop the rest of a class, which keeps a
//! pass over a long queue of identical pods O(classes) instead of O(pods).

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};
use std::ops::Bound;

use super::QueueOrder;
use crate::model::{PodId, TemplateId};
use crate::quantity::Resources;

/// Dominant shares are integers: the share of the largest resource, scaled by this.
pub const SHARE_SCALE: u128 = 1_000_000_000;

/// A queue position: policy key, then arrival sequence (unique), so the order is total.
pub type QueueKey = (i64, u64);

/// What makes two pending pods interchangeable to the scheduler.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PodClass {
    pub template: TemplateId,
    pub requests: Resources,
    pub priority: i32,
}

/// Pending pods sorted by the scenario's queue order.
pub struct PendingQueue {
    order: QueueOrder,
    /// The largest node shape (per resource, the largest allocatable of any pool), against
    /// which `largest-first` measures a pod's dominant share.
    largest: Resources,
    entries: BTreeMap<QueueKey, (PodId, u32)>,
    /// Class id of each class seen so far (ids are never reused, so the map stays small).
    class_ids: BTreeMap<PodClass, u32>,
    /// Queue keys of the pending pods of each class, by class id.
    classes: Vec<BTreeSet<QueueKey>>,
    next_seq: u64,
}

impl PendingQueue {
    /// `largest` is the largest node shape in the cluster (only `largest-first` uses it).
    pub fn new(order: QueueOrder, largest: Resources) -> Self {
        PendingQueue {
            order,
            largest,
            entries: BTreeMap::new(),
            class_ids: BTreeMap::new(),
            classes: Vec::new(),
            next_seq: 0,
        }
    }

    /// Adds a pod; returns its key (needed to remove it out of order).
    pub fn push(&mut self, pod: PodId, class: PodClass) -> QueueKey {
        let primary = match self.order {
            QueueOrder::Fifo => 0,
            // Higher priority first (Kubernetes' PrioritySort), then arrival.
            QueueOrder::Priority => -(class.priority as i64),
            // Larger dominant share first, then arrival.
            QueueOrder::LargestFirst => -(dominant_share(&class.requests, &self.largest) as i64),
        };
        let key = (primary, self.next_seq);
        self.next_seq += 1;
        let next_id = self.classes.len() as u32;
        let id = *self.class_ids.entry(class).or_insert(next_id);
        if id == next_id {
            self.classes.push(BTreeSet::new());
        }
        self.classes[id as usize].insert(key);
        self.entries.insert(key, (pod, id));
        key
    }

    pub fn remove(&mut self, key: QueueKey) -> Option<PodId> {
        let (pod, class) = self.entries.remove(&key)?;
        self.classes[class as usize].remove(&key);
        Some(pod)
    }

    /// Starts a walk over the queue in order; see [`PassCursor`].
    pub fn cursor(&self) -> PassCursor {
        self.cursor_reusing(CursorBuffer::default())
    }

    /// Like [`PendingQueue::cursor`], reusing the memory of an earlier cursor (one walk runs
    /// per simulated instant, so this saves an allocation each time).
    pub fn cursor_reusing(&self, buffer: CursorBuffer) -> PassCursor {
        let mut heads = buffer.0;
        heads.clear();
        heads.extend(
            self.classes
                .iter()
                .enumerate()
                .filter_map(|(id, keys)| keys.first().map(|k| Reverse((*k, id as u32)))),
        );
        PassCursor {
            heads: BinaryHeap::from(heads),
            last: None,
            skip_last: false,
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Pending pods in queue order.
    pub fn iter(&self) -> impl Iterator<Item = (QueueKey, PodId)> + '_ {
        self.entries.iter().map(|(k, (p, _))| (*k, *p))
    }
}

/// A walk over the pending queue in queue order that can skip the rest of a scheduling class.
///
/// It merges the classes' key lists: the heap holds the next key of every class still in the
/// walk. The queue must not change during the walk (the scheduling pass removes bound pods only
/// after it).
pub struct PassCursor {
    heads: BinaryHeap<Reverse<(QueueKey, u32)>>,
    /// The entry returned last, whose class successor is not yet in the heap.
    last: Option<(QueueKey, u32)>,
    skip_last: bool,
}

impl PassCursor {
    /// The next pending pod in queue order.
    pub fn next(&mut self, queue: &PendingQueue) -> Option<(QueueKey, PodId)> {
        if let Some((key, class)) = self.last.take()
            && !std::mem::take(&mut self.skip_last)
            && let Some(next) = queue.classes[class as usize]
                .range((Bound::Excluded(key), Bound::Unbounded))
                .next()
        {
            self.heads.push(Reverse((*next, class)));
        }
        let Reverse((key, class)) = self.heads.pop()?;
        self.last = Some((key, class));
        queue.entries.get(&key).map(|(pod, _)| (key, *pod))
    }

    /// Leaves the rest of the last returned pod's class out of this walk.
    pub fn skip_rest_of_class(&mut self) {
        self.skip_last = true;
    }

    /// Ends the walk, keeping its memory for the next one.
    pub fn into_buffer(self) -> CursorBuffer {
        CursorBuffer(self.heads.into_vec())
    }
}

/// Memory a finished [`PassCursor`] leaves for the next one.
#[derive(Default)]
pub struct CursorBuffer(Vec<Reverse<(QueueKey, u32)>>);

/// The largest of `need`'s per-resource shares of `capacity`, scaled by [`SHARE_SCALE`] and
/// rounded down; resources the capacity lacks are ignored. Integer arithmetic, so the order is
/// exact and portable.
pub fn dominant_share(need: &Resources, capacity: &Resources) -> u64 {
    [
        (need.cpu_m, capacity.cpu_m),
        (need.memory, capacity.memory),
        (need.gpu, capacity.gpu),
    ]
    .into_iter()
    .filter(|&(_, cap)| cap > 0)
    .map(|(n, cap)| (n as u128 * SHARE_SCALE / cap as u128).min(i64::MAX as u128) as u64)
    .max()
    .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(template: u32, priority: i32, requests: Resources) -> PodClass {
        PodClass {
            template: TemplateId(template),
            requests,
            priority,
        }
    }

    #[test]
    fn largest_first_sorts_by_dominant_share_then_arrival() {
        // Largest node 4000m / 8000 bytes. Shares: pod 0 max(1000/4000, 4000/8000) = 0.5;
        // pod 1 max(2000/4000, 0) = 0.5; pod 2 max(3000/4000, 0) = 0.75; pod 3 0.25.
        let mut q = PendingQueue::new(QueueOrder::LargestFirst, Resources::new(4000, 8000, 0));
        q.push(PodId(0), class(0, 0, Resources::new(1000, 4000, 0)));
        q.push(PodId(1), class(0, 0, Resources::new(2000, 0, 0)));
        q.push(PodId(2), class(0, 0, Resources::new(3000, 0, 0)));
        q.push(PodId(3), class(0, 0, Resources::new(1000, 0, 0)));
        let ids: Vec<u32> = q.iter().map(|(_, p)| p.0).collect();
        assert_eq!(ids, vec![2, 0, 1, 3]);
        assert_eq!(
            dominant_share(&Resources::new(1000, 0, 1), &Resources::new(4000, 0, 0)),
            250_000_000
        );
    }

    #[test]
    fn fifo_keeps_arrival_order_and_priority_sorts_first() {
        let mut fifo = PendingQueue::new(QueueOrder::Fifo, Resources::ZERO);
        let mut prio = PendingQueue::new(QueueOrder::Priority, Resources::ZERO);
        for (i, p) in [(0u32, 0), (1, 10), (2, 0), (3, 10)] {
            fifo.push(PodId(i), class(0, p, Resources::ZERO));
            prio.push(PodId(i), class(0, p, Resources::ZERO));
        }
        let ids = |q: &PendingQueue| q.iter().map(|(_, p)| p.0).collect::<Vec<_>>();
        assert_eq!(ids(&fifo), vec![0, 1, 2, 3]);
        assert_eq!(ids(&prio), vec![1, 3, 0, 2]);
    }

    #[test]
    fn cursor_walks_in_queue_order_and_skips_a_class() {
        let mut q = PendingQueue::new(QueueOrder::Fifo, Resources::ZERO);
        let small = class(0, 0, Resources::new(1000, 0, 0));
        let big = class(0, 0, Resources::new(4000, 0, 0));
        let other = class(1, 0, Resources::new(1000, 0, 0));
        for (i, c) in [small, big, small, other, big, small]
            .into_iter()
            .enumerate()
        {
            q.push(PodId(i as u32), c);
        }
        fn walk(q: &PendingQueue, skip: &[u32]) -> Vec<u32> {
            let mut cursor = q.cursor();
            let mut seen = Vec::new();
            while let Some((_, pod)) = cursor.next(q) {
                seen.push(pod.0);
                if skip.contains(&pod.0) {
                    cursor.skip_rest_of_class();
                }
            }
            seen
        }
        assert_eq!(walk(&q, &[]), vec![0, 1, 2, 3, 4, 5]);
        // Skipping at pod 1 (big) drops pod 4; skipping at pod 2 (small) drops pod 5.
        assert_eq!(walk(&q, &[1, 2]), vec![0, 1, 2, 3]);
        let key_of_1 = q.iter().find(|(_, p)| p.0 == 1).unwrap().0;
        assert_eq!(q.remove(key_of_1), Some(PodId(1)));
        assert_eq!(walk(&q, &[]), vec![0, 2, 3, 4, 5]);
    }
}
