//! A structured, seeded fuzzer over the bundled scenarios and traces, run through the real CLI.
//!
//! Each case takes a bundled scenario (`scenarios/*.yaml`) and, for some classes, one of the
//! bundled traces, applies one mutation of a class (delete a key, duplicate a key, an extreme
//! scalar, other units, a list where a map belongs, a truncated file, corrupt CSV, odd `--set`
//! overrides, odd command lines, ...), writes the result into a scratch directory and runs
//! `validate`, `run` (`--until 10m`, sometimes `2h` or `1d`), `compare` (1–2 replicates) or `explain` on it. It checks:
//! - the exit code is 0 or 2 (1 only where the case made the environment fail: an unwritable
//!   `--out`), the process neither panics nor hangs (killed after 20 s; a case that then
//!   finishes within 120 s is reported as slow, a speed problem rather than a failure);
//! - every `error:` line of a refusal is located: `FILE:LINE:COL: ` (YAML), `FILE:LINE: ` (CSV),
//!   `FILE: ` for a whole-file problem, or names the command-line argument;
//! - the outputs of a successful run are sane: JSON that parses, no NaN, infinity or null among
//!   the numbers, no negative cost, utilizations within 0..=1.
//!
//! Case `i` of seed `s` is the same on every machine, whatever the number of workers, so a
//! finding is reproduced with `CLUSTERSIM_FUZZ_SEED=s CLUSTERSIM_FUZZ_ONLY=i`. Environment:
//! - `CLUSTERSIM_FUZZ_CASES=N` (default 180, ten of each class) or `CLUSTERSIM_FUZZ_SECONDS=N` (run until then);
//! - `CLUSTERSIM_FUZZ_SEED=N` (default 1), `CLUSTERSIM_FUZZ_ONLY=I` (one case);
//! - `CLUSTERSIM_FUZZ_JOBS=N` worker threads (default 2);
//! - `CLUSTERSIM_FUZZ_BIN=PATH` another build of the binary (a release build runs faster);
//! - `CLUSTERSIM_FUZZ_KEEP=DIR` keeps the files of every failing case there;
//! - `CLUSTERSIM_FUZZ_SHOW=1` prints every case and its verdict.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Map, Value};

use crate::{bin, clustersim_within, scratch_dir};

/// Case randomness: [`crate::SplitMix`], tiny, seedable and the same everywhere.
struct Rng(crate::SplitMix);

impl Rng {
    fn new(seed: u64, case: u64) -> Self {
        let mut r = Rng(crate::SplitMix(
            seed ^ case.wrapping_mul(0x9E37_79B9_7F4A_7C15),
        ));
        r.next();
        r
    }
    fn next(&mut self) -> u64 {
        self.0.next_u64()
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// The mutation classes, in the order they are reported.
const CLASSES: &[&str] = &[
    "delete_key",
    "duplicate_key",
    "extreme_scalar",
    "change_units",
    "swap_list_map",
    "insert_key",
    "duplicate_item",
    "odd_name",
    "truncate_file",
    "text_edit",
    "corrupt_trace",
    "pool_trace",
    "special_file",
    "set_override",
    "odd_command_line",
    "boundary_values",
    "swap_enum",
    "combined",
];

/// A scalar written into the YAML text as is (`.nan`, `1e400`, `~`), not as a quoted string.
const RAW: &str = "\u{0}raw:";

fn raw(text: &str) -> Value {
    Value::String(format!("{RAW}{text}"))
}

/// Values that have broken parsers before: types, signs, sizes, special floats, text.
fn extreme_value(rng: &mut Rng) -> Value {
    let long = "x".repeat(300 + rng.below(20_000));
    match rng.below(30) {
        0 => Value::from(0),
        1 => Value::from(-1),
        2 => raw("18446744073709551616"),
        3 => raw("-9223372036854775809"),
        4 => raw("1e308"),
        5 => raw("1e400"),
        6 => raw(".nan"),
        7 => raw("-.inf"),
        8 => Value::String("NaN".into()),
        9 => Value::String("inf".into()),
        10 => Value::Null,
        11 => Value::String(String::new()),
        12 => Value::String(long),
        13 => Value::String("zöne-ä 🙂".into()),
        14 => Value::String("\u{202e}rtl\u{0007}".into()),
        15 => Value::Bool(true),
        16 => Value::Array(vec![]),
        17 => Value::Object(Map::new()),
        18 => Value::from(0.5),
        19 => Value::from(1_000_000),
        20 => Value::from(4_294_967_296u64),
        21 => raw("0x1F"),
        22 => raw("-0"),
        23 => Value::String("1e-400".into()),
        24 => Value::String("-5m".into()),
        25 => Value::String("0.0001s".into()),
        26 => Value::from(i64::MAX),
        27 => Value::String("  ".into()),
        28 => Value::String("a/b/../..".into()),
        _ => Value::from(1e-9),
    }
}

/// A value at the edge of what is valid, of the same kind as `current`, so the run goes on.
fn boundary_value(rng: &mut Rng, current: &Value) -> Value {
    match current {
        Value::Number(n) if n.is_f64() => {
            Value::from(*rng.pick(&[0.0, 1e-9, 1e-3, 0.5, 0.99, 1.0, 10.0, 1e6, 1e12]))
        }
        Value::Number(_) => Value::from(*rng.pick(&[
            0i64,
            1,
            2,
            63,
            100,
            110,
            1000,
            50_000,
            i64::from(i32::MAX),
            i64::from(i32::MIN),
        ])),
        Value::String(s) if s.ends_with(['s', 'm', 'h', 'd']) && !s.ends_with("Gi") => {
            Value::String(
                rng.pick(&[
                    "0s", "1ms", "1s", "59s", "1h", "7d", "30d", "3650d", "36500d",
                ])
                .to_string(),
            )
        }
        Value::String(_) => Value::String(
            rng.pick(&["0", "1m", "1", "0.001", "1Ki", "1Ei", "999999", "1Pi"])
                .to_string(),
        ),
        other => other.clone(),
    }
}

/// Every enumerated value of the format, so a swap stays valid (or nearly).
const ENUM_VALUES: &[&str] = &[
    "least-allocated",
    "kubernetes-default",
    "most-allocated",
    "balanced",
    "first-fit",
    "best-fit",
    "worst-fit",
    "dot-product",
    "random",
    "power-of-two",
    "fifo",
    "priority",
    "largest-first",
    "on-demand",
    "reserved",
    "spot",
    "on-notice",
    "on-termination",
    "never",
    "<5%",
    ">20%",
    "NoSchedule",
    "PreferNoSchedule",
    "NoExecute",
    "Equal",
    "Exists",
    "In",
    "NotIn",
    "DoesNotExist",
    "zone",
    "hostname",
    "DoNotSchedule",
    "ScheduleAnyway",
    "Never",
    "PreemptLowerPriority",
    "Batch",
    "Deployment",
    "Trace",
];

/// Other spellings of a quantity or a duration.
fn unit_variant(rng: &mut Rng, text: &str) -> Value {
    let digits: String = text
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let n = if digits.is_empty() {
        "1".into()
    } else {
        digits
    };
    let suffixes = [
        "", "m", "Gi", "G", "Ki", "Ei", "E", "Pi", "ms", "s", "h", "d", "w", "y", "mi", "gi", "Mi",
        "k", "u", "n", "e3", "1h", "m30s", "h30m",
    ];
    let suffix = rng.pick(&suffixes);
    match rng.below(6) {
        0 => Value::from(n.parse::<f64>().unwrap_or(1.0)),
        1 => Value::String(format!("-{n}{suffix}")),
        2 => Value::String(format!("{n}.5{suffix}")),
        3 => Value::String(format!("{n}{n}{n}{n}{n}{n}{n}{suffix}")),
        4 => Value::String(format!("{n} {suffix}")),
        _ => Value::String(format!("{n}{suffix}")),
    }
}

/// One step of a path into a JSON tree.
#[derive(Clone, Debug)]
enum Seg {
    Key(String),
    Index(usize),
}

fn all_paths(v: &Value, prefix: &mut Vec<Seg>, out: &mut Vec<Vec<Seg>>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                prefix.push(Seg::Key(k.clone()));
                out.push(prefix.clone());
                all_paths(child, prefix, out);
                prefix.pop();
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                prefix.push(Seg::Index(i));
                out.push(prefix.clone());
                all_paths(child, prefix, out);
                prefix.pop();
            }
        }
        _ => {}
    }
}

