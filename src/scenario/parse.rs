//! Walks the located YAML tree into a validated [`Scenario`].
//!
//! Every problem is recorded and the walk goes on, so one run reports all of them. A field that
//! fails gets a placeholder value; the result is thrown away whenever any error was recorded, so
//! placeholders never reach the simulator. Which fields exist, which are required and their
//! limits come from the tables in `fields.rs`, shared with the JSON Schema.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

use super::error::InputError;
use super::fields::{self, FieldSpec, Ty};
use super::model::*;
use super::trace::{TraceLoadError, load_trace};
use super::yaml::{Located, LocatedKey, Node, Origin, error_at};
use crate::dist::DurationDist;
use crate::quantity::{Resources, parse_count, parse_cpu, parse_memory};
use crate::suggest::did_you_mean;
use crate::time::{SimDuration, SimTime, parse_duration};

/// Policy names come from the scheduler registry, so a new policy is accepted everywhere at once.
pub use crate::scheduler::POLICY_NAMES as KNOWN_POLICIES;

const DEFAULT_SEED: u64 = 1;
const DEFAULT_SAMPLE_INTERVAL: SimDuration = SimDuration(60_000);
const DEFAULT_MAX_PODS: u32 = 110;

/// State of one parse: where errors go and where relative paths start.
pub(crate) struct Ctx<'a> {
    pub file: &'a str,
    pub base_dir: Option<&'a Path>,
    pub errors: Vec<InputError>,
}

impl Ctx<'_> {
    fn err(&mut self, origin: &Origin, path: &str, message: impl fmt::Display) {
        self.errors.push(error_at(self.file, origin, path, message));
    }
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

fn index(path: &str, i: usize) -> String {
    format!("{path}[{i}]")
}

/// How a value reads in "found ..." (strings quoted and cut short).
fn found(node: &Node) -> String {
    match node {
        Node::Str(s) if s.chars().count() > 40 => {
            format!("the string '{}…'", s.chars().take(40).collect::<String>())
        }
        Node::Str(s) => format!("the string '{s}'"),
        Node::Int(i) => i.to_string(),
        Node::Float(x) => format!("{x:?}"),
        Node::Bool(b) => b.to_string(),
        other => other.kind().to_string(),
    }
}

fn list_names<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    names.into_iter().collect::<Vec<_>>().join(", ")
}

/// What a value of type `ty` looks like, for "expected ..." messages.
pub(crate) fn expected(ty: &Ty) -> String {
    match ty {
        Ty::Str => "a string".into(),
        Ty::Name => "a non-empty string".into(),
        Ty::Enum(names) => format!("one of {}", list_names(names.iter().copied())),
        Ty::Duration => "a duration such as 90s or 1h30m".into(),
        Ty::Dist => {
            "a duration such as 10m or a distribution such as {exponential: {mean: 10m}}".into()
        }
        Ty::Cpu => "a cpu quantity such as 500m or 2".into(),
        Ty::Memory => "a memory quantity such as 512Mi or 1Gi".into(),
        Ty::Gpu => "a whole number of GPUs".into(),
        Ty::UInt { .. } => "a whole number".into(),
        Ty::Int32 => "a whole number".into(),
        Ty::Bool => "true or false".into(),
        Ty::Number { .. } => "a number".into(),
        Ty::NameList { .. } => "a list of names".into(),
        Ty::StrMap => "a mapping of names to values".into(),
        Ty::Object(fields) => format!(
            "a mapping with fields {}",
            list_names(fields.iter().map(|f| f.name))
        ),
        Ty::List(_) => "a list".into(),
        Ty::Share => "a fraction such as 0.3 or {uniform: {min: 0.2, max: 0.6}}".into(),
    }
}

fn type_error(cx: &mut Ctx, v: &Located, path: &str, ty: &Ty) {
    cx.err(
        &v.origin,
        path,
        format!("expected {}, found {}", expected(ty), found(&v.node)),
    );
}

/// A mapping being read against its field table. Unknown keys are reported on opening.
struct Obj<'n> {
    entries: &'n [(LocatedKey, Located)],
    origin: &'n Origin,
    path: String,
    fields: &'static [FieldSpec],
    /// The workload kind, for kind-specific fields.
    kind: Option<&'static str>,
}

fn valid_for(spec: &FieldSpec, kind: Option<&str>) -> bool {
    spec.kinds.is_empty() || kind.is_none_or(|k| spec.kinds.contains(&k))
}

fn open<'n>(
    cx: &mut Ctx,
    node: &'n Located,
    path: &str,
    fields: &'static [FieldSpec],
    kind: Option<&'static str>,
) -> Option<Obj<'n>> {
    let Node::Map(entries) = &node.node else {
        type_error(cx, node, path, &Ty::Object(fields));
        return None;
    };
    for (key, _) in entries {
        match fields.iter().find(|f| f.name == key.name) {
            Some(spec) if !valid_for(spec, kind) => cx.err(
                &key.origin,
                path,
                format!(
                    "field '{}' is not valid for kind {} (only for {})",
                    key.name,
                    kind.unwrap_or_default(),
                    list_names(spec.kinds.iter().copied())
                ),
            ),
            Some(_) => {}
            None => {
                let allowed: Vec<&str> = fields
                    .iter()
                    .filter(|f| valid_for(f, kind))
                    .map(|f| f.name)
                    .collect();
                let mut message = format!(
                    "unknown field '{}', expected one of {}",
                    key.name,
                    list_names(allowed.iter().copied())
                );
                if let Some(s) = did_you_mean(&key.name, allowed.iter().copied()) {
                    message.push_str(&format!("; did you mean '{s}'?"));
                }
                cx.err(&key.origin, path, message);
            }
        }
    }
    Some(Obj {
        entries,
        origin: &node.origin,
        path: path.to_string(),
        fields,
        kind,
    })
}

