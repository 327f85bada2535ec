//! Node pools: groups of identical nodes and how they are bought.

use std::collections::BTreeMap;

use super::Taint;
use crate::dist::DurationDist;
use crate::quantity::Resources;

/// How a pool's nodes are bought.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CapacityType {
    OnDemand,
    Reserved,
    Spot,
}

impl CapacityType {
    pub const ALL: [CapacityType; 3] = [
        CapacityType::OnDemand,
        CapacityType::Reserved,
        CapacityType::Spot,
    ];

    /// The name used in files and outputs: `on-demand`, `reserved`, `spot`.
    pub fn as_str(self) -> &'static str {
        match self {
            CapacityType::OnDemand => "on-demand",
            CapacityType::Reserved => "reserved",
            CapacityType::Spot => "spot",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// A node pool: `count` identical nodes.
#[derive(Clone, Debug)]
pub struct PoolSpec {
    pub name: String,
    pub capacity_type: CapacityType,
    /// Allocatable resources of one node.
    pub node: Resources,
    /// Most pods one node may hold (Kubernetes' default is 110).
    pub max_pods: u32,
    pub price_per_hour: f64,
    pub count: u32,
    /// Indices into `ClusterSpec::zones`; nodes are spread round-robin over them.
    pub zones: Vec<usize>,
    pub labels: BTreeMap<String, String>,
    pub taints: Vec<Taint>,
    /// Time from launch to ready for nodes launched during the run (initial nodes are ready at 0).
    pub provisioning_delay: DurationDist,
    /// A Cluster Autoscaler node group: `(min, max)` nodes; `None`: a fixed size.
    pub autoscaling: Option<(u32, u32)>,
}
