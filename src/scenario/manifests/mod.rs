//! Kubernetes manifests in: `workloads: - manifests: [app/, hpa.yaml]` and
//! `cluster: {nodes: {manifests: nodes.yaml}}` in a scenario, and `clustersim import`.
//!
//! The manifests are read through the same located YAML tree as scenario files (not typed API
//! structs: see docs/manifests.md for the measurements behind that choice) and translated into
//! native scenario entries, which then go through the scenario parser like any other. Every
//! translated value keeps its manifest origin, so an error, whether found here or by the
//! scenario parser, points at the manifest's file, line, column and Kubernetes field path.
//!
//! - `workloads`: Deployment, ReplicaSet and StatefulSet become `kind: Deployment` entries,
//!   Job and CronJob `kind: Job`; a HorizontalPodAutoscaler becomes its target's
//!   `autoscaling`, a PodDisruptionBudget its selected workload's `disruption_budget`.
//! - top level: PriorityClasses become `priority_classes`, ResourceQuotas `quotas`;
//!   LimitRanges' default requests fill in containers that request nothing.
//! - `cluster.nodes`: Nodes with the same allocatable resources, labels (but the hostname)
//!   and taints become one pool each.
//!
//! Kinds that do not affect scheduling (Service, ConfigMap, ...) are skipped, with one note
//! counting each.

mod affinity;
mod cluster;
mod karpenter;
mod object;
mod pod;
mod quantity;
mod workloads;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use object::{K, Problems};

use super::error::InputError;
use super::input::{self, InputKind};
use super::yaml::{Located, LocatedKey, Node, Origin, error_at};

/// The `clustersim.io/...` annotations a manifest may carry for what Kubernetes objects do
/// not say.
pub const DURATION_ANNOTATION: &str = "clustersim.io/duration";
pub const STARTUP_ANNOTATION: &str = "clustersim.io/startup";
pub const LOAD_ANNOTATION: &str = "clustersim.io/load";

/// Most manifest files one scenario may read (a folder is walked recursively).
const MAX_FILES: usize = 10_000;

/// One Kubernetes object, read from a manifest.
pub struct Object {
    pub file: Rc<str>,
    pub root: Located,
}

impl Object {
    /// The object's root; field paths start from it (`spec.replicas`), as Kubernetes' do.
    pub fn k(&self) -> K<'_> {
        K {
            file: &self.file,
            node: &self.root,
            path: String::new(),
        }
    }
}

/// A LimitRange's default container requests for one namespace (cpu, memory, GPUs).
#[derive(Clone, Default)]
pub struct LimitDefaults {
    pub request: pod::Request,
}

/// The namespace of the object being read and what it brings: its LimitRange defaults.
pub struct Namespaced<'a> {
    pub namespace: String,
    pub at: K<'a>,
    pub limits: Option<&'a LimitDefaults>,
}

/// What the manifests translate into.
#[derive(Default)]
pub struct Imported {
    pub workloads: Vec<Located>,
    pub priority_classes: Vec<Located>,
    pub quotas: Vec<Located>,
    pub pools: Vec<Located>,
    pub zones: Vec<String>,
    /// Karpenter NodePools, for `autoscaler.node_pools`.
    pub node_pools: Vec<Located>,
    /// Objects of kinds that do not affect scheduling, counted by kind.
    pub skipped: BTreeMap<String, usize>,
}

impl Imported {
    /// The note counting skipped kinds, located at the scenario's manifest list.
    fn skipped_note(&self, file: &str, at: &Located, path: &str) -> Option<InputError> {
        if self.skipped.is_empty() {
            return None;
        }
        let counts: Vec<String> = self
            .skipped
            .iter()
            .map(|(k, n)| format!("{n} {k}"))
            .collect();
        Some(error_at(
            file,
            &at.origin,
            path,
            format!(
                "skipped objects that do not affect scheduling: {}",
                counts.join(", ")
            ),
        ))
    }
}

