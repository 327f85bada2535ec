//! Priorities and preemption through the whole simulation: victims are replaced (Deployment)
//! or requeued with their remaining run time (Batch), and the preemptor binds at once.

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
    let text = format!("{CLUSTER}workloads:\n{workloads}");
    let scenario = load_str(&text, "test.yaml", None, &[]).expect("valid scenario");
    let (result, log) = run_recorded(&scenario).unwrap();
    (result.summary, log)
}

#[test]
fn batch_victim_is_requeued_with_its_remaining_run_time() {
    let (summary, rec) = run("
  - { name: soak, kind: Batch, limit: 1, arrivals: { poisson_per_hour: 3600 }, duration: 1h,
      requests: { cpu: 1, gpu: 4 } }
  - { name: urgent, kind: Batch, priority_class_name: team, limit: 1, start: 10m,
      arrivals: { poisson_per_hour: 3600 }, duration: 10m, requests: { gpu: 4 } }
");
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
