//! Loader tests: the quickstart scenario, every kind of error with its exact rendering,
//! overrides, size guards and a no-panic sweep over mangled inputs.

use std::path::Path;

use super::*;
use crate::dist::DurationDist;
use crate::quantity::Resources;
use crate::time::SimDuration;

const QUICKSTART: &str = "\
name: quickstart
seed: 7
duration: 2h
sample_interval: 1m
cluster:
  zones: [zone-a, zone-b]
  pools:
    - name: general
      capacity_type: on-demand
      node: { cpu: 8, memory: 32Gi }
      price_per_hour: 0.384
      count: 4
scheduler:
  policy: least-allocated
  queue: fifo
workloads:
  - name: web
    kind: Deployment
    replicas: 6
    requests: { cpu: 500m, memory: 1Gi }
  - name: batch
    kind: Batch
    arrivals: { poisson_per_hour: 120 }
    duration: { exponential: { mean: 10m } }
    requests: { cpu: 1, memory: 2Gi }
";

const GI: u64 = 1 << 30;

mod placement;

fn load(text: &str) -> Result<Scenario, InputErrors> {
    load_str(text, "quickstart.yaml", None, &[])
}

/// The rendered errors of `text`, one string each.
fn errors(text: &str) -> Vec<String> {
    match load(text) {
        Ok(_) => panic!("expected errors, the scenario loaded"),
        Err(e) => e.0.iter().map(ToString::to_string).collect(),
    }
}

/// The quickstart text with `from` replaced by `to` (which must occur).
fn quickstart_with(from: &str, to: &str) -> String {
    assert!(QUICKSTART.contains(from), "{from}");
    QUICKSTART.replacen(from, to, 1)
}

fn overrides(list: &[&str]) -> Vec<Override> {
    list.iter().map(|s| Override::parse(s).unwrap()).collect()
}

#[test]
fn quickstart_loads_with_the_right_units() {
    let s = load(QUICKSTART).unwrap();
    assert_eq!(s.name, "quickstart");
    assert_eq!(s.seed, 7);
    assert_eq!(s.duration, SimDuration(2 * 3_600_000));
    assert_eq!(s.sample_interval, SimDuration(60_000));
    assert_eq!(s.cluster.zones, ["zone-a", "zone-b"]);
    let pool = &s.cluster.pools[0];
    assert_eq!(pool.name, "general");
    assert_eq!(pool.capacity_type, CapacityType::OnDemand);
    assert_eq!(pool.node, Resources::new(8000, 32 * GI, 0));
    assert_eq!(pool.max_pods, 110);
    assert_eq!(pool.price_per_hour, 0.384);
    assert_eq!(pool.count, 4);
    assert_eq!(pool.zones, [0, 1]);
    assert!(pool.labels.is_empty() && pool.taints.is_empty());
    assert_eq!(
        pool.provisioning_delay,
        DurationDist::Constant(SimDuration::ZERO)
    );
    assert_eq!(s.scheduler.policy, "least-allocated");
    assert_eq!(s.scheduler.queue, QueueOrder::Fifo);

    let web = &s.workloads[0];
    assert_eq!(web.name, "web");
    assert_eq!(web.template.namespace, "default");
    assert_eq!(web.template.requests, Resources::new(500, GI, 0));
    assert!(matches!(
        &web.kind,
        WorkloadKind::Deployment(d) if matches!(**d, DeploymentSpec {
            replicas: 6,
            startup: None,
            ..
        })
    ));
    let batch = &s.workloads[1];
    assert_eq!(batch.template.requests, Resources::new(1000, 2 * GI, 0));
    let WorkloadKind::Batch {
        poisson_per_hour,
        limit,
        duration,
        start,
    } = &batch.kind
    else {
        panic!("batch is {:?}", batch.kind)
    };
    assert_eq!(*poisson_per_hour, 120.0);
    assert_eq!(*limit, None);
    assert_eq!(
        *duration,
        DurationDist::Exponential {
            mean: SimDuration(600_000)
        }
    );
    assert_eq!(*start, SimDuration::ZERO);
}

