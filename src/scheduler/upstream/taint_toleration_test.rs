//! `pkg/scheduler/framework/plugins/tainttoleration/taint_toleration_test.go`.

use super::*;
use crate::model::TaintEffect::{NoSchedule, PreferNoSchedule};
use crate::model::TolerationOperator::{Equal, Exists};
use crate::scheduler::diagnosis::reason_texts;
use crate::scheduler::framework::{Filter, PodRef};
use crate::scheduler::plugins::{TaintToleration, TaintTolerationScore};
use crate::scheduler::testkit::pod;

fn template(tolerations: Vec<Toleration>) -> PodTemplate {
    PodTemplate {
        tolerations,
        ..PodTemplate::default()
    }
}

/// TestTaintTolerationScore: every case, nodes normalized together. The raw score counts the
/// PreferNoSchedule taints the pod does not tolerate; NormalizeScore maps count c with maximum
/// m to 100 − 100·c/m (all 100 when m = 0).
#[test]
fn taint_toleration_score() {
    type Case = (&'static str, Vec<Toleration>, Vec<Vec<Taint>>, Vec<i64>);
    let cases: Vec<Case> = vec![
        (
            "node with taints tolerated by the pod, gets a higher score than those node with intolerable taints",
            vec![toleration("foo", Equal, "bar", Some(PreferNoSchedule))],
            vec![
                vec![taint("foo", "bar", PreferNoSchedule)],  // count 0
                vec![taint("foo", "blah", PreferNoSchedule)], // count 1 = max → 0
            ],
            vec![100, 0],
        ),
        (
            "the nodes that all of their taints are tolerated by the pod, get the same score, no matter how many tolerable taints a node has",
            vec![
                toleration("cpu-type", Equal, "arm64", Some(PreferNoSchedule)),
                toleration("disk-type", Equal, "ssd", Some(PreferNoSchedule)),
            ],
            vec![
                vec![],
                vec![taint("cpu-type", "arm64", PreferNoSchedule)],
                vec![
                    taint("cpu-type", "arm64", PreferNoSchedule),
                    taint("disk-type", "ssd", PreferNoSchedule),
                ],
            ],
            // All counts 0: max 0, reversed → all 100.
            vec![100, 100, 100],
        ),
        (
            "the more intolerable taints a node has, the lower score it gets.",
            vec![toleration("foo", Equal, "bar", Some(PreferNoSchedule))],
            vec![
                vec![],
                vec![taint("cpu-type", "arm64", PreferNoSchedule)],
                vec![
                    taint("cpu-type", "arm64", PreferNoSchedule),
                    taint("disk-type", "ssd", PreferNoSchedule),
                ],
            ],
            // Counts 0, 1, 2: 100 − 0, 100 − 100·1/2, 100 − 100.
            vec![100, 50, 0],
        ),
        (
            "only taints and tolerations that have effect PreferNoSchedule are checked by taints-tolerations priority function",
            vec![
                toleration("cpu-type", Equal, "arm64", Some(NoSchedule)),
                toleration("disk-type", Equal, "ssd", Some(NoSchedule)),
            ],
            vec![
                vec![],
                vec![taint("cpu-type", "arm64", NoSchedule)],
                vec![
                    taint("cpu-type", "arm64", PreferNoSchedule),
                    taint("disk-type", "ssd", PreferNoSchedule),
                ],
            ],
            // Counts 0, 0 (NoSchedule is not counted), 2.
            vec![100, 100, 0],
        ),
        (
            "Default behaviour No taints and tolerations, lands on node with no taints",
            vec![],
            vec![vec![], vec![taint("cpu-type", "arm64", PreferNoSchedule)]],
            vec![100, 0],
        ),
    ];
    for (name, tolerations, taints, want) in cases {
        let c = cluster_of(&taints, template(tolerations));
        let got = scores(&TaintTolerationScore, &c, Resources::ZERO);
        assert_eq!(got, Some(want), "{name}");
    }
}

/// TestTaintTolerationFilter: every case, on one node. `None`: the pod fits; otherwise the
/// message (upstream's `{key: value}` form, as the test file states it).
#[test]
fn taint_toleration_filter() {
    type Case = (
        &'static str,
        Vec<Toleration>,
        Vec<Taint>,
        Option<&'static str>,
    );
    let cases: Vec<Case> = vec![
        (
            "A pod having no tolerations can't be scheduled onto a node with nonempty taints",
            vec![],
            vec![taint("dedicated", "user1", NoSchedule)],
            Some("node(s) had untolerated taint {dedicated: user1}"),
        ),
        (
            "A pod which can be scheduled on a dedicated node assigned to user1 with effect NoSchedule",
            vec![toleration("dedicated", Equal, "user1", Some(NoSchedule))],
            vec![taint("dedicated", "user1", NoSchedule)],
            None,
        ),
        (
            "A pod which can't be scheduled on a dedicated node assigned to user2 with effect NoSchedule",
            vec![toleration("dedicated", Equal, "user2", Some(NoSchedule))],
            vec![taint("dedicated", "user1", NoSchedule)],
            Some("node(s) had untolerated taint {dedicated: user1}"),
        ),
        (
            "A pod can be scheduled onto the node, with a toleration uses operator Exists that tolerates the taints on the node",
            vec![toleration("foo", Exists, "", Some(NoSchedule))],
            vec![taint("foo", "bar", NoSchedule)],
            None,
        ),
        (
            "A pod has multiple tolerations, node has multiple taints, all the taints are tolerated, pod can be scheduled onto the node",
            vec![
                toleration("dedicated", Equal, "user2", Some(NoSchedule)),
                toleration("foo", Exists, "", Some(NoSchedule)),
            ],
            vec![
                taint("dedicated", "user2", NoSchedule),
                taint("foo", "bar", NoSchedule),
            ],
            None,
        ),
        (
            "A pod has a toleration that keys and values match the taint on the node, but (non-empty) effect doesn't match, can't be scheduled onto the node",
            vec![toleration("foo", Equal, "bar", Some(PreferNoSchedule))],
            vec![taint("foo", "bar", NoSchedule)],
            Some("node(s) had untolerated taint {foo: bar}"),
        ),
        (
            "The pod has a toleration that keys and values match the taint on the node, the effect of toleration is empty, and the effect of taint is NoSchedule. Pod can be scheduled onto the node",
            vec![toleration("foo", Equal, "bar", None)],
            vec![taint("foo", "bar", NoSchedule)],
            None,
        ),
        (
            "The pod has a toleration that key and value don't match the taint on the node, but the effect of taint on node is PreferNoSchedule. Pod can be scheduled onto the node",
            vec![toleration("dedicated", Equal, "user2", Some(NoSchedule))],
            vec![taint("dedicated", "user1", PreferNoSchedule)],
            None,
        ),
        (
            "The pod has no toleration, but the effect of taint on node is PreferNoSchedule. Pod can be scheduled onto the node",
            vec![],
            vec![taint("dedicated", "user1", PreferNoSchedule)],
            None,
        ),
    ];
    for (name, tolerations, taints, want) in cases {
        let c = cluster_of(&[taints], template(tolerations));
        let p = pod(Resources::ZERO);
        let r = PodRef::new(&c, &p);
        let node = c.node(c.node_order()[0]);
        let got = TaintToleration
            .filter(&r, node, &c)
            .err()
            .map(|reason| reason_texts(reason, node, &c).join(", "));
        assert_eq!(got.as_deref(), want, "{name}");
    }
}
