//! `pkg/scheduler/framework/plugins/noderesources/balanced_allocation_test.go`,
//! TestNodeResourcesBalancedAllocation, as the file stood before kubernetes/kubernetes#135573
//! changed the formula to weigh the node's balance before and after the pod (this is the
//! formula clustersim follows). cpu is in millicores here, as upstream's `makeNode` takes it.
//!
//! Left out: the two cases with a third resource (`nvidia.com/gpu` as a scalar resource:
//! clustersim balances cpu and memory only) and the two DRA extended-resource cases.

use super::least_allocated_test::run;
use crate::model::Cluster;
use crate::scheduler::framework::Score;
use crate::scheduler::plugins::BalancedAllocation;
use crate::scheduler::testkit::{cluster_with_nodes, pod_ref_of};

#[test]
fn node_resources_balanced_allocation() {
    // "nothing scheduled, nothing requested, skip in PreScore": a pod without containers.
    let (cluster, pod): (Cluster, _) = cluster_with_nodes(&[(4000, 10000, 0, 0)], (0, 0));
    assert!(!BalancedAllocation.applies(&pod_ref_of(&cluster, &pod), &cluster));
    // cpuAndMemory: 1000m/2000 + 2000m/3000 = 3000m/5000; cpuOnly: 3000m/0.
    run(
        &BalancedAllocation,
        vec![
            (
                "nothing scheduled, resources requested, differently sized nodes",
                vec![(4000, 10000, 0, 0), (6000, 10000, 0, 0)],
                (3000, 5000),
                // Node 1: 75% and 50%, std 0.125: (1 − 0.125) × 100 = 87.5 → 87.
                // Node 2: 50% and 50%: 100.
                vec![87, 100],
            ),
            (
                "resources requested, pods scheduled with resources",
                vec![(10000, 20000, 3000, 0), (10000, 20000, 3000, 5000)],
                (3000, 5000),
                // Node 1: 60% and 25%, std 0.175 → 82. Node 2: 60% and 50%, std 0.05 → 95.
                vec![82, 95],
            ),
            (
                "resources requested, pods scheduled with resources, differently sized nodes",
                vec![(10000, 20000, 3000, 0), (10000, 50000, 3000, 5000)],
                (3000, 5000),
                // Node 2: 60% and 20%, std 0.2 → 80.
                vec![82, 80],
            ),
            (
                "requested resources at node capacity",
                vec![(6000, 10000, 3000, 0), (6000, 10000, 3000, 5000)],
                (3000, 0),
                // Node 1: 100% and 0%, std 0.5 → 50. Node 2: 100% and 50%, std 0.25 → 75.
                vec![50, 75],
            ),
            (
                "resources requested, pods scheduled with resources if PreScore not called",
                vec![(10000, 20000, 3000, 0), (10000, 20000, 3000, 5000)],
                (3000, 5000),
                vec![82, 95],
            ),
        ],
    );
}
