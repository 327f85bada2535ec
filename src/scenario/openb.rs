//! The Alibaba OpenB GPU cluster trace (`cluster-trace-gpu-v2023/csv/` in alibaba/clusterdata),
//! as the FGD paper's simulator reads it.
//!
//! - Node list `openb_node_list_gpu_node.csv`: `sn,cpu_milli,memory_mib,gpu,model`, one row
//!   per node: millicores, MiB, whole GPU devices (1000 milli-GPU each), the device model.
//! - Pod lists `openb_pod_list_<workload>.csv`: `name,cpu_milli,memory_mib,num_gpu,gpu_milli`
//!   and optionally `gpu_spec` (accepted models separated by `|`, empty for any). The other
//!   columns (`qos`, `pod_phase`, `creation_time`, `deletion_time`, `scheduled_time`) are
//!   accepted and not used: the saturation experiment has no arrival times.
//!
//! A pod with `num_gpu` k > 0 takes k devices of `gpu_milli` each (clamped to 1..=1000, as the
//! paper's converter does); `num_gpu` 0 is a CPU pod whatever `gpu_milli` says.

use std::path::Path;

use super::error::InputErrors;
use super::input::{self, CsvErrors, CsvRows, InputKind, Unreadable};

/// Most GPU devices on one node (device sets are 64-bit masks).
pub const MAX_NODE_GPUS: u32 = 64;
/// Most rows in one OpenB file.
pub const MAX_ROWS: usize = 1_000_000;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenbNode {
    pub name: String,
    pub cpu_m: u64,
    pub memory: u64,
    pub gpus: u32,
    pub model: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenbPod {
    pub name: String,
    pub cpu_m: u64,
    pub memory: u64,
    pub gpus: u32,
    /// Milli-GPU per device (0 for a CPU pod).
    pub milli: u32,
    /// Accepted device models (empty: any).
    pub models: Vec<String>,
}

/// A node list's columns: required, then optional.
pub const NODE_REQUIRED: [&str; 4] = ["sn", "cpu_milli", "memory_mib", "gpu"];
pub const NODE_OPTIONAL: [&str; 1] = ["model"];
/// A pod list's columns: required, then optional (the times, which `saturate` does not use).
pub const POD_REQUIRED: [&str; 5] = ["name", "cpu_milli", "memory_mib", "num_gpu", "gpu_milli"];
pub const POD_OPTIONAL: [&str; 6] = [
    "gpu_spec",
    "qos",
    "pod_phase",
    "creation_time",
    "deletion_time",
    "scheduled_time",
];

fn whole(text: &str, max: u64, line: u64, column: &str, errors: &mut CsvErrors) -> Option<u64> {
    match text.parse::<u64>() {
        Ok(v) if v <= max => Some(v),
        Ok(_) => {
            errors.push(
                line,
                column,
                format!("{text} is more than the limit of {max}"),
            );
            None
        }
        Err(_) => {
            errors.push(
                line,
                column,
                format!("'{text}' is not a whole number (expected an integer ≥ 0)"),
            );
            None
        }
    }
}

/// Reads rows of one file, calling `row` for each; returns every problem at once.
fn read_rows(
    path: &Path,
    required: &[&str],
    optional: &[&str],
    mut row: impl FnMut(&[&str], &[Option<usize>], u64, &mut CsvErrors),
) -> Result<(), InputErrors> {
    let label = path.display().to_string();
    let file = input::open(path, InputKind::OpenbTrace)
        .map_err(|e| InputErrors::single(&label, format!("cannot read: {e}")))?;
    let mut errors = CsvErrors::new(&label);
    let unreadable = |e: Unreadable| InputErrors::single(&label, format!("cannot read: {}", e.0));
    let Some(mut reader) = CsvRows::new(file, &mut errors).map_err(unreadable)? else {
        return Err(InputErrors(errors.finish()));
    };
    let header = reader.header().to_vec();
    let Some(cols) = input::match_columns(&header, required, optional, &mut errors) else {
        return Err(InputErrors(errors.finish()));
    };
    let mut record = csv::StringRecord::new();
    let mut rows = 0usize;
    while let Some(line) = reader
        .next_row(&mut record, &mut errors)
        .map_err(unreadable)?
    {
        rows += 1;
        if rows > MAX_ROWS {
            errors.push(
                line,
                "",
                format!("too many rows; a file holds at most {MAX_ROWS}"),
            );
            break;
        }
        let fields: Vec<&str> = record.iter().collect();
        row(&fields, &cols, line, &mut errors);
    }
    if rows == 0 && errors.is_empty() {
        errors.push(1, "", "no rows after the header");
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(InputErrors(errors.finish()))
    }
}

/// Reads an OpenB node list.
pub fn read_nodes(path: &Path) -> Result<Vec<OpenbNode>, InputErrors> {
    let mut nodes = Vec::new();
    read_rows(
        path,
        &NODE_REQUIRED,
        &NODE_OPTIONAL,
        |f, c, line, errors| {
            let at = |k: usize| c[k].map_or("", |i| f[i]);
            let cpu = whole(
                at(1),
                crate::quantity::MAX_RESOURCE,
                line,
                "cpu_milli",
                errors,
            );
            let mem = whole(
                at(2),
                crate::quantity::MAX_RESOURCE >> 20,
                line,
                "memory_mib",
                errors,
            );
            let gpus = whole(at(3), MAX_NODE_GPUS as u64, line, "gpu", errors);
            if at(0).is_empty() {
                errors.push(line, "sn", "empty node name");
            }
            if let (Some(cpu_m), Some(mem), Some(gpus)) = (cpu, mem, gpus) {
                nodes.push(OpenbNode {
                    name: at(0).to_string(),
                    cpu_m,
                    memory: mem << 20,
                    gpus: gpus as u32,
                    model: at(4).to_string(),
                });
            }
        },
    )?;
    Ok(nodes)
}

/// Reads an OpenB pod list.
pub fn read_pods(path: &Path) -> Result<Vec<OpenbPod>, InputErrors> {
    let mut pods = Vec::new();
    read_rows(path, &POD_REQUIRED, &POD_OPTIONAL, |f, c, line, errors| {
        let at = |k: usize| c[k].map_or("", |i| f[i]);
        let cpu = whole(
            at(1),
            crate::quantity::MAX_RESOURCE,
            line,
            "cpu_milli",
            errors,
        );
        let mem = whole(
            at(2),
            crate::quantity::MAX_RESOURCE >> 20,
            line,
            "memory_mib",
            errors,
        );
        let gpus = whole(at(3), MAX_NODE_GPUS as u64, line, "num_gpu", errors);
        let milli = match at(4).parse::<i64>() {
            Ok(m) => Some(m.clamp(1, 1000) as u32),
            Err(_) => {
                errors.push(
                    line,
                    "gpu_milli",
                    format!(
                        "'{}' is not a whole number (expected milli-GPU, 0 to 1000)",
                        at(4)
                    ),
                );
                None
            }
        };
        if let (Some(cpu_m), Some(mem), Some(gpus), Some(milli)) = (cpu, mem, gpus, milli) {
            let models = at(5)
                .split('|')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            pods.push(OpenbPod {
                name: at(0).to_string(),
                cpu_m,
                memory: mem << 20,
                gpus: gpus as u32,
                milli: if gpus == 0 { 0 } else { milli },
                models,
            });
        }
    })?;
    Ok(pods)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir =
            std::env::temp_dir().join(format!("clustersim-openb-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn reads_both_formats() {
        let dir = scratch("read");
        let n = write(
            &dir,
            "n.csv",
            "sn,cpu_milli,memory_mib,gpu,model\na,64000,1024,2,P100\n",
        );
        assert_eq!(
            read_nodes(&n).unwrap(),
            vec![OpenbNode {
                name: "a".into(),
                cpu_m: 64000,
                memory: 1 << 30,
                gpus: 2,
                model: "P100".into()
            }]
        );
        let p = write(
            &dir,
            "p.csv",
            "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos\n\
             x,6000,12288,1,460,,LS\ny,1000,1,0,0,,BE\nz,1,1,2,1000,V100M16|V100M32,LS\n",
        );
        let pods = read_pods(&p).unwrap();
        assert_eq!((pods[0].gpus, pods[0].milli), (1, 460));
        assert_eq!((pods[1].gpus, pods[1].milli), (0, 0));
        assert_eq!(pods[2].models, vec!["V100M16", "V100M32"]);
    }

    #[test]
    fn every_bad_row_is_reported() {
        let dir = scratch("bad");
        let p = write(
            &dir,
            "p.csv",
            "name,cpu_milli,memory_mib,num_gpus,gpu_milli\nx,1,1,1,1\n",
        );
        let e = read_pods(&p).unwrap_err().to_string();
        assert!(e.contains("p.csv:1: unknown column 'num_gpus'"), "{e}");
        assert!(e.contains("did you mean 'num_gpu'?"), "{e}");
        assert!(e.contains("missing required column 'num_gpu'"), "{e}");
        let p = write(
            &dir,
            "q.csv",
            "name,cpu_milli,memory_mib,num_gpu,gpu_milli\nx,-1,1,1,1\ny,1,1,99,half\n",
        );
        let e = read_pods(&p).unwrap_err().to_string();
        assert!(
            e.contains("q.csv:2: cpu_milli: '-1' is not a whole number"),
            "{e}"
        );
        assert!(
            e.contains("q.csv:3: num_gpu: 99 is more than the limit of 64"),
            "{e}"
        );
        assert!(
            e.contains("q.csv:3: gpu_milli: 'half' is not a whole number"),
            "{e}"
        );
    }
}
