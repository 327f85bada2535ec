//! Cluster-scoped and namespace-policy objects: Nodes (grouped into pools), PriorityClasses,
//! ResourceQuotas and LimitRanges.

use std::collections::BTreeMap;

use super::object::{K, Out, Problems, copy, int, labels, list, string};
use super::pod::{Request, resource_list};
use super::quantity::{bytes as parse_memory, count as parse_count, cpu_millis as parse_cpu};
use super::workloads::metadata;
use super::{LimitDefaults, Object};
use crate::quantity::{format_cpu, format_memory};
use crate::scenario::yaml::Located;

/// Labels every node has its own value of, or that clustersim sets itself from the pool.
const PER_NODE_LABELS: &[&str] = &[
    "kubernetes.io/hostname",
    "topology.kubernetes.io/zone",
    "failure-domain.beta.kubernetes.io/zone",
    "nvidia.com/gpu.product",
    "clustersim.io/pool",
];
const ZONE_LABELS: &[&str] = &[
    "topology.kubernetes.io/zone",
    "failure-domain.beta.kubernetes.io/zone",
];
/// Labels naming the node group a node belongs to, by cloud and autoscaler.
const POOL_LABELS: &[&str] = &[
    "karpenter.sh/nodepool",
    "eks.amazonaws.com/nodegroup",
    "cloud.google.com/gke-nodepool",
    "kubernetes.azure.com/agentpool",
    "agentpool",
    "node.kubernetes.io/instance-type",
];

/// LimitRange defaults by namespace: for each resource, `defaultRequest`, else `default`, else
/// `max` (Kubernetes defaults each from the next), of the first LimitRange that gives one.
pub fn limit_ranges(objects: &[&Object], p: &mut Problems) -> BTreeMap<String, LimitDefaults> {
    let mut out: BTreeMap<String, LimitDefaults> = BTreeMap::new();
    for o in objects {
        let k = o.k();
        let Some((_, namespace, _)) = metadata(&k, p) else {
            continue;
        };
        let Some(limits) = k.get("spec").and_then(|s| s.get("limits")) else {
            k.err(p, "Required value: spec.limits");
            continue;
        };
        let entry = out.entry(namespace).or_default();
        for item in limits.items(p) {
            item.strict(
                p,
                "LimitRangeItem",
                &[
                    "default",
                    "defaultRequest",
                    "max",
                    "maxLimitRequestRatio",
                    "min",
                    "type",
                ],
            );
            if item.get("type").and_then(|t| t.str(p)).as_deref() != Some("Container") {
                continue;
            }
            let mut ignored = Vec::new();
            let read = |key: &str, p: &mut Problems, ignored: &mut Vec<String>| {
                item.get(key)
                    .map_or_else(Request::default, |l| resource_list(&l, p, ignored))
            };
            let default_request = read("defaultRequest", p, &mut ignored);
            let default = read("default", p, &mut ignored);
            let max = read("max", p, &mut ignored);
            let pick =
                |f: fn(&Request) -> Option<u64>| f(&default_request).or(f(&default)).or(f(&max));
            let r = &mut entry.request;
            r.cpu_m = r.cpu_m.or(pick(|r| r.cpu_m));
            r.memory = r.memory.or(pick(|r| r.memory));
            r.gpu = r.gpu.or(pick(|r| r.gpu));
        }
    }
    out
}

pub fn priority_classes(objects: &[&Object], p: &mut Problems) -> Vec<Located> {
    let mut out = Vec::new();
    for o in objects {
        let k = o.k();
        k.strict(
            p,
            "PriorityClass",
            &[
                "apiVersion",
                "description",
                "globalDefault",
                "kind",
                "metadata",
                "preemptionPolicy",
                "value",
            ],
        );
        let Some((name, _, meta)) = metadata(&k, p) else {
            continue;
        };
        let mut c = Out::new(&meta);
        c.put(
            "name",
            string(name, &meta.get("name").unwrap_or(meta.clone())),
        );
        match k.get("value") {
            // Kubernetes keeps values above one billion for its own system classes.
            Some(v) => {
                if v.int(p, i128::from(i32::MIN), 1_000_000_000).is_some() {
                    c.put("value", copy(&v));
                }
            }
            None => k.err(p, "Required value: value"),
        }
        if let Some(d) = k.get("globalDefault") {
            c.put("default", copy(&d));
        }
        if let Some(pp) = k.get("preemptionPolicy") {
            c.put("preemption_policy", copy(&pp));
        }
        out.push(c.build());
    }
    out
}

