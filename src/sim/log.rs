//! The event log: every pod and node transition in Kubernetes' words (`events.csv`).

/// What the event log records for one transition.
pub struct EventRecord<'a> {
    pub time_ms: u64,
    /// `pod`, `node` or `pool`.
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
