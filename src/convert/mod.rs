//! `clustersim trace convert`: public cluster traces to the native pod trace
//! ([`crate::scenario::trace`]) and, where the trace has machines, a scenario with one pool per
//! machine shape.
//!
//! Every format streams: rows are read one at a time and each pod is written as soon as it is
//! known, so memory grows with what must be remembered (tasks alive at once for Google's event
//! tables, one entry per machine or container), never with the size of a file. The column
//! mappings are in `docs/traces.md`; each format's module names its tables.
//!
//! Each source table is recognised by its shape: the number of columns of a headerless table
//! (the published schemas fix them), or the header of a table that has one.

mod alibaba_2018;
mod alibaba_gpu_2020;
mod alibaba_gpu_2023;
mod azure_2019;
mod google_2011;
mod google_2019;
mod machines;
mod sink;
mod source;
mod task_life;

use std::path::PathBuf;

pub use machines::{Machine, Machines, Pool, memory_text, scenario_yaml};
pub use sink::{Pod, Sink, Totals, seconds_text};
pub use source::FileSummary;

use crate::scenario::InputErrors;

/// A public trace format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Google ClusterData2011: task_events (and machine_events for nodes).
    #[value(name = "google-2011")]
    Google2011,
    /// Google Borg 2019: instance_events (and machine_events) exported as CSV or JSON lines.
    #[value(name = "google-2019")]
    Google2019,
    /// Alibaba cluster-trace-v2018: batch_task, container_meta (and machine_meta for nodes).
    #[value(name = "alibaba-2018")]
    Alibaba2018,
    /// Alibaba cluster-trace-gpu-v2020 (PAI): pai_task_table (and pai_machine_spec for nodes).
    #[value(name = "alibaba-gpu-2020")]
    AlibabaGpu2020,
    /// Alibaba cluster-trace-gpu-v2023 (OpenB): openb_pod_list_*.csv (and
    /// openb_node_list_gpu_node.csv for nodes).
    #[value(name = "alibaba-gpu-2023")]
    AlibabaGpu2023,
    /// Azure Public Dataset V2: vmtable (each VM becomes a pod of its size).
    #[value(name = "azure-2019")]
    Azure2019,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Google2011 => "google-2011",
            Format::Google2019 => "google-2019",
            Format::Alibaba2018 => "alibaba-2018",
            Format::AlibabaGpu2020 => "alibaba-gpu-2020",
            Format::AlibabaGpu2023 => "alibaba-gpu-2023",
            Format::Azure2019 => "azure-2019",
        }
    }

    /// The optional columns this format fills.
    fn columns(self) -> Columns {
        match self {
            Format::Google2011 | Format::Google2019 => Columns {
                namespace: false,
                gpu: false,
                priority: true,
            },
            Format::Alibaba2018 | Format::Azure2019 => Columns {
                namespace: true,
                gpu: false,
                priority: false,
            },
            Format::AlibabaGpu2020 => Columns {
                namespace: false,
                gpu: true,
                priority: false,
            },
            Format::AlibabaGpu2023 => Columns {
                namespace: true,
                gpu: true,
                priority: false,
            },
        }
    }

    /// Which machine capacities scale this format's normalized requests: (cpu, memory).
    pub fn needs_scale(self) -> (bool, bool) {
        match self {
            Format::Google2011 | Format::Google2019 => (true, true),
            // plan_mem and mem_size are percentages of a machine's memory.
            Format::Alibaba2018 => (false, true),
            Format::AlibabaGpu2020 | Format::AlibabaGpu2023 | Format::Azure2019 => (false, false),
        }
    }
}

/// Which optional columns of the native trace a format writes.
#[derive(Clone, Copy, Debug)]
pub struct Columns {
    pub namespace: bool,
    pub gpu: bool,
    pub priority: bool,
}

