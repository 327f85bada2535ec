//! `clustersim trace convert`: public cluster traces to the native pod trace.

use std::path::{Component, Path, PathBuf};

use clap::{Args, Subcommand};

use crate::cli::{Failure, print_out, seed_arg};
use crate::convert::{self, ConvertError, Format, Options, Sink, scenario_yaml};
use crate::output::atomic::{AtomicFile, write_atomic};
use crate::output::count_of;
use crate::scenario::InputErrors;

#[derive(Subcommand, Debug)]
pub enum TraceCommand {
    /// Convert a public cluster trace (Google 2011/2019, Alibaba 2018, PAI 2020, OpenB 2023,
    /// Azure 2019) into the native pod trace CSV, and its machines into a scenario.
    Convert(ConvertArgs),
}

#[derive(Args, Debug)]
pub struct ConvertArgs {
    /// The source format.
    #[arg(long = "from", value_enum)]
    pub from: Format,
    /// The source tables (each recognised by its columns); event tables in time order.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// The native trace to write.
    #[arg(short = 'o', long = "output")]
    pub output: PathBuf,
    /// Keep pods submitted from START to END of the trace's time (and those still running at
    /// START), shifted so START is 0: e.g. 1h..3h, or 0..1d.
    #[arg(long, value_parser = window_arg)]
    pub window: Option<(u64, u64)>,
    /// Keep each pod with this probability (0 < F ≤ 1), decided by its name and the seed, so
    /// a smaller sample is part of a larger one.
    #[arg(long, value_parser = sample_arg)]
    pub sample: Option<f64>,
    /// Seed of the sample.
    #[arg(long, default_value_t = 1, value_parser = seed_arg, allow_negative_numbers = true)]
    pub seed: u64,
    /// Cores that a normalized cpu of 1.0 stands for (Google traces), e.g. 32.
    #[arg(long, value_parser = cpu_arg)]
    pub machine_cpu: Option<u64>,
    /// Memory that a normalized 1.0 (or 100%) stands for (Google, Alibaba 2018), e.g. 128Gi.
    #[arg(long, value_parser = memory_arg)]
    pub machine_memory: Option<u64>,
    /// Count rows that cannot be read and go on, instead of failing.
    #[arg(long)]
    pub skip_bad_rows: bool,
    /// Also write a scenario that runs the trace on the trace's machines (one pool per shape).
    #[arg(long)]
    pub scenario: Option<PathBuf>,
}

fn window_arg(text: &str) -> Result<(u64, u64), String> {
    let (a, b) = text
        .split_once("..")
        .ok_or_else(|| format!("expected START..END, such as 1h..3h or 0..1d, found '{text}'"))?;
    let at = |t: &str| -> Result<u64, String> {
        match t.trim() {
            "0" => Ok(0),
            t => crate::time::parse_duration(t).map(|d| d.0),
        }
    };
    let (start, end) = (at(a)?, at(b)?);
    if end <= start {
        return Err(format!(
            "the window's end must be after its start, found '{text}'"
        ));
    }
    Ok((start, end))
}

fn sample_arg(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(f) if f > 0.0 && f <= 1.0 => Ok(f),
        _ => Err(format!(
            "expected a fraction above 0 and at most 1, such as 0.1, found '{text}'"
        )),
    }
}

fn cpu_arg(text: &str) -> Result<u64, String> {
    let expected = || format!("expected a number of cores above 0, such as 32, found '{text}'");
    if !text.trim().starts_with(|c: char| c.is_ascii_digit()) {
        return Err(expected());
    }
    match crate::quantity::parse_cpu(text) {
        Ok(0) => Err(expected()),
        r => r,
    }
}

fn memory_arg(text: &str) -> Result<u64, String> {
    match crate::quantity::parse_memory(text) {
        // A machine of under 1 MiB is a unit left out: a number alone is bytes.
        Ok(b) if b < 1 << 20 => Err(format!(
            "'{text}' is {b} bytes; a memory value without a unit is bytes: did you mean {text}Gi?"
        )),
        r => r,
    }
}

pub fn trace(command: TraceCommand) -> Result<(), Failure> {
    match command {
        TraceCommand::Convert(args) => convert_command(args),
    }
}

/// The options as a command line (file names left out: the inputs are listed at the end).
fn command_text(args: &ConvertArgs) -> String {
    let mut c = format!("clustersim trace convert --from {}", args.from.name());
    if let Some((a, b)) = args.window {
        c.push_str(&format!(
            " --window {}s..{}s",
            convert::seconds_text(a),
            convert::seconds_text(b)
        ));
    }
    if let Some(f) = args.sample {
        c.push_str(&format!(" --sample {f} --seed {}", args.seed));
    }
    if let Some(cpu) = args.machine_cpu {
        c.push_str(&format!(
            " --machine-cpu {}",
            crate::quantity::format_cpu(cpu)
        ));
    }
    if let Some(m) = args.machine_memory {
        c.push_str(&format!(" --machine-memory {}", convert::memory_text(m)));
    }
    if args.skip_bad_rows {
        c.push_str(" --skip-bad-rows");
    }
    c
}

