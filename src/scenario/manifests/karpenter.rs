//! Karpenter `karpenter.sh/v1` NodePools as the native `autoscaler: {kind: karpenter,
//! node_pools: [...]}`: the instance types, capacity types and zones its requirements allow
//! (types from the instance-type catalog), its limits, weight, labels, taints and disruption.

use super::Object;
use super::object::{K, Out, Problems, copy, labels, list, string};
use super::quantity::cpu_millis as parse_cpu;
use super::workloads::metadata;
use crate::quantity::format_cpu;
use crate::scenario::instance_types::InstanceType;
use crate::scenario::yaml::Located;

const NODE_POOL_SPEC: &[&str] = &["disruption", "limits", "replicas", "template", "weight"];
const NODE_CLAIM_SPEC: &[&str] = &[
    "expireAfter",
    "nodeClassRef",
    "requirements",
    "startupTaints",
    "taints",
    "terminationGracePeriod",
];
const INSTANCE_TYPE: &str = "node.kubernetes.io/instance-type";
const CAPACITY_TYPE: &str = "karpenter.sh/capacity-type";
const ZONE: &str = "topology.kubernetes.io/zone";
const FAMILY: &str = "karpenter.k8s.aws/instance-family";

/// One requirement: its key, operator and values.
struct Requirement<'a> {
    key: String,
    operator: String,
    values: Vec<String>,
    at: K<'a>,
}

impl Requirement<'_> {
    /// Whether `value` passes (`In`, `NotIn`, `Exists`, `DoesNotExist`).
    fn allows(&self, value: &str) -> bool {
        match self.operator.as_str() {
            "In" => self.values.iter().any(|v| v == value),
            "NotIn" => !self.values.iter().any(|v| v == value),
            "DoesNotExist" => false,
            _ => true,
        }
    }
}

fn requirements<'a>(spec: &K<'a>, p: &mut Problems) -> Vec<Requirement<'a>> {
    let mut out = Vec::new();
    let Some(reqs) = spec.get("requirements") else {
        return out;
    };
    for r in reqs.items(p) {
        r.strict(
            p,
            "NodeSelectorRequirementWithMinValues",
            &["key", "minValues", "operator", "values"],
        );
        let key = r.get("key").and_then(|k| k.str(p));
        let operator = r.get("operator").and_then(|o| o.str(p));
        let (Some(key), Some(operator)) = (key, operator) else {
            r.err(p, "Required value: a requirement needs key and operator");
            continue;
        };
        let values = r
            .get("values")
            .map(|v| v.items(p).iter().filter_map(|i| i.text(p)).collect())
            .unwrap_or_default();
        out.push(Requirement {
            key,
            operator,
            values,
            at: r,
        });
    }
    out
}

