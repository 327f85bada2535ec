//! A pod template (`spec.template`) as native workload fields: the pod's effective requests as
//! Kubernetes computes them, its placement constraints, priority, grace period and readiness
//! probe.

use super::object::{K, Out, Problems, copy, int, labels, list, string};
use super::quantity::{bytes as parse_memory, count as parse_count, cpu_millis as parse_cpu};
use super::{LimitDefaults, Namespaced};
use crate::quantity::{format_cpu, format_memory};

/// Every field of a Kubernetes PodSpec (`kubectl explain pod.spec`), read or not.
const POD_SPEC: &[&str] = &[
    "activeDeadlineSeconds",
    "affinity",
    "automountServiceAccountToken",
    "containers",
    "dnsConfig",
    "dnsPolicy",
    "enableServiceLinks",
    "ephemeralContainers",
    "hostAliases",
    "hostIPC",
    "hostNetwork",
    "hostPID",
    "hostUsers",
    "hostname",
    "hostnameOverride",
    "imagePullSecrets",
    "initContainers",
    "nodeName",
    "nodeSelector",
    "os",
    "overhead",
    "preemptionPolicy",
    "priority",
    "priorityClassName",
    "readinessGates",
    "resourceClaims",
    "resources",
    "restartPolicy",
    "runtimeClassName",
    "schedulerName",
    "schedulingGates",
    "securityContext",
    "serviceAccount",
    "serviceAccountName",
    "setHostnameAsFQDN",
    "shareProcessNamespace",
    "subdomain",
    "terminationGracePeriodSeconds",
    "tolerations",
    "topologySpreadConstraints",
    "volumes",
];

/// Every field of a Kubernetes Container.
const CONTAINER: &[&str] = &[
    "args",
    "command",
    "env",
    "envFrom",
    "image",
    "imagePullPolicy",
    "lifecycle",
    "livenessProbe",
    "name",
    "ports",
    "readinessProbe",
    "resizePolicy",
    "resources",
    "restartPolicy",
    "restartPolicyRules",
    "securityContext",
    "startupProbe",
    "stdin",
    "stdinOnce",
    "terminationMessagePath",
    "terminationMessagePolicy",
    "tty",
    "volumeDevices",
    "volumeMounts",
    "workingDir",
];

const RESOURCES: &[&str] = &["claims", "limits", "requests"];
const PROBE: &[&str] = &[
    "exec",
    "failureThreshold",
    "grpc",
    "httpGet",
    "initialDelaySeconds",
    "periodSeconds",
    "successThreshold",
    "tcpSocket",
    "terminationGracePeriodSeconds",
    "timeoutSeconds",
];

/// Standard resource names without a domain that clustersim does not model.
const STANDARD: &[&str] = &["ephemeral-storage", "storage", "pods"];

/// The resources clustersim models, by Kubernetes name.
const CPU: &str = "cpu";
const MEMORY: &str = "memory";
const GPU: &str = "nvidia.com/gpu";

/// One container's requests in millicores, bytes and whole GPUs (`None`: not requested).
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
pub struct Request {
    pub cpu_m: Option<u64>,
    pub memory: Option<u64>,
    pub gpu: Option<u64>,
}

impl Request {
    fn get(&self, r: usize) -> Option<u64> {
        [self.cpu_m, self.memory, self.gpu][r]
    }
    fn set(&mut self, r: usize, v: Option<u64>) {
        match r {
            0 => self.cpu_m = v,
            1 => self.memory = v,
            _ => self.gpu = v,
        }
    }
}

/// Reads a resource list (`requests`, `limits`, `overhead`); other resources are noted once.
pub fn resource_list(k: &K, p: &mut Problems, ignored: &mut Vec<String>) -> Request {
    let mut out = Request::default();
    for (key, v) in k.entries(p) {
        let Some(text) = v.text(p) else { continue };
        let parsed = match key.name.as_str() {
            CPU => parse_cpu(&text).map(|c| (0, c)),
            MEMORY => parse_memory(&text).map(|m| (1, m)),
            GPU => match parse_count(&text) {
                Ok(n) => Ok((2, n)),
                Err(_) => Err(format!(
                    "'{text}' is not a whole number of devices (extended resources are counted, \
                     not divided)"
                )),
            },
            other => {
                // Kubernetes takes standard names and fully qualified extended resources
                // (`example.com/foo`); anything else is a typo.
                if !other.contains('/')
                    && !STANDARD.contains(&other)
                    && !other.starts_with("hugepages-")
                {
                    let mut message = format!(
                        "Invalid value: \"{other}\": must be a standard resource type or fully qualified"
                    );
                    if let Some(s) =
                        crate::suggest::did_you_mean(other, [CPU, MEMORY, "ephemeral-storage"])
                    {
                        message.push_str(&format!("; did you mean '{s}'?"));
                    }
                    v.err(p, message);
                } else if !ignored.iter().any(|i| i == other) {
                    ignored.push(other.to_string());
                }
                continue;
            }
        };
        match parsed {
            Ok((r, value)) => out.set(r, Some(value)),
            Err(message) => v.err(p, message),
        }
    }
    out
}