/// Reads the files and folders named by `list` (a string or a list of strings in the scenario),
/// relative to `base_dir`, into objects. `scenario_file` labels errors about the list itself.
fn read_objects(
    list: &Located,
    path: &str,
    scenario_file: &str,
    base_dir: Option<&Path>,
    p: &mut Problems,
    inputs: &mut Vec<PathBuf>,
) -> Vec<Object> {
    let names: Vec<&Located> = match &list.node {
        Node::Str(_) => vec![list],
        Node::Seq(items) => items.iter().collect(),
        other => {
            p.errors.push(error_at(
                scenario_file,
                &list.origin,
                path,
                format!(
                    "expected a file or folder name or a list of them, found {}",
                    other.kind()
                ),
            ));
            return Vec::new();
        }
    };
    let mut objects = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let item_path = match &list.node {
            Node::Seq(_) => format!("{path}[{i}]"),
            _ => path.to_string(),
        };
        let Node::Str(text) = &name.node else {
            p.errors.push(error_at(
                scenario_file,
                &name.origin,
                &item_path,
                format!("expected a file or folder name, found {}", name.node.kind()),
            ));
            continue;
        };
        let full = match base_dir {
            Some(dir) => dir.join(text),
            None => PathBuf::from(text),
        };
        let files = match manifest_files(&full) {
            Ok(files) => files,
            Err(message) => {
                p.errors.push(error_at(
                    scenario_file,
                    &name.origin,
                    &item_path,
                    format!("cannot read '{}': {message}", full.display()),
                ));
                continue;
            }
        };
        let from_folder = files.len() > 1 || files.first() != Some(&full);
        for file in files {
            // A file named twice (itself and through its folder) is read once.
            let real = std::fs::canonicalize(&file).unwrap_or_else(|_| file.clone());
            if p.seen_files.contains(&real) {
                continue;
            }
            p.seen_files.push(real);
            read_file(&file, from_folder, p, &mut objects);
            inputs.push(file);
        }
    }
    objects
}

/// The manifest files of `path`: itself, or the `.yaml`, `.yml` and `.json` files under a
/// folder, recursively, in name order.
fn manifest_files(path: &Path) -> Result<Vec<PathBuf>, String> {
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if !meta.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut out = Vec::new();
    let mut folders = vec![path.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&folder)
            .map_err(|e| format!("{}: {e}", folder.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for entry in entries.into_iter().rev() {
            // Links to folders are not followed (a link back up would never end).
            let is_link =
                std::fs::symlink_metadata(&entry).is_ok_and(|m| m.file_type().is_symlink());
            if entry.is_dir() {
                if !is_link {
                    folders.push(entry);
                }
            } else if entry
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| matches!(e, "yaml" | "yml" | "json"))
            {
                out.push(entry);
            }
        }
    }
    out.sort();
    if out.len() > MAX_FILES {
        return Err(format!(
            "more than {MAX_FILES} manifest files under this folder"
        ));
    }
    if out.is_empty() {
        return Err("the folder holds no .yaml, .yml or .json files".into());
    }
    Ok(out)
}

/// Most bytes of manifests one scenario reads in all.
const MAX_TOTAL_BYTES: u64 = 256 << 20;

/// Reads one file's objects. In a folder, a document that is not a Kubernetes object (no
/// apiVersion and no kind: a clustersim scenario, say) is skipped with a note.
fn read_file(path: &Path, from_folder: bool, p: &mut Problems, objects: &mut Vec<Object>) {
    let label: Rc<str> = Rc::from(path.display().to_string());
    let text = match input::read_to_string(path, InputKind::Manifest) {
        Ok(t) if p.bytes_read + t.len() as u64 > MAX_TOTAL_BYTES => {
            p.errors.push(InputError {
                file: label.to_string(),
                line: 0,
                column: 0,
                path: String::new(),
                message: format!(
                    "the manifests read reach {} MiB in all, the most one scenario reads",
                    MAX_TOTAL_BYTES >> 20
                ),
            });
            return;
        }
        Ok(t) => {
            p.bytes_read += t.len() as u64;
            t
        }
        Err(message) => {
            p.errors.push(InputError {
                file: label.to_string(),
                line: 0,
                column: 0,
                path: String::new(),
                message: format!("cannot read: {message}"),
            });
            return;
        }
    };
    let docs = match super::yaml::parse_documents(&text, &label) {
        Ok(d) => d,
        Err(e) => {
            p.errors.extend(e.0);
            return;
        }
    };
    for doc in docs {
        if from_folder && doc.get("apiVersion").is_none() && doc.get("kind").is_none() {
            p.notes.push(crate::scenario::yaml::error_at(
                &label,
                &doc.origin,
                "",
                "not a Kubernetes object (no apiVersion or kind); skipped",
            ));
            continue;
        }
        push_objects(doc, &label, objects);
    }
}

