//! Warnings: a scenario that is valid but probably not what its author meant. They are located
//! like errors (file, line, column, field path), printed as `warning: ...` on stderr by
//! `validate`, `run` and `compare`, and never change the exit code.
//!
//! - A workload whose pods can never fit any pool: too big for every node shape, a resource no
//!   pool offers, a taint on every pool that it does not tolerate, a node selector or required
//!   affinity that no pool's labels satisfy, or a request above its namespace's quota.
//! - A quantity that looks like a unit mistake: memory given as a bare number under 1 MiB
//!   (`memory: 32` is 32 bytes), or cpu as a bare number of cores a pod or node hardly has
//!   (`cpu: 500` is 500 cores, not 500m).

use super::error::InputError;
use super::model::{
    LabelRequirement, PodTemplate, PoolSpec, QuotaSpec, Scenario, TaintEffect, WorkloadKind,
};
use super::yaml::{Located, Node, error_at};
use crate::quantity::{Resources, format_cpu, format_gpu, format_memory};

/// A bare memory number below this many bytes is taken as a forgotten unit.
const SMALL_MEMORY: u64 = 1 << 20;
/// A pod asking for at least this many cores as a bare number probably meant millicores.
const MANY_POD_CORES: f64 = 100.0;
/// A node with more cores than this as a bare number probably meant millicores.
const MANY_NODE_CORES: f64 = 1024.0;

/// Every warning for `scenario`, parsed from `root` (the tree after `--set` overrides).
pub fn check(root: &Located, scenario: &Scenario, file: &str) -> Vec<InputError> {
    let mut out = Vec::new();
    let list = |key: &str| -> Vec<&Located> {
        match root.get(key).map(|l| &l.node) {
            Some(Node::Seq(items)) => items.iter().collect(),
            _ => Vec::new(),
        }
    };
    let pools_node = root.get("cluster").and_then(|c| c.get("pools"));
    if let Some(Located {
        node: Node::Seq(pools),
        ..
    }) = pools_node
    {
        for (i, pool) in pools.iter().enumerate() {
            let path = format!("cluster.pools[{i}].node");
            if let Some(node) = pool.get("node") {
                units(&mut out, file, node, &path, MANY_NODE_CORES, "a node");
            }
        }
    }
    for (i, q) in list("quotas").into_iter().enumerate() {
        units(
            &mut out,
            file,
            q,
            &format!("quotas[{i}]"),
            MANY_POD_CORES,
            "a quota",
        );
    }
    let items = list("workloads");
    for (i, (spec, item)) in scenario.workloads.iter().zip(&items).enumerate() {
        let path = format!("workloads[{i}]");
        if let Some(r) = item.get("requests") {
            units(
                &mut out,
                file,
                r,
                &format!("{path}.requests"),
                MANY_POD_CORES,
                "a pod",
            );
        }
        let quota = |ns: &str| scenario.quotas.iter().find(|q| q.namespace == ns);
        match &spec.kind {
            WorkloadKind::Trace { path: csv, rows } => {
                let mut never = rows.iter().enumerate().filter_map(|(r, row)| {
                    let ns = row.namespace.as_deref().unwrap_or(&spec.template.namespace);
                    let why = never_fits(scenario, &spec.template, &row.requests, quota(ns))?;
                    Some((r, row, why))
                });
                if let Some((r, row, why)) = never.next() {
                    let n = 1 + never.count();
                    let name = row.name.clone().unwrap_or_else(|| format!("row {}", r + 1));
                    let origin = item.get("path").unwrap_or(item);
                    let message = format!(
                        "{n} of the {} pods of '{}' ({}) can never fit any pool; the first, \
                         {name}: {why}",
                        rows.len(),
                        spec.name,
                        csv.display()
                    );
                    out.push(error_at(file, &origin.origin, &path, message));
                }
                let small = rows
                    .iter()
                    .filter(|r| r.requests.memory > 0 && r.requests.memory < SMALL_MEMORY)
                    .count();
                if small > 0 {
                    let origin = item.get("path").unwrap_or(item);
                    let message = format!(
                        "{small} of the {} pods of '{}' ({}) ask for less than 1Mi of memory; \
                         a memory value without a unit is bytes (1Gi, 512Mi)",
                        rows.len(),
                        spec.name,
                        csv.display()
                    );
                    out.push(error_at(file, &origin.origin, &path, message));
                }
            }
            _ => {
                let t = &spec.template;
                if let Some(why) = never_fits(scenario, t, &t.requests, quota(&t.namespace)) {
                    let message =
                        format!("the pods of '{}' can never fit any pool: {why}", spec.name);
                    out.push(error_at(file, &item.origin, &path, message));
                }
            }
        }
    }
    // In file order, then the `--set` ones, as errors are.
    out.sort_by_key(|w| {
        if w.file == file {
            (0, w.line, w.column)
        } else {
            (1, 0, 0)
        }
    });
    out
}

