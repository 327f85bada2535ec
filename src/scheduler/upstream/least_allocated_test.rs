//! `pkg/scheduler/framework/plugins/noderesources/least_allocated_test.go`,
//! TestLeastAllocatedScoringStrategy. Upstream `"cpu": "4000"` is 4000 cores: 4,000,000m here;
//! memory is in bytes. A pod's containers are summed into its request (none of these cases
//! leaves a request out, so Kubernetes' non-zero defaults do not arise). The already-bound pods
//! of a node are one filler pod with their total.
//!
//! Left out: "Resources not set, pods scheduled with error" (a profile always scores cpu and
//! memory), the weighted and weight-validation cases (clustersim weighs cpu and memory 1 each),
//! and the three extended-resource cases.

use crate::scheduler::plugins::LeastAllocated;
use crate::scheduler::testkit::{cluster_with_nodes, pod_ref_of};

/// (case, nodes as (cpu_m, memory, bound cpu_m, bound memory), pod (cpu_m, memory), scores)
type Case = (
    &'static str,
    Vec<(u64, u64, u64, u64)>,
    (u64, u64),
    Vec<i64>,
);

/// Runs score cases of a per-node plug-in (no normalization).
pub fn run(plugin: &dyn crate::scheduler::framework::Score, cases: Vec<Case>) {
    for (name, nodes, ask, want) in cases {
        let (cluster, pod) = cluster_with_nodes(&nodes, ask);
        let r = pod_ref_of(&cluster, &pod);
        let got: Vec<i64> = cluster
            .nodes
            .iter()
            .map(|n| plugin.score(&r, n, &cluster))
            .collect();
        assert_eq!(got, want, "{name}");
    }
}

const M: u64 = 1000;

#[test]
fn least_allocated_scoring_strategy() {
    run(
        &LeastAllocated,
        vec![
            (
                "nothing scheduled, nothing requested",
                vec![(4000 * M, 10000, 0, 0), (4000 * M, 10000, 0, 0)],
                (0, 0),
                // CPU ((4000 − 0) × 100) / 4000 = 100, memory 100: 100.
                vec![100, 100],
            ),
            (
                "nothing scheduled, resources requested, differently sized nodes",
                vec![(4000 * M, 10000, 0, 0), (6000 * M, 10000, 0, 0)],
                // Containers 1000/2000 and 2000/3000.
                (3000 * M, 5000),
                // Node 1: CPU (1000 × 100) / 4000 = 25, memory 50: (25 + 50) / 2 = 37.
                // Node 2: CPU (3000 × 100) / 6000 = 50, memory 50: 50.
                vec![37, 50],
            ),
            (
                "no resources requested, pods scheduled",
                // Two pods without containers on each node request nothing.
                vec![(4000 * M, 10000, 0, 0), (4000 * M, 10000, 0, 0)],
                (0, 0),
                vec![100, 100],
            ),
            (
                "no resources requested, pods scheduled with resources",
                // Node 1: 3000/0 and 3000/0; node 2: 3000/0 and 3000/5000.
                vec![
                    (10000 * M, 20000, 6000 * M, 0),
                    (10000 * M, 20000, 6000 * M, 5000),
                ],
                (0, 0),
                // Node 1: CPU 40, memory 100: 70. Node 2: CPU 40, memory 75: 57.
                vec![70, 57],
            ),
            (
                "resources requested, pods scheduled with resources",
                vec![
                    (10000 * M, 20000, 3000 * M, 0),
                    (10000 * M, 20000, 3000 * M, 5000),
                ],
                (3000 * M, 5000),
                // Node 1: CPU 40, memory 75: 57. Node 2: CPU 40, memory 50: 45.
                vec![57, 45],
            ),
            (
                "resources requested, pods scheduled with resources, differently sized nodes",
                vec![
                    (10000 * M, 20000, 3000 * M, 0),
                    (10000 * M, 50000, 3000 * M, 5000),
                ],
                (3000 * M, 5000),
                // Node 2: memory ((50000 − 10000) × 100) / 50000 = 80: (40 + 80) / 2 = 60.
                vec![57, 60],
            ),
            (
                "requested resources exceed node capacity",
                vec![
                    (4000 * M, 10000, 3000 * M, 0),
                    (4000 * M, 10000, 3000 * M, 5000),
                ],
                (3000 * M, 0),
                // CPU 6000 > 4000 → 0. Node 1: memory 100 → 50. Node 2: memory 50 → 25.
                vec![50, 25],
            ),
            (
                "zero node resources, pods scheduled with resources",
                // Nodes without cpu or memory: every resource left out, so 0. (Upstream also
                // binds pods there; a node without capacity cannot hold them here, and the
                // score does not depend on them.)
                vec![(0, 0, 0, 0), (0, 0, 0, 0)],
                (0, 0),
                vec![0, 0],
            ),
        ],
    );
}