/// One document's objects: itself, or the `items` of a List (`kubectl get ... -o yaml`).
fn push_objects(doc: Located, file: &Rc<str>, objects: &mut Vec<Object>) {
    let is_list =
        matches!(doc.get("kind").map(|k| &k.node), Some(Node::Str(k)) if k.ends_with("List"));
    if is_list
        && let Some(Located {
            node: Node::Seq(items),
            ..
        }) = doc.get("items")
    {
        for item in items {
            objects.push(Object {
                file: file.clone(),
                root: item.clone(),
            });
        }
        return;
    }
    objects.push(Object {
        file: file.clone(),
        root: doc,
    });
}

/// The kinds read, with the apiVersions Kubernetes serves them under.
const KINDS: &[(&str, &[&str])] = &[
    ("Deployment", &["apps/v1"]),
    ("ReplicaSet", &["apps/v1"]),
    ("StatefulSet", &["apps/v1"]),
    ("Job", &["batch/v1"]),
    ("CronJob", &["batch/v1"]),
    (
        "HorizontalPodAutoscaler",
        &["autoscaling/v2", "autoscaling/v1"],
    ),
    ("PodDisruptionBudget", &["policy/v1"]),
    ("PriorityClass", &["scheduling.k8s.io/v1"]),
    ("ResourceQuota", &["v1"]),
    ("LimitRange", &["v1"]),
    ("Namespace", &["v1"]),
    ("Node", &["v1"]),
    ("NodePool", &["karpenter.sh/v1"]),
    ("DaemonSet", &["apps/v1"]),
    ("Pod", &["v1"]),
];

/// Kinds that are skipped with a count: they do not change what the scheduler sees.
const SKIPPED: &[&str] = &[
    "APIService",
    "ClusterRole",
    "ClusterRoleBinding",
    "ConfigMap",
    "CustomResourceDefinition",
    "Endpoints",
    "EndpointSlice",
    "Ingress",
    "IngressClass",
    "MutatingWebhookConfiguration",
    "NetworkPolicy",
    "EC2NodeClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "Role",
    "RoleBinding",
    "Secret",
    "Service",
    "ServiceAccount",
    "StorageClass",
    "ValidatingWebhookConfiguration",
    "VerticalPodAutoscaler",
];

/// Checks `apiVersion` and `kind`; returns the kind when it is one that is read, notes a
/// skipped one.
fn kind_of(
    o: &Object,
    p: &mut Problems,
    skipped: &mut BTreeMap<String, usize>,
) -> Option<&'static str> {
    let k = o.k();
    let kind_node = match k.get("kind") {
        Some(kind) => kind,
        None => {
            k.err(p, "Object 'Kind' is missing");
            return None;
        }
    };
    let kind = kind_node.str(p)?;
    let api = k.get("apiVersion").and_then(|a| a.str(p));
    let Some((name, versions)) = KINDS.iter().find(|(n, _)| *n == kind) else {
        if SKIPPED.contains(&kind.as_str())
            || api
                .as_deref()
                .is_some_and(|a| a.contains('.') && !a.starts_with("scheduling.k8s.io"))
        {
            *skipped.entry(kind).or_default() += 1;
        } else {
            let mut message = format!(
                "unknown kind '{kind}'; clustersim reads {} and skips {}",
                KINDS.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", "),
                "Services, ConfigMaps and other kinds that do not affect scheduling"
            );
            if let Some(s) = crate::suggest::did_you_mean(&kind, KINDS.iter().map(|(n, _)| *n)) {
                message.push_str(&format!("; did you mean '{s}'?"));
            }
            kind_node.err(p, message);
        }
        return None;
    };
    match (api, k.get("apiVersion")) {
        (Some(api), Some(at)) if !versions.contains(&api.as_str()) => {
            at.err(
                p,
                format!(
                    "no matches for kind \"{name}\" in version \"{api}\"; expected {}",
                    versions.join(" or ")
                ),
            );
            None
        }
        (None, None) => {
            k.err(p, "Object 'apiVersion' is missing");
            None
        }
        (None, Some(_)) => None,
        _ => Some(name),
    }
}

