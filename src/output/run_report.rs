//! Everything `clustersim run` writes into its output directory.

use std::path::Path;

use crate::metrics::summary::flatten_numbers;
use crate::output::atomic::{AtomicFile, write_atomic};
use crate::output::plot::{self, Series, TimelineData};
use crate::output::table::key_value_table;
use crate::sim::RunResult;

/// Every file `clustersim run` writes (`events.csv` only with `--events`).
pub const RUN_FILES: &[&str] = &[
    "summary.json",
    "timeseries.csv",
    "events.csv",
    "timeline.png",
    "timeline.svg",
];

/// What a run's directory may hold that another command wrote: `compare`'s default output.
pub const RUN_CARRIED: &[&str] = &["compare"];

/// Writes `summary.json`, `timeseries.csv`, `timeline.png` and `timeline.svg` into `dir`.
pub fn write_run(dir: &Path, title: &str, result: &RunResult) -> Result<(), String> {
    let io = |what: &str, e: &dyn std::fmt::Display| {
        format!("cannot write {}: {e}", dir.join(what).display())
    };
    let mut json =
        serde_json::to_string_pretty(&result.summary).map_err(|e| io("summary.json", &e))?;
    json.push('\n');
    write_atomic(dir.join("summary.json"), json.as_bytes()).map_err(|e| io("summary.json", &e))?;

    let mut csv_file =
        AtomicFile::create(dir.join("timeseries.csv")).map_err(|e| io("timeseries.csv", &e))?;
    result
        .timeseries
        .write_csv(&mut csv_file)
        .map_err(|e| io("timeseries.csv", &e))?;
    csv_file.commit().map_err(|e| io("timeseries.csv", &e))?;

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
        ready_nodes: ts
            .pool_names
            .iter()
            .enumerate()
            .map(|(i, name)| Series {
                label: name.clone(),
                values: column(&|s| s.ready_nodes_by_pool[i] as f64),
            })
            .collect(),
        pods_running: column(&|s| s.pods_running as f64),
        pods_pending: column(&|s| s.pods_pending as f64),
        cpu_allocated: column(&|s| s.cpu_allocated),
        memory_allocated: column(&|s| s.memory_allocated),
    }
}

/// The short table printed after a run.
pub fn summary_table(result: &RunResult) -> String {
    let wanted = [
        ("pods.submitted", "pods submitted"),
        ("pods.scheduled", "pods scheduled"),
        ("pods.completed", "pods completed"),
        ("pods.evicted", "pods evicted"),
        ("pods.pending_at_end", "pods pending at end"),
        ("pending_time_s.mean", "pending time mean (s)"),
        ("pending_time_s.p95", "pending time p95 (s)"),
        (
            "pending_time_s.waited_fraction",
            "share of pods that waited",
        ),
        ("nodes.ready_mean", "ready nodes (time mean)"),
        ("nodes.peak_used", "peak nodes in use"),
        ("utilization.cpu_mean", "cpu allocated (mean)"),
        ("utilization.memory_mean", "memory allocated (mean)"),
        ("cost.total_usd", "cost (USD)"),
    ];
    let numbers = flatten_numbers(&result.summary);
    let mut rows: Vec<(String, String)> = wanted
        .iter()
        .filter_map(|(key, label)| {
            numbers
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| (label.to_string(), format_value(key, *v)))
        })
        .collect();
    for (k, v) in &numbers {
        if k.starts_with("deployments.") && k.ends_with(".availability") {
            let name = &k["deployments.".len()..k.len() - ".availability".len()];
            rows.push((format!("{name} availability"), format!("{:.2}%", v * 100.0)));
        }
    }
    let title = format!(
        "{} (seed {}, {} simulated)",
        result.summary["scenario"].as_str().unwrap_or(""),
        result.summary["seed"],
        crate::time::SimDuration(result.metrics.last.0)
    );
    key_value_table(&title, &rows)
}

fn format_value(key: &str, v: f64) -> String {
    if key.starts_with("utilization") || key.ends_with("waited_fraction") {
        format!("{:.1}%", v * 100.0)
    } else if key.starts_with("cost") {
        format!("{v:.2}")
    } else if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}
