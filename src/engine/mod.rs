//! The event list: a future-event set keyed by `(time, sequence)`.
//!
//! # Ordering rules
//! 1. Events run in increasing simulated time.
//! 2. Events scheduled for the same instant run in the order they were scheduled (each push gets
//!    the next sequence number, so the key `(time, seq)` is unique and the order is total).
//! 3. A cancelled event never runs; cancelling is O(log n) and lazy: the entry stays in the heap,
//!    marked dead, and is skipped when it reaches the front.
//!
//! The simulation adds a fourth rule on top (see [`crate::sim`]): once every event of an instant
//! has run, one scheduling pass runs, so queue-order policies see every pod that arrived then.

use std::cmp::Ordering;
use std::collections::{BTreeSet, BinaryHeap};

use crate::time::SimTime;

/// Handle to a scheduled event, used to cancel it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EventId(u64);

struct Entry<E> {
    time: SimTime,
    seq: u64,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.time == other.time && self.seq == other.seq
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Entry<E> {
    /// Reversed, so the std max-heap pops the earliest `(time, seq)` first.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.time, other.seq).cmp(&(self.time, self.seq))
    }
}

/// A future-event list over events of type `E`.
pub struct EventQueue<E> {
    heap: BinaryHeap<Entry<E>>,
    next_seq: u64,
    cancelled: BTreeSet<u64>,
    now: SimTime,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> EventQueue<E> {
    pub fn new() -> Self {
        EventQueue {
            heap: BinaryHeap::new(),
            next_seq: 0,
            cancelled: BTreeSet::new(),
            now: SimTime::ZERO,
        }
    }

    pub fn with_capacity(n: usize) -> Self {
        EventQueue {
            heap: BinaryHeap::with_capacity(n),
            ..Self::new()
        }
    }

    /// The time of the event last popped (the current simulated time).
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Schedules `event` at `time`. Scheduling in the past is a bug in the caller; the event is
    /// clamped to now so time never runs backwards.
    pub fn schedule(&mut self, time: SimTime, event: E) -> EventId {
        debug_assert!(
            time >= self.now,
            "event scheduled in the past: {time:?} < {:?}",
            self.now
        );
        let time = time.max(self.now);
        let seq = self.next_seq;
        self.next_seq += 1;
        self.heap.push(Entry { time, seq, event });
        EventId(seq)
    }

    /// Cancels a pending event. Cancelling an event that already ran or was cancelled is harmless.
    pub fn cancel(&mut self, id: EventId) {
        if id.0 < self.next_seq {
            self.cancelled.insert(id.0);
        }
    }

    /// Time of the next live event, if any.
    pub fn peek_time(&mut self) -> Option<SimTime> {
        self.skip_cancelled();
        self.heap.peek().map(|e| e.time)
    }

    /// Removes and returns the next live event, advancing the clock to its time.
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        self.skip_cancelled();
        let entry = self.heap.pop()?;
        self.now = entry.time;
        Some((entry.time, entry.event))
    }

    /// Pops the next live event only if it is due at exactly `time`.
    pub fn pop_at(&mut self, time: SimTime) -> Option<E> {
        if self.peek_time() == Some(time) {
            self.pop().map(|(_, e)| e)
        } else {
            None
        }
    }

    /// Number of entries held, including cancelled ones not yet skipped.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    fn skip_cancelled(&mut self) {
        // Fast path: nothing was ever cancelled, or nothing is pending cancellation.
        while !self.cancelled.is_empty() {
            match self.heap.peek() {
                Some(top) if self.cancelled.remove(&top.seq) => {
                    self.heap.pop();
                }
                _ => break,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_instant_events_keep_insertion_order() {
        let mut q = EventQueue::new();
        q.schedule(SimTime(10), "b1");
        q.schedule(SimTime(5), "a");
        q.schedule(SimTime(10), "b2");
        q.schedule(SimTime(10), "b3");
        q.schedule(SimTime(7), "a2");
        let order: Vec<_> = std::iter::from_fn(|| q.pop()).collect();
        assert_eq!(
            order,
            vec![
                (SimTime(5), "a"),
                (SimTime(7), "a2"),
                (SimTime(10), "b1"),
                (SimTime(10), "b2"),
                (SimTime(10), "b3")
            ]
        );
    }

    #[test]
    fn cancelled_events_never_run() {
        let mut q = EventQueue::new();
        let a = q.schedule(SimTime(1), 'a');
        q.schedule(SimTime(2), 'b');
        let c = q.schedule(SimTime(3), 'c');
        q.cancel(a);
        q.cancel(c);
        assert_eq!(q.peek_time(), Some(SimTime(2)));
        assert_eq!(q.pop(), Some((SimTime(2), 'b')));
        assert_eq!(q.pop(), None);
        assert!(
            q.cancelled.is_empty(),
            "dead entries are dropped once skipped"
        );
    }

    #[test]
    fn pop_at_only_takes_events_of_that_instant() {
        let mut q = EventQueue::new();
        q.schedule(SimTime(1), 1);
        q.schedule(SimTime(1), 2);
        q.schedule(SimTime(2), 3);
        assert_eq!(q.pop(), Some((SimTime(1), 1)));
        assert_eq!(q.pop_at(SimTime(1)), Some(2));
        assert_eq!(q.pop_at(SimTime(1)), None);
        assert_eq!(q.now(), SimTime(1));
        assert_eq!(q.pop(), Some((SimTime(2), 3)));
    }
}
