//! Kubernetes manifests in, through the real CLI: the bundled example runs, `import` round
//! trips byte for byte, what Kubernetes computes (effective requests, defaults) is what the
//! imported scenario says, and bad manifests get located errors with exit 2.

use std::path::Path;

use crate::{clustersim, read_json, scratch_dir, stderr, stdout};

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// summary.json without its provenance (which names the input files, so differs by design).
fn summary_without_provenance(dir: &Path) -> serde_json::Value {
    let mut s = read_json(&dir.join("summary.json"));
    s.as_object_mut().unwrap().remove("provenance");
    s
}

/// `clustersim import` of the bundled example, as its scenario names it, into `out`.
fn import_example(out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "import",
        "scenarios/from-manifests/app",
        "--nodes",
        "scenarios/from-manifests/nodes.yaml",
        "--name",
        "from-manifests",
        "--seed",
        "7",
        "-o",
        path(out),
    ];
    args.extend_from_slice(extra);
    clustersim(&args)
}

const NODES: &str = "\
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Node
    metadata:
      name: n1
      labels: {kubernetes.io/hostname: n1, topology.kubernetes.io/zone: z1, node.kubernetes.io/instance-type: m5.xlarge}
    status: {allocatable: {cpu: 3920m, memory: 15Gi, pods: '58'}}
  - apiVersion: v1
    kind: Node
    metadata:
      name: n2
      labels: {kubernetes.io/hostname: n2, topology.kubernetes.io/zone: z1, node.kubernetes.io/instance-type: m5.xlarge}
    status: {allocatable: {cpu: 3920m, memory: 15Gi, pods: '58'}}
  - apiVersion: v1
    kind: Node
    metadata:
      name: g1
      labels: {kubernetes.io/hostname: g1, topology.kubernetes.io/zone: z2, cloud.google.com/gke-nodepool: gpu, cloud.google.com/gke-spot: 'true'}
    spec:
      taints: [{key: nvidia.com/gpu, value: present, effect: NoSchedule}]
    status: {allocatable: {cpu: '8', memory: 30Gi, nvidia.com/gpu: '2'}}
";

