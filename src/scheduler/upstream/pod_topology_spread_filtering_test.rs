//! `pkg/scheduler/framework/plugins/podtopologyspread/filtering_test.go`, TestSingleConstraint:
//! the cases clustersim can state. Upstream's nodes carry `zone` and `node` labels; here the
//! zone is the node's zone and `node` is the hostname key (one domain per node, as upstream's
//! `node` label is). Upstream runs the filter alone, so nodes that NodeAffinity would reject
//! still pass it; so does this test, which calls PodTopologySpread only, with and without a
//! cycle state (both must give upstream's verdicts).
//!
//! Left out: "existing pods do not match null selector" (a scenario's selector always selects
//! something), "absence of label 'zone' on node-b" and "all nodes don't have label 'rack'"
//! (every node has a zone and a hostname; no custom keys), "terminating Pods should be
//! excluded" (a pod leaves the count when it is unbound): 19 of the 23 cases are here.
//! Upstream's node labels (`foo` on some
//! nodes) become pool labels here, so labelled nodes come first in the node order.
//! TestMultipleConstraints and the PreFilter-state tests are not translated yet.

use std::collections::BTreeMap;

use crate::model::{
    Cluster, LabelOperator, LabelRequirement, LabelSelector, NodeId, PodTemplate, PoolId,
    TemplateId, TopologyKey, TopologySpreadConstraint, WhenUnsatisfiable,
};
use crate::model::{Taint, TaintEffect};
use crate::quantity::Resources;
use crate::scheduler::CycleState;
use crate::scheduler::framework::{Filter, PodRef};
use crate::scheduler::plugins::PodTopologySpread;
use crate::scheduler::plugins::topology::testing::cluster;
use crate::scheduler::testkit::{pod, pool};
use crate::time::SimTime;

use TopologyKey::{Hostname, Zone};

/// Upstream's test pods: labelled `key` (empty value) in `namespace`.
fn labelled(key: &str, namespace: &str) -> PodTemplate {
    PodTemplate {
        labels: BTreeMap::from([(key.to_string(), String::new())]),
        namespace: namespace.into(),
        ..PodTemplate::default()
    }
}

/// A hard constraint selecting pods labelled `key` (upstream's fooSelector / barSelector).
fn hard(max_skew: u32, topology_key: TopologyKey, key: &str) -> TopologySpreadConstraint {
    TopologySpreadConstraint {
        max_skew,
        topology_key,
        when_unsatisfiable: WhenUnsatisfiable::DoNotSchedule,
        label_selector: LabelSelector::Labels(BTreeMap::from([(key.to_string(), String::new())])),
        min_domains: None,
        honor_node_affinity: true,
        honor_node_taints: false,
    }
}

/// The placed templates: 0 `foo` in the default namespace, 1 `foo` in ns1, 2 `foo` in ns2.
fn placed() -> Vec<PodTemplate> {
    vec![
        labelled("foo", "default"),
        labelled("foo", "ns1"),
        labelled("foo", "ns2"),
    ]
}

struct Case {
    name: &'static str,
    /// The incoming pod's label.
    label: &'static str,
    constraint: TopologySpreadConstraint,
    /// Required node affinity on the hostname: `(In or NotIn, node indexes)`.
    affinity: Option<(LabelOperator, Vec<usize>)>,
    /// Upstream's four nodes node-a, node-b (zone1), node-x, node-y (zone2): pods of each
    /// placed template.
    pods: [[u32; 3]; 4],
    want: [bool; 4],
}