/// The pod's effective request, as Kubernetes computes it (`resourcehelper.PodRequests`): the
/// regular containers' sum plus sidecars (init containers with `restartPolicy: Always`), or
/// the largest init container with the sidecars started before it if that is more, plus the
/// pod overhead. A container without a request takes its limit, else its namespace's
/// LimitRange default.
pub fn effective_requests(
    spec: &K,
    p: &mut Problems,
    defaults: Option<&LimitDefaults>,
    ignored: &mut Vec<String>,
) -> [u64; 3] {
    let container = |c: &K, p: &mut Problems, ignored: &mut Vec<String>| -> Request {
        c.strict(p, "Container", CONTAINER);
        let Some(res) = c.get("resources") else {
            return fill(Request::default(), Request::default(), defaults);
        };
        res.strict(p, "ResourceRequirements", RESOURCES);
        let requests = res
            .get("requests")
            .map_or_else(Request::default, |r| resource_list(&r, p, ignored));
        let limits = res
            .get("limits")
            .map_or_else(Request::default, |l| resource_list(&l, p, ignored));
        if let (Some(req), Some(lim)) = (requests.gpu, limits.gpu)
            && req != lim
        {
            res.err(
                p,
                format!("Invalid value: {req}: must be equal to {GPU} limit of {lim} (extended resources are not overcommitted)"),
            );
        }
        for r in 0..3 {
            if let (Some(req), Some(lim)) = (requests.get(r), limits.get(r))
                && req > lim
            {
                res.err(
                    p,
                    format!(
                        "Invalid value: must be less than or equal to {} limit",
                        ["cpu", "memory", GPU][r]
                    ),
                );
            }
        }
        fill(requests, limits, defaults)
    };
    let mut sum = [0u64; 3];
    match spec.get("containers") {
        Some(cs) => {
            let items = cs.items(p);
            if items.is_empty() {
                cs.err(p, "Required value: a pod needs at least one container");
            }
            for c in items {
                let r = container(&c, p, ignored);
                for (i, s) in sum.iter_mut().enumerate() {
                    *s = s.saturating_add(r.get(i).unwrap_or(0));
                }
            }
        }
        None => spec.err(p, "Required value: spec.containers is missing"),
    }
    let mut sidecars = [0u64; 3];
    let mut init_max = [0u64; 3];
    if let Some(inits) = spec.get("initContainers") {
        for c in inits.items(p) {
            let r = container(&c, p, ignored);
            let sidecar =
                c.get("restartPolicy").and_then(|rp| rp.str(p)).as_deref() == Some("Always");
            for i in 0..3 {
                let v = r.get(i).unwrap_or(0);
                let effective = if sidecar {
                    sum[i] = sum[i].saturating_add(v);
                    sidecars[i] = sidecars[i].saturating_add(v);
                    sidecars[i]
                } else {
                    v.saturating_add(sidecars[i])
                };
                init_max[i] = init_max[i].max(effective);
            }
        }
    }
    let overhead = spec
        .get("overhead")
        .map_or_else(Request::default, |o| resource_list(&o, p, ignored));
    let mut out = [0u64; 3];
    for i in 0..3 {
        out[i] = sum[i]
            .max(init_max[i])
            .saturating_add(overhead.get(i).unwrap_or(0));
    }
    out
}

/// A container's request for each resource: its own, else its limit, else the LimitRange's.
fn fill(requests: Request, limits: Request, defaults: Option<&LimitDefaults>) -> Request {
    let mut out = requests;
    for r in 0..3 {
        if out.get(r).is_none() {
            let v = limits
                .get(r)
                .or_else(|| defaults.and_then(|d| d.request.get(r)));
            out.set(r, v);
        }
    }
    out
}

