//! The closed set of simulation events. Matching on it is exhaustive, so the compiler lists
//! every handler a new event kind must touch.

use crate::model::{NodeId, PodId};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// The next pod of a Batch workload arrives.
    BatchArrival {
        workload: u32,
    },
    /// The next row of a Trace workload is due.
    TraceArrival {
        workload: u32,
    },
    /// A running pod's run time is over.
    PodFinished {
        pod: PodId,
    },
    /// A Deployment pod's startup delay is over; it now counts as ready.
    PodReady {
        pod: PodId,
    },
    /// A provisioning node becomes ready.
    NodeReady {
        node: NodeId,
    },
    /// A spot node gets its interruption notice.
    InterruptionNotice {
        node: NodeId,
    },
    /// A node's notice has run out: it terminates.
    NodeTerminate {
        node: NodeId,
    },
    /// A batch pod's termination grace period (after an interruption notice) is over.
    PodKill {
        pod: PodId,
    },
    /// A node fails (mtbf).
    NodeFailure {
        node: NodeId,
    },
    /// A burn-in period ends: the node passes or fails its checks.
    BurnInDone {
        node: NodeId,
    },
    /// A correlated reclaim of a spot pool's nodes in one zone.
    InterruptionWave {
        pool: u32,
    },
    /// A row of a pool's reclaim trace is due.
    ReclaimTraceRow {
        pool: u32,
        row: u32,
    },
    /// A capacity-shortage window of a pool starts or ends.
    UnavailableStart {
        pool: u32,
        window: u32,
    },
    UnavailableEnd {
        pool: u32,
        window: u32,
        zone: u32,
    },
    /// A scheduled zone outage (index into the scenario's events) starts, or a zone recovers.
    ZoneOutageStart {
        event: u32,
    },
    ZoneOutageEnd {
        zone: u32,
    },
    /// A pool's price changes (row of its price trace).
    PriceStep {
        pool: u32,
        row: u32,
    },
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

/// One transition kept in memory: an owned [`EventRecord`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedEvent {
    pub time_ms: u64,
    pub object: &'static str,
    pub name: String,
    pub event: &'static str,
    pub node: String,
    pub message: String,
}

/// An [`EventSink`] that keeps every transition in memory, for tests and analyses that look at
/// the event log without writing `events.csv`.
#[derive(Clone, Debug, Default)]
pub struct EventLog(pub Vec<RecordedEvent>);

impl EventLog {
    /// Times (ms) at which `name` had `event`, in order.
    pub fn times(&self, name: &str, event: &str) -> Vec<u64> {
        self.0
            .iter()
            .filter(|e| e.name == name && e.event == event)
            .map(|e| e.time_ms)
            .collect()
    }
}

impl EventSink for EventLog {
    fn record(&mut self, r: &EventRecord<'_>) {
        self.0.push(RecordedEvent {
            time_ms: r.time_ms,
            object: r.object,
            name: r.name.to_string(),
            event: r.event,
            node: r.node.to_string(),
            message: r.message.to_string(),
        });
    }
}