fn check(case: &Case) {
    let mut templates = placed();
    let mut incoming = labelled(case.label, "default");
    incoming.topology_spread = vec![case.constraint.clone()];
    templates.push(incoming);
    let nodes: Vec<(u32, Vec<u32>)> = case
        .pods
        .iter()
        .zip([0, 0, 1, 1])
        .map(|(p, zone)| (zone, vec![p[0], p[1], p[2], 0]))
        .collect();
    let spec: Vec<(u32, &[u32])> = nodes.iter().map(|(z, c)| (*z, c.as_slice())).collect();
    let (mut c, ids) = cluster(templates, &spec);
    if let Some((operator, on)) = &case.affinity {
        let values = on.iter().map(|&i| c.node(ids[i]).name.clone()).collect();
        c.templates[3].node_affinity.required = vec![LabelRequirement {
            key: "kubernetes.io/hostname".into(),
            operator: *operator,
            values,
        }];
    }
    let mut p = pod(Resources::ZERO);
    p.template = TemplateId(3);
    p.workload = 3;
    let cycle = CycleState::default();
    for r in [PodRef::new(&c, &p), PodRef::new(&c, &p).with_cycle(&cycle)] {
        let got: Vec<bool> = ids
            .iter()
            .map(|&n| PodTopologySpread.filter(&r, c.node(n), &c).is_ok())
            .collect();
        assert_eq!(got, case.want, "{}", case.name);
    }
}

#[test]
fn single_constraint() {
    let cases = [
        Case {
            name: "no existing pods",
            label: "foo",
            constraint: hard(1, Zone, "foo"),
            affinity: None,
            pods: [[0; 3]; 4],
            want: [true; 4],
        },
        Case {
            name: "no existing pods, incoming pod doesn't match itself",
            label: "foo",
            constraint: hard(1, Zone, "bar"),
            affinity: None,
            pods: [[0; 3]; 4],
            want: [true; 4],
        },
        Case {
            // zone1 holds only pods of ns1 and ns2: 0; zone2 2. a, b: 0 + 1 − 0 = 1 ✓;
            // x, y: 2 + 1 − 0 = 3 ✗.
            name: "existing pods in a different namespace do not count",
            label: "foo",
            constraint: hard(1, Zone, "foo"),
            affinity: None,
            pods: [[0, 1, 1], [0; 3], [1, 0, 0], [1, 0, 0]],
            want: [true, true, false, false],
        },
        Case {
            // zone1 3, zone2 3: 3 + 1 − 3 = 1 everywhere.
            name: "pods spread across zones as 3/3, all nodes fit",
            label: "foo",
            constraint: hard(1, Zone, "foo"),
            affinity: None,
            pods: [[2, 0, 0], [1, 0, 0], [0; 3], [3, 0, 0]],
            want: [true; 4],
        },
        Case {
            // Hosts 2, 1, 0, 3, min 0: only x gives 0 + 1 − 0 ≤ 1.
            name: "pods spread across nodes as 2/1/0/3, only node-x fits",
            label: "foo",
            constraint: hard(1, Hostname, "foo"),
            affinity: None,
            pods: [[2, 0, 0], [1, 0, 0], [0; 3], [3, 0, 0]],
            want: [false, false, true, false],
        },
        Case {
            // max_skew 2: a 3 ✗, b 2 ✓, x 1 ✓, y 4 ✗.
            name: "pods spread across nodes as 2/1/0/3, maxSkew is 2, node-b and node-x fit",
            label: "foo",
            constraint: hard(2, Hostname, "foo"),
            affinity: None,
            pods: [[2, 0, 0], [1, 0, 0], [0; 3], [3, 0, 0]],
            want: [false, true, true, false],
        },
        Case {
            // The pod is labelled bar: no + 1. a 2 ✗, b 1 ✓, x 0 ✓, y 3 ✗.
            name: "pods spread across nodes as 2/1/0/3, but pod doesn't match itself",
            label: "bar",
            constraint: hard(1, Hostname, "foo"),
            affinity: None,
            pods: [[2, 0, 0], [1, 0, 0], [0; 3], [3, 0, 0]],
            want: [false, true, true, false],
        },
        Case {
            // Only a (2) and y (3) are eligible, min 2: a 2 + 1 − 2 = 1 ✓, y 2 ✗; b and x
            // count 0 (NodeAffinity would reject them; the filter alone passes them).
            name: "incoming pod has nodeAffinity, pods spread as 2/~1~/~0~/3, hence node-a fits",
            label: "foo",
            constraint: hard(1, Hostname, "foo"),
            affinity: Some((LabelOperator::In, vec![0, 3])),
            pods: [[2, 0, 0], [1, 0, 0], [0; 3], [3, 0, 0]],
            want: [true, true, true, false],
        },
        Case {
            // b is not eligible, so zone1 counts 0 and zone2 1, min 0: zone1 ✓, zone2 2 ✗.
            name: "incoming pod has nodeAffinity, pods spread as 0/~2~/0/1, hence node-a fits",
            label: "foo",
            constraint: hard(1, Zone, "foo"),
            affinity: Some((LabelOperator::NotIn, vec![1])),
            pods: [[0; 3], [2, 0, 0], [0; 3], [1, 0, 0]],
            want: [true, true, false, false],
        },
    ];
    for case in &cases {
        check(case);
    }
}