impl<'n> Obj<'n> {
    fn spec(&self, name: &str) -> &'static FieldSpec {
        fields::spec(self.fields, name)
    }

    /// The value of `name` and its path; `None` when absent, null or invalid for the kind.
    /// A missing required field is reported here.
    fn value(&self, cx: &mut Ctx, name: &str) -> Option<(&'n Located, String)> {
        let spec = self.spec(name);
        if !valid_for(spec, self.kind) {
            return None;
        }
        let entry = self.entries.iter().find(|(k, _)| k.name == name);
        match entry {
            Some((_, v)) if v.node != Node::Null => Some((v, join(&self.path, name))),
            Some((k, _)) => {
                if spec.required {
                    cx.err(
                        &k.origin,
                        &self.path,
                        format!("required field '{name}' has no value"),
                    );
                }
                None
            }
            None => {
                if spec.required && (self.kind.is_some() || spec.kinds.is_empty()) {
                    cx.err(
                        self.origin,
                        &self.path,
                        format!("missing required field '{name}'"),
                    );
                }
                None
            }
        }
    }

    fn string(&self, cx: &mut Ctx, name: &str) -> Option<String> {
        let (v, path) = self.value(cx, name)?;
        read_string(cx, v, &path, &self.spec(name).ty)
    }

    fn enumerated(&self, cx: &mut Ctx, name: &str) -> Option<&'static str> {
        let (v, path) = self.value(cx, name)?;
        let Ty::Enum(names) = self.spec(name).ty else {
            unreachable!("field '{name}' is not an enum")
        };
        read_enum(cx, v, &path, names)
    }

    fn uint(&self, cx: &mut Ctx, name: &str) -> Option<u64> {
        let (v, path) = self.value(cx, name)?;
        let Ty::UInt { max } = self.spec(name).ty else {
            unreachable!("field '{name}' is not an unsigned integer")
        };
        read_uint(cx, v, &path, max)
    }

    fn int32(&self, cx: &mut Ctx, name: &str) -> Option<i32> {
        let (v, path) = self.value(cx, name)?;
        match v.node {
            Node::Int(i) => match i32::try_from(i) {
                Ok(i) => Some(i),
                Err(_) => {
                    cx.err(
                        &v.origin,
                        &path,
                        format!(
                            "{i} is out of range; expected a whole number between {} and {}",
                            i32::MIN,
                            i32::MAX
                        ),
                    );
                    None
                }
            },
            _ => {
                type_error(cx, v, &path, &Ty::Int32);
                None
            }
        }
    }

    fn boolean(&self, cx: &mut Ctx, name: &str) -> Option<bool> {
        let (v, path) = self.value(cx, name)?;
        match v.node {
            Node::Bool(b) => Some(b),
            _ => {
                type_error(cx, v, &path, &Ty::Bool);
                None
            }
        }
    }

    fn number(&self, cx: &mut Ctx, name: &str) -> Option<f64> {
        let (v, path) = self.value(cx, name)?;
        let ty = &self.spec(name).ty;
        let Ty::Number {
            min,
            min_inclusive,
            max,
        } = *ty
        else {
            unreachable!("field '{name}' is not a number")
        };
        let x = match v.node {
            Node::Int(i) => i as f64,
            Node::Float(x) if x.is_finite() => x,
            _ => {
                type_error(cx, v, &path, ty);
                return None;
            }
        };
        let problem = if min_inclusive && x < min {
            Some(format!("must be at least {min}, found {x}"))
        } else if !min_inclusive && x <= min {
            Some(format!("must be greater than {min}, found {x}"))
        } else if x > max {
            Some(format!("{x} is absurdly large; the limit is {max}"))
        } else {
            None
        };
        match problem {
            Some(p) => {
                cx.err(&v.origin, &path, p);
                None
            }
            None => Some(x),
        }
    }

    fn duration(&self, cx: &mut Ctx, name: &str) -> Option<SimDuration> {
        let (v, path) = self.value(cx, name)?;
        read_duration(cx, v, &path)
    }

    fn dist(&self, cx: &mut Ctx, name: &str) -> Option<DurationDist> {
        let (v, path) = self.value(cx, name)?;
        read_dist(cx, v, &path)
    }

    fn quantity(&self, cx: &mut Ctx, name: &str) -> Option<u64> {
        let (v, path) = self.value(cx, name)?;
        let ty = &self.spec(name).ty;
        let parser: fn(&str) -> Result<u64, String> = match ty {
            Ty::Cpu => parse_cpu,
            Ty::Memory => parse_memory,
            Ty::Gpu => parse_count,
            _ => unreachable!("field '{name}' is not a quantity"),
        };
        let text = match &v.node {
            Node::Str(s) => s.clone(),
            Node::Int(i) => i.to_string(),
            Node::Float(x) if x.is_finite() => x.to_string(),
            _ => {
                type_error(cx, v, &path, ty);
                return None;
            }
        };
        match parser(&text) {
            Ok(q) => Some(q),
            Err(e) => {
                cx.err(&v.origin, &path, e);
                None
            }
        }
    }

    /// A list of unique non-empty names, each with its node (for later error locations).
    fn name_list(&self, cx: &mut Ctx, name: &str) -> Option<Vec<(String, &'n Located)>> {
        let (v, path) = self.value(cx, name)?;
        let Ty::NameList { max_items } = self.spec(name).ty else {
            unreachable!("field '{name}' is not a name list")
        };
        let Node::Seq(items) = &v.node else {
            type_error(cx, v, &path, &self.spec(name).ty);
            return None;
        };
        if items.len() > max_items {
            cx.err(
                &v.origin,
                &path,
                format!(
                    "{} entries is absurdly many; the limit is {max_items}",
                    items.len()
                ),
            );
            return None;
        }
        let mut out: Vec<(String, &'n Located)> = Vec::with_capacity(items.len());
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            let item_path = index(&path, i);
            match read_string(cx, item, &item_path, &Ty::Name) {
                Some(s) if out.iter().any(|(o, _)| *o == s) => {
                    cx.err(&item.origin, &item_path, format!("'{s}' is listed twice"));
                    ok = false;
                }
                Some(s) => out.push((s, item)),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn str_map(&self, cx: &mut Ctx, name: &str) -> Option<BTreeMap<String, String>> {
        let (v, path) = self.value(cx, name)?;
        let Node::Map(entries) = &v.node else {
            type_error(cx, v, &path, &Ty::StrMap);
            return None;
        };
        let mut out = BTreeMap::new();
        for (key, value) in entries {
            let entry_path = join(&path, &key.name);
            if key.name.is_empty() {
                cx.err(&key.origin, &path, "keys must not be empty");
                continue;
            }
            // Label values are strings, but `version: 2` or `gpu: true` mean the obvious text.
            match value.node.scalar_text() {
                Some(text) => {
                    out.insert(key.name.clone(), text);
                }
                None => cx.err(
                    &value.origin,
                    &entry_path,
                    format!("expected a string value, found {}", found(&value.node)),
                ),
            }
        }
        Some(out)
    }

    /// The items of a list field with their paths; empty when absent or invalid.
    fn list(&self, cx: &mut Ctx, name: &str) -> Option<(&'n Located, Vec<(&'n Located, String)>)> {
        let (v, path) = self.value(cx, name)?;
        let Node::Seq(items) = &v.node else {
            type_error(cx, v, &path, &self.spec(name).ty);
            return None;
        };
        let items = items
            .iter()
            .enumerate()
            .map(|(i, item)| (item, index(&path, i)))
            .collect();
        Some((v, items))
    }

    /// Opens a nested object field.
    fn object(&self, cx: &mut Ctx, name: &str) -> Option<Obj<'n>> {
        let (v, path) = self.value(cx, name)?;
        let Ty::Object(fields) = self.spec(name).ty else {
            unreachable!("field '{name}' is not an object")
        };
        open(cx, v, &path, fields, None)
    }
}

fn read_string(cx: &mut Ctx, v: &Located, path: &str, ty: &Ty) -> Option<String> {
    match &v.node {
        Node::Str(s) if s.is_empty() && matches!(ty, Ty::Name) => {
            cx.err(&v.origin, path, "must not be empty");
            None
        }
        Node::Str(s) => Some(s.clone()),
        _ => {
            type_error(cx, v, path, ty);
            None
        }
    }
}

