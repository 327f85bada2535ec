//! Everything `clustersim run` writes into its output directory.

use std::path::Path;

use serde_json::Value;

use crate::output::atomic::{AtomicFile, write_atomic};
use crate::output::plot::{self, Series, TimelineData};
use crate::output::table::{human_number, key_value_table};
use crate::sim::RunResult;

/// Every file `clustersim run` writes (`events.csv` only with `--events`).
pub const RUN_FILES: &[&str] = &[
    "summary.json",
    "timeseries.csv",
    "events.csv",
    "timeline.png",
    "timeline.svg",
    "report.html",
];

/// What a run's directory may hold that another command wrote: `compare`'s default output.
pub const RUN_CARRIED: &[&str] = &["compare"];

/// Writes `summary.json`, `timeline.png` and `timeline.svg` into `dir`, and `timeseries.csv`
/// unless it was streamed there during the run.
pub fn write_run(
    dir: &Path,
    title: &str,
    result: &RunResult,
    timeseries_streamed: bool,
) -> Result<(), String> {
    let io = |what: &str, e: &dyn std::fmt::Display| {
        format!("cannot write {}: {e}", dir.join(what).display())
    };
    let mut json =
        serde_json::to_string_pretty(&result.summary).map_err(|e| io("summary.json", &e))?;
    json.push('\n');
    write_atomic(dir.join("summary.json"), json.as_bytes()).map_err(|e| io("summary.json", &e))?;

    // Without a sink during the run, timeseries.csv is written from memory, which holds every
    // sample only while the run was short enough (see `TimeSeries::is_complete`).
    if !timeseries_streamed {
        let mut csv_file =
            AtomicFile::create(dir.join("timeseries.csv")).map_err(|e| io("timeseries.csv", &e))?;
        result
            .timeseries
            .write_csv(&mut csv_file)
            .map_err(|e| io("timeseries.csv", &e))?;
        csv_file.commit().map_err(|e| io("timeseries.csv", &e))?;
    }

    plot::timeline(&dir.join("timeline"), &timeline_data(title, result))
        .map_err(|e| io("timeline.png", &e))?;
    Ok(())
}

/// The timeline chart's data, taken from the samples.
pub fn timeline_data(title: &str, result: &RunResult) -> TimelineData {
    let ts = &result.timeseries;
    let column =
        |f: &dyn Fn(&crate::metrics::Sample) -> f64| ts.samples.iter().map(f).collect::<Vec<f64>>();
    TimelineData {
        title: title.to_string(),
        time_hours: column(&|s| s.time.0 as f64 / 3_600_000.0),
        // Pools that never had a ready node are left out of the chart (timeseries.csv keeps
        // them): a Karpenter NodePool generates a pool per instance and capacity type, most
        // of them unused.
        ready_nodes: fold_small_pools(
            ts.pool_names
                .iter()
                .enumerate()
                .filter(|&(i, _)| ts.samples.iter().any(|s| s.ready_nodes_by_pool[i] > 0))
                .map(|(i, name)| Series {
                    label: name.clone(),
                    values: column(&|s| s.ready_nodes_by_pool[i] as f64),
                })
                .collect(),
        ),
        pods_running: column(&|s| s.pods_running as f64),
        pods_pending: column(&|s| s.pods_pending as f64),
        cpu_allocated: column(&|s| s.cpu_allocated),
        memory_allocated: column(&|s| s.memory_allocated),
        gpu_allocated: if ts.gpu {
            column(&|s| s.gpu_allocated.unwrap_or(f64::NAN))
        } else {
            Vec::new()
        },
        replicas: ts
            .deployments
            .iter()
            .enumerate()
            .filter(|(_, (_, _, autoscaled))| *autoscaled)
            .flat_map(|(i, (name, _, _))| {
                [
                    Series {
                        label: format!("{name} desired"),
                        values: column(&|s| s.deployments[i].replicas.unwrap_or(0) as f64),
                    },
                    Series {
                        label: format!("{name} ready"),
                        values: column(&|s| s.deployments[i].ready as f64),
                    },
                ]
            })
            .collect(),
        deployment_ready: ts
            .deployments
            .iter()
            .enumerate()
            .filter(|(_, (_, _, autoscaled))| !*autoscaled)
            .take(8)
            .map(|(i, (name, _, _))| Series {
                label: name.clone(),
                values: column(&|s| s.deployments[i].ready as f64),
            })
            .collect(),
        served: ts
            .deployments
            .iter()
            .enumerate()
            .filter(|(_, (_, has_load, _))| *has_load)
            .take(8)
            .map(|(i, (name, _, _))| Series {
                label: name.clone(),
                values: column(&|s| s.deployments[i].served.unwrap_or(f64::NAN)),
            })
            .collect(),
        marks: result
            .metrics
            .markers
            .marks
            .iter()
            .map(|&(t, kind)| (t as f64 / 3_600_000.0, kind.label().to_string()))
            .collect(),
    }
}

