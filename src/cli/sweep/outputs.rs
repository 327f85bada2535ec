//! The files of a finished sweep: `sweep.csv`, `sweep.json`, `frontier.csv` and the frontier
//! plot, built from the spec and the cells alone (so a merge of shards writes the same bytes).

use std::fmt::Write as _;
use std::path::Path;

use serde_json::{Value, json};

use super::{CellResult, Spec};
use crate::cli::compare::{
    AVAILABILITY_AFTER_START_UP, Estimate, SERVED_FRACTION, VariantResult, csv_field,
    default_columns, format_cell,
};
use crate::metrics::TimeSeries;
use crate::output::atomic::write_atomic;
use crate::output::plot::{self, FrontierPoint};
use crate::output::table::grid;

/// The x of the frontier.
const COST: &str = "cost.total_usd";

fn num(x: f64) -> String {
    if x.is_finite() {
        format!("{x}")
    } else {
        String::new()
    }
}

/// The metrics sweep.csv reports, with their table headers: the ones asked for, else those
/// compare's table would show.
fn metrics(spec: &Spec, cells: &[CellResult]) -> Vec<(String, String)> {
    if !spec.metrics.is_empty() {
        return spec
            .metrics
            .iter()
            .map(|m| (m.clone(), m.clone()))
            .collect();
    }
    let as_variants: Vec<VariantResult> = cells
        .iter()
        .map(|c| VariantResult {
            name: String::new(),
            metrics: c.metrics.clone(),
            timeseries: TimeSeries::default(),
        })
        .collect();
    default_columns(&as_variants)
        .into_iter()
        .map(|c| (c.header, c.metric))
        .collect()
}

fn get<'a>(c: &'a CellResult, metric: &str) -> Option<&'a Estimate> {
    c.metrics.iter().find(|(m, _)| m == metric).map(|(_, e)| e)
}

/// The y of the frontier: served share if any cell has it, else availability after start-up.
fn frontier_metric(cells: &[CellResult]) -> Option<&'static str> {
    [SERVED_FRACTION, AVAILABILITY_AFTER_START_UP]
        .into_iter()
        .find(|m| cells.iter().any(|c| get(c, m).is_some()))
}

/// Cells no other cell beats on both cost (lower) and `y` (higher).
fn non_dominated(points: &[(usize, f64, f64)]) -> Vec<bool> {
    points
        .iter()
        .map(|&(_, cost, y)| {
            !points
                .iter()
                .any(|&(_, c2, y2)| c2 <= cost && y2 >= y && (c2 < cost || y2 > y))
        })
        .collect()
}

/// Refuses `--metrics` names no cell reports (the cells stay: rerun with `--resume` and other
/// `--metrics`, which reuses them).
pub fn check_metrics(spec: &Spec, cells: &[CellResult]) -> Result<(), crate::cli::Failure> {
    let known: std::collections::BTreeSet<&str> = cells
        .iter()
        .flat_map(|c| c.metrics.iter().map(|(m, _)| m.as_str()))
        .collect();
    let mut errors = crate::scenario::InputErrors::default();
    for m in &spec.metrics {
        if !known.contains(m.as_str()) {
            let mut message = format!("no cell reports a metric '{m}'");
            if let Some(s) = crate::suggest::did_you_mean(m, known.iter().copied()) {
                message.push_str(&format!("; did you mean '{s}'?"));
            }
            message.push_str(" (the cells are kept: rerun with --resume and other --metrics)");
            errors
                .0
                .extend(crate::scenario::InputErrors::single("<--metrics>", message).0);
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.into())
    }
}

