//! Converters on small fixtures written from the published schemas. Every output is also read
//! back as a native trace, so a converter that writes something the simulator refuses fails.

use std::path::PathBuf;

use super::*;

fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("clustersim-convert-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn options(format: Format, inputs: Vec<PathBuf>) -> Options {
    Options {
        machine_cpu_m: Some(32_000),
        machine_memory: Some(128 << 30),
        ..Options::new(format, inputs)
    }
}

/// Converts `files` (name, text) with `tweak` applied to the options: the output's data rows
/// (comments and header left out), its whole text, and the report; or every error, with the
/// scratch folder left out of the file names.
fn run(
    test: &str,
    format: Format,
    files: &[(&str, &str)],
    tweak: impl FnOnce(&mut Options),
) -> Result<(Vec<String>, String, Report), Vec<String>> {
    let dir = scratch(test);
    let mut inputs = vec![];
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        inputs.push(path);
    }
    let mut o = options(format, inputs);
    tweak(&mut o);
    let mut sink = Sink::new(Vec::new(), &o, "test").unwrap();
    let prefix = format!("{}/", dir.display());
    let report = match convert(&o, &mut sink) {
        Ok(r) => r,
        Err(ConvertError::Input(e)) => {
            return Err(e
                .0
                .iter()
                .map(|e| e.to_string().replace(&prefix, ""))
                .collect());
        }
        Err(ConvertError::Output(e)) => panic!("{e}"),
    };
    let bytes = sink.finish(&report.files).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    // What the simulator would load: it must accept every converted file.
    if let Err(crate::scenario::trace::TraceLoadError::Invalid(e)) =
        crate::scenario::trace::read_trace(text.as_bytes(), "out.csv")
    {
        panic!("the converted trace does not load: {e:?}\n{text}");
    }
    let rows = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .skip(1)
        .map(str::to_string)
        .collect();
    Ok((rows, text, report))
}

/// The fields at `keep` of each row, joined by commas.
fn pick(rows: &[String], keep: &[usize]) -> Vec<String> {
    rows.iter()
        .map(|r| {
            let f: Vec<&str> = r.split(',').collect();
            keep.iter().map(|&i| f[i]).collect::<Vec<_>>().join(",")
        })
        .collect()
}

fn left_out(report: &Report, reason: &str) -> u64 {
    report.totals.left_out.get(reason).copied().unwrap_or(0)
}

fn changed(report: &Report, what: &str) -> u64 {
    report.totals.changed.get(what).copied().unwrap_or(0)
}

/// task_events rows: time (s), job, index, event type, priority, cpu, memory.
fn task_event(t_s: u64, job: u64, index: u64, kind: u8, cpu: &str, mem: &str) -> String {
    format!(
        "{},,{job},{index},,{kind},user,1,9,{cpu},{mem},0.0001,0\n",
        t_s * 1_000_000
    )
}