#[test]
fn every_optional_field_is_read() {
    let text = "\
name: full
seed: 18446744073709551615
duration: 1d
cluster:
  pools:
    - name: gpu
      capacity_type: spot
      node: { cpu: 7500m, memory: 61Gi, gpu: 4, pods: 58 }
      count: 0
      zones: [default]
      labels: { accelerator: a100, generation: 4, spot: true }
      taints:
        - { key: gpu, value: 'yes', effect: NoSchedule }
        - { key: dedicated, effect: NoExecute }
      provisioning_delay: { lognormal: { median: 90s, sigma: 0.3 } }
scheduler: { policy: best-fit, queue: priority }
workloads:
  - name: train
    kind: Batch
    namespace: ml
    labels: { team: ml }
    priority: -5
    arrivals: { poisson_per_hour: 0.5 }
    limit: 10
    start: 30m
    duration: { uniform: { min: 1h, max: 2h } }
    requests: { gpu: 1 }
    node_selector: { accelerator: a100 }
    tolerations:
      - { key: gpu, operator: Equal, value: 'yes', effect: NoSchedule }
      - { operator: Exists }
  - name: api
    kind: Deployment
    replicas: 0
    startup: 20s
";
    let s = load(text).unwrap();
    assert_eq!(s.seed, u64::MAX);
    assert_eq!(s.sample_interval, SimDuration(60_000));
    assert_eq!(s.cluster.zones, ["default"]);
    let p = &s.cluster.pools[0];
    assert_eq!(p.capacity_type, CapacityType::Spot);
    // gpu: 4 devices = 4000 milli-GPU.
    assert_eq!(p.node, Resources::new(7500, 61 * GI, 4000));
    assert_eq!(p.max_pods, 58);
    assert_eq!(p.labels["generation"], "4");
    assert_eq!(p.labels["spot"], "true");
    assert_eq!(
        p.taints[1],
        Taint {
            key: "dedicated".into(),
            value: String::new(),
            effect: TaintEffect::NoExecute
        }
    );
    assert_eq!(
        p.provisioning_delay,
        DurationDist::LogNormal {
            median: SimDuration(90_000),
            sigma: 0.3
        }
    );
    assert_eq!(s.scheduler.policy, "best-fit");
    assert_eq!(s.scheduler.queue, QueueOrder::Priority);
    let t = &s.workloads[0].template;
    assert_eq!(t.namespace, "ml");
    assert_eq!(t.priority, -5);
    assert_eq!(t.requests, Resources::new(0, 0, 1000)); // gpu: 1 = 1000 milli-GPU
    assert_eq!(t.node_selector["accelerator"], "a100");
    assert_eq!(t.tolerations[1].operator, TolerationOperator::Exists);
    assert_eq!(t.tolerations[1].effect, None);
    assert!(matches!(
        s.workloads[0].kind,
        WorkloadKind::Batch {
            limit: Some(10),
            start: SimDuration(1_800_000),
            ..
        }
    ));
    assert!(matches!(
        &s.workloads[1].kind,
        WorkloadKind::Deployment(d) if matches!(**d, DeploymentSpec {
            replicas: 0,
            startup: Some(DurationDist::Constant(SimDuration(20_000))),
            ..
        })
    ));
}

#[test]
fn unknown_field_points_at_the_key_and_suggests() {
    assert_eq!(
        errors(&quickstart_with("{ cpu: 8,", "{ cpus: 8,")),
        [
            "quickstart.yaml:10:15: cluster.pools[0].node: unknown field 'cpus', expected one of cpu, memory, gpu, gpu_model, pods; did you mean 'cpu'?",
            "quickstart.yaml:10:13: cluster.pools[0].node: missing required field 'cpu'",
        ]
    );
    assert_eq!(
        errors(&quickstart_with("seed: 7", "colour: 7")),
        [
            "quickstart.yaml:2:1: unknown field 'colour', expected one of name, seed, duration, sample_interval, cluster, scheduler, workloads, events, variants, priority_classes, quotas, autoscaler, instance_types"
        ]
    );
}

#[test]
fn fields_of_another_kind_are_errors() {
    assert_eq!(
        errors(&quickstart_with(
            "    arrivals:",
            "    replicas: 3\n    arrivals:"
        )),
        [
            "quickstart.yaml:23:5: workloads[1]: field 'replicas' is not valid for kind Batch (only for Deployment)"
        ]
    );
}

