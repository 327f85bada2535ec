//! The pending queue: pods waiting for a node, in the order the queue-sort policy gives.

use std::collections::BTreeMap;

use crate::model::PodId;
use crate::quantity::Resources;
use crate::scenario::QueueOrder;

/// Dominant shares are integers: the share of the largest resource, scaled by this.
pub const SHARE_SCALE: u128 = 1_000_000_000;

/// A queue position: policy key, then arrival sequence (unique), so the order is total.
pub type QueueKey = (i64, u64);

/// Pending pods sorted by the scenario's queue order.
pub struct PendingQueue {
    order: QueueOrder,
    /// The largest node shape (per resource, the largest allocatable of any pool), against
    /// which `largest-first` measures a pod's dominant share.
    largest: Resources,
    entries: BTreeMap<QueueKey, PodId>,
    next_seq: u64,
}

impl PendingQueue {
    /// `largest` is the largest node shape in the cluster (only `largest-first` uses it).
    pub fn new(order: QueueOrder, largest: Resources) -> Self {
        PendingQueue {
            order,
            largest,
            entries: BTreeMap::new(),
            next_seq: 0,
        }
    }

    /// Adds a pod; returns its key (needed to remove it out of order).
    pub fn push(&mut self, pod: PodId, priority: i32, requests: &Resources) -> QueueKey {
        let primary = match self.order {
            QueueOrder::Fifo => 0,
            // Higher priority first (Kubernetes' PrioritySort), then arrival.
            QueueOrder::Priority => -(priority as i64),
            // Larger dominant share first, then arrival.
            QueueOrder::LargestFirst => -(dominant_share(requests, &self.largest) as i64),
        };
        let key = (primary, self.next_seq);
        self.next_seq += 1;
        self.entries.insert(key, pod);
        key
    }

    pub fn remove(&mut self, key: QueueKey) -> Option<PodId> {
        self.entries.remove(&key)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Pending pods in queue order.
    pub fn iter(&self) -> impl Iterator<Item = (QueueKey, PodId)> + '_ {
        self.entries.iter().map(|(k, p)| (*k, *p))
    }
}

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

    #[test]
    fn largest_first_sorts_by_dominant_share_then_arrival() {
        // Largest node 4000m / 8000 bytes. Shares: pod 0 max(1000/4000, 4000/8000) = 0.5;
        // pod 1 max(2000/4000, 0) = 0.5; pod 2 max(3000/4000, 0) = 0.75; pod 3 0.25.
        let mut q = PendingQueue::new(QueueOrder::LargestFirst, Resources::new(4000, 8000, 0));
        q.push(PodId(0), 0, &Resources::new(1000, 4000, 0));
        q.push(PodId(1), 0, &Resources::new(2000, 0, 0));
        q.push(PodId(2), 0, &Resources::new(3000, 0, 0));
        q.push(PodId(3), 0, &Resources::new(1000, 0, 0));
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
            fifo.push(PodId(i), p, &Resources::ZERO);
            prio.push(PodId(i), p, &Resources::ZERO);
        }
        let ids = |q: &PendingQueue| q.iter().map(|(_, p)| p.0).collect::<Vec<_>>();
        assert_eq!(ids(&fifo), vec![0, 1, 2, 3]);
        assert_eq!(ids(&prio), vec![1, 3, 0, 2]);
    }
}
