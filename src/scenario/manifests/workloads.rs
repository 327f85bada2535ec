//! Deployments, ReplicaSets, StatefulSets, Jobs and CronJobs as native workloads, with the
//! HorizontalPodAutoscalers and PodDisruptionBudgets that point at them.

use std::collections::BTreeMap;

use super::object::{K, Out, Problems, copy, int, labels, list, rehome, string};
use super::{
    DURATION_ANNOTATION, LOAD_ANNOTATION, LimitDefaults, Namespaced, Object, STARTUP_ANNOTATION,
    pod,
};
use crate::scenario::yaml::{Located, Node};

const OBJECT: &[&str] = &["apiVersion", "kind", "metadata", "spec", "status"];
const METADATA: &[&str] = &[
    "annotations",
    "creationTimestamp",
    "deletionGracePeriodSeconds",
    "deletionTimestamp",
    "finalizers",
    "generateName",
    "generation",
    "labels",
    "managedFields",
    "name",
    "namespace",
    "ownerReferences",
    "resourceVersion",
    "selfLink",
    "uid",
];
const DEPLOYMENT_SPEC: &[&str] = &[
    "minReadySeconds",
    "paused",
    "progressDeadlineSeconds",
    "replicas",
    "revisionHistoryLimit",
    "selector",
    "strategy",
    "template",
];
const REPLICA_SET_SPEC: &[&str] = &["minReadySeconds", "replicas", "selector", "template"];
const STATEFUL_SET_SPEC: &[&str] = &[
    "minReadySeconds",
    "ordinals",
    "persistentVolumeClaimRetentionPolicy",
    "podManagementPolicy",
    "replicas",
    "revisionHistoryLimit",
    "selector",
    "serviceName",
    "template",
    "updateStrategy",
    "volumeClaimTemplates",
];
const JOB_SPEC: &[&str] = &[
    "activeDeadlineSeconds",
    "backoffLimit",
    "backoffLimitPerIndex",
    "completionMode",
    "completions",
    "managedBy",
    "manualSelector",
    "maxFailedIndexes",
    "parallelism",
    "podFailurePolicy",
    "podReplacementPolicy",
    "selector",
    "successPolicy",
    "suspend",
    "template",
    "ttlSecondsAfterFinished",
];
const CRON_JOB_SPEC: &[&str] = &[
    "concurrencyPolicy",
    "failedJobsHistoryLimit",
    "jobTemplate",
    "schedule",
    "startingDeadlineSeconds",
    "successfulJobsHistoryLimit",
    "suspend",
    "timeZone",
];
const MAX_INT32: i128 = i32::MAX as i128;

/// A workload read so far: what HPAs and PDBs look up.
struct Read {
    namespace: String,
    name: String,
    kind: &'static str,
    pod_labels: Vec<(String, String)>,
    out: Out,
    has_load: bool,
    budgets: usize,
}

/// The object's metadata: name (required), namespace (default `default`) and annotations.
pub fn metadata<'a>(o: &K<'a>, p: &mut Problems) -> Option<(String, String, K<'a>)> {
    let Some(meta) = o.get("metadata") else {
        o.err(p, "Required value: metadata.name");
        return None;
    };
    meta.strict(p, "ObjectMeta", METADATA);
    let name = match meta.get("name") {
        Some(n) => n.str(p)?,
        None => {
            meta.err(p, "Required value: name (generateName is not supported)");
            return None;
        }
    };
    let namespace = meta
        .get("namespace")
        .and_then(|n| n.str(p))
        .unwrap_or_else(|| "default".to_string());
    Some((name, namespace, meta))
}