fn read_enum(
    cx: &mut Ctx,
    v: &Located,
    path: &str,
    names: &'static [&'static str],
) -> Option<&'static str> {
    let Node::Str(s) = &v.node else {
        type_error(cx, v, path, &Ty::Enum(names));
        return None;
    };
    if let Some(n) = names.iter().find(|n| **n == s.as_str()) {
        return Some(n);
    }
    let mut message = format!(
        "unknown value '{s}', expected one of {}",
        list_names(names.iter().copied())
    );
    if let Some(m) = did_you_mean(s, names.iter().copied()) {
        message.push_str(&format!("; did you mean '{m}'?"));
    }
    cx.err(&v.origin, path, message);
    None
}

fn read_uint(cx: &mut Ctx, v: &Located, path: &str, max: u64) -> Option<u64> {
    let problem = match v.node {
        Node::Int(i) if i < 0 => format!("must not be negative, found {i}"),
        Node::Int(i) => match u64::try_from(i) {
            Ok(n) if n <= max => return Some(n),
            _ => format!("{i} is absurdly large; the limit is {max}"),
        },
        _ => format!(
            "expected {}, found {}",
            expected(&Ty::UInt { max }),
            found(&v.node)
        ),
    };
    cx.err(&v.origin, path, problem);
    None
}

fn read_duration(cx: &mut Ctx, v: &Located, path: &str) -> Option<SimDuration> {
    match &v.node {
        Node::Str(s) => match parse_duration(s) {
            Ok(d) => Some(d),
            Err(e) => {
                cx.err(&v.origin, path, e);
                None
            }
        },
        // Zero needs no unit.
        Node::Int(0) => Some(SimDuration::ZERO),
        Node::Int(i) => {
            cx.err(
                &v.origin,
                path,
                format!(
                    "expected {}, found {i} (add a unit, e.g. {i}s or {i}m)",
                    expected(&Ty::Duration)
                ),
            );
            None
        }
        _ => {
            type_error(cx, v, path, &Ty::Duration);
            None
        }
    }
}

fn read_dist(cx: &mut Ctx, v: &Located, path: &str) -> Option<DurationDist> {
    if !matches!(v.node, Node::Map(_)) {
        if matches!(v.node, Node::Str(_) | Node::Int(_)) {
            return read_duration(cx, v, path).map(DurationDist::Constant);
        }
        type_error(cx, v, path, &Ty::Dist);
        return None;
    }
    let obj = open(cx, v, path, fields::DIST, None)?;
    if obj.entries.len() != 1 {
        cx.err(
            &v.origin,
            path,
            format!(
                "a distribution has exactly one of {}, found {} keys",
                list_names(fields::DIST.iter().map(|f| f.name)),
                obj.entries.len()
            ),
        );
        return None;
    }
    if let Some(o) = obj.object(cx, "exponential") {
        return Some(DurationDist::Exponential {
            mean: o.duration(cx, "mean")?,
        });
    }
    if let Some(o) = obj.object(cx, "lognormal") {
        let median = o.duration(cx, "median");
        let sigma = o.number(cx, "sigma");
        return Some(DurationDist::LogNormal {
            median: median?,
            sigma: sigma?,
        });
    }
    if let Some(o) = obj.object(cx, "uniform") {
        let (min, max) = (o.duration(cx, "min")?, o.duration(cx, "max")?);
        if min > max {
            cx.err(
                &v.origin,
                path,
                format!("uniform min {min} is greater than max {max}"),
            );
            return None;
        }
        return Some(DurationDist::Uniform { min, max });
    }
    None
}

/// Walks the whole document. The result is meaningful only when `cx.errors` stays empty.
pub(crate) fn parse_scenario(root: &Located, cx: &mut Ctx) -> Option<Scenario> {
    let top = open(cx, root, "", fields::SCENARIO, None)?;
    let name = top.string(cx, "name").unwrap_or_default();
    check_name_is_a_file_name(cx, &top, &name);
    let seed = top.uint(cx, "seed").unwrap_or(DEFAULT_SEED);
    let duration = top.duration(cx, "duration");
    let sample_interval = top.duration(cx, "sample_interval");
    check_sampling(cx, &top, duration, sample_interval);

    let cluster = match top.object(cx, "cluster") {
        Some(obj) => parse_cluster(cx, &obj),
        None => ClusterSpec {
            zones: vec![],
            pools: vec![],
            pool_failures: vec![],
        },
    };
    let scheduler_obj = top.object(cx, "scheduler");
    let scheduler = parse_scheduler(cx, scheduler_obj);
    let priority_classes = parse_priority_classes(cx, &top);
    let quotas = parse_quotas(cx, &top);
    let workloads = parse_workloads(cx, &top, &priority_classes);
    if let Some(d) = duration {
        check_expected_pods(cx, &top, d, &workloads);
    }
    let events = parse_events(cx, &top, &cluster.zones);
    let variants = parse_variants(cx, &top);

    Some(Scenario {
        name,
        seed,
        duration: duration.unwrap_or_default(),
        sample_interval: sample_interval.unwrap_or(DEFAULT_SAMPLE_INTERVAL),
        cluster,
        scheduler,
        workloads,
        events,
        variants,
        priority_classes,
        quotas,
        source: None,
    })
}

fn parse_priority_classes(cx: &mut Ctx, top: &Obj) -> Vec<PriorityClass> {
    let mut out: Vec<PriorityClass> = Vec::new();
    let Some((list_node, items)) = top.list(cx, "priority_classes") else {
        return out;
    };
    if items.len() > fields::MAX_PRIORITY_CLASSES {
        cx.err(
            &list_node.origin,
            "priority_classes",
            format!(
                "{} classes is absurdly many; the limit is {}",
                items.len(),
                fields::MAX_PRIORITY_CLASSES
            ),
        );
        return out;
    }
    let mut default_seen: Option<String> = None;
    for (item, path) in items {
        let Some(o) = open(cx, item, &path, fields::PRIORITY_CLASS, None) else {
            continue;
        };
        let name = o.string(cx, "name");
        let value = o.int32(cx, "value");
        let default = o.boolean(cx, "default").unwrap_or(false);
        let preemption_policy = o
            .enumerated(cx, "preemption_policy")
            .and_then(PreemptionPolicy::parse)
            .unwrap_or_default();
        let (Some(name), Some(value)) = (name, value) else {
            continue;
        };
        if out.iter().any(|c| c.name == name) {
            if let Some((v, p)) = o.value(cx, "name") {
                cx.err(&v.origin, &p, format!("duplicate priority class '{name}'"));
            }
            continue;
        }
        if default {
            if let Some(first) = &default_seen
                && let Some((v, p)) = o.value(cx, "default")
            {
                cx.err(
                    &v.origin,
                    &p,
                    format!("only one priority class may be the default; '{first}' already is"),
                );
            }
            default_seen.get_or_insert_with(|| name.clone());
        }
        out.push(PriorityClass {
            name,
            value,
            default,
            preemption_policy,
        });
    }
    out
}

