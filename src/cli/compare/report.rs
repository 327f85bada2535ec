//! `compare`'s `report.html`: the comparison table, the three charts, provenance and the
//! scenario as given.

use std::path::Path;

use crate::output::atomic::write_atomic;
use crate::output::report::{Report, escape, svg, table};
use crate::scenario::Scenario;

pub(super) fn write(
    dir: &Path,
    scenario: &Scenario,
    headers: &[String],
    rows: &[Vec<String>],
    note: &str,
) -> std::io::Result<()> {
    let mut r = Report::new(
        &format!("{}: compare", scenario.name),
        &format!("clustersim compare, {} variants", rows.len()),
    );
    let h: Vec<&str> = headers.iter().map(String::as_str).collect();
    r.section(
        "comparison",
        "Comparison",
        format!(
            "{}<p class=\"note\">{}; every metric of every variant is in comparison.csv.</p>",
            table(&h, rows, None),
            escape(note)
        ),
    );
    for (id, heading, file) in [
        (
            "cost-availability",
            "Cost against availability",
            "cost-vs-availability.svg",
        ),
        (
            "cost-breakdown",
            "Cost by capacity type",
            "cost-breakdown.svg",
        ),
        (
            "over-time",
            "Over time (replicate 0)",
            "variants-over-time.svg",
        ),
    ] {
        // A chart that does not apply (cost against availability without Deployments) was
        // not written and has no section.
        if let Ok(text) = std::fs::read_to_string(dir.join(file)) {
            r.section(id, heading, svg(Some(text), file));
        }
    }
    let mut prov = vec![vec![
        "clustersim".to_string(),
        env!("CARGO_PKG_VERSION").to_string(),
    ]];
    prov.push(vec!["base seed".into(), scenario.seed.to_string()]);
    if !scenario.provenance.set.is_empty() {
        prov.push(vec![
            "--set overrides".into(),
            scenario.provenance.set.join("  "),
        ]);
    }
    for (file, hash) in &scenario.provenance.inputs {
        prov.push(vec![
            format!("input {file}"),
            format!("fnv1a64 {hash:016x}"),
        ]);
    }
    r.section("provenance", "Provenance", table(&["", ""], &prov, None));
    let text = scenario
        .provenance
        .inputs
        .first()
        .and_then(|(f, _)| {
            crate::scenario::input::read_to_string(
                Path::new(f),
                crate::scenario::input::InputKind::Scenario,
            )
            .ok()
        })
        .unwrap_or_default();
    r.section(
        "scenario",
        "Scenario as given",
        format!("<pre>{}</pre>", escape(&text)),
    );
    write_atomic(dir.join("report.html"), r.render().as_bytes())
}