fn at<'a>(v: &'a Value, path: &[Seg]) -> &'a Value {
    path.iter().fold(v, |node, seg| match seg {
        Seg::Key(k) => &node[k.as_str()],
        Seg::Index(i) => &node[*i],
    })
}

fn at_mut<'a>(v: &'a mut Value, path: &[Seg]) -> &'a mut Value {
    path.iter().fold(v, |node, seg| match seg {
        Seg::Key(k) => &mut node[k.as_str()],
        Seg::Index(i) => &mut node[*i],
    })
}

/// A YAML block emitter: maps and lists on their own lines, strings JSON-quoted (a subset of
/// YAML's double-quoted style), [`RAW`] scalars as written.
fn emit(v: &Value) -> String {
    let mut out = String::new();
    emit_into(v, 0, &mut out);
    out
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) if s.starts_with(RAW) => s[RAW.len()..].to_string(),
        Value::Object(m) if m.is_empty() => "{}".into(),
        Value::Array(a) if a.is_empty() => "[]".into(),
        other => other.to_string(),
    }
}

fn is_block(v: &Value) -> bool {
    matches!(v, Value::Object(m) if !m.is_empty()) || matches!(v, Value::Array(a) if !a.is_empty())
}

fn key_text(k: &str) -> String {
    let plain = k
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    if plain {
        k.to_string()
    } else {
        Value::String(k.to_string()).to_string()
    }
}

fn emit_into(v: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match v {
        Value::Object(m) if !m.is_empty() => {
            for (k, child) in m {
                if is_block(child) {
                    let _ = writeln!(out, "{pad}{}:", key_text(k));
                    emit_into(child, indent + 2, out);
                } else {
                    let _ = writeln!(out, "{pad}{}: {}", key_text(k), scalar(child));
                }
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for item in items {
                if is_block(item) {
                    // The item's first line goes after "- ", the rest keep their indentation.
                    let mut inner = String::new();
                    emit_into(item, indent + 2, &mut inner);
                    let _ = write!(out, "{pad}- {}", &inner[indent + 2..]);
                } else {
                    let _ = writeln!(out, "{pad}- {}", scalar(item));
                }
            }
        }
        other => {
            let _ = writeln!(out, "{pad}{}", scalar(other));
        }
    }
}

/// A bundled scenario: its file name, its tree and the traces it names.
struct Base {
    file: String,
    tree: Value,
}

fn scenarios_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

fn bases() -> Vec<Base> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(scenarios_dir())
        .expect("scenarios/")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            let mut tree: Value = serde_saphyr::from_str(&text).expect("bundled scenarios parse");
            // Trace paths become absolute, so the mutated copy can live anywhere.
            if let Some(workloads) = tree["workloads"].as_array_mut() {
                for w in workloads {
                    if let Some(p) = w.get("path").and_then(Value::as_str) {
                        let abs = path.parent().unwrap().join(p);
                        w["path"] = Value::String(abs.display().to_string());
                    }
                }
            }
            Base {
                file: path.file_name().unwrap().to_string_lossy().into_owned(),
                tree,
            }
        })
        .collect()
}

