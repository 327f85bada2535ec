//! Placement constraints, quotas and scoring shapes read from scenario files.

use super::*;

#[test]
fn placement_constraints_quotas_and_shapes_are_read_and_checked() {
    let extra = "    labels: { app: web }
    affinity:
      node_affinity:
        required: [{ key: disk, operator: In, values: [ssd] }]
        preferred: [{ weight: 30, match: [{ key: gpu, operator: Exists }] }]
    topology_spread:
      - { max_skew: 2, topology_key: topology.kubernetes.io/zone, when_unsatisfiable: ScheduleAnyway }
    anti_affinity:
      - { topology_key: hostname, label_selector: { app: web } }
  - name: batch";
    let text = quickstart_with("  - name: batch", extra).replace(
        "workloads:",
        "quotas:\n  - { namespace: default, cpu: 4, pods: 10 }\nworkloads:",
    );
    let s = load(&text).unwrap();
    let t = &s.workloads[0].template;
    assert_eq!(t.node_affinity.required[0].operator, LabelOperator::In);
    assert_eq!(t.node_affinity.preferred[0].weight, 30);
    let c = &t.topology_spread[0];
    assert_eq!(
        (c.max_skew, c.topology_key, c.when_unsatisfiable),
        (2, TopologyKey::Zone, WhenUnsatisfiable::ScheduleAnyway)
    );
    assert_eq!(c.label_selector, LabelSelector::Workload(0)); // default: own pods
    // Kubernetes' defaults: no minDomains, nodeAffinityPolicy Honor, nodeTaintsPolicy Ignore.
    assert_eq!(
        (c.min_domains, c.honor_node_affinity, c.honor_node_taints),
        (None, true, false)
    );
    assert_eq!(t.anti_affinity[0].topology_key, TopologyKey::Hostname);
    assert_eq!(s.quotas[0].cpu_m, Some(4000));
    assert_eq!(s.quotas[0].memory, None);

    let bad = text
        .replace("values: [ssd]", "values: []")
        .replace("max_skew: 2", "max_skew: 0")
        .replace("topology_key: hostname", "topology_key: rack");
    let e = errors(&bad);
    assert!(e.iter().any(|e| e.ends_with("must be at least 1")), "{e:?}");
    assert!(
        e.iter().any(|e| e.contains("unknown value 'rack'")),
        "{e:?}"
    );

    // minDomains and the node inclusion policies are read; minDomains needs DoNotSchedule and
    // at least 1.
    let policies = text.replace(
        "when_unsatisfiable: ScheduleAnyway }",
        "min_domains: 3, node_affinity_policy: Ignore, node_taints_policy: Honor }",
    );
    let c = load(&policies).unwrap().workloads[0]
        .template
        .topology_spread[0]
        .clone();
    assert_eq!(
        (c.min_domains, c.honor_node_affinity, c.honor_node_taints),
        (Some(3), false, true)
    );
    let e = errors(&text.replace(
        "when_unsatisfiable: ScheduleAnyway }",
        "when_unsatisfiable: ScheduleAnyway, min_domains: 2 }",
    ));
    assert!(
        e.iter()
            .any(|e| e.contains("min_domains applies only with when_unsatisfiable: DoNotSchedule")),
        "{e:?}"
    );
    let e = errors(&policies.replace("min_domains: 3", "min_domains: 0"));
    assert!(
        e.iter()
            .any(|e| e.contains("min_domains must be at least 1")),
        "{e:?}"
    );
    let e = errors(&policies.replace("node_taints_policy: Honor", "node_taints_policy: Always"));
    assert!(
        e.iter().any(|e| e.contains("unknown value 'Always'")),
        "{e:?}"
    );

    let shape = quickstart_with(
        "  policy: least-allocated\n",
        "  scores:\n    - { name: RequestedToCapacityRatio, shape: [{ utilization: 0, score: 10 }, { utilization: 100, score: 0 }] }\n",
    );
    assert_eq!(
        load(&shape).unwrap().scheduler.shape,
        Some(vec![(0, 10), (100, 0)])
    );
    let unordered = shape.replace("utilization: 100", "utilization: 0");
    assert!(errors(&unordered)[0].ends_with("utilization must increase strictly along the shape"));
    let wrong = shape.replace("RequestedToCapacityRatio", "MostAllocated");
    assert!(errors(&wrong)[0].ends_with("only RequestedToCapacityRatio takes a shape"));
}
