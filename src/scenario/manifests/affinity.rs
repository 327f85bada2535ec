//! Node affinity, pod anti-affinity and topology spread constraints, from Kubernetes' shapes to
//! the native ones. What the native model cannot say is refused with a located error when
//! ignoring it would change where pods go (several ORed node-selector terms, matchFields, label
//! selector expressions), and noted when it only refines a preference.

use super::object::{K, Out, Problems, copy, labels, list, string};
use crate::scenario::yaml::Located;

const AFFINITY: &[&str] = &["nodeAffinity", "podAffinity", "podAntiAffinity"];
const NODE_AFFINITY: &[&str] = &[
    "preferredDuringSchedulingIgnoredDuringExecution",
    "requiredDuringSchedulingIgnoredDuringExecution",
];
const POD_AFFINITY_TERM: &[&str] = &[
    "labelSelector",
    "matchLabelKeys",
    "mismatchLabelKeys",
    "namespaceSelector",
    "namespaces",
    "topologyKey",
];
const SPREAD: &[&str] = &[
    "labelSelector",
    "matchLabelKeys",
    "maxSkew",
    "minDomains",
    "nodeAffinityPolicy",
    "nodeTaintsPolicy",
    "topologyKey",
    "whenUnsatisfiable",
];
/// The topology keys the native model spreads over.
const TOPOLOGY_KEYS: &[&str] = &["topology.kubernetes.io/zone", "kubernetes.io/hostname"];

pub fn affinity(k: &K, pod_labels: &[(String, String)], out: &mut Out, p: &mut Problems) {
    k.strict(p, "Affinity", AFFINITY);
    if let Some(node) = k.get("nodeAffinity") {
        node.strict(p, "NodeAffinity", NODE_AFFINITY);
        let mut native = Out::new(&node);
        if let Some(required) = node.get("requiredDuringSchedulingIgnoredDuringExecution") {
            required.strict(p, "NodeSelector", &["nodeSelectorTerms"]);
            if let Some(terms) = required.get("nodeSelectorTerms") {
                let items = terms.items(p);
                match items.len() {
                    0 => terms.err(
                        p,
                        "Required value: must have at least one node selector term",
                    ),
                    1 => {
                        let reqs = term(&items[0], p);
                        native.put("required", list(reqs, &items[0]));
                    }
                    n => terms.err(
                        p,
                        format!(
                            "{n} nodeSelectorTerms (ORed) are not supported; clustersim takes one \
                             term, whose expressions are ANDed"
                        ),
                    ),
                }
            }
        }
        if let Some(preferred) = node.get("preferredDuringSchedulingIgnoredDuringExecution") {
            let mut prefs = Vec::new();
            for pref in preferred.items(p) {
                pref.strict(p, "PreferredSchedulingTerm", &["preference", "weight"]);
                let mut o = Out::new(&pref);
                if let Some(w) = pref.get("weight") {
                    o.put("weight", copy(&w));
                }
                match pref.get("preference") {
                    Some(term_k) => {
                        let reqs = term(&term_k, p);
                        o.put("match", list(reqs, &term_k));
                    }
                    None => pref.err(p, "Required value: preference"),
                }
                prefs.push(o.build());
            }
            native.put("preferred", list(prefs, &preferred));
        }
        let mut a = Out::new(k);
        a.put("node_affinity", native.build());
        out.put("affinity", a.build());
    }
    if let Some(anti) = k.get("podAntiAffinity") {
        anti.strict(
            p,
            "PodAntiAffinity",
            &[
                "preferredDuringSchedulingIgnoredDuringExecution",
                "requiredDuringSchedulingIgnoredDuringExecution",
            ],
        );
        let mut terms = Vec::new();
        if let Some(required) = anti.get("requiredDuringSchedulingIgnoredDuringExecution") {
            for t in required.items(p) {
                t.strict(p, "PodAffinityTerm", POD_AFFINITY_TERM);
                let mut o = Out::new(&t);
                topology_key(&t, &mut o, p);
                let Some(sel) = t.get("labelSelector") else {
                    t.note(
                        p,
                        "a term without labelSelector selects no pods in Kubernetes; left out",
                    );
                    continue;
                };
                let pairs = selector(&sel, pod_labels, None, p);
                o.put("label_selector", labels(&pairs, &sel));
                for unsupported in [
                    "namespaces",
                    "namespaceSelector",
                    "matchLabelKeys",
                    "mismatchLabelKeys",
                ] {
                    if let Some(v) = t.get(unsupported) {
                        v.note(p, format!("{unsupported} is ignored: anti-affinity counts pods of every namespace"));
                    }
                }
                terms.push(o.build());
            }
            if !terms.is_empty() {
                out.put("anti_affinity", list(terms, &required));
            }
        }
        if let Some(pref) = anti.get("preferredDuringSchedulingIgnoredDuringExecution") {
            pref.note(
                p,
                "preferred pod anti-affinity is not modelled and is ignored",
            );
        }
    }
    if let Some(pa) = k.get("podAffinity") {
        if let Some(r) = pa.get("requiredDuringSchedulingIgnoredDuringExecution") {
            r.err(
                p,
                "required pod affinity is not supported (ignoring it would place pods where \
                 Kubernetes would not)",
            );
        }
        if pa
            .get("preferredDuringSchedulingIgnoredDuringExecution")
            .is_some()
        {
            pa.note(p, "preferred pod affinity is not modelled and is ignored");
        }
    }
}