/// One generated case: the files to write, and the command line (with `{dir}` for the case's
/// directory).
struct Case {
    class: &'static str,
    base: String,
    yaml: String,
    files: Vec<(String, Vec<u8>)>,
    command: Vec<String>,
    /// The case made the environment fail on purpose (exit 1 is then correct).
    environmental: bool,
    /// A `run` whose outputs should be checked when it succeeds.
    out_dir: Option<String>,
}

fn odd_cell(rng: &mut Rng) -> String {
    rng.pick(&[
        "",
        "-1",
        "1e400",
        "NaN",
        "inf",
        "abc",
        "99999999999999999999",
        "1Ei",
        "0.0001",
        "2147483648",
        "-2147483649",
        "\"unterminated",
        "a\"b",
        "  7  ",
        "1,5",
        "JOB_ÄÖ",
        "x.y.z",
        "-bad-",
    ])
    .to_string()
}

/// A CSV table mutated by one of a dozen corruptions.
fn corrupt_csv(rng: &mut Rng, text: &str) -> Vec<u8> {
    let mut rows: Vec<Vec<String>> = text
        .lines()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    let width = rows.first().map_or(0, Vec::len);
    let pick_row = |rng: &mut Rng, rows: &Vec<Vec<String>>| 1 + rng.below(rows.len().max(2) - 1);
    match rng.below(14) {
        0 if width > 0 => {
            let c = rng.below(width);
            rows.iter_mut().for_each(|r| {
                if c < r.len() {
                    r.remove(c);
                }
            });
        }
        1 if width > 0 => {
            let c = rng.below(width);
            rows[0][c] = format!("{}x", rows[0][c]);
        }
        2 if width > 0 => {
            let c = rng.below(width);
            rows.iter_mut().for_each(|r| {
                let v = r.get(c).cloned().unwrap_or_default();
                r.push(v);
            });
        }
        3 if rows.len() > 1 => {
            let r = pick_row(rng, &rows);
            if let Some(cell) = rows[r].first_mut() {
                *cell = odd_cell(rng);
            }
        }
        4 if rows.len() > 1 => {
            let r = pick_row(rng, &rows);
            let c = rng.below(rows[r].len().max(1));
            if c < rows[r].len() {
                rows[r][c] = odd_cell(rng);
            }
        }
        5 if rows.len() > 1 => {
            let r = pick_row(rng, &rows);
            rows[r].pop();
        }
        6 if rows.len() > 1 => {
            let r = pick_row(rng, &rows);
            rows[r].push("extra".into());
        }
        7 => {
            let mut bytes = text.as_bytes().to_vec();
            bytes.truncate(rng.below(bytes.len() + 1));
            return bytes;
        }
        8 => {
            let mut bytes = text.as_bytes().to_vec();
            let at = rng.below(bytes.len() + 1);
            bytes.splice(at..at, [0xff, 0xfe]);
            return bytes;
        }
        9 => return Vec::new(),
        10 => rows.truncate(1),
        11 if rows.len() > 2 => {
            let r = pick_row(rng, &rows);
            let copy = rows[r].clone();
            rows.push(copy);
        }
        12 => {
            let mut out = format!("\u{feff}{text}").replace('\n', "\r\n").into_bytes();
            out.extend_from_slice(b"\r\n\r\n");
            return out;
        }
        _ if width > 0 => {
            // Every cell of one column, the extreme way.
            let c = rng.below(width);
            let v = odd_cell(rng);
            rows.iter_mut().skip(1).for_each(|r| {
                if c < r.len() {
                    r[c] = v.clone();
                }
            });
        }
        _ => {}
    }
    let mut out = String::new();
    for r in rows {
        out.push_str(&r.join(","));
        out.push('\n');
    }
    out.into_bytes()
}

fn price_trace(rng: &mut Rng) -> String {
    let mut t = String::from("time_s,price_per_hour\n");
    for i in 0..1 + rng.below(6) {
        let _ = writeln!(t, "{},{}", i * 600, 0.1 + i as f64 / 10.0);
    }
    t
}

fn reclaim_trace(rng: &mut Rng) -> String {
    let mut t = if rng.chance(50) {
        String::from("time_s,zone,count\n")
    } else {
        String::from("time_s,zone,share\n")
    };
    let share = t.contains("share");
    for i in 0..1 + rng.below(5) {
        let zone = rng.pick(&["zone-a", "zone-b", "zone-c", "default"]);
        if share {
            let _ = writeln!(t, "{},{zone},0.{}", 60 + i * 300, 1 + rng.below(9));
        } else {
            let _ = writeln!(t, "{},{zone},{}", 60 + i * 300, rng.below(4));
        }
    }
    t
}

/// Field names to insert: known ones in the wrong place, misspellings, nonsense.
const KEYS: &[&str] = &[
    "name",
    "count",
    "zones",
    "cpu",
    "memory",
    "gpu",
    "replicas",
    "duration",
    "seed",
    "kind",
    "price_trace",
    "trace",
    "waves",
    "labels",
    "taints",
    "priority",
    "limit",
    "cpus",
    "Name",
    "sample_interval",
    "interruption",
    "mtbf",
    "node",
    "pods",
    "",
    "🙂",
    "variants",
    "set",
];

/// Moves one numeric or quantity-like leaf to the edge of its valid range.
fn mutate_boundary(tree: &mut Value, paths: &[Vec<Seg>], rng: &mut Rng) {
    let leaves: Vec<&Vec<Seg>> = paths
        .iter()
        .filter(|p| {
            let v = at(tree, p);
            v.is_number()
                || v.as_str()
                    .is_some_and(|s| s.starts_with(|c: char| c.is_ascii_digit()))
        })
        .collect();
    if !leaves.is_empty() {
        let path = (*rng.pick(&leaves)).clone();
        let current = at(tree, &path).clone();
        *at_mut(tree, &path) = boundary_value(rng, &current);
    }
}