#[test]
fn google_2011_tasks_become_pods_with_their_last_run() {
    let mut t = String::new();
    // Task 1/0: submitted at 600 s, runs 610..700 → one pod, duration 90 s; cpu 0.5 × 32 cores
    // = 16 cores, memory 0.25 × 128 GiB = 32 GiB; priority 9.
    t += &task_event(600, 1, 0, 0, "0.5", "0.25");
    t += &task_event(610, 1, 0, 1, "", "");
    // Task 1/1: evicted at 650 after 45 s, resubmitted at 651, runs 660..760: the evicted run's
    // work was lost, so the pod is submitted at 600 and runs 100 s.
    t += &task_event(600, 1, 1, 0, "0.125", "0.0625");
    t += &task_event(605, 1, 1, 1, "", "");
    t += &task_event(650, 1, 1, 2, "", "");
    t += &task_event(651, 1, 1, 0, "", "");
    t += &task_event(660, 1, 1, 1, "", "");
    // Task 1/2: killed while pending → left out.
    t += &task_event(600, 1, 2, 0, "0.1", "0.1");
    t += &task_event(620, 1, 2, 5, "", "");
    // Task 1/3: submitted without a request, updated while running (UPDATE_RUNNING) to 0.25
    // cpu = 8 cores and 0.125 memory = 16 GiB, still running at the end → empty duration.
    t += &task_event(600, 1, 3, 0, "", "");
    t += &task_event(610, 1, 3, 1, "", "");
    t += &task_event(620, 1, 3, 8, "0.25", "0.125");
    // Task 1/4: fails after 10 s and is resubmitted: two pods, told apart by submit time.
    t += &task_event(600, 1, 4, 0, "0.03125", "0.03125");
    t += &task_event(601, 1, 4, 1, "", "");
    t += &task_event(611, 1, 4, 3, "", "");
    t += &task_event(612, 1, 4, 0, "0.03125", "0.03125");
    t += &task_event(613, 1, 4, 1, "", "");
    t += &task_event(623, 1, 4, 4, "", "");
    // Task 1/5: never scheduled.
    t += &task_event(700, 1, 5, 0, "0.1", "0.1");
    // Task 1/0 finishes at 700; 1/1 at 760.
    t += &task_event(700, 1, 0, 4, "", "");
    t += &task_event(760, 1, 1, 4, "", "");
    // Task 2/0 runs past the end of the trace (time 2^63 − 1): no duration.
    t += &task_event(600, 2, 0, 0, "0.5", "0.5");
    t += &task_event(601, 2, 0, 1, "", "");
    t += "9223372036854775807,,2,0,,4,user,1,11,,,,\n";
    // Machines: two ADDs of one machine count once; an UPDATE and a row without capacity add
    // nothing; shapes 0.5/0.25 (16 cores, 32 GiB) ×2 and 1/1 (32 cores, 128 GiB) ×1.
    let machines = "0,5,0,p,0.5,0.25\n0,6,0,p,0.5,0.25\n0,7,0,p,1,1\n100,5,0,p,0.5,0.25\n\
                    200,5,2,p,1,1\n0,8,0,p,,\n";
    let (rows, text, report) = run(
        "google-2011",
        Format::Google2011,
        &[("task_events.csv", &t), ("machine_events.csv", machines)],
        |_| {},
    )
    .unwrap();
    assert_eq!(
        rows,
        [
            // Written as each task ends, then those still running, in (job, index) order.
            // 0.03125 × 32 cores = 1 core, 0.03125 × 128 GiB = 4 GiB; ran 601..611 and 613..623.
            "600,1,4Gi,10,1-4-600000,9",
            "612,1,4Gi,10,1-4-612000,9",
            "600,16,32Gi,90,1-0-600000,9",
            // 0.125 × 32 = 4 cores, 0.0625 × 128 GiB = 8 GiB.
            "600,4,8Gi,100,1-1-600000,9",
            // Ended after the trace: written at its row, without a duration; priority updated.
            "600,16,64Gi,,2-0-600000,11",
            "600,8,16Gi,,1-3-600000,9",
        ]
    );
    assert_eq!(left_out(&report, "killed before it ran"), 1);
    assert_eq!(
        left_out(&report, "still pending at the end of the input"),
        1
    );
    assert_eq!(
        left_out(&report, "machine rows without a capacity (no node made)"),
        1
    );
    let pools = report.machines.pools();
    let summary: Vec<(String, u64)> = pools.iter().map(|p| (p.name.clone(), p.count)).collect();
    assert_eq!(
        summary,
        [
            ("cpu16-mem32gi".to_string(), 2),
            ("cpu32-mem128gi".to_string(), 1)
        ]
    );
    assert!(
        text.contains("# input task_events.csv: task_events (24 rows"),
        "{text}"
    );
    assert!(
        text.contains("# left out: 1 killed before it ran"),
        "{text}"
    );
    assert!(
        text.starts_with("# test\n# converted by clustersim"),
        "{text}"
    );
}

