//! Priorities and preemption through the whole simulation: victims are replaced (Deployment)
//! or requeued with their remaining run time (Batch), and the preemptor binds at once.

use clustersim::metrics::markers::MarkKind;
use clustersim::scenario::load_str;
use clustersim::sim::{EventLog, run_recorded};

const CLUSTER: &str = "
name: preemption
duration: 3h
cluster:
  pools:
    - { name: gpu, node: { cpu: 8, memory: 64Gi, gpu: 4 }, count: 1 }
priority_classes:
  - { name: low, value: 0, default: true }
  - { name: team, value: 1000 }
";

fn run(workloads: &str) -> (serde_json::Value, EventLog) {
    let (summary, log, _) = run_marked(workloads);
    (summary, log)
}

/// [`run`], with the timeline's marks.
fn run_marked(workloads: &str) -> (serde_json::Value, EventLog, Vec<(u64, MarkKind)>) {
    let text = format!("{CLUSTER}workloads:\n{workloads}");
    let scenario = load_str(&text, "test.yaml", None, &[]).expect("valid scenario");
    let (result, log) = run_recorded(&scenario).unwrap();
    (result.summary, log, result.metrics.markers.marks)
}

#[test]
fn batch_victim_is_requeued_with_its_remaining_run_time() {
    let (summary, rec, marks) = run_marked(
        "
  - { name: soak, kind: Batch, limit: 1, arrivals: { poisson_per_hour: 3600 }, duration: 1h,
      requests: { cpu: 1, gpu: 4 } }
  - { name: urgent, kind: Batch, priority_class_name: team, limit: 1, start: 10m,
      arrivals: { poisson_per_hour: 3600 }, duration: 10m, requests: { gpu: 4 } }
",
    );
    let scheduled = rec.times("soak-0", "Scheduled");
    let preempted = rec.times("soak-0", "Preempted");
    let completed = rec.times("soak-0", "Completed");
    assert_eq!(
        (scheduled.len(), preempted.len(), completed.len()),
        (2, 1, 1)
    );
    // urgent binds the instant it preempts and runs 10m; soak gets the node back then and runs
    // the rest of its hour: done 1h + 10m after it first started.
    assert_eq!(rec.times("urgent-0", "Scheduled"), preempted);
    assert_eq!(rec.times("urgent-0", "Nominated"), preempted);
    // The timeline marks the preemption, once, when it happened.
    assert_eq!(marks, vec![(preempted[0], MarkKind::Preemption)]);
    assert_eq!(scheduled[1], preempted[0] + 600_000);
    assert_eq!(completed[0] - scheduled[0], 70 * 60_000);
    let msg = &rec
        .0
        .iter()
        .find(|e| e.name == "soak-0" && e.event == "Preempted")
        .unwrap()
        .message;
    assert!(msg.contains("urgent-0"), "{msg}");
    assert_eq!(summary["pods"]["evicted_by_reason"]["Preempted"], 1);
    assert_eq!(summary["pods"]["scheduled"], 2); // pods: soak and urgent
    // soak's second binding, 10 minutes after it was preempted.
    assert_eq!(summary["rescheduling"]["bindings"], 1);
    assert_eq!(summary["rescheduling"]["wait_s"]["max"], 600.0);
    assert_eq!(summary["pods"]["completed"], 2);
    // A preempted pod keeps its progress: nothing is lost, and its one core-hour counts once
    // (the part before the preemption at once, the rest at completion).
    assert_eq!(summary["work"]["lost_core_hours"], 0.0);
    assert_eq!(summary["work"]["useful_core_hours"], 1.0);
}

#[test]
fn deployment_victim_is_evicted_and_replaced() {
    let (summary, rec) = run("
  - { name: web, kind: Deployment, replicas: 1, requests: { gpu: 4 } }
  - { name: urgent, kind: Batch, priority_class_name: team, limit: 1, start: 5m,
      arrivals: { poisson_per_hour: 3600 }, duration: 10m, requests: { gpu: 4 } }
");
    let preempted = rec.times("web-0", "Preempted");
    assert_eq!(preempted.len(), 1);
    assert_eq!(rec.times("web-1", "Submitted"), preempted);
    // The replacement waits for urgent to finish.
    assert_eq!(
        rec.times("web-1", "Scheduled"),
        vec![preempted[0] + 600_000]
    );
    assert_eq!(summary["pods"]["evicted"], 1);
    assert_eq!(summary["pods"]["evicted_by_reason"]["Preempted"], 1);
}

#[test]
fn never_policy_waits_instead_of_preempting() {
    let (summary, rec) = run("
  - { name: soak, kind: Batch, limit: 1, arrivals: { poisson_per_hour: 3600 }, duration: 1h,
      requests: { gpu: 4 } }
  - { name: polite, kind: Batch, priority_class_name: team, preemption_policy: Never, limit: 1,
      start: 10m, arrivals: { poisson_per_hour: 3600 }, duration: 10m, requests: { gpu: 4 } }
");
    assert!(rec.times("soak-0", "Preempted").is_empty());
    assert_eq!(
        rec.times("polite-0", "Scheduled"),
        rec.times("soak-0", "Completed")
    );
    assert_eq!(summary["pods"]["evicted"], 0);
}

#[test]
fn preemption_prefers_victims_whose_budget_allows_the_disruption() {
    // Two 8-cpu nodes, each filled by one low-priority replica: guarded-0 (a budget that wants
    // its only replica) lands on general-0, free-0 on general-1. Without budgets the preemptor
    // would take general-0 (equal victims, earlier node); the budget sends it to general-1.
    let text = "
name: pdb-preemption
duration: 1h
cluster:
  pools:
    - { name: general, node: { cpu: 8, memory: 32Gi }, count: 2 }
scheduler: { policy: most-allocated }
priority_classes:
  - { name: low, value: 0, default: true }
  - { name: team, value: 1000 }
workloads:
  - { name: guarded, kind: Deployment, replicas: 1, requests: { cpu: 8 },
      disruption_budget: { min_available: 1 } }
  - { name: free, kind: Deployment, replicas: 1, requests: { cpu: 8 } }
  - { name: urgent, kind: Batch, priority_class_name: team, limit: 1, start: 10m,
      arrivals: { poisson_per_hour: 3600 }, duration: 10m, requests: { cpu: 8 } }
";
    let scenario = load_str(text, "pdb.yaml", None, &[]).expect("valid");
    let (_, log) = run_recorded(&scenario).unwrap();
    let node_of = |name: &str, event: &str| {
        log.0
            .iter()
            .find(|e| e.name == name && e.event == event)
            .map(|e| e.node.clone())
    };
    assert_eq!(
        node_of("guarded-0", "Scheduled").as_deref(),
        Some("general-0")
    );
    assert_eq!(node_of("free-0", "Scheduled").as_deref(), Some("general-1"));
    assert_eq!(
        node_of("urgent-0", "Nominated").as_deref(),
        Some("general-1")
    );
    assert_eq!(log.times("free-0", "Preempted").len(), 1);
    assert!(log.times("guarded-0", "Preempted").is_empty());
}
