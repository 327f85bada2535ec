//! The scheduler section and the workloads: pod templates, priorities, affinity, spread,
//! tolerations and kinds.

use super::*;

pub(super) fn parse_scheduler(cx: &mut Ctx, obj: Option<Obj>) -> SchedulerSpec {
    let Some(o) = obj else {
        return SchedulerSpec::named("least-allocated", QueueOrder::Fifo);
    };
    let policy = o.enumerated(cx, "policy");
    let queue = o.enumerated(cx, "queue");
    let filters = o.name_list(cx, "filters").map(|list| {
        let mut names = Vec::new();
        for (name, node) in list {
            match crate::scheduler::registry::filter_plugin(&name) {
                Ok(_) => names.push(name),
                Err(message) => cx.err(&node.origin, &join(&o.path, "filters"), message),
            }
        }
        names
    });
    let mut shape = None;
    let scores = o.list(cx, "scores").map(|(_, items)| {
        let mut out = Vec::new();
        for (item, path) in items {
            let Some(s) = open(cx, item, &path, fields::SCORE, None) else {
                continue;
            };
            if let Some(name) = s.enumerated(cx, "name") {
                out.push((name.to_string(), s.uint(cx, "weight").unwrap_or(1) as i64));
                if let Some(points) = parse_shape(cx, &s) {
                    if name != "RequestedToCapacityRatio" {
                        cx.err(
                            &item.origin,
                            &path,
                            "only RequestedToCapacityRatio takes a shape",
                        );
                    } else if shape.is_some() {
                        cx.err(&item.origin, &path, "only one shape may be given");
                    } else {
                        shape = Some(points);
                    }
                }
            }
        }
        out
    });
    if policy.is_some()
        && (filters.is_some() || scores.is_some())
        && let Some((v, path)) = o.value(cx, "policy")
    {
        cx.err(
            &v.origin,
            &path,
            "give either a named policy or a custom profile (filters/scores), not both",
        );
    }
    SchedulerSpec {
        policy: policy
            .unwrap_or(if filters.is_some() || scores.is_some() {
                "custom"
            } else {
                "least-allocated"
            })
            .to_string(),
        queue: queue
            .and_then(QueueOrder::parse)
            .unwrap_or(QueueOrder::Fifo),
        filters,
        scores,
        percentage_of_nodes_to_score: o.uint(cx, "percentage_of_nodes_to_score").map(|p| p as u32),
        shape,
    }
}

/// A RequestedToCapacityRatio shape: at least one point, utilisation strictly increasing.
pub(super) fn parse_shape(cx: &mut Ctx, score: &Obj) -> Option<Vec<(u64, u64)>> {
    let (list, items) = score.list(cx, "shape")?;
    let path = join(&score.path, "shape");
    if items.is_empty() {
        cx.err(&list.origin, &path, "a shape needs at least one point");
        return None;
    }
    let mut points: Vec<(u64, u64)> = Vec::new();
    for (item, p) in items {
        let o = open(cx, item, &p, fields::SHAPE_POINT, None)?;
        let (u, s) = (o.uint(cx, "utilization")?, o.uint(cx, "score")?);
        if points.last().is_some_and(|&(prev, _)| u <= prev) {
            cx.err(
                &item.origin,
                &p,
                "utilization must increase strictly along the shape",
            );
            return None;
        }
        points.push((u, s));
    }
    Some(points)
}

pub(super) fn parse_workloads(
    cx: &mut Ctx,
    top: &Obj,
    classes: &[PriorityClass],
) -> Vec<WorkloadSpec> {
    let mut out = Vec::new();
    let Some((_, items)) = top.list(cx, "workloads") else {
        return out;
    };
    let mut seen: HashSet<String> = HashSet::new();
    let mut dependencies: Vec<(usize, NamedDependency)> = Vec::new();
    for (item, path) in items {
        // The kind decides which fields are valid, so look at it before opening the mapping.
        let kind = match item.get("kind").map(|k| &k.node) {
            Some(Node::Str(s)) => fields::KINDS.iter().copied().find(|k| k == s),
            _ => None,
        };
        let Some(obj) = open(cx, item, &path, fields::WORKLOAD, kind) else {
            continue;
        };
        let Some(w) = parse_workload(cx, &obj, out.len() as u32, classes, &mut dependencies) else {
            continue;
        };
        if !seen.insert(w.name.clone())
            && let Some((v, p)) = obj.value(cx, "name")
        {
            cx.err(
                &v.origin,
                &p,
                format!("duplicate workload name '{}'", w.name),
            );
        }
        out.push(w);
    }
    resolve_dependencies(cx, &mut out, dependencies);
    out
}