#[test]
fn the_window_keeps_what_runs_inside_it_and_the_sample_nests() {
    // Azure rows (the simplest: submit = start): vmid, sub, dep, created, deleted, ..., buckets.
    let vm = |id: &str, created: u64, deleted: u64| {
        format!("{id},s,d,{created},{deleted},90,10,50,Interactive,2,4\n")
    };
    let mut t = String::new();
    t += &vm("early", 0, 500); // ends before the window (1000..2000): out
    t += &vm("across", 500, 1500); // running at 1000: submitted at 0 with 500 s left
    t += &vm("inside", 1200, 1300); // submitted at 200, runs 100 s
    t += &vm("late", 2000, 2500); // submitted at the window's end: out
    let (rows, text, report) = run("window", Format::Azure2019, &[("vmtable.csv", &t)], |o| {
        o.window = Some((1_000_000, 2_000_000));
    })
    .unwrap();
    let name = |id: &str| format!("vm-{:016x}", crate::rng::fnv1a64(id.as_bytes()));
    assert_eq!(
        rows,
        [
            format!("0,2,4Gi,500,{},interactive", name("across")),
            format!("200,2,4Gi,100,{},interactive", name("inside")),
        ]
    );
    assert_eq!(left_out(&report, "ended before the window"), 1);
    assert_eq!(
        changed(
            &report,
            "running when the window opens: submitted at 0 with the time it had left"
        ),
        1
    );
    assert_eq!(left_out(&report, "submitted after the window"), 1);
    assert!(text.contains("# window: pods submitted from 1000 s to 2000 s"));
    // The window's length sets the horizon: the last written end is 1500 − 1000 = 500 s.
    assert_eq!(report.totals.horizon, 500_000);

    // Sampling: 2,000 VMs, kept with probability 0.3 and 0.6 under one seed. The count kept is
    // binomial: 600 ± 4 standard deviations (√(2000 × 0.3 × 0.7) ≈ 20.5, so ±82), and
    // 1200 ± 4 × √(2000 × 0.6 × 0.4) ≈ ±88. The 0.3 sample is inside the 0.6 one (one coin
    // per name), and another seed keeps other VMs.
    let many: String = (0..2000).map(|i| vm(&format!("v{i}"), i, i + 10)).collect();
    let sample = |f: f64, seed: u64| {
        let (rows, _, _) = run(
            "sample",
            Format::Azure2019,
            &[("vmtable.csv", &many)],
            |o| {
                o.sample = Some(f);
                o.seed = seed;
            },
        )
        .unwrap();
        rows.into_iter()
            .map(|r| r.split(',').nth(4).unwrap().to_string())
            .collect::<std::collections::BTreeSet<_>>()
    };
    let small = sample(0.3, 7);
    let large = sample(0.6, 7);
    assert!(
        (600 - 82..=600 + 82).contains(&small.len()),
        "{}",
        small.len()
    );
    assert!(
        (1200 - 88..=1200 + 88).contains(&large.len()),
        "{}",
        large.len()
    );
    assert!(small.is_subset(&large));
    assert_ne!(small, sample(0.3, 8));
    assert_eq!(small, sample(0.3, 7));
}

