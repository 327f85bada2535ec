//! `pkg/scheduler/framework/plugins/noderesources/most_allocated_test.go`,
//! TestMostAllocatedScoringStrategy; units and conventions as in `least_allocated_test.rs`.
//!
//! Left out: "Resources not set, pods scheduled with error", the weighted and weight-validation
//! cases, the extended-resource cases, and "no resources requested, pods scheduled, nonzero
//! request for resource", whose containers leave their requests out and get Kubernetes'
//! non-zero defaults (100m, 200Mi): clustersim's requests are always given (a missing one is 0).

use super::least_allocated_test::run;
use crate::scheduler::plugins::MostAllocated;

const M: u64 = 1000;

#[test]
fn most_allocated_scoring_strategy() {
    run(
        &MostAllocated,
        vec![
            (
                "nothing scheduled, nothing requested",
                vec![(4000 * M, 10000, 0, 0), (4000 * M, 10000, 0, 0)],
                (0, 0),
                vec![0, 0],
            ),
            (
                "nothing scheduled, resources requested, differently sized nodes",
                vec![(4000 * M, 10000, 0, 0), (6000 * M, 10000, 0, 0)],
                (3000 * M, 5000),
                // Node 1: CPU 3000 × 100 / 4000 = 75, memory 50: 62. Node 2: 50, 50: 50.
                vec![62, 50],
            ),
            (
                "no resources requested, pods scheduled with resources",
                vec![
                    (10000 * M, 20000, 6000 * M, 0),
                    (10000 * M, 20000, 6000 * M, 5000),
                ],
                (0, 0),
                // Node 1: CPU 60, memory 0: 30. Node 2: 60, 5000 × 100 / 20000 = 25: 42.
                vec![30, 42],
            ),
            (
                "resources requested, pods scheduled with resources",
                vec![
                    (10000 * M, 20000, 3000 * M, 0),
                    (10000 * M, 20000, 3000 * M, 5000),
                ],
                (3000 * M, 5000),
                // Node 1: 60, 25: 42. Node 2: 60, 50: 55.
                vec![42, 55],
            ),
            (
                "resources requested equal node capacity",
                vec![(5000 * M, 10000, 0, 0), (10000 * M, 9000, 0, 0)],
                // Containers 2000/4000 and 3000/5000.
                (5000 * M, 9000),
                // Node 1: CPU 100, memory 90: 95. Node 2: CPU 50, memory 100: 75.
                vec![95, 75],
            ),
        ],
    );
}