#[test]
fn bundled_example_runs_and_import_round_trips_byte_for_byte() {
    let dir = scratch_dir("manifests-round-trip");
    let via_manifests = dir.join("manifests");
    let o = clustersim(&[
        "run",
        "scenarios/from-manifests/scenario.yaml",
        "--events",
        "--quiet",
        "--out",
        path(&via_manifests),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    // Services and a ConfigMap are skipped with one counted note.
    assert!(
        stderr(&o)
            .contains("skipped objects that do not affect scheduling: 1 ConfigMap, 10 Service"),
        "{}",
        stderr(&o)
    );
    let written = dir.join("shop.yaml");
    let o = import_example(&written, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("(6 pools, 13 workloads, 2 priority classes, 1 quotas)"),
        "{}",
        stdout(&o)
    );
    let via_import = dir.join("imported");
    let o = clustersim(&[
        "run",
        path(&written),
        "--events",
        "--quiet",
        "--out",
        path(&via_import),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    for file in ["timeseries.csv", "events.csv"] {
        assert_eq!(
            std::fs::read(via_manifests.join(file)).unwrap(),
            std::fs::read(via_import.join(file)).unwrap(),
            "{file} differs between the manifests and the imported scenario"
        );
    }
    assert_eq!(
        summary_without_provenance(&via_manifests),
        summary_without_provenance(&via_import)
    );
    // What the run shows: the StatefulSet starts in order (3 × (30s startup + 5s probe delay)),
    // the HPA scales the frontend, the CronJob fires every hour (Forbid skips none: 8 pods of
    // a lognormal ~12m, 4 at a time, finish within the hour), the Job completes.
    let s = read_json(&via_manifests.join("summary.json"));
    assert_eq!(s["deployments"]["redis"]["converged_s"], 105.0);
    assert!(
        s["deployments"]["frontend"]["scale_events"]
            .as_u64()
            .unwrap()
            > 0
    );
    assert_eq!(s["jobs"]["migrate"]["completed"], 1);
    assert_eq!(s["jobs"]["sales-report"]["jobs"], 25, "firings at 0h..24h");
    // A second import writes the same bytes.
    let again = dir.join("again.yaml");
    let o = import_example(&again, &["--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        std::fs::read(&written).unwrap(),
        std::fs::read(&again).unwrap()
    );
}

#[test]
fn imported_scenario_says_what_kubernetes_computes() {
    let dir = scratch_dir("manifests-semantics");
    std::fs::write(dir.join("nodes.yaml"), NODES).unwrap();
    std::fs::write(
        dir.join("app.yaml"),
        "\
apiVersion: v1
kind: LimitRange
metadata: {name: defaults, namespace: team}
spec:
  limits:
    - type: Container
      default: {cpu: 400m}          # defaultRequest defaults to default
      defaultRequest: {memory: 64Mi}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: team}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web, version: v2}}
    spec:
      overhead: {cpu: 50m}
      initContainers:
        - name: big-init            # 2 cpu: more than the regular containers' sum
          resources: {requests: {cpu: '2', memory: 100Mi}}
        - name: sidecar             # restartPolicy Always: a sidecar, added to the sum
          restartPolicy: Always
          resources: {requests: {cpu: 250m, memory: 50Mi}}
      containers:
        - name: app
          resources: {limits: {cpu: 500m, memory: 1Gi}}   # requests default to limits
        - name: helper              # nothing: the LimitRange gives 400m and 64Mi
      tolerations: [{key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}]
      topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: topology.kubernetes.io/zone
          whenUnsatisfiable: DoNotSchedule
          labelSelector: {matchLabels: {app: web}}
          matchLabelKeys: [version]
---
apiVersion: batch/v1
kind: Job
metadata: {name: train, namespace: team}
spec:
  parallelism: 2
  completions: 4
  template:
    metadata:
      annotations: {clustersim.io/duration: 10m}
    spec:
      tolerations: [{key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}]
      containers:
        - name: t
          resources: {requests: {cpu: '1', memory: 2Gi, nvidia.com/gpu: 1}}
",
    )
    .unwrap();
    let out = dir.join("s.yaml");
    let o = clustersim(&[
        "import",
        path(&dir.join("app.yaml")),
        "--nodes",
        path(&dir.join("nodes.yaml")),
        "--duration",
        "2h",
        "-o",
        path(&out),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&out).unwrap();
    // cpu: regular sum 500m + 400m = 900m, plus the sidecar 250m = 1150m; the big init
    // container needs 2000m (no sidecar started before it), which is more: 2000m; + 50m
    // overhead = 2050m. memory: 1Gi + 64Mi + 50Mi = 1138Mi against the init's 100Mi: 1138Mi.
    assert!(
        text.contains("requests: {cpu: 2050m, memory: 1138Mi}"),
        "{text}"
    );
    // matchLabelKeys adds the pod's own version label to the selector.
    assert!(
        text.contains("label_selector: {app: web, version: v2}"),
        "{text}"
    );
    assert!(
        text.contains("requests: {cpu: \"1\", memory: 2Gi, gpu: 1}"),
        "{text}"
    );
    // Nodes: two alike in z1 (one pool of 2), a spot GPU node with its taint in z2.
    assert!(text.contains("- name: m5-xlarge-z1"), "{text}");
    assert!(text.contains("count: 2"), "{text}");
    assert!(
        text.contains("- name: gpu-z2\n      capacity_type: spot"),
        "{text}"
    );
    assert!(
        text.contains(
            "taints:\n        - {key: nvidia.com/gpu, value: present, effect: NoSchedule}"
        ),
        "{text}"
    );
    // The Job runs 4 pods of 10 minutes, 2 at a time, on the GPU node: done at 20 minutes.
    let run = dir.join("run");
    let o = clustersim(&["run", path(&out), "--quiet", "--out", path(&run)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let s = read_json(&run.join("summary.json"));
    assert_eq!(s["jobs"]["train"]["completed"], 1, "{s}");
    assert_eq!(s["jobs"]["train"]["duration_s"]["mean"], 1200.0, "{s}");
    assert_eq!(s["jobs"]["train"]["pods_succeeded"], 4);
}

#[test]
fn bad_manifests_get_located_errors_all_at_once_and_exit_2() {
    let dir = scratch_dir("manifests-bad");
    std::fs::write(dir.join("nodes.yaml"), NODES).unwrap();
    let app = dir.join("bad.yaml");
    std::fs::write(
        &app,
        "\
apiVersion: apps/v2
kind: Deployment
metadata: {name: a}
spec: {}
---
apiVersion: apps/v1
kind: Deploymnet
metadata: {name: b}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: c}
spec:
  replicas: -1
  selector: {matchLabels: {app: c}}
  template:
    metadata: {labels: {app: c}}
    spec:
      containers:
        - name: x
          resources: {requests: {cpu: 2 cores}}
          imagePullPolcy: Always
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: p}
spec:
  minAvailable: 1
  selector: {matchLabels: {app: nothing}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: h}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: cc}
  maxReplicas: 5
",
    )
    .unwrap();
    let scenario = dir.join("s.yaml");
    std::fs::write(
        &scenario,
        "name: bad\nduration: 1h\ncluster: {nodes: {manifests: nodes.yaml}}\nworkloads:\n  - manifests: [bad.yaml]\n",
    )
    .unwrap();
    let o = clustersim(&["validate", path(&scenario)]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    let file = path(&app);
    for expected in [
        format!(
            "{file}:1:13: apiVersion: no matches for kind \"Deployment\" in version \"apps/v2\"; expected apps/v1"
        ),
        format!("{file}:7:7: kind: unknown kind 'Deploymnet'"),
        "did you mean 'Deployment'?".to_string(),
        format!(
            "{file}:14:13: spec.replicas: Invalid value: -1: must be greater than or equal to 0"
        ),
        format!(
            "{file}:21:39: spec.template.spec.containers[0].resources.requests.cpu: '2 cores' is not a Kubernetes quantity"
        ),
        format!(
            "{file}:22:11: spec.template.spec.containers[0].imagePullPolcy: unknown field \"imagePullPolcy\" in Container; did you mean 'imagePullPolicy'?"
        ),
        format!(
            "{file}:29:13: spec.selector: the selector {{\"app\": \"nothing\"}} matches no workload's pods in namespace 'default'"
        ),
        format!(
            "{file}:35:65: spec.scaleTargetRef.name: scaleTargetRef: no Deployment 'cc' in namespace 'default' among the manifests; did you mean 'c'?"
        ),
    ] {
        assert!(err.contains(&expected), "missing {expected:?} in:\n{err}");
    }
    assert!(err.contains("7 errors"), "{err}");
    // In file order.
    let lines: Vec<u64> = err
        .lines()
        .filter_map(|l| l.strip_prefix(&format!("error: {file}:")))
        .map(|rest| rest.split(':').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(lines, [1, 7, 14, 21, 22, 29, 35], "{err}");
    // The same errors from import, which writes nothing.
    let out = dir.join("never.yaml");
    let o = clustersim(&[
        "import",
        path(&app),
        "--nodes",
        path(&dir.join("nodes.yaml")),
        "-o",
        path(&out),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!out.exists());
    // No nodes at all: import says how to give them.
    let o = clustersim(&["import", path(&dir.join("bad.yaml")), "-o", path(&out)]);
    assert_eq!(o.status.code(), Some(2));
    // A missing file and an output that is an input.
    let o = clustersim(&[
        "import",
        path(&dir.join("nope.yaml")),
        "--nodes",
        path(&dir.join("nodes.yaml")),
        "-o",
        path(&dir.join("nodes.yaml")),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("is one of the inputs"),
        "{}",
        stderr(&o)
    );
}
