//! Walks the located YAML tree into a validated [`Scenario`].
//!
//! Every problem is recorded and the walk goes on, so one run reports all of them. A field that
//! fails gets a placeholder value; the result is thrown away whenever any error was recorded, so
//! placeholders never reach the simulator. Which fields exist, which are required and their
//! limits come from the tables in `fields.rs`, shared with the JSON Schema.
//!
//! This file holds the typed reader over the tree (`Ctx`, `Obj`, the `read_*` functions);
//! `document`, `cluster` and `workloads` walk their parts of the format with it.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

mod actions;
mod autoscaling;
mod cluster;
mod deployment;
mod document;
mod workloads;

use actions::*;
use autoscaling::*;
use cluster::*;
use deployment::*;
pub(crate) use document::parse_scenario;
use workloads::*;

use crate::dist::DurationDist;
use crate::quantity::{Resources, parse_cpu, parse_gpu, parse_memory};
use crate::scenario::error::InputError;
use crate::scenario::fields::{self, FieldSpec, Ty};
use crate::scenario::model::*;
use crate::scenario::names::NameRule;
use crate::scenario::trace::{TraceLoadError, load_trace};
use crate::scenario::yaml::{Located, LocatedKey, Node, Origin, error_at};
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
    /// Every file the scenario names and loads, in the order they were read.
    pub inputs: Vec<PathBuf>,
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
        Ty::Ident(rule) => rule.describe().into(),
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
        Ty::OverrideMap => "a mapping of field paths to values".into(),
        Ty::Labels => "a mapping of label keys to label values".into(),
        Ty::Object(fields) => format!(
            "a mapping with fields {}",
            list_names(fields.iter().map(|f| f.name))
        ),
        Ty::List(_) => "a list".into(),
        Ty::Share => "a fraction such as 0.3 or {uniform: {min: 0.2, max: 0.6}}".into(),
        Ty::IntOrPercent => "a whole number or a percentage such as 25%".into(),
        Ty::Percent { max } => format!("a percentage between 1% and {max}%, such as 60%"),
        Ty::Probability => "true, false or a probability between 0 and 1".into(),
        Ty::Load => "requests per second: a number, {diurnal: {mean, amplitude, peak}}, {steps: [[0s, 100], [2h, 900]]} or {trace: rps.csv}".into(),
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
        } else if x > max && max <= 1.0 {
            // A share or probability: its bound is a rule, not a size guard.
            Some(format!("must be at most {max}, found {x}"))
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
            Ty::Gpu => parse_gpu,
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
        let Ty::NameList { max_items, rule } = self.spec(name).ty else {
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
            let ty = rule.map_or(Ty::Name, Ty::Ident);
            match read_string(cx, item, &item_path, &ty) {
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
        let ty = &self.spec(name).ty;
        let Node::Map(entries) = &v.node else {
            type_error(cx, v, &path, ty);
            return None;
        };
        let labels = matches!(ty, Ty::Labels);
        let mut out = BTreeMap::new();
        for (key, value) in entries {
            let entry_path = join(&path, &key.name);
            if key.name.is_empty() {
                cx.err(&key.origin, &path, "keys must not be empty");
                continue;
            }
            if labels && !NameRule::LabelKey.check(&key.name) {
                cx.err(
                    &key.origin,
                    &path,
                    rule_message(&key.name, "key", NameRule::LabelKey),
                );
                continue;
            }
            // Label values are strings, but `version: 2` or `gpu: true` mean the obvious text.
            match value.node.scalar_text() {
                Some(text) if labels && !NameRule::LabelValue.check(&text) => cx.err(
                    &value.origin,
                    &entry_path,
                    rule_message(&text, "value", NameRule::LabelValue),
                ),
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

/// "'Web_1' is not a valid name: it must be ..." (long names cut short).
fn rule_message(text: &str, what: &str, rule: NameRule) -> String {
    format!(
        "{} is not a valid {what}: it must be {}",
        found(&Node::Str(text.to_string())).trim_start_matches("the string "),
        rule.describe()
    )
}

fn read_string(cx: &mut Ctx, v: &Located, path: &str, ty: &Ty) -> Option<String> {
    match &v.node {
        Node::Str(s) if s.is_empty() && matches!(ty, Ty::Name) => {
            cx.err(&v.origin, path, "must not be empty");
            None
        }
        Node::Str(s)
            if s.is_empty() && matches!(ty, Ty::Ident(r) if *r != NameRule::LabelValue) =>
        {
            cx.err(&v.origin, path, "must not be empty");
            None
        }
        Node::Str(s) => match ty {
            Ty::Ident(rule) if !rule.check(s) => {
                cx.err(&v.origin, path, rule_message(s, "name", *rule));
                None
            }
            _ => Some(s.clone()),
        },
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
        return in_order(cx, v, path, min, max).then_some(DurationDist::Uniform { min, max });
    }
    None
}

/// A mean time between random events (interruptions, waves, failures, outages): at least
/// [`fields::MIN_MEAN_TIME_BETWEEN`], since a faster process only floods the event list.
/// Reports a shorter one and returns `None` for it.
fn read_mean_time_between(cx: &mut Ctx, obj: &Obj, name: &str) -> Option<SimDuration> {
    let d = obj.duration(cx, name)?;
    if d < fields::MIN_MEAN_TIME_BETWEEN {
        if let Some((v, path)) = obj.value(cx, name) {
            cx.err(
                &v.origin,
                &path,
                format!(
                    "must be at least {}, found {d}",
                    fields::MIN_MEAN_TIME_BETWEEN
                ),
            );
        }
        return None;
    }
    Some(d)
}

/// Checks that a `uniform` range is not upside down; reports it if it is.
fn in_order<T: PartialOrd + fmt::Display>(
    cx: &mut Ctx,
    v: &Located,
    path: &str,
    min: T,
    max: T,
) -> bool {
    if min > max {
        cx.err(
            &v.origin,
            path,
            format!("uniform min {min} is greater than max {max}"),
        );
    }
    min <= max
}

/// The GPU request of a `requests` mapping: `gpu` whole devices or `gpu_milli`, a share of one
/// device (not both), in milli-GPU; `default` when neither is given.
fn gpu_request(cx: &mut Ctx, r: &Obj, default: u64) -> u64 {
    let whole = r.quantity(cx, "gpu");
    let share = r.uint(cx, "gpu_milli");
    if share == Some(0)
        && let Some((v, p)) = r.value(cx, "gpu_milli")
    {
        cx.err(
            &v.origin,
            &p,
            "a share of one GPU is 1 to 1000 milli-GPU (leave gpu_milli out for no GPU)",
        );
    }
    if let (Some(_), Some(_)) = (whole, share)
        && let Some((v, p)) = r.value(cx, "gpu_milli")
    {
        cx.err(
            &v.origin,
            &p,
            "give either gpu (whole devices) or gpu_milli (a share of one device), not both",
        );
    }
    if let Some(w) = whole
        && w > crate::quantity::MAX_GPUS_PER_NODE * 1000
        && let Some((v, p)) = r.value(cx, "gpu")
    {
        cx.err(
            &v.origin,
            &p,
            format!(
                "at most {} GPUs per pod",
                crate::quantity::MAX_GPUS_PER_NODE
            ),
        );
    }
    match (whole, share) {
        (_, Some(0)) | (None, None) => whole.unwrap_or(default),
        // Given both: the share (an error is reported).
        (_, Some(m)) => m,
        (Some(w), None) => w,
    }
}