/// Warns about bare numbers under `obj.cpu` and `obj.memory` that look like a missing unit.
fn units(
    out: &mut Vec<InputError>,
    file: &str,
    obj: &Located,
    path: &str,
    many_cores: f64,
    what: &str,
) {
    if let Some(v) = obj.get("memory")
        && let Some(n) = bare_number(&v.node)
        && n > 0.0
        && n < SMALL_MEMORY as f64
    {
        let message = format!(
            "{n} bytes of memory for {what}; a memory value without a unit is bytes: \
             did you mean {n}Gi or {n}Mi?"
        );
        out.push(error_at(
            file,
            &v.origin,
            &format!("{path}.memory"),
            message,
        ));
    }
    if let Some(v) = obj.get("cpu")
        && let Some(n) = bare_number(&v.node)
        && n >= many_cores
    {
        let message = format!(
            "{n} cores for {what}; a cpu value without a unit is cores: did you mean {n}m?"
        );
        out.push(error_at(file, &v.origin, &format!("{path}.cpu"), message));
    }
}

/// A number written without a unit: `32`, `0.5` or `"32"`.
fn bare_number(node: &Node) -> Option<f64> {
    match node {
        Node::Int(i) => Some(*i as f64),
        Node::Float(x) => Some(*x),
        Node::Str(s) if !s.is_empty() && s.chars().all(|c| c.is_ascii_digit() || c == '.') => {
            s.parse().ok()
        }
        _ => None,
    }
}

/// Why a pod with `template` and `requests` can never run anywhere, or `None` if some pool could
/// hold it. Only what never changes during a run is looked at: node shapes, pool taints and
/// labels, quotas; not free capacity, spreading or affinity to other pods.
fn never_fits(
    scenario: &Scenario,
    template: &PodTemplate,
    requests: &Resources,
    quota: Option<&QuotaSpec>,
) -> Option<String> {
    if let Some(q) = quota {
        let over = [
            (
                "cpu",
                q.cpu_m,
                requests.cpu_m,
                format_cpu as fn(u64) -> String,
            ),
            ("memory", q.memory, requests.memory, format_memory),
            ("gpu", q.gpu, requests.gpu, format_gpu),
        ]
        .into_iter()
        .find_map(|(name, limit, need, f)| match limit {
            Some(l) if need > l => Some(format!("{name} {} > {}", f(need), f(l))),
            _ => None,
        });
        if let Some(over) = over {
            return Some(format!(
                "it asks for more than namespace {}'s quota allows ({over})",
                q.namespace
            ));
        }
        if q.pods == Some(0) {
            return Some(format!("namespace {}'s quota allows no pods", q.namespace));
        }
    }
    let pools = &scenario.cluster.pools;
    if pools.is_empty() {
        return Some("the cluster has no pools".into());
    }
    let reasons: Vec<String> = pools
        .iter()
        .map(|p| pool_rejects(p, &scenario.cluster.zones, template, requests))
        .collect::<Option<Vec<String>>>()?;
    // Pools with the same reason share it, in file order.
    let mut listed: Vec<(&str, Vec<&str>)> = Vec::new();
    for (p, why) in pools.iter().zip(&reasons) {
        match listed.iter_mut().find(|(w, _)| w == why) {
            Some((_, names)) => names.push(&p.name),
            None => listed.push((why, vec![&p.name])),
        }
    }
    let parts: Vec<String> = listed
        .into_iter()
        .map(|(why, names)| format!("{} ({why})", names.join(", ")))
        .collect();
    Some(parts.join("; "))
}