/// The short table printed after a run. Rows whose metric is absent from the summary (it does
/// not apply) are left out; pods still pending at the end that were never scheduled are always
/// counted, and their waits so far shown when there are any.
pub fn summary_table(result: &RunResult) -> String {
    let (title, rows) = summary_rows(result);
    key_value_table(&title, &rows)
}

/// The title and rows of [`summary_table`].
pub fn summary_rows(result: &RunResult) -> (String, Vec<(String, String)>) {
    let s = &result.summary;
    let censored = s
        .pointer("/pending_time_s/censored/count")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    let mut wanted: Vec<(&str, &str, Format)> = vec![
        ("/pods/submitted", "pods submitted", Format::Number),
        ("/pods/scheduled", "pods scheduled", Format::Number),
        ("/pods/completed", "pods completed", Format::Number),
        ("/pods/evicted", "pods evicted", Format::Number),
        (
            "/pods/pending_at_end",
            "pods pending at end",
            Format::Number,
        ),
        (
            "/pending_time_s/censored/count",
            "never scheduled (censored)",
            Format::Number,
        ),
        (
            "/pending_time_s/mean",
            "pending time mean, scheduled (s)",
            Format::Number,
        ),
        (
            "/pending_time_s/p95",
            "pending time p95, scheduled (s)",
            Format::Number,
        ),
        (
            "/pending_time_s/waited_fraction",
            "share of scheduled pods that waited",
            Format::Percent(1),
        ),
    ];
    if censored > 0 {
        wanted.extend([
            (
                "/pending_time_s/censored/wait_so_far/mean",
                "censored wait so far, mean (s)",
                Format::Number,
            ),
            (
                "/pending_time_s/censored/wait_so_far/max",
                "censored wait so far, max (s)",
                Format::Number,
            ),
            (
                "/pending_time_s/mean_with_censored_at_least",
                "pending time mean with censored, at least (s)",
                Format::Number,
            ),
            (
                "/pending_time_s/waited_fraction_with_censored",
                "share of pods that waited, with censored",
                Format::Percent(1),
            ),
        ]);
    }
    wanted.extend([
        (
            "/nodes/ready_mean",
            "ready nodes (time mean)",
            Format::Number,
        ),
        ("/nodes/peak_used", "peak nodes in use", Format::Number),
        (
            "/utilization/cpu_mean",
            "cpu allocated (mean)",
            Format::Percent(1),
        ),
        (
            "/utilization/memory_mean",
            "memory allocated (mean)",
            Format::Percent(1),
        ),
        // Present only where some pool has GPUs.
        (
            "/utilization/gpu_mean",
            "gpu allocated (mean)",
            Format::Percent(1),
        ),
        (
            "/utilization/gpu_fragmented_mean",
            "gpu on partly used devices (mean)",
            Format::Percent(1),
        ),
        ("/cost/total_usd", "cost (USD)", Format::Money),
    ]);
    let mut rows: Vec<(String, String)> = wanted
        .iter()
        .filter_map(|(pointer, label, format)| {
            let v = s.pointer(pointer)?.as_f64()?;
            Some((label.to_string(), format.apply(v)))
        })
        .collect();
    if let Some(Value::Object(deployments)) = s.get("deployments") {
        for (name, d) in deployments {
            for (key, label) in [
                ("availability", "availability"),
                (
                    "availability_after_first_ready",
                    "availability after first ready",
                ),
            ] {
                if let Some(v) = d.get(key).and_then(Value::as_f64) {
                    rows.push((format!("{name} {label}"), Format::Percent(2).apply(v)));
                }
            }
        }
    }
    let mut name = s["scenario"].as_str().unwrap_or("").to_string();
    if let Some(v) = s.pointer("/provenance/variant").and_then(Value::as_str) {
        name = format!("{name} / {v}");
    }
    let title = format!(
        "{name} (seed {}, {} simulated)",
        s["seed"],
        crate::time::SimDuration(result.metrics.last.0)
    );
    (title, rows)
}

