//! Pod traces: CSV files replayed by `Trace` workloads.
//!
//! Columns (any order): `submit_time,cpu,memory,duration` required,
//! `name,namespace,gpu,gpu_milli,priority` optional. Times are seconds, decimals allowed,
//! converted to milliseconds exactly. An empty `duration` means the pod runs until the end of
//! the simulation. `gpu` is whole devices, `gpu_milli` a share of one device (1 to 1000), as in
//! a workload's `requests`. Lines starting with `#` are comments (`trace convert` writes its
//! provenance there).

use std::path::Path;

use super::error::InputError;
use super::input::{self, CsvErrors, CsvRows, InputKind, Unreadable};
use super::model::TraceRow;
use super::names::NameRule;
use crate::quantity::{Resources, parse_cpu, parse_gpu, parse_memory};
use crate::time::{MAX_DURATION_MS, SimDuration, SimTime, parse_decimal_scaled};

/// The most rows a trace may hold.
pub const MAX_TRACE_ROWS: u64 = 50_000_000;

const REQUIRED: [&str; 4] = ["submit_time", "cpu", "memory", "duration"];
const OPTIONAL: [&str; 5] = ["name", "namespace", "gpu", "gpu_milli", "priority"];

pub enum TraceLoadError {
    /// The file could not be opened or read; the reason.
    Unreadable(String),
    /// The file was read but has bad rows or columns.
    Invalid(Vec<InputError>),
}

/// Where each known column sits in a row.
#[derive(Default)]
struct Columns {
    submit_time: usize,
    cpu: usize,
    memory: usize,
    duration: usize,
    name: Option<usize>,
    namespace: Option<usize>,
    gpu: Option<usize>,
    gpu_milli: Option<usize>,
    priority: Option<usize>,
}

/// Loads and validates a trace, sorted by submit time (stable for equal times). The file is
/// read through [`input::open`]: a regular file only, at most
/// [`InputKind::PodTrace`]`.max_bytes()`, streamed.
pub fn load_trace(path: &Path) -> Result<Vec<TraceRow>, TraceLoadError> {
    let file = input::open(path, InputKind::PodTrace).map_err(TraceLoadError::Unreadable)?;
    read_trace(file, &path.display().to_string())
}

/// Reads a trace from any reader; `label` names it in errors.
pub fn read_trace(input: impl std::io::Read, label: &str) -> Result<Vec<TraceRow>, TraceLoadError> {
    let mut errors = CsvErrors::new(label);
    let unreadable = |e: Unreadable| TraceLoadError::Unreadable(e.0);
    let Some(mut reader) = CsvRows::with_comments(input, &mut errors).map_err(unreadable)? else {
        return Err(TraceLoadError::Invalid(errors.finish()));
    };
    let header = reader.header().to_vec();
    let Some(cols) = columns(&header, &mut errors) else {
        return Err(TraceLoadError::Invalid(errors.finish()));
    };

    let mut rows = Vec::new();
    let mut seen_names: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
    let mut record = csv::StringRecord::new();
    while let Some(line) = reader
        .next_row(&mut record, &mut errors)
        .map_err(unreadable)?
    {
        if rows.len() as u64 >= MAX_TRACE_ROWS {
            errors.push(
                line,
                "",
                format!("too many rows; a trace holds at most {MAX_TRACE_ROWS}"),
            );
            break;
        }
        if let Some(row) = parse_row(&record, &cols, line, &mut errors) {
            // Names identify pods in events.csv and `explain --pod`: they must be unique.
            if let Some(name) = &row.name
                && let Some(first) = seen_names.insert(name.clone(), line)
            {
                errors.push(
                    line,
                    "name",
                    format!("pod name '{name}' is used already, on line {first}"),
                );
            }
            rows.push(row);
        }
    }
    if !errors.is_empty() {
        return Err(TraceLoadError::Invalid(errors.finish()));
    }
    // Stable: rows submitted at the same time keep file order.
    rows.sort_by_key(|r| r.submit);
    Ok(rows)
}

fn columns(header: &[String], errors: &mut CsvErrors) -> Option<Columns> {
    let found = input::match_columns(header, &REQUIRED, &OPTIONAL, errors)?;
    Some(Columns {
        submit_time: found[0]?,
        cpu: found[1]?,
        memory: found[2]?,
        duration: found[3]?,
        name: found[4],
        namespace: found[5],
        gpu: found[6],
        gpu_milli: found[7],
        priority: found[8],
    })
}

fn name_error(text: &str, rule: NameRule) -> String {
    let shown: String = text.chars().take(40).collect();
    let more = if shown.len() < text.len() { "…" } else { "" };
    format!(
        "'{shown}{more}' is not a valid name: it must be {}",
        rule.describe()
    )
}

