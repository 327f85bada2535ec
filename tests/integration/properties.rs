//! Property: whatever the pools, taints, workloads and policy, no `Scheduled` event ever puts a
//! node over capacity or a pod on a node whose NoSchedule/NoExecute taints it does not
//! tolerate. The node state is rebuilt from the event stream itself.

use std::collections::BTreeMap;

use clustersim::scenario::load_str;
use clustersim::scheduler::POLICY_NAMES;
use clustersim::sim::{self, EventRecord, EventSink, RunOptions};
use proptest::prelude::*;

/// The taints a pool may carry: (key, value, effect).
const TAINTS: [(&str, &str, &str); 3] = [
    ("spot", "true", "NoSchedule"),
    ("gpu", "a100", "NoExecute"),
    ("slow", "yes", "PreferNoSchedule"),
];

#[derive(Debug, Clone)]
struct Pool {
    cpu: u64,
    mem_gi: u64,
    count: u32,
    /// Bit i: carries TAINTS[i].
    taints: u8,
}

#[derive(Debug, Clone)]
struct Workload {
    batch: bool,
    cpu_m: u64,
    mem_mi: u64,
    /// Bit i: tolerates TAINTS[i].
    tolerations: u8,
    priority: i32,
    count: u32,
}

fn pool() -> impl Strategy<Value = Pool> {
    (1u64..=8, 1u64..=16, 1u32..=3, 0u8..8).prop_map(|(cpu, mem_gi, count, taints)| Pool {
        cpu,
        mem_gi,
        count,
        taints,
    })
}

fn workload() -> impl Strategy<Value = Workload> {
    (
        any::<bool>(),
        100u64..=4000,
        64u64..=8192,
        0u8..8,
        prop_oneof![Just(0), Just(10)],
        1u32..=12,
    )
        .prop_map(
            |(batch, cpu_m, mem_mi, tolerations, priority, count)| Workload {
                batch,
                cpu_m,
                mem_mi,
                tolerations,
                priority,
                count,
            },
        )
}

fn yaml(pools: &[Pool], workloads: &[Workload], policy: &str) -> String {
    let mut s = format!(
        "name: prop\nduration: 2h\nscheduler: {{ policy: {policy}, queue: priority }}\ncluster:\n  pools:\n"
    );
    for (i, p) in pools.iter().enumerate() {
        s += &format!(
            "    - {{ name: p{i}, node: {{ cpu: {}, memory: {}Gi }}, count: {}, taints: [",
            p.cpu, p.mem_gi, p.count
        );
        let t: Vec<String> = (0..3)
            .filter(|b| p.taints & (1 << b) != 0)
            .map(|b| {
                let (k, v, e) = TAINTS[b];
                format!("{{ key: {k}, value: \"{v}\", effect: {e} }}")
            })
            .collect();
        s += &t.join(", ");
        s += "] }\n";
    }
    s += "workloads:\n";
    for (i, w) in workloads.iter().enumerate() {
        s += &format!(
            "  - name: w{i}\n    priority: {}\n    requests: {{ cpu: {}m, memory: {}Mi }}\n",
            w.priority, w.cpu_m, w.mem_mi
        );
        if w.batch {
            s += &format!(
                "    kind: Batch\n    limit: {}\n    arrivals: {{ poisson_per_hour: 20 }}\n    duration: {{ exponential: {{ mean: 20m }} }}\n",
                w.count
            );
        } else {
            s += &format!("    kind: Deployment\n    replicas: {}\n", w.count);
        }
        s += "    tolerations: [";
        let t: Vec<String> = (0..3)
            .filter(|b| w.tolerations & (1 << b) != 0)
            .map(|b| {
                let (k, v, _) = TAINTS[b];
                format!("{{ key: {k}, operator: Equal, value: \"{v}\" }}")
            })
            .collect();
        s += &t.join(", ");
        s += "]\n";
    }
    s
}

/// Rebuilds node allocations from the events and checks each binding.
struct Checker<'a> {
    pools: &'a [Pool],
    workloads: &'a [Workload],
    /// pod → node it runs on.
    on: BTreeMap<String, String>,
    /// node → (cpu_m, memory MiB) allocated.
    used: BTreeMap<String, (u64, u64)>,
    violations: Vec<String>,
}

fn index_of(name: &str, prefix: char) -> usize {
    let (head, _) = name.rsplit_once('-').unwrap();
    head.trim_start_matches(prefix).parse().unwrap()
}

impl EventSink for Checker<'_> {
    fn record(&mut self, r: &EventRecord<'_>) {
        if r.object != "pod" {
            return;
        }
        let w = &self.workloads[index_of(r.name, 'w')];
        match r.event {
            "Scheduled" => {
                let p = &self.pools[index_of(r.node, 'p')];
                let used = self.used.entry(r.node.to_string()).or_default();
                used.0 += w.cpu_m;
                used.1 += w.mem_mi;
                if used.0 > p.cpu * 1000 || used.1 > p.mem_gi * 1024 {
                    self.violations
                        .push(format!("{} over capacity on {}", r.name, r.node));
                }
                let hard = p.taints & 0b011; // NoSchedule and NoExecute taints
                if hard & !w.tolerations != 0 {
                    self.violations
                        .push(format!("{} on tainted {}", r.name, r.node));
                }
                self.on.insert(r.name.to_string(), r.node.to_string());
            }
            "Completed" | "Preempted" | "Evicted" => {
                if let Some(node) = self.on.remove(r.name) {
                    let used = self.used.get_mut(&node).unwrap();
                    used.0 -= w.cpu_m;
                    used.1 -= w.mem_mi;
                }
            }
            _ => {}
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn bindings_respect_capacity_and_taints(
        pools in prop::collection::vec(pool(), 1..=3),
        workloads in prop::collection::vec(workload(), 1..=4),
        policy in prop::sample::select(POLICY_NAMES),
    ) {
        let text = yaml(&pools, &workloads, policy);
        let scenario = load_str(&text, "prop.yaml", None, &[]).expect("generated scenario is valid");
        let mut checker = Checker {
            pools: &pools,
            workloads: &workloads,
            on: BTreeMap::new(),
            used: BTreeMap::new(),
            violations: Vec::new(),
        };
        sim::run(&scenario, RunOptions { events: Some(&mut checker), ..RunOptions::default() })
            .unwrap();
        prop_assert!(checker.violations.is_empty(), "{:?}\n{text}", checker.violations);
    }
}
