//! The cells of a sweep: a grid's cross product and Latin hypercube samples, and the split of a
//! sweep into shards.

use rand::RngExt;
use rand::seq::SliceRandom;

use crate::rng::stream;

/// One dimension of a sweep: a field path and the values it takes (one per cell for sampled
/// dimensions).
#[derive(Clone, Debug, PartialEq)]
pub struct Dimension {
    pub path: String,
    pub values: Vec<String>,
}

/// Most cells one sweep may have.
pub const MAX_CELLS: usize = 100_000;

/// Splits `text` at commas outside brackets and braces, so `--grid a=[1,2],[3]` is two values.
pub fn split_values(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut cur = String::new();
    for c in text.chars() {
        match c {
            '[' | '{' => depth += 1,
            ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                out.push(std::mem::take(&mut cur).trim().to_string());
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    out.push(cur.trim().to_string());
    out
}

/// `PATH=V1,V2,...`.
pub fn parse_grid(text: &str) -> Result<Dimension, String> {
    let Some((path, values)) = text.split_once('=') else {
        return Err(format!(
            "'{text}' is not PATH=V1,V2,..., e.g. cluster.pools.spot.count=0,4,8"
        ));
    };
    let values = split_values(values);
    if path.trim().is_empty() || values.iter().any(String::is_empty) {
        return Err(format!(
            "'{text}': expected a field path and non-empty values"
        ));
    }
    Ok(Dimension {
        path: path.trim().to_string(),
        values,
    })
}

/// A sampled range: `PATH=LO..HI`, whole numbers when both ends are.
#[derive(Clone, Debug, PartialEq)]
pub struct Range {
    pub path: String,
    pub lo: f64,
    pub hi: f64,
    pub integer: bool,
}

pub fn parse_range(text: &str) -> Result<Range, String> {
    let bad = || format!("'{text}' is not PATH=LO..HI, e.g. cluster.pools.spot.count=0..16");
    let (path, span) = text.split_once('=').ok_or_else(bad)?;
    let (lo, hi) = span.split_once("..").ok_or_else(bad)?;
    let integer = lo.trim().parse::<i64>().is_ok() && hi.trim().parse::<i64>().is_ok();
    let (lo, hi): (f64, f64) = (
        lo.trim().parse().map_err(|_| bad())?,
        hi.trim().parse().map_err(|_| bad())?,
    );
    if !(lo.is_finite() && hi.is_finite()) || lo > hi || path.trim().is_empty() {
        return Err(bad());
    }
    Ok(Range {
        path: path.trim().to_string(),
        lo,
        hi,
        integer,
    })
}

/// A Latin hypercube of `n` points over `ranges` (stream `sweep/sample` of `seed`): each range
/// is cut into `n` equal strata, each stratum holds one point, and the strata are matched
/// across ranges by independent random permutations. Whole-number ranges take whole numbers
/// (strata over LO..=HI).
pub fn latin_hypercube(ranges: &[Range], n: usize, seed: u64) -> Vec<Dimension> {
    let mut rng = stream(seed, "sweep/sample");
    ranges
        .iter()
        .map(|r| {
            let mut strata: Vec<usize> = (0..n).collect();
            strata.shuffle(&mut rng);
            let values = strata
                .iter()
                .map(|&s| {
                    let u: f64 = rng.random();
                    let x = (s as f64 + u) / n as f64;
                    if r.integer {
                        let v = r.lo + (x * (r.hi - r.lo + 1.0)).floor();
                        format!("{}", v.min(r.hi) as i64)
                    } else {
                        let v = r.lo + x * (r.hi - r.lo);
                        format!("{v:.6}")
                    }
                })
                .collect();
            Dimension {
                path: r.path.clone(),
                values,
            }
        })
        .collect()
}

/// The cells: every combination of the grid dimensions (the first varying slowest), each
/// combined with every sampled point (sampled dimensions have one value per point). Returns the
/// dimension paths and each cell's values.
pub fn cells(grid: &[Dimension], sampled: &[Dimension]) -> (Vec<String>, Vec<Vec<String>>) {
    let paths: Vec<String> = grid.iter().chain(sampled).map(|d| d.path.clone()).collect();
    let mut combos: Vec<Vec<String>> = vec![vec![]];
    for d in grid {
        combos = combos
            .into_iter()
            .flat_map(|c| {
                d.values.iter().map(move |v| {
                    let mut c = c.clone();
                    c.push(v.clone());
                    c
                })
            })
            .collect();
    }
    let points = sampled.first().map_or(1, |d| d.values.len());
    let mut out = Vec::new();
    for c in combos {
        for p in 0..points {
            let mut cell = c.clone();
            cell.extend(sampled.iter().map(|d| d.values[p].clone()));
            out.push(cell);
        }
    }
    (paths, out)
}

/// Which shard this process runs: `--shard K/N` (K from 0), else `JOB_COMPLETION_INDEX`
/// (Kubernetes Indexed Jobs) with `--shards N`, else `SLURM_ARRAY_TASK_ID` (less
/// `SLURM_ARRAY_TASK_MIN`, divided by `SLURM_ARRAY_TASK_STEP`) with `--shards N` or
/// `SLURM_ARRAY_TASK_COUNT`. `None`: every cell.
pub fn shard(
    flag: Option<&str>,
    shards: Option<usize>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<(usize, usize)>, String> {
    let num = |name: &str, v: &str| {
        v.trim()
            .parse::<usize>()
            .map_err(|_| format!("{name} is '{v}', not a whole number"))
    };
    let checked = |k: usize, n: usize, from: &str| {
        if n == 0 || k >= n {
            Err(format!(
                "{from}: shard {k} of {n} does not exist (K counts from 0 and must be below N)"
            ))
        } else {
            Ok(Some((k, n)))
        }
    };
    if let Some(text) = flag {
        let (k, n) = text
            .split_once('/')
            .ok_or_else(|| format!("--shard '{text}' is not K/N, e.g. 0/4"))?;
        return checked(num("--shard K", k)?, num("--shard N", n)?, "--shard");
    }
    if let Some(index) = env("JOB_COMPLETION_INDEX") {
        let k = num("JOB_COMPLETION_INDEX", &index)?;
        let Some(n) = shards else {
            return Err(
                "JOB_COMPLETION_INDEX is set: give --shards N (the Job's completions)".into(),
            );
        };
        return checked(k, n, "JOB_COMPLETION_INDEX");
    }
    if let Some(id) = env("SLURM_ARRAY_TASK_ID") {
        let id = num("SLURM_ARRAY_TASK_ID", &id)?;
        let min = match env("SLURM_ARRAY_TASK_MIN") {
            Some(m) => num("SLURM_ARRAY_TASK_MIN", &m)?,
            None => 0,
        };
        // An array with a step (--array=0-14:2) numbers its tasks min, min + step, ...
        let step = match env("SLURM_ARRAY_TASK_STEP") {
            Some(s) => num("SLURM_ARRAY_TASK_STEP", &s)?.max(1),
            None => 1,
        };
        let n = match (shards, env("SLURM_ARRAY_TASK_COUNT")) {
            (Some(n), _) => n,
            (None, Some(c)) => num("SLURM_ARRAY_TASK_COUNT", &c)?,
            (None, None) => {
                return Err("SLURM_ARRAY_TASK_ID is set: give --shards N".into());
            }
        };
        return checked(id.saturating_sub(min) / step, n, "SLURM_ARRAY_TASK_ID");
    }
    if shards.is_some() {
        return Err(
            "--shards N needs --shard K/N, JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID".into(),
        );
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_is_the_cross_product_first_dimension_slowest() {
        let a = parse_grid("a=1,2").unwrap();
        let b = parse_grid("b=x,[p,q],z").unwrap();
        assert_eq!(b.values, vec!["x", "[p,q]", "z"]);
        let (paths, cells) = cells(&[a, b], &[]);
        assert_eq!(paths, vec!["a", "b"]);
        // 2 × 3 = 6 cells.
        let got: Vec<String> = cells.iter().map(|c| c.join(" ")).collect();
        assert_eq!(got, vec!["1 x", "1 [p,q]", "1 z", "2 x", "2 [p,q]", "2 z"]);
    }

    #[test]
    fn latin_hypercube_puts_one_point_in_each_stratum() {
        let r = vec![
            parse_range("n=0..9").unwrap(),
            parse_range("x=0.0..1.0").unwrap(),
        ];
        let dims = latin_hypercube(&r, 10, 7);
        // 10 strata over 0..=9 whole numbers: each value exactly once.
        let mut ints: Vec<i64> = dims[0].values.iter().map(|v| v.parse().unwrap()).collect();
        ints.sort();
        assert_eq!(ints, (0..10).collect::<Vec<_>>());
        // 10 strata of [0, 1): one point in each tenth.
        let mut tenths: Vec<usize> = dims[1]
            .values
            .iter()
            .map(|v| (v.parse::<f64>().unwrap() * 10.0) as usize)
            .collect();
        tenths.sort();
        assert_eq!(tenths, (0..10).collect::<Vec<_>>());
        assert_eq!(latin_hypercube(&r, 10, 7), dims, "seeded");
        assert_ne!(latin_hypercube(&r, 10, 8), dims);
    }

    #[test]
    fn shards_from_flags_and_batch_systems() {
        let none = |_: &str| None;
        assert_eq!(shard(Some("2/4"), None, &none), Ok(Some((2, 4))));
        assert!(shard(Some("4/4"), None, &none).is_err());
        assert_eq!(shard(None, None, &none), Ok(None));
        let k8s = |k: &str| (k == "JOB_COMPLETION_INDEX").then(|| "3".to_string());
        assert_eq!(shard(None, Some(5), &k8s), Ok(Some((3, 5))));
        assert!(shard(None, None, &k8s).is_err());
        // Slurm arrays may count from 1 (--array=1-8): task 1 is shard 0.
        let slurm = |k: &str| match k {
            "SLURM_ARRAY_TASK_ID" => Some("1".to_string()),
            "SLURM_ARRAY_TASK_MIN" => Some("1".to_string()),
            "SLURM_ARRAY_TASK_COUNT" => Some("8".to_string()),
            _ => None,
        };
        assert_eq!(shard(None, None, &slurm), Ok(Some((0, 8))));
        // --array=0-14:2: task 14 is the eighth, shard 7 of 8.
        let stepped = |k: &str| match k {
            "SLURM_ARRAY_TASK_ID" => Some("14".to_string()),
            "SLURM_ARRAY_TASK_MIN" => Some("0".to_string()),
            "SLURM_ARRAY_TASK_STEP" => Some("2".to_string()),
            "SLURM_ARRAY_TASK_COUNT" => Some("8".to_string()),
            _ => None,
        };
        assert_eq!(shard(None, None, &stepped), Ok(Some((7, 8))));
    }
}
