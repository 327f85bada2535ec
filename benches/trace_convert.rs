//! Streaming conversion of a public trace: 300,000 Google 2011 tasks (900,000 task_events
//! rows, about 35 MB) written as a native trace to nowhere. The rows are generated here, so the
//! benchmark needs no data set; 2,000 tasks are alive at any time, so the converter's memory
//! stays flat (one entry per live task).
//!
//! Run with `cargo bench --bench trace_convert -- --warm-up-time 1 --measurement-time 20`.

use std::fmt::Write as _;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};

use clustersim::convert::{Format, Options, Sink, convert};

/// SUBMIT, SCHEDULE and FINISH rows of `tasks` tasks, in time order, from a SplitMix64 stream.
fn task_events(tasks: u64) -> String {
    let mut state = 1u64;
    let mut next = move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let mut out = String::new();
    let mut live: std::collections::BinaryHeap<std::cmp::Reverse<(u64, u64)>> = Default::default();
    let mut t = 600_000_000u64;
    for job in 0..tasks {
        t += 1 + next() % 2000;
        let (cpu, mem) = (1 + next() % 9, 1 + next() % 9);
        let _ = writeln!(
            out,
            "{t},,{job},0,,0,u,1,{},0.0{cpu},0.0{mem},0.0001,0",
            job % 12
        );
        let _ = writeln!(out, "{},,{job},0,m,1,u,1,{},,,,", t + 5, job % 12);
        live.push(std::cmp::Reverse((t + 6 + next() % 100_000_000, job)));
        while live.len() > 2000 {
            let std::cmp::Reverse((end, j)) = live.pop().unwrap();
            let _ = writeln!(out, "{},,{j},0,m,4,u,1,{},,,,", end.max(t + 6), j % 12);
        }
    }
    out
}

fn bench(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("clustersim-bench-convert-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("task_events.csv");
    std::fs::write(&path, task_events(300_000)).unwrap();
    let options = Options {
        machine_cpu_m: Some(32_000),
        machine_memory: Some(128 << 30),
        ..Options::new(Format::Google2011, vec![path])
    };
    let mut group = c.benchmark_group("trace_convert");
    group.sample_size(10);
    group.bench_function("google_2011_300k_tasks", |b| {
        b.iter(|| {
            let mut sink = Sink::new(std::io::sink(), &options, "bench").unwrap();
            let report = convert(&options, &mut sink).ok().unwrap();
            black_box(report.totals.written)
        })
    });
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, bench);
criterion_main!(benches);
