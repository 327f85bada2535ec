//! `pkg/scheduler/framework/plugins/noderesources/fit_test.go` (the v1.18 file, the one read):
//! TestEnoughRequests and TestNotEnoughRequests. The node has 10m cpu and 20 bytes of memory;
//! the pods already there are one filler pod with their total. A pod's request is Kubernetes'
//! effective request, worked out in the comments: max(sum of its containers, each init
//! container), plus overhead.
//!
//! Left out: the 17 extended-resource, hugepages and ignored-resource cases (clustersim's
//! resources are cpu, memory, GPUs and the pod count) and the ephemeral-storage tests.

use crate::scheduler::diagnosis::reason_texts;
use crate::scheduler::framework::{Filter, PodRef};
use crate::scheduler::plugins::NodeResourcesFit;
use crate::scheduler::testkit::cluster_with_nodes;

/// (case, used (cpu_m, memory), effective request (cpu_m, memory), reasons; empty = fits)
type Case = (
    &'static str,
    (u64, u64),
    (u64, u64),
    &'static [&'static str],
);

fn check(cases: &[Case], max_pods: Option<u32>) {
    for &(name, used, ask, want) in cases {
        let (mut c, p) = cluster_with_nodes(&[(10, 20, used.0, used.1)], ask);
        if let Some(m) = max_pods {
            c.nodes[0].max_pods = m;
        }
        let r = PodRef::new(&c, &p);
        let node = &c.nodes[0];
        let got = match NodeResourcesFit.filter(&r, node, &c) {
            Ok(()) => vec![],
            Err(reason) => reason_texts(reason, node, &c),
        };
        assert_eq!(got, want, "{name}");
    }
}

#[test]
fn enough_requests() {
    let cases: &[Case] = &[
        ("no resources requested always fits", (10, 20), (0, 0), &[]),
        (
            "too many resources fails",
            (10, 20),
            (1, 1),
            &["Insufficient cpu", "Insufficient memory"],
        ),
        (
            "too many resources fails due to init container cpu",
            (8, 19),
            // max(container 1/1, init 3/1) = 3/1.
            (3, 1),
            &["Insufficient cpu"],
        ),
        (
            "too many resources fails due to highest init container cpu",
            (8, 19),
            // max(1/1, 3/1, 2/1) = 3/1.
            (3, 1),
            &["Insufficient cpu"],
        ),
        (
            "too many resources fails due to init container memory",
            (9, 19),
            // max(1/1, 1/3) = 1/3.
            (1, 3),
            &["Insufficient memory"],
        ),
        (
            "too many resources fails due to highest init container memory",
            (9, 19),
            (1, 3),
            &["Insufficient memory"],
        ),
        (
            "init container fits because it's the max, not sum, of containers and init containers",
            (9, 19),
            (1, 1),
            &[],
        ),
        (
            "multiple init containers fit because it's the max, not sum, of containers and init containers",
            (9, 19),
            (1, 1),
            &[],
        ),
        ("both resources fit", (5, 5), (1, 1), &[]),
        (
            "one resource memory fits",
            (9, 5),
            (2, 1),
            &["Insufficient cpu"],
        ),
        (
            "one resource cpu fits",
            (5, 19),
            (1, 2),
            &["Insufficient memory"],
        ),
        // 5 + 5 = 10 ≤ 10 and 19 + 1 = 20 ≤ 20.
        ("equal edge case", (5, 19), (5, 1), &[]),
        ("equal edge case for init container", (5, 19), (5, 1), &[]),
        // Requests 1/1 plus overhead 3m/13 bytes = 4/14: 9 ≤ 10, 19 ≤ 20.
        ("resources + pod overhead fits", (5, 5), (4, 14), &[]),
        // 1/1 plus overhead 1m/15 bytes = 2/16: memory 5 + 16 = 21 > 20.
        (
            "requests + overhead does not fit for memory",
            (5, 5),
            (2, 16),
            &["Insufficient memory"],
        ),
    ];
    check(cases, None);
}

/// The node holds one pod already and allows one.
#[test]
fn not_enough_requests() {
    let cases: &[Case] = &[
        (
            "even without specified resources predicate fails when there's no space for additional pod",
            (10, 20),
            (0, 0),
            &["Too many pods"],
        ),
        (
            "even if both resources fit predicate fails when there's no space for additional pod",
            (5, 5),
            (1, 1),
            &["Too many pods"],
        ),
        (
            "even for equal edge case predicate fails when there's no space for additional pod",
            (5, 19),
            (5, 1),
            &["Too many pods"],
        ),
        (
            "even for equal edge case predicate fails when there's no space for additional pod due to init container",
            (5, 19),
            (5, 1),
            &["Too many pods"],
        ),
    ];
    check(cases, Some(1));
}