/// Why no node of `pool` can ever hold the pod, or `None` if one could.
fn pool_rejects(
    pool: &PoolSpec,
    zones: &[String],
    template: &PodTemplate,
    requests: &Resources,
) -> Option<String> {
    let n = &pool.node;
    let mut short = Vec::new();
    if requests.cpu_m > n.cpu_m {
        short.push(format!(
            "cpu {} > {}",
            format_cpu(requests.cpu_m),
            format_cpu(n.cpu_m)
        ));
    }
    if requests.memory > n.memory {
        short.push(format!(
            "memory {} > {}",
            format_memory(requests.memory),
            format_memory(n.memory)
        ));
    }
    if requests.gpu > n.gpu {
        short.push(format!(
            "gpu {} > {}",
            format_gpu(requests.gpu),
            format_gpu(n.gpu)
        ));
    }
    if pool.max_pods == 0 {
        short.push("max pods 0".into());
    }
    if !short.is_empty() {
        return Some(format!("nodes too small: {}", short.join(", ")));
    }
    let untolerated = pool.taints.iter().find(|t| {
        t.effect != TaintEffect::PreferNoSchedule
            && !template.tolerations.iter().any(|tol| tol.tolerates(t))
    });
    if let Some(t) = untolerated {
        return Some(format!("untolerated taint {{{}: {}}}", t.key, t.value));
    }
    // Labels are per zone (the zone label differs); a node in any of the pool's zones will do.
    let label_ok = pool.zones.iter().any(|&z| {
        let label = |key: &str| -> Label {
            if let Some(v) = pool.labels.get(key) {
                return Label::Is(v.clone());
            }
            match key {
                // Node names are `<pool>-<n>`: any such name may exist.
                "kubernetes.io/hostname" => Label::Hostname(format!("{}-", pool.name)),
                "topology.kubernetes.io/zone" => Label::Is(zones[z].clone()),
                "karpenter.sh/capacity-type" => Label::Is(pool.capacity_type.as_str().into()),
                "clustersim.io/pool" => Label::Is(pool.name.clone()),
                _ => Label::Absent,
            }
        };
        let selector_ok = template
            .node_selector
            .iter()
            .all(|(k, v)| label(k).may_equal(v));
        let required_ok = template
            .node_affinity
            .required
            .iter()
            .all(|r| label(&r.key).may_match(r));
        selector_ok && required_ok
    });
    if !label_ok {
        return Some("no node's labels satisfy its node_selector and required affinity".into());
    }
    None
}

/// A node label as far as the scenario tells it.
enum Label {
    Is(String),
    /// `kubernetes.io/hostname`: some `<prefix><n>`.
    Hostname(String),
    Absent,
}

