//! `pkg/scheduler/framework/plugins/podtopologyspread/scoring_test.go`,
//! TestPodTopologySpreadScore: the cases clustersim can state. Every node has a zone and a
//! host name here, so no node is ignored for a missing topology key. "candidates" are the
//! nodes that passed Filter (the ones scored); the others still count in their zone.
//!
//! Left out: "one constraint on node, null selector" (a scenario's selector always selects
//! something), "system defaulting, ..." (clustersim has no default constraints), the cases
//! with a node missing the topology key, with terminating pods, with custom topology keys
//! (`node`: minDomains, node inclusion policies), and with matchLabelKeys.

use std::collections::BTreeMap;

use crate::model::{
    LabelSelector, PodTemplate, TemplateId, TopologyKey, TopologySpreadConstraint,
    WhenUnsatisfiable,
};
use crate::quantity::Resources;
use crate::scheduler::framework::{PodRef, score_column};
use crate::scheduler::plugins::PodTopologySpreadScore;
use crate::scheduler::plugins::topology::testing::cluster;
use crate::scheduler::testkit::pod;

fn labels(keys: &[&str]) -> BTreeMap<String, String> {
    keys.iter()
        .map(|k| (k.to_string(), String::new()))
        .collect()
}

/// A pod template labelled with `keys` (each with the empty value, as upstream's test pods).
fn labelled(keys: &[&str]) -> PodTemplate {
    PodTemplate {
        labels: labels(keys),
        ..PodTemplate::default()
    }
}

/// A soft constraint selecting pods labelled `key`.
fn soft(max_skew: u32, topology_key: TopologyKey, key: &str) -> TopologySpreadConstraint {
    TopologySpreadConstraint {
        max_skew,
        topology_key,
        when_unsatisfiable: WhenUnsatisfiable::ScheduleAnyway,
        label_selector: LabelSelector::Labels(labels(&[key])),
        min_domains: None,
        honor_node_affinity: true,
        honor_node_taints: false,
    }
}

use TopologyKey::{Hostname, Zone};

struct Case {
    name: &'static str,
    /// Templates of the pods already placed; the incoming pod's template is added last.
    placed: Vec<PodTemplate>,
    constraints: Vec<TopologySpreadConstraint>,
    /// (zone, pods of each placed template) per node.
    nodes: Vec<(u32, Vec<u32>)>,
    /// Indexes of the candidate nodes.
    candidates: Vec<usize>,
    want: Vec<i64>,
}

fn check(case: Case) {
    let mut templates = case.placed.clone();
    let mut incoming = labelled(&["foo"]);
    incoming.topology_spread = case.constraints;
    templates.push(incoming);
    let n = case.placed.len();
    let nodes: Vec<(u32, Vec<u32>)> = case
        .nodes
        .iter()
        .map(|(z, counts)| {
            let mut c = counts.clone();
            c.push(0);
            (*z, c)
        })
        .collect();
    let spec: Vec<(u32, &[u32])> = nodes.iter().map(|(z, c)| (*z, c.as_slice())).collect();
    let (c, ids) = cluster(templates, &spec);
    let mut p = pod(Resources::ZERO);
    p.template = TemplateId(n as u32);
    p.workload = n as u32;
    let r = PodRef::new(&c, &p);
    let feasible: Vec<_> = case.candidates.iter().map(|&i| c.node(ids[i])).collect();
    let got = score_column(&PodTopologySpreadScore, &r, &feasible, &c);
    assert_eq!(got, Some(case.want), "{}", case.name);
}

