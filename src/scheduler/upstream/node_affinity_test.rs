//! `pkg/scheduler/framework/plugins/nodeaffinity/node_affinity_test.go`.
//!
//! Left out of TestNodeAffinity, as clustersim cannot state them: "Pod with empty
//! MatchExpressions is not a valid value will match no objects and won't schedule onto the
//! node" (a scenario's `required` is one term; an empty one is no requirement), "Pod with
//! multiple NodeSelectorTerms ORed in affinity, ..." (one term only), "Pod with an invalid value
//! in Affinity term won't be scheduled onto the node" (an invalid label value is refused when
//! the scenario is read), the eight matchFields (`metadata.name`) cases, and the three cases
//! of scheduler-enforced (added) affinity from the plug-in's arguments. Left out of
//! TestNodeAffinityPriority: "PreScore returns error when an incoming Pod has a broken affinity"
//! (refused when read) and the two added-affinity cases.

use super::*;
use crate::model::LabelOperator::{self, DoesNotExist, Exists, Gt, In, NotIn};
use crate::model::{LabelRequirement, PreferredTerm};
use crate::scheduler::diagnosis::reason_texts;
use crate::scheduler::framework::{Filter, PodRef};
use crate::scheduler::plugins::{NodeAffinity, NodeAffinityScore};
use crate::scheduler::testkit::pod;

fn req(key: &str, operator: LabelOperator, values: &[&str]) -> LabelRequirement {
    LabelRequirement {
        key: key.into(),
        operator,
        values: values.iter().map(|v| v.to_string()).collect(),
    }
}

fn template(
    selector: &[(&str, &str)],
    required: Vec<LabelRequirement>,
    preferred: Vec<(i64, Vec<LabelRequirement>)>,
) -> PodTemplate {
    let mut t = PodTemplate {
        node_selector: selector
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        ..PodTemplate::default()
    };
    t.node_affinity.required = required;
    t.node_affinity.preferred = preferred
        .into_iter()
        .map(|(weight, requirements)| PreferredTerm {
            weight,
            requirements,
        })
        .collect();
    t
}

const MISMATCH: Option<&str> = Some("node(s) didn't match Pod's node affinity/selector");

/// TestNodeAffinity: the expressible cases, one node each.
#[test]
fn node_affinity_filter() {
    #[allow(clippy::type_complexity)]
    let cases: Vec<(&str, PodTemplate, &[(&str, &str)], Option<&str>)> = vec![
        (
            "missing labels",
            template(&[("foo", "bar")], vec![], vec![]),
            &[],
            MISMATCH,
        ),
        (
            "same labels",
            template(&[("foo", "bar")], vec![], vec![]),
            &[("foo", "bar")],
            None,
        ),
        (
            "node labels are superset",
            template(&[("foo", "bar")], vec![], vec![]),
            &[("foo", "bar"), ("baz", "blah")],
            None,
        ),
        (
            "node labels are subset",
            template(&[("foo", "bar"), ("baz", "blah")], vec![], vec![]),
            &[("foo", "bar")],
            MISMATCH,
        ),
        (
            "Pod with matchExpressions using In operator that matches the existing node",
            template(&[], vec![req("foo", In, &["bar", "value2"])], vec![]),
            &[("foo", "bar")],
            None,
        ),
        (
            "Pod with matchExpressions using Gt operator that matches the existing node",
            // 0206 > 0204 as integers (leading zeros are fine).
            template(&[], vec![req("kernel-version", Gt, &["0204"])], vec![]),
            &[("kernel-version", "0206")],
            None,
        ),
        (
            "Pod with matchExpressions using NotIn operator that matches the existing node",
            template(&[], vec![req("mem-type", NotIn, &["DDR", "DDR2"])], vec![]),
            &[("mem-type", "DDR3")],
            None,
        ),
        (
            "Pod with matchExpressions using Exists operator that matches the existing node",
            template(&[], vec![req("GPU", Exists, &[])], vec![]),
            &[("GPU", "NVIDIA-GRID-K1")],
            None,
        ),
        (
            "Pod with affinity that don't match node's labels won't schedule onto the node",
            template(&[], vec![req("foo", In, &["value1", "value2"])], vec![]),
            &[("foo", "bar")],
            MISMATCH,
        ),
        (
            "Pod with no Affinity will schedule onto a node",
            template(&[], vec![], vec![]),
            &[("foo", "bar")],
            None,
        ),
        (
            "Pod with Affinity but nil NodeSelector will schedule onto a node",
            template(&[], vec![], vec![]),
            &[("foo", "bar")],
            None,
        ),
        (
            "Pod with multiple matchExpressions ANDed that matches the existing node",
            template(
                &[],
                vec![
                    req("GPU", Exists, &[]),
                    req("GPU", NotIn, &["AMD", "INTER"]),
                ],
                vec![],
            ),
            &[("GPU", "NVIDIA-GRID-K1")],
            None,
        ),
        (
            "Pod with multiple matchExpressions ANDed that doesn't match the existing node",
            template(
                &[],
                vec![req("GPU", Exists, &[]), req("GPU", In, &["AMD", "INTER"])],
                vec![],
            ),
            &[("GPU", "NVIDIA-GRID-K1")],
            MISMATCH,
        ),
        (
            "Pod with an Affinity and a PodSpec.NodeSelector(the old thing that we are deprecating) both are satisfied, will schedule onto the node",
            template(&[("foo", "bar")], vec![req("foo", Exists, &[])], vec![]),
            &[("foo", "bar")],
            None,
        ),
        (
            "Pod with an Affinity matches node's labels but the PodSpec.NodeSelector(the old thing that we are deprecating) is not satisfied, won't schedule onto the node",
            template(&[("foo", "bar")], vec![req("foo", Exists, &[])], vec![]),
            &[("foo", "barrrrrr")],
            MISMATCH,
        ),
        (
            "Matches node selector correctly even if PreFilter is not called",
            template(&[("foo", "bar")], vec![], vec![]),
            &[("foo", "bar"), ("baz", "blah")],
            None,
        ),
        (
            "Matches node affinity correctly even if PreFilter is not called",
            template(
                &[],
                vec![
                    req("GPU", Exists, &[]),
                    req("GPU", NotIn, &["AMD", "INTER"]),
                ],
                vec![],
            ),
            &[("GPU", "NVIDIA-GRID-K1")],
            None,
        ),
    ];
    for (name, template, labels, want) in cases {
        let c = cluster_labelled(&[labels], template);
        let p = pod(Resources::ZERO);
        let r = PodRef::new(&c, &p);
        let node = c.node(c.node_order()[0]);
        let got = NodeAffinity
            .filter(&r, node, &c)
            .err()
            .map(|reason| reason_texts(reason, node, &c).join(", "));
        assert_eq!(got.as_deref(), want, "{name}");
    }
    // Gt and Lt against labels that are not integers, and Lt itself.
    let lt = template(&[], vec![req("n", LabelOperator::Lt, &["10"])], vec![]);
    for (label, fits) in [("9", true), ("10", false), ("x", false)] {
        let c = cluster_labelled(&[&[("n", label)]], lt.clone());
        let p = pod(Resources::ZERO);
        let node = c.node(c.node_order()[0]);
        assert_eq!(
            NodeAffinity.filter(&PodRef::new(&c, &p), node, &c).is_ok(),
            fits,
            "{label}"
        );
    }
    let absent = template(&[], vec![req("n", DoesNotExist, &[])], vec![]);
    let c = cluster_labelled(&[&[]], absent);
    let p = pod(Resources::ZERO);
    assert!(
        NodeAffinity
            .filter(&PodRef::new(&c, &p), c.node(c.node_order()[0]), &c)
            .is_ok()
    );
}

