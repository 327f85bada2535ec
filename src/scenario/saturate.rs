//! The experiment file of `clustersim saturate`: which OpenB files, policies, seeds and target.
//!
//! ```yaml
//! name: openb-fgd
//! saturate:
//!   nodes: openb_node_list_gpu_node.csv    # in --data
//!   workloads: [default, cpu050]           # openb_pod_list_<name>.csv in --data, or a file name
//!   policies: [Random, DotProd, GpuClustering, GpuPacking, BestFit, FGD]
//!   target: 130%                           # of the cluster's GPU capacity
//!   replicates: 10                         # seeds seed, seed + 1, ...
//!   seed: 42
//! ```

use std::path::Path;

use super::error::InputErrors;
use super::input::{self, InputKind};
use super::yaml::{self, Located, Node, error_at};
use crate::scheduler::gpushare;
use crate::suggest::did_you_mean;

/// Most seeds per (workload, policy).
pub const MAX_REPLICATES: u64 = 1000;
/// Highest target, in percent of GPU capacity.
pub const MAX_TARGET_PCT: u64 = 1000;

#[derive(Clone, Debug, PartialEq)]
pub struct SaturateSpec {
    pub name: String,
    pub description: Option<String>,
    pub nodes: String,
    pub workloads: Vec<String>,
    pub policies: Vec<&'static str>,
    pub target_pct: u64,
    pub replicates: u64,
    pub seed: u64,
}

impl SaturateSpec {
    /// The pod-list file of `workload` inside the data folder.
    pub fn pod_file(workload: &str) -> String {
        if workload.ends_with(".csv") {
            workload.to_string()
        } else {
            format!("openb_pod_list_{workload}.csv")
        }
    }
}

const TOP: [&str; 3] = ["name", "description", "saturate"];
const FIELDS: [&str; 6] = [
    "nodes",
    "workloads",
    "policies",
    "target",
    "replicates",
    "seed",
];

/// True if `path` reads as YAML with a top-level `saturate` section (an experiment file, not
/// a scenario).
pub fn is_experiment(path: &Path) -> bool {
    input::read_to_string(path, InputKind::Scenario)
        .ok()
        .and_then(|text| yaml::parse(&text, "").ok())
        .is_some_and(|root| root.get("saturate").is_some())
}

/// Reads an experiment file; every problem is reported at once.
pub fn load(path: &Path) -> Result<SaturateSpec, InputErrors> {
    let label = path.display().to_string();
    let text = input::read_to_string(path, InputKind::Scenario)
        .map_err(|e| InputErrors::single(&label, format!("cannot read: {e}")))?;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "saturate".into());
    parse(&text, &label, &stem)
}