/// Points each `depends_on` entry at its Deployment.
fn resolve_dependencies(
    cx: &mut Ctx,
    workloads: &mut [WorkloadSpec],
    dependencies: Vec<(usize, NamedDependency)>,
) {
    for (w, d) in dependencies {
        let target = workloads.iter().position(|x| x.name == d.name);
        match target {
            Some(t) if t == w => cx.err(
                &d.node.origin,
                &d.path,
                "a workload cannot depend on itself",
            ),
            Some(t) if !matches!(workloads[t].kind, WorkloadKind::Deployment(_)) => cx.err(
                &d.node.origin,
                &d.path,
                format!(
                    "'{}' is not a Deployment; only Deployments have ready pods to wait for",
                    d.name
                ),
            ),
            Some(t) => {
                if let WorkloadKind::Deployment(spec) = &mut workloads[w].kind {
                    spec.depends_on.push(Dependency {
                        workload: t,
                        min_ready: d.min_ready,
                    });
                }
            }
            None => {
                let mut message = format!("no workload is named '{}'", d.name);
                if let Some(s) = did_you_mean(&d.name, workloads.iter().map(|x| x.name.as_str())) {
                    message.push_str(&format!("; did you mean '{s}'?"));
                }
                cx.err(&d.node.origin, &d.path, message);
            }
        }
    }
}

pub(super) fn parse_workload<'n>(
    cx: &mut Ctx,
    obj: &Obj<'n>,
    index: u32,
    classes: &[PriorityClass],
    dependencies: &mut Vec<(usize, NamedDependency<'n>)>,
) -> Option<WorkloadSpec> {
    let name = obj.string(cx, "name");
    // Reports a missing or unknown kind; `obj.kind` already holds a valid one.
    let _ = obj.enumerated(cx, "kind");
    let (priority, class_policy) = parse_priority(cx, obj, classes);
    let preemption_policy = obj
        .enumerated(cx, "preemption_policy")
        .and_then(PreemptionPolicy::parse)
        .unwrap_or(class_policy);
    let template = PodTemplate {
        namespace: obj
            .string(cx, "namespace")
            .unwrap_or_else(|| "default".to_string()),
        labels: obj.str_map(cx, "labels").unwrap_or_default(),
        priority,
        preemption_policy,
        node_affinity: parse_affinity(cx, obj),
        topology_spread: parse_topology_spread(cx, obj, index),
        anti_affinity: parse_anti_affinity(cx, obj, index),
        requests: match obj.object(cx, "requests") {
            Some(r) => Resources::new(
                r.quantity(cx, "cpu").unwrap_or(0),
                r.quantity(cx, "memory").unwrap_or(0),
                super::gpu_request(cx, &r, 0),
            ),
            None => Resources::ZERO,
        },
        node_selector: obj.str_map(cx, "node_selector").unwrap_or_default(),
        tolerations: parse_tolerations(cx, obj),
        checkpoint_interval: obj.duration(cx, "checkpoint_interval"),
        termination_grace_period: obj
            .duration(cx, "termination_grace_period")
            .unwrap_or(SimDuration::from_secs(30)),
        do_not_disrupt: obj.boolean(cx, "do_not_disrupt").unwrap_or(false),
    };
    if template.checkpoint_interval == Some(SimDuration::ZERO)
        && let Some((v, path)) = obj.value(cx, "checkpoint_interval")
    {
        cx.err(&v.origin, &path, "must be longer than 0s");
    }
    let mut own_dependencies = Vec::new();
    let kind = match obj.kind? {
        "Batch" => WorkloadKind::Batch {
            poisson_per_hour: obj
                .object(cx, "arrivals")
                .and_then(|a| a.number(cx, "poisson_per_hour"))
                .unwrap_or(1.0),
            limit: obj.uint(cx, "limit"),
            duration: obj
                .dist(cx, "duration")
                .unwrap_or(DurationDist::Constant(SimDuration::ZERO)),
            start: obj.duration(cx, "start").unwrap_or(SimDuration::ZERO),
        },
        "Job" => WorkloadKind::Job(Box::new(parse_job_kind(cx, obj))),
        "Deployment" => {
            let (spec, deps) = parse_deployment_kind(cx, obj);
            own_dependencies = deps;
            WorkloadKind::Deployment(Box::new(spec))
        }
        _ => parse_trace_kind(cx, obj),
    };
    let disruption_budget = parse_budget(cx, obj, obj.kind);
    let name = name?;
    // Only a workload that takes its place in the list (at `index`) names dependencies.
    dependencies.extend(own_dependencies.into_iter().map(|d| (index as usize, d)));
    Some(WorkloadSpec {
        name,
        template,
        kind,
        disruption_budget,
    })
}