impl Label {
    fn may_equal(&self, want: &str) -> bool {
        match self {
            Label::Is(v) => v == want,
            Label::Hostname(prefix) => want
                .strip_prefix(prefix.as_str())
                .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit())),
            Label::Absent => false,
        }
    }

    fn may_match(&self, r: &LabelRequirement) -> bool {
        match self {
            Label::Is(v) => r.matches(Some(v)),
            // Some node name passes any requirement but `DoesNotExist` and `In` of other names.
            Label::Hostname(_) => match r.operator {
                super::model::LabelOperator::In => r.values.iter().any(|v| self.may_equal(v)),
                super::model::LabelOperator::DoesNotExist => false,
                _ => true,
            },
            Label::Absent => r.matches(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::scenario::load_str;

    /// A cluster of two pools: `general` (4 cpu, 16Gi, label disk=hdd, both zones) and `gpu`
    /// (8 cpu, 64Gi, 1 gpu, tainted dedicated=gpu, zone-b only), with `workload` added.
    fn warnings(workload: &str) -> Vec<String> {
        let yaml = format!(
            "name: w\nduration: 1h\ncluster:\n  zones: [zone-a, zone-b]\n  pools:\n    \
             - {{name: general, node: {{cpu: 4, memory: 16Gi}}, count: 1, labels: {{disk: hdd}}}}\n    \
             - {{name: gpu, node: {{cpu: 8, memory: 64Gi, gpu: 1}}, count: 1, zones: [zone-b], \
             taints: [{{key: dedicated, value: gpu, effect: NoSchedule}}]}}\n\
             quotas: [{{namespace: team, cpu: 500m}}]\n\
             workloads:\n  - {{name: x, kind: Deployment, replicas: 1, {workload}}}\n"
        );
        let s = load_str(&yaml, "w.yaml", None, &[]).expect("valid");
        s.warnings.iter().map(|w| w.to_string()).collect()
    }

    const GPU_TAINT: &str = "gpu (untolerated taint {dedicated: gpu})";
    const TOLERATE: &str = "tolerations: [{key: dedicated, operator: Exists}]";

    #[test]
    fn pods_that_can_never_fit_any_pool() {
        let never = "w.yaml:10:5: workloads[0]: the pods of 'x' can never fit any pool: ";
        let cases: Vec<(String, Option<String>)> = vec![
            // Fits general.
            ("requests: {cpu: 1, memory: 1Gi}".into(), None),
            // 16 cores: more than either node shape.
            (
                "requests: {cpu: 16}".into(),
                Some(
                    "general (nodes too small: cpu 16 > 4); gpu (nodes too small: cpu 16 > 8)"
                        .into(),
                ),
            ),
            // A gpu: only the tainted pool has one.
            (
                "requests: {gpu: 1}".into(),
                Some(format!("general (nodes too small: gpu 1 > 0); {GPU_TAINT}")),
            ),
            (format!("requests: {{gpu: 1}}, {TOLERATE}"), None),
            // disk=ssd is nowhere; disk=hdd is general's.
            (
                "node_selector: {disk: ssd}".into(),
                Some(format!(
                    "general (no node's labels satisfy its node_selector and required affinity); \
                     {GPU_TAINT}"
                )),
            ),
            ("node_selector: {disk: hdd}".into(), None),
            // general spans both zones; only the tolerated gpu pool is in zone-b alone.
            (
                "node_selector: {topology.kubernetes.io/zone: zone-b}".into(),
                None,
            ),
            (
                format!(
                    "node_selector: {{topology.kubernetes.io/zone: zone-a}}, requests: {{gpu: 1}}, {TOLERATE}"
                ),
                Some(
                    "general (nodes too small: gpu 1 > 0); gpu (no node's labels satisfy its \
                     node_selector and required affinity)"
                        .into(),
                ),
            ),
            // Node names are <pool>-<n>: general-7 may exist, other-1 never.
            (
                "node_selector: {kubernetes.io/hostname: general-7}".into(),
                None,
            ),
            (
                format!("node_selector: {{kubernetes.io/hostname: other-1}}, {TOLERATE}"),
                Some(
                    "general, gpu (no node's labels satisfy its node_selector and required \
                     affinity)"
                        .into(),
                ),
            ),
            // Required affinity: no pool is spot.
            (
                format!(
                    "affinity: {{node_affinity: {{required: [{{key: karpenter.sh/capacity-type, \
                     operator: In, values: [spot]}}]}}}}, {TOLERATE}"
                ),
                Some(
                    "general, gpu (no node's labels satisfy its node_selector and required \
                     affinity)"
                        .into(),
                ),
            ),
            // A namespace quota of 500m never admits a 1-cpu pod.
            (
                "namespace: team, requests: {cpu: 1}".into(),
                Some("it asks for more than namespace team's quota allows (cpu 1 > 500m)".into()),
            ),
        ];
        for (workload, want) in cases {
            let got = warnings(&workload);
            let want: Vec<String> = want.into_iter().map(|w| format!("{never}{w}")).collect();
            assert_eq!(got, want, "{workload}");
        }
    }

    #[test]
    fn bare_numbers_that_look_like_a_forgotten_unit() {
        // memory: 32 is 32 bytes; cpu: 500 is 500 cores (and fits nowhere); cpu: 99 is allowed.
        let got = warnings("requests: {cpu: 500, memory: 32}");
        assert_eq!(got.len(), 3, "{got:#?}");
        assert!(got[0].ends_with("can never fit any pool: general (nodes too small: cpu 500 > 4); gpu (nodes too small: cpu 500 > 8)"), "{got:#?}");
        assert_eq!(
            got[1],
            "w.yaml:10:62: workloads[0].requests.cpu: 500 cores for a pod; a cpu value without \
             a unit is cores: did you mean 500m?"
        );
        assert_eq!(
            got[2],
            "w.yaml:10:75: workloads[0].requests.memory: 32 bytes of memory for a pod; a memory \
             value without a unit is bytes: did you mean 32Gi or 32Mi?"
        );
        assert!(warnings("requests: {cpu: 2, memory: 1048576}").is_empty());
        assert!(warnings("requests: {cpu: 500m, memory: 1Gi}").is_empty());
    }
}