/// Writes every file and returns the table to print.
pub fn write(dir: &Path, spec: &Spec, cells: &[CellResult]) -> std::io::Result<String> {
    let columns = metrics(spec, cells);
    let metrics: Vec<String> = columns.iter().map(|(_, m)| m.clone()).collect();
    // sweep.csv: one row per cell and metric.
    let mut csv = String::from("cell");
    for p in &spec.paths {
        write!(csv, ",{}", csv_field(p)).unwrap();
    }
    csv.push_str(",metric,mean,ci_low,ci_high,n\n");
    for c in cells {
        for m in &metrics {
            let Some(e) = get(c, m) else { continue };
            write!(csv, "{}", c.index).unwrap();
            for v in &spec.cells[c.index] {
                write!(csv, ",{}", csv_field(v)).unwrap();
            }
            let (lo, hi) = e
                .interval()
                .map_or((String::new(), String::new()), |(l, h)| (num(l), num(h)));
            writeln!(csv, ",{},{},{lo},{hi},{}", csv_field(m), num(e.mean), e.n).unwrap();
        }
    }
    write_atomic(dir.join("sweep.csv"), csv.as_bytes())?;

    // frontier.csv and the plot.
    let y_metric = frontier_metric(cells);
    let points: Vec<(usize, f64, f64)> = match y_metric {
        Some(y) => cells
            .iter()
            .filter_map(|c| Some((c.index, get(c, COST)?.mean, get(c, y)?.mean)))
            .collect(),
        None => vec![],
    };
    let front = non_dominated(&points);
    let mut fcsv = String::from("cell");
    for p in &spec.paths {
        write!(fcsv, ",{}", csv_field(p)).unwrap();
    }
    let y_name = y_metric.unwrap_or("none");
    writeln!(
        fcsv,
        ",cost_usd,cost_ci_low,cost_ci_high,{y_name},{y_name}_ci_low,{y_name}_ci_high,on_frontier"
    )
    .unwrap();
    let mut plotted = Vec::new();
    for (&(cell, _, _), &on) in points.iter().zip(&front) {
        let c = cells.iter().find(|c| c.index == cell).expect("cell");
        let (cost, y) = (get(c, COST).expect("cost"), get(c, y_name).expect("y"));
        write!(fcsv, "{cell}").unwrap();
        for v in &spec.cells[cell] {
            write!(fcsv, ",{}", csv_field(v)).unwrap();
        }
        let iv = |e: &Estimate| {
            e.interval()
                .map_or((String::new(), String::new()), |(l, h)| (num(l), num(h)))
        };
        let ((cl, ch), (yl, yh)) = (iv(cost), iv(y));
        writeln!(
            fcsv,
            ",{},{cl},{ch},{},{yl},{yh},{on}",
            num(cost.mean),
            num(y.mean)
        )
        .unwrap();
        plotted.push(FrontierPoint {
            label: spec.short_label(cell),
            cost: cost.mean,
            cost_interval: cost.interval(),
            y: y.mean,
            y_interval: y.interval(),
            on_frontier: on,
        });
    }
    write_atomic(dir.join("frontier.csv"), fcsv.as_bytes())?;
    let y_desc = match y_metric {
        Some(SERVED_FRACTION) => "served share of load",
        Some(_) => "availability after start-up",
        None => "",
    };
    let title = format!(
        "{}: {} cells × {}, cost against {y_desc}",
        spec.name,
        spec.cells.len(),
        crate::output::count_of(spec.replicates, "replicate")
    );
    plot::frontier(&dir.join("frontier"), &title, y_desc, &plotted)
        .map_err(|e| std::io::Error::other(e.to_string()))?;

    // sweep.json: the spec and every cell with every reported metric.
    let cells_json: Vec<Value> = cells
        .iter()
        .map(|c| {
            let m: serde_json::Map<String, Value> = metrics
                .iter()
                .filter_map(|k| {
                    let e = get(c, k)?;
                    let iv = e.interval();
                    Some((k.clone(), json!({"mean": e.mean, "ci_low": iv.map(|i| i.0), "ci_high": iv.map(|i| i.1), "n": e.n})))
                })
                .collect();
            let on = points.iter().position(|p| p.0 == c.index).map(|i| front[i]);
            json!({"cell": c.index, "values": spec.cells[c.index], "metrics": m, "on_frontier": on})
        })
        .collect();
    let json = json!({"sweep": spec.to_json(), "frontier_metric": y_metric, "cells": cells_json});
    write_atomic(
        dir.join("sweep.json"),
        (serde_json::to_string_pretty(&json).expect("json") + "\n").as_bytes(),
    )?;

    // The table: every cell when there are few, else the frontier.
    let show: Vec<&CellResult> = if cells.len() <= 30 {
        cells.iter().collect()
    } else {
        points
            .iter()
            .zip(&front)
            .filter(|(_, on)| **on)
            .filter_map(|(p, _)| cells.iter().find(|c| c.index == p.0))
            .collect()
    };
    let mut headers: Vec<String> = vec!["cell".into()];
    headers.extend(spec.paths.iter().cloned());
    headers.extend(columns.iter().map(|(h, _)| h.clone()));
    let rows: Vec<Vec<String>> = show
        .iter()
        .map(|c| {
            let mut r = vec![c.index.to_string()];
            r.extend(spec.cells[c.index].iter().cloned());
            for m in &metrics {
                r.push(format_cell(m, get(c, m)));
            }
            r
        })
        .collect();
    let h: Vec<&str> = headers.iter().map(String::as_str).collect();
    write_report(dir, spec, cells, &columns, &points, &front, &h)?;
    let mut table = grid(&h, &rows);
    if cells.len() > 30 {
        table.push_str(&format!(
            "\nthe {} cells on the cost/{} frontier of {}; every cell is in sweep.csv",
            show.len(),
            y_desc,
            cells.len()
        ));
    }
    Ok(table)
}