/// A `clustersim.io/...` annotation of the object or its pod template, parsed as YAML (a
/// duration such as `5m`, or a mapping in flow style).
fn annotation(metas: &[Option<K>], key: &str, p: &mut Problems) -> Option<Located> {
    let mut found: Option<(String, Located)> = None;
    for meta in metas.iter().flatten() {
        let Some(value) = meta.get("annotations").and_then(|a| a.get(key)) else {
            continue;
        };
        let Some(text) = value.str(p) else { continue };
        let parsed = match crate::scenario::yaml::parse(&text, "annotation") {
            Ok(mut tree) => {
                rehome(&mut tree, &value);
                tree
            }
            Err(e) => {
                value.err(p, format!("annotation {key} is not valid YAML: {e}"));
                continue;
            }
        };
        match &found {
            Some((first, _)) if *first != text => value.err(
                p,
                format!("{key} is '{first}' on the object and '{text}' here; give it once"),
            ),
            Some(_) => {}
            None => found = Some((text, parsed)),
        }
    }
    found.map(|(_, tree)| tree)
}

/// The `clustersim.io/...` annotations of these metadata that clustersim does not know, as
/// errors with a suggestion (a misspelt one would be ignored otherwise).
fn check_annotation_keys(metas: &[Option<K>], known: &[&str], p: &mut Problems) {
    const ALL: &[&str] = &[DURATION_ANNOTATION, STARTUP_ANNOTATION, LOAD_ANNOTATION];
    for meta in metas.iter().flatten() {
        let Some(annotations) = meta.get("annotations") else {
            continue;
        };
        for (key, v) in annotations.entries(p) {
            if !key.name.starts_with("clustersim.io/") || known.contains(&key.name.as_str()) {
                continue;
            }
            if ALL.contains(&key.name.as_str()) {
                v.note(
                    p,
                    format!("{} does not apply to this kind; ignored", key.name),
                );
                continue;
            }
            let mut message = format!(
                "unknown annotation {}; clustersim reads {}",
                key.name,
                ALL.join(", ")
            );
            if let Some(s) = crate::suggest::did_you_mean(&key.name, ALL.iter().copied()) {
                message.push_str(&format!("; did you mean '{s}'?"));
            }
            v.err(p, message);
        }
    }
}

/// `N` seconds as a native duration.
fn seconds(k: &K, p: &mut Problems, min: i128) -> Option<Located> {
    let s = k.int(p, min, MAX_INT32)?;
    Some(string(format!("{s}s"), k))
}