#[test]
fn type_errors_say_what_was_expected() {
    assert_eq!(
        errors(&quickstart_with("count: 4", "count: four")),
        [
            "quickstart.yaml:12:14: cluster.pools[0].count: expected a whole number, found the string 'four'"
        ]
    );
    assert_eq!(
        errors(&quickstart_with("duration: 2h", "duration: [2h]")),
        ["quickstart.yaml:3:11: duration: expected a duration such as 90s or 1h30m, found a list"]
    );
    assert_eq!(
        errors(&quickstart_with("duration: 2h", "duration: 7200")),
        [
            "quickstart.yaml:3:11: duration: expected a duration such as 90s or 1h30m, found 7200 (add a unit, e.g. 7200s or 7200m)"
        ]
    );
    assert_eq!(
        errors(&quickstart_with(
            "cluster:\n  zones",
            "cluster: 3\nx:\n  zones"
        )),
        [
            "quickstart.yaml:5:10: cluster: expected a mapping with fields zones, pools, found 3",
            "quickstart.yaml:6:1: unknown field 'x', expected one of name, seed, duration, sample_interval, cluster, scheduler, workloads, events, variants, priority_classes, quotas, autoscaler, instance_types",
        ]
    );
}

#[test]
fn missing_required_fields_name_the_parent() {
    assert_eq!(
        errors(&quickstart_with("name: quickstart\n", "")),
        ["quickstart.yaml:1:1: missing required field 'name'"]
    );
    assert_eq!(
        errors(&quickstart_with("    replicas: 6\n", "")),
        ["quickstart.yaml:17:5: workloads[0]: missing required field 'replicas'"]
    );
}

#[test]
fn unknown_zone_is_named_with_the_choices() {
    assert_eq!(
        errors(&quickstart_with(
            "      count: 4",
            "      count: 4\n      zones: [zone-a, zone-c]"
        )),
        [
            "quickstart.yaml:13:23: cluster.pools[0].zones[1]: unknown zone 'zone-c'; the cluster's zones are zone-a, zone-b; did you mean 'zone-a'?"
        ]
    );
}

#[test]
fn null_or_empty_cluster_zones_are_refused() {
    // Each way of writing "no zones" is an error at the field: the simulator places the i-th
    // node of a pool in zone i mod the number of zones, so an empty list cannot run.
    let null_zone_message = "zones must be a non-empty list of zone names, found null (omit the field for the single zone 'default')";
    let cases: &[(&str, &[&str], String)] = &[
        (
            "  zones: null",
            &[],
            format!("quickstart.yaml:6:10: cluster.zones: {null_zone_message}"),
        ),
        (
            "  zones: ~",
            &[],
            format!("quickstart.yaml:6:10: cluster.zones: {null_zone_message}"),
        ),
        (
            "  zones:",
            &[],
            format!("quickstart.yaml:6:8: cluster.zones: {null_zone_message}"),
        ),
        (
            "  zones: []",
            &[],
            "quickstart.yaml:6:10: cluster.zones: at least one zone is needed".to_string(),
        ),
        (
            "  zones: [zone-a, zone-b]",
            &["cluster.zones=null"],
            format!("<--set>: cluster.zones: {null_zone_message} (from --set cluster.zones)"),
        ),
        (
            "  zones: [zone-a, zone-b]",
            &["cluster.zones="],
            format!("<--set>: cluster.zones: {null_zone_message} (from --set cluster.zones)"),
        ),
    ];
    for (line, set, expected) in cases {
        let text = quickstart_with("  zones: [zone-a, zone-b]", line);
        let got: Vec<String> = load_str(&text, "quickstart.yaml", None, &overrides(set))
            .unwrap_err()
            .0
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(got, std::slice::from_ref(expected), "{line} {set:?}");
    }
}

