//! Namespace quotas and topology spread through the whole simulation.

use clustersim::scenario::{load_file, load_str};
use clustersim::sim::run_recorded;

#[test]
fn quota_keeps_pods_pending_with_a_namespace_message() {
    // Quota 3 cpu in team-a; 5 one-cpu replicas: 3 run, 2 wait although the node has room.
    let text = "
name: quota
duration: 10m
cluster:
  pools:
    - { name: general, node: { cpu: 16, memory: 64Gi }, count: 1 }
quotas:
  - { namespace: team-a, cpu: 3 }
workloads:
  - { name: a, kind: Deployment, namespace: team-a, replicas: 5, requests: { cpu: 1 } }
  - { name: b, kind: Deployment, replicas: 5, requests: { cpu: 1 } }
";
    let scenario = load_str(text, "quota.yaml", None, &[]).unwrap();
    let (result, rec) = run_recorded(&scenario).unwrap();
    assert_eq!(result.summary["pods"]["pending_at_end"], 2);
    assert_eq!(result.summary["pods"]["running_at_end"], 8);
    assert_eq!(
        result.summary["unschedulable_reasons"]["exceeded quota: team-a"],
        2
    );
    let msg = &rec
        .0
        .iter()
        .find(|e| e.name == "a-3" && e.event == "FailedScheduling")
        .unwrap()
        .message;
    assert!(
        msg.starts_with("exceeded quota: team-a (cpu 3000m used + 1000m requested > 3000m)"),
        "{msg}"
    );
    assert!(msg.contains("before any node is considered"), "{msg}");
}

#[test]
fn zone_spread_scenario_spreads_web_and_not_the_unspread_copy() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/zone-spread.yaml");
    let scenario = load_file(&path, &[]).unwrap();
    let (result, rec) = run_recorded(&scenario).unwrap();
    // Nodes general-0..5 alternate zones a, b, c, a, b, c.
    let zone_of = |node: &str| node.trim_start_matches("general-").parse::<u32>().unwrap() % 3;
    let zones = |prefix: &str| {
        let mut per_zone = [0; 3];
        for e in rec.0.iter().filter(|e| e.event == "Scheduled") {
            let rest = e.name.strip_prefix(prefix);
            if rest.is_some_and(|r| r.parse::<u32>().is_ok()) {
                per_zone[zone_of(&e.node) as usize] += 1;
            }
        }
        per_zone
    };
    assert_eq!(zones("web-"), [2, 2, 2]);
    assert_eq!(zones("web-unspread-"), [6, 0, 0]);
    // cache pods: three different hosts.
    let mut hosts: Vec<&str> = rec
        .0
        .iter()
        .filter(|e| e.event == "Scheduled" && e.name.starts_with("cache-"))
        .map(|e| e.node.as_str())
        .collect();
    hosts.dedup();
    assert_eq!(hosts.len(), 3);
    assert_eq!(result.summary["pods"]["pending_at_end"], 0);
}