/// Parses experiment text; `stem` names it when the file has no `name`.
pub fn parse(text: &str, label: &str, stem: &str) -> Result<SaturateSpec, InputErrors> {
    let root = yaml::parse(text, label)?;
    let mut errors = Vec::new();
    let mut err =
        |at: &Located, path: &str, m: String| errors.push(error_at(label, &at.origin, path, m));
    let mut spec = SaturateSpec {
        name: stem.to_string(),
        description: None,
        nodes: "openb_node_list_gpu_node.csv".into(),
        workloads: vec!["default".into()],
        policies: gpushare::POLICY_NAMES.to_vec(),
        target_pct: 130,
        replicates: 10,
        seed: 42,
    };
    let Node::Map(entries) = &root.node else {
        err(
            &root,
            "",
            format!(
                "expected a mapping with a 'saturate' section, found {}",
                root.node.kind()
            ),
        );
        return Err(InputErrors(errors));
    };
    let unknown = |name: &str, known: &[&str]| {
        let mut m = format!(
            "unknown field '{name}', expected one of {}",
            known.join(", ")
        );
        if let Some(s) = did_you_mean(name, known.iter().copied()) {
            m.push_str(&format!("; did you mean '{s}'?"));
        }
        m
    };
    let mut section = None;
    for (k, v) in entries {
        match k.name.as_str() {
            "name" => match &v.node {
                Node::Str(s) if !s.is_empty() => spec.name = s.clone(),
                _ => err(
                    v,
                    "name",
                    format!("expected a non-empty string, found {}", v.node.kind()),
                ),
            },
            "description" => spec.description = v.node.scalar_text(),
            "saturate" => section = Some(v),
            other => err(
                &Located::new(Node::Null, k.origin.clone()),
                "",
                unknown(other, &TOP),
            ),
        }
    }
    let Some(section) = section else {
        err(&root, "", "missing the 'saturate' section".into());
        return Err(InputErrors(errors));
    };
    let Node::Map(fields) = &section.node else {
        err(
            section,
            "saturate",
            format!("expected a mapping, found {}", section.node.kind()),
        );
        return Err(InputErrors(errors));
    };
    for (k, v) in fields {
        let path = format!("saturate.{}", k.name);
        match k.name.as_str() {
            "nodes" => match &v.node {
                Node::Str(s) if !s.is_empty() => spec.nodes = s.clone(),
                _ => err(
                    v,
                    &path,
                    format!("expected a file name, found {}", v.node.kind()),
                ),
            },
            "workloads" => match names(v) {
                Ok(list) if !list.is_empty() => spec.workloads = list,
                Ok(_) => err(v, &path, "expected at least one workload".into()),
                Err(m) => err(v, &path, m),
            },
            "policies" => match located_names(v) {
                Ok(list) if !list.is_empty() => {
                    let mut out = Vec::new();
                    for (i, (n, at)) in list.iter().enumerate() {
                        match resolve_policy(n, &out) {
                            Ok(c) => out.push(c),
                            Err(m) => err(at, &format!("{path}[{i}]"), m),
                        }
                    }
                    spec.policies = out;
                }
                Ok(_) => err(v, &path, "expected at least one policy".into()),
                Err(m) => err(v, &path, m),
            },
            "target" => match target(&v.node) {
                Ok(t) => spec.target_pct = t,
                Err(m) => err(v, &path, m),
            },
            "replicates" => match whole(&v.node, 1, MAX_REPLICATES) {
                Ok(n) => spec.replicates = n,
                Err(m) => err(v, &path, m),
            },
            "seed" => match whole(&v.node, 0, u64::MAX) {
                Ok(n) => spec.seed = n,
                Err(m) => err(v, &path, m),
            },
            other => err(
                &Located::new(Node::Null, k.origin.clone()),
                "saturate",
                unknown(other, &FIELDS),
            ),
        }
    }
    if errors.is_empty() {
        Ok(spec)
    } else {
        Err(InputErrors(errors))
    }
}