#[test]
fn pod_topology_spread_score() {
    let foo = || vec![labelled(&["foo"])];
    let cases = vec![
        Case {
            name: "one constraint on node, no existing pods",
            placed: foo(),
            constraints: vec![soft(1, Hostname, "foo")],
            nodes: vec![(0, vec![0]), (0, vec![0])],
            candidates: vec![0, 1],
            want: vec![100, 100],
        },
        Case {
            name: "one constraint on node, only one node is candidate",
            placed: foo(),
            constraints: vec![soft(1, Hostname, "foo")],
            nodes: vec![(0, vec![2]), (0, vec![1])],
            candidates: vec![0],
            // Raw 2 × ln 3 = 2.197 → 2; the only node: 100.
            want: vec![100],
        },
        Case {
            name: "one constraint on node, all 4 nodes are candidates",
            placed: foo(),
            constraints: vec![soft(1, Hostname, "foo")],
            nodes: vec![(0, vec![2]), (0, vec![1]), (0, vec![0]), (0, vec![3])],
            candidates: vec![0, 1, 2, 3],
            // Weight ln 6 = 1.79: raw 4, 2, 0, 5; 100 × (5 + 0 − raw) / 5.
            want: vec![20, 60, 100, 0],
        },
        Case {
            name: "one constraint on node, all 4 nodes are candidates, maxSkew=2",
            placed: foo(),
            constraints: vec![soft(2, Hostname, "foo")],
            nodes: vec![(0, vec![2]), (0, vec![1]), (0, vec![0]), (0, vec![3])],
            candidates: vec![0, 1, 2, 3],
            // Raw + 1: 5, 3, 1, 6; 100 × (6 + 1 − raw) / 6.
            want: vec![33, 66, 100, 16],
        },
        Case {
            name: "one constraint on node, all 4 nodes are candidates, maxSkew=3",
            placed: foo(),
            constraints: vec![soft(3, Hostname, "foo")],
            nodes: vec![(0, vec![4]), (0, vec![3]), (0, vec![2]), (0, vec![1])],
            candidates: vec![0, 1, 2, 3],
            // Raw 4 × 1.79 + 2 = 9.17 → 9, 7, 6, 4; 100 × (9 + 4 − raw) / 9.
            want: vec![44, 66, 77, 100],
        },
        Case {
            name: "one constraint on node, 3 out of 4 nodes are candidates",
            placed: foo(),
            constraints: vec![soft(1, Hostname, "foo")],
            nodes: vec![(0, vec![4]), (0, vec![2]), (0, vec![1]), (0, vec![3])],
            candidates: vec![0, 1, 2],
            // Weight ln 5: raw 6, 3, 2; 100 × (6 + 2 − raw) / 6.
            want: vec![33, 83, 100],
        },
        Case {
            name: "one constraint on zone, 3 out of 4 nodes are candidates",
            placed: foo(),
            constraints: vec![soft(1, Zone, "foo")],
            // node-a, node-b in zone1; node-x, node-y in zone2 (node-y failed Filter).
            nodes: vec![(0, vec![4]), (0, vec![2]), (1, vec![1]), (1, vec![3])],
            candidates: vec![0, 1, 2],
            // Zone 1 holds 6, zone 2 holds 1 + 3 = 4 (node-y counts); weight ln 4:
            // raw 8, 8, 6; 100 × (8 + 6 − raw) / 8.
            want: vec![75, 75, 100],
        },
        Case {
            name: "two Constraints on zone and node, 2 out of 4 nodes are candidates",
            placed: foo(),
            constraints: vec![soft(1, Zone, "foo"), soft(1, Hostname, "foo")],
            // node-a (zone1, 2), node-b (zone1, 1, failed), node-x (zone2, 2), node-y (zone2,
            // 4, failed).
            nodes: vec![(0, vec![2]), (0, vec![1]), (1, vec![2]), (1, vec![4])],
            candidates: vec![0, 2],
            // Both weights ln 4: raw a 3 × 1.386 + 2 × 1.386 = 6.93 → 7, x 6 × 1.386 +
            // 2 × 1.386 = 11.09 → 11; 100 × (11 + 7 − raw) / 11.
            want: vec![100, 63],
        },
        Case {
            name: "two Constraints on zone and node, with different labelSelectors",
            // Templates: {foo}, {foo, bar}, {bar}.
            placed: vec![
                labelled(&["foo"]),
                labelled(&["foo", "bar"]),
                labelled(&["bar"]),
            ],
            constraints: vec![soft(1, Zone, "foo"), soft(1, Hostname, "bar")],
            nodes: vec![
                (0, vec![1, 0, 0]),
                (0, vec![0, 1, 0]),
                (1, vec![0, 0, 0]),
                (1, vec![1, 0, 1]),
            ],
            candidates: vec![0, 1, 2, 3],
            // Zone (foo): zone1 2, zone2 1, weight ln 4; host (bar): 0, 1, 0, 1, weight ln 6.
            // Raw 3, 5, 1, 3; 100 × (5 + 1 − raw) / 5.
            want: vec![60, 20, 100, 60],
        },
        Case {
            name: "two Constraints on zone and node, with different labelSelectors, some nodes have 0 pods",
            placed: vec![
                labelled(&["foo"]),
                labelled(&["foo", "bar"]),
                labelled(&["bar"]),
            ],
            constraints: vec![soft(1, Zone, "foo"), soft(1, Hostname, "bar")],
            nodes: vec![
                (0, vec![0, 0, 0]),
                (0, vec![0, 0, 1]),
                (1, vec![1, 0, 0]),
                (1, vec![0, 1, 0]),
            ],
            candidates: vec![0, 1, 2, 3],
            // Zone (foo): 0 and 2; host (bar): 0, 1, 0, 1. Raw 0, 2, 3, 5.
            want: vec![100, 60, 40, 0],
        },
        Case {
            name: "two Constraints on zone and node, with different labelSelectors, 3 out of 4 nodes are candidates",
            placed: vec![
                labelled(&["foo"]),
                labelled(&["foo", "bar"]),
                labelled(&["bar"]),
            ],
            constraints: vec![soft(1, Zone, "foo"), soft(1, Hostname, "bar")],
            nodes: vec![
                (0, vec![1, 0, 0]),
                (0, vec![0, 1, 0]),
                (1, vec![0, 0, 0]),
                (1, vec![1, 0, 1]),
            ],
            candidates: vec![0, 1, 2],
            // Host weight ln 5 (three candidates), zone weight ln 4. Raw 3, 4, 1.
            want: vec![50, 25, 100],
        },
        Case {
            name: "existing pods in a different namespace do not count",
            placed: vec![
                PodTemplate {
                    namespace: "ns1".into(),
                    ..labelled(&["foo"])
                },
                labelled(&["foo"]),
            ],
            constraints: vec![soft(1, Hostname, "foo")],
            nodes: vec![(0, vec![1, 1]), (0, vec![0, 2])],
            candidates: vec![0, 1],
            // Weight ln 4: raw 1.39 → 1 and 2.77 → 3; 100 × (3 + 1 − raw) / 3.
            want: vec![100, 33],
        },
    ];
    for case in cases {
        check(case);
    }
}

/// TestPreScoreSkip: "the pod doesn't have soft topology spread Constraints".
#[test]
fn pre_score_skip() {
    let (c, _) = cluster(vec![labelled(&["foo"])], &[(0, &[0])]);
    let p = pod(Resources::ZERO);
    use crate::scheduler::framework::Score;
    assert!(!PodTopologySpreadScore.applies(&PodRef::new(&c, &p), &c));
}