#[test]
fn names_follow_the_kubernetes_rule_of_their_kind() {
    // (replace, with, the error): pools are DNS-1123 labels, workloads DNS-1123 subdomains,
    // namespaces DNS-1123 labels, labels Kubernetes label keys and values, zones label values.
    let long = "a".repeat(300);
    let cases: Vec<(&str, String, String)> = vec![
        (
            "    - name: general",
            "    - name: General".into(),
            "quickstart.yaml:8:13: cluster.pools[0].name: 'General' is not a valid name: it must be a DNS-1123 label: at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit (e.g. team-a)".into(),
        ),
        (
            "    - name: general",
            format!("    - name: {}", "p".repeat(64)),
            "quickstart.yaml:8:13: cluster.pools[0].name: 'pppppppppppppppppppppppppppppppppppppppp…' is not a valid name: it must be a DNS-1123 label: at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit (e.g. team-a)".into(),
        ),
        (
            "  - name: web",
            "  - name: web_1".into(),
            "quickstart.yaml:17:11: workloads[0].name: 'web_1' is not a valid name: it must be a DNS-1123 subdomain: at most 253 lowercase letters, digits, '-' and '.', each dot-separated part starting and ending with a letter or digit (e.g. web or web.v2)".into(),
        ),
        (
            "    kind: Deployment",
            "    kind: Deployment\n    namespace: Team-A".into(),
            "quickstart.yaml:19:16: workloads[0].namespace: 'Team-A' is not a valid name: it must be a DNS-1123 label: at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit (e.g. team-a)".into(),
        ),
        (
            "    kind: Deployment",
            "    kind: Deployment\n    labels: {\"bad key\": x}".into(),
            "quickstart.yaml:19:14: workloads[0].labels: 'bad key' is not a valid key: it must be a label key: an optional DNS-1123 subdomain prefix and '/', then at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit (e.g. disk or example.com/disk)".into(),
        ),
        (
            "    kind: Deployment",
            "    kind: Deployment\n    node_selector: {disk: \"-ssd\"}".into(),
            "quickstart.yaml:19:27: workloads[0].node_selector.disk: '-ssd' is not a valid value: it must be a label value: empty, or at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit".into(),
        ),
        (
            "  zones: [zone-a, zone-b]",
            "  zones: [zone-a, \"zone b\"]".into(),
            "quickstart.yaml:6:19: cluster.zones[1]: 'zone b' is not a valid name: it must be a label value: empty, or at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit".into(),
        ),
        (
            "name: quickstart",
            format!("name: {long}"),
            "quickstart.yaml:1:7: name: the name is 300 bytes long; it names the output directory, so the limit is 128".into(),
        ),
    ];
    for (from, to, expected) in cases {
        assert_eq!(errors(&quickstart_with(from, &to)), [expected], "{to}");
    }
    // At the limits: a 63-character pool and a 128-byte scenario name are fine.
    let fine = quickstart_with(
        "    - name: general",
        &format!("    - name: {}", "p".repeat(63)),
    )
    .replace("name: quickstart", &format!("name: {}", "q".repeat(128)));
    assert!(load(&fine).is_ok());
}

#[test]
fn negative_count_is_refused() {
    assert_eq!(
        errors(&quickstart_with("count: 4", "count: -1")),
        ["quickstart.yaml:12:14: cluster.pools[0].count: must not be negative, found -1"]
    );
}

#[test]
fn bad_duration_and_quantity() {
    assert_eq!(
        errors(&quickstart_with("mean: 10m", "mean: 10x")),
        [
            "quickstart.yaml:24:38: workloads[1].duration.exponential.mean: '10x': unknown time unit 'x'; expected one of ms, s, m, h, d"
        ]
    );
    assert_eq!(
        errors(&quickstart_with("memory: 32Gi", "memory: 32GB")),
        [
            "quickstart.yaml:10:31: cluster.pools[0].node.memory: '32GB' is not a memory quantity; expected e.g. 512Mi, 1Gi, 1G or a byte count"
        ]
    );
    assert_eq!(
        errors(&quickstart_with("cpu: 500m", "cpu: 0.0005")),
        [
            "quickstart.yaml:20:22: workloads[0].requests.cpu: '0.0005' is finer than 1m (one millicore)"
        ]
    );
}

#[test]
fn unknown_enum_values_suggest() {
    assert_eq!(
        errors(&quickstart_with(
            "policy: least-allocated",
            "policy: least-alocated"
        )),
        [format!(
            "quickstart.yaml:14:11: scheduler.policy: unknown value 'least-alocated', expected one of {}; did you mean 'least-allocated'?",
            crate::scheduler::POLICY_NAMES.join(", ")
        )]
    );
}

#[test]
fn many_errors_are_reported_at_once_in_file_order() {
    let text = QUICKSTART
        .replace("seed: 7", "seed: -7")
        .replace("capacity_type: on-demand", "capacity_type: spt")
        .replace("count: 4", "count: 2000000")
        .replace("replicas: 6", "replicas: many")
        .replace("poisson_per_hour: 120", "poisson_per_hour: 0")
        .replace(
            "    requests: { cpu: 1, memory: 2Gi }",
            "    requests: { cpu: 1, memory: 2Gi }\n  - name: web\n    kind: Cron",
        );
    assert_eq!(
        errors(&text),
        [
            "quickstart.yaml:2:7: seed: must not be negative, found -7",
            "quickstart.yaml:9:22: cluster.pools[0].capacity_type: unknown value 'spt', expected one of on-demand, reserved, spot; did you mean 'spot'?",
            "quickstart.yaml:12:14: cluster.pools[0].count: 2000000 is absurdly large; the limit is 1000000",
            "quickstart.yaml:19:15: workloads[0].replicas: expected a whole number, found the string 'many'",
            "quickstart.yaml:23:35: workloads[1].arrivals.poisson_per_hour: must be greater than 0, found 0",
            "quickstart.yaml:27:11: workloads[2].kind: unknown value 'Cron', expected one of Batch, Deployment, Job, Trace",
        ]
    );
}