/// The workload's priority and its class's preemption policy: `priority`, or the named class,
/// or the default class, or 0.
pub(super) fn parse_priority(
    cx: &mut Ctx,
    obj: &Obj,
    classes: &[PriorityClass],
) -> (i32, PreemptionPolicy) {
    let priority = obj.int32(cx, "priority");
    let class_name = obj.string(cx, "priority_class_name");
    if let Some(name) = class_name {
        let Some((v, path)) = obj.value(cx, "priority_class_name") else {
            return (0, PreemptionPolicy::default());
        };
        if priority.is_some() {
            cx.err(
                &v.origin,
                &path,
                "give either priority or priority_class_name, not both",
            );
        }
        return match classes.iter().find(|c| c.name == name) {
            Some(c) => (c.value, c.preemption_policy),
            None => {
                let mut message = if classes.is_empty() {
                    format!("unknown priority class '{name}'; priority_classes lists none")
                } else {
                    format!(
                        "unknown priority class '{name}', expected one of {}",
                        list_names(classes.iter().map(|c| c.name.as_str()))
                    )
                };
                if let Some(s) = did_you_mean(&name, classes.iter().map(|c| c.name.as_str())) {
                    message.push_str(&format!("; did you mean '{s}'?"));
                }
                cx.err(&v.origin, &path, message);
                (0, PreemptionPolicy::default())
            }
        };
    }
    match (priority, classes.iter().find(|c| c.default)) {
        (Some(p), _) => (p, PreemptionPolicy::default()),
        (None, Some(c)) => (c.value, c.preemption_policy),
        (None, None) => (0, PreemptionPolicy::default()),
    }
}

pub(super) fn parse_requirements(cx: &mut Ctx, obj: &Obj, name: &str) -> Vec<LabelRequirement> {
    let mut out = Vec::new();
    let Some((_, items)) = obj.list(cx, name) else {
        return out;
    };
    for (item, path) in items {
        let Some(r) = open(cx, item, &path, fields::LABEL_REQUIREMENT, None) else {
            continue;
        };
        let key = r.string(cx, "key");
        let operator = r.enumerated(cx, "operator").and_then(LabelOperator::parse);
        let values: Vec<String> = r
            .name_list(cx, "values")
            .map(|l| l.into_iter().map(|(v, _)| v).collect())
            .unwrap_or_default();
        let (Some(key), Some(operator)) = (key, operator) else {
            continue;
        };
        let compares = matches!(operator, LabelOperator::Gt | LabelOperator::Lt);
        if compares && (values.len() != 1 || values[0].parse::<i64>().is_err()) {
            cx.err(
                &item.origin,
                &path,
                "operators Gt and Lt take exactly one value, a whole number (e.g. values: [\"4\"])",
            );
        }
        let takes_values = matches!(operator, LabelOperator::In | LabelOperator::NotIn);
        if takes_values && values.is_empty() {
            cx.err(
                &item.origin,
                &path,
                "operators In and NotIn need at least one value",
            );
        }
        if !takes_values && !compares && !values.is_empty() {
            cx.err(
                &item.origin,
                &path,
                "operators Exists and DoesNotExist take no values",
            );
        }
        out.push(LabelRequirement {
            key,
            operator,
            values,
        });
    }
    out
}