pub fn workloads(
    objects: &[(&Object, &'static str)],
    hpas: &[&Object],
    pdbs: &[&Object],
    limits: &BTreeMap<String, LimitDefaults>,
    job_duration: Option<&Located>,
    p: &mut Problems,
) -> Vec<Located> {
    let mut read: Vec<Read> = Vec::new();
    for (o, kind) in objects {
        let k = o.k();
        k.strict(p, kind, OBJECT);
        let Some((name, namespace, meta)) = metadata(&k, p) else {
            continue;
        };
        let Some(spec) = k.get("spec") else {
            k.err(p, "Required value: spec");
            continue;
        };
        // What `kubectl get deploy,rs,pods -o yaml` lists twice: a ReplicaSet of a Deployment,
        // a Job of a CronJob. The owner is imported; the owned object would double its pods.
        if let Some(owner) = controller_owner(&meta, p) {
            meta.note(
                p,
                format!(
                    "{kind} '{name}' is controlled by {owner}, which is imported instead; left out"
                ),
            );
            continue;
        }
        if matches!(*kind, "Job" | "CronJob")
            && let Some(s) = spec.get("suspend")
            && s.bool(p) == Some(true)
        {
            s.note(
                p,
                format!("{kind} '{name}' is suspended: it creates no pods; left out"),
            );
            continue;
        }
        if *kind == "DaemonSet" {
            daemon_set_note(&spec, &name, &namespace, limits, p);
            continue;
        }
        let mut out = Out::new(&meta);
        out.put(
            "name",
            string(name.clone(), &meta.get("name").unwrap_or(meta.clone())),
        );
        let ns_at = meta.get("namespace").unwrap_or(meta.clone());
        let ns = Namespaced {
            namespace: namespace.clone(),
            at: ns_at,
            limits: limits.get(&namespace),
        };
        let (template, native_kind) = match *kind {
            "Job" => (spec.get("template"), "Job"),
            "CronJob" => (
                spec.get("jobTemplate")
                    .and_then(|j| j.get("spec"))
                    .and_then(|s| s.get("template")),
                "Job",
            ),
            _ => (spec.get("template"), "Deployment"),
        };
        out.put(
            "kind",
            string(native_kind, &k.get("kind").unwrap_or(k.clone())),
        );
        let Some(template) = template else {
            spec.err(p, "Required value: template");
            continue;
        };
        let pod_labels = pod::template_fields(&template, &ns, &mut out, p);
        let template_meta = template.get("metadata");
        let metas = [Some(meta.clone()), template_meta.clone()];
        let known: &[&str] = match native_kind {
            "Job" => &[DURATION_ANNOTATION],
            _ => &[STARTUP_ANNOTATION, LOAD_ANNOTATION],
        };
        check_annotation_keys(&metas, known, p);
        let has_load = match *kind {
            "Deployment" | "ReplicaSet" | "StatefulSet" => {
                deployment_fields(&spec, kind, &template, &pod_labels, &metas, &mut out, p)
            }
            "Job" => {
                spec.strict(p, "JobSpec", JOB_SPEC);
                job_fields(&spec, &metas, job_duration, &mut out, p);
                false
            }
            _ => {
                spec.strict(p, "CronJobSpec", CRON_JOB_SPEC);
                cron_fields(&spec, &metas, job_duration, &mut out, p);
                false
            }
        };
        read.push(Read {
            namespace,
            name,
            kind,
            pod_labels,
            out,
            has_load,
            budgets: 0,
        });
    }
    for h in hpas {
        hpa(h, &mut read, p);
    }
    for b in pdbs {
        pdb(b, &mut read, p);
    }
    read.into_iter().map(|r| r.out.build()).collect()
}

/// The selector must select the template's labels, as Kubernetes validates.
fn check_selector(spec: &K, pod_labels: &[(String, String)], p: &mut Problems) {
    let Some(sel) = spec.get("selector") else {
        spec.err(p, "Required value: selector");
        return;
    };
    let wanted = sel
        .get("matchLabels")
        .map(|m| m.string_map(p))
        .unwrap_or_default();
    if sel.get("matchExpressions").is_some() {
        sel.note(
            p,
            "selector.matchExpressions is not checked against the template's labels",
        );
    }
    if !wanted
        .iter()
        .all(|(k, v)| pod_labels.iter().any(|(pk, pv)| pk == k && pv == v))
    {
        sel.err(p, "Invalid value: selector does not match template labels");
    }
}

/// Deployment, ReplicaSet and StatefulSet fields; returns whether a load annotation was given.
fn deployment_fields(
    spec: &K,
    kind: &str,
    template: &K,
    pod_labels: &[(String, String)],
    metas: &[Option<K>],
    out: &mut Out,
    p: &mut Problems,
) -> bool {
    let fields = match kind {
        "Deployment" => DEPLOYMENT_SPEC,
        "ReplicaSet" => REPLICA_SET_SPEC,
        _ => STATEFUL_SET_SPEC,
    };
    spec.strict(p, &format!("{kind}Spec"), fields);
    check_selector(spec, pod_labels, p);
    match spec.get("replicas") {
        Some(r) => {
            if let Some(n) = r.int(p, 0, MAX_INT32) {
                out.put("replicas", int(n, &r));
            }
        }
        None => out.put("replicas", int(1, spec)),
    }
    if let Some(readiness) = pod::readiness(template, p) {
        out.put("readiness", readiness);
    }
    if let Some(startup) = annotation(metas, STARTUP_ANNOTATION, p) {
        out.put("startup", startup);
    }
    if let Some(v) = spec.get("minReadySeconds")
        && let Some(d) = seconds(&v, p, 0)
    {
        out.put("min_ready", d);
    }
    match kind {
        "Deployment" => {
            if let Some(v) = spec.get("progressDeadlineSeconds")
                && let Some(d) = seconds(&v, p, 1)
            {
                out.put("progress_deadline", d);
            }
            if let Some(s) = spec.get("strategy") {
                s.strict(p, "DeploymentStrategy", &["rollingUpdate", "type"]);
                let mut o = Out::new(&s);
                if let Some(t) = s.get("type") {
                    o.put("type", copy(&t));
                }
                if let Some(ru) = s.get("rollingUpdate") {
                    ru.strict(
                        p,
                        "RollingUpdateDeployment",
                        &["maxSurge", "maxUnavailable"],
                    );
                    for (k8s, native) in [
                        ("maxSurge", "max_surge"),
                        ("maxUnavailable", "max_unavailable"),
                    ] {
                        if let Some(v) = ru.get(k8s) {
                            o.put(native, copy(&v));
                        }
                    }
                }
                out.put("strategy", o.build());
            }
        }
        "StatefulSet" => {
            // A StatefulSet replaces pods in place, one at a time: no surge.
            let mut o = Out::new(spec);
            o.put("type", string("RollingUpdate", spec));
            o.put("max_surge", int(0, spec));
            let mut max_unavailable = int(1, spec);
            if let Some(u) = spec.get("updateStrategy") {
                if let Some(t) = u.get("type").and_then(|t| t.str(p))
                    && t == "OnDelete"
                {
                    u.note(p, "updateStrategy OnDelete is modelled as RollingUpdate");
                }
                if let Some(m) = u.get("rollingUpdate").and_then(|r| r.get("maxUnavailable")) {
                    max_unavailable = copy(&m);
                }
            }
            o.put("max_unavailable", max_unavailable);
            out.put("strategy", o.build());
            let ordered = match spec.get("podManagementPolicy") {
                Some(v) => v.str(p).as_deref() != Some("Parallel"),
                None => true,
            };
            if ordered {
                out.put("pod_management_policy", string("OrderedReady", spec));
            }
        }
        _ => {}
    }
    match annotation(metas, LOAD_ANNOTATION, p) {
        Some(load) => {
            out.put("load", load);
            true
        }
        None => false,
    }
}

fn run_time(
    metas: &[Option<K>],
    job_duration: Option<&Located>,
    at: &K,
    out: &mut Out,
    p: &mut Problems,
) {
    match annotation(metas, DURATION_ANNOTATION, p).or_else(|| job_duration.cloned()) {
        Some(d) => out.put("duration", d),
        None => at.err(
            p,
            format!(
                "a Job's pods need a run time: annotate the Job or its pod template with \
                 {DURATION_ANNOTATION} (a duration such as 10m, or a distribution such as \
                 '{{exponential: {{mean: 10m}}}}'), or give job_duration next to manifests"
            ),
        ),
    }
}

fn job_fields(
    spec: &K,
    metas: &[Option<K>],
    job_duration: Option<&Located>,
    out: &mut Out,
    p: &mut Problems,
) {
    for (k8s, native) in [
        ("parallelism", "parallelism"),
        ("completions", "completions"),
        ("backoffLimit", "backoff_limit"),
    ] {
        if let Some(v) = spec.get(k8s)
            && let Some(n) = v.int(p, 0, MAX_INT32)
        {
            out.put(native, int(n, &v));
        }
    }
    // Kubernetes: completions without parallelism runs one pod at a time.
    if let Some(v) = spec.get("activeDeadlineSeconds")
        && let Some(d) = seconds(&v, p, 1)
    {
        out.put("active_deadline", d);
    }
    for unsupported in ["podFailurePolicy", "successPolicy", "backoffLimitPerIndex"] {
        if let Some(v) = spec.get(unsupported) {
            v.note(p, format!("{unsupported} is not modelled and is ignored"));
        }
    }
    run_time(metas, job_duration, spec, out, p);
}

/// The controller named in `ownerReferences` (`Deployment api`), if any.
fn controller_owner(meta: &K, p: &mut Problems) -> Option<String> {
    let refs = meta.get("ownerReferences")?;
    refs.items(p).into_iter().find_map(|r| {
        let controller = r.get("controller").and_then(|c| c.bool(p)) == Some(true);
        let kind = r.get("kind").and_then(|k| k.text(p))?;
        let name = r.get("name").and_then(|n| n.text(p))?;
        controller.then(|| format!("{kind} {name}"))
    })
}

/// A DaemonSet runs one pod on every node it selects; clustersim does not model it, so its
/// per-node request is said, to be taken off the nodes' allocatable.
fn daemon_set_note(
    spec: &K,
    name: &str,
    namespace: &str,
    limits: &BTreeMap<String, LimitDefaults>,
    p: &mut Problems,
) {
    let Some(pod_spec) = spec.get("template").and_then(|t| t.get("spec")) else {
        spec.err(p, "Required value: template.spec");
        return;
    };
    let mut ignored = Vec::new();
    let [cpu, memory, _] =
        pod::effective_requests(&pod_spec, p, limits.get(namespace), &mut ignored);
    spec.note(
        p,
        format!(
            "DaemonSet '{name}' is not modelled: its pod on every node requests cpu {} and memory \
             {}, which the nodes' imported allocatable does not leave out; lower the pools' \
             node.cpu and node.memory by that much to account for it",
            crate::quantity::format_cpu(cpu),
            crate::quantity::format_memory(memory)
        ),
    );
}

fn cron_fields(
    spec: &K,
    metas: &[Option<K>],
    job_duration: Option<&Located>,
    out: &mut Out,
    p: &mut Problems,
) {
    match spec.get("schedule") {
        Some(s) => out.put("schedule", copy(&s)),
        None => spec.err(p, "Required value: schedule"),
    }
    if let Some(c) = spec.get("concurrencyPolicy") {
        out.put("concurrency_policy", copy(&c));
    }
    if let Some(tz) = spec.get("timeZone") {
        tz.note(
            p,
            "timeZone is ignored: the schedule runs in simulated time from 0 (Monday 00:00)",
        );
    }
    let job_spec = spec.get("jobTemplate").and_then(|j| j.get("spec"));
    let mut metas = metas.to_vec();
    if let Some(jt) = spec.get("jobTemplate") {
        metas.insert(1, jt.get("metadata"));
    }
    match job_spec {
        Some(js) => {
            js.strict(p, "JobSpec", JOB_SPEC);
            // The Job template's own fields, under the CronJob.
            let mut o = Out::new(&js);
            job_fields(&js, &metas, job_duration, &mut o, p);
            let Node::Map(entries) = o.build().node else {
                return;
            };
            for (k, v) in entries {
                out.put(&k.name, v);
            }
        }
        None => spec.err(p, "Required value: jobTemplate.spec"),
    }
}

/// An object's namespace and `spec`, checked against the fields of `kind` and its spec type.
fn namespace_and_spec<'a>(
    k: &K<'a>,
    kind: &str,
    spec_fields: &[&str],
    p: &mut Problems,
) -> Option<(String, K<'a>)> {
    k.strict(p, kind, OBJECT);
    let (_, namespace, _) = metadata(k, p)?;
    let Some(spec) = k.get("spec") else {
        k.err(p, "Required value: spec");
        return None;
    };
    spec.strict(p, &format!("{kind}Spec"), spec_fields);
    Some((namespace, spec))
}

/// A HorizontalPodAutoscaler: its target Deployment gets `autoscaling`.
fn hpa(o: &Object, read: &mut [Read], p: &mut Problems) {
    let k = o.k();
    let Some((namespace, spec)) = namespace_and_spec(
        &k,
        "HorizontalPodAutoscaler",
        &[
            "behavior",
            "maxReplicas",
            "metrics",
            "minReplicas",
            "scaleTargetRef",
            "targetCPUUtilizationPercentage",
        ],
        p,
    ) else {
        return;
    };
    let Some(target) = spec.get("scaleTargetRef") else {
        spec.err(p, "Required value: scaleTargetRef");
        return;
    };
    let target_name = target.get("name").and_then(|n| n.str(p));
    let target_kind = target.get("kind").and_then(|n| n.str(p));
    let (Some(name), Some(kind)) = (target_name, target_kind) else {
        target.err(p, "Required value: scaleTargetRef needs kind and name");
        return;
    };
    let Some(w) = read
        .iter_mut()
        .find(|r| r.namespace == namespace && r.name == name && r.kind == kind)
    else {
        let candidates: Vec<&str> = read
            .iter()
            .filter(|r| r.namespace == namespace)
            .map(|r| r.name.as_str())
            .collect();
        let mut message = format!(
            "scaleTargetRef: no {kind} '{name}' in namespace '{namespace}' among the manifests"
        );
        if let Some(s) = crate::suggest::did_you_mean(&name, candidates.iter().copied()) {
            message.push_str(&format!("; did you mean '{s}'?"));
        }
        target.get("name").unwrap_or(target.clone()).err(p, message);
        return;
    };
    if !matches!(kind.as_str(), "Deployment" | "StatefulSet" | "ReplicaSet") {
        target.err(p, format!("an HPA of a {kind} is not supported"));
        return;
    }
    if w.out.has("autoscaling") {
        target.err(
            p,
            format!("{kind} '{name}' already has a HorizontalPodAutoscaler"),
        );
        return;
    }
    if !w.has_load {
        target.err(
            p,
            format!(
                "the HPA scales on cpu utilization, which clustersim derives from load: annotate \
                 {kind} '{name}' with {LOAD_ANNOTATION}, e.g. '{{requests_per_second: 800, per_pod: 50}}'"
            ),
        );
        return;
    }
    let mut a = Out::new(&spec);
    a.put(
        "min_replicas",
        match spec.get("minReplicas") {
            Some(m) => match m.int(p, 1, MAX_INT32) {
                Some(n) => int(n, &m),
                None => return,
            },
            None => int(1, &spec),
        },
    );
    match spec.get("maxReplicas") {
        Some(m) => a.put("max_replicas", copy(&m)),
        None => spec.err(p, "Required value: maxReplicas"),
    }
    // Kubernetes' default metric: 80% average cpu utilization.
    let mut target_util = int(80, &spec);
    let v1 = k.get("apiVersion").and_then(|a| a.str(p)).as_deref() == Some("autoscaling/v1");
    for (field, only_in) in [
        ("targetCPUUtilizationPercentage", !v1),
        ("metrics", v1),
        ("behavior", v1),
    ] {
        if only_in && let Some(v) = spec.get(field) {
            v.err(
                p,
                format!(
                    "{field} is not a field of autoscaling/{}",
                    if v1 { "v1" } else { "v2" }
                ),
            );
        }
    }
    if let Some(t) = spec.get("targetCPUUtilizationPercentage") {
        target_util = copy(&t);
    }
    if let Some(metrics) = spec.get("metrics") {
        let items = metrics.items(p);
        if items.len() != 1 {
            metrics.err(p, "clustersim's HPA scales on one metric: cpu Utilization");
        }
        if let Some(m) = items.first() {
            let ty = m.get("type").and_then(|t| t.str(p));
            let res = m.get("resource");
            let res_name = res
                .as_ref()
                .and_then(|r| r.get("name"))
                .and_then(|n| n.str(p));
            let tgt = res.as_ref().and_then(|r| r.get("target"));
            let tgt_type = tgt
                .as_ref()
                .and_then(|t| t.get("type"))
                .and_then(|t| t.str(p));
            match (ty.as_deref(), res_name.as_deref(), tgt_type.as_deref()) {
                (Some("Resource"), Some("cpu"), Some("Utilization")) => {
                    match tgt.as_ref().and_then(|t| t.get("averageUtilization")) {
                        Some(u) => target_util = copy(&u),
                        None => m.err(p, "Required value: target.averageUtilization"),
                    }
                }
                _ => m.err(
                    p,
                    "only {type: Resource, resource: {name: cpu, target: {type: Utilization}}} is supported",
                ),
            }
        }
    }
    a.put("target_cpu_utilization", target_util);
    if let Some(b) = spec.get("behavior") {
        b.strict(
            p,
            "HorizontalPodAutoscalerBehavior",
            &["scaleDown", "scaleUp"],
        );
        let mut ob = Out::new(&b);
        for (k8s, native) in [("scaleUp", "scale_up"), ("scaleDown", "scale_down")] {
            let Some(rules) = b.get(k8s) else { continue };
            rules.strict(
                p,
                "HPAScalingRules",
                &[
                    "policies",
                    "selectPolicy",
                    "stabilizationWindowSeconds",
                    "tolerance",
                ],
            );
            let mut or = Out::new(&rules);
            if let Some(w) = rules.get("stabilizationWindowSeconds")
                && let Some(d) = seconds(&w, p, 0)
            {
                or.put("stabilization_window", d);
            }
            if let Some(s) = rules.get("selectPolicy") {
                or.put("select_policy", copy(&s));
            }
            if let Some(pols) = rules.get("policies") {
                let mut items = Vec::new();
                for pol in pols.items(p) {
                    pol.strict(p, "HPAScalingPolicy", &["periodSeconds", "type", "value"]);
                    let mut op = Out::new(&pol);
                    for (k8s, native) in [("type", "type"), ("value", "value")] {
                        if let Some(v) = pol.get(k8s) {
                            op.put(native, copy(&v));
                        }
                    }
                    if let Some(v) = pol.get("periodSeconds")
                        && let Some(d) = seconds(&v, p, 1)
                    {
                        op.put("period", d);
                    }
                    items.push(op.build());
                }
                or.put("policies", list(items, &pols));
            }
            ob.put(native, or.build());
        }
        a.put("behavior", ob.build());
    }
    w.out.put("autoscaling", a.build());
}

/// A PodDisruptionBudget: the one workload whose pods its selector matches gets it.
fn pdb(o: &Object, read: &mut [Read], p: &mut Problems) {
    let k = o.k();
    let Some((namespace, spec)) = namespace_and_spec(
        &k,
        "PodDisruptionBudget",
        &[
            "maxUnavailable",
            "minAvailable",
            "selector",
            "unhealthyPodEvictionPolicy",
        ],
        p,
    ) else {
        return;
    };
    let Some(sel) = spec.get("selector") else {
        spec.err(
            p,
            "Required value: selector (a PDB without one selects no pods)",
        );
        return;
    };
    if sel.get("matchExpressions").is_some() {
        sel.err(
            p,
            "matchExpressions are not supported in a PDB selector; use matchLabels",
        );
        return;
    }
    let wanted = sel
        .get("matchLabels")
        .map(|m| m.string_map(p))
        .unwrap_or_default();
    let matched: Vec<usize> = read
        .iter()
        .enumerate()
        .filter(|(_, r)| {
            r.namespace == namespace
                && wanted
                    .iter()
                    .all(|(k, v)| r.pod_labels.iter().any(|(pk, pv)| pk == k && pv == v))
        })
        .map(|(i, _)| i)
        .collect();
    let shown = || labels(&wanted, &sel).node.to_flow_yaml();
    match matched.as_slice() {
        [] => sel.err(
            p,
            format!(
                "the selector {} matches no workload's pods in namespace '{namespace}'",
                shown()
            ),
        ),
        [one] => {
            let w = &mut read[*one];
            w.budgets += 1;
            if w.budgets > 1 {
                sel.err(
                    p,
                    format!(
                        "'{}' already has a PodDisruptionBudget; clustersim gives a workload one",
                        w.name
                    ),
                );
                return;
            }
            let mut b = Out::new(&spec);
            match (spec.get("minAvailable"), spec.get("maxUnavailable")) {
                (Some(m), None) => b.put("min_available", copy(&m)),
                (None, Some(m)) => b.put("max_unavailable", copy(&m)),
                _ => {
                    spec.err(p, "give exactly one of minAvailable and maxUnavailable");
                    return;
                }
            }
            w.out.put("disruption_budget", b.build());
        }
        several => {
            let names: Vec<&str> = several.iter().map(|&i| read[i].name.as_str()).collect();
            sel.err(
                p,
                format!(
                    "the selector {} matches the pods of several workloads ({}); clustersim \
                     budgets the pods of one workload",
                    shown(),
                    names.join(", ")
                ),
            );
        }
    }
}
