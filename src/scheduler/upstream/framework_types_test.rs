//! `pkg/scheduler/framework/types_test.go`, TestFitError_Error: the FailedScheduling message.
//!
//! Left out: the two PreFilter cases (clustersim has no PreFilter rejections; its filters
//! answer per node) and the two with a PostFilter message.

use std::collections::BTreeMap;

use crate::scheduler::diagnosis::render_message;

#[test]
fn fit_error_error() {
    type Case<'a> = (&'a str, usize, &'a [(&'a str, usize)], &'a str);
    let cases: [Case; 4] = [
        (
            "nodes failed one Filter plugin with an empty PostFilterMsg",
            3,
            &[("Node(s) failed Filter plugin FalseFilter-1", 3)],
            "0/3 nodes are available: 3 Node(s) failed Filter plugin FalseFilter-1.",
        ),
        (
            "nodes failed two Filter plugins with an empty PostFilterMsg",
            3,
            &[
                ("Node(s) failed Filter plugin FalseFilter-1", 2),
                ("Node(s) failed Filter plugin FalseFilter-2", 1),
            ],
            // Sorted as whole "count reason" strings: "1 …" before "2 …".
            "0/3 nodes are available: 1 Node(s) failed Filter plugin FalseFilter-2, 2 Node(s) failed Filter plugin FalseFilter-1.",
        ),
        (
            "failed to Permit on node",
            1,
            &[("Node failed Permit plugin Permit-1", 1)],
            "0/1 nodes are available: 1 Node failed Permit plugin Permit-1.",
        ),
        (
            "failed to Reserve on node",
            1,
            &[("Node failed Reserve plugin Reserve-1", 1)],
            "0/1 nodes are available: 1 Node failed Reserve plugin Reserve-1.",
        ),
    ];
    for (name, total, reasons, want) in cases {
        let counts: BTreeMap<String, usize> =
            reasons.iter().map(|(r, n)| (r.to_string(), *n)).collect();
        assert_eq!(render_message(&counts, total), want, "{name}");
    }
    // The count sorts as text, as upstream's sort.Strings does: "10 …" before "2 …".
    let counts: BTreeMap<String, usize> = [
        ("Insufficient cpu".to_string(), 10),
        ("Too many pods".to_string(), 2),
    ]
    .into_iter()
    .collect();
    assert_eq!(
        render_message(&counts, 12),
        "0/12 nodes are available: 10 Insufficient cpu, 2 Too many pods."
    );
}
