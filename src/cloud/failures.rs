//! Node failures (mtbf, rule 3) and burn-in checks of new nodes.

use rand::RngExt;

use super::{Cloud, evict_all, failures_of, repair_delay};
use crate::controllers::Controllers;
use crate::metrics::Observation;
use crate::model::NodeId;
use crate::scenario::ReplacePolicy;
use crate::sim::Context;

impl Cloud {
    /// Rule 3.
    pub(super) fn node_failure(
        &mut self,
        cx: &mut Context,
        owners: &mut Controllers,
        node: NodeId,
    ) {
        if !cx.cluster().node(node).is_up() {
            return;
        }
        cx.observe(Observation::NodeFailure);
        let (pool, zone) = (cx.cluster().node(node).pool, cx.cluster().node(node).zone);
        cx.log_node(node, "NodeFailed", "");
        evict_all(cx, owners, node, "NodeFailure");
        self.terminate(cx, owners, node);
        let f = failures_of(cx, pool);
        if f.replace != ReplacePolicy::Never {
            let delay = repair_delay(f.repair.as_ref(), &mut self.pools[pool.0 as usize].repair);
            self.replace(cx, pool, zone, delay);
        }
    }

    pub(super) fn burn_in_done(
        &mut self,
        cx: &mut Context,
        owners: &mut Controllers,
        node: NodeId,
    ) {
        let pool = cx.cluster().node(node).pool;
        let p = failures_of(cx, pool)
            .burn_in
            .as_ref()
            .map_or(0.0, |b| b.failure_probability);
        let u: f64 = self.pools[pool.0 as usize].burn_in.random();
        if u < p {
            cx.observe(Observation::BurnInFailure);
            cx.log_node(node, "BurnInFailed", "");
            let zone = cx.cluster().node(node).zone;
            self.terminate(cx, owners, node);
            if failures_of(cx, pool).replace != ReplacePolicy::Never {
                self.replace(cx, pool, zone, None);
            }
        } else {
            cx.log_node(node, "BurnInPassed", "");
            self.on_node_ready(cx, node);
        }
    }
}