/// One quota limit: the native field, its value and the node written for it.
type Limit = (&'static str, u64, Located);

/// ResourceQuotas by namespace (in order of first appearance). Kubernetes enforces every quota of a namespace, so several
/// become one with the smallest limit of each resource. A scoped quota (scopes,
/// scopeSelector) limits only some pods; it is left out rather than applied to all.
pub fn quotas(objects: &[&Object], p: &mut Problems) -> Vec<Located> {
    let mut by_ns: Vec<(String, K, Vec<Limit>)> = Vec::new();
    for o in objects {
        let k = o.k();
        let Some((_, namespace, meta)) = metadata(&k, p) else {
            continue;
        };
        let Some(spec) = k.get("spec") else {
            k.err(p, "Required value: spec");
            continue;
        };
        spec.strict(p, "ResourceQuotaSpec", &["hard", "scopeSelector", "scopes"]);
        if let Some(scoped) = spec.get("scopes").or_else(|| spec.get("scopeSelector")) {
            scoped.note(
                p,
                "a scoped quota limits only some pods, which is not modelled; left out",
            );
            continue;
        }
        let Some(hard) = spec.get("hard") else {
            spec.err(p, "Required value: hard");
            continue;
        };
        let entry = match by_ns.iter().position(|(ns, _, _)| *ns == namespace) {
            Some(i) => i,
            None => {
                let at = meta.get("namespace").unwrap_or(meta.clone());
                by_ns.push((namespace, at, Vec::new()));
                by_ns.len() - 1
            }
        };
        let mut ignored = Vec::new();
        let mut seen: Vec<&str> = Vec::new();
        for (key, v) in hard.entries(p) {
            let native = match key.name.as_str() {
                "cpu" | "requests.cpu" => "cpu",
                "memory" | "requests.memory" => "memory",
                "requests.nvidia.com/gpu" => "gpu",
                "pods" | "count/pods" => "pods",
                other => {
                    ignored.push(other.to_string());
                    continue;
                }
            };
            if seen.contains(&native) {
                v.err(
                    p,
                    format!("{native} is given twice (with and without requests.)"),
                );
                continue;
            }
            seen.push(native);
            let Some(text) = v.text(p) else { continue };
            let value = match native {
                "cpu" => parse_cpu(&text).map(|c| (c, string(format_cpu(c), &v))),
                "memory" => parse_memory(&text).map(|m| (m, string(format_memory(m), &v))),
                _ => parse_count(&text).map(|n| (n, int(i128::from(n), &v))),
            };
            let (value, node) = match value {
                Ok(x) => x,
                Err(message) => {
                    v.err(p, message);
                    continue;
                }
            };
            let limits = &mut by_ns[entry].2;
            match limits.iter_mut().find(|(f, _, _)| *f == native) {
                Some(existing) if existing.1 <= value => {}
                Some(existing) => *existing = (native, value, node),
                None => limits.push((native, value, node)),
            }
        }
        if !ignored.is_empty() {
            hard.note(
                p,
                format!(
                    "quota entries not modelled, left out: {} (clustersim limits requested cpu, memory, GPUs and pods)",
                    ignored.join(", ")
                ),
            );
        }
    }
    by_ns
        .into_iter()
        .map(|(namespace, at, limits)| {
            let mut q = Out::new(&at);
            q.put("namespace", string(namespace, &at));
            for (field, _, node) in limits {
                q.put(field, node);
            }
            q.build()
        })
        .collect()
}

/// One node's pool-defining properties.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Shape {
    cpu_m: u64,
    memory: u64,
    gpu: u64,
    pods: Option<u64>,
    gpu_model: Option<String>,
    labels: Vec<(String, String)>,
    taints: Vec<(String, String, String)>,
    zone: Option<String>,
}

