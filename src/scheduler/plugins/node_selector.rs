use crate::model::{Cluster, Node};
use crate::scheduler::framework::{Filter, PodRef, Reason};

/// Kubernetes' NodeAffinity filter: every `node_selector` key must be a node label with exactly
/// that value, and every required node affinity requirement must match (pool labels plus the
/// well-known hostname, zone, capacity-type and pool labels).
pub struct NodeAffinity;

/// The one label that differs between nodes of a pool and zone.
pub(crate) fn per_node_label(key: &str) -> bool {
    key == "kubernetes.io/hostname"
}

impl Filter for NodeAffinity {
    fn name(&self) -> &'static str {
        "NodeAffinity"
    }

    /// Pool labels and the zone, unless a key is the node's hostname.
    fn shape_only(&self, pod: &PodRef, _: &Cluster) -> bool {
        let t = pod.template;
        !t.node_selector.keys().any(|k| per_node_label(k))
            && !t
                .node_affinity
                .required
                .iter()
                .any(|r| per_node_label(&r.key))
    }

    fn filter(&self, pod: &PodRef, node: &Node, cluster: &Cluster) -> Result<(), Reason> {
        for (key, want) in &pod.template.node_selector {
            if cluster.node_label(node, key) != Some(want.as_str()) {
                return Err(Reason::NodeSelectorMismatch);
            }
        }
        for r in &pod.template.node_affinity.required {
            if !r.matches(cluster.node_label(node, &r.key)) {
                return Err(Reason::NodeSelectorMismatch);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PoolId;
    use crate::model::{LabelOperator, LabelRequirement, PodTemplate};
    use crate::quantity::Resources;
    use crate::scheduler::testkit::{pod, pool};
    use crate::time::SimTime;

    #[test]
    fn required_node_affinity_operators() {
        // Pool "gpu" has label accelerator=a100; pool "cpu" has no accelerator label.
        let mut gpu = pool("gpu", Resources::new(1000, 0, 0));
        gpu.labels.insert("accelerator".into(), "a100".into());
        let cpu = pool("cpu", Resources::new(1000, 0, 0));
        let req = |op, values: &[&str]| LabelRequirement {
            key: "accelerator".into(),
            operator: op,
            values: values.iter().map(|s| s.to_string()).collect(),
        };
        use LabelOperator::*;
        // (requirement, fits gpu node, fits cpu node)
        let table = [
            (req(In, &["a100", "h100"]), true, false),
            (req(In, &["h100"]), false, false),
            (req(NotIn, &["a100"]), false, true), // an absent label is "not in"
            (req(Exists, &[]), true, false),
            (req(DoesNotExist, &[]), false, true),
        ];
        for (i, (r, on_gpu, on_cpu)) in table.into_iter().enumerate() {
            let mut t = PodTemplate::default();
            t.node_affinity.required.push(r);
            let mut c = Cluster::new(
                vec!["z".into()],
                vec![gpu.clone(), cpu.clone()],
                vec![t],
                vec!["w".into()],
            );
            let g = c.launch_node(PoolId(0), 0, SimTime::ZERO, true);
            let n = c.launch_node(PoolId(1), 0, SimTime::ZERO, true);
            let p = pod(Resources::ZERO);
            let r = PodRef::new(&c, &p);
            assert_eq!(
                NodeAffinity.filter(&r, c.node(g), &c).is_ok(),
                on_gpu,
                "{i}"
            );
            assert_eq!(
                NodeAffinity.filter(&r, c.node(n), &c).is_ok(),
                on_cpu,
                "{i}"
            );
        }
    }
}