/// A node selector term's matchExpressions as native requirements.
fn term(t: &K, p: &mut Problems) -> Vec<Located> {
    t.strict(p, "NodeSelectorTerm", &["matchExpressions", "matchFields"]);
    if let Some(fields) = t.get("matchFields") {
        fields.err(
            p,
            "matchFields is not supported; select nodes by their labels",
        );
    }
    let mut out = Vec::new();
    let Some(exprs) = t.get("matchExpressions") else {
        t.err(
            p,
            "a term without matchExpressions matches no node in Kubernetes; give at least one",
        );
        return out;
    };
    for e in exprs.items(p) {
        e.strict(p, "NodeSelectorRequirement", &["key", "operator", "values"]);
        let mut o = Out::new(&e);
        for key in ["key", "operator", "values"] {
            if let Some(v) = e.get(key) {
                o.put(key, copy(&v));
            }
        }
        out.push(o.build());
    }
    out
}

fn topology_key(t: &K, o: &mut Out, p: &mut Problems) {
    match t.get("topologyKey") {
        Some(key) => {
            if let Some(text) = key.str(p) {
                if TOPOLOGY_KEYS.contains(&text.as_str()) {
                    o.put("topology_key", string(text, &key));
                } else {
                    key.err(
                        p,
                        format!(
                            "topologyKey '{text}' is not supported; clustersim spreads over {}",
                            TOPOLOGY_KEYS.join(" and ")
                        ),
                    );
                }
            }
        }
        None => t.err(p, "Required value: topologyKey"),
    }
}

/// A label selector's matchLabels, with `matchLabelKeys` resolved from the pod's own labels
/// (what Kubernetes does when it creates the pod). matchExpressions are refused.
fn selector(
    sel: &K,
    pod_labels: &[(String, String)],
    match_label_keys: Option<&K>,
    p: &mut Problems,
) -> Vec<(String, String)> {
    sel.strict(p, "LabelSelector", &["matchExpressions", "matchLabels"]);
    if let Some(e) = sel.get("matchExpressions") {
        e.err(
            p,
            "matchExpressions in a pod label selector are not supported; use matchLabels",
        );
    }
    let mut pairs = sel
        .get("matchLabels")
        .map(|m| m.string_map(p))
        .unwrap_or_default();
    if let Some(keys) = match_label_keys {
        for key in keys.items(p) {
            let Some(name) = key.str(p) else { continue };
            if let Some((_, v)) = pod_labels.iter().find(|(k, _)| *k == name)
                && !pairs.iter().any(|(k, _)| *k == name)
            {
                pairs.push((name, v.clone()));
            }
        }
    }
    pairs
}

pub fn spreads(k: &K, pod_labels: &[(String, String)], p: &mut Problems) -> Vec<Located> {
    let mut out = Vec::new();
    for c in k.items(p) {
        c.strict(p, "TopologySpreadConstraint", SPREAD);
        let mut o = Out::new(&c);
        match c.get("maxSkew") {
            Some(v) => o.put("max_skew", copy(&v)),
            None => c.err(p, "Required value: maxSkew"),
        }
        topology_key(&c, &mut o, p);
        if let Some(w) = c.get("whenUnsatisfiable") {
            o.put("when_unsatisfiable", copy(&w));
        } else {
            c.err(p, "Required value: whenUnsatisfiable");
        }
        let keys = c.get("matchLabelKeys");
        match c.get("labelSelector") {
            Some(sel) => {
                let pairs = selector(&sel, pod_labels, keys.as_ref(), p);
                o.put("label_selector", labels(&pairs, &sel));
            }
            // Kubernetes counts no pods without a selector, so the constraint never binds.
            None => {
                c.note(
                    p,
                    "a constraint without labelSelector counts no pods in Kubernetes; left out",
                );
                continue;
            }
        }
        for (from, to) in [
            ("minDomains", "min_domains"),
            ("nodeAffinityPolicy", "node_affinity_policy"),
            ("nodeTaintsPolicy", "node_taints_policy"),
        ] {
            if let Some(v) = c.get(from) {
                o.put(to, copy(&v));
            }
        }
        out.push(o.build());
    }
    out
}