/// Replaces one enumerated value by another (or sets a scheduling policy).
fn mutate_enum(tree: &mut Value, paths: &[Vec<Seg>], rng: &mut Rng) {
    let enums: Vec<&Vec<Seg>> = paths
        .iter()
        .filter(|p| {
            at(tree, p)
                .as_str()
                .is_some_and(|s| ENUM_VALUES.contains(&s))
        })
        .collect();
    if enums.is_empty() {
        tree["scheduler"] = serde_json::json!({ "policy": rng.pick(&ENUM_VALUES[..10]) });
    } else {
        let path = (*rng.pick(&enums)).clone();
        *at_mut(tree, &path) = Value::String(rng.pick(ENUM_VALUES).to_string());
    }
}

/// Generates case `index` of `seed`.
fn generate(seed: u64, index: u64, bases: &[Base]) -> Case {
    let mut rng = Rng::new(seed, index);
    let class = CLASSES[(index as usize) % CLASSES.len()];
    // The CSV classes need a scenario with a trace or a pool to attach one to.
    let candidates: Vec<&Base> = match class {
        "corrupt_trace" => bases
            .iter()
            .filter(|b| {
                b.tree["workloads"]
                    .as_array()
                    .is_some_and(|w| w.iter().any(|w| w.get("path").is_some()))
            })
            .collect(),
        _ => bases.iter().collect(),
    };
    let base = *rng.pick(&candidates);
    let mut tree = base.tree.clone();
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut extra_args: Vec<String> = Vec::new();
    let mut text_edit: Option<fn(&mut Rng, String) -> String> = None;
    let mut environmental = false;
    let mut paths = Vec::new();
    all_paths(&tree, &mut Vec::new(), &mut paths);

    match class {
        "delete_key" => {
            let keyed: Vec<&Vec<Seg>> = paths
                .iter()
                .filter(|p| matches!(p.last(), Some(Seg::Key(_))))
                .collect();
            let path = (*rng.pick(&keyed)).clone();
            let (last, parent) = path.split_last().unwrap();
            if let (Seg::Key(k), Value::Object(m)) = (last, at_mut(&mut tree, parent)) {
                m.shift_remove(k);
            }
        }
        "duplicate_key" => {
            text_edit = Some(|rng, text| {
                let lines: Vec<&str> = text.lines().collect();
                let keyed: Vec<usize> = (0..lines.len())
                    .filter(|&i| {
                        let t = lines[i].trim_start().trim_start_matches("- ");
                        t.contains(':') && !t.starts_with('"')
                    })
                    .collect();
                if keyed.is_empty() {
                    return text;
                }
                let i = *rng.pick(&keyed);
                let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
                // The copy goes right after the original, as a sibling key.
                let copy = lines[i].replacen("- ", "  ", 1);
                out.insert(i + 1, copy);
                out.join("\n") + "\n"
            });
        }
        "extreme_scalar" => {
            let path = rng.pick(&paths).clone();
            *at_mut(&mut tree, &path) = extreme_value(&mut rng);
        }
        "change_units" => {
            let unit_paths: Vec<&Vec<Seg>> = paths
                .iter()
                .filter(|p| {
                    let v = at(&tree, p);
                    v.is_number()
                        || v.as_str()
                            .is_some_and(|s| s.starts_with(|c: char| c.is_ascii_digit()))
                })
                .collect();
            if !unit_paths.is_empty() {
                let path = (*rng.pick(&unit_paths)).clone();
                let current = at_mut(&mut tree, &path).clone();
                let text = current
                    .as_str()
                    .map_or_else(|| current.to_string(), str::to_string);
                *at_mut(&mut tree, &path) = unit_variant(&mut rng, &text);
            }
        }
        "swap_list_map" => {
            let path = rng.pick(&paths).clone();
            let node = at_mut(&mut tree, &path);
            *node = match node.take() {
                Value::Array(items) => Value::Object(
                    items
                        .into_iter()
                        .enumerate()
                        .map(|(i, v)| (i.to_string(), v))
                        .collect(),
                ),
                Value::Object(m) => Value::Array(m.into_iter().map(|(_, v)| v).collect()),
                scalar => Value::Array(vec![scalar]),
            };
        }
        "insert_key" => {
            let maps: Vec<Vec<Seg>> = std::iter::once(vec![])
                .chain(paths.iter().cloned())
                .filter(|p| at(&tree, p).is_object())
                .collect();
            let path = rng.pick(&maps).clone();
            let key = rng.pick(KEYS).to_string();
            let value = extreme_value(&mut rng);
            if let Value::Object(m) = at_mut(&mut tree, &path) {
                m.insert(key, value);
            }
        }
        "duplicate_item" => {
            let lists: Vec<&Vec<Seg>> = paths
                .iter()
                .filter(|p| at(&tree, p).as_array().is_some_and(|a| !a.is_empty()))
                .collect();
            if !lists.is_empty() {
                let path = (*rng.pick(&lists)).clone();
                if let Value::Array(items) = at_mut(&mut tree, &path) {
                    let copy = items[rng.below(items.len())].clone();
                    let copies = if rng.chance(10) { 2000 } else { 1 };
                    for _ in 0..copies {
                        items.push(copy.clone());
                    }
                }
            }
        }
        "odd_name" => {
            let named: Vec<&Vec<Seg>> = paths
                .iter()
                .filter(|p| {
                    matches!(p.last(), Some(Seg::Key(k)) if ["name", "namespace", "zones", "key", "labels", "node_selector"].contains(&k.as_str()))
                        || matches!(p.as_slice(), [Seg::Key(z), ..] if z == "cluster") && matches!(p.last(), Some(Seg::Index(_)))
                })
                .collect();
            let names = [
                "x".repeat(64),
                "y".repeat(254),
                "z".repeat(300),
                "Upper".into(),
                "under_score".into(),
                "-dash".into(),
                "dash-".into(),
                "dot.ted".into(),
                "sp ace".into(),
                "ünï".into(),
                "a/b".into(),
                "example.com/key".into(),
                "..".into(),
                "新しい".into(),
            ];
            if !named.is_empty() {
                let path = (*rng.pick(&named)).clone();
                let name = rng.pick(&names).clone();
                let node = at_mut(&mut tree, &path);
                match node {
                    Value::Object(m) if !m.is_empty() => {
                        // A label map: the odd name as a key, or as a value.
                        if rng.chance(50) {
                            m.insert(name, Value::String("v".into()));
                        } else if let Some((_, v)) = m.iter_mut().next() {
                            *v = Value::String(name);
                        }
                    }
                    Value::Array(items) if !items.is_empty() => {
                        items[0] = Value::String(name);
                    }
                    _ => *node = Value::String(name),
                }
            }
        }
        "truncate_file" => {
            text_edit = Some(|rng, text| {
                let mut cut = rng.below(text.len() + 1);
                while !text.is_char_boundary(cut) {
                    cut -= 1;
                }
                text[..cut].to_string()
            });
        }
        "text_edit" => {
            text_edit = Some(|rng, text| {
                let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
                if lines.is_empty() {
                    return text;
                }
                let i = rng.below(lines.len());
                match rng.below(6) {
                    0 => {
                        lines.remove(i);
                    }
                    1 => lines[i] = format!("\t{}", lines[i]),
                    2 => lines[i] = format!(" {}", lines[i]),
                    3 => lines.insert(i, "&anchor *alias: [".into()),
                    4 => {
                        let j = rng.below(lines.len());
                        lines.swap(i, j);
                    }
                    _ => lines.push("---\nname: second-document".into()),
                }
                lines.join("\n") + "\n"
            });
        }
        "corrupt_trace" => {
            if let Some(workloads) = tree["workloads"].as_array_mut() {
                for w in workloads.iter_mut() {
                    if let Some(p) = w.get("path").and_then(Value::as_str) {
                        let original = std::fs::read_to_string(p).unwrap_or_default();
                        files.push(("pods.csv".into(), corrupt_csv(&mut rng, &original)));
                        w["path"] = Value::String("pods.csv".into());
                        break;
                    }
                }
            }
        }
        "pool_trace" => {
            if let Some(pools) = tree["cluster"]["pools"].as_array_mut() {
                let n = pools.len();
                let pool = &mut pools[rng.below(n)];
                let (name, text) = if rng.chance(50) {
                    ("prices.csv", price_trace(&mut rng))
                } else {
                    ("reclaims.csv", reclaim_trace(&mut rng))
                };
                let bytes = if rng.chance(60) {
                    corrupt_csv(&mut rng, &text)
                } else {
                    text.into_bytes()
                };
                files.push((name.into(), bytes));
                if name == "prices.csv" {
                    pool["price_trace"] = Value::String(name.into());
                } else {
                    if !pool.get("interruption").is_some_and(Value::is_object) {
                        pool["interruption"] = Value::Object(Map::new());
                    }
                    pool["interruption"]["trace"] = Value::String(name.into());
                }
            }
        }
        "special_file" => {
            let target = rng
                .pick(&[
                    "/dev/zero",
                    "/dev/null",
                    "/",
                    ".",
                    "fifo.csv",
                    "missing.csv",
                    "/dev/urandom",
                ])
                .to_string();
            if target == "fifo.csv" {
                files.push(("fifo.csv".into(), b"\0fifo".to_vec()));
            }
            match rng.below(3) {
                0 => {
                    if let Some(pools) = tree["cluster"]["pools"].as_array_mut() {
                        pools[0]["price_trace"] = Value::String(target);
                    }
                }
                1 => {
                    if let Some(pools) = tree["cluster"]["pools"].as_array_mut() {
                        pools[0]["interruption"] = serde_json::json!({ "trace": target });
                        pools[0]["capacity_type"] = Value::String("spot".into());
                    }
                }
                _ => {
                    if let Some(w) = tree["workloads"].as_array_mut() {
                        w.push(
                            serde_json::json!({"name": "replay", "kind": "Trace", "path": target}),
                        );
                    }
                }
            }
        }
        "set_override" => {
            let set_paths = [
                "cluster.zones",
                "cluster.pools.0.count",
                "cluster.pools.99.count",
                "cluster.pools.nosuch.node.cpu",
                "workloads.0.requests",
                "workloads",
                "duration",
                "sample_interval",
                "name",
                "seed",
                "scheduler.policy",
                "cluster.pools.0.zones",
                "cluster.pools.0.interruption.waves.mean_time_between",
                "variants",
                "a.b.c.d.e.f",
                "cluster.pools.0.count.deeper",
                " ",
                "",
            ];
            let values = [
                "null",
                "",
                "~",
                "-1",
                "[]",
                "{}",
                "[x",
                "{a: [}",
                "1e308",
                ".nan",
                "0",
                "1ms",
                "999999999",
                "'quoted'",
                "\"\\u0000\"",
                "=",
                "a=b",
                "{cpu: 1, memory: 1Gi}",
                "[zone-a, zone-a]",
            ];
            for _ in 0..1 + rng.below(3) {
                extra_args.push("--set".into());
                extra_args.push(format!("{}={}", rng.pick(&set_paths), rng.pick(&values)));
            }
        }
        "boundary_values" => {
            // One to three leaves moved to the edge of the valid range: these cases run.
            for _ in 0..1 + rng.below(3) {
                mutate_boundary(&mut tree, &paths, &mut rng);
            }
        }
        "swap_enum" => mutate_enum(&mut tree, &paths, &mut rng),
        "combined" => {
            // Several valid-looking changes at once, where one alone is harmless.
            for _ in 0..2 + rng.below(4) {
                mutate_boundary(&mut tree, &paths, &mut rng);
            }
            if tree
                .get("scheduler")
                .is_none_or(|s| s.get("filters").is_none())
            {
                tree["scheduler"] = serde_json::json!({
                    "policy": rng.pick(&ENUM_VALUES[..10]),
                    "queue": rng.pick(&ENUM_VALUES[10..13]),
                });
            }
        }
        _ => {
            // "odd_command_line": the scenario is fine, the arguments are not.
            let odd: Vec<Vec<&str>> = vec![
                vec!["--seed", "-1"],
                vec!["--seed", "18446744073709551616"],
                vec!["--seed", "1e3"],
                vec!["--until", "-1m"],
                vec!["--until", "0s"],
                vec!["--until", "1000000d"],
                vec!["--until", "soon"],
                vec!["--until"],
                vec!["--replicates", "0"],
                vec!["--replicates", "-3"],
                vec!["--jobs", "0"],
                vec!["--pod", ""],
                vec!["--pod", "no-such-pod"],
                vec!["--set"],
                vec!["--set", "x"],
                vec!["--no-such-flag"],
                vec!["--events", "--events"],
                vec!["--out", "{dir}/a-file/sub"],
                vec!["--out", "/proc/version/out"],
                vec!["--", "-x"],
            ];
            let chosen = rng.pick(&odd);
            environmental = chosen
                .iter()
                .any(|a| a.contains("a-file") || a.contains("/proc/"));
            if environmental {
                files.push(("a-file".into(), b"not a directory".to_vec()));
            }
            extra_args.extend(chosen.iter().map(|s| s.to_string()));
        }
    }

    let mut yaml = emit(&tree);
    if let Some(edit) = text_edit {
        yaml = edit(&mut rng, yaml);
    }
    let first_workload = tree["workloads"][0]["name"]
        .as_str()
        .filter(|n| !n.contains('\0'))
        .map_or_else(|| "web-0".to_string(), |n| format!("{n}-0"));
    let command_kind = *rng.pick(&["validate", "run", "run", "run", "compare", "explain"]);
    let file = "{dir}/scenario.yaml".to_string();
    let mut command: Vec<String> = vec![command_kind.into(), file];
    let mut out_dir = None;
    match command_kind {
        "run" => {
            let until = if rng.chance(80) {
                "10m"
            } else {
                *rng.pick(&["2h", "1d"])
            };
            command.extend(["--until", until, "-q", "--out", "{dir}/out"].map(String::from));
            if rng.chance(50) {
                command.push("--events".into());
            }
            out_dir = Some("{dir}/out".to_string());
        }
        "compare" => {
            let replicates = 1 + rng.below(2);
            command.extend(
                [
                    "--replicates",
                    &replicates.to_string(),
                    "-q",
                    "--out",
                    "{dir}/cmp",
                    "--set",
                    "duration=1h",
                ]
                .map(String::from),
            );
            out_dir = Some("{dir}/cmp".to_string());
        }
        "explain" => {
            command.extend(["--pod", &first_workload, "--set", "duration=1h"].map(String::from));
        }
        _ => {}
    }
    // An odd `--out` replaces the default one (clap refuses a second `--out`).
    if extra_args.iter().any(|a| a == "--out")
        && let Some(i) = command.iter().position(|a| a == "--out")
    {
        command.drain(i..i + 2);
        out_dir = None;
    }
    command.extend(extra_args);
    Case {
        class,
        base: base.file.clone(),
        yaml,
        files,
        command,
        environmental,
        out_dir,
    }
}