fn parse_quotas(cx: &mut Ctx, top: &Obj) -> Vec<QuotaSpec> {
    let mut out: Vec<QuotaSpec> = Vec::new();
    let Some((_, items)) = top.list(cx, "quotas") else {
        return out;
    };
    for (item, path) in items {
        let Some(o) = open(cx, item, &path, fields::QUOTA, None) else {
            continue;
        };
        let Some(namespace) = o.string(cx, "namespace") else {
            continue;
        };
        if out.iter().any(|q| q.namespace == namespace) {
            if let Some((v, p)) = o.value(cx, "namespace") {
                cx.err(
                    &v.origin,
                    &p,
                    format!("namespace '{namespace}' has a quota already"),
                );
            }
            continue;
        }
        out.push(QuotaSpec {
            namespace,
            cpu_m: o.quantity(cx, "cpu"),
            memory: o.quantity(cx, "memory"),
            gpu: o.quantity(cx, "gpu"),
            pods: o.uint(cx, "pods"),
        });
    }
    out
}

/// The name becomes the default output directory `results/<name>/`, so it must be a plain file
/// name: no path separators, not `.` or `..`.
fn check_name_is_a_file_name(cx: &mut Ctx, top: &Obj, name: &str) {
    let plain = name
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !name.is_empty()
        && (!plain || name == "." || name == "..")
        && let Some((_, v)) = top.entries.iter().find(|(k, _)| k.name == "name")
    {
        cx.err(
            &v.origin,
            "name",
            format!(
                "'{name}' cannot name the output directory; use letters, digits, '-', '_' and '.' (e.g. spot-vs-reserved)"
            ),
        );
    }
}

/// Refuses runs that would create an absurd number of pods (every pod is kept for reporting).
fn check_expected_pods(cx: &mut Ctx, top: &Obj, duration: SimDuration, workloads: &[WorkloadSpec]) {
    let hours = duration.as_hours_f64();
    let expected: f64 = workloads
        .iter()
        .map(|w| match &w.kind {
            WorkloadKind::Batch {
                poisson_per_hour,
                limit,
                start,
                ..
            } => {
                let mean = poisson_per_hour * (hours - start.as_hours_f64()).max(0.0);
                limit.map_or(mean, |l| mean.min(l as f64))
            }
            WorkloadKind::Deployment { replicas, .. } => f64::from(*replicas),
            WorkloadKind::Trace { rows, .. } => rows.len() as f64,
        })
        .sum();
    if expected > fields::MAX_EXPECTED_PODS
        && let Some((_, v)) = top.entries.iter().find(|(k, _)| k.name == "workloads")
    {
        cx.err(
            &v.origin,
            "workloads",
            format!(
                "about {expected:.0} pods would be created over {duration}; the limit is {:.0}: lower the arrival rates, set a `limit`, or shorten the run",
                fields::MAX_EXPECTED_PODS
            ),
        );
    }
}

/// The run must be longer than zero and not produce an absurd number of samples.
fn check_sampling(
    cx: &mut Ctx,
    top: &Obj,
    duration: Option<SimDuration>,
    sample_interval: Option<SimDuration>,
) {
    let at = |name: &str| {
        top.entries
            .iter()
            .find(|(k, _)| k.name == name)
            .map(|(_, v)| (v.origin.clone(), join("", name)))
    };
    if duration == Some(SimDuration::ZERO)
        && let Some((origin, path)) = at("duration")
    {
        cx.err(&origin, &path, "must be longer than 0s");
    }
    if sample_interval == Some(SimDuration::ZERO)
        && let Some((origin, path)) = at("sample_interval")
    {
        cx.err(&origin, &path, "must be longer than 0s");
        return;
    }
    if let Some(d) = duration {
        let interval = sample_interval.unwrap_or(DEFAULT_SAMPLE_INTERVAL);
        let rows = d.0 / interval.0.max(1);
        if rows > fields::MAX_SAMPLE_ROWS {
            let (origin, path) = at("sample_interval")
                .or_else(|| at("duration"))
                .unwrap_or((top.origin.clone(), String::new()));
            cx.err(
                &origin,
                &path,
                format!(
                    "sampling {d} every {interval} gives {rows} rows; the limit is {}, so use a longer sample_interval",
                    fields::MAX_SAMPLE_ROWS
                ),
            );
        }
    }
}

fn parse_cluster(cx: &mut Ctx, obj: &Obj) -> ClusterSpec {
    let zone_list = obj.name_list(cx, "zones");
    let zones: Option<Vec<String>> = match zone_list {
        Some(list) if list.is_empty() => {
            if let Some((v, path)) = obj.value(cx, "zones") {
                cx.err(&v.origin, &path, "at least one zone is needed");
            }
            None
        }
        Some(list) => Some(list.into_iter().map(|(z, _)| z).collect()),
        // An explicitly given but invalid list was reported; don't check references to it.
        None if obj.entries.iter().any(|(k, _)| k.name == "zones") => None,
        None => Some(vec!["default".to_string()]),
    };

    let mut pools = Vec::new();
    let mut pool_failures = Vec::new();
    if let Some((list_node, items)) = obj.list(cx, "pools") {
        if items.is_empty() {
            cx.err(
                &list_node.origin,
                &join(&obj.path, "pools"),
                "at least one pool is needed",
            );
        }
        let mut seen: HashSet<String> = HashSet::new();
        let mut total_nodes: u64 = 0;
        for (item, path) in items {
            let Some(pool_obj) = open(cx, item, &path, fields::POOL, None) else {
                continue;
            };
            let pool = parse_pool(cx, &pool_obj, zones.as_deref());
            let capacity_type = pool.capacity_type;
            pool_failures.push(parse_pool_failures(
                cx,
                &pool_obj,
                capacity_type,
                zones.as_deref(),
            ));
            if !pool.name.is_empty()
                && !seen.insert(pool.name.clone())
                && let Some((v, p)) = pool_obj.value(cx, "name")
            {
                cx.err(
                    &v.origin,
                    &p,
                    format!("duplicate pool name '{}'", pool.name),
                );
            }
            total_nodes += u64::from(pool.count);
            pools.push(pool);
        }
        for (resource, total) in [
            (
                "cpu",
                pools
                    .iter()
                    .map(|p: &PoolSpec| p.count as u128 * p.node.cpu_m as u128)
                    .sum::<u128>(),
            ),
            (
                "memory",
                pools
                    .iter()
                    .map(|p| p.count as u128 * p.node.memory as u128)
                    .sum(),
            ),
            (
                "gpu",
                pools
                    .iter()
                    .map(|p| p.count as u128 * p.node.gpu as u128)
                    .sum(),
            ),
        ] {
            if total > fields::MAX_CLUSTER_RESOURCE {
                cx.err(
                    &list_node.origin,
                    &join(&obj.path, "pools"),
                    format!("the pools hold an absurd amount of {resource} in all (count × node summed over pools)"),
                );
            }
        }
        if total_nodes > fields::MAX_TOTAL_NODES {
            cx.err(
                &list_node.origin,
                &join(&obj.path, "pools"),
                format!(
                    "{total_nodes} nodes in all is absurdly many; the limit is {}",
                    fields::MAX_TOTAL_NODES
                ),
            );
        }
    }
    ClusterSpec {
        zones: zones.unwrap_or_default(),
        pools,
        pool_failures,
    }
}