/// Nodes with equal shapes become one pool each, in order of first appearance; returns the
/// pools and the zones they name.
pub fn pools(objects: &[&Object], p: &mut Problems) -> (Vec<Located>, Vec<String>) {
    let mut groups: Vec<(Shape, usize, K)> = Vec::new();
    for o in objects {
        let k = o.k();
        let Some((_, _, meta)) = metadata(&k, p) else {
            continue;
        };
        let Some(shape) = node_shape(&k, &meta, p) else {
            continue;
        };
        match groups.iter_mut().find(|(s, _, _)| *s == shape) {
            Some((_, count, _)) => *count += 1,
            None => groups.push((shape, 1, k.clone())),
        }
    }
    let mut zones = Vec::new();
    let mut names: Vec<String> = Vec::new();
    let mut out = Vec::new();
    let catalog = crate::scenario::instance_types::bundled();
    let mut priced: Vec<String> = Vec::new();
    let mut unpriced: Vec<String> = Vec::new();
    for (shape, count, k) in groups {
        let base = pool_name(&shape);
        let mut name = base.clone();
        let mut n = 2;
        while names.contains(&name) {
            let suffix = format!("-{n}");
            name = format!("{}{suffix}", &base[..base.len().min(63 - suffix.len())]);
            n += 1;
        }
        names.push(name.clone());
        let mut pool = Out::new(&k);
        pool.put("name", string(name, &k));
        let ct = capacity_type(&shape.labels);
        if let Some(ct) = ct {
            pool.put("capacity_type", string(ct, &k));
        }
        let mut node = Out::new(&k);
        node.put("cpu", string(format_cpu(shape.cpu_m), &k));
        node.put("memory", string(format_memory(shape.memory), &k));
        if shape.gpu > 0 {
            node.put("gpu", int(i128::from(shape.gpu), &k));
        }
        if let Some(model) = &shape.gpu_model {
            node.put("gpu_model", string(model.clone(), &k));
        }
        if let Some(pods) = shape.pods {
            node.put("pods", int(i128::from(pods), &k));
        }
        pool.put("node", node.build());
        pool.put("count", int(count as i128, &k));
        if let Some(zone) = &shape.zone {
            if !zones.contains(zone) {
                zones.push(zone.clone());
            }
            pool.put("zones", list(vec![string(zone.clone(), &k)], &k));
        }
        // Prices (and spot interruption rates) from the bundled catalog, by instance type.
        let instance_type = shape
            .labels
            .iter()
            .find(|(k, _)| k == "node.kubernetes.io/instance-type")
            .map(|(_, v)| v.clone());
        match instance_type
            .as_ref()
            .and_then(|t| catalog.iter().find(|c| c.name == *t))
        {
            Some(it) => {
                let spot = ct == Some("spot");
                let price = if spot { it.spot_usd } else { it.on_demand_usd };
                pool.put(
                    "price_per_hour",
                    Located::new(crate::scenario::yaml::Node::Float(price), k.origin()),
                );
                // The catalog's Spot Advisor bucket, written as the bucket.
                let bucket = crate::scenario::fields::FREQUENCY_BUCKETS.iter().find(|b| {
                    crate::scenario::model::frequency_bucket_mean(b) == it.spot_interruptions
                });
                if spot && let Some(bucket) = bucket {
                    let mut i = Out::new(&k);
                    i.put("frequency", string(*bucket, &k));
                    pool.put("interruption", i.build());
                }
                if !priced.contains(&it.name) {
                    priced.push(it.name.clone());
                }
            }
            None => {
                let t = instance_type.map_or_else(
                    || "nodes without an instance-type label".into(),
                    |t| format!("instance type {t}"),
                );
                if !unpriced.contains(&t) {
                    unpriced.push(t);
                }
            }
        }
        if !shape.labels.is_empty() {
            pool.put("labels", labels(&shape.labels, &k));
        }
        if !shape.taints.is_empty() {
            let taints = shape
                .taints
                .iter()
                .map(|(key, value, effect)| {
                    let mut t = Out::new(&k);
                    t.put("key", string(key.clone(), &k));
                    if !value.is_empty() {
                        t.put("value", string(value.clone(), &k));
                    }
                    t.put("effect", string(effect.clone(), &k));
                    t.build()
                })
                .collect();
            pool.put("taints", list(taints, &k));
        }
        out.push(pool.build());
    }
    if let Some(first) = objects.first() {
        let k = first.k();
        if !priced.is_empty() {
            k.note(
                p,
                format!(
                    "prices and spot interruption rates of {} are the bundled catalog's \
                     (us-east-1 list prices; spot at an assumed discount): set price_per_hour \
                     and interruption to your own",
                    priced.join(", ")
                ),
            );
        }
        if !unpriced.is_empty() {
            k.note(
                p,
                format!(
                    "no price for {} (not in the bundled catalog): those pools cost 0; set their price_per_hour",
                    unpriced.join(", ")
                ),
            );
        }
    }
    (out, zones)
}