/// Seconds with up to three decimals, to whole milliseconds.
fn parse_seconds(text: &str) -> Result<u64, String> {
    let ms = parse_decimal_scaled(text, 1000).ok_or_else(|| {
        if text.parse::<f64>().is_ok_and(|x| x >= 0.0) {
            format!("'{text}' is not a whole number of milliseconds")
        } else {
            format!("'{text}' is not a non-negative number of seconds, such as 12 or 12.5")
        }
    })?;
    match u64::try_from(ms) {
        Ok(ms) if ms <= MAX_DURATION_MS => Ok(ms),
        _ => Err(format!("'{text}' seconds is over 100 years")),
    }
}

/// A share of one GPU: 1 to 1000 milli-GPU.
fn parse_share(text: &str) -> Result<u64, String> {
    match text.parse::<u64>() {
        Ok(m) if (1..=1000).contains(&m) => Ok(m),
        _ => Err(format!(
            "'{text}' is not a share of one GPU; expected 1 to 1000 milli-GPU"
        )),
    }
}

fn parse_row(
    record: &csv::StringRecord,
    cols: &Columns,
    line: u64,
    errors: &mut CsvErrors,
) -> Option<TraceRow> {
    let field = |i: usize| record.get(i).unwrap_or("");
    let optional = |i: Option<usize>| i.map(field).filter(|s| !s.is_empty());
    let before = errors.count();
    let mut check = |column: &str, r: Result<u64, String>| match r {
        Ok(v) => v,
        Err(e) => {
            errors.push(line, column, e);
            0
        }
    };
    let submit = check("submit_time", parse_seconds(field(cols.submit_time)));
    let cpu = check("cpu", parse_cpu(field(cols.cpu)));
    let memory = check("memory", parse_memory(field(cols.memory)));
    let whole = optional(cols.gpu).map(|g| check("gpu", parse_gpu(g)));
    let share = optional(cols.gpu_milli).map(|g| check("gpu_milli", parse_share(g)));
    let duration = match field(cols.duration) {
        "" => None,
        d => Some(SimDuration(check("duration", parse_seconds(d)))),
    };
    if whole.is_some() && share.is_some() {
        errors.push(
            line,
            "gpu_milli",
            "give either gpu (whole devices) or gpu_milli (a share of one device), not both",
        );
    }
    let gpu = whole.or(share).unwrap_or(0);
    let priority = match optional(cols.priority) {
        None => None,
        Some(p) => match p.parse::<i32>() {
            Ok(p) => Some(p),
            Err(_) => {
                errors.push(
                    line,
                    "priority",
                    format!(
                        "'{p}' is not a whole number between {} and {}",
                        i32::MIN,
                        i32::MAX
                    ),
                );
                None
            }
        },
    };
    // Names reach events.csv and `explain --pod`: Kubernetes' rules keep them short and plain.
    let name = optional(cols.name);
    if let Some(n) = name
        && !NameRule::DnsSubdomain.check(n)
    {
        errors.push(line, "name", name_error(n, NameRule::DnsSubdomain));
    }
    let namespace = optional(cols.namespace);
    if let Some(ns) = namespace
        && !NameRule::DnsLabel.check(ns)
    {
        errors.push(line, "namespace", name_error(ns, NameRule::DnsLabel));
    }
    if errors.count() > before {
        return None;
    }
    Some(TraceRow {
        submit: SimTime(submit),
        requests: Resources::new(cpu, memory, gpu),
        duration,
        name: name.map(str::to_string),
        namespace: namespace.map(str::to_string),
        priority,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::input::MAX_REPORTED_ERRORS;

    fn read(text: &str) -> Result<Vec<TraceRow>, Vec<String>> {
        read_trace(text.as_bytes(), "t.csv").map_err(|e| match e {
            TraceLoadError::Unreadable(r) => vec![r],
            TraceLoadError::Invalid(list) => list.iter().map(|e| e.to_string()).collect(),
        })
    }

    #[test]
    fn rows_are_parsed_exactly_and_sorted_stably() {
        let rows = read(
            "name,duration,memory,cpu,submit_time,priority\n\
             a,1.5,1Gi,500m,10.25,\n\
             b,,1024,2,5,3\n\
             c,0.001,1Mi,0.5,5,\n",
        )
        .unwrap();
        let names: Vec<_> = rows.iter().map(|r| r.name.as_deref().unwrap()).collect();
        assert_eq!(names, ["b", "c", "a"]);
        assert_eq!(rows[2].submit, SimTime(10_250));
        assert_eq!(rows[2].duration, Some(SimDuration(1500)));
        assert_eq!(rows[2].requests, Resources::new(500, 1 << 30, 0));
        assert_eq!(rows[0].duration, None);
        assert_eq!(rows[0].requests, Resources::new(2000, 1024, 0));
        assert_eq!(rows[0].priority, Some(3));
        assert_eq!(rows[1].duration, Some(SimDuration(1)));
    }

    #[test]
    fn bad_rows_name_their_line_and_column() {
        let errs = read(
            "submit_time,cpu,memory,duration\n\
             0,1,1Gi,10\n\
             1,2x,1Gi,10\n\
             -3,1,1Gi,0.0001\n",
        )
        .unwrap_err();
        assert_eq!(
            errs,
            [
                "t.csv:3: cpu: '2x' is not a cpu quantity; expected e.g. 500m, 2 or 0.5",
                "t.csv:4: submit_time: '-3' is not a non-negative number of seconds, such as 12 or 12.5",
                "t.csv:4: duration: '0.0001' is not a whole number of milliseconds",
            ]
        );
    }

    #[test]
    fn bad_headers_are_reported() {
        let errs = read("submit_time,cpus,memory,duration,foo\n").unwrap_err();
        assert_eq!(
            errs,
            [
                "t.csv:1: unknown column 'cpus', expected submit_time, cpu, memory, duration, name, namespace, gpu, gpu_milli, priority; did you mean 'cpu'?",
                "t.csv:1: unknown column 'foo', expected submit_time, cpu, memory, duration, name, namespace, gpu, gpu_milli, priority",
                "t.csv:1: missing required column 'cpu'",
            ]
        );
    }

    #[test]
    fn gpu_shares_and_comment_lines_are_read() {
        // Comment lines (before the header or between rows) are skipped; line numbers still
        // count them, so the first bad row below is line 7 of the file.
        let text = "# made by trace convert\n\
                    submit_time,cpu,memory,duration,gpu,gpu_milli\n\
                    0,1,1Gi,10,2,\n\
                    # a comment between rows\n\
                    1,1,1Gi,10,,460\n\
                    # a comment right before a bad row does not take its line number\n\
                    2,1,1Gi,10,1,500\n\
                    3,1,1Gi,10,,0\n";
        let errs = read(text).unwrap_err();
        assert_eq!(
            errs,
            [
                "t.csv:7: gpu_milli: give either gpu (whole devices) or gpu_milli (a share of one device), not both",
                "t.csv:8: gpu_milli: '0' is not a share of one GPU; expected 1 to 1000 milli-GPU",
            ]
        );
        let good: String = text.lines().take(5).map(|l| format!("{l}\n")).collect();
        let rows = read(&good).unwrap();
        // gpu 2 → 2 whole devices = 2000 milli-GPU; gpu_milli 460 → a 0.46 share of one.
        assert_eq!(rows[0].requests.gpu, 2000);
        assert_eq!(rows[1].requests.gpu, 460);
        // A header after comment lines: its errors name its own line (2), not line 1.
        let errs = read("# c\nsubmit_time,cpu,memory\n").unwrap_err();
        assert_eq!(errs, ["t.csv:2: missing required column 'duration'"]);
    }

    #[test]
    fn error_count_is_capped() {
        let mut text = String::from("submit_time,cpu,memory,duration\n");
        for _ in 0..80 {
            text.push_str("x,1,1,1\n");
        }
        let errs = read(&text).unwrap_err();
        assert_eq!(errs.len(), MAX_REPORTED_ERRORS + 1);
        assert_eq!(
            errs.last().unwrap(),
            "t.csv: ... and 30 more errors in this file"
        );
    }

    #[test]
    fn pod_names_and_namespaces_follow_kubernetes_rules() {
        // Pod names are DNS-1123 subdomains, namespaces DNS-1123 labels (as in Kubernetes).
        let errs = read(&format!(
            "submit_time,cpu,memory,duration,name,namespace\n0,1,1Gi,1,ok.pod-1,team-a\n1,1,1Gi,1,Bad_Pod,team-a\n2,1,1Gi,1,p2,team.a\n3,1,1Gi,1,{},x\n",
            "n".repeat(254)
        ))
        .unwrap_err();
        let subdomain = NameRule::DnsSubdomain.describe();
        assert_eq!(
            errs,
            [
                format!("t.csv:3: name: 'Bad_Pod' is not a valid name: it must be {subdomain}"),
                format!(
                    "t.csv:4: namespace: 'team.a' is not a valid name: it must be {}",
                    NameRule::DnsLabel.describe()
                ),
                format!(
                    "t.csv:5: name: '{}…' is not a valid name: it must be {subdomain}",
                    "n".repeat(40)
                ),
            ]
        );
    }

    #[test]
    fn ragged_rows_are_errors() {
        let errs = read("submit_time,cpu,memory,duration\n1,1,1\n").unwrap_err();
        assert_eq!(errs, ["t.csv:2: 3 fields, but the header has 4"]);
    }

    #[test]
    fn duplicate_pod_names_are_errors() {
        let text = "submit_time,cpu,memory,duration,name\n0,1,1Gi,1,a\n1,1,1Gi,1,b\n2,1,1Gi,1,a\n";
        let Err(TraceLoadError::Invalid(errors)) = read_trace(text.as_bytes(), "t.csv") else {
            panic!("duplicates must be refused");
        };
        assert_eq!(
            errors[0].to_string(),
            "t.csv:4: name: pod name 'a' is used already, on line 2"
        );
    }
}