/// The native node pools of every NodePool.
pub fn node_pools(objects: &[&Object], catalog: &[InstanceType], p: &mut Problems) -> Vec<Located> {
    let mut out = Vec::new();
    for o in objects {
        let k = o.k();
        k.strict(
            p,
            "NodePool",
            &["apiVersion", "kind", "metadata", "spec", "status"],
        );
        let Some((name, _, meta)) = metadata(&k, p) else {
            continue;
        };
        let Some(spec) = k.get("spec") else {
            k.err(p, "Required value: spec");
            continue;
        };
        spec.strict(p, "NodePoolSpec", NODE_POOL_SPEC);
        let mut pool = Out::new(&meta);
        pool.put(
            "name",
            string(name, &meta.get("name").unwrap_or(meta.clone())),
        );
        let template = spec.get("template");
        let claim = template.as_ref().and_then(|t| t.get("spec"));
        let reqs = claim
            .as_ref()
            .map(|c| requirements(c, p))
            .unwrap_or_default();
        if let Some(c) = &claim {
            c.strict(p, "NodeClaimTemplateSpec", NODE_CLAIM_SPEC);
        }
        for r in &reqs {
            if ![INSTANCE_TYPE, CAPACITY_TYPE, ZONE, FAMILY].contains(&r.key.as_str()) {
                r.at.note(
                    p,
                    format!(
                        "requirement on {} is not modelled and is ignored; clustersim selects by {INSTANCE_TYPE}, {FAMILY}, {CAPACITY_TYPE} and {ZONE}",
                        r.key
                    ),
                );
            }
        }
        let by = |key: &'static str| reqs.iter().filter(move |r| r.key == key);
        // Instance types: the catalog's that every type and family requirement allows.
        let types: Vec<&InstanceType> = catalog
            .iter()
            .filter(|t| by(INSTANCE_TYPE).all(|r| r.allows(&t.name)))
            .filter(|t| {
                let family = t.name.split('.').next().unwrap_or("");
                by(FAMILY).all(|r| r.allows(family))
            })
            .collect();
        let at = claim.clone().unwrap_or(spec.clone());
        if types.is_empty() {
            at.err(
                p,
                "no instance type of the catalog meets these requirements (the bundled catalog \
                 or instance_types.path)",
            );
            continue;
        }
        pool.put(
            "instance_types",
            list(
                types.iter().map(|t| string(t.name.clone(), &at)).collect(),
                &at,
            ),
        );
        // Capacity types: Karpenter's default is on-demand only.
        let capacity: Vec<&str> = ["reserved", "spot", "on-demand"]
            .into_iter()
            .filter(|c| by(CAPACITY_TYPE).all(|r| r.allows(c)))
            .collect();
        let capacity = if by(CAPACITY_TYPE).next().is_none() {
            vec!["on-demand"]
        } else {
            capacity
        };
        pool.put(
            "capacity_types",
            list(capacity.iter().map(|c| string(*c, &at)).collect(), &at),
        );
        if let Some(r) = by(ZONE).find(|r| r.operator == "In") {
            pool.put(
                "zones",
                list(
                    r.values.iter().map(|z| string(z.clone(), &r.at)).collect(),
                    &r.at,
                ),
            );
        }
        if let Some(w) = spec.get("weight") {
            pool.put("weight", copy(&w));
        }
        if let Some(limits) = spec.get("limits") {
            match limits.get("cpu").and_then(|c| c.text(p)) {
                Some(text) => match parse_cpu(&text) {
                    Ok(c) => {
                        let mut l = Out::new(&limits);
                        l.put("cpu", string(format_cpu(c), &limits));
                        pool.put("limits", l.build());
                    }
                    Err(m) => limits.err(p, m),
                },
                None => limits.note(p, "only a cpu limit is modelled; other limits are ignored"),
            }
        }
        if let Some(tl) = template
            .as_ref()
            .and_then(|t| t.get("metadata"))
            .and_then(|m| m.get("labels"))
        {
            let pairs = tl.string_map(p);
            if !pairs.is_empty() {
                pool.put("labels", labels(&pairs, &tl));
            }
        }
        if let Some(taints) = claim.as_ref().and_then(|c| c.get("taints")) {
            let mut items = Vec::new();
            for t in taints.items(p) {
                t.strict(p, "Taint", &["effect", "key", "timeAdded", "value"]);
                let mut o = Out::new(&t);
                for key in ["key", "value", "effect"] {
                    if let Some(v) = t.get(key) {
                        o.put(key, copy(&v));
                    }
                }
                items.push(o.build());
            }
            pool.put("taints", list(items, &taints));
        }
        if let Some(d) = spec.get("disruption") {
            d.strict(
                p,
                "Disruption",
                &["budgets", "consolidateAfter", "consolidationPolicy"],
            );
            let mut o = Out::new(&d);
            if let Some(policy) = d.get("consolidationPolicy") {
                o.put("consolidation_policy", copy(&policy));
            }
            if let Some(after) = d.get("consolidateAfter") {
                match after.str(p).as_deref() {
                    Some("Never") => {
                        after.note(p, "consolidateAfter: Never is modelled as no wait")
                    }
                    Some(text) => o.put("consolidate_after", string(text, &after)),
                    None => {}
                }
            }
            if let Some(budgets) = d.get("budgets") {
                let mut items = Vec::new();
                for b in budgets.items(p) {
                    b.strict(p, "Budget", &["duration", "nodes", "reasons", "schedule"]);
                    for ignored in ["schedule", "duration", "reasons"] {
                        if let Some(v) = b.get(ignored) {
                            v.note(p, format!("a budget's {ignored} is not modelled: the budget always applies"));
                        }
                    }
                    if let Some(n) = b.get("nodes") {
                        let mut ob = Out::new(&b);
                        ob.put("nodes", copy(&n));
                        items.push(ob.build());
                    }
                }
                o.put("budgets", list(items, &budgets));
            }
            pool.put("disruption", o.build());
        }
        out.push(pool.build());
    }
    out
}