fn parse_pool(cx: &mut Ctx, obj: &Obj, cluster_zones: Option<&[String]>) -> PoolSpec {
    let name = obj.string(cx, "name").unwrap_or_default();
    let capacity_type = obj
        .enumerated(cx, "capacity_type")
        .and_then(CapacityType::parse)
        .unwrap_or(CapacityType::OnDemand);
    let (node, max_pods) = match obj.object(cx, "node") {
        Some(n) => {
            let cpu_m = n.quantity(cx, "cpu").unwrap_or_default();
            let memory = n.quantity(cx, "memory").unwrap_or_default();
            let gpu = n.quantity(cx, "gpu").unwrap_or_default();
            // Bounded by the field table, far below u32::MAX.
            let pods = n
                .uint(cx, "pods")
                .map_or(DEFAULT_MAX_PODS, |p| u32::try_from(p).unwrap_or(u32::MAX));
            (Resources::new(cpu_m, memory, gpu), pods)
        }
        None => (Resources::ZERO, DEFAULT_MAX_PODS),
    };
    let price_per_hour = obj.number(cx, "price_per_hour").unwrap_or(0.0);
    let count = obj
        .uint(cx, "count")
        .map_or(0, |c| u32::try_from(c).unwrap_or(u32::MAX));

    let zones = match (obj.name_list(cx, "zones"), cluster_zones) {
        (Some(list), Some(all)) => {
            let mut indices = Vec::with_capacity(list.len());
            for (i, (zone, node)) in list.iter().enumerate() {
                match all.iter().position(|z| z == zone) {
                    Some(ix) => indices.push(ix),
                    None => {
                        let mut message = format!(
                            "unknown zone '{zone}'; the cluster's zones are {}",
                            list_names(all.iter().map(String::as_str))
                        );
                        if let Some(s) = did_you_mean(zone, all.iter().map(String::as_str)) {
                            message.push_str(&format!("; did you mean '{s}'?"));
                        }
                        cx.err(&node.origin, &index(&join(&obj.path, "zones"), i), message);
                    }
                }
            }
            if list.is_empty()
                && let Some((v, path)) = obj.value(cx, "zones")
            {
                cx.err(
                    &v.origin,
                    &path,
                    "at least one zone is needed (omit the field for all zones)",
                );
            }
            indices
        }
        (None, Some(all)) => (0..all.len()).collect(),
        (_, None) => vec![],
    };

    let labels = obj.str_map(cx, "labels").unwrap_or_default();
    let mut taints = Vec::new();
    if let Some((_, items)) = obj.list(cx, "taints") {
        for (item, path) in items {
            let Some(t) = open(cx, item, &path, fields::TAINT, None) else {
                continue;
            };
            let key = t.string(cx, "key");
            let value = t.string(cx, "value").unwrap_or_default();
            let effect = t.enumerated(cx, "effect").and_then(TaintEffect::parse);
            if let (Some(key), Some(effect)) = (key, effect) {
                taints.push(Taint { key, value, effect });
            }
        }
    }
    let provisioning_delay = obj
        .dist(cx, "provisioning_delay")
        .unwrap_or(DurationDist::Constant(SimDuration::ZERO));

    PoolSpec {
        name,
        capacity_type,
        node,
        max_pods,
        price_per_hour,
        count,
        zones,
        labels,
        taints,
        provisioning_delay,
    }
}

/// The zone index of a zone name, or an error naming the choices.
fn resolve_zone(
    cx: &mut Ctx,
    v: &Located,
    path: &str,
    name: &str,
    zones: &[String],
) -> Option<usize> {
    if let Some(ix) = zones.iter().position(|z| z == name) {
        return Some(ix);
    }
    let mut message = format!(
        "unknown zone '{name}'; the cluster's zones are {}",
        list_names(zones.iter().map(String::as_str))
    );
    if let Some(s) = did_you_mean(name, zones.iter().map(String::as_str)) {
        message.push_str(&format!("; did you mean '{s}'?"));
    }
    cx.err(&v.origin, path, message);
    None
}

fn resolve_path(cx: &Ctx, text: &str) -> PathBuf {
    match cx.base_dir {
        Some(dir) => dir.join(text),
        None => PathBuf::from(text),
    }
}

fn parse_pool_failures(
    cx: &mut Ctx,
    obj: &Obj,
    capacity_type: CapacityType,
    cluster_zones: Option<&[String]>,
) -> PoolFailures {
    let zones = cluster_zones.unwrap_or(&[]);
    let mut out = PoolFailures {
        replace: obj
            .enumerated(cx, "replace")
            .and_then(ReplacePolicy::parse)
            .unwrap_or(ReplacePolicy::OnNotice),
        ..PoolFailures::default()
    };
    if let Some(i) = obj.object(cx, "interruption") {
        if capacity_type != CapacityType::Spot
            && let Some((v, path)) = obj.value(cx, "interruption")
        {
            cx.err(
                &v.origin,
                &path,
                format!(
                    "interruptions are for capacity_type spot; this pool is {}",
                    capacity_type.as_str()
                ),
            );
        }
        let mean = i.duration(cx, "mean_time_between");
        let bucket = i.enumerated(cx, "frequency");
        if mean.is_some() && bucket.is_some() {
            cx.err(
                i.origin,
                &i.path,
                "give mean_time_between or frequency, not both",
            );
        }
        if mean == Some(SimDuration::ZERO)
            && let Some((v, path)) = i.value(cx, "mean_time_between")
        {
            cx.err(&v.origin, &path, "must be longer than 0s");
        }
        let mean_time_between = mean.or_else(|| bucket.and_then(frequency_bucket_mean));
        let notice = i
            .duration(cx, "notice")
            .unwrap_or(SimDuration::from_secs(120));
        let waves = i.object(cx, "waves").and_then(|w| {
            let mean = w.duration(cx, "mean_time_between");
            if mean == Some(SimDuration::ZERO)
                && let Some((v, path)) = w.value(cx, "mean_time_between")
            {
                cx.err(&v.origin, &path, "must be longer than 0s");
            }
            let share = w
                .value(cx, "share")
                .and_then(|(v, path)| read_share(cx, v, &path));
            Some(WaveSpec {
                mean_time_between: mean?,
                share: share?,
            })
        });
        let mut trace = Vec::new();
        if let Some(text) = i.string(cx, "trace") {
            let resolved = resolve_path(cx, &text);
            match super::pool_traces::load_reclaim_trace(&resolved, zones) {
                Ok(rows) => trace = rows,
                Err(errors) => cx.errors.extend(errors),
            }
        }
        out.interruption = Some(InterruptionSpec {
            mean_time_between,
            notice,
            waves,
            trace,
        });
    }
    out.mtbf = obj.duration(cx, "mtbf");
    if out.mtbf == Some(SimDuration::ZERO)
        && let Some((v, path)) = obj.value(cx, "mtbf")
    {
        cx.err(&v.origin, &path, "must be longer than 0s");
    }
    out.repair = obj.dist(cx, "repair");
    out.burn_in = obj.object(cx, "burn_in").and_then(|b| {
        let duration = b.dist(cx, "duration");
        let failure_probability = b.number(cx, "failure_probability").unwrap_or(0.0);
        Some(BurnInSpec {
            duration: duration?,
            failure_probability,
        })
    });
    if let Some((_, items)) = obj.list(cx, "unavailable") {
        for (item, path) in items {
            let Some(u) = open(cx, item, &path, fields::UNAVAILABLE, None) else {
                continue;
            };
            let zone = match u.value(cx, "zone") {
                Some((v, zpath)) => match read_string(cx, v, &zpath, &Ty::Name) {
                    Some(name) => match resolve_zone(cx, v, &zpath, &name, zones) {
                        Some(z) => Some(z),
                        None => continue,
                    },
                    None => continue,
                },
                None => None,
            };
            let at = u.duration(cx, "at");
            let mean = u.duration(cx, "mean_time_between");
            let when = match (at, mean) {
                (Some(at), None) => WindowTiming::At(SimTime::ZERO + at),
                (None, Some(m)) if m > SimDuration::ZERO => WindowTiming::Random {
                    mean_time_between: m,
                },
                _ => {
                    cx.err(
                        &item.origin,
                        &path,
                        "give exactly one of at or mean_time_between (longer than 0s)",
                    );
                    continue;
                }
            };
            if let Some(duration) = u.dist(cx, "duration") {
                out.unavailable.push(UnavailableSpec {
                    zone,
                    when,
                    duration,
                });
            }
        }
    }
    if let Some(text) = obj.string(cx, "price_trace") {
        let resolved = resolve_path(cx, &text);
        match super::pool_traces::load_price_trace(&resolved) {
            Ok(rows) => out.price_trace = rows,
            Err(errors) => cx.errors.extend(errors),
        }
    }
    out
}

