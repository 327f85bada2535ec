//! Expanders: which node group grows when several could take the pending pods
//! (`cluster-autoscaler/expander/`). Each is a small strategy that narrows the options; a
//! chain (`--expander=priority,least-waste`) applies them in order, stops as soon as one option
//! is left, and breaks the remaining ties at random, as upstream's `chain.go` does.

use rand::RngExt;

use crate::model::{Cluster, PodId, PoolId};
use crate::quantity::Resources;
use crate::rng::SimRng;
use crate::scenario::Expander;

/// One way to scale up: `nodes` new nodes of `pool` would take `pods`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScaleUpOption {
    pub pool: PoolId,
    pub nodes: u32,
    pub pods: Vec<PodId>,
}

/// What the strategies may look at besides the options.
pub struct ExpanderContext<'a> {
    pub cluster: &'a Cluster,
    /// Priority expander: priority by pool index (`None`: not listed).
    pub priorities: &'a [Option<i32>],
}

/// A strategy: keeps the best options (all of them on a tie).
pub trait Strategy {
    fn best_options(&self, options: Vec<ScaleUpOption>, cx: &ExpanderContext)
    -> Vec<ScaleUpOption>;
}

/// Keeps the options whose `score` is lowest (exact ties all kept).
fn keep_lowest(
    options: Vec<ScaleUpOption>,
    score: impl Fn(&ScaleUpOption) -> f64,
) -> Vec<ScaleUpOption> {
    let scores: Vec<f64> = options.iter().map(score).collect();
    let best = scores.iter().copied().fold(f64::INFINITY, f64::min);
    options
        .into_iter()
        .zip(scores)
        .filter(|(_, s)| *s == best)
        .map(|(o, _)| o)
        .collect()
}

/// `least-waste`: the least idle cpu and memory after the pods are placed, as fractions of the
/// new nodes' resources, summed (`waste.go`).
pub struct LeastWaste;

impl Strategy for LeastWaste {
    fn best_options(
        &self,
        options: Vec<ScaleUpOption>,
        cx: &ExpanderContext,
    ) -> Vec<ScaleUpOption> {
        keep_lowest(options, |o| {
            let node = cx.cluster.pool(o.pool).node;
            let n = u64::from(o.nodes);
            let mut requested = Resources::ZERO;
            for &p in &o.pods {
                requested += cx.cluster.pod(p).requests;
            }
            let avail_cpu = (node.cpu_m * n).max(1) as f64;
            let avail_mem = (node.memory * n).max(1) as f64;
            (avail_cpu - requested.cpu_m as f64) / avail_cpu
                + (avail_mem - requested.memory as f64) / avail_mem
        })
    }
}

/// `most-pods`: the options that schedule the most pods.
pub struct MostPods;

impl Strategy for MostPods {
    fn best_options(&self, options: Vec<ScaleUpOption>, _: &ExpanderContext) -> Vec<ScaleUpOption> {
        keep_lowest(options, |o| -(o.pods.len() as f64))
    }
}

/// `least-nodes`: the options that add the fewest nodes.
pub struct LeastNodes;

impl Strategy for LeastNodes {
    fn best_options(&self, options: Vec<ScaleUpOption>, _: &ExpanderContext) -> Vec<ScaleUpOption> {
        keep_lowest(options, |o| f64::from(o.nodes))
    }
}

/// `price`: the cheapest new capacity per pod helped (the new nodes' price per hour divided by
/// the pods they take). Upstream also weighs a preferred node size and pod prices from a
/// price model; clustersim keeps only the price of the nodes against the pods they serve.
pub struct Price;

impl Strategy for Price {
    fn best_options(
        &self,
        options: Vec<ScaleUpOption>,
        cx: &ExpanderContext,
    ) -> Vec<ScaleUpOption> {
        keep_lowest(options, |o| {
            let price = cx.cluster.pool(o.pool).price_per_hour * f64::from(o.nodes);
            price / o.pods.len().max(1) as f64
        })
    }
}

/// `priority`: the options of the highest-priority pools; pools without a priority are
/// dropped, unless no option has one (then all pass).
pub struct Priority;

impl Strategy for Priority {
    fn best_options(
        &self,
        options: Vec<ScaleUpOption>,
        cx: &ExpanderContext,
    ) -> Vec<ScaleUpOption> {
        let priority = |o: &ScaleUpOption| cx.priorities.get(o.pool.0 as usize).copied().flatten();
        let Some(best) = options.iter().filter_map(priority).max() else {
            return options;
        };
        options
            .into_iter()
            .filter(|o| priority(o) == Some(best))
            .collect()
    }
}

/// `random`: one option, drawn uniformly (also the chain's final tie-break).
fn pick_random(mut options: Vec<ScaleUpOption>, rng: &mut SimRng) -> Vec<ScaleUpOption> {
    if options.len() <= 1 {
        return options;
    }
    let i = rng.random_range(0..options.len());
    vec![options.swap_remove(i)]
}