/// The canonical name of policy `name`, unless it is unknown (with "did you mean") or already
/// in `chosen`.
pub fn resolve_policy(name: &str, chosen: &[&'static str]) -> Result<&'static str, String> {
    match gpushare::canonical(name) {
        Some(c) if chosen.contains(&c) => Err(format!("'{name}' is listed twice ({c})")),
        Some(c) => Ok(c),
        None => {
            let mut m = format!(
                "unknown policy '{name}', expected one of {}",
                gpushare::POLICY_NAMES.join(", ")
            );
            if let Some(s) = did_you_mean(name, gpushare::POLICY_NAMES) {
                m.push_str(&format!("; did you mean '{s}'?"));
            }
            Err(m)
        }
    }
}

fn names(v: &Located) -> Result<Vec<String>, String> {
    Ok(located_names(v)?.into_iter().map(|(s, _)| s).collect())
}

fn located_names(v: &Located) -> Result<Vec<(String, &Located)>, String> {
    let Node::Seq(items) = &v.node else {
        return Err(format!("expected a list of names, found {}", v.node.kind()));
    };
    let mut out = Vec::new();
    for item in items {
        match item.node.scalar_text() {
            Some(s) if !s.is_empty() && !s.contains(['/', '\\']) => out.push((s, item)),
            _ => {
                return Err(
                    "expected plain names (no folders; files are looked up in --data)".into(),
                );
            }
        }
    }
    Ok(out)
}

/// `130%` or `1.3` (a fraction) → percent.
pub fn target(node: &Node) -> Result<u64, String> {
    let text = node.scalar_text().unwrap_or_default();
    parse_target(&text)
}

/// Parses a target share of GPU capacity: `130%` or `1.3`.
pub fn parse_target(text: &str) -> Result<u64, String> {
    let bad = || {
        format!(
            "expected a share of GPU capacity such as 130% (1% to {MAX_TARGET_PCT}%), found '{text}'"
        )
    };
    let t = text.trim();
    let pct = if let Some(p) = t.strip_suffix('%') {
        p.trim().parse::<u64>().map_err(|_| bad())?
    } else {
        let x: f64 = t.parse().map_err(|_| bad())?;
        let p = x * 100.0;
        if !p.is_finite() || (p - p.round()).abs() > 1e-9 || p < 0.0 {
            return Err(bad());
        }
        p.round() as u64
    };
    if (1..=MAX_TARGET_PCT).contains(&pct) {
        Ok(pct)
    } else {
        Err(bad())
    }
}

fn whole(node: &Node, min: u64, max: u64) -> Result<u64, String> {
    match node {
        Node::Int(i) if *i >= min as i128 && *i <= max as i128 => Ok(*i as u64),
        _ => Err(format!(
            "expected a whole number from {min} to {max}, found {}",
            node.scalar_text()
                .map_or_else(|| node.kind().to_string(), |s| format!("'{s}'"))
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::super::error::InputError;
    use super::*;

    #[test]
    fn defaults_and_fields() {
        let s = parse("saturate: {workloads: [default, cpu050], policies: [fgd, best-fit], target: 1.3, replicates: 3, seed: 7}\n", "x.yaml", "x").unwrap();
        assert_eq!(s.name, "x");
        assert_eq!(s.workloads, vec!["default", "cpu050"]);
        assert_eq!(s.policies, vec!["FGD", "BestFit"]);
        assert_eq!((s.target_pct, s.replicates, s.seed), (130, 3, 7));
        assert_eq!(
            SaturateSpec::pod_file("cpu050"),
            "openb_pod_list_cpu050.csv"
        );
        assert_eq!(SaturateSpec::pod_file("mine.csv"), "mine.csv");
    }

    #[test]
    fn every_error_is_located() {
        let text =
            "saturate:\n  policies: [FGD, Tetriss]\n  target: 0%\n  replicates: -1\n  seeds: 3\n";
        let e = parse(text, "x.yaml", "x").unwrap_err();
        let got: Vec<String> = e.0.iter().map(InputError::to_string).collect();
        assert_eq!(got.len(), 4, "{got:#?}");
        assert!(
            got[0].starts_with("x.yaml:2:19: saturate.policies[1]: unknown policy 'Tetriss'"),
            "{got:#?}"
        );
        assert!(
            got[1].starts_with("x.yaml:3:11: saturate.target: expected a share"),
            "{got:#?}"
        );
        assert!(got[2].contains("x.yaml:4:15: saturate.replicates: expected a whole number from 1 to 1000, found '-1'"), "{got:#?}");
        assert!(
            got[3].contains("x.yaml:5:3: saturate: unknown field 'seeds'")
                && got[3].contains("did you mean 'seed'?"),
            "{got:#?}"
        );
    }

    #[test]
    fn targets() {
        for (text, want) in [
            ("130%", Ok(130)),
            ("1.3", Ok(130)),
            ("100 %", Ok(100)),
            ("0.005", Err(())),
            ("abc", Err(())),
            ("0%", Err(())),
        ] {
            assert_eq!(parse_target(text).map_err(|_| ()), want, "{text}");
        }
    }
}