/// A share: a fraction in (0, 1], or `{uniform: {min, max}}`.
fn read_share(cx: &mut Ctx, v: &Located, path: &str) -> Option<ShareDist> {
    match v.node {
        Node::Int(1) => return Some(ShareDist::Fixed(1.0)),
        Node::Float(x) if x > 0.0 && x <= 1.0 => return Some(ShareDist::Fixed(x)),
        Node::Map(_) => {}
        _ => {
            type_error(cx, v, path, &Ty::Share);
            return None;
        }
    }
    let obj = open(cx, v, path, fields::SHARE, None)?;
    let u = obj.object(cx, "uniform");
    let Some(u) = u else {
        type_error(cx, v, path, &Ty::Share);
        return None;
    };
    let (min, max) = (u.number(cx, "min")?, u.number(cx, "max")?);
    if min > max {
        cx.err(
            &v.origin,
            path,
            format!("uniform min {min} is greater than max {max}"),
        );
        return None;
    }
    Some(ShareDist::Uniform { min, max })
}

fn parse_events(cx: &mut Ctx, top: &Obj, zones: &[String]) -> Vec<ClusterEvent> {
    let mut out = Vec::new();
    let Some((_, items)) = top.list(cx, "events") else {
        return out;
    };
    for (item, path) in items {
        let Some(e) = open(cx, item, &path, fields::CLUSTER_EVENT, None) else {
            continue;
        };
        let at = e.duration(cx, "at");
        let Some(o) = e.object(cx, "zone_outage") else {
            cx.err(
                &item.origin,
                &path,
                "an event needs a kind: zone_outage: {zone, duration}",
            );
            continue;
        };
        let zone = o.value(cx, "zone").and_then(|(v, zpath)| {
            let name = read_string(cx, v, &zpath, &Ty::Name)?;
            resolve_zone(cx, v, &zpath, &name, zones)
        });
        let duration = o.duration(cx, "duration");
        if let (Some(at), Some(zone), Some(duration)) = (at, zone, duration) {
            out.push(ClusterEvent::ZoneOutage {
                at: SimTime::ZERO + at,
                zone,
                duration,
            });
        }
    }
    out
}

fn parse_variants(cx: &mut Ctx, top: &Obj) -> Vec<Variant> {
    let mut out: Vec<Variant> = Vec::new();
    let Some((_, items)) = top.list(cx, "variants") else {
        return out;
    };
    for (item, path) in items {
        let Some(v) = open(cx, item, &path, fields::VARIANT, None) else {
            continue;
        };
        let name = v.string(cx, "name");
        let mut set = Vec::new();
        if let Some((node, set_path)) = v.value(cx, "set") {
            match &node.node {
                Node::Map(entries) => {
                    for (key, value) in entries {
                        match value.node.scalar_text() {
                            Some(text) => set.push((key.name.clone(), text)),
                            None => cx.err(
                                &value.origin,
                                &join(&set_path, &key.name),
                                format!("expected a scalar value, found {}", found(&value.node)),
                            ),
                        }
                    }
                }
                _ => type_error(cx, node, &set_path, &Ty::StrMap),
            }
        }
        if let Some(name) = name {
            if out.iter().any(|o| o.name == name)
                && let Some((n, p)) = v.value(cx, "name")
            {
                cx.err(&n.origin, &p, format!("duplicate variant name '{name}'"));
            }
            out.push(Variant { name, set });
        }
    }
    out
}

fn parse_scheduler(cx: &mut Ctx, obj: Option<Obj>) -> SchedulerSpec {
    let Some(o) = obj else {
        return SchedulerSpec::named("least-allocated", QueueOrder::Fifo);
    };
    let policy = o.enumerated(cx, "policy");
    let queue = o.enumerated(cx, "queue");
    let filters = o.name_list(cx, "filters").map(|list| {
        let mut names = Vec::new();
        for (name, node) in list {
            match crate::scheduler::registry::filter_plugin(&name) {
                Ok(_) => names.push(name),
                Err(message) => cx.err(&node.origin, &join(&o.path, "filters"), message),
            }
        }
        names
    });
    let mut shape = None;
    let scores = o.list(cx, "scores").map(|(_, items)| {
        let mut out = Vec::new();
        for (item, path) in items {
            let Some(s) = open(cx, item, &path, fields::SCORE, None) else {
                continue;
            };
            if let Some(name) = s.enumerated(cx, "name") {
                out.push((name.to_string(), s.uint(cx, "weight").unwrap_or(1) as i64));
                if let Some(points) = parse_shape(cx, &s) {
                    if name != "RequestedToCapacityRatio" {
                        cx.err(
                            &item.origin,
                            &path,
                            "only RequestedToCapacityRatio takes a shape",
                        );
                    } else if shape.is_some() {
                        cx.err(&item.origin, &path, "only one shape may be given");
                    } else {
                        shape = Some(points);
                    }
                }
            }
        }
        out
    });
    if policy.is_some()
        && (filters.is_some() || scores.is_some())
        && let Some((v, path)) = o.value(cx, "policy")
    {
        cx.err(
            &v.origin,
            &path,
            "give either a named policy or a custom profile (filters/scores), not both",
        );
    }
    SchedulerSpec {
        policy: policy
            .unwrap_or(if filters.is_some() || scores.is_some() {
                "custom"
            } else {
                "least-allocated"
            })
            .to_string(),
        queue: queue
            .and_then(QueueOrder::parse)
            .unwrap_or(QueueOrder::Fifo),
        filters,
        scores,
        percentage_of_nodes_to_score: o.uint(cx, "percentage_of_nodes_to_score").map(|p| p as u32),
        shape,
    }
}

