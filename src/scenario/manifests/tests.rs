//! The translation against what Kubernetes computes, case by case.

use std::rc::Rc;

use super::object::Problems;
use super::{Object, push_objects, translate};
use crate::scenario::yaml::parse_documents;

/// Translates manifest text with the bundled catalog.
fn translated(text: &str) -> (super::Imported, Problems) {
    let file: Rc<str> = Rc::from("m.yaml");
    let mut objects: Vec<Object> = Vec::new();
    for doc in parse_documents(text, "m.yaml").unwrap() {
        push_objects(doc, &file, &mut objects);
    }
    let mut p = Problems::default();
    let got = translate(
        &objects,
        None,
        &crate::scenario::instance_types::bundled(),
        &mut p,
    );
    (got, p)
}

/// Translates manifest text; returns the imported workloads and pools as flow YAML, and the
/// errors and notes as text.
fn import(text: &str) -> (Vec<String>, Vec<String>, Vec<String>, Vec<String>) {
    let (got, p) = translated(text);
    let flow = |l: &crate::scenario::yaml::Located| l.node.to_flow_yaml();
    (
        got.workloads.iter().map(flow).collect(),
        got.pools.iter().map(flow).collect(),
        p.errors.iter().map(|e| e.to_string()).collect(),
        p.notes.iter().map(|e| e.to_string()).collect(),
    )
}

/// A Deployment whose pod spec is `spec` (indented under `spec:` of the template).
fn deployment(spec: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: w}}\nspec:\n  selector: {{matchLabels: {{a: b}}}}\n  template:\n    metadata: {{labels: {{a: b}}}}\n    spec:\n{spec}"
    )
}

/// The `requests` of the one imported workload.
fn requests(workload: &str) -> String {
    let start = workload.find("\"requests\": ").expect("requests") + 12;
    let end = workload[start..].find('}').unwrap() + start + 1;
    workload[start..end].to_string()
}

#[test]
fn effective_requests_follow_kubernetes_pod_requests() {
    // (pod spec, expected native requests). Kubernetes' resourcehelper.PodRequests: max(sum of
    // containers + sidecars, each init container + the sidecars before it) + overhead.
    let cases: &[(&str, &str)] = &[
        // Two containers: 100m + 200m, 1Gi + 512Mi.
        (
            "      containers:\n        - {name: a, resources: {requests: {cpu: 100m, memory: 1Gi}}}\n        - {name: b, resources: {requests: {cpu: 200m, memory: 512Mi}}}\n",
            r#"{"cpu": "300m", "memory": "1536Mi"}"#,
        ),
        // Limits only: requests default to limits.
        (
            "      containers:\n        - {name: a, resources: {limits: {cpu: '1', memory: 2Gi}}}\n",
            r#"{"cpu": "1", "memory": "2Gi"}"#,
        ),
        // An init container larger than the containers sets the request.
        (
            "      initContainers:\n        - {name: i, resources: {requests: {cpu: '3'}}}\n      containers:\n        - {name: a, resources: {requests: {cpu: 500m, memory: 1Gi}}}\n",
            r#"{"cpu": "3", "memory": "1Gi"}"#,
        ),
        // A sidecar (restartPolicy Always) started before an init container adds to it:
        // init 1000m + sidecar 500m = 1500m > containers 200m + sidecar 500m = 700m.
        (
            "      initContainers:\n        - {name: s, restartPolicy: Always, resources: {requests: {cpu: 500m}}}\n        - {name: i, resources: {requests: {cpu: '1'}}}\n      containers:\n        - {name: a, resources: {requests: {cpu: 200m}}}\n",
            r#"{"cpu": "1500m", "memory": "0"}"#,
        ),
        // A sidecar after the init container does not add to it: max(1000m, 200m + 500m).
        (
            "      initContainers:\n        - {name: i, resources: {requests: {cpu: '1'}}}\n        - {name: s, restartPolicy: Always, resources: {requests: {cpu: 500m}}}\n      containers:\n        - {name: a, resources: {requests: {cpu: 200m}}}\n",
            r#"{"cpu": "1", "memory": "0"}"#,
        ),
        // Overhead is added on top: 250m + 100m.
        (
            "      overhead: {cpu: 100m, memory: 64Mi}\n      containers:\n        - {name: a, resources: {requests: {cpu: 250m, memory: 64Mi}}}\n",
            r#"{"cpu": "350m", "memory": "128Mi"}"#,
        ),
        // Quantities in every Kubernetes spelling: 0.5 cpu, 129e6 bytes = 123.0222...Mi,
        // written as bytes.
        (
            "      containers:\n        - {name: a, resources: {requests: {cpu: '0.5', memory: 129e6}}}\n",
            r#"{"cpu": "500m", "memory": "129000000"}"#,
        ),
        // GPUs by their extended-resource name.
        (
            "      containers:\n        - {name: a, resources: {requests: {cpu: '1', nvidia.com/gpu: 2}, limits: {nvidia.com/gpu: 2}}}\n",
            r#"{"cpu": "1", "memory": "0", "gpu": 2}"#,
        ),
    ];
    for (spec, expected) in cases {
        let (workloads, _, errors, _) = import(&deployment(spec));
        assert!(errors.is_empty(), "{spec}: {errors:?}");
        assert_eq!(requests(&workloads[0]), *expected, "{spec}");
    }
}