pub(super) fn parse_affinity(cx: &mut Ctx, obj: &Obj) -> NodeAffinitySpec {
    let mut spec = NodeAffinitySpec::default();
    // `gpu_models` is shorthand for a required node-affinity term on the GPU product label.
    if let Some(models) = obj.name_list(cx, "gpu_models")
        && !models.is_empty()
    {
        spec.required.push(LabelRequirement {
            key: crate::model::GPU_PRODUCT_LABEL.to_string(),
            operator: LabelOperator::In,
            values: models.into_iter().map(|(m, _)| m).collect(),
        });
    }
    let Some(a) = obj.object(cx, "affinity") else {
        return spec;
    };
    let Some(na) = a.object(cx, "node_affinity") else {
        return spec;
    };
    spec.required
        .extend(parse_requirements(cx, &na, "required"));
    if let Some((_, items)) = na.list(cx, "preferred") {
        for (item, path) in items {
            let Some(t) = open(cx, item, &path, fields::PREFERRED_TERM, None) else {
                continue;
            };
            let weight = t.uint(cx, "weight");
            let requirements = parse_requirements(cx, &t, "match");
            if weight == Some(0)
                && let Some((v, p)) = t.value(cx, "weight")
            {
                cx.err(&v.origin, &p, "weight must be between 1 and 100");
            }
            if let Some(weight) = weight {
                spec.preferred.push(PreferredTerm {
                    weight: weight as i64,
                    requirements,
                });
            }
        }
    }
    spec
}

pub(super) fn selector(cx: &mut Ctx, obj: &Obj, index: u32) -> LabelSelector {
    match obj.str_map(cx, "label_selector") {
        Some(labels) => LabelSelector::Labels(labels),
        None => LabelSelector::Workload(index),
    }
}

pub(super) fn parse_topology_spread(
    cx: &mut Ctx,
    obj: &Obj,
    index: u32,
) -> Vec<TopologySpreadConstraint> {
    let mut out = Vec::new();
    let Some((_, items)) = obj.list(cx, "topology_spread") else {
        return out;
    };
    for (item, path) in items {
        let Some(t) = open(cx, item, &path, fields::TOPOLOGY_SPREAD, None) else {
            continue;
        };
        let max_skew = t.uint(cx, "max_skew");
        if max_skew == Some(0)
            && let Some((v, p)) = t.value(cx, "max_skew")
        {
            cx.err(&v.origin, &p, "max_skew must be at least 1");
        }
        let topology_key = t
            .enumerated(cx, "topology_key")
            .and_then(TopologyKey::parse);
        let when_unsatisfiable = match t.enumerated(cx, "when_unsatisfiable") {
            Some("ScheduleAnyway") => WhenUnsatisfiable::ScheduleAnyway,
            _ => WhenUnsatisfiable::DoNotSchedule,
        };
        let label_selector = selector(cx, &t, index);
        let min_domains = t.uint(cx, "min_domains");
        if let Some((v, p)) = t.value(cx, "min_domains") {
            if min_domains == Some(0) {
                cx.err(&v.origin, &p, "min_domains must be at least 1");
            } else if when_unsatisfiable != WhenUnsatisfiable::DoNotSchedule {
                cx.err(
                    &v.origin,
                    &p,
                    "min_domains applies only with when_unsatisfiable: DoNotSchedule",
                );
            }
        }
        let honor_node_affinity = t.enumerated(cx, "node_affinity_policy") != Some("Ignore");
        let honor_node_taints = t.enumerated(cx, "node_taints_policy") == Some("Honor");
        if let (Some(max_skew), Some(topology_key)) = (max_skew, topology_key) {
            out.push(TopologySpreadConstraint {
                max_skew: max_skew as u32,
                topology_key,
                when_unsatisfiable,
                label_selector,
                min_domains: min_domains.map(|m| m as u32),
                honor_node_affinity,
                honor_node_taints,
            });
        }
    }
    out
}

pub(super) fn parse_anti_affinity(cx: &mut Ctx, obj: &Obj, index: u32) -> Vec<AntiAffinityTerm> {
    let mut out = Vec::new();
    let Some((_, items)) = obj.list(cx, "anti_affinity") else {
        return out;
    };
    for (item, path) in items {
        let Some(t) = open(cx, item, &path, fields::ANTI_AFFINITY, None) else {
            continue;
        };
        let topology_key = t
            .enumerated(cx, "topology_key")
            .and_then(TopologyKey::parse);
        let label_selector = selector(cx, &t, index);
        if let Some(topology_key) = topology_key {
            out.push(AntiAffinityTerm {
                topology_key,
                label_selector,
            });
        }
    }
    out
}