#[test]
fn names_must_be_unique() {
    let text = quickstart_with("  - name: batch", "  - name: web");
    assert_eq!(
        errors(&text),
        ["quickstart.yaml:21:11: workloads[1].name: duplicate workload name 'web'"]
    );
    let text = quickstart_with("zones: [zone-a, zone-b]", "zones: [zone-a, zone-a]");
    assert_eq!(
        errors(&text),
        ["quickstart.yaml:6:19: cluster.zones[1]: 'zone-a' is listed twice"]
    );
}

#[test]
fn distributions_are_checked() {
    let bad = [
        (
            "{ uniform: { min: 2m, max: 1m } }",
            "quickstart.yaml:24:15: workloads[1].duration: uniform min 2m is greater than max 1m",
        ),
        (
            "{ lognormal: { median: 1m, sigma: -1 } }",
            "quickstart.yaml:24:49: workloads[1].duration.lognormal.sigma: must be at least 0, found -1",
        ),
        (
            "{ exponential: { mean: 1m }, uniform: { min: 1m, max: 2m } }",
            "quickstart.yaml:24:15: workloads[1].duration: a distribution has exactly one of exponential, lognormal, uniform, found 2 keys",
        ),
        (
            "{ normal: { mean: 1m } }",
            "quickstart.yaml:24:17: workloads[1].duration: unknown field 'normal', expected one of exponential, lognormal, uniform",
        ),
    ];
    for (dist, message) in bad {
        let text = quickstart_with("{ exponential: { mean: 10m } }", dist);
        assert_eq!(errors(&text), [message], "{dist}");
    }
    let text = quickstart_with("{ exponential: { mean: 10m } }", "90s");
    let s = load(&text).unwrap();
    assert!(matches!(
        s.workloads[1].kind,
        WorkloadKind::Batch {
            duration: DurationDist::Constant(SimDuration(90_000)),
            ..
        }
    ));
}

#[test]
fn overrides_set_scalars_list_elements_and_new_fields() {
    let o = overrides(&[
        "cluster.pools.general.count=10",
        "workloads.web.replicas=3",
        "cluster.zones.1=zone-x",
        "cluster.pools.general.zones=[zone-x]",
        "workloads.batch.limit=100",
        "scheduler.queue=priority",
    ]);
    let s = load_str(QUICKSTART, "q.yaml", None, &o).unwrap();
    assert_eq!(s.cluster.pools[0].count, 10);
    assert_eq!(s.cluster.zones, ["zone-a", "zone-x"]);
    assert_eq!(s.cluster.pools[0].zones, [1]);
    assert!(matches!(
        &s.workloads[0].kind,
        WorkloadKind::Deployment(d) if matches!(**d, DeploymentSpec { replicas: 3, .. })
    ));
    assert!(matches!(
        s.workloads[1].kind,
        WorkloadKind::Batch {
            limit: Some(100),
            ..
        }
    ));
    assert_eq!(s.scheduler.queue, QueueOrder::Priority);
}

#[test]
fn errors_in_overridden_values_name_the_override() {
    let o = overrides(&[
        "cluster.pools.general.count=-3",
        "cluster.pools.general.node.cpus=4",
        "workloads.nope.replicas=1",
        "name.first=x",
    ]);
    let e = load_str(QUICKSTART, "q.yaml", None, &o).unwrap_err();
    let got: Vec<String> = e.0.iter().map(ToString::to_string).collect();
    assert_eq!(
        got,
        [
            "<--set>: workloads.nope.replicas: no element 'nope' in list 'workloads' (it has names web, batch)",
            "<--set>: name.first: 'name' is a string, so it has no field 'first'",
            "<--set>: cluster.pools[0].node: unknown field 'cpus', expected one of cpu, memory, gpu, gpu_model, pods; did you mean 'cpu'? (from --set cluster.pools.general.node.cpus)",
            "<--set>: cluster.pools[0].count: must not be negative, found -3 (from --set cluster.pools.general.count)",
        ]
    );
}