#[test]
fn limit_range_defaults_fill_what_containers_leave_out() {
    // defaultRequest, else default, else max (Kubernetes defaults each from the next).
    let text = format!(
        "apiVersion: v1\nkind: LimitRange\nmetadata: {{name: l}}\nspec:\n  limits:\n    - type: Container\n      max: {{cpu: '2', memory: 4Gi}}\n      default: {{memory: 1Gi}}\n---\n{}",
        deployment(
            "      containers:\n        - {name: a}\n        - {name: b, resources: {requests: {cpu: 300m}}}\n"
        )
    );
    let (workloads, _, errors, _) = import(&text);
    assert!(errors.is_empty(), "{errors:?}");
    // a: cpu from max (2), memory from default (1Gi); b: 300m and 1Gi.
    assert_eq!(
        requests(&workloads[0]),
        r#"{"cpu": "2300m", "memory": "2Gi"}"#
    );
}

#[test]
fn nodes_group_into_pools_by_shape_labels_and_taints() {
    let node = |name: &str, zone: &str, extra: &str| {
        format!(
            "  - apiVersion: v1\n    kind: Node\n    metadata:\n      name: {name}\n      labels: {{kubernetes.io/hostname: {name}, topology.kubernetes.io/zone: {zone}, eks.amazonaws.com/nodegroup: ng{extra}}}\n    status: {{allocatable: {{cpu: '4', memory: 16Gi}}}}\n"
        )
    };
    let text = format!(
        "apiVersion: v1\nkind: List\nitems:\n{}{}{}{}",
        node("a", "z1", ""),
        node("b", "z1", ""),
        node("c", "z2", ""),
        node("d", "z1", ", eks.amazonaws.com/capacityType: SPOT"),
    );
    let (_, pools, errors, _) = import(&text);
    assert!(errors.is_empty(), "{errors:?}");
    let names: Vec<&str> = pools
        .iter()
        .map(|p| {
            let s = p.find("\"name\": \"").unwrap() + 9;
            &p[s..s + p[s..].find('"').unwrap()]
        })
        .collect();
    // a and b alike; c in another zone; d is spot: the same group label, so a suffix.
    assert_eq!(names, ["ng-z1", "ng-z2", "ng-z1-2"]);
    assert!(pools[0].contains("\"count\": 2"), "{}", pools[0]);
    assert!(
        pools[2].contains("\"capacity_type\": \"spot\""),
        "{}",
        pools[2]
    );
}

#[test]
fn constraints_native_clustersim_cannot_say_are_refused_or_noted() {
    let (_, _, errors, notes) = import(&deployment(
        "      containers: [{name: a}]\n      affinity:\n        nodeAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n            nodeSelectorTerms:\n              - matchExpressions: [{key: a, operator: In, values: [x]}]\n              - matchExpressions: [{key: b, operator: Exists}]\n        podAffinity: {preferredDuringSchedulingIgnoredDuringExecution: []}\n      topologySpreadConstraints:\n        - {maxSkew: 1, topologyKey: rack, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {a: b}}}\n        - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule}\n",
    ));
    let all = errors.join("\n");
    assert!(
        all.contains("2 nodeSelectorTerms (ORed) are not supported"),
        "{all}"
    );
    assert!(all.contains("topologyKey 'rack' is not supported"), "{all}");
    let notes = notes.join("\n");
    assert!(
        notes.contains("preferred pod affinity is not modelled"),
        "{notes}"
    );
    assert!(
        notes.contains("without labelSelector counts no pods"),
        "{notes}"
    );
}