/// Translates every object. Errors and notes go to `p`; `catalog` is the instance-type catalog
/// Karpenter NodePools choose from.
pub fn translate(
    objects: &[Object],
    job_duration: Option<&Located>,
    catalog: &[crate::scenario::instance_types::InstanceType],
    p: &mut Problems,
) -> Imported {
    let mut skipped = BTreeMap::new();
    let kinds: Vec<Option<&'static str>> = objects
        .iter()
        .map(|o| kind_of(o, p, &mut skipped))
        .collect();
    let of = |want: &str| -> Vec<&Object> {
        objects
            .iter()
            .zip(&kinds)
            .filter(|(_, k)| **k == Some(want))
            .map(|(o, _)| o)
            .collect()
    };
    let mut out = Imported::default();
    let limits = cluster::limit_ranges(&of("LimitRange"), p);
    out.priority_classes = cluster::priority_classes(&of("PriorityClass"), p);
    out.quotas = cluster::quotas(&of("ResourceQuota"), p);
    for o in of("Pod") {
        o.k().note(
            p,
            "a bare Pod is not modelled (no controller keeps or replaces it); left out: wrap it \
             in a Deployment or Job",
        );
    }
    for o in of("Namespace") {
        o.k().strict(
            p,
            "Namespace",
            &["apiVersion", "kind", "metadata", "spec", "status"],
        );
    }
    let workload_objects: Vec<(&Object, &'static str)> = objects
        .iter()
        .zip(&kinds)
        .filter_map(|(o, k)| match k {
            Some(
                k @ ("Deployment" | "ReplicaSet" | "StatefulSet" | "Job" | "CronJob" | "DaemonSet"),
            ) => Some((o, *k)),
            _ => None,
        })
        .collect();
    out.workloads = workloads::workloads(
        &workload_objects,
        &of("HorizontalPodAutoscaler"),
        &of("PodDisruptionBudget"),
        &limits,
        job_duration,
        p,
    );
    out.node_pools = karpenter::node_pools(&of("NodePool"), catalog, p);
    let (pools, zones) = cluster::pools(&of("Node"), p);
    out.pools = pools;
    out.zones = zones;
    out.skipped = skipped;
    out
}

/// Expands the manifest entries of a scenario tree in place: each `workloads` item
/// `{manifests: ...}` becomes the workloads it holds, and `cluster.nodes: {manifests: ...}`
/// becomes pools. Errors go to `errors`, notes (skipped kinds, ignored fields) to `notes`, and
/// each file read to `inputs`.
pub fn expand(
    root: &mut Located,
    scenario_file: &str,
    base_dir: Option<&Path>,
    errors: &mut Vec<InputError>,
    notes: &mut Vec<InputError>,
    inputs: &mut Vec<PathBuf>,
) {
    let mut p = Problems::default();
    let mut imported = Imported::default();
    let mut any = false;
    let catalog = catalog_of(root, base_dir);
    // Workload entries that name manifests, in place.
    if let Node::Map(entries) = &mut root.node
        && let Some((_, workloads)) = entries.iter_mut().find(|(k, _)| k.name == "workloads")
        && let Node::Seq(items) = &mut workloads.node
    {
        let mut expanded = Vec::with_capacity(items.len());
        for (i, item) in std::mem::take(items).into_iter().enumerate() {
            let Some(list) = item.get("manifests") else {
                // `manifets: [...]` is a misspelt manifests entry, not a workload.
                if let Node::Map(keys) = &item.node
                    && item.get("kind").is_none()
                    && let Some((k, _)) = keys.iter().find(|(k, _)| {
                        crate::suggest::did_you_mean(&k.name, ["manifests"]).is_some()
                    })
                {
                    p.errors.push(error_at(
                        scenario_file,
                        &k.origin,
                        &format!("workloads[{i}]"),
                        format!("unknown field '{}'; did you mean 'manifests'?", k.name),
                    ));
                    continue;
                }
                expanded.push(item);
                continue;
            };
            any = true;
            let path = format!("workloads[{i}]");
            if let Node::Map(keys) = &item.node {
                for (k, _) in keys {
                    if k.name != "manifests" && k.name != "job_duration" {
                        let hint = crate::suggest::did_you_mean(&k.name, ["job_duration"])
                            .map(|s| format!("; did you mean '{s}'?"))
                            .unwrap_or_default();
                        p.errors.push(error_at(
                            scenario_file,
                            &k.origin,
                            &path,
                            format!(
                                "unknown field '{}' next to manifests; expected only manifests and job_duration{hint}",
                                k.name
                            ),
                        ));
                    }
                }
            }
            let objects = read_objects(
                list,
                &format!("{path}.manifests"),
                scenario_file,
                base_dir,
                &mut p,
                inputs,
            );
            let got = translate(&objects, item.get("job_duration"), &catalog, &mut p);
            let list_path = format!("{path}.manifests");
            p.notes
                .extend(got.skipped_note(scenario_file, list, &list_path));
            expanded.extend(got.workloads);
            imported.priority_classes.extend(got.priority_classes);
            imported.quotas.extend(got.quotas);
            imported.pools.extend(got.pools);
            imported.node_pools.extend(got.node_pools);
            merge_zones(&mut imported.zones, got.zones);
        }
        *items = expanded;
    }
    // Node lists.
    if let Node::Map(entries) = &mut root.node
        && let Some((_, cluster)) = entries.iter_mut().find(|(k, _)| k.name == "cluster")
        && let Node::Map(cluster_entries) = &mut cluster.node
        && let Some(at) = cluster_entries.iter().position(|(k, _)| k.name == "nodes")
    {
        any = true;
        let (_, nodes) = cluster_entries.remove(at);
        match nodes.get("manifests") {
            Some(list) => {
                if let Node::Map(keys) = &nodes.node {
                    for (k, _) in keys.iter().filter(|(k, _)| k.name != "manifests") {
                        p.errors.push(error_at(
                            scenario_file,
                            &k.origin,
                            "cluster.nodes",
                            format!("unknown field '{}'; expected manifests", k.name),
                        ));
                    }
                }
                let objects =
                    read_objects(list, "cluster.nodes.manifests", scenario_file, base_dir, &mut p, inputs);
                let got = translate(&objects, None, &catalog, &mut p);
                p.notes
                    .extend(got.skipped_note(scenario_file, list, "cluster.nodes.manifests"));
                if !got.workloads.is_empty() {
                    p.errors.push(error_at(
                        scenario_file,
                        &list.origin,
                        "cluster.nodes.manifests",
                        "these manifests hold workloads; list them under workloads instead",
                    ));
                }
                imported.pools.extend(got.pools);
                merge_zones(&mut imported.zones, got.zones);
            }
            None => p.errors.push(error_at(
                scenario_file,
                &nodes.origin,
                "cluster.nodes",
                "expected {manifests: nodes.yaml} (a Node list, as kubectl get nodes -o yaml writes)",
            )),
        }
    }
    if !imported.node_pools.is_empty()
        && let Some(a) = root.get("autoscaler")
        && let Some(kind) = a.get("kind").and_then(|k| k.node.scalar_text())
        && kind != "karpenter"
    {
        p.errors.push(error_at(
            scenario_file,
            &a.origin,
            "autoscaler",
            format!(
                "the manifests hold Karpenter NodePools, but the scenario's autoscaler is {kind}"
            ),
        ));
    }
    if any {
        attach(root, imported);
    }
    // By file and position; the scenario's own errors (no manifest) first.
    p.errors.sort_by(|a, b| {
        (a.file != scenario_file, &a.file, a.line, a.column).cmp(&(
            b.file != scenario_file,
            &b.file,
            b.line,
            b.column,
        ))
    });
    errors.extend(p.errors);
    notes.extend(p.notes);
}

/// Kubernetes' own priority classes, for workloads that name them (kube-system manifests do)
/// where neither the scenario nor the manifests define them.
fn system_classes(
    entries: &[(LocatedKey, Located)],
    imported: &[Located],
    origin: &Origin,
) -> Vec<Located> {
    let named = |node: Option<&Located>, name: &str| -> bool {
        matches!(node.map(|l| &l.node), Some(Node::Seq(items))
            if items.iter().any(|i| i.get("name").and_then(|n| n.node.scalar_text()).as_deref() == Some(name)))
    };
    let root_get = |key: &str| entries.iter().find(|(k, _)| k.name == key).map(|(_, v)| v);
    let referenced = |name: &str| {
        matches!(root_get("workloads").map(|w| &w.node), Some(Node::Seq(items))
            if items.iter().any(|w| w.get("priority_class_name").and_then(|n| n.node.scalar_text()).as_deref() == Some(name)))
    };
    let imported_list = Located::new(Node::Seq(imported.to_vec()), origin.clone());
    let mut out = Vec::new();
    for (name, value) in [
        ("system-cluster-critical", 2_000_000_000),
        ("system-node-critical", 2_000_001_000),
    ] {
        if referenced(name)
            && !named(root_get("priority_classes"), name)
            && !named(Some(&imported_list), name)
        {
            let key = |k: &str| LocatedKey {
                name: k.to_string(),
                origin: origin.clone(),
            };
            out.push(Located::new(
                Node::Map(vec![
                    (
                        key("name"),
                        Located::new(Node::Str(name.into()), origin.clone()),
                    ),
                    (key("value"), Located::new(Node::Int(value), origin.clone())),
                ]),
                origin.clone(),
            ));
        }
    }
    out
}

/// The catalog NodePools choose instance types from: the scenario's `instance_types.path`,
/// else the bundled one (a catalog that cannot be read is reported by the scenario parser).
fn catalog_of(
    root: &Located,
    base_dir: Option<&Path>,
) -> Vec<crate::scenario::instance_types::InstanceType> {
    use crate::scenario::instance_types;
    let path = root
        .get("instance_types")
        .and_then(|t| t.get("path"))
        .and_then(|p| p.node.scalar_text());
    match path {
        Some(p) => {
            let full = base_dir.map_or_else(|| PathBuf::from(&p), |d| d.join(&p));
            instance_types::load(&full).unwrap_or_default()
        }
        None => instance_types::bundled(),
    }
}

fn merge_zones(into: &mut Vec<String>, zones: Vec<String>) {
    for z in zones {
        if !into.contains(&z) {
            into.push(z);
        }
    }
}

/// Adds the imported top-level entries to the tree: priority classes and quotas after any the
/// file lists, pools after its pools, and zones the pools use to the cluster's zones.
fn attach(root: &mut Located, imported: Imported) {
    let origin = root.origin.clone();
    let Node::Map(entries) = &mut root.node else {
        return;
    };
    let append = |entries: &mut Vec<(LocatedKey, Located)>, key: &str, items: Vec<Located>| {
        if items.is_empty() {
            return;
        }
        match entries.iter_mut().find(|(k, _)| k.name == key) {
            Some((
                _,
                Located {
                    node: Node::Seq(list),
                    ..
                },
            )) => list.extend(items),
            Some(_) => {} // not a list: the scenario parser reports it
            None => entries.push((
                LocatedKey {
                    name: key.to_string(),
                    origin: origin.clone(),
                },
                Located::new(Node::Seq(items), origin.clone()),
            )),
        }
    };
    let mut classes = imported.priority_classes;
    classes.extend(system_classes(entries, &classes, &origin));
    append(entries, "priority_classes", classes);
    append(entries, "quotas", imported.quotas);
    if !imported.node_pools.is_empty() {
        if !entries.iter().any(|(k, _)| k.name == "autoscaler") {
            let kind = (
                LocatedKey {
                    name: "kind".into(),
                    origin: origin.clone(),
                },
                Located::new(Node::Str("karpenter".into()), origin.clone()),
            );
            entries.push((
                LocatedKey {
                    name: "autoscaler".into(),
                    origin: origin.clone(),
                },
                Located::new(Node::Map(vec![kind]), origin.clone()),
            ));
        }
        if let Some((_, a)) = entries.iter_mut().find(|(k, _)| k.name == "autoscaler")
            && let Node::Map(a_entries) = &mut a.node
        {
            append(a_entries, "node_pools", imported.node_pools);
        }
    }
    if imported.pools.is_empty() {
        return;
    }
    let cluster = match entries.iter().position(|(k, _)| k.name == "cluster") {
        Some(i) => &mut entries[i].1,
        None => {
            entries.push((
                LocatedKey {
                    name: "cluster".into(),
                    origin: origin.clone(),
                },
                Located::new(Node::Map(Vec::new()), origin.clone()),
            ));
            &mut entries.last_mut().expect("just pushed").1
        }
    };
    let Node::Map(cluster_entries) = &mut cluster.node else {
        return;
    };
    if !imported.zones.is_empty() {
        let zone_nodes = |zones: &[String]| -> Vec<Located> {
            zones
                .iter()
                .map(|z| Located::new(Node::Str(z.clone()), origin.clone()))
                .collect()
        };
        match cluster_entries.iter_mut().find(|(k, _)| k.name == "zones") {
            Some((
                _,
                Located {
                    node: Node::Seq(list),
                    ..
                },
            )) => {
                let have: Vec<String> = list.iter().filter_map(|z| z.node.scalar_text()).collect();
                let new: Vec<String> = imported
                    .zones
                    .iter()
                    .filter(|z| !have.contains(z))
                    .cloned()
                    .collect();
                list.extend(zone_nodes(&new));
            }
            Some(_) => {}
            None => cluster_entries.insert(
                0,
                (
                    LocatedKey {
                        name: "zones".into(),
                        origin: origin.clone(),
                    },
                    Located::new(Node::Seq(zone_nodes(&imported.zones)), origin.clone()),
                ),
            ),
        }
    }
    append(cluster_entries, "pools", imported.pools);
}

/// A native node made at the scenario's own origin (for `import`'s skeleton).
pub fn here(node: Node) -> Located {
    Located::new(node, Origin::File { line: 0, column: 0 })
}
