//! `pkg/scheduler/framework/plugins/noderesources/requested_to_capacity_ratio_test.go`.
//!
//! Left out: the extended-resource bin-packing tests (clustersim scores cpu and memory) and
//! the int64-overflow tests (clustersim computes utilization in 128 bits).

use super::least_allocated_test::run;
use crate::scheduler::plugins::{RequestedToCapacityRatio, broken_linear};

const M: u64 = 1000;

/// TestRequestedToCapacityRatioScoringStrategy: shape {0: 10, 100: 0} (least requested first).
#[test]
fn requested_to_capacity_ratio_scoring_strategy() {
    let plugin = RequestedToCapacityRatio {
        shape: vec![(0, 10), (100, 0)],
    };
    run(
        &plugin,
        vec![
            (
                "nothing scheduled, nothing requested (default - least requested nodes have priority)",
                vec![(4000 * M, 10000, 0, 0), (4000 * M, 10000, 0, 0)],
                (0, 0),
                // Utilization 0 → 100 for both resources.
                vec![100, 100],
            ),
            (
                "nothing scheduled, resources requested, differently sized nodes (default - least requested nodes have priority)",
                vec![(4000 * M, 10000, 0, 0), (6000 * M, 10000, 0, 0)],
                (3000 * M, 5000),
                // Node 1: cpu 75% → 100 − 100 × 75 / 100 = 25, memory 50% → 50:
                // round((25 + 50) / 2 = 37.5) = 38. Node 2: 50, 50: 50.
                vec![38, 50],
            ),
            (
                "no resources requested, pods scheduled with resources (default - least requested nodes have priority)",
                vec![
                    (4000 * M, 10000, 3000 * M, 5000),
                    (6000 * M, 10000, 3000 * M, 5000),
                ],
                (0, 0),
                vec![38, 50],
            ),
        ],
    );
}

/// TestBrokenLinearFunction: every assertion, points as given (unscaled).
#[test]
fn broken_linear_function() {
    type Points<'a> = &'a [(i64, i64)];
    let cases: [(Points, Points); 3] = [
        (
            &[(10, 1), (90, 9)],
            &[
                (-10, 1),
                (0, 1),
                (9, 1),
                (10, 1),
                (15, 1),
                (19, 1),
                (20, 2),
                (89, 8),
                (90, 9),
                (99, 9),
                (100, 9),
                (110, 9),
            ],
        ),
        (
            &[(0, 2), (40, 10), (100, 0)],
            // 70: 10 + (0 − 10) × 30 / 60 = 10 − 5 = 5 (Go truncates toward zero).
            &[
                (-10, 2),
                (0, 2),
                (20, 6),
                (30, 8),
                (40, 10),
                (70, 5),
                (100, 0),
                (110, 0),
            ],
        ),
        (
            &[(0, 2), (40, 2), (100, 2)],
            &[
                (-10, 2),
                (0, 2),
                (20, 2),
                (30, 2),
                (40, 2),
                (70, 2),
                (100, 2),
                (110, 2),
            ],
        ),
    ];
    for (points, assertions) in cases {
        for &(p, want) in assertions {
            assert_eq!(broken_linear(points, p), want, "{points:?} at {p}");
        }
    }
}
