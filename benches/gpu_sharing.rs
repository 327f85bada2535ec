//! Speed targets (issue: GPU sharing and the FGD experiment): one saturation run (one
//! workload, one policy, one seed: about 10,000 pods on 1,213 nodes) in under 1 s. The
//! generated instance has the OpenB cluster's size and node shapes and a pod mix like the
//! default trace's, so the benchmark runs on a plain clone; the real default trace is measured
//! too when the OpenB CSVs are found: in `$OPENB_DATA`, else in `../shared/data/openb` beside
//! the checkout (the data is public but not part of the project). Run with
//! `cargo bench --bench gpu_sharing -- --warm-up-time 1 --measurement-time 10 --sample-size 10`.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};

use clustersim::research::saturate::{Cluster, Workload, run};
use clustersim::scenario::openb::{OpenbNode, OpenbPod, read_nodes, read_pods};

/// 1,213 nodes in the OpenB mix of shapes (counts from the published node list).
fn generated_cluster() -> Vec<OpenbNode> {
    let shapes: [(usize, u64, u64, u32, &str); 8] = [
        (549, 96_000, 393_216, 8, "G2"),
        (387, 104_000, 524_288, 2, "T4"),
        (107, 16_000, 122_880, 2, "P100"),
        (39, 128_000, 786_432, 8, "G3"),
        (28, 32_000, 131_072, 4, "V100M16"),
        (22, 64_000, 262_144, 2, "P100"),
        (21, 96_000, 786_432, 8, "V100M32"),
        (60, 96_000, 393_216, 4, "T4"),
    ];
    let mut nodes = Vec::new();
    for (count, cpu, mib, gpus, model) in shapes {
        for _ in 0..count {
            nodes.push(OpenbNode {
                name: format!("node-{:04}", nodes.len()),
                cpu_m: cpu,
                memory: mib << 20,
                gpus,
                model: model.into(),
            });
        }
    }
    nodes
}

/// 8,152 pods: shares, whole GPUs, multi-GPU and CPU pods in roughly the default trace's mix.
fn generated_pods() -> Vec<OpenbPod> {
    let mut x: u64 = 42;
    (0..8152)
        .map(|i| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let r = (x >> 33) % 100;
            let (cpu, gpus, milli) = match r {
                0..=29 => (6000, 1, [250, 460, 500][((x >> 20) % 3) as usize]),
                30..=69 => (12_000, 1, 1000),
                70..=79 => (24_000, [2, 4, 8][((x >> 24) % 3) as usize], 1000),
                _ => (4000 * (1 + (x >> 40) % 8), 0, 0),
            };
            OpenbPod {
                name: format!("pod-{i:05}"),
                cpu_m: cpu,
                memory: 16 << 30,
                gpus,
                milli,
                models: vec![],
            }
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let cluster = Cluster::from_openb(&generated_cluster()).unwrap();
    let workload = Workload::from_openb("generated", &generated_pods(), &cluster);
    let mut group = c.benchmark_group("saturate");
    for policy in ["FGD", "BestFit", "Random"] {
        group.bench_function(format!("generated-1213-nodes/{policy}"), |b| {
            b.iter(|| black_box(run(&cluster, &workload, policy, 42, 130).unwrap().failed))
        });
    }
    let data = std::env::var_os("OPENB_DATA")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/openb"));
    if let (Ok(nodes), Ok(pods)) = (
        read_nodes(&data.join("openb_node_list_gpu_node.csv")),
        read_pods(&data.join("openb_pod_list_default.csv")),
    ) {
        let cluster = Cluster::from_openb(&nodes).unwrap();
        let workload = Workload::from_openb("default", &pods, &cluster);
        group.bench_function("openb-default/FGD", |b| {
            b.iter(|| black_box(run(&cluster, &workload, "FGD", 42, 130).unwrap().failed))
        });
    } else {
        eprintln!(
            "skipping saturate/openb-default: no OpenB data in {} (set OPENB_DATA to the folder \
             of openb_node_list_gpu_node.csv); only the generated instance is measured",
            data.display()
        );
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