pub(super) fn parse_tolerations(cx: &mut Ctx, obj: &Obj) -> Vec<Toleration> {
    let mut out = Vec::new();
    let Some((_, items)) = obj.list(cx, "tolerations") else {
        return out;
    };
    for (item, path) in items {
        let Some(t) = open(cx, item, &path, fields::TOLERATION, None) else {
            continue;
        };
        let key = t.string(cx, "key").unwrap_or_default();
        // An empty key (with Exists) matches every taint; any other must be a label key.
        if !key.is_empty()
            && !NameRule::LabelKey.check(&key)
            && let Some((v, p)) = t.value(cx, "key")
        {
            cx.err(&v.origin, &p, rule_message(&key, "key", NameRule::LabelKey));
        }
        let operator = match t.enumerated(cx, "operator") {
            Some("Exists") => TolerationOperator::Exists,
            _ => TolerationOperator::Equal,
        };
        let value = t.string(cx, "value").unwrap_or_default();
        let effect = t.enumerated(cx, "effect").and_then(TaintEffect::parse);
        // Kubernetes' rules: an empty key matches all keys only with Exists, which takes no value.
        if operator == TolerationOperator::Equal && key.is_empty() {
            cx.err(
                &item.origin,
                &path,
                "a toleration with operator Equal needs a key",
            );
        }
        if operator == TolerationOperator::Exists && !value.is_empty() {
            cx.err(
                &item.origin,
                &path,
                "a toleration with operator Exists takes no value",
            );
        }
        out.push(Toleration {
            key,
            operator,
            value,
            effect,
        });
    }
    out
}

pub(super) fn parse_trace_kind(cx: &mut Ctx, obj: &Obj) -> WorkloadKind {
    let empty = WorkloadKind::Trace {
        path: PathBuf::new(),
        rows: vec![],
    };
    let Some((v, field_path)) = obj.value(cx, "path") else {
        return empty;
    };
    let Some(text) = read_string(cx, v, &field_path, &Ty::Name) else {
        return empty;
    };
    let resolved = resolve_path(cx, &text);
    cx.inputs.push(resolved.clone());
    match trace_rows(
        cx,
        v,
        &field_path,
        &resolved,
        "trace file",
        load_trace(&resolved),
    ) {
        Some(rows) => WorkloadKind::Trace {
            path: resolved,
            rows,
        },
        None => empty,
    }
}

/// A Job's fields: Kubernetes' defaults (parallelism 1, backoffLimit 6), a cron schedule.
fn parse_job_kind(cx: &mut Ctx, obj: &Obj) -> JobSpec {
    let count = |cx: &mut Ctx, name: &str| -> Option<u32> {
        let v = obj.uint(cx, name)?;
        Some(u32::try_from(v).unwrap_or(u32::MAX))
    };
    let parallelism = count(cx, "parallelism").unwrap_or(1);
    let completions = count(cx, "completions");
    for (name, value) in [
        ("parallelism", Some(parallelism)),
        ("completions", completions),
    ] {
        if value == Some(0)
            && let Some((v, path)) = obj.value(cx, name)
        {
            cx.err(&v.origin, &path, "must be at least 1");
        }
    }
    let schedule =
        obj.string(cx, "schedule")
            .and_then(|text| match crate::cron::CronSchedule::parse(&text) {
                Ok(s) => Some(s),
                Err(message) => {
                    if let Some((v, path)) = obj.value(cx, "schedule") {
                        cx.err(&v.origin, &path, message);
                    }
                    None
                }
            });
    let concurrency_policy = obj
        .enumerated(cx, "concurrency_policy")
        .and_then(ConcurrencyPolicy::parse)
        .unwrap_or_default();
    if schedule.is_none()
        && let Some((v, path)) = obj.value(cx, "concurrency_policy")
    {
        cx.err(&v.origin, &path, "concurrency_policy needs a schedule");
    }
    let active_deadline = obj.duration(cx, "active_deadline");
    if active_deadline == Some(SimDuration::ZERO)
        && let Some((v, path)) = obj.value(cx, "active_deadline")
    {
        cx.err(&v.origin, &path, "must be longer than 0s");
    }
    JobSpec {
        parallelism,
        completions,
        backoff_limit: count(cx, "backoff_limit").unwrap_or(6),
        active_deadline,
        duration: obj
            .dist(cx, "duration")
            .unwrap_or(DurationDist::Constant(SimDuration::ZERO)),
        start: obj.duration(cx, "start").unwrap_or(SimDuration::ZERO),
        schedule,
        concurrency_policy,
    }
}
