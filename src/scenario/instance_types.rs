//! Instance-type catalogs for Karpenter-style provisioning: a CSV with columns
//! `name,cpu,memory,gpu,on_demand_usd,spot_usd,interruption` (lines starting with `#` are
//! comments). A catalog of common AWS types is bundled (`assets/instance-types.csv`); a
//! scenario may name its own. Errors name the file, line and column.

use std::io::Read;
use std::path::Path;

use super::error::InputError;
use super::input::{self, CsvErrors, CsvRows, InputKind};
use super::model::frequency_bucket_mean;
use crate::quantity::{Resources, parse_cpu, parse_gpu, parse_memory};
use crate::time::SimDuration;

/// The bundled catalog's text and the label its errors would carry.
pub const BUNDLED: &str = include_str!("../../assets/instance-types.csv");
pub const BUNDLED_LABEL: &str = "assets/instance-types.csv";
/// The most instance types a catalog may hold.
pub const MAX_TYPES: usize = 10_000;

/// One instance type and its prices.
#[derive(Clone, Debug, PartialEq)]
pub struct InstanceType {
    pub name: String,
    pub resources: Resources,
    pub on_demand_usd: f64,
    pub spot_usd: f64,
    /// Mean time between spot interruptions of one node, from the frequency bucket.
    pub spot_interruptions: Option<SimDuration>,
}

/// The bundled catalog (it is checked by a test, so this cannot fail).
pub fn bundled() -> Vec<InstanceType> {
    parse(BUNDLED.as_bytes(), BUNDLED_LABEL).expect("the bundled catalog is valid")
}

/// Reads a catalog file through the guarded input path.
pub fn load(path: &Path) -> Result<Vec<InstanceType>, Vec<InputError>> {
    let label = path.display().to_string();
    let single = |message: String| {
        vec![InputError {
            file: label.clone(),
            line: 0,
            column: 0,
            path: String::new(),
            message,
        }]
    };
    let file = input::open(path, InputKind::InstanceTypes)
        .map_err(|m| single(format!("cannot read: {m}")))?;
    parse(file, &label)
}

/// Parses a catalog; every bad cell is reported.
pub fn parse(text: impl Read, label: &str) -> Result<Vec<InstanceType>, Vec<InputError>> {
    let mut errors = CsvErrors::new(label);
    let unreadable = |e: input::Unreadable, label: &str| {
        vec![InputError {
            file: label.to_string(),
            line: 0,
            column: 0,
            path: String::new(),
            message: format!("cannot read: {}", e.0),
        }]
    };
    let Some(mut rows) =
        CsvRows::with_comments(text, &mut errors).map_err(|e| unreadable(e, label))?
    else {
        return Err(errors.finish());
    };
    let header = rows.header().to_vec();
    let col = |name: &str| header.iter().position(|h| h == name);
    let wanted = [
        "name",
        "cpu",
        "memory",
        "gpu",
        "on_demand_usd",
        "spot_usd",
        "interruption",
    ];
    let mut cols = [0usize; 7];
    for (i, name) in wanted.iter().enumerate() {
        match col(name) {
            Some(c) => cols[i] = c,
            None => errors.push(
                1,
                name,
                format!(
                    "missing column '{name}'; the columns are {}",
                    wanted.join(",")
                ),
            ),
        }
    }
    if !errors.is_empty() {
        return Err(errors.finish());
    }
    let mut out: Vec<InstanceType> = Vec::new();
    let mut record = csv::StringRecord::new();
    while let Some(line) = rows
        .next_row(&mut record, &mut errors)
        .map_err(|e| unreadable(e, label))?
    {
        if out.len() >= MAX_TYPES {
            errors.push(
                line,
                "",
                format!("too many instance types; the limit is {MAX_TYPES}"),
            );
            break;
        }
        let cell = |i: usize| record.get(cols[i]).unwrap_or("");
        let name = cell(0).to_string();
        if name.is_empty() {
            errors.push(line, "name", "an instance type needs a name");
        } else if out.iter().any(|t| t.name == name) {
            errors.push(line, "name", format!("'{name}' is listed twice"));
        }
        let mut quantity =
            |i: usize, what: &str, f: fn(&str) -> Result<u64, String>| match f(cell(i)) {
                Ok(q) => q,
                Err(e) => {
                    errors.push(line, what, e);
                    0
                }
            };
        let cpu = quantity(1, "cpu", parse_cpu);
        let memory = quantity(2, "memory", parse_memory);
        // Whole devices, held as milli-GPU like every other GPU quantity.
        let gpu = quantity(3, "gpu", parse_gpu);
        let mut price = |i: usize, what: &str| match cell(i).parse::<f64>() {
            Ok(p) if (0.0..=1e6).contains(&p) => p,
            _ => {
                errors.push(
                    line,
                    what,
                    format!("expected a price in USD per hour, found '{}'", cell(i)),
                );
                0.0
            }
        };
        let on_demand_usd = price(4, "on_demand_usd");
        let spot_usd = price(5, "spot_usd");
        let bucket = cell(6);
        let spot_interruptions = if bucket.is_empty() {
            None
        } else {
            match frequency_bucket_mean(bucket) {
                Some(m) => Some(m),
                None => {
                    errors.push(
                        line,
                        "interruption",
                        format!("expected a Spot Advisor bucket (<5%, 5-10%, 10-15%, 15-20%, >20%) or nothing, found '{bucket}'"),
                    );
                    None
                }
            }
        };
        if cpu == 0 || memory == 0 {
            errors.push(line, "cpu", "an instance type needs cpu and memory");
        }
        out.push(InstanceType {
            name,
            resources: Resources::new(cpu, memory, gpu),
            on_demand_usd,
            spot_usd,
            spot_interruptions,
        });
    }
    if out.is_empty() && errors.is_empty() {
        errors.push(1, "", "the catalog lists no instance type");
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors.finish())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_catalog_reads() {
        let types = bundled();
        assert_eq!(types.len(), 20);
        let m5 = types.iter().find(|t| t.name == "m5.large").unwrap();
        assert_eq!(m5.resources, Resources::new(2000, 8 << 30, 0));
        assert_eq!((m5.on_demand_usd, m5.spot_usd), (0.096, 0.0336));
        assert!(m5.spot_interruptions.is_some());
    }

    #[test]
    fn bad_cells_are_located() {
        let text = "# a comment\nname,cpu,memory,gpu,on_demand_usd,spot_usd,interruption\na,2,8Gi,0,0.1,0.03,<5%\na,x,8Gi,0,-1,0.03,often\n";
        let errors = parse(text.as_bytes(), "types.csv").unwrap_err();
        let shown: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        for want in [
            "types.csv:4: name: 'a' is listed twice",
            "types.csv:4: cpu:",
            "types.csv:4: on_demand_usd: expected a price in USD per hour, found '-1'",
            "types.csv:4: interruption: expected a Spot Advisor bucket",
        ] {
            assert!(
                shown.iter().any(|s| s.contains(want)),
                "missing {want:?} in {shown:?}"
            );
        }
    }
}