/// A RequestedToCapacityRatio shape: at least one point, utilisation strictly increasing.
fn parse_shape(cx: &mut Ctx, score: &Obj) -> Option<Vec<(u64, u64)>> {
    let (list, items) = score.list(cx, "shape")?;
    let path = join(&score.path, "shape");
    if items.is_empty() {
        cx.err(&list.origin, &path, "a shape needs at least one point");
        return None;
    }
    let mut points: Vec<(u64, u64)> = Vec::new();
    for (item, p) in items {
        let o = open(cx, item, &p, fields::SHAPE_POINT, None)?;
        let (u, s) = (o.uint(cx, "utilization")?, o.uint(cx, "score")?);
        if points.last().is_some_and(|&(prev, _)| u <= prev) {
            cx.err(
                &item.origin,
                &p,
                "utilization must increase strictly along the shape",
            );
            return None;
        }
        points.push((u, s));
    }
    Some(points)
}

fn parse_workloads(cx: &mut Ctx, top: &Obj, classes: &[PriorityClass]) -> Vec<WorkloadSpec> {
    let mut out = Vec::new();
    let Some((_, items)) = top.list(cx, "workloads") else {
        return out;
    };
    let mut seen: HashSet<String> = HashSet::new();
    for (item, path) in items {
        // The kind decides which fields are valid, so look at it before opening the mapping.
        let kind = match item.get("kind").map(|k| &k.node) {
            Some(Node::Str(s)) => fields::KINDS.iter().copied().find(|k| k == s),
            _ => None,
        };
        let Some(obj) = open(cx, item, &path, fields::WORKLOAD, kind) else {
            continue;
        };
        let Some(w) = parse_workload(cx, &obj, out.len() as u32, classes) else {
            continue;
        };
        if !seen.insert(w.name.clone())
            && let Some((v, p)) = obj.value(cx, "name")
        {
            cx.err(
                &v.origin,
                &p,
                format!("duplicate workload name '{}'", w.name),
            );
        }
        out.push(w);
    }
    out
}

fn parse_workload(
    cx: &mut Ctx,
    obj: &Obj,
    index: u32,
    classes: &[PriorityClass],
) -> Option<WorkloadSpec> {
    let name = obj.string(cx, "name");
    // Reports a missing or unknown kind; `obj.kind` already holds a valid one.
    let _ = obj.enumerated(cx, "kind");
    let (priority, class_policy) = parse_priority(cx, obj, classes);
    let preemption_policy = obj
        .enumerated(cx, "preemption_policy")
        .and_then(PreemptionPolicy::parse)
        .unwrap_or(class_policy);
    let template = PodTemplate {
        namespace: obj
            .string(cx, "namespace")
            .unwrap_or_else(|| "default".to_string()),
        labels: obj.str_map(cx, "labels").unwrap_or_default(),
        priority,
        preemption_policy,
        node_affinity: parse_affinity(cx, obj),
        topology_spread: parse_topology_spread(cx, obj, index),
        anti_affinity: parse_anti_affinity(cx, obj, index),
        requests: match obj.object(cx, "requests") {
            Some(r) => Resources::new(
                r.quantity(cx, "cpu").unwrap_or(0),
                r.quantity(cx, "memory").unwrap_or(0),
                r.quantity(cx, "gpu").unwrap_or(0),
            ),
            None => Resources::ZERO,
        },
        node_selector: obj.str_map(cx, "node_selector").unwrap_or_default(),
        tolerations: parse_tolerations(cx, obj),
        checkpoint_interval: obj.duration(cx, "checkpoint_interval"),
        termination_grace_period: obj
            .duration(cx, "termination_grace_period")
            .unwrap_or(SimDuration::from_secs(30)),
    };
    if template.checkpoint_interval == Some(SimDuration::ZERO)
        && let Some((v, path)) = obj.value(cx, "checkpoint_interval")
    {
        cx.err(&v.origin, &path, "must be longer than 0s");
    }
    let kind = match obj.kind? {
        "Batch" => WorkloadKind::Batch {
            poisson_per_hour: obj
                .object(cx, "arrivals")
                .and_then(|a| a.number(cx, "poisson_per_hour"))
                .unwrap_or(1.0),
            limit: obj.uint(cx, "limit"),
            duration: obj
                .dist(cx, "duration")
                .unwrap_or(DurationDist::Constant(SimDuration::ZERO)),
            start: obj.duration(cx, "start").unwrap_or(SimDuration::ZERO),
        },
        "Deployment" => WorkloadKind::Deployment {
            replicas: obj
                .uint(cx, "replicas")
                .map_or(0, |r| u32::try_from(r).unwrap_or(u32::MAX)),
            startup: obj.dist(cx, "startup"),
        },
        _ => parse_trace_kind(cx, obj),
    };
    Some(WorkloadSpec {
        name: name?,
        template,
        kind,
    })
}

/// The workload's priority and its class's preemption policy: `priority`, or the named class,
/// or the default class, or 0.
fn parse_priority(cx: &mut Ctx, obj: &Obj, classes: &[PriorityClass]) -> (i32, PreemptionPolicy) {
    let priority = obj.int32(cx, "priority");
    let class_name = obj.string(cx, "priority_class_name");
    if let Some(name) = class_name {
        let Some((v, path)) = obj.value(cx, "priority_class_name") else {
            return (0, PreemptionPolicy::default());
        };
        if priority.is_some() {
            cx.err(
                &v.origin,
                &path,
                "give either priority or priority_class_name, not both",
            );
        }
        return match classes.iter().find(|c| c.name == name) {
            Some(c) => (c.value, c.preemption_policy),
            None => {
                let mut message = if classes.is_empty() {
                    format!("unknown priority class '{name}'; priority_classes lists none")
                } else {
                    format!(
                        "unknown priority class '{name}', expected one of {}",
                        list_names(classes.iter().map(|c| c.name.as_str()))
                    )
                };
                if let Some(s) = did_you_mean(&name, classes.iter().map(|c| c.name.as_str())) {
                    message.push_str(&format!("; did you mean '{s}'?"));
                }
                cx.err(&v.origin, &path, message);
                (0, PreemptionPolicy::default())
            }
        };
    }
    match (priority, classes.iter().find(|c| c.default)) {
        (Some(p), _) => (p, PreemptionPolicy::default()),
        (None, Some(c)) => (c.value, c.preemption_policy),
        (None, None) => (0, PreemptionPolicy::default()),
    }
}

