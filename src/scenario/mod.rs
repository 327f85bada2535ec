//! Scenario files: YAML in, a validated [`Scenario`] out.
//!
//! Loading happens in three steps, so every error can name its file, line, column and field:
//! 1. `yaml`: parse the text into a tree whose every node knows its line and column;
//! 2. `overrides`: apply `--set PATH=VALUE` overrides to the tree;
//! 3. `parse`: walk the tree into the typed model, collecting every error instead of stopping
//!    at the first, then check cross-references (zones, names) and load trace files.

pub mod autoscaling;
pub mod emit;
pub mod error;
pub mod fields;
pub mod input;
pub mod instance_types;
pub mod manifests;
pub mod model;
pub mod names;
pub mod openb;
pub mod overrides;
pub mod parse;
pub mod pool_traces;
pub mod saturate;
pub mod schema;
pub mod trace;
pub mod warnings;
pub mod yaml;

#[cfg(test)]
mod failure_tests;
#[cfg(test)]
mod tests;

use std::path::Path;

pub use autoscaling::*;
pub use error::{InputError, InputErrors};
pub use model::*;
pub use overrides::Override;
pub use schema::json_schema;

/// Scenario files larger than this are refused unread.
pub const MAX_FILE_BYTES: u64 = input::InputKind::Scenario.max_bytes();

/// Loads, overrides and validates a scenario file. Errors name the file as `path` is written.
pub fn load_file(path: &Path, overrides: &[Override]) -> Result<Scenario, InputErrors> {
    let label = path.display().to_string();
    let text = input::read_to_string(path, input::InputKind::Scenario)
        .map_err(|m| InputErrors::single(&label, format!("cannot read: {m}")))?;
    let mut scenario = load_str(&text, &label, path.parent(), overrides)?;
    scenario.source = Some(path.to_path_buf());
    Ok(scenario)
}

/// What was loaded: the scenario text under its label and each input file, hashed with 64-bit
/// FNV-1a (a file that cannot be read again is left out), and the overrides as `PATH=VALUE`.
fn provenance(
    text: &str,
    file_label: &str,
    inputs: &[std::path::PathBuf],
    overrides: &[Override],
) -> Provenance {
    let mut hashed = vec![(file_label.to_string(), crate::rng::fnv1a64(text.as_bytes()))];
    for path in inputs {
        let name = path.display().to_string();
        if hashed.iter().any(|(n, _)| *n == name) {
            continue;
        }
        // Through the guarded reader: a file that became a FIFO since is skipped, not waited on.
        let mut bytes = Vec::new();
        let read = input::open(path, input::InputKind::PodTrace).and_then(|mut f| {
            std::io::Read::read_to_end(&mut f, &mut bytes).map_err(|e| e.to_string())
        });
        if read.is_ok() {
            hashed.push((name, crate::rng::fnv1a64(&bytes)));
        }
    }
    Provenance {
        variant: None,
        variant_set: Vec::new(),
        set: overrides
            .iter()
            .map(|o| format!("{}={}", o.path, o.value))
            .collect(),
        inputs: hashed,
    }
}

/// Loads a scenario from text. `file_label` names it in errors; trace paths are relative to
/// `base_dir` (the current directory when `None`).
pub fn load_str(
    text: &str,
    file_label: &str,
    base_dir: Option<&Path>,
    overrides: &[Override],
) -> Result<Scenario, InputErrors> {
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(InputErrors::single(
            file_label,
            format!("the text is larger than {} MiB", MAX_FILE_BYTES >> 20),
        ));
    }
    let looks_like_manifest = |root: Option<&yaml::Located>| {
        let starts = text.lines().any(|l| l.starts_with("apiVersion:"))
            && text.lines().any(|l| l.starts_with("kind:"));
        root.map_or(starts, |r| {
            r.get("apiVersion").is_some() && r.get("kind").is_some()
        })
    };
    let manifest_hint = || {
        InputErrors::single(
            file_label,
            "this is a Kubernetes manifest, not a clustersim scenario: name it from a scenario \
             (workloads: - manifests: [FILE]) or write a scenario from it with clustersim import",
        )
    };
    let mut root = match yaml::parse(text, file_label) {
        Ok(root) if looks_like_manifest(Some(&root)) => return Err(manifest_hint()),
        Ok(root) => root,
        Err(_) if looks_like_manifest(None) => return Err(manifest_hint()),
        Err(e) => return Err(e),
    };
    // Manifests first, so `--set` reaches imported workloads and pools too.
    let mut errors = Vec::new();
    let mut notes = Vec::new();
    let mut inputs = Vec::new();
    manifests::expand(
        &mut root,
        file_label,
        base_dir,
        &mut errors,
        &mut notes,
        &mut inputs,
    );
    if !errors.is_empty() {
        return Err(InputErrors(errors));
    }
    if let Err(e) = overrides::apply(&mut root, overrides) {
        errors = e.0;
    }
    validate_tree(
        &root,
        text,
        file_label,
        base_dir,
        overrides,
        (errors, notes, inputs),
    )
}

/// Validates a tree whose manifests are already expanded (what `clustersim import` writes),
/// so errors still point into the manifests.
pub fn check_expanded(
    root: &yaml::Located,
    file_label: &str,
    base_dir: Option<&Path>,
) -> Result<Scenario, InputErrors> {
    validate_tree(root, "", file_label, base_dir, &[], Default::default())
}

/// What loading has found before the tree is parsed: errors, notes (warnings) and the files
/// read.
type Found = (Vec<InputError>, Vec<InputError>, Vec<std::path::PathBuf>);

fn validate_tree(
    root: &yaml::Located,
    text: &str,
    file_label: &str,
    base_dir: Option<&Path>,
    overrides: &[Override],
    (mut errors, notes, inputs): Found,
) -> Result<Scenario, InputErrors> {
    let mut cx = parse::Ctx {
        file: file_label,
        base_dir,
        errors: vec![],
        inputs,
    };
    let scenario = parse::parse_scenario(root, &mut cx);
    // File errors by line, then `--set` and trace errors as found. Within a line the walk's
    // order stays: an unknown key comes before the "missing field" it probably caused.
    cx.errors.sort_by_key(|e| {
        if e.file == file_label {
            (0, e.line)
        } else {
            (1, 0)
        }
    });
    errors.extend(cx.errors);
    match scenario {
        Some(mut s) if errors.is_empty() => {
            s.warnings = notes;
            s.warnings.extend(warnings::check(root, &s, file_label));
            s.provenance = provenance(text, file_label, &cx.inputs, overrides);
            Ok(s)
        }
        _ if errors.is_empty() => Err(InputErrors::single(file_label, "not a valid scenario")),
        _ => Err(InputErrors(errors)),
    }
}