#[test]
fn yaml_syntax_errors_have_a_location() {
    let text = quickstart_with("queue: fifo", "queue: [fifo");
    let e = errors(&text);
    assert_eq!(e.len(), 1);
    assert!(e[0].starts_with("quickstart.yaml:16:"), "{}", e[0]);
    assert!(e[0].contains("invalid YAML"), "{}", e[0]);
    assert_eq!(
        errors(&quickstart_with("seed: 7", "name: again")),
        ["quickstart.yaml:2:1: invalid YAML: duplicate mapping key: name"]
    );
    assert_eq!(
        errors(""),
        [
            "quickstart.yaml:1:1: expected a mapping with fields name, seed, duration, sample_interval, cluster, scheduler, workloads, events, variants, priority_classes, quotas, autoscaler, instance_types, found null"
        ]
    );
}

#[test]
fn absurd_sizes_are_refused() {
    let cases = [
        (
            quickstart_with("replicas: 6", "replicas: 99999999999"),
            "quickstart.yaml:19:15: workloads[0].replicas: 99999999999 is absurdly large; the limit is 10000000",
        ),
        (
            quickstart_with("poisson_per_hour: 120", "poisson_per_hour: 1e12"),
            "quickstart.yaml:23:35: workloads[1].arrivals.poisson_per_hour: 1000000000000 is absurdly large; the limit is 1000000000",
        ),
        (
            quickstart_with("duration: 2h", "duration: 200000d"),
            "quickstart.yaml:3:11: duration: '200000d' is too long; the longest duration is 100 years",
        ),
        (
            quickstart_with("duration: 2h", "duration: 7d")
                .replace("sample_interval: 1m", "sample_interval: 10ms"),
            "quickstart.yaml:4:18: sample_interval: sampling 7d every 10ms gives 60480000 rows; the limit is 10000000, so use a longer sample_interval",
        ),
        (
            quickstart_with("sample_interval: 1m", "sample_interval: 0s"),
            "quickstart.yaml:4:18: sample_interval: must be longer than 0s",
        ),
        (
            quickstart_with(
                "      count: 4",
                "      count: 600000\n    - name: more\n      node: { cpu: 1, memory: 1Gi }\n      count: 600000",
            ),
            "quickstart.yaml:8:5: cluster.pools: 1200000 nodes in all is absurdly many; the limit is 1000000",
        ),
    ];
    for (text, message) in cases {
        assert_eq!(errors(&text), [message]);
    }
    let many_zones: Vec<String> = (0..1001).map(|i| format!("z{i}")).collect();
    let text = quickstart_with("[zone-a, zone-b]", &format!("[{}]", many_zones.join(", ")));
    assert_eq!(
        errors(&text),
        ["quickstart.yaml:6:10: cluster.zones: 1001 entries is absurdly many; the limit is 1000"]
    );
}

#[test]
fn trace_workloads_load_relative_to_the_scenario() {
    let dir = std::env::temp_dir().join(format!("clustersim-scenario-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("pods.csv"),
        "submit_time,cpu,memory,duration\n5,1,1Gi,60\n1.5,250m,512Mi,\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("bad.csv"),
        "submit_time,cpu,memory,duration\n5,1,1Gi,60\n1.5,lots,512Mi,\n",
    )
    .unwrap();
    let scenario =
        QUICKSTART.to_string() + "  - name: replay\n    kind: Trace\n    path: pods.csv\n";
    let file = dir.join("s.yaml");
    std::fs::write(&file, &scenario).unwrap();
    let s = load_file(&file, &[]).unwrap();
    assert_eq!(s.source.as_deref(), Some(file.as_path()));
    let WorkloadKind::Trace { rows, .. } = &s.workloads[2].kind else {
        panic!()
    };
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].submit.0, 1500);
    assert_eq!(rows[0].requests, Resources::new(250, 512 << 20, 0));

    let bad = load_file(&file, &overrides(&["workloads.replay.path=bad.csv"])).unwrap_err();
    let bad_path = dir.join("bad.csv");
    assert_eq!(
        bad.to_string(),
        format!(
            "error: {}:3: cpu: 'lots' is not a cpu quantity; expected e.g. 500m, 2 or 0.5",
            bad_path.display()
        )
    );
    let missing = load_str(
        &scenario.replace("pods.csv", "nope.csv"),
        "s.yaml",
        Some(&dir),
        &[],
    )
    .unwrap_err()
    .to_string();
    assert!(
        missing.starts_with(&format!(
            "error: s.yaml:28:11: workloads[2].path: cannot read trace file '{}': ",
            dir.join("nope.csv").display()
        )),
        "{missing}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn missing_and_huge_files_are_single_errors() {
    let e = load_file(Path::new("/nonexistent/s.yaml"), &[]).unwrap_err();
    assert_eq!(e.len(), 1);
    assert!(
        e.to_string()
            .starts_with("error: /nonexistent/s.yaml: cannot read: "),
        "{e}"
    );
    let huge = "#".repeat(MAX_FILE_BYTES as usize + 1);
    let e = load_str(&huge, "big.yaml", None, &[]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "error: big.yaml: the text is larger than 16 MiB"
    );
}

