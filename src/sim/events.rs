//! The closed set of simulation events, grouped by the component that owns them. Matching is
//! exhaustive at both levels, so the compiler lists every handler a new event kind must touch:
//! [`crate::sim`] routes each group to its owner, and the owner matches its own kinds.

use crate::cloud::CloudEvent;
use crate::controllers::cluster_autoscaler::ClusterAutoscalerEvent;
use crate::controllers::karpenter::KarpenterEvent;
use crate::controllers::{
    ActionEvent, DeploymentEvent, HpaEvent, JobEvent, NodeLifecycleEvent, ReplayEvent,
};
use crate::kubelet::KubeletEvent;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// Batch arrivals ([`crate::controllers::job`]).
    Job(JobEvent),
    /// Trace rows falling due ([`crate::controllers::replay`]).
    Replay(ReplayEvent),
    /// Availability and progress deadlines of Deployments ([`crate::controllers::deployment`]).
    Deployment(DeploymentEvent),
    /// Drain retries ([`crate::controllers::node_lifecycle`]).
    Lifecycle(NodeLifecycleEvent),
    /// Cluster Autoscaler scans and provisioning deadlines
    /// ([`crate::controllers::cluster_autoscaler`]).
    Autoscaler(ClusterAutoscalerEvent),
    /// Karpenter's batches and disruption rounds ([`crate::controllers::karpenter`]).
    Karpenter(KarpenterEvent),
    /// HorizontalPodAutoscaler syncs ([`crate::controllers::hpa`]).
    Hpa(HpaEvent),
    /// Operator actions from the scenario: rollouts, rollbacks, cordons, drains, upgrades
    /// ([`crate::controllers`]).
    Action(ActionEvent),
    /// What happens to a pod on its node: run time over, readiness, grace periods
    /// ([`crate::kubelet`]).
    Kubelet(KubeletEvent),
    /// The infrastructure: node launches, spot interruptions, failures, shortages, outages,
    /// prices ([`crate::cloud`]).
    Cloud(CloudEvent),
}

impl From<JobEvent> for Event {
    fn from(e: JobEvent) -> Self {
        Event::Job(e)
    }
}

impl From<ReplayEvent> for Event {
    fn from(e: ReplayEvent) -> Self {
        Event::Replay(e)
    }
}

impl From<DeploymentEvent> for Event {
    fn from(e: DeploymentEvent) -> Self {
        Event::Deployment(e)
    }
}

impl From<NodeLifecycleEvent> for Event {
    fn from(e: NodeLifecycleEvent) -> Self {
        Event::Lifecycle(e)
    }
}

impl From<ClusterAutoscalerEvent> for Event {
    fn from(e: ClusterAutoscalerEvent) -> Self {
        Event::Autoscaler(e)
    }
}

impl From<KarpenterEvent> for Event {
    fn from(e: KarpenterEvent) -> Self {
        Event::Karpenter(e)
    }
}

impl From<HpaEvent> for Event {
    fn from(e: HpaEvent) -> Self {
        Event::Hpa(e)
    }
}

impl From<ActionEvent> for Event {
    fn from(e: ActionEvent) -> Self {
        Event::Action(e)
    }
}

impl From<KubeletEvent> for Event {
    fn from(e: KubeletEvent) -> Self {
        Event::Kubelet(e)
    }
}

impl From<CloudEvent> for Event {
    fn from(e: CloudEvent) -> Self {
        Event::Cloud(e)
    }
}
