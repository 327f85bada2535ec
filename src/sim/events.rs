//! The closed set of simulation events. Matching on it is exhaustive, so the compiler lists
//! every handler a new event kind must touch.

use crate::model::{NodeId, PodId};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// The next pod of a Batch workload arrives.
    BatchArrival { workload: u32 },
    /// The next row of a Trace workload is due.
    TraceArrival { workload: u32 },
    /// A running pod's run time is over.
    PodFinished { pod: PodId },
    /// A Deployment pod's startup delay is over; it now counts as ready.
    PodReady { pod: PodId },
    /// A provisioning node becomes ready.
    NodeReady { node: NodeId },
}

/// What the event log records for one transition.
pub struct EventRecord<'a> {
    pub time_ms: u64,
    /// `pod` or `node`.
    pub object: &'static str,
    pub name: &'a str,
    /// Kubernetes-style event reason: `Submitted`, `Scheduled`, `FailedScheduling`, `Ready`,
    /// `Completed`, `Evicted`, `NodeLaunched`, `NodeReady`, `NodeTerminated`, ...
    pub event: &'static str,
    /// The node involved, if any.
    pub node: &'a str,
    /// Human-readable detail, e.g. the FailedScheduling message.
    pub message: &'a str,
}

/// Receives every pod and node transition (the `--events` log).
pub trait EventSink {
    fn record(&mut self, record: &EventRecord<'_>);
}