fn parse_requirements(cx: &mut Ctx, obj: &Obj, name: &str) -> Vec<LabelRequirement> {
    let mut out = Vec::new();
    let Some((_, items)) = obj.list(cx, name) else {
        return out;
    };
    for (item, path) in items {
        let Some(r) = open(cx, item, &path, fields::LABEL_REQUIREMENT, None) else {
            continue;
        };
        let key = r.string(cx, "key");
        let operator = r.enumerated(cx, "operator").and_then(LabelOperator::parse);
        let values: Vec<String> = r
            .name_list(cx, "values")
            .map(|l| l.into_iter().map(|(v, _)| v).collect())
            .unwrap_or_default();
        let (Some(key), Some(operator)) = (key, operator) else {
            continue;
        };
        let takes_values = matches!(operator, LabelOperator::In | LabelOperator::NotIn);
        if takes_values && values.is_empty() {
            cx.err(
                &item.origin,
                &path,
                "operators In and NotIn need at least one value",
            );
        }
        if !takes_values && !values.is_empty() {
            cx.err(
                &item.origin,
                &path,
                "operators Exists and DoesNotExist take no values",
            );
        }
        out.push(LabelRequirement {
            key,
            operator,
            values,
        });
    }
    out
}

fn parse_affinity(cx: &mut Ctx, obj: &Obj) -> NodeAffinitySpec {
    let mut spec = NodeAffinitySpec::default();
    let Some(a) = obj.object(cx, "affinity") else {
        return spec;
    };
    let Some(na) = a.object(cx, "node_affinity") else {
        return spec;
    };
    spec.required = parse_requirements(cx, &na, "required");
    if let Some((_, items)) = na.list(cx, "preferred") {
        for (item, path) in items {
            let Some(t) = open(cx, item, &path, fields::PREFERRED_TERM, None) else {
                continue;
            };
            let weight = t.uint(cx, "weight");
            let requirements = parse_requirements(cx, &t, "match");
            if weight == Some(0)
                && let Some((v, p)) = t.value(cx, "weight")
            {
                cx.err(&v.origin, &p, "weight must be between 1 and 100");
            }
            if let Some(weight) = weight {
                spec.preferred.push(PreferredTerm {
                    weight: weight as i64,
                    requirements,
                });
            }
        }
    }
    spec
}

fn selector(cx: &mut Ctx, obj: &Obj, index: u32) -> LabelSelector {
    match obj.str_map(cx, "label_selector") {
        Some(labels) => LabelSelector::Labels(labels),
        None => LabelSelector::Workload(index),
    }
}

fn parse_topology_spread(cx: &mut Ctx, obj: &Obj, index: u32) -> Vec<TopologySpreadConstraint> {
    let mut out = Vec::new();
    let Some((_, items)) = obj.list(cx, "topology_spread") else {
        return out;
    };
    for (item, path) in items {
        let Some(t) = open(cx, item, &path, fields::TOPOLOGY_SPREAD, None) else {
            continue;
        };
        let max_skew = t.uint(cx, "max_skew");
        if max_skew == Some(0)
            && let Some((v, p)) = t.value(cx, "max_skew")
        {
            cx.err(&v.origin, &p, "max_skew must be at least 1");
        }
        let topology_key = t
            .enumerated(cx, "topology_key")
            .and_then(TopologyKey::parse);
        let when_unsatisfiable = match t.enumerated(cx, "when_unsatisfiable") {
            Some("ScheduleAnyway") => WhenUnsatisfiable::ScheduleAnyway,
            _ => WhenUnsatisfiable::DoNotSchedule,
        };
        let label_selector = selector(cx, &t, index);
        if let (Some(max_skew), Some(topology_key)) = (max_skew, topology_key) {
            out.push(TopologySpreadConstraint {
                max_skew: max_skew as u32,
                topology_key,
                when_unsatisfiable,
                label_selector,
            });
        }
    }
    out
}

fn parse_anti_affinity(cx: &mut Ctx, obj: &Obj, index: u32) -> Vec<AntiAffinityTerm> {
    let mut out = Vec::new();
    let Some((_, items)) = obj.list(cx, "anti_affinity") else {
        return out;
    };
    for (item, path) in items {
        let Some(t) = open(cx, item, &path, fields::ANTI_AFFINITY, None) else {
            continue;
        };
        let topology_key = t
            .enumerated(cx, "topology_key")
            .and_then(TopologyKey::parse);
        let label_selector = selector(cx, &t, index);
        if let Some(topology_key) = topology_key {
            out.push(AntiAffinityTerm {
                topology_key,
                label_selector,
            });
        }
    }
    out
}

fn parse_tolerations(cx: &mut Ctx, obj: &Obj) -> Vec<Toleration> {
    let mut out = Vec::new();
    let Some((_, items)) = obj.list(cx, "tolerations") else {
        return out;
    };
    for (item, path) in items {
        let Some(t) = open(cx, item, &path, fields::TOLERATION, None) else {
            continue;
        };
        let key = t.string(cx, "key").unwrap_or_default();
        let operator = match t.enumerated(cx, "operator") {
            Some("Exists") => TolerationOperator::Exists,
            _ => TolerationOperator::Equal,
        };
        let value = t.string(cx, "value").unwrap_or_default();
        let effect = t.enumerated(cx, "effect").and_then(TaintEffect::parse);
        // Kubernetes' rules: an empty key matches all keys only with Exists, which takes no value.
        if operator == TolerationOperator::Equal && key.is_empty() {
            cx.err(
                &item.origin,
                &path,
                "a toleration with operator Equal needs a key",
            );
        }
        if operator == TolerationOperator::Exists && !value.is_empty() {
            cx.err(
                &item.origin,
                &path,
                "a toleration with operator Exists takes no value",
            );
        }
        out.push(Toleration {
            key,
            operator,
            value,
            effect,
        });
    }
    out
}

fn parse_trace_kind(cx: &mut Ctx, obj: &Obj) -> WorkloadKind {
    let empty = WorkloadKind::Trace {
        path: PathBuf::new(),
        rows: vec![],
    };
    let Some((v, field_path)) = obj.value(cx, "path") else {
        return empty;
    };
    let Some(text) = read_string(cx, v, &field_path, &Ty::Name) else {
        return empty;
    };
    let resolved = match cx.base_dir {
        Some(dir) => dir.join(&text),
        None => PathBuf::from(&text),
    };
    match load_trace(&resolved) {
        Ok(rows) => WorkloadKind::Trace {
            path: resolved,
            rows,
        },
        Err(TraceLoadError::Unreadable(reason)) => {
            cx.err(
                &v.origin,
                &field_path,
                format!("cannot read trace file '{}': {reason}", resolved.display()),
            );
            empty
        }
        Err(TraceLoadError::Invalid(errors)) => {
            cx.errors.extend(errors);
            empty
        }
    }
}