/// TestNodeAffinityPriority: the expressible cases. Raw score: the weights of the matching
/// preferred terms; NormalizeScore: 100 × raw ÷ the highest raw.
#[test]
fn node_affinity_priority() {
    let label1: &[(&str, &str)] = &[("foo", "bar")];
    let label2: &[(&str, &str)] = &[("key", "value")];
    let label3: &[(&str, &str)] = &[("az", "az1")];
    let label4: &[(&str, &str)] = &[("abc", "az11"), ("def", "az22")];
    let label5: &[(&str, &str)] = &[("foo", "bar"), ("key", "value"), ("az", "az1")];
    let affinity1 = || vec![(2, vec![req("foo", In, &["bar"])])];
    let affinity2 = || {
        vec![
            (2, vec![req("foo", In, &["bar"])]),
            (4, vec![req("key", In, &["value"])]),
            (
                5,
                vec![
                    req("foo", In, &["bar"]),
                    req("key", In, &["value"]),
                    req("az", In, &["az1"]),
                ],
            ),
        ]
    };
    #[allow(clippy::type_complexity)]
    let cases: Vec<(&str, PodTemplate, Vec<&[(&str, &str)]>, Option<Vec<i64>>)> = vec![
        (
            // Upstream scores 0 everywhere without running PreScore; with it, the plug-in
            // is skipped (the next case), which adds nothing to any node: the same totals.
            "all nodes are same priority as NodeAffinity is nil",
            template(&[], vec![], vec![]),
            vec![label1, label2, label3],
            None,
        ),
        (
            "Skip is returned in PreScore when NodeAffinity is nil",
            template(&[], vec![], vec![]),
            vec![label1],
            None,
        ),
        (
            "no node matches preferred scheduling requirements in NodeAffinity of pod so all nodes' priority is zero",
            template(&[], vec![], affinity1()),
            vec![label4, label2, label3],
            Some(vec![0, 0, 0]),
        ),
        (
            "only node1 matches the preferred scheduling requirements of pod",
            template(&[], vec![], affinity1()),
            vec![label1, label2, label3],
            // Raw 2, 0, 0.
            Some(vec![100, 0, 0]),
        ),
        (
            "all nodes matches the preferred scheduling requirements of pod but with different priorities ",
            template(&[], vec![], affinity2()),
            vec![label1, label5, label2],
            // Raw 2, 2 + 4 + 5 = 11, 4: 200 / 11 = 18, 100, 400 / 11 = 36.
            Some(vec![18, 100, 36]),
        ),
        (
            "calculate the priorities correctly even if PreScore is not called",
            template(&[], vec![], affinity2()),
            vec![label1, label5, label2],
            Some(vec![18, 100, 36]),
        ),
    ];
    for (name, template, labels, want) in cases {
        let c = cluster_labelled(&labels, template);
        assert_eq!(
            scores(&NodeAffinityScore, &c, Resources::ZERO),
            want,
            "{name}"
        );
    }
}