#[test]
fn alibaba_2018_tasks_expand_to_their_instances() {
    // plan_cpu 50 = 0.5 core; plan_mem 0.2 % of 512 GiB = 1048.6 MiB → 1049 Mi; 3 instances.
    // Running → no duration; Waiting and an empty plan are left out and counted.
    let tasks = "M1,3,j_1,1,Terminated,100,160,50,0.2\n\
                 R2_1,1,j_1,1,Running,170,0,100,1\n\
                 M3,2,j_2,1,Waiting,0,0,100,1\n\
                 M4,1,j_2,1,Terminated,0,10,,\n";
    // The first row per container and per machine counts; 96 cores, 100 % = 512 GiB.
    let containers = "c_1,m_1,5,app_1,started,400,400,1.5\nc_1,m_1,9,app_1,started,400,400,1.5\n";
    let machines = "m_1,0,1,1,96,100,USING\nm_1,50,1,1,96,100,USING\nm_2,0,2,1,96,100,USING\n";
    let (rows, _, report) = run(
        "alibaba-2018",
        Format::Alibaba2018,
        &[
            ("batch_task.csv", tasks),
            ("container_meta.csv", containers),
            ("machine_meta.csv", machines),
        ],
        |o| o.machine_memory = Some(512 << 30),
    )
    .unwrap();
    let names: Vec<&str> = rows.iter().map(|r| r.split(',').nth(4).unwrap()).collect();
    assert_eq!(
        pick(&rows, &[0, 1, 2, 3, 5]),
        [
            "100,500m,1049Mi,60,batch",
            "100,500m,1049Mi,60,batch",
            "100,500m,1049Mi,60,batch",
            // 1 % of 512 GiB = 5242.88 MiB → 5243 Mi.
            "170,1,5243Mi,,batch",
            // 400 = 4 cores; 1.5 % of 512 GiB = 7864.32 MiB → 7864 Mi.
            "5,4,7864Mi,,online",
        ]
    );
    assert!(names[0].starts_with("j-1-m1-0-"), "{}", names[0]);
    assert_eq!(
        names
            .iter()
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
        5
    );
    assert_eq!(
        left_out(
            &report,
            "batch tasks that never started (status Waiting, Ready, ...)"
        ),
        1
    );
    assert_eq!(
        left_out(&report, "batch tasks without plan_cpu or plan_mem"),
        1
    );
    let pools = report.machines.pools();
    assert_eq!(
        (pools[0].name.as_str(), pools[0].count),
        ("cpu96-mem512gi", 2)
    );

    // batch_instance holds usage, not requests: refused, with the table to give instead.
    let instance = "i_1,M1,j_1,1,Terminated,1,2,m_1,1,1,50,60,0.1,0.2\n";
    let e = run(
        "alibaba-instance",
        Format::Alibaba2018,
        &[("batch_instance.csv", instance)],
        |_| {},
    )
    .err()
    .unwrap();
    assert_eq!(
        e,
        [
            "batch_instance.csv:1: this is batch_instance (14 columns), which holds measured usage, not requests; give batch_task for the batch pods"
        ]
    );
}

#[test]
fn pai_gpu_requests_become_shares_or_whole_devices() {
    // A header row is passed over. plan_cpu 600 = 6 cores, plan_mem 29.3 GB read as GiB =
    // 30003.2 MiB → 30003 Mi; plan_gpu 50 = a half share (500 milli); 200 = two devices;
    // 150 = 1.5 devices, rounded up to 2 and counted; the GPU model asked for is dropped and
    // counted on every pod that names one.
    let tasks = "job_name,task_name,inst_num,status,start_time,end_time,plan_cpu,plan_mem,plan_gpu,gpu_type\n\
                 j1,worker,2.0,Terminated,10,70,600,29.3,50,V100\n\
                 j2,ps,1,Failed,20,30,100,1,200,\n\
                 j3,tensorflow,1,Running,40,,400,2,150,\n\
                 j4,worker,1,Waiting,,,100,1,100,\n";
    let spec = "m1,V100M32,96,384,8\nm2,CPU,96,512,0\nm3,V100M32,96,384,8\n";
    let (rows, _, report) = run(
        "pai",
        Format::AlibabaGpu2020,
        &[
            ("pai_task_table.csv", tasks),
            ("pai_machine_spec.csv", spec),
        ],
        |_| {},
    )
    .unwrap();
    assert_eq!(
        rows,
        [
            "10,6,30003Mi,60,j1-worker-0,,500",
            "10,6,30003Mi,60,j1-worker-1,,500",
            "20,1,1Gi,10,j2-ps-0,2,",
            "40,4,2Gi,,j3-tensorflow-0,2,",
        ]
    );
    assert_eq!(
        changed(
            &report,
            "GPU model asked for dropped (the native trace has no per-pod model)"
        ),
        2
    );
    assert_eq!(
        changed(
            &report,
            "GPU request rounded up to whole devices (the trace format holds a share of one device or whole devices)"
        ),
        1
    );
    assert_eq!(
        left_out(&report, "tasks that never started (status Waiting, ...)"),
        1
    );
    // The header row is passed over and not counted: 4 task rows.
    assert_eq!(report.files[0].rows, 4);
    let pools: Vec<(String, u64)> = report
        .machines
        .pools()
        .into_iter()
        .map(|p| (p.name, p.count))
        .collect();
    assert_eq!(
        pools,
        [
            ("v100m32x8-96c-384gi".to_string(), 2),
            ("cpu96-mem512gi".to_string(), 1)
        ]
    );
}