/// Is this `error:` line located as the standards require?
fn located(line: &str) -> bool {
    let rest = line.trim_start_matches("error: ");
    // Command-line errors name the argument: ours as `<--until>: `, clap's as `'--until <D>'`.
    if rest.starts_with("<--")
        || rest.contains("'--")
        || rest.starts_with("unexpected argument")
        || rest.starts_with("unrecognized subcommand")
        || rest.starts_with("the following required arguments")
    {
        return true;
    }
    // FILE:LINE:COL: or FILE:LINE: (CSV) — FILE has no ':' in the scratch paths used here.
    let mut parts = rest.splitn(4, ':');
    let (file, a, b) = (parts.next(), parts.next(), parts.next());
    let number =
        |s: Option<&str>| s.is_some_and(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()));
    if file.is_some_and(|f| !f.is_empty()) && number(a) {
        return number(b) || b.is_some_and(|b| b.starts_with(' '));
    }
    // A problem with a whole file: it cannot be read, or a count of further errors.
    let whole_file = [
        ": cannot read",
        ": ... and ",
        ": the text is larger",
        ": not a valid scenario",
    ];
    whole_file.iter().any(|w| rest.contains(w))
}

/// Checks every number in a JSON tree: finite (NaN and infinity become `null`), costs ≥ 0,
/// utilizations within 0..=1.
fn check_numbers(v: &Value, path: &str, problems: &mut Vec<String>) {
    match v {
        Value::Null => problems.push(format!("{path} is null (NaN or infinity?)")),
        Value::Number(n) => {
            let x = n.as_f64().unwrap_or(f64::NAN);
            if !x.is_finite() {
                problems.push(format!("{path} = {x}"));
            }
            // In comparison.json a metric holds its mean, interval and replicate count: only
            // the mean is a cost or a utilization (an interval may reach past the range).
            let value = !path.ends_with(".replicates") && !path.contains("ci95");
            if value && path.contains("cost") && x < -1e-9 {
                problems.push(format!("{path} = {x} is a negative cost"));
            }
            if value && path.contains("utilization") && !(0.0..=1.0 + 1e-9).contains(&x) {
                problems.push(format!("{path} = {x} is outside 0..=1"));
            }
        }
        Value::Object(m) => m
            .iter()
            .for_each(|(k, c)| check_numbers(c, &format!("{path}.{k}"), problems)),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, c)| check_numbers(c, &format!("{path}[{i}]"), problems)),
        _ => {}
    }
}

