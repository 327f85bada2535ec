//! Aggregating saturation runs over seeds, and the paper's published figures to compare with.

use std::collections::BTreeMap;
use std::path::Path;

use super::saturate::Column;
use crate::scenario::InputErrors;
use crate::scenario::input::{self, CsvErrors, CsvRows, InputKind};

/// Published GPU allocation (percent of capacity; the paper simulator's mean over 10 seeds)
/// for the default OpenB workload at 100% and 130% of capacity arrived, from the paper's
/// artifact.
pub const PUBLISHED_DEFAULT: [(&str, f64, f64); 6] = [
    ("Random", 86.30, 87.47),
    ("DotProd", 90.62, 90.85),
    ("GpuClustering", 91.65, 91.88),
    ("GpuPacking", 91.78, 92.00),
    ("BestFit", 92.86, 93.08),
    ("FGD", 95.23, 95.39),
];

/// Published means keyed by (workload, policy, arrived percent).
#[derive(Clone, Debug, Default)]
pub struct Published {
    pub means: BTreeMap<(String, String, u64), f64>,
}

impl Published {
    /// The built-in figures for the default workload.
    pub fn builtin() -> Published {
        let mut means = BTreeMap::new();
        for (policy, at100, at130) in PUBLISHED_DEFAULT {
            means.insert(("default".into(), policy.into(), 100), at100);
            means.insert(("default".into(), policy.into(), 130), at130);
        }
        Published { means }
    }

    pub fn get(&self, workload: &str, policy: &str, pct: u64) -> Option<f64> {
        self.means
            .get(&(workload.to_string(), policy.to_string(), pct))
            .copied()
    }

    /// Adds a published grid (`workload,policy,arrived_pct,mean,...`; workloads named
    /// `openb_pod_list_<name>` are stored as `<name>`).
    pub fn read(&mut self, path: &Path) -> Result<(), InputErrors> {
        let label = path.display().to_string();
        let file = input::open(path, InputKind::OpenbTrace)
            .map_err(|e| InputErrors::single(&label, format!("cannot read: {e}")))?;
        let mut errors = CsvErrors::new(&label);
        let unreadable = |e: input::Unreadable| InputErrors::single(&label, e.0);
        let Some(mut rows) = CsvRows::new(file, &mut errors).map_err(unreadable)? else {
            return Err(InputErrors(errors.finish()));
        };
        let header = rows.header().to_vec();
        let col = |name: &str| header.iter().position(|h| h == name);
        let (Some(w), Some(p), Some(a), Some(m)) = (
            col("workload"),
            col("policy"),
            col("arrived_pct"),
            col("mean"),
        ) else {
            errors.push(
                1,
                "",
                "expected columns workload, policy, arrived_pct, mean",
            );
            return Err(InputErrors(errors.finish()));
        };
        let mut record = csv::StringRecord::new();
        while let Some(line) = rows
            .next_row(&mut record, &mut errors)
            .map_err(unreadable)?
        {
            let workload = record[w]
                .strip_prefix("openb_pod_list_")
                .unwrap_or(&record[w]);
            match (record[a].parse::<u64>(), record[m].parse::<f64>()) {
                (Ok(pct), Ok(mean)) if mean.is_finite() => {
                    self.means
                        .insert((workload.to_string(), record[p].to_string(), pct), mean);
                }
                _ => errors.push(
                    line,
                    "",
                    "arrived_pct must be a whole number and mean a number",
                ),
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(InputErrors(errors.finish()))
        }
    }
}

/// Statistics of one curve column over seeds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stat {
    pub mean: f64,
    /// Half-width of the Student-t 95% interval (0 for one seed).
    pub ci95: f64,
    /// Sample standard deviation (n − 1 in the denominator; 0 for one seed).
    pub sd: f64,
    pub min: f64,
    pub max: f64,
    pub n: usize,
}

/// Statistics of `values` (at least one).
pub fn stat(values: &[f64]) -> Option<Stat> {
    if values.is_empty() {
        return None;
    }
    let e = crate::cli::estimate(values);
    let n = values.len();
    let mean = e.mean;
    let sd = if n > 1 {
        (values.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
    } else {
        0.0
    };
    Some(Stat {
        mean,
        ci95: e.high - e.mean,
        sd,
        min: values.iter().copied().fold(f64::INFINITY, f64::min),
        max: values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        n,
    })
}

/// Column `pct`'s resource `k` (0 GPU, 1 cpu, 2 memory) over the seeds' binned curves.
pub fn column_stat(curves: &[Vec<Option<Column>>], pct: usize, k: usize) -> Option<Stat> {
    let values: Vec<f64> = curves
        .iter()
        .filter_map(|c| c.get(pct).copied().flatten().map(|col| col[k]))
        .collect();
    stat(&values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_over_seeds() {
        // 1, 2, 3: mean 2, sd 1, t(0.975, 2) = 4.303 → half-width 4.303 / √3 = 2.484.
        let s = stat(&[1.0, 2.0, 3.0]).unwrap();
        assert_eq!((s.mean, s.sd, s.min, s.max, s.n), (2.0, 1.0, 1.0, 3.0, 3));
        assert!((s.ci95 - 2.484).abs() < 1e-3, "{s:?}");
        assert_eq!(stat(&[5.0]).unwrap().ci95, 0.0);
        assert!(stat(&[]).is_none());
    }

    #[test]
    fn builtin_published_figures() {
        let p = Published::builtin();
        assert_eq!(p.get("default", "FGD", 100), Some(95.23));
        assert_eq!(p.get("default", "Random", 130), Some(87.47));
        assert_eq!(p.get("cpu050", "FGD", 100), None);
    }
}