/// Upstream's nodes for the inclusion-policy and `minDomains` cases: `(labelled foo, zone,
/// foo pods)` per node, labelled nodes first (pool `foo`, then pool `plain`). Template 0 is
/// `foo` in the default namespace; the incoming pod (template 1) is labelled `foo`.
fn policy_cluster(incoming: PodTemplate, nodes: &[(bool, u32, u32)]) -> (Cluster, Vec<NodeId>) {
    let mut labelled_pool = pool("foo", Resources::new(100_000, 0, 0));
    labelled_pool.labels.insert("foo".into(), String::new());
    let plain = pool("plain", Resources::new(100_000, 0, 0));
    let mut c = Cluster::new(
        vec!["zone1".into(), "zone2".into()],
        vec![labelled_pool, plain],
        vec![labelled("foo", "default"), incoming],
        vec!["w0".into(), "w1".into()],
    );
    let mut ids = Vec::new();
    for &(foo, zone, pods) in nodes {
        let id = c.launch_node(PoolId(if foo { 0 } else { 1 }), zone, SimTime::ZERO, true);
        for _ in 0..pods {
            let pid = c.submit_pod(pod(Resources::new(1, 0, 0)));
            c.bind(pid, id, SimTime::ZERO);
        }
        ids.push(id);
    }
    (c, ids)
}

fn verdicts(c: &Cluster, ids: &[NodeId]) -> Vec<bool> {
    let mut p = pod(Resources::ZERO);
    p.template = TemplateId(1);
    p.workload = 1;
    let cycle = CycleState::default();
    let fresh: Vec<bool> = ids
        .iter()
        .map(|&n| {
            PodTopologySpread
                .filter(&PodRef::new(c, &p), c.node(n), c)
                .is_ok()
        })
        .collect();
    let kept: Vec<bool> = ids
        .iter()
        .map(|&n| {
            let r = PodRef::new(c, &p).with_cycle(&cycle);
            PodTopologySpread.filter(&r, c.node(n), c).is_ok()
        })
        .collect();
    assert_eq!(fresh, kept);
    fresh
}

#[test]
fn single_constraint_min_domains() {
    let with = |max_skew, key, min_domains| {
        let mut t = labelled("foo", "default");
        let mut c = hard(max_skew, key, "foo");
        c.min_domains = Some(min_domains);
        t.topology_spread = vec![c];
        t
    };
    /// (name, incoming, nodes (labelled, zone, pods), want)
    type MinDomainsCase<'a> = (&'a str, PodTemplate, &'a [(bool, u32, u32)], &'a [bool]);
    let cases: [MinDomainsCase; 4] = [
        (
            // Hosts 2/2/1, 3 domains < 4: min 0; a 3 ✗, b 3 ✗, c 2 ✓.
            "pods spread across nodes as 2/2/1, maxSkew is 2, and the number of domains < minDomains, then the third node fits",
            with(2, Hostname, 4),
            &[(true, 0, 2), (true, 0, 2), (true, 0, 1)],
            &[false, false, true],
        ),
        (
            // 3 domains ≥ 2: min 1; a 2 ✓, b 2 ✓, c 1 ✓.
            "pods spread across nodes as 2/2/1, maxSkew is 2, and the number of domains > minDomains, then the all nodes fit",
            with(2, Hostname, 2),
            &[(true, 0, 2), (true, 0, 2), (true, 0, 1)],
            &[true, true, true],
        ),
        (
            // Zones 2/1, 2 domains < 3: min 0; zone1 3 ✗, zone2 2 ✓.
            "pods spread across zone as 2/1, maxSkew is 2 and the number of domains < minDomains, then the third and fourth nodes fit",
            with(2, Zone, 3),
            &[(true, 0, 1), (true, 0, 1), (true, 1, 0), (true, 1, 1)],
            &[false, false, true, true],
        ),
        (
            // 2 domains ≥ 1: min 1; zone1 2 ✓, zone2 1 ✓.
            "pods spread across zone as 2/1, maxSkew is 2 and the number of domains > minDomains, then the all nodes fit",
            with(2, Zone, 1),
            &[(true, 0, 1), (true, 0, 1), (true, 1, 0), (true, 1, 1)],
            &[true; 4],
        ),
    ];
    for (name, incoming, nodes, want) in cases {
        let (c, ids) = policy_cluster(incoming, nodes);
        assert_eq!(verdicts(&c, &ids), want, "{name}");
    }
}

