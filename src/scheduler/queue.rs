//! The pending queue: pods waiting for a node, in the order the queue-sort policy gives.

use std::collections::BTreeMap;

use crate::model::PodId;
use crate::scenario::QueueOrder;

/// A queue position: policy key, then arrival sequence (unique), so the order is total.
pub type QueueKey = (i64, u64);

/// Pending pods sorted by the scenario's queue order.
pub struct PendingQueue {
    order: QueueOrder,
    entries: BTreeMap<QueueKey, PodId>,
    next_seq: u64,
}

impl PendingQueue {
    pub fn new(order: QueueOrder) -> Self {
        PendingQueue {
            order,
            entries: BTreeMap::new(),
            next_seq: 0,
        }
    }

    /// Adds a pod; returns its key (needed to remove it out of order).
    pub fn push(&mut self, pod: PodId, priority: i32) -> QueueKey {
        let primary = match self.order {
            QueueOrder::Fifo => 0,
            // Higher priority first (Kubernetes' PrioritySort), then arrival.
            QueueOrder::Priority => -(priority as i64),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifo_keeps_arrival_order_and_priority_sorts_first() {
        let mut fifo = PendingQueue::new(QueueOrder::Fifo);
        let mut prio = PendingQueue::new(QueueOrder::Priority);
        for (i, p) in [(0u32, 0), (1, 10), (2, 0), (3, 10)] {
            fifo.push(PodId(i), p);
            prio.push(PodId(i), p);
        }
        let ids = |q: &PendingQueue| q.iter().map(|(_, p)| p.0).collect::<Vec<_>>();
        assert_eq!(ids(&fifo), vec![0, 1, 2, 3]);
        assert_eq!(ids(&prio), vec![1, 3, 0, 2]);
    }
}