#[test]
fn openb_pods_keep_their_shares_and_pending_ones_are_counted() {
    let pods = "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time\n\
                p-0,12000,16384,1,1000,,LS,Running,0,100,0\n\
                p-1,6000,12288,1,460,,LS,Running,5,105,10\n\
                p-2,4000,8192,2,500,V100M16|V100M32,BE,Running,20,40,25\n\
                p-3,1000,1024,0,0,,BE,Pending,30,90,\n";
    let nodes =
        "sn,cpu_milli,memory_mib,gpu,model\nn-0,64000,262144,2,P100\nn-1,96000,786432,8,V100M32\n";
    let (rows, _, report) = run(
        "openb",
        Format::AlibabaGpu2023,
        &[("pods.csv", pods), ("nodes.csv", nodes)],
        |_| {},
    )
    .unwrap();
    assert_eq!(
        rows,
        [
            // Submitted at creation, runs from scheduled to deletion: 100 − 0, 105 − 10.
            "0,12,16Gi,100,p-0,ls,1,",
            "5,6,12Gi,95,p-1,ls,,460",
            // Two devices at 500 milli each cannot be written: two whole devices, counted.
            "20,4,8Gi,15,p-2,be,2,",
        ]
    );
    assert_eq!(
        left_out(
            &report,
            "never scheduled in the trace (empty scheduled_time)"
        ),
        1
    );
    assert_eq!(
        changed(
            &report,
            "a share of several GPUs rounded up to whole devices"
        ),
        1
    );
    assert_eq!(
        changed(
            &report,
            "GPU model asked for dropped (the native trace has no per-pod model)"
        ),
        1
    );
    assert_eq!(report.machines.pools().len(), 2);
}

#[test]
fn azure_buckets_and_categories() {
    // ">24" cores is read as 32 and ">64" GB as 128, counted; the category is the namespace.
    let t = "a,s,d,0,3600,90,10,50,Delay-insensitive,>24,>64\nb,s,d,60,120,90,10,50,Unknown,4,32\n";
    let (rows, _, report) = run("azure", Format::Azure2019, &[("vmtable.csv", t)], |_| {}).unwrap();
    assert_eq!(
        pick(&rows, &[0, 1, 2, 3, 5]),
        ["0,32,128Gi,3600,delay-insensitive", "60,4,32Gi,60,unknown"]
    );
    assert_eq!(report.totals.changed.values().sum::<u64>(), 1);
}