#[test]
fn single_constraint_node_inclusion_policies() {
    // Nodes a, b, x labelled foo, y not; foo pods 1/1/0/1 (y's in brackets when not counted).
    let nodes: &[(bool, u32, u32)] = &[(true, 0, 1), (true, 0, 1), (true, 0, 0), (false, 0, 1)];
    type Edit = fn(&mut PodTemplate, &mut TopologySpreadConstraint);
    // (name, edit, taint node-y, want); upstream runs PodTopologySpread alone, so a node that
    // is not counted still passes with 0 + 1 − 0 = 1.
    let cases: [(&str, Edit, bool, [bool; 4]); 6] = [
        // 1/1/0/~0~, min 0: a 2 ✗, b 2 ✗, x 1 ✓, y 1 ✓.
        (
            "NodeAffinityPolicy honored with labelSelectors",
            |t, _| t.node_selector = BTreeMap::from([("foo".to_string(), String::new())]),
            false,
            [false, false, true, true],
        ),
        // 1/1/0/1: y 2 ✗.
        (
            "NodeAffinityPolicy ignored with labelSelectors",
            |t, c| {
                t.node_selector = BTreeMap::from([("foo".to_string(), String::new())]);
                c.honor_node_affinity = false;
            },
            false,
            [false, false, true, false],
        ),
        (
            "NodeAffinityPolicy honored with nodeAffinity",
            |t, _| {
                t.node_affinity.required = vec![LabelRequirement {
                    key: "foo".into(),
                    operator: LabelOperator::In,
                    values: vec![String::new()],
                }]
            },
            false,
            [false, false, true, true],
        ),
        (
            "NodeAffinityPolicy ignored with nodeAffinity",
            |t, c| {
                t.node_affinity.required = vec![LabelRequirement {
                    key: "foo".into(),
                    operator: LabelOperator::In,
                    values: vec![String::new()],
                }];
                c.honor_node_affinity = false;
            },
            false,
            [false, false, true, false],
        ),
        // y carries node.kubernetes.io/unschedulable:NoSchedule, not tolerated.
        (
            "NodeTaintsPolicy honored",
            |_, c| c.honor_node_taints = true,
            true,
            [false, false, true, true],
        ),
        (
            "NodeTaintsPolicy ignored",
            |_, _| {},
            true,
            [false, false, true, false],
        ),
    ];
    for (name, edit, taint_y, want) in cases {
        let mut t = labelled("foo", "default");
        let mut c = hard(1, Hostname, "foo");
        edit(&mut t, &mut c);
        t.topology_spread = vec![c];
        let (mut cl, ids) = policy_cluster(t, nodes);
        if taint_y {
            cl.nodes[ids[3].0 as usize].extra_taints.push(Taint {
                key: "node.kubernetes.io/unschedulable".into(),
                value: String::new(),
                effect: TaintEffect::NoSchedule,
            });
        }
        assert_eq!(verdicts(&cl, &ids), want, "{name}");
    }
}