/// A tiny deterministic generator, so the sweep is the same on every run.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn mangled_inputs_never_panic() {
    let full = QUICKSTART.to_string()
        + "  - name: t\n    kind: Trace\n    path: /nonexistent.csv\n    tolerations: [{ operator: Exists, value: x }]\n";
    // Every prefix (at char boundaries).
    for end in (0..=full.len()).filter(|i| full.is_char_boundary(*i)) {
        let _ = load(&full[..end]);
    }
    // Random byte flips, deletions and duplications of lines.
    let mut rng = XorShift(0x5eed_1234_abcd_0001);
    let alphabet = b" :-[]{},#&*!|>'\"\n\t0123456789.abcmsGi~";
    for _ in 0..3000 {
        let mut bytes = full.as_bytes().to_vec();
        for _ in 0..1 + rng.next() % 4 {
            let i = (rng.next() % bytes.len() as u64) as usize;
            match rng.next() % 3 {
                0 => bytes[i] = alphabet[(rng.next() % alphabet.len() as u64) as usize],
                1 => {
                    bytes.remove(i);
                }
                _ => bytes.insert(i, alphabet[(rng.next() % alphabet.len() as u64) as usize]),
            }
        }
        let text = String::from_utf8_lossy(&bytes);
        let _ = load(&text);
    }
    // Lines shuffled between each other.
    let lines: Vec<&str> = full.lines().collect();
    for _ in 0..500 {
        let mut l = lines.clone();
        let a = (rng.next() % l.len() as u64) as usize;
        let b = (rng.next() % l.len() as u64) as usize;
        l.swap(a, b);
        let _ = load(&l.join("\n"));
    }
}

#[test]
fn custom_scheduler_profile_loads() {
    let s = load(&QUICKSTART.replace(
        "  policy: least-allocated\n  queue: fifo\n",
        "  queue: largest-first\n  filters: [NodeResourcesFit, TaintToleration]\n  scores:\n    - { name: MostAllocated, weight: 2 }\n    - { name: BalancedAllocation }\n  percentage_of_nodes_to_score: 50\n",
    ))
    .unwrap();
    assert_eq!(s.scheduler.policy, "custom");
    assert_eq!(s.scheduler.queue, QueueOrder::LargestFirst);
    assert_eq!(
        s.scheduler.filters,
        Some(vec![
            "NodeResourcesFit".to_string(),
            "TaintToleration".to_string()
        ])
    );
    assert_eq!(
        s.scheduler.scores,
        Some(vec![
            ("MostAllocated".to_string(), 2),
            ("BalancedAllocation".to_string(), 1)
        ])
    );
    assert_eq!(s.scheduler.percentage_of_nodes_to_score, Some(50));
}

#[test]
fn unknown_plugin_names_suggest_the_closest() {
    let errs = errors(&QUICKSTART.replace(
        "  policy: least-allocated\n",
        "  filters: [NodeResourceFit]\n  scores: [{ name: LeastAlocated }]\n",
    ));
    assert_eq!(errs.len(), 2, "{errs:?}");
    assert!(
        errs[0].contains("scheduler.filters: unknown filter plugin 'NodeResourceFit'")
            && errs[0].ends_with("did you mean 'NodeResourcesFit'?"),
        "{}",
        errs[0]
    );
    assert!(
        errs[1].contains("scheduler.scores[0].name: unknown value 'LeastAlocated'")
            && errs[1].ends_with("did you mean 'LeastAllocated'?"),
        "{}",
        errs[1]
    );
}

#[test]
fn named_policy_and_custom_profile_are_exclusive() {
    let errs = errors(&QUICKSTART.replace(
        "  queue: fifo\n",
        "  queue: fifo\n  scores: [{ name: MostAllocated }]\n",
    ));
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(errs[0].contains("not both"), "{}", errs[0]);
}