fn node_shape(k: &K, meta: &K, p: &mut Problems) -> Option<Shape> {
    let status = k.get("status");
    let resources = status
        .as_ref()
        .and_then(|s| s.get("allocatable").or_else(|| s.get("capacity")));
    let Some(resources) = resources else {
        k.err(
            p,
            "Required value: status.allocatable (a Node as kubectl get nodes -o yaml writes it)",
        );
        return None;
    };
    let mut cpu_m = None;
    let mut memory = None;
    let mut gpu = 0;
    let mut pods = None;
    for (key, v) in resources.entries(p) {
        let Some(text) = v.text(p) else { continue };
        let parsed = match key.name.as_str() {
            "cpu" => parse_cpu(&text).map(|c| cpu_m = Some(c)),
            "memory" => parse_memory(&text).map(|m| memory = Some(m)),
            "nvidia.com/gpu" => parse_count(&text).map(|g| gpu = g),
            "pods" => parse_count(&text).map(|n| pods = Some(n)),
            _ => Ok(()),
        };
        if let Err(message) = parsed {
            v.err(p, message);
        }
    }
    let (Some(cpu_m), Some(memory)) = (cpu_m, memory) else {
        resources.err(p, "Required value: cpu and memory");
        return None;
    };
    let all_labels = meta
        .get("labels")
        .map(|l| l.string_map(p))
        .unwrap_or_default();
    let zone = all_labels
        .iter()
        .find(|(k, _)| ZONE_LABELS.contains(&k.as_str()))
        .map(|(_, v)| v.clone());
    let gpu_model = all_labels
        .iter()
        .find(|(k, _)| k == "nvidia.com/gpu.product")
        .map(|(_, v)| v.clone());
    let mut node_labels: Vec<(String, String)> = all_labels
        .into_iter()
        .filter(|(k, _)| !PER_NODE_LABELS.contains(&k.as_str()))
        .collect();
    node_labels.sort();
    let mut taints = Vec::new();
    if let Some(spec) = k.get("spec") {
        if let Some(ts) = spec.get("taints") {
            for t in ts.items(p) {
                let field = |name: &str, p: &mut Problems| t.get(name).and_then(|v| v.text(p));
                let key = field("key", p);
                let effect = field("effect", p);
                let (Some(key), Some(effect)) = (key, effect) else {
                    t.err(p, "Required value: a taint needs key and effect");
                    continue;
                };
                // The node lifecycle controller's own taints come and go with the node's state.
                if key.starts_with("node.kubernetes.io/")
                    || key.starts_with("node.cloudprovider.kubernetes.io/")
                {
                    continue;
                }
                taints.push((key, field("value", p).unwrap_or_default(), effect));
            }
        }
        // A cordoned node keeps the taint Kubernetes gives it, so it is a pool of its own that
        // takes only pods tolerating it.
        if spec.get("unschedulable").and_then(|u| u.bool(p)) == Some(true) {
            taints.push((
                "node.kubernetes.io/unschedulable".to_string(),
                String::new(),
                "NoSchedule".to_string(),
            ));
        }
    }
    taints.sort();
    Some(Shape {
        cpu_m,
        memory,
        gpu,
        pods,
        gpu_model,
        labels: node_labels,
        taints,
        zone,
    })
}

/// The capacity type a node's labels name (Karpenter, EKS, GKE, AKS).
fn capacity_type(labels: &[(String, String)]) -> Option<&'static str> {
    let get = |key: &str| {
        labels
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    match (
        get("karpenter.sh/capacity-type"),
        get("eks.amazonaws.com/capacityType"),
        get("cloud.google.com/gke-spot").or(get("cloud.google.com/gke-preemptible")),
        get("kubernetes.azure.com/scalesetpriority"),
    ) {
        (Some("spot"), ..)
        | (_, Some("SPOT"), ..)
        | (_, _, Some("true"), _)
        | (.., Some("spot")) => Some("spot"),
        (Some("reserved"), ..) => Some("reserved"),
        _ => None,
    }
}

/// A DNS-1123 label for the pool: its node-group label, else its instance type, else `nodes`.
fn pool_name(shape: &Shape) -> String {
    let raw = POOL_LABELS
        .iter()
        .find_map(|key| {
            shape
                .labels
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
        })
        .unwrap_or_else(|| "nodes".to_string());
    let mut name: String = raw
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    if let Some(zone) = &shape.zone {
        let z: String = zone
            .to_ascii_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        name = format!("{name}-{z}");
    }
    let trimmed: String = name.trim_matches('-').chars().take(63).collect();
    let trimmed = trimmed.trim_end_matches('-').to_string();
    if trimmed.is_empty() {
        "nodes".into()
    } else {
        trimmed
    }
}
