//! Karpenter's provisioner: packs a batch of pending pods into NodeClaims and picks each
//! claim's instance type (`pkg/controllers/provisioning/scheduling`).
//!
//! Pods go in order of cpu, then memory, largest first. Each pod joins the first open claim
//! that still has a compatible instance type once the pod is added (the claim's pods fit the
//! type's node and the scheduler's filters accept the pod there); otherwise it opens a claim
//! of the NodePool with the highest weight that has a type taking it, within the NodePool's
//! cpu limit. A claim is launched as its cheapest compatible offering, capacity types in the
//! order reserved, spot, on-demand; an offering that finds no capacity is skipped for 3 min.

use crate::controllers::cluster_autoscaler::estimator::{rejects, template_node};
use crate::model::{Cluster, PodId, PoolId};
use crate::quantity::Resources;
use crate::scenario::{KarpenterNodePool, Offering};
use crate::scheduler::Filter;

/// A NodeClaim being filled.
#[derive(Clone, Debug, PartialEq)]
pub struct Claim {
    /// Index of its NodePool.
    pub node_pool: usize,
    pub pods: Vec<PodId>,
    pub requests: Resources,
    /// Offerings (indices into the NodePool's) that can still hold every pod.
    pub compatible: Vec<usize>,
}

/// Karpenter's pod order: cpu, then memory, largest first (ties by pod id).
pub fn sort_pods(cluster: &Cluster, pods: &mut [PodId]) {
    pods.sort_by_key(|&p| {
        let r = cluster.pod(p).requests;
        (std::cmp::Reverse(r.cpu_m), std::cmp::Reverse(r.memory), p)
    });
}

/// True if `pods` plus `pod` fit offering `o`'s node and the filters take `pod` beside them.
fn fits(
    cluster: &Cluster,
    filters: &[Box<dyn Filter>],
    o: &Offering,
    pods: &[PodId],
    requests: Resources,
    pod: PodId,
    scratch: &mut Vec<PodId>,
) -> bool {
    let spec = &cluster.pools[o.pool];
    let total = requests + cluster.pod(pod).requests;
    if !total.fits_in(&spec.node) || pods.len() as u32 + 1 > spec.max_pods {
        return false;
    }
    let zone = spec.zones.first().copied().unwrap_or(0) as u32;
    let mut node = template_node(cluster, PoolId(o.pool as u32), zone, 0);
    node.allocated = requests;
    // The claim's pods, in a buffer reused from call to call.
    let mut list = std::mem::take(scratch);
    list.clear();
    list.extend_from_slice(pods);
    node.pods = list;
    let ok = rejects(filters, cluster, pod, &node).is_none();
    *scratch = std::mem::take(&mut node.pods);
    ok
}

/// Packs `pods` (sorted) into claims. `cpu_left` is each NodePool's cpu limit left (`None`: no
/// limit); a claim counts the smallest compatible type's cpu against it. Returns the claims
/// and the pods no NodePool can take.
pub fn pack(
    cluster: &Cluster,
    filters: &[Box<dyn Filter>],
    node_pools: &[KarpenterNodePool],
    pods: &[PodId],
    cpu_left: &mut [Option<u64>],
) -> (Vec<Claim>, Vec<PodId>) {
    let mut by_weight: Vec<usize> = (0..node_pools.len()).collect();
    by_weight.sort_by_key(|&i| (std::cmp::Reverse(node_pools[i].weight), i));
    let mut claims: Vec<Claim> = Vec::new();
    let mut unplaced = Vec::new();
    let mut scratch = Vec::new();
    let mut still: Vec<usize> = Vec::new();
    'pods: for &pod in pods {
        for c in claims.iter_mut() {
            let offerings = &node_pools[c.node_pool].offerings;
            still.clear();
            still.extend(c.compatible.iter().copied().filter(|&o| {
                fits(
                    cluster,
                    filters,
                    &offerings[o],
                    &c.pods,
                    c.requests,
                    pod,
                    &mut scratch,
                )
            }));
            if !still.is_empty() {
                std::mem::swap(&mut c.compatible, &mut still);
                c.pods.push(pod);
                c.requests += cluster.pod(pod).requests;
                continue 'pods;
            }
        }
        for &np in &by_weight {
            let offerings = &node_pools[np].offerings;
            let compatible: Vec<usize> = (0..offerings.len())
                .filter(|&o| {
                    fits(
                        cluster,
                        filters,
                        &offerings[o],
                        &[],
                        Resources::ZERO,
                        pod,
                        &mut scratch,
                    )
                })
                .collect();
            let Some(smallest) = compatible
                .iter()
                .map(|&o| cluster.pools[offerings[o].pool].node.cpu_m)
                .min()
            else {
                continue;
            };
            if let Some(left) = cpu_left[np].as_mut() {
                if *left < smallest {
                    continue;
                }
                *left -= smallest;
            }
            claims.push(Claim {
                node_pool: np,
                pods: vec![pod],
                requests: cluster.pod(pod).requests,
                compatible,
            });
            continue 'pods;
        }
        unplaced.push(pod);
    }
    (claims, unplaced)
}

