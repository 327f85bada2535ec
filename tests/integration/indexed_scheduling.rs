//! The indexed named policies write the same event log as the plain scan: a custom profile with
//! the same filters and scores, examining every node, is never indexed, so it is the reference.

use clustersim::reference_models::synthetic_trace;
use clustersim::sim::{RecordedEvent, run_recorded};

fn events(policy: &str, scores: Option<Vec<(String, i64)>>) -> Vec<RecordedEvent> {
    // 40 nodes for 4,000 pods over a day: busy enough that pods queue and nodes fill up.
    let mut scenario = synthetic_trace(40, 4_000, policy);
    if let Some(scores) = scores {
        scenario.scheduler.filters = Some(
            clustersim::scheduler::FILTER_NAMES
                .iter()
                .map(|s| s.to_string())
                .collect(),
        );
        scenario.scheduler.scores = Some(scores);
        scenario.scheduler.percentage_of_nodes_to_score = Some(100);
    }
    let (_, log) = run_recorded(&scenario).expect("runs");
    log.0
}

#[test]
fn indexed_policies_log_the_same_events_as_the_scan() {
    for (policy, score) in [
        ("first-fit", None),
        ("least-allocated", Some("LeastAllocated")),
        ("most-allocated", Some("MostAllocated")),
    ] {
        let scores = score.map(|s| vec![(s.to_string(), 1)]).unwrap_or_default();
        let indexed = events(policy, None);
        let scan = events(policy, Some(scores));
        assert!(indexed.iter().any(|e| e.event == "Scheduled"));
        assert_eq!(indexed, scan, "{policy}");
    }
}
