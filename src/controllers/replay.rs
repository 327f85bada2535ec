//! Trace workloads: pods replayed from a CSV file, each row at its submit time.
//!
//! A row may name its own namespace: such pods get a copy of the workload's template in that
//! namespace, so everything keyed by template (cost shares, quotas) sees the right namespace.

use std::collections::BTreeMap;

use crate::model::{Pod, PodTemplate, TemplateId};
use crate::scenario::{Scenario, WorkloadKind};
use crate::sim::Context;

/// The replay controller's events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplayEvent {
    /// The next row of a Trace workload is due.
    Row { workload: u32 },
}

/// Every Trace workload's position in its rows.
pub struct ReplayController {
    /// Index of the next row to submit, by workload index.
    next_row: Vec<usize>,
    /// (trace workload, namespace) → template for trace rows with their own namespace.
    templates: BTreeMap<(usize, String), TemplateId>,
}

/// The cluster's pod templates: one per workload, in workload order, then one per trace
/// namespace that differs from its workload's, with the workload names that go with them.
pub struct Templates {
    pub templates: Vec<PodTemplate>,
    pub names: Vec<String>,
    by_trace_namespace: BTreeMap<(usize, String), TemplateId>,
}

impl Templates {
    pub fn new(scenario: &Scenario) -> Self {
        let mut templates: Vec<PodTemplate> = scenario
            .workloads
            .iter()
            .map(|w| w.template.clone())
            .collect();
        let mut names: Vec<String> = scenario.workloads.iter().map(|w| w.name.clone()).collect();
        let mut by_trace_namespace = BTreeMap::new();
        for (w, workload) in scenario.workloads.iter().enumerate() {
            if let WorkloadKind::Trace { rows, .. } = &workload.kind {
                for ns in rows.iter().filter_map(|r| r.namespace.as_ref()) {
                    if let std::collections::btree_map::Entry::Vacant(slot) =
                        by_trace_namespace.entry((w, ns.clone()))
                    {
                        let id = if *ns == workload.template.namespace {
                            TemplateId(w as u32)
                        } else {
                            templates.push(PodTemplate {
                                namespace: ns.clone(),
                                ..workload.template.clone()
                            });
                            names.push(workload.name.clone());
                            TemplateId(templates.len() as u32 - 1)
                        };
                        slot.insert(id);
                    }
                }
            }
        }
        Templates {
            templates,
            names,
            by_trace_namespace,
        }
    }
}

impl ReplayController {
    /// The controller for `scenario`, using the trace templates of `templates`.
    pub fn new(scenario: &Scenario, templates: &Templates) -> Self {
        ReplayController {
            next_row: vec![0; scenario.workloads.len()],
            templates: templates.by_trace_namespace.clone(),
        }
    }

    /// Time 0: the first row of workload `w` falls due.
    pub fn start(&mut self, cx: &mut Context, w: usize) {
        let WorkloadKind::Trace { rows, .. } = &cx.scenario().workloads[w].kind else {
            return;
        };
        if let Some(row) = rows.first() {
            cx.set_timer(row.submit, ReplayEvent::Row { workload: w as u32 });
        }
    }

    pub fn handle(&mut self, cx: &mut Context, event: ReplayEvent) {
        match event {
            ReplayEvent::Row { workload } => self.on_row(cx, workload as usize),
        }
    }

    fn on_row(&mut self, cx: &mut Context, w: usize) {
        let scenario = cx.scenario();
        let WorkloadKind::Trace { rows, .. } = &scenario.workloads[w].kind else {
            return;
        };
        let index = self.next_row[w];
        self.next_row[w] += 1;
        let row = &rows[index];
        let template = &scenario.workloads[w].template;
        let template_id = match &row.namespace {
            Some(ns) => self.templates[&(w, ns.clone())],
            None => TemplateId(w as u32),
        };
        let mut pod = Pod::new(
            w,
            template_id,
            index as u64,
            row.requests,
            row.priority.unwrap_or(template.priority),
            cx.now(),
            row.duration,
        );
        pod.name_override = row.name.as_deref().map(Into::into);
        if let Some(next) = rows.get(index + 1) {
            cx.set_timer(next.submit, ReplayEvent::Row { workload: w as u32 });
        }
        cx.submit(pod);
    }
}