/// Checks a successful command's outputs: `summary.json` of a run, `comparison.json` of a
/// compare (whichever the directory should hold), `timeseries.csv`, and no temporary files.
fn check_outputs(dir: &Path, problems: &mut Vec<String>) {
    let compare = dir.file_name().is_some_and(|n| n == "cmp");
    let wanted = if compare {
        "comparison.json"
    } else {
        "summary.json"
    };
    for file in [wanted] {
        let path = dir.join(file);
        let Ok(bytes) = std::fs::read(&path) else {
            problems.push(format!("{file} missing"));
            continue;
        };
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(v) => check_numbers(&v, file, problems),
            Err(e) => problems.push(format!("{file} does not parse: {e}")),
        }
    }
    if let Ok(ts) = std::fs::read_to_string(dir.join("timeseries.csv")) {
        let header: Vec<&str> = ts.lines().next().unwrap_or("").split(',').collect();
        for (n, line) in ts.lines().enumerate().skip(1) {
            for (col, cell) in header.iter().zip(line.split(',')) {
                let x: f64 = cell.parse().unwrap_or(f64::NAN);
                let bad = !x.is_finite()
                    || (col.ends_with("_allocated") && !(0.0..=1.0 + 1e-9).contains(&x))
                    || (*col == "cost_usd" && x < 0.0);
                if bad {
                    problems.push(format!("timeseries.csv line {}: {col} = {cell}", n + 1));
                    return;
                }
            }
        }
    }
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.ends_with(".tmp") || name.contains(".tmp-") {
                problems.push(format!("temporary file left: {name}"));
            }
        }
    }
}

