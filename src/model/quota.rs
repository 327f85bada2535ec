//! Namespace ResourceQuotas: the limits, and what the running pods of each namespace use.

use super::{Cluster, PodId, PodPhase, TemplateId};
use crate::quantity::Resources;

/// A namespace's ResourceQuota: the most the requests of its running pods may add up to.
/// `None` leaves that resource unlimited.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuotaSpec {
    pub namespace: String,
    pub cpu_m: Option<u64>,
    pub memory: Option<u64>,
    pub gpu: Option<u64>,
    pub pods: Option<u64>,
}

/// A namespace quota and the requests of the namespace's running pods.
struct QuotaUsage {
    spec: QuotaSpec,
    used: Resources,
    pods: u64,
}

impl QuotaUsage {
    /// True if one more running pod asking `requests` stays within the quota.
    fn admits(&self, requests: &Resources) -> bool {
        let within =
            |used: u64, ask: u64, limit: Option<u64>| limit.is_none_or(|l| used + ask <= l);
        within(self.used.cpu_m, requests.cpu_m, self.spec.cpu_m)
            && within(self.used.memory, requests.memory, self.spec.memory)
            && within(self.used.gpu, requests.gpu, self.spec.gpu)
            && within(self.pods, 1, self.spec.pods)
    }

    /// Why `requests` would exceed the quota, if it would.
    fn exceeded_by(&self, requests: &Resources) -> Option<String> {
        let millis = |v: u64| format!("{v}m");
        let plain = |v: u64| v.to_string();
        type Check<'a> = (&'a str, u64, u64, Option<u64>, &'a dyn Fn(u64) -> String);
        let checks: [Check; 4] = [
            (
                "cpu",
                self.used.cpu_m,
                requests.cpu_m,
                self.spec.cpu_m,
                &millis,
            ),
            (
                "memory",
                self.used.memory,
                requests.memory,
                self.spec.memory,
                &plain,
            ),
            (
                "nvidia.com/gpu",
                self.used.gpu,
                requests.gpu,
                self.spec.gpu,
                &crate::quantity::format_gpu,
            ),
            ("pods", self.pods, 1, self.spec.pods, &plain),
        ];
        let over: Vec<String> = checks
            .iter()
            .filter(|(_, used, ask, limit, _)| limit.is_some_and(|l| used + ask > l))
            .map(|(name, used, ask, limit, f)| {
                format!(
                    "{name} {} used + {} requested > {}",
                    f(*used),
                    f(*ask),
                    f(limit.unwrap_or(0))
                )
            })
            .collect();
        (!over.is_empty()).then(|| over.join(", "))
    }
}

/// Every namespace quota of the cluster, with each template's quota looked up once.
pub struct Quotas {
    usage: Vec<QuotaUsage>,
    /// Per template, the index into `usage` of its namespace's quota.
    of_template: Vec<Option<usize>>,
}

impl Quotas {
    /// The quotas of `specs`, for the cluster's templates (by template, not workload: a trace
    /// row's own namespace has its own template).
    pub fn new(specs: &[QuotaSpec], cluster: &Cluster) -> Self {
        let usage: Vec<QuotaUsage> = specs
            .iter()
            .map(|q| QuotaUsage {
                spec: q.clone(),
                used: Resources::ZERO,
                pods: 0,
            })
            .collect();
        let of_template = cluster
            .templates
            .iter()
            .map(|t| usage.iter().position(|q| q.spec.namespace == t.namespace))
            .collect();
        Quotas { usage, of_template }
    }

    pub fn is_empty(&self) -> bool {
        self.usage.is_empty()
    }

    /// A pod of `template` asking `requests` starts running.
    pub fn charge(&mut self, template: TemplateId, requests: Resources) {
        if let Some(q) = self.of_template[template.0 as usize] {
            self.usage[q].used += requests;
            self.usage[q].pods += 1;
        }
    }

    /// `pod` stops running (call before it leaves the Running phase).
    pub fn release(&mut self, cluster: &Cluster, pod: PodId) {
        let p = cluster.pod(pod);
        if p.phase == PodPhase::Running
            && let Some(q) = self.of_template[p.template.0 as usize]
        {
            let q = &mut self.usage[q];
            q.used -= p.requests;
            q.pods -= 1;
        }
    }

    /// True if `pod`'s namespace quota has no room for it now.
    pub fn blocks(&self, cluster: &Cluster, pod: PodId) -> bool {
        let p = cluster.pod(pod);
        self.of_template[p.template.0 as usize].is_some_and(|q| !self.usage[q].admits(&p.requests))
    }

    /// The FailedScheduling reason and message if `pod`'s namespace quota has no room for it.
    pub fn message(&self, cluster: &Cluster, pod: PodId) -> Option<(String, String)> {
        let p = cluster.pod(pod);
        let q = &self.usage[self.of_template[p.template.0 as usize]?];
        let detail = q.exceeded_by(&p.requests)?;
        let reason = format!("exceeded quota: {}", q.spec.namespace);
        let message = format!(
            "{reason} ({detail}); the namespace's ResourceQuota is checked before any node is \
             considered, so the pod waits until pods of the namespace finish"
        );
        Some((reason, message))
    }
}
