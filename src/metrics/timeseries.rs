//! `timeseries.csv`: one row per sample interval.

use std::io::Write;

use crate::time::SimTime;

/// The state at one sample time (after every event of that instant and its scheduling pass).
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    pub time: SimTime,
    pub ready_nodes_by_pool: Vec<u32>,
    pub pods_running: u32,
    pub pods_pending: u32,
    pub cpu_allocated: f64,
    pub memory_allocated: f64,
    pub cost_usd: f64,
    /// Per Deployment (in `TimeSeries::deployments` order).
    pub deployments: Vec<DeploymentSample>,
}

/// A Deployment at a sample time.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DeploymentSample {
    pub ready: u32,
    /// Served share of its load (`None` without a load).
    pub served: Option<f64>,
    /// Desired replicas (`None` unless an HPA sets them).
    pub replicas: Option<u32>,
}

#[derive(Clone, Debug, Default)]
pub struct TimeSeries {
    pub pool_names: Vec<String>,
    /// Deployment names, whether each has a load (a `served.<name>` column), and whether an
    /// HPA sets its replicas (a `replicas.<name>` column).
    pub deployments: Vec<(String, bool, bool)>,
    pub samples: Vec<Sample>,
}

impl TimeSeries {
    /// Column names: `time_s, ready_nodes.<pool>..., pods_running, pods_pending,
    /// cpu_allocated, memory_allocated, cost_usd`, then `ready.<deployment>` for each
    /// Deployment, `served.<deployment>` for each with a load and `replicas.<deployment>`
    /// (desired) for each with an HPA.
    pub fn header(&self) -> Vec<String> {
        let mut h = vec!["time_s".to_string()];
        h.extend(self.pool_names.iter().map(|p| format!("ready_nodes.{p}")));
        h.extend(
            [
                "pods_running",
                "pods_pending",
                "cpu_allocated",
                "memory_allocated",
                "cost_usd",
            ]
            .map(String::from),
        );
        for (name, has_load, autoscaled) in &self.deployments {
            h.push(format!("ready.{name}"));
            if *has_load {
                h.push(format!("served.{name}"));
            }
            if *autoscaled {
                h.push(format!("replicas.{name}"));
            }
        }
        h
    }

    pub fn write_csv<W: Write>(&self, out: W) -> csv::Result<()> {
        let mut w = csv::Writer::from_writer(out);
        w.write_record(self.header())?;
        for s in &self.samples {
            let mut row = vec![fmt_num(s.time.as_secs_f64())];
            row.extend(s.ready_nodes_by_pool.iter().map(|n| n.to_string()));
            row.push(s.pods_running.to_string());
            row.push(s.pods_pending.to_string());
            row.push(fmt_num(s.cpu_allocated));
            row.push(fmt_num(s.memory_allocated));
            row.push(fmt_num(s.cost_usd));
            for d in &s.deployments {
                row.push(d.ready.to_string());
                if let Some(served) = d.served {
                    row.push(fmt_num(served));
                }
                if let Some(r) = d.replicas {
                    row.push(r.to_string());
                }
            }
            w.write_record(&row)?;
        }
        w.flush()?;
        Ok(())
    }
}

/// Shortest form that reads back as the same number (e.g. `60`, `0.25`, `0.3333333333333333`):
/// files keep every digit; only tables round for reading.
pub fn fmt_num(x: f64) -> String {
    format!("{x}")
}