#[test]
fn google_2019_csv_and_json_lines_agree() {
    // The same four events as a flattened CSV export and as JSON lines (64-bit integers as
    // strings, event types by name, the request nested), plus one machine.
    let csv = "time,type,collection_id,instance_index,priority,resource_request.cpus,resource_request.memory,machine_id\n\
               1000000,0,7,0,200,0.02,0.01,\n\
               2000000,3,7,0,200,,,m1\n\
               5000000,6,7,0,200,,,m1\n\
               6000000,0,7,1,0,0.5,0.5,\n";
    let json = "{\"time\":\"1000000\",\"type\":\"SUBMIT\",\"collection_id\":\"7\",\"instance_index\":0,\"priority\":200,\"resource_request\":{\"cpus\":0.02,\"memory\":0.01}}\n\
                {\"time\":\"2000000\",\"type\":\"SCHEDULE\",\"collection_id\":\"7\",\"instance_index\":0,\"machine_id\":\"m1\"}\n\
                {\"time\":\"5000000\",\"type\":6,\"collection_id\":\"7\",\"instance_index\":0}\n\
                \n\
                {\"time\":\"6000000\",\"type\":0,\"collection_id\":\"7\",\"instance_index\":1,\"priority\":0,\"resource_request\":{\"cpus\":0.5,\"memory\":0.5}}\n";
    let machines = "time,machine_id,type,capacity.cpus,capacity.memory\n0,m1,1,0.5,0.5\n";
    let (a, _, ra) = run(
        "g19-csv",
        Format::Google2019,
        &[
            ("instance_events.csv", csv),
            ("machine_events.csv", machines),
        ],
        |_| {},
    )
    .unwrap();
    let (b, _, _) = run(
        "g19-json",
        Format::Google2019,
        &[("instance_events.json", json)],
        |_| {},
    )
    .unwrap();
    // 0.02 × 32 cores = 640m; 0.01 × 128 GiB = 1310.72 MiB → 1311 Mi; runs 2 s..5 s.
    assert_eq!(a, ["1,640m,1311Mi,3,7-0-1000,200"]);
    assert_eq!(a, b);
    assert_eq!(left_out(&ra, "still pending at the end of the input"), 1);
    assert_eq!(ra.machines.pools()[0].name, "cpu16-mem64gi");
}

#[test]
fn bad_rows_are_all_reported_or_counted() {
    // Line 2: a bad event type; line 3: a bad cpu; line 5: a row of another width.
    let t = format!(
        "{}{}{}{}",
        task_event(600, 1, 0, 0, "0.5", "0.5").replace(",0,user", ",12,user"),
        task_event(600, 1, 1, 0, "lots", "0.5"),
        task_event(600, 1, 2, 0, "0.5", "0.5"),
        "1,2,3\n"
    );
    let t = format!("{}{t}", task_event(600, 1, 9, 0, "0.1", "0.1"));
    let e = run("bad", Format::Google2011, &[("t.csv", &t)], |_| {})
        .err()
        .unwrap();
    assert_eq!(
        e,
        [
            "t.csv:2: event type: '12' is not a task event type; expected 0 to 8",
            "t.csv:3: CPU request: 'lots' is not a number ≥ 0",
            "t.csv:5: 3 fields, but the first row has 13",
        ]
    );
    // --skip-bad-rows: the two bad values are counted in the file's summary; the ragged row is
    // a malformed line, still an error.
    let t = t.replace("1,2,3\n", "");
    let (_, text, report) = run("skip", Format::Google2011, &[("t.csv", &t)], |o| {
        o.skip_bad_rows = true
    })
    .unwrap();
    assert_eq!(report.files[0].bad_rows_skipped, 2);
    assert!(text.contains("(4 rows,"), "{text}");
    assert!(text.contains(", 2 bad rows skipped)"), "{text}");

    // A table this format does not read is refused at its first row.
    let e = run("wrong", Format::Google2011, &[("x.csv", "1,2\n")], |_| {})
        .err()
        .unwrap();
    assert_eq!(
        e,
        [
            "x.csv:1: a row of 2 columns is not a google-2011 table; expected task_events (13 columns), machine_events (6) or job_events (8)"
        ]
    );
}

#[test]
fn normalized_formats_need_their_scale() {
    let mut o = options(Format::Google2011, vec![]);
    o.machine_cpu_m = None;
    o.machine_memory = None;
    let e = o.check().err().unwrap();
    let text: Vec<String> = e.0.iter().map(|e| e.to_string()).collect();
    assert_eq!(text.len(), 2);
    assert!(
        text[0].starts_with("--machine-cpu: google-2011 gives requests normalized"),
        "{}",
        text[0]
    );
    let mut o = options(Format::AlibabaGpu2023, vec![]);
    o.machine_cpu_m = None;
    o.machine_memory = None;
    assert!(o.check().is_ok());
}