/// What `trace convert` was asked to do.
#[derive(Clone, Debug)]
pub struct Options {
    pub format: Format,
    pub inputs: Vec<PathBuf>,
    /// Keep pods submitted in `[start, end)` ms (and those still running at `start`); times are
    /// shifted so `start` becomes 0.
    pub window: Option<(u64, u64)>,
    /// Keep each pod with this probability, decided by the pod's name and `seed` alone.
    pub sample: Option<f64>,
    pub seed: u64,
    /// The largest machine's millicores: normalized cpu 1.0 is this much.
    pub machine_cpu_m: Option<u64>,
    /// The largest machine's bytes: normalized memory 1.0 (or 100%) is this much.
    pub machine_memory: Option<u64>,
    /// Count bad rows and go on instead of failing.
    pub skip_bad_rows: bool,
}

impl Options {
    /// Every input read whole: no window, no sample (seed 1), no scale, bad rows refused.
    pub fn new(format: Format, inputs: Vec<PathBuf>) -> Self {
        Options {
            format,
            inputs,
            window: None,
            sample: None,
            seed: 1,
            machine_cpu_m: None,
            machine_memory: None,
            skip_bad_rows: false,
        }
    }

    /// The scale flags a format needs but that are missing, as errors.
    pub fn check(&self) -> Result<(), InputErrors> {
        let (cpu, memory) = self.format.needs_scale();
        let mut errors = InputErrors::default();
        let why = match self.format {
            Format::Alibaba2018 => {
                "gives memory as a percentage of a machine's (plan_mem, mem_size)"
            }
            _ => "gives requests normalized to its largest machine",
        };
        if cpu && self.machine_cpu_m.is_none() {
            errors.0.extend(
                InputErrors::single(
                    "--machine-cpu",
                    format!(
                        "{} {why}: give the cores that 1.0 stands for, e.g. --machine-cpu 32",
                        self.format.name()
                    ),
                )
                .0,
            );
        }
        if memory && self.machine_memory.is_none() {
            errors.0.extend(
                InputErrors::single(
                    "--machine-memory",
                    format!(
                        "{} {why}: give the memory that 1.0 (100%) stands for, e.g. --machine-memory 128Gi",
                        self.format.name()
                    ),
                )
                .0,
            );
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// Normalized cpu (1.0 = the largest machine) to millicores, to the nearest millicore.
    fn scaled_cpu(&self, fraction: f64) -> u64 {
        scale(fraction, self.machine_cpu_m.unwrap_or(0), 1)
    }

    /// A machine of normalized capacity (Google's tables), without GPUs.
    fn scaled_machine(&self, cpu: f64, memory: f64) -> Machine {
        Machine {
            cpu_m: self.scaled_cpu(cpu),
            memory: self.scaled_memory(memory),
            gpus: 0,
            gpu_model: None,
        }
    }

    /// Normalized memory (1.0 = the largest machine) to bytes, to the nearest MiB.
    fn scaled_memory(&self, fraction: f64) -> u64 {
        scale(fraction, self.machine_memory.unwrap_or(0), 1 << 20)
    }
}

/// `fraction × whole`, rounded to the nearest multiple of `unit`; a positive fraction never
/// rounds to 0.
fn scale(fraction: f64, whole: u64, unit: u64) -> u64 {
    source::at_least_one(fraction * whole as f64 / unit as f64) * unit
}

/// What a conversion read and wrote.
pub struct Report {
    pub totals: Totals,
    pub files: Vec<FileSummary>,
    pub machines: Machines,
}

/// Why a conversion failed.
pub enum ConvertError {
    /// Bad input: every problem found.
    Input(InputErrors),
    /// Writing the output failed.
    Output(std::io::Error),
}

impl From<InputErrors> for ConvertError {
    fn from(e: InputErrors) -> Self {
        ConvertError::Input(e)
    }
}

/// Reads every input of `options` into `sink` and returns what was read. Every file is read
/// even after one has errors, so all problems are reported at once.
pub fn convert<W: std::io::Write>(
    options: &Options,
    sink: &mut Sink<W>,
) -> Result<Report, ConvertError> {
    options.check()?;
    let mut machines = Machines::default();
    let mut files = Vec::new();
    let mut errors = InputErrors::default();
    let mut state = State::new(options.format);
    for path in &options.inputs {
        match read_file(&mut state, path, options, sink, &mut machines) {
            Ok(summary) => files.push(summary),
            Err(source::Failed::Input(e)) => errors.0.extend(e.0),
            Err(source::Failed::Output(e)) => return Err(ConvertError::Output(e)),
        }
    }
    if !errors.is_empty() {
        return Err(ConvertError::Input(errors));
    }
    state.finish(options, sink).map_err(ConvertError::Output)?;
    Ok(Report {
        totals: sink.totals().clone(),
        files,
        machines,
    })
}

/// What a format remembers across rows and files.
enum State {
    /// Both Google formats: the Borg tasks alive.
    Borg(task_life::Tasks),
    Alibaba2018(alibaba_2018::State),
    /// The other formats read each row on its own.
    None,
}

impl State {
    fn new(format: Format) -> Self {
        match format {
            Format::Google2011 | Format::Google2019 => State::Borg(Default::default()),
            Format::Alibaba2018 => State::Alibaba2018(Default::default()),
            Format::AlibabaGpu2020 | Format::AlibabaGpu2023 | Format::Azure2019 => State::None,
        }
    }

    /// Writes what only the end of the input settles (tasks still running).
    fn finish<W: std::io::Write>(
        self,
        options: &Options,
        sink: &mut Sink<W>,
    ) -> std::io::Result<()> {
        match self {
            State::Borg(tasks) => tasks.finish(options, sink),
            _ => Ok(()),
        }
    }
}

fn read_file<W: std::io::Write>(
    state: &mut State,
    path: &std::path::Path,
    options: &Options,
    sink: &mut Sink<W>,
    machines: &mut Machines,
) -> Result<FileSummary, source::Failed> {
    let mut cx = source::Context {
        options,
        sink,
        machines,
    };
    match (state, options.format) {
        (State::Borg(tasks), Format::Google2011) => google_2011::read(tasks, path, &mut cx),
        (State::Borg(tasks), _) => google_2019::read(tasks, path, &mut cx),
        (State::Alibaba2018(s), _) => alibaba_2018::read(s, path, &mut cx),
        (_, Format::AlibabaGpu2020) => alibaba_gpu_2020::read(path, &mut cx),
        (_, Format::AlibabaGpu2023) => alibaba_gpu_2023::read(path, &mut cx),
        _ => azure_2019::read(path, &mut cx),
    }
}

/// A pod name from trace identifiers, at most 63 characters: joined with `-` when every part is
/// already lowercase letters and digits and the result is short enough; otherwise the start of
/// them (lowercased, other characters as `-`) followed by a hash of the original, so distinct
/// identifiers stay distinct names.
pub fn pod_name(parts: &[&str]) -> String {
    let plain = parts.iter().all(|p| {
        !p.is_empty()
            && p.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    });
    if plain {
        let name = parts.join("-");
        if name.len() <= crate::scenario::names::MAX_LABEL {
            return name;
        }
    }
    let joined = parts.join("\u{1f}");
    let mut name = String::with_capacity(64);
    for p in parts {
        for c in p.chars() {
            // Room for the hash: the whole name stays within one 63-character label.
            if name.len() >= 50 {
                break;
            }
            let c = c.to_ascii_lowercase();
            if c.is_ascii_lowercase() || c.is_ascii_digit() {
                name.push(c);
            } else if !name.is_empty() && !name.ends_with('-') {
                name.push('-');
            }
        }
        if !name.is_empty() && !name.ends_with('-') {
            name.push('-');
        }
    }
    // 48 bits of the key's hash, well mixed so near-identical ids get unlike suffixes.
    let hash = (crate::rng::keyed_unit(0, &joined) * (1u64 << 48) as f64) as u64;
    name.push_str(&format!("{hash:012x}"));
    name
}

#[cfg(test)]
mod tests;