/// Writes the pod template's native fields into `out`: namespace, labels, requests, node
/// selector, affinity, spread, tolerations, priority and grace period. Returns the pod's
/// labels (PodDisruptionBudgets and spreads select by them).
pub fn template_fields(
    template: &K,
    ns: &Namespaced,
    out: &mut Out,
    p: &mut Problems,
) -> Vec<(String, String)> {
    template.strict(p, "PodTemplateSpec", &["metadata", "spec"]);
    let pod_labels = template
        .get("metadata")
        .and_then(|m| m.get("labels"))
        .map(|l| l.string_map(p))
        .unwrap_or_default();
    let Some(spec) = template.get("spec") else {
        template.err(p, "Required value: spec.template.spec is missing");
        return pod_labels;
    };
    spec.strict(p, "PodSpec", POD_SPEC);
    out.put("namespace", string(ns.namespace.clone(), &ns.at));
    if !pod_labels.is_empty() {
        let at = template
            .get("metadata")
            .and_then(|m| m.get("labels"))
            .unwrap();
        out.put("labels", labels(&pod_labels, &at));
    }
    let mut ignored = Vec::new();
    let [cpu, memory, gpu] = effective_requests(&spec, p, ns.limits, &mut ignored);
    if !ignored.is_empty() {
        spec.note(
            p,
            format!(
                "resources not modelled, left out: {} (clustersim schedules cpu, memory and nvidia.com/gpu)",
                ignored.join(", ")
            ),
        );
    }
    let mut requests = Out::new(&spec);
    requests.put("cpu", string(format_cpu(cpu), &spec));
    requests.put("memory", string(format_memory(memory), &spec));
    if gpu > 0 {
        requests.put("gpu", int(i128::from(gpu), &spec));
    }
    out.put("requests", requests.build());
    if let Some(sel) = spec.get("nodeSelector") {
        let pairs = sel.string_map(p);
        if pairs.iter().any(|(k, _)| k == "kubernetes.io/hostname") {
            sel.note(
                p,
                "imported nodes are named <pool>-<n>, not as in the node list: a selector on \
                 kubernetes.io/hostname matches only those names",
            );
        }
        if !pairs.is_empty() {
            out.put("node_selector", labels(&pairs, &sel));
        }
    }
    if let Some(affinity) = spec.get("affinity") {
        super::affinity::affinity(&affinity, &pod_labels, out, p);
    }
    if let Some(spreads) = spec.get("topologySpreadConstraints") {
        let items = super::affinity::spreads(&spreads, &pod_labels, p);
        if !items.is_empty() {
            out.put("topology_spread", list(items, &spreads));
        }
    }
    if let Some(tolerations) = spec.get("tolerations") {
        let items = tolerations_of(&tolerations, p);
        if !items.is_empty() {
            out.put("tolerations", list(items, &tolerations));
        }
    }
    if let Some(class) = spec.get("priorityClassName") {
        out.put("priority_class_name", copy(&class));
    } else if let Some(priority) = spec.get("priority") {
        out.put("priority", copy(&priority));
    }
    if let Some(policy) = spec.get("preemptionPolicy") {
        out.put("preemption_policy", copy(&policy));
    }
    if let Some(grace) = spec.get("terminationGracePeriodSeconds")
        && let Some(s) = grace.int(p, 0, i128::from(u32::MAX))
    {
        out.put("termination_grace_period", string(format!("{s}s"), &grace));
    }
    if let Some(name) = spec.get("schedulerName").and_then(|n| n.str(p))
        && name != "default-scheduler"
    {
        spec.note(
            p,
            format!(
                "schedulerName '{name}' is ignored: every pod goes through the scenario's scheduler"
            ),
        );
    }
    pod_labels
}

/// The first container's readinessProbe as the native `readiness` (Deployment pods only).
pub fn readiness(template: &K, p: &mut Problems) -> Option<crate::scenario::yaml::Located> {
    let spec = template.get("spec")?;
    let containers = spec.get("containers")?;
    let mut probes = containers
        .items(p)
        .into_iter()
        .filter_map(|c| c.get("readinessProbe"));
    let probe = probes.next()?;
    if probes.next().is_some() {
        probe.note(
            p,
            "several containers have readiness probes; the first one's timings are used",
        );
    }
    probe.strict(p, "Probe", PROBE);
    let mut out = Out::new(&probe);
    for (k8s, native, default) in [
        ("initialDelaySeconds", "initial_delay", None),
        ("periodSeconds", "period", Some(10)),
        ("failureThreshold", "failure_threshold", Some(3)),
    ] {
        let Some(v) = probe.get(k8s) else { continue };
        let Some(n) = v.int(
            p,
            if default.is_some() { 1 } else { 0 },
            i128::from(u32::MAX),
        ) else {
            continue;
        };
        if native == "failure_threshold" {
            out.put(native, int(n, &v));
        } else {
            out.put(native, string(format!("{n}s"), &v));
        }
    }
    Some(out.build())
}

fn tolerations_of(k: &K, p: &mut Problems) -> Vec<crate::scenario::yaml::Located> {
    let mut out = Vec::new();
    for t in k.items(p) {
        t.strict(
            p,
            "Toleration",
            &["effect", "key", "operator", "tolerationSeconds", "value"],
        );
        let mut o = Out::new(&t);
        for (k8s, native) in [
            ("key", "key"),
            ("operator", "operator"),
            ("value", "value"),
            ("effect", "effect"),
        ] {
            if let Some(v) = t.get(k8s) {
                o.put(native, copy(&v));
            }
        }
        if let Some(secs) = t.get("tolerationSeconds") {
            secs.note(
                p,
                "tolerationSeconds is ignored: a NoExecute taint this pod tolerates never evicts it",
            );
        }
        out.push(o.build());
    }
    out
}