#[test]
fn priority_classes_resolve_and_are_checked() {
    let classes = "priority_classes:
  - { name: low, value: -5, default: true }
  - { name: team, value: 1000, preemption_policy: Never }
workloads:";
    let ok = quickstart_with("workloads:", classes).replacen(
        "    kind: Batch\n",
        "    kind: Batch\n    priority_class_name: team\n",
        1,
    );
    let s = load(&ok).unwrap();
    // web names nothing: the default class; batch names team and takes its policy.
    assert_eq!(s.workloads[0].template.priority, -5);
    assert_eq!(s.workloads[1].template.priority, 1000);
    assert_eq!(
        s.workloads[1].template.preemption_policy,
        PreemptionPolicy::Never
    );

    let typo = ok.replace("priority_class_name: team", "priority_class_name: teamm");
    let e = errors(&typo);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].ends_with(
            "workloads[1].priority_class_name: unknown priority class 'teamm', expected one of low, team; did you mean 'team'?"
        ),
        "{e:?}"
    );
    let both = ok.replace(
        "priority_class_name: team",
        "priority_class_name: team\n    priority: 3",
    );
    assert!(errors(&both)[0].ends_with("give either priority or priority_class_name, not both"));
    let two_defaults = ok.replace("value: 1000,", "value: 1000, default: true,");
    assert!(
        errors(&two_defaults)[0]
            .ends_with("only one priority class may be the default; 'low' already is")
    );
    let dup = ok.replace("name: team, value", "name: low, value");
    assert!(
        errors(&dup)
            .iter()
            .any(|e| e.ends_with("duplicate priority class 'low'"))
    );
}

#[test]
fn a_workload_refused_for_its_name_leaves_no_dangling_dependency() {
    // The last workload has no usable name, so it takes no place in the list; its depends_on
    // must not point at the place it would have taken (found by the fuzzer: an index past the
    // end).
    let text = "
name: deps
duration: 1h
cluster:
  pools:
    - { name: general, node: { cpu: 8, memory: 32Gi }, count: 1 }
workloads:
  - { name: db, kind: Deployment, replicas: 1 }
  - { name: ~, kind: Deployment, replicas: 1, depends_on: [ { workload: db } ], crash_after: 5s }
";
    let errors = load_str(text, "deps.yaml", None, &[]).unwrap_err();
    assert!(
        errors.0.iter().any(|e| e.path == "workloads[1]"),
        "{errors:?}"
    );
}

#[test]
fn a_run_that_would_not_fit_the_memory_budget_is_refused() {
    // 130 pods an hour for 10 years is 11.4 million pods (≈ 4.25 GiB at 400 bytes): over the
    // 4 GiB budget. 110 an hour (9.6 million, ≈ 3.6 GiB) fits. Samples no longer count:
    // memory keeps at most 20,000 of them (the rest stream to timeseries.csv), so one-minute
    // and hourly sampling get the same answer.
    let text = |rate: u32, interval: &str| {
        format!(
            "
name: decade
duration: 3650d
sample_interval: {interval}
cluster:
  pools:
    - {{ name: general, node: {{ cpu: 8, memory: 32Gi }}, count: 4 }}
workloads:
  - name: batch
    kind: Batch
    arrivals: {{ poisson_per_hour: {rate} }}
    duration: 10m
    requests: {{ cpu: 1 }}
"
        )
    };
    for interval in ["1m", "1h"] {
        let errors = load_str(&text(130, interval), "decade.yaml", None, &[]).unwrap_err();
        assert!(
            errors.0.iter().any(|e| e.message.contains("GiB in memory")
                && e.message.contains("the budget is 4 GiB")
                && e.line == 9),
            "{errors:?}"
        );
        assert!(load_str(&text(110, interval), "decade.yaml", None, &[]).is_ok());
    }
}

#[test]
fn rollouts_count_toward_the_memory_budget() {
    // 100,000 replicas rolled every minute for a day: 1,441 rollouts × 100,000 new pods.
    let text = "
name: churn
duration: 1d
cluster:
  pools:
    - { name: general, node: { cpu: 8, memory: 32Gi }, count: 4 }
workloads:
  - { name: web, kind: Deployment, replicas: 100000, requests: { cpu: 1 } }
events:
  - { every: 1m, rollout: { workload: web } }
";
    let errors = load_str(text, "churn.yaml", None, &[]).unwrap_err();
    assert!(
        errors.0.iter().any(|e| e.message.contains("GiB in memory")),
        "{errors:?}"
    );
}
