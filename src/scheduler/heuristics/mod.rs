//! Research heuristics: whole policies in a few lines each, one file per heuristic.
//!
//! Each applies the default Kubernetes filters, then picks among feasible nodes by its own rule.

mod best_fit;
mod first_fit;
mod worst_fit;

pub use best_fit::BestFit;
pub use first_fit::FirstFit;
pub use worst_fit::WorstFit;

use crate::model::Node;
use crate::quantity::Resources;

/// The pod's dominant resource on `node` (largest share of allocatable), and the fraction of
/// that resource that would be left free after placing it, as an exact ratio `(left, capacity)`.
pub(crate) fn dominant_leftover(need: &Resources, node: &Node) -> (u64, u64) {
    let free = node.free();
    let dims = [
        (need.cpu_m, free.cpu_m, node.allocatable.cpu_m),
        (need.memory, free.memory, node.allocatable.memory),
        (need.gpu, free.gpu, node.allocatable.gpu),
    ];
    let mut best = (0u64, 0u64, 1u64); // (need, free, capacity) of the dominant resource
    for (n, f, cap) in dims {
        // n / cap > best.n / best.cap, compared exactly.
        if cap > 0 && (n as u128) * (best.2 as u128) > (best.0 as u128) * (cap as u128) {
            best = (n, f, cap);
        }
    }
    if best.0 == 0 {
        // A pod that requests nothing: judge by free cpu.
        return (free.cpu_m, node.allocatable.cpu_m.max(1));
    }
    (best.1.saturating_sub(best.0), best.2)
}

/// `a.0 / a.1 < b.0 / b.1`, exactly.
pub(crate) fn ratio_lt(a: (u64, u64), b: (u64, u64)) -> bool {
    (a.0 as u128) * (b.1 as u128) < (b.0 as u128) * (a.1 as u128)
}