/// The claim's offerings in launch order: capacity type (reserved, spot, on-demand), then
/// price, then catalog order.
pub fn launch_order(cluster: &Cluster, node_pool: &KarpenterNodePool, claim: &Claim) -> Vec<usize> {
    let rank = |c: crate::model::CapacityType| match c {
        crate::model::CapacityType::Reserved => 0,
        crate::model::CapacityType::Spot => 1,
        crate::model::CapacityType::OnDemand => 2,
    };
    let mut order = claim.compatible.clone();
    order.sort_by(|&a, &b| {
        let (oa, ob) = (&node_pool.offerings[a], &node_pool.offerings[b]);
        let (pa, pb) = (
            cluster.pools[oa.pool].price_per_hour,
            cluster.pools[ob.pool].price_per_hour,
        );
        rank(oa.capacity_type)
            .cmp(&rank(ob.capacity_type))
            .then(pa.total_cmp(&pb))
            .then(a.cmp(&b))
    });
    order
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CapacityType, PodTemplate, PoolSpec};
    use crate::scenario::{ConsolidationPolicy, IntOrPercent};
    use crate::scheduler::plugins::{NodeResourcesFit, TaintToleration};
    use crate::scheduler::testkit::{pod, pool};
    use crate::time::SimDuration;

    const GI: u64 = 1 << 30;

    /// A cluster whose pools are the offerings `(cpu, price)` (on-demand, 64 Gi) and pending
    /// pods asking `cpus` (1 Gi each).
    fn setup(types: &[(u64, f64)], cpus: &[u64]) -> (Cluster, KarpenterNodePool, Vec<PodId>) {
        let pools: Vec<PoolSpec> = types
            .iter()
            .enumerate()
            .map(|(i, &(cpu, price))| {
                let mut p = pool(&format!("t{i}"), Resources::new(cpu * 1000, 64 * GI, 0));
                p.price_per_hour = price;
                p
            })
            .collect();
        let mut cluster = Cluster::new(
            vec!["zone-a".into()],
            pools,
            vec![PodTemplate::default()],
            vec!["w".into()],
        );
        let pods = cpus
            .iter()
            .map(|&c| cluster.submit_pod(pod(Resources::new(c * 1000, GI, 0))))
            .collect();
        let np = KarpenterNodePool {
            name: "default".into(),
            weight: 0,
            offerings: (0..types.len())
                .map(|i| Offering {
                    pool: i,
                    instance_type: i,
                    capacity_type: CapacityType::OnDemand,
                })
                .collect(),
            limit_cpu_m: None,
            consolidation: ConsolidationPolicy::WhenEmptyOrUnderutilized,
            consolidate_after: SimDuration::ZERO,
            budgets: vec![IntOrPercent::Percent(10)],
        };
        (cluster, np, pods)
    }

    fn filters() -> Vec<Box<dyn Filter>> {
        vec![Box::new(NodeResourcesFit), Box::new(TaintToleration)]
    }

    /// What the heuristic pays per hour: each claim launched as its cheapest compatible type.
    fn heuristic_cost(cluster: &Cluster, np: &KarpenterNodePool, pods: &[PodId]) -> f64 {
        let mut sorted = pods.to_vec();
        sort_pods(cluster, &mut sorted);
        let (claims, unplaced) = pack(
            cluster,
            &filters(),
            std::slice::from_ref(np),
            &sorted,
            &mut [None],
        );
        assert!(unplaced.is_empty());
        claims
            .iter()
            .map(|c| {
                let first = launch_order(cluster, np, c)[0];
                cluster.pools[np.offerings[first].pool].price_per_hour
            })
            .sum()
    }

    /// The cheapest covering by brute force: every partition of the pods into nodes, each node
    /// the cheapest type that holds its pods.
    fn optimum(types: &[(u64, f64)], cpus: &[u64]) -> f64 {
        fn go(i: usize, cpus: &[u64], bins: &mut Vec<u64>, types: &[(u64, f64)], best: &mut f64) {
            if i == cpus.len() {
                let cost: Option<f64> = bins
                    .iter()
                    .map(|&b| {
                        types
                            .iter()
                            .filter(|t| t.0 >= b)
                            .map(|t| t.1)
                            .min_by(f64::total_cmp)
                    })
                    .sum();
                if let Some(c) = cost {
                    *best = best.min(c);
                }
                return;
            }
            for k in 0..bins.len() {
                bins[k] += cpus[i];
                go(i + 1, cpus, bins, types, best);
                bins[k] -= cpus[i];
            }
            bins.push(cpus[i]);
            go(i + 1, cpus, bins, types, best);
            bins.pop();
        }
        let mut best = f64::INFINITY;
        go(0, cpus, &mut Vec::new(), types, &mut best);
        best
    }

    #[test]
    fn launched_types_match_the_cheapest_covering_on_small_bursts() {
        // (types as (cpu, $/h), pod cpus). Prices proportional to size with a discount for
        // the big type, as clouds price them.
        type Case<'a> = (&'a [(u64, f64)], &'a [u64]);
        let cases: &[Case] = &[
            // One 2-cpu pod: the 2-cpu type ($0.10).
            (&[(2, 0.10), (4, 0.19), (8, 0.36)], &[2]),
            // 3 + 1 fill a 4; 1 + 1 open a claim that a 2 holds: 0.29, the optimum.
            (&[(2, 0.10), (4, 0.19)], &[3, 1, 1, 1]),
            // Eight 1-cpu pods: one 8-cpu node (0.36) beats two 4s (0.38).
            (
                &[(2, 0.10), (4, 0.19), (8, 0.36)],
                &[1, 1, 1, 1, 1, 1, 1, 1],
            ),
            // 4 + 4 + 2: an 8 and a 2 (0.46).
            (&[(2, 0.10), (4, 0.19), (8, 0.36)], &[4, 4, 2]),
        ];
        for (types, cpus) in cases {
            let (cluster, np, pods) = setup(types, cpus);
            let got = heuristic_cost(&cluster, &np, &pods);
            let best = optimum(types, cpus);
            assert!(
                (got - best).abs() < 1e-9,
                "{cpus:?} on {types:?}: {got} against {best}"
            );
        }
    }

    #[test]
    fn where_the_heuristic_and_the_optimum_differ_it_follows_its_own_rule() {
        // Types: 2 cpu at $0.10, 4 cpu at $0.30 (no discount for size). Pods 2, 1, 1. The
        // optimum is two 2-cpu nodes ([2], [1, 1]): $0.20. Karpenter's rule adds each pod to
        // the first open claim that some type can still hold: 2 opens a claim, 1 joins it
        // (3 cpu: only the 4-cpu type), 1 joins it (4 cpu): one 4-cpu node, $0.30.
        let types = [(2, 0.10), (4, 0.30)];
        let (cluster, np, pods) = setup(&types, &[2, 1, 1]);
        assert!((optimum(&types, &[2, 1, 1]) - 0.20).abs() < 1e-9);
        assert!((heuristic_cost(&cluster, &np, &pods) - 0.30).abs() < 1e-9);
        // With an 8-cpu type, pods 3, 1, 1, 1 all join the first claim (6 cpu: the 8-cpu
        // type, $0.36), though a 4 and a 2 ($0.29) would do.
        let types = [(2, 0.10), (4, 0.19), (8, 0.36)];
        let (cluster, np, pods) = setup(&types, &[3, 1, 1, 1]);
        assert!((optimum(&types, &[3, 1, 1, 1]) - 0.29).abs() < 1e-9);
        assert!((heuristic_cost(&cluster, &np, &pods) - 0.36).abs() < 1e-9);
    }
}