#[test]
fn karpenter_node_pools_choose_catalog_types_by_their_requirements() {
    let text = "\
apiVersion: karpenter.sh/v1
kind: NodePool
metadata: {name: default}
spec:
  template:
    metadata: {labels: {team: web}}
    spec:
      nodeClassRef: {group: karpenter.k8s.aws, kind: EC2NodeClass, name: default}
      requirements:
        - {key: karpenter.k8s.aws/instance-family, operator: In, values: [m5]}
        - {key: node.kubernetes.io/instance-type, operator: NotIn, values: [m5.4xlarge]}
        - {key: karpenter.sh/capacity-type, operator: In, values: [spot, on-demand]}
        - {key: topology.kubernetes.io/zone, operator: In, values: [zone-a]}
        - {key: kubernetes.io/arch, operator: In, values: [amd64]}
  limits: {cpu: 1000, memory: 1000Gi}
  disruption: {consolidationPolicy: WhenEmpty, consolidateAfter: 30s, budgets: [{nodes: '10%'}]}
";
    let (got, p) = translated(text);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    let pool = got.node_pools[0].node.to_flow_yaml();
    // The bundled catalog's m5 family less m5.4xlarge; spot before on-demand; the arch
    // requirement is noted, not modelled.
    assert!(
        pool.contains(r#""instance_types": ["m5.large", "m5.xlarge", "m5.2xlarge"]"#),
        "{pool}"
    );
    assert!(
        pool.contains(r#""capacity_types": ["spot", "on-demand"]"#),
        "{pool}"
    );
    assert!(pool.contains(r#""zones": ["zone-a"]"#), "{pool}");
    assert!(pool.contains(r#""limits": {"cpu": "1000"}"#), "{pool}");
    assert!(
        pool.contains(r#""consolidation_policy": "WhenEmpty""#),
        "{pool}"
    );
    assert!(
        p.notes
            .iter()
            .any(|n| n.message.contains("kubernetes.io/arch is not modelled")),
        "{:?}",
        p.notes
    );
}

#[test]
fn what_kubectl_lists_twice_or_disables_is_left_out() {
    // A ReplicaSet controlled by a Deployment, a suspended CronJob, a DaemonSet and a bare
    // Pod: none becomes a workload, each with a note; the Deployment stays.
    let text = format!(
        "{}---\napiVersion: apps/v1\nkind: ReplicaSet\nmetadata:\n  name: w-5d8f\n  ownerReferences: [{{apiVersion: apps/v1, kind: Deployment, name: w, controller: true}}]\nspec:\n  selector: {{matchLabels: {{a: b}}}}\n  template: {{metadata: {{labels: {{a: b}}}}, spec: {{containers: [{{name: a}}]}}}}\n---\napiVersion: batch/v1\nkind: CronJob\nmetadata: {{name: c}}\nspec:\n  schedule: '@daily'\n  suspend: true\n  jobTemplate: {{spec: {{template: {{spec: {{containers: [{{name: a}}]}}}}}}}}\n---\napiVersion: apps/v1\nkind: DaemonSet\nmetadata: {{name: logs}}\nspec:\n  selector: {{matchLabels: {{x: y}}}}\n  template: {{metadata: {{labels: {{x: y}}}}, spec: {{containers: [{{name: a, resources: {{requests: {{cpu: 100m, memory: 200Mi}}}}}}]}}}}\n---\napiVersion: v1\nkind: Pod\nmetadata: {{name: lone}}\nspec: {{containers: [{{name: a}}]}}\n",
        deployment("      containers: [{name: a}]\n")
    );
    let (workloads, _, errors, notes) = import(&text);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(workloads.len(), 1, "{workloads:?}");
    let notes = notes.join("\n");
    for expected in [
        "ReplicaSet 'w-5d8f' is controlled by Deployment w",
        "CronJob 'c' is suspended",
        "DaemonSet 'logs' is not modelled: its pod on every node requests cpu 100m and memory 200Mi",
        "a bare Pod is not modelled",
    ] {
        assert!(notes.contains(expected), "missing {expected:?} in {notes}");
    }
}

#[test]
fn quotas_of_a_namespace_combine_and_scoped_ones_are_left_out() {
    let quota = |name: &str, hard: &str, extra: &str| {
        format!(
            "apiVersion: v1\nkind: ResourceQuota\nmetadata: {{name: {name}, namespace: t}}\nspec:\n  hard: {{{hard}}}\n{extra}---\n"
        )
    };
    let text = format!(
        "{}{}{}",
        quota("a", "requests.cpu: '10', pods: '50'", ""),
        quota("b", "cpu: '8', requests.memory: 4Gi", ""),
        quota("c", "pods: '1'", "  scopes: [BestEffort]\n"),
    );
    let (got, p) = translated(&text);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    // Both quotas hold: the smaller cpu (8), a's pods, b's memory; c is scoped and left out.
    assert_eq!(got.quotas.len(), 1);
    assert_eq!(
        got.quotas[0].node.to_flow_yaml(),
        r#"{"namespace": "t", "cpu": "8", "pods": 50, "memory": "4Gi"}"#
    );
    assert!(
        p.notes.iter().any(|n| n.message.contains("scoped quota")),
        "{:?}",
        p.notes
    );
}

#[test]
fn kubernetes_rejects_these_and_so_does_import() {
    // (pod spec or object, error expected)
    let cases: &[(String, &str)] = &[
        (
            deployment("      containers: [{name: a, resources: {requests: {memroy: 1Gi}}}]\n"),
            "Invalid value: \"memroy\": must be a standard resource type or fully qualified; did you mean 'memory'?",
        ),
        (
            deployment("      containers: [{name: a, resources: {requests: {nvidia.com/gpu: 1}, limits: {nvidia.com/gpu: 2}}}]\n"),
            "must be equal to nvidia.com/gpu limit of 2",
        ),
        (
            deployment("      containers: [{name: a, resources: {requests: {cpu: '-1'}}}]\n"),
            "must be greater than or equal to 0",
        ),
        (
            deployment("      affinity: {podAffinity: {requiredDuringSchedulingIgnoredDuringExecution: []}}\n      containers: [{name: a}]\n"),
            "required pod affinity is not supported",
        ),
        (
            "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: x}\nvalue: 2000000000\n".into(),
            "must be at most 1000000000",
        ),
        (
            deployment("      containers: [{name: a}]\n").replace(
                "metadata: {labels: {a: b}}",
                "metadata: {labels: {a: b}, annotations: {clustersim.io/startpu: 5s}}",
            ),
            "unknown annotation clustersim.io/startpu; clustersim reads clustersim.io/duration, clustersim.io/startup, clustersim.io/load; did you mean 'clustersim.io/startup'?",
        ),
    ];
    for (text, expected) in cases {
        let (_, _, errors, _) = import(text);
        assert!(
            errors.iter().any(|e| e.contains(expected)),
            "missing {expected:?} in {errors:?}"
        );
    }
}

#[test]
fn autoscaling_v1_hpas_read_their_cpu_target() {
    let text = format!(
        "{}---\napiVersion: autoscaling/v1\nkind: HorizontalPodAutoscaler\nmetadata: {{name: h}}\nspec:\n  scaleTargetRef: {{kind: Deployment, name: w}}\n  maxReplicas: 9\n  targetCPUUtilizationPercentage: 55\n",
        deployment("      containers: [{name: a}]\n").replace(
            "metadata: {name: w}",
            "metadata: {name: w, annotations: {clustersim.io/load: '{requests_per_second: 100, per_pod: 10}'}}",
        )
    );
    let (workloads, _, errors, _) = import(&text);
    assert!(errors.is_empty(), "{errors:?}");
    assert!(
        workloads[0].contains(
            r#""autoscaling": {"min_replicas": 1, "max_replicas": 9, "target_cpu_utilization": 55}"#
        ),
        "{}",
        workloads[0]
    );
}

#[test]
fn spread_min_domains_and_node_inclusion_policies_are_carried() {
    let (workloads, _, errors, notes) = import(&deployment(
        "      containers: [{name: a}]\n      topologySpreadConstraints:\n        - {maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {a: b}}, minDomains: 3, nodeAffinityPolicy: Ignore, nodeTaintsPolicy: Honor}\n",
    ));
    assert!(errors.is_empty(), "{errors:?}");
    assert!(notes.is_empty(), "{notes:?}");
    let w = &workloads[0];
    for field in [
        "\"min_domains\": 3",
        "\"node_affinity_policy\": \"Ignore\"",
        "\"node_taints_policy\": \"Honor\"",
    ] {
        assert!(w.contains(field), "{field} in {w}");
    }
}
