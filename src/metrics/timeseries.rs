//! `timeseries.csv`: one row per sample interval.
//!
//! Every row goes to a [`SampleSink`] as it is taken (`clustersim run` streams them to disk);
//! memory keeps a bounded, evenly spaced downsample for plots and comparisons: at most
//! [`MAX_KEPT_SAMPLES`], thinned to every second kept sample (and every second one from then
//! on) whenever the cap is passed. The samples kept are those whose index is a multiple of
//! the current stride, so the downsample is deterministic.

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
    /// Share of allocatable milli-GPU requested (`None` when no pool has GPUs).
    pub gpu_allocated: Option<f64>,
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

/// Most samples a run keeps in memory.
pub const MAX_KEPT_SAMPLES: usize = 20_000;

/// Receives every row of `timeseries.csv` as it is taken.
pub trait SampleSink {
    fn header(&mut self, columns: &[String]);
    fn row(&mut self, values: &[String]);
}

#[derive(Clone, Debug, Default)]
pub struct TimeSeries {
    pub pool_names: Vec<String>,
    /// Deployment names, whether each has a load (a `served.<name>` column), and whether an
    /// HPA sets its replicas (a `replicas.<name>` column).
    pub deployments: Vec<(String, bool, bool)>,
    /// Some pool has GPUs: a `gpu_allocated` column.
    pub gpu: bool,
    /// The kept samples: every `stride`-th sample taken.
    pub samples: Vec<Sample>,
    /// 1 while every sample is kept.
    pub stride: u64,
    /// Samples taken so far.
    pub taken: u64,
}

impl TimeSeries {
    pub fn new(pool_names: Vec<String>, deployments: Vec<(String, bool, bool)>) -> Self {
        TimeSeries {
            pool_names,
            deployments,
            gpu: false,
            samples: Vec::new(),
            stride: 1,
            taken: 0,
        }
    }

    /// With a `gpu_allocated` column (some pool has GPUs).
    pub fn with_gpu(mut self, gpu: bool) -> Self {
        self.gpu = gpu;
        self
    }

    /// Takes a sample: kept if its index is a multiple of the stride; past the cap, every
    /// second kept sample goes and the stride doubles.
    pub fn push(&mut self, sample: Sample) {
        let index = self.taken;
        self.taken += 1;
        if !index.is_multiple_of(self.stride.max(1)) {
            return;
        }
        self.samples.push(sample);
        if self.samples.len() > MAX_KEPT_SAMPLES {
            let mut i = 0u64;
            self.samples.retain(|_| {
                i += 1;
                i % 2 == 1
            });
            self.stride = self.stride.max(1) * 2;
        }
    }

    /// True if every sample taken is kept.
    pub fn is_complete(&self) -> bool {
        self.stride <= 1
    }

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
            ]
            .map(String::from),
        );
        if self.gpu {
            h.push("gpu_allocated".into());
        }
        h.push("cost_usd".into());
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

    /// One `timeseries.csv` row.
    pub fn row(s: &Sample) -> Vec<String> {
        let mut row = vec![fmt_num(s.time.as_secs_f64())];
        row.extend(s.ready_nodes_by_pool.iter().map(|n| n.to_string()));
        row.push(s.pods_running.to_string());
        row.push(s.pods_pending.to_string());
        row.push(fmt_num(s.cpu_allocated));
        row.push(fmt_num(s.memory_allocated));
        if let Some(g) = s.gpu_allocated {
            row.push(fmt_num(g));
        }
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
        row
    }

    /// Writes the kept samples as CSV (every sample, while [`TimeSeries::is_complete`]).
    pub fn write_csv<W: Write>(&self, out: W) -> csv::Result<()> {
        let mut w = csv::Writer::from_writer(out);
        w.write_record(self.header())?;
        for s in &self.samples {
            w.write_record(Self::row(s))?;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(t: u64) -> Sample {
        Sample {
            time: SimTime(t),
            ready_nodes_by_pool: vec![1],
            pods_running: 0,
            pods_pending: 0,
            cpu_allocated: 0.0,
            memory_allocated: 0.0,
            gpu_allocated: None,
            cost_usd: 0.0,
            deployments: Vec::new(),
        }
    }

    #[test]
    fn memory_keeps_a_bounded_evenly_spaced_downsample() {
        let mut ts = TimeSeries::new(vec!["p".into()], Vec::new());
        // 3 × the cap: the stride doubles twice (cap passed at 20,001 and again at 40,001 kept
        // positions' worth), ending at 4; kept samples are the multiples of 4.
        let n = 3 * MAX_KEPT_SAMPLES as u64;
        for t in 0..n {
            ts.push(sample(t));
        }
        assert_eq!(ts.taken, n);
        assert!(ts.samples.len() <= MAX_KEPT_SAMPLES);
        assert_eq!(ts.stride, 4);
        assert!(!ts.is_complete());
        assert!(
            ts.samples
                .iter()
                .enumerate()
                .all(|(i, s)| s.time.0 == 4 * i as u64)
        );
        assert_eq!(ts.samples.len() as u64, n.div_ceil(4));
    }
}