/// What happened to one case.
enum Verdict {
    Accepted,
    Refused,
    Environmental,
    /// Took more than 20 s but finished: a speed cliff, not a defect of the input layer.
    Slow(String),
    Finding(String),
}

fn judge(case: &Case, dir: &Path, bin: &Path) -> Verdict {
    for (name, bytes) in &case.files {
        if name == "fifo.csv" {
            let _ = std::process::Command::new("mkfifo")
                .arg(dir.join(name))
                .status();
        } else {
            std::fs::write(dir.join(name), bytes).unwrap();
        }
    }
    std::fs::write(dir.join("scenario.yaml"), &case.yaml).unwrap();
    let d = dir.display().to_string();
    let args: Vec<String> = case
        .command
        .iter()
        .map(|a| a.replace("{dir}", &d))
        .collect();
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let started = Instant::now();
    let o = match clustersim_within(bin, &argv, Duration::from_secs(20)) {
        Some(o) => o,
        // A loaded machine can stretch a legitimately large run past 20 s: a second try with
        // more time tells a slow case (reported, not a failure) from a hang.
        None => match clustersim_within(bin, &argv, Duration::from_secs(120)) {
            Some(_) => {
                return Verdict::Slow(format!(
                    "over 20 s, then finished in {:.0} s",
                    started.elapsed().as_secs_f64() - 20.0
                ));
            }
            None => return Verdict::Finding("hang: killed after 20 s and after 120 s".into()),
        },
    };
    let err = String::from_utf8_lossy(&o.stderr);
    if err.contains("panicked") || o.status.code() == Some(101) {
        let line = err.lines().find(|l| l.contains("panicked")).unwrap_or("");
        let next = err
            .lines()
            .skip_while(|l| !l.contains("panicked"))
            .nth(1)
            .unwrap_or("");
        return Verdict::Finding(format!("panic: {line} {next}"));
    }
    match o.status.code() {
        Some(0) => {
            if let Some(out) = &case.out_dir {
                let mut problems = Vec::new();
                check_outputs(Path::new(&out.replace("{dir}", &d)), &mut problems);
                if !problems.is_empty() {
                    return Verdict::Finding(format!("bad outputs: {}", problems.join("; ")));
                }
            }
            Verdict::Accepted
        }
        Some(2) => {
            let unlocated: Vec<&str> = err
                .lines()
                .filter(|l| l.starts_with("error:") && !located(l))
                .collect();
            if unlocated.is_empty() {
                Verdict::Refused
            } else {
                Verdict::Finding(format!(
                    "unlocated error: {}",
                    unlocated[0].chars().take(300).collect::<String>()
                ))
            }
        }
        Some(1) if case.environmental => Verdict::Environmental,
        code => Verdict::Finding(format!(
            "exit {code:?}: {}",
            err.lines()
                .next()
                .unwrap_or("")
                .chars()
                .take(300)
                .collect::<String>()
        )),
    }
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

#[derive(Default)]
struct Tally {
    /// class → (cases, accepted, refused, environmental, findings, slow)
    per_class: BTreeMap<&'static str, [u64; 6]>,
    findings: Vec<String>,
    slow: Vec<String>,
}

#[test]
fn fuzz_the_cli_over_mutated_bundled_scenarios() {
    let seed = env_u64("CLUSTERSIM_FUZZ_SEED").unwrap_or(1);
    let seconds = env_u64("CLUSTERSIM_FUZZ_SECONDS");
    let cases =
        env_u64("CLUSTERSIM_FUZZ_CASES").unwrap_or(if seconds.is_some() { u64::MAX } else { 180 });
    let only = env_u64("CLUSTERSIM_FUZZ_ONLY");
    let jobs = env_u64("CLUSTERSIM_FUZZ_JOBS").unwrap_or(2).max(1);
    let bin = std::env::var_os("CLUSTERSIM_FUZZ_BIN").map_or_else(bin, PathBuf::from);
    let keep = std::env::var_os("CLUSTERSIM_FUZZ_KEEP").map(PathBuf::from);
    let show = std::env::var_os("CLUSTERSIM_FUZZ_SHOW").is_some();
    let deadline = seconds.map(|s| Instant::now() + Duration::from_secs(s));
    let bases = bases();
    let root = scratch_dir("fuzz");
    let next = AtomicU64::new(only.unwrap_or(0));
    let last = only.map_or(cases, |i| i + 1);
    let tally = Mutex::new(Tally::default());
    let started = Instant::now();

    std::thread::scope(|scope| {
        for worker in 0..jobs {
            let (bases, root, next, tally, bin, keep) = (&bases, &root, &next, &tally, &bin, &keep);
            scope.spawn(move || {
                loop {
                    let index = next.fetch_add(1, Ordering::SeqCst);
                    if index >= last || deadline.is_some_and(|d| Instant::now() > d) {
                        break;
                    }
                    let case = generate(seed, index, bases);
                    let dir = root.join(format!("w{worker}"));
                    let _ = std::fs::remove_dir_all(&dir);
                    std::fs::create_dir_all(&dir).unwrap();
                    let verdict = judge(&case, &dir, bin);
                    if show {
                        let what = match &verdict {
                            Verdict::Accepted => "accepted".to_string(),
                            Verdict::Refused => "refused".to_string(),
                            Verdict::Environmental => "environmental".to_string(),
                            Verdict::Slow(f) => format!("slow: {f}"),
                            Verdict::Finding(f) => format!("FINDING {f}"),
                        };
                        println!("case {index} {} {}: {} -> {what}", case.class, case.base, case.command.join(" "));
                    }
                    let mut t = tally.lock().unwrap();
                    t.per_class.entry(case.class).or_default()[0] += 1;
                    let done: u64 = t.per_class.values().map(|r| r[0]).sum();
                    if done.is_multiple_of(1000) {
                        eprintln!("fuzz: {done} cases, {:.0} s", started.elapsed().as_secs_f64());
                    }
                    let row = t.per_class.get_mut(case.class).expect("counted above");
                    match verdict {
                        Verdict::Accepted => row[1] += 1,
                        Verdict::Refused => row[2] += 1,
                        Verdict::Environmental => row[3] += 1,
                        Verdict::Slow(what) => {
                            row[5] += 1;
                            let note = format!(
                                "case {index} (seed {seed}, class {}, {}): {what}\n    clustersim {}",
                                case.class,
                                case.base,
                                case.command.join(" ")
                            );
                            eprintln!("slow: {note}");
                            t.slow.push(note);
                        }
                        Verdict::Finding(what) => {
                            row[4] += 1;
                            let mut report = format!(
                                "case {index} (seed {seed}, class {}, {}): {what}\n    clustersim {}",
                                case.class,
                                case.base,
                                case.command.join(" ")
                            );
                            if let Some(keep) = keep {
                                let kept = keep.join(format!("seed{seed}-case{index}"));
                                let _ = std::fs::remove_dir_all(&kept);
                                let _ = std::fs::create_dir_all(&kept);
                                let _ = std::process::Command::new("cp")
                                    .arg("-r")
                                    .arg(format!("{}/.", dir.display()))
                                    .arg(&kept)
                                    .status();
                                let _ = write!(report, "\n    files kept in {}", kept.display());
                            }
                            // Shown at once, so a long campaign reports as it goes.
                            eprintln!("finding: {report}");
                            t.findings.push(report);
                        }
                    }
                }
            });
        }
    });
    let _ = std::fs::remove_dir_all(&root);

    let t = tally.into_inner().unwrap();
    let mut table = format!(
        "fuzz: seed {seed}, {:.1} s, {} workers\n{:<18} {:>7} {:>9} {:>8} {:>5} {:>9} {:>5}\n",
        started.elapsed().as_secs_f64(),
        jobs,
        "class",
        "cases",
        "accepted",
        "refused",
        "env",
        "findings",
        "slow"
    );
    let mut total = [0u64; 6];
    for class in CLASSES {
        let row = t.per_class.get(class).copied().unwrap_or_default();
        let _ = writeln!(
            table,
            "{class:<18} {:>7} {:>9} {:>8} {:>5} {:>9} {:>5}",
            row[0], row[1], row[2], row[3], row[4], row[5]
        );
        for (sum, x) in total.iter_mut().zip(row) {
            *sum += x;
        }
    }
    let _ = writeln!(
        table,
        "{:<18} {:>7} {:>9} {:>8} {:>5} {:>9} {:>5}",
        "total", total[0], total[1], total[2], total[3], total[4], total[5]
    );
    println!("{table}");
    for note in &t.slow {
        println!("slow: {note}");
    }
    let mut findings = t.findings;
    findings.sort();
    assert!(
        findings.is_empty(),
        "{} findings:\n{}",
        findings.len(),
        findings.join("\n")
    );
}

#[test]
fn the_emitter_round_trips_every_bundled_scenario() {
    // The fuzzer mutates trees and writes them back as YAML; unmutated, they must still load.
    let dir = scratch_dir("fuzz-emit");
    for base in bases() {
        let file = dir.join(&base.file);
        std::fs::write(&file, emit(&base.tree)).unwrap();
        let o = crate::clustersim(&["validate", file.to_str().unwrap()]);
        assert!(o.status.success(), "{}: {}", base.file, crate::stderr(&o));
    }
    // Located-error recognition, both ways.
    for (line, ok) in [
        ("error: s.yaml:3:11: duration: bad", true),
        ("error: pods.csv:4: cpu: bad", true),
        ("error: <--set>: x: bad (from --set x)", true),
        ("error: invalid value '-1' for '--seed <N>': expected", true),
        ("error: s.yaml: cannot read: No such file", true),
        ("error: CSV error: record 2 (line: 3, byte: 40)", false),
        ("error: s.yaml: something without a line", false),
    ] {
        assert_eq!(located(line), ok, "{line}");
    }
}