/// Writes `report.html` into `dir` (after the other files, whose chart and events it holds).
/// `scenario_text` is the scenario file as given.
pub fn write_report(dir: &Path, result: &RunResult, scenario_text: &str) -> Result<(), String> {
    use crate::output::report::{self, Report, escape, table};
    let s = &result.summary;
    let (title, rows) = summary_rows(result);
    let mut r = Report::new(&title, "clustersim run");
    let rows: Vec<Vec<String>> = rows.into_iter().map(|(k, v)| vec![k, v]).collect();
    r.section(
        "summary",
        "Summary",
        format!(
            "{}<h3>Provenance</h3>{}",
            table(&["", ""], &rows, None),
            report::provenance(s)
        ),
    );
    r.section(
        "timeline",
        "Timeline",
        report::svg(
            std::fs::read_to_string(dir.join("timeline.svg")).ok(),
            "timeline.svg",
        ),
    );
    if let Some(Value::Object(deployments)) = s.get("deployments") {
        let keys = [
            ("replicas", "replicas"),
            ("availability", "availability"),
            ("availability_after_first_ready", "after first ready"),
            ("served_fraction", "served share"),
            ("degraded_minutes", "degraded (min)"),
            ("converged_s", "converged (s)"),
        ];
        let present: Vec<&(&str, &str)> = keys
            .iter()
            .filter(|(k, _)| deployments.values().any(|d| d.get(*k).is_some()))
            .collect();
        let mut headers = vec!["Deployment"];
        headers.extend(present.iter().map(|(_, h)| *h));
        let rows: Vec<Vec<String>> = deployments
            .iter()
            .map(|(name, d)| {
                let mut row = vec![name.clone()];
                for (k, _) in &present {
                    row.push(d.get(*k).and_then(Value::as_f64).map_or("–".into(), |v| {
                        if k.starts_with("availability") || *k == "served_fraction" {
                            Format::Percent(3).apply(v)
                        } else {
                            human_number(v)
                        }
                    }));
                }
                row
            })
            .collect();
        r.section("deployments", "Deployments", table(&headers, &rows, None));
    }
    let money = |v: f64| format!("${v:.2}");
    let mut cost = String::new();
    for (key, heading) in [
        ("by_pool", "by pool"),
        ("by_capacity_type", "by capacity type"),
        ("by_namespace", "by namespace"),
    ] {
        if let Some(t) = report::number_map(&s["cost"][key], "USD", money) {
            cost.push_str(&format!("<h3>{heading}</h3>{t}"));
        }
    }
    if let Some(idle) = s["cost"]["idle_usd"].as_f64() {
        cost.push_str(&format!(
            "<p class=\"note\">Namespaces are charged for the cpu their pods request; \
             {} of the total paid for capacity no pod requested.</p>",
            money(idle)
        ));
    }
    r.section("cost", "Cost", cost);
    let why = report::number_map(&s["unschedulable_reasons"], "times", human_number)
        .unwrap_or_else(|| "<p class=\"note\">No pod was ever unschedulable.</p>".into());
    r.section(
        "pending",
        "Why pods waited",
        format!(
            "<p class=\"note\">How often a pod that became pending was rejected for each reason \
             by at least one node (the reasons of Kubernetes' FailedScheduling message).</p>{why}"
        ),
    );
    r.section(
        "events",
        "Event log",
        report::event_log_file(&dir.join("events.csv")),
    );
    r.section(
        "scenario",
        "Scenario as given",
        format!("<pre>{}</pre>", escape(scenario_text)),
    );
    write_atomic(dir.join("report.html"), r.render().as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", dir.join("report.html").display()))
}

/// How a number reads in a table.
#[derive(Clone, Copy, Debug)]
pub enum Format {
    /// [`human_number`].
    Number,
    /// A fraction as a percentage with this many decimals.
    Percent(usize),
    /// Two decimals.
    Money,
}

impl Format {
    pub fn apply(self, v: f64) -> String {
        match self {
            Format::Number => human_number(v),
            Format::Percent(d) => format!("{:.*}%", d, v * 100.0),
            Format::Money => format!("{v:.2}"),
        }
    }
}

/// Most pools the nodes panel draws one line each for; the legend has room for this many.
const MAX_POOL_LINES: usize = 8;

/// With more pools than the legend holds, the largest (by peak, ties in pool order) keep
/// their lines and the rest are summed into one "N other pools" line; timeseries.csv keeps
/// every pool.
fn fold_small_pools(series: Vec<Series>) -> Vec<Series> {
    if series.len() <= MAX_POOL_LINES {
        return series;
    }
    let peak = |s: &Series| s.values.iter().copied().fold(0.0, f64::max);
    let mut order: Vec<usize> = (0..series.len()).collect();
    order.sort_by(|&a, &b| {
        peak(&series[b])
            .total_cmp(&peak(&series[a]))
            .then(a.cmp(&b))
    });
    let mut kept: Vec<usize> = order[..MAX_POOL_LINES - 1].to_vec();
    kept.sort_unstable();
    let rest: Vec<&Series> = (0..series.len())
        .filter(|i| !kept.contains(i))
        .map(|i| &series[i])
        .collect();
    let len = series.iter().map(|s| s.values.len()).max().unwrap_or(0);
    let other = Series {
        label: format!("{} other pools", rest.len()),
        values: (0..len)
            .map(|k| {
                rest.iter()
                    .map(|s| s.values.get(k).copied().unwrap_or(0.0))
                    .sum()
            })
            .collect(),
    };
    let mut out: Vec<Series> = kept.into_iter().map(|i| series[i].clone()).collect();
    out.push(other);
    out
}

#[cfg(test)]
mod fold_tests {
    use super::*;

    #[test]
    fn small_pools_are_summed_into_one_line() {
        // Ten pools whose peaks are their index: the seven largest (3..=9) keep their lines,
        // in pool order, and pools 0, 1 and 2 become "3 other pools" = 0 + 1 + 2 = 3.
        let series: Vec<Series> = (0..10)
            .map(|i| Series {
                label: format!("p{i}"),
                values: vec![i as f64, i as f64],
            })
            .collect();
        let out = fold_small_pools(series);
        let labels: Vec<&str> = out.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(
            labels,
            ["p3", "p4", "p5", "p6", "p7", "p8", "p9", "3 other pools"]
        );
        assert_eq!(out[7].values, vec![3.0, 3.0]);
        // Eight or fewer: unchanged.
        let few: Vec<Series> = (0..8)
            .map(|i| Series {
                label: format!("p{i}"),
                values: vec![1.0],
            })
            .collect();
        assert_eq!(fold_small_pools(few).len(), 8);
    }
}