/// `report.html`: every cell (frontier cells marked), the frontier chart, the sweep's spec.
fn write_report(
    dir: &Path,
    spec: &Spec,
    cells: &[CellResult],
    columns: &[(String, String)],
    points: &[(usize, f64, f64)],
    front: &[bool],
    headers: &[&str],
) -> std::io::Result<()> {
    use crate::output::report::{Report, escape, svg, table};
    let mut h: Vec<&str> = headers.to_vec();
    h.push("on frontier");
    let rows: Vec<Vec<String>> = cells
        .iter()
        .map(|c| {
            let mut r = vec![c.index.to_string()];
            r.extend(spec.cells[c.index].iter().cloned());
            for (_, m) in columns {
                r.push(format_cell(m, get(c, m)));
            }
            let on = points.iter().position(|p| p.0 == c.index).map(|i| front[i]);
            r.push(match on {
                Some(true) => "yes".into(),
                Some(false) => "".into(),
                None => "–".into(),
            });
            r
        })
        .collect();
    let mut r = Report::new(
        &format!("{}: sweep", spec.name),
        &format!(
            "clustersim sweep, {} cells × {} (seed {})",
            spec.cells.len(),
            crate::output::count_of(spec.replicates, "replicate"),
            spec.seed
        ),
    );
    r.section(
        "frontier",
        "Frontier",
        svg(
            std::fs::read_to_string(dir.join("frontier.svg")).ok(),
            "frontier.svg",
        ),
    );
    r.section(
        "cells",
        "Cells",
        format!(
            "<p class=\"note\">Mean ± 95% confidence half-width over the replicates; every \
             metric of every cell is in the cells/ files, the reported ones in sweep.csv.</p>\
             <div class=\"scroll\">{}</div>",
            table(&h, &rows, None)
        ),
    );
    r.section(
        "spec",
        "Sweep",
        format!("<pre>{}</pre>", escape(&spec.text())),
    );
    write_atomic(dir.join("report.html"), r.render().as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frontier_keeps_cells_nothing_beats_on_both_axes() {
        // (cell, cost, availability): 1 is beaten by 0 (cheaper and as available); 2 is
        // dearer but more available; 3 is beaten by 2 on both.
        let pts = [
            (0, 10.0, 0.9),
            (1, 12.0, 0.9),
            (2, 15.0, 0.99),
            (3, 16.0, 0.95),
        ];
        assert_eq!(non_dominated(&pts), vec![true, false, true, false]);
        // Ties on both: neither dominates the other.
        assert_eq!(
            non_dominated(&[(0, 1.0, 1.0), (1, 1.0, 1.0)]),
            vec![true, true]
        );
    }
}