fn convert_command(args: ConvertArgs) -> Result<(), Failure> {
    let options = Options {
        format: args.from,
        inputs: args.inputs.clone(),
        window: args.window,
        sample: args.sample,
        seed: args.seed,
        machine_cpu_m: args.machine_cpu,
        machine_memory: args.machine_memory,
        skip_bad_rows: args.skip_bad_rows,
    };
    options.check()?;
    check_outputs(&args)?;
    let (cpu_scaled, memory_scaled) = args.from.needs_scale();
    let mut unused = Vec::new();
    if args.machine_cpu.is_some() && !cpu_scaled {
        unused.push("--machine-cpu");
    }
    if args.machine_memory.is_some() && !memory_scaled {
        unused.push("--machine-memory");
    }
    if !unused.is_empty() {
        crate::cli::print_warnings(&[format!(
            "{} not used: {} gives its requests in absolute units",
            unused.join(" and "),
            args.from.name()
        )]);
    }
    let command = command_text(&args);
    let cannot = |path: &Path| {
        let path = path.display().to_string();
        move |e: std::io::Error| Failure::Internal(format!("cannot write {path}: {e}"))
    };
    let file = AtomicFile::create(&args.output).map_err(cannot(&args.output))?;
    let mut sink = Sink::new(file, &options, &command).map_err(cannot(&args.output))?;
    let report = match convert::convert(&options, &mut sink) {
        Ok(r) => r,
        Err(ConvertError::Input(e)) => return Err(e.into()),
        Err(ConvertError::Output(e)) => return Err(cannot(&args.output)(e)),
    };
    let pools = report.machines.pools();
    if args.scenario.is_some() && pools.is_empty() {
        // Nothing is written: the trace alone is not what was asked for.
        return Err(InputErrors::single(
            "--scenario",
            format!(
                "no machine table among the inputs, so there are no nodes to write ({})",
                machine_tables(args.from)
            ),
        )
        .into());
    }
    let file = sink.finish(&report.files).map_err(cannot(&args.output))?;
    file.commit().map_err(cannot(&args.output))?;

    let t = &report.totals;
    print_out(&format!(
        "wrote {}: {} from {}",
        args.output.display(),
        count_of(t.written, "pod"),
        count_of(report.files.len() as u64, "file")
    ));
    let skipped: u64 = report.files.iter().map(|f| f.bad_rows_skipped).sum();
    if skipped > 0 {
        print_out(&format!("  skipped: {}", count_of(skipped, "bad row")));
    }
    for (reason, n) in &t.left_out {
        print_out(&format!("  left out: {n} {reason}"));
    }
    for (what, n) in &t.changed {
        print_out(&format!("  changed: {n} {what}"));
    }
    match &args.scenario {
        Some(path) => {
            let duration_ms = match args.window {
                Some((a, b)) => b - a,
                None => t.horizon,
            };
            let duration_s = duration_ms.div_ceil(1000).max(1);
            let name = scenario_name(path);
            let trace_path = relative_to(&args.output, path);
            let yaml = scenario_yaml(&name, &command, &trace_path, &pools, duration_s);
            write_atomic(path, yaml.as_bytes()).map_err(cannot(path))?;
            print_out(&format!(
                "wrote {}: {} in {}",
                path.display(),
                count_of(report.machines.len() as u64, "node"),
                count_of(pools.len() as u64, "pool")
            ));
        }
        None if !pools.is_empty() => print_out(&format!(
            "  {} read; add --scenario FILE to write a scenario with their pools",
            count_of(report.machines.len() as u64, "machine")
        )),
        None => {}
    }
    Ok(())
}

/// Refuses outputs that would replace something other than a regular file (a link, a FIFO, a
/// device, a folder) or overwrite an input, before anything is read.
fn check_outputs(args: &ConvertArgs) -> Result<(), InputErrors> {
    let mut errors = InputErrors::default();
    let mut outputs = vec![("-o", &args.output)];
    if let Some(s) = &args.scenario {
        if s == &args.output {
            errors
                .0
                .extend(InputErrors::single("--scenario", "is the same file as --output").0);
        }
        outputs.push(("--scenario", s));
    }
    for (flag, path) in outputs {
        if let Err(e) = super::check_output_file(flag, path, &args.inputs) {
            errors.0.extend(e.0);
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

fn machine_tables(format: Format) -> &'static str {
    match format {
        Format::Google2011 => "give machine_events",
        Format::Google2019 => "give a machine_events export",
        Format::Alibaba2018 => "give machine_meta",
        Format::AlibabaGpu2020 => "give pai_machine_spec",
        Format::AlibabaGpu2023 => "give openb_node_list_gpu_node.csv",
        Format::Azure2019 => "the Azure vmtable has no machines",
    }
}

/// A scenario name from its file name: lowercase letters, digits and `-`.
fn scenario_name(path: &Path) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut name: String = stem
        .chars()
        .map(|c| c.to_ascii_lowercase())
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .take(63)
        .collect();
    name = name.trim_matches('-').to_string();
    if name.is_empty() {
        "converted-trace".into()
    } else {
        name
    }
}

/// `target` as the scenario at `from` sees it: relative to the scenario's folder when both are
/// relative paths (or share a folder), else as given.
fn relative_to(target: &Path, from: &Path) -> String {
    let dir = from.parent().unwrap_or(Path::new(""));
    let target_dir = target.parent().unwrap_or(Path::new(""));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if dir == target_dir {
        return name;
    }
    let plain = |p: &Path| {
        p.components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
    };
    if plain(dir) && plain(target_dir) {
        let a: Vec<_> = dir
            .components()
            .filter(|c| *c != Component::CurDir)
            .collect();
        let b: Vec<_> = target_dir
            .components()
            .filter(|c| *c != Component::CurDir)
            .collect();
        let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
        let mut rel = PathBuf::new();
        for _ in common..a.len() {
            rel.push("..");
        }
        for c in &b[common..] {
            rel.push(c);
        }
        rel.push(&name);
        return rel.to_string_lossy().replace('\\', "/");
    }
    match std::fs::canonicalize(target) {
        Ok(p) => p.to_string_lossy().into_owned(),
        Err(_) => target.display().to_string(),
    }
}