#[test]
fn pod_names_are_valid_and_distinct() {
    use crate::scenario::names::NameRule;
    // (parts, expected name or prefix before the hash)
    let cases: [(&[&str], &str); 4] = [
        (&["6251639646", "0", "600000"], "6251639646-0-600000"),
        (&["j_1", "M1", "0"], "j-1-m1-0-"),
        (&["task_Nzg3", "0"], "task-nzg3-0-"),
        (&["task_nzg3", "0"], "task-nzg3-0-"),
    ];
    let mut seen = std::collections::BTreeSet::new();
    for (parts, expected) in cases {
        let name = pod_name(parts);
        assert!(NameRule::DnsSubdomain.check(&name), "{name}");
        assert!(name.starts_with(expected), "{name}");
        assert!(seen.insert(name));
    }
    // Long identifiers (Alibaba's DAG task names) are cut to one 63-character label.
    let long = "J25_3_6_7_8_10_13_16_17_18_20_21_22_23_24_25_26_27_28_29_30";
    let name = pod_name(&["j_4015", long, "7"]);
    assert!(
        name.len() <= 63 && NameRule::DnsSubdomain.check(&name),
        "{name}"
    );
    assert_ne!(name, pod_name(&["j_4015", long, "8"]));
    // Case differences that lowercase away still give different names.
    assert_ne!(pod_name(&["task_Nzg3"]), pod_name(&["task_nzg3"]));
}

#[test]
fn event_order_and_the_end_of_the_trace() {
    // Task 1/0 "finishes" before it was scheduled (rows out of time order): left out, counted.
    // Task 7/1 ends after the end of the trace (2^63 − 1) in Borg 2019's JSON: no duration.
    let t = format!(
        "{}{}{}",
        task_event(600, 1, 0, 0, "0.5", "0.5"),
        task_event(660, 1, 0, 1, "", ""),
        task_event(640, 1, 0, 4, "", ""),
    );
    let (rows, _, report) = run("order", Format::Google2011, &[("t.csv", &t)], |_| {}).unwrap();
    assert!(rows.is_empty());
    assert_eq!(
        left_out(
            &report,
            "ended before they started (events out of time order)"
        ),
        1
    );
    let json = "{\"time\":\"1000000\",\"type\":0,\"collection_id\":\"7\",\"instance_index\":1,\"resource_request\":{\"cpus\":0.5,\"memory\":0.5}}\n\
                {\"time\":\"2000000\",\"type\":3,\"collection_id\":\"7\",\"instance_index\":1}\n\
                {\"time\":\"9223372036854775807\",\"type\":6,\"collection_id\":\"7\",\"instance_index\":1}\n";
    let (rows, _, _) = run("end", Format::Google2019, &[("i.json", json)], |_| {}).unwrap();
    assert_eq!(rows, ["1,16,64Gi,,7-1-1000,"]);
}

#[test]
fn openb_shares_over_one_gpu_are_bad_rows() {
    let pods = "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time\n\
                Pod_A,1000,1024,1,500,,LS,Running,0,10,0\n\
                p-1,1000,1024,1,1500,,LS,Running,0,10,0\n";
    let e = run(
        "openb-bad",
        Format::AlibabaGpu2023,
        &[("p.csv", pods)],
        |_| {},
    )
    .err()
    .unwrap();
    assert_eq!(
        e,
        [
            "p.csv:3: gpu_milli: 1500 is not a share of one GPU; expected 1 to 1000 (1000 = a whole GPU)"
        ]
    );
    // A name Kubernetes would refuse (uppercase, '_') is made into a valid one.
    let fixed = pods.replace("1,1500,", "1,150,");
    let (rows, _, _) = run(
        "openb-name",
        Format::AlibabaGpu2023,
        &[("p.csv", &fixed)],
        |_| {},
    )
    .unwrap();
    assert!(rows[0].contains(",pod-a-"), "{}", rows[0]);
}