/// Applies the chain `names` to `options` (in pool order): the option to take, or `None` if
/// there is none. Ties left at the end go to the random strategy.
pub fn choose(
    names: &[Expander],
    mut options: Vec<ScaleUpOption>,
    cx: &ExpanderContext,
    rng: &mut SimRng,
) -> Option<ScaleUpOption> {
    for name in names {
        if options.len() <= 1 {
            break;
        }
        options = match name {
            Expander::LeastWaste => LeastWaste.best_options(options, cx),
            Expander::MostPods => MostPods.best_options(options, cx),
            Expander::LeastNodes => LeastNodes.best_options(options, cx),
            Expander::Price => Price.best_options(options, cx),
            Expander::Priority => Priority.best_options(options, cx),
            Expander::Random => pick_random(options, rng),
        };
    }
    pick_random(options, rng).into_iter().next()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Cluster, PodTemplate};
    use crate::quantity::Resources;
    const GI: u64 = 1 << 30;
    use crate::rng::stream;
    use crate::scheduler::testkit::{pod, pool};

    /// Three pools: small (2 cpu, 6 Gi, $0.10), big (8 cpu, 32 Gi, $0.38), huge (16 cpu,
    /// 64 Gi, $0.90); pods of 1 cpu and 2 Gi.
    fn setup() -> (Cluster, Vec<PodId>) {
        let mut pools = vec![
            pool("small", Resources::new(2000, 6 * GI, 0)),
            pool("big", Resources::new(8000, 32 * GI, 0)),
            pool("huge", Resources::new(16000, 64 * GI, 0)),
        ];
        for (p, price) in pools.iter_mut().zip([0.10, 0.38, 0.90]) {
            p.price_per_hour = price;
        }
        let mut cluster = Cluster::new(
            vec!["zone-a".into()],
            pools,
            vec![PodTemplate::default()],
            vec!["w".into()],
        );
        let pods = (0..8)
            .map(|_| cluster.submit_pod(pod(Resources::new(1000, 2 * GI, 0))))
            .collect();
        (cluster, pods)
    }

    fn option(pool: u32, nodes: u32, pods: &[PodId]) -> ScaleUpOption {
        ScaleUpOption {
            pool: PoolId(pool),
            nodes,
            pods: pods.to_vec(),
        }
    }

    #[test]
    fn each_expander_picks_the_group_its_rule_names() {
        let (cluster, pods) = setup();
        // Waste = idle cpu share + idle memory share of the new nodes:
        // small: 4 nodes for 8 pods: 0 + (24 − 16)/24 = 0.333;
        // big: 1 node for the 8 pods: 0 + (32 − 16)/32 = 0.5;
        // huge: 1 node for 6 pods (a limit): 10/16 + 52/64 = 1.4375.
        let options = vec![
            option(0, 4, &pods),
            option(1, 1, &pods),
            option(2, 1, &pods[..6]),
        ];
        let priorities = [Some(10), None, Some(20)];
        let cx = ExpanderContext {
            cluster: &cluster,
            priorities: &priorities,
        };
        let pick = |names: &[Expander]| {
            let mut rng = stream(1, "test");
            choose(names, options.clone(), &cx, &mut rng).map(|o| o.pool.0)
        };
        // least-waste: small (0.333 < 0.5 < 1.4375).
        assert_eq!(pick(&[Expander::LeastWaste]), Some(0));
        // least-nodes: big and huge tie at 1; most-pods then prefers big (8 > 6).
        assert_eq!(pick(&[Expander::LeastNodes, Expander::MostPods]), Some(1));
        // most-pods: small and big tie at 8; least-waste breaks it: small.
        assert_eq!(pick(&[Expander::MostPods, Expander::LeastWaste]), Some(0));
        // price per pod: small 0.40/8 = 0.05, big 0.38/8 = 0.0475, huge 0.90/6 = 0.15.
        assert_eq!(pick(&[Expander::Price]), Some(1));
        // priority: huge (20) over small (10); big has none.
        assert_eq!(pick(&[Expander::Priority]), Some(2));
        assert_eq!(pick(&[Expander::Priority, Expander::LeastWaste]), Some(2));
    }

    #[test]
    fn ties_left_at_the_end_are_broken_at_random_and_reproducibly() {
        let (cluster, pods) = setup();
        let options = vec![option(0, 1, &pods[..2]), option(1, 1, &pods[..2])];
        let cx = ExpanderContext {
            cluster: &cluster,
            priorities: &[],
        };
        // Priority with no listed pool lets both through; the random tie-break picks each
        // pool for some seeds, and the same one for the same seed.
        let mut seen = [0; 2];
        for seed in 0..40 {
            let mut a = stream(seed, "cluster-autoscaler/expander");
            let mut b = stream(seed, "cluster-autoscaler/expander");
            let x = choose(&[Expander::Priority], options.clone(), &cx, &mut a).unwrap();
            let y = choose(&[Expander::Priority], options.clone(), &cx, &mut b).unwrap();
            assert_eq!(x, y);
            seen[x.pool.0 as usize] += 1;
        }
        assert!(seen[0] > 5 && seen[1] > 5, "{seen:?}");
    }
}
