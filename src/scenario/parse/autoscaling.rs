//! The autoscalers' fields: a Deployment's HorizontalPodAutoscaler, a pool's node-group limits
//! and the top-level Cluster Autoscaler.

use super::*;
use crate::scenario::autoscaling::*;

/// A pool's `autoscaling: {min, max}`; the initial `count` must lie between them.
pub(super) fn parse_node_group(cx: &mut Ctx, obj: &Obj, count: u32) -> Option<(u32, u32)> {
    let min = obj.uint(cx, "min")? as u32;
    let max = obj.uint(cx, "max")? as u32;
    if max < min {
        if let Some((v, p)) = obj.value(cx, "max") {
            cx.err(&v.origin, &p, format!("must be at least min ({min})"));
        }
        return None;
    }
    if max == 0 {
        if let Some((v, p)) = obj.value(cx, "max") {
            cx.err(
                &v.origin,
                &p,
                "must be at least 1 (a node group that can never have a node)",
            );
        }
        return None;
    }
    if !(min..=max).contains(&count) {
        cx.err(
            obj.origin,
            &obj.path,
            format!("the pool's count ({count}) must lie between min ({min}) and max ({max})"),
        );
    }
    Some((min, max))
}

/// `autoscaling` of a Deployment: a HorizontalPodAutoscaler.
pub(super) fn parse_hpa(cx: &mut Ctx, obj: &Obj) -> Option<HpaSpec> {
    let min = obj.uint(cx, "min_replicas").map_or(1, |n| n as u32);
    let max = obj.uint(cx, "max_replicas").map(|n| n as u32);
    let target = obj
        .value(cx, "target_cpu_utilization")
        .and_then(|(v, p)| read_percent(cx, v, &p, 1000));
    if min == 0
        && let Some((v, p)) = obj.value(cx, "min_replicas")
    {
        cx.err(
            &v.origin,
            &p,
            "must be at least 1 (scaling to zero is an alpha feature of Kubernetes)",
        );
    }
    if let Some(max) = max
        && max < min
        && let Some((v, p)) = obj.value(cx, "max_replicas")
    {
        cx.err(
            &v.origin,
            &p,
            format!("must be at least min_replicas ({min})"),
        );
    }
    let mut spec = HpaSpec::new(min, max?, target?);
    if let Some(d) = obj.duration(cx, "sync_period") {
        positive(cx, obj, "sync_period", d);
        spec.sync_period = d;
    }
    if let Some(t) = obj.number(cx, "tolerance") {
        spec.tolerance = t;
    }
    if let Some(d) = obj.duration(cx, "metrics_delay") {
        spec.metrics_delay = d;
    }
    if let Some(b) = obj.object(cx, "behavior") {
        spec.behavior = true;
        if let Some(r) = b.object(cx, "scale_up") {
            spec.scale_up = parse_rules(cx, &r, ScalingRules::default_scale_up());
        }
        if let Some(r) = b.object(cx, "scale_down") {
            spec.scale_down = parse_rules(cx, &r, ScalingRules::default_scale_down());
        }
    }
    Some(spec)
}

/// Kubernetes fills what a `scaleUp`/`scaleDown` leaves out from the direction's defaults.
fn parse_rules(cx: &mut Ctx, obj: &Obj, defaults: ScalingRules) -> ScalingRules {
    let mut rules = defaults;
    if let Some(d) = obj.duration(cx, "stabilization_window") {
        if d > SimDuration::from_secs(3600)
            && let Some((v, p)) = obj.value(cx, "stabilization_window")
        {
            cx.err(&v.origin, &p, "must be at most 1h (Kubernetes' limit)");
        }
        rules.stabilization_window = d;
    }
    if let Some(s) = obj.enumerated(cx, "select_policy") {
        rules.select_policy = match s {
            "Min" => SelectPolicy::Min,
            "Disabled" => SelectPolicy::Disabled,
            _ => SelectPolicy::Max,
        };
    }
    if let Some((list, items)) = obj.list(cx, "policies") {
        if items.is_empty() {
            cx.err(
                &list.origin,
                &join(&obj.path, "policies"),
                "at least one policy is needed (omit the field for the defaults)",
            );
        }
        let mut policies = Vec::new();
        for (item, path) in items {
            let Some(p) = open(cx, item, &path, fields::SCALING_POLICY, None) else {
                continue;
            };
            let kind = match p.enumerated(cx, "type") {
                Some("Pods") => Some(PolicyKind::Pods),
                Some(_) => Some(PolicyKind::Percent),
                None => None,
            };
            let value = p.uint(cx, "value").map(|n| n as u32);
            if value == Some(0)
                && let Some((v, vp)) = p.value(cx, "value")
            {
                cx.err(&v.origin, &vp, "must be at least 1");
            }
            let period = p.duration(cx, "period");
            if let Some(d) = period {
                positive(cx, &p, "period", d);
                if d > SimDuration::from_secs(1800)
                    && let Some((v, vp)) = p.value(cx, "period")
                {
                    cx.err(&v.origin, &vp, "must be at most 30m (Kubernetes' limit)");
                }
            }
            if let (Some(kind), Some(value), Some(period)) = (kind, value, period) {
                policies.push(ScalingPolicy {
                    kind,
                    value,
                    period,
                });
            }
        }
        rules.policies = policies;
    }
    rules
}

/// `60%` or `60`: a whole number of percent in `1..=max`.
fn read_percent(cx: &mut Ctx, v: &Located, path: &str, max: u32) -> Option<u32> {
    let n = match &v.node {
        Node::Int(i) => u32::try_from(*i).ok(),
        Node::Str(s) if s.ends_with('%') => s[..s.len() - 1].trim().parse::<u32>().ok(),
        _ => None,
    };
    match n {
        Some(n) if (1..=max).contains(&n) => Some(n),
        _ => {
            type_error(cx, v, path, &Ty::Percent { max });
            None
        }
    }
}

/// The top-level `autoscaler`, checked against the pools.
pub(super) fn parse_autoscaler(
    cx: &mut Ctx,
    top: &Obj,
    cluster: &ClusterSpec,
) -> Option<AutoscalerSpec> {
    let groups = cluster
        .pools
        .iter()
        .filter(|p| p.autoscaling.is_some())
        .count();
    let Some(obj) = top.object(cx, "autoscaler") else {
        if groups > 0
            && let Some((v, p)) = top.value(cx, "cluster")
        {
            cx.err(
                &v.origin,
                &p,
                "a pool has autoscaling {min, max} but no autoscaler is set; add \
                 `autoscaler: {kind: cluster-autoscaler}`",
            );
        }
        return None;
    };
    // `kind` has one value so far.
    let _ = obj.enumerated(cx, "kind")?;
    let mut spec = ClusterAutoscalerSpec::default();
    if groups == 0 {
        cx.err(
            obj.origin,
            &obj.path,
            "the cluster autoscaler has no node group: give a pool autoscaling: {min: 0, max: 10}",
        );
    }
    if let Some((v, p)) = obj.value(cx, "expander") {
        spec.expanders = read_expanders(cx, v, &p);
    }
    if let Some(map) = obj.str_map(cx, "priorities") {
        let (v, path) = obj.value(cx, "priorities").expect("read above");
        spec.priorities = vec![None; cluster.pools.len()];
        for (pool, text) in &map {
            let at = join(&path, pool);
            let origin = match &v.node {
                Node::Map(entries) => entries
                    .iter()
                    .find(|(k, _)| k.name == *pool)
                    .map_or(&v.origin, |(k, _)| &k.origin),
                _ => &v.origin,
            };
            let Some(ix) = cluster.pools.iter().position(|p| p.name == *pool) else {
                let names = cluster.pools.iter().map(|p| p.name.as_str());
                let mut message =
                    format!("unknown pool '{pool}'; the pools are {}", list_names(names));
                if let Some(s) = did_you_mean(pool, cluster.pools.iter().map(|p| p.name.as_str())) {
                    message.push_str(&format!("; did you mean '{s}'?"));
                }
                cx.err(origin, &at, message);
                continue;
            };
            match text.parse::<i32>() {
                Ok(n) => spec.priorities[ix] = Some(n),
                Err(_) => cx.err(
                    origin,
                    &at,
                    format!("expected a whole number (the pool's priority), found '{text}'"),
                ),
            }
        }
        if !spec.expanders.contains(&Expander::Priority) {
            cx.err(
                &v.origin,
                &path,
                "priorities are read only by the priority expander; add priority to expander",
            );
        }
    } else if spec.expanders.contains(&Expander::Priority)
        && let Some((v, p)) = obj.value(cx, "expander")
    {
        cx.err(
            &v.origin,
            &p,
            "the priority expander needs priorities: {pool: priority, ...}",
        );
    }
    if let Some(d) = obj.duration(cx, "scan_interval") {
        positive(cx, &obj, "scan_interval", d);
        spec.scan_interval = d;
    }
    if let Some(d) = obj.duration(cx, "max_node_provision_time") {
        positive(cx, &obj, "max_node_provision_time", d);
        spec.max_node_provision_time = d;
    }
    if let Some(n) = obj.int32(cx, "expendable_pods_priority_cutoff") {
        spec.expendable_priority_cutoff = n;
    }
    if let Some(s) = obj.object(cx, "scale_down") {
        let d = &mut spec.scale_down;
        if let Some(b) = s.boolean(cx, "enabled") {
            d.enabled = b;
        }
        if let Some(t) = s.number(cx, "utilization_threshold") {
            d.utilization_threshold = t;
        }
        if let Some(t) = s.duration(cx, "unneeded_time") {
            d.unneeded_time = t;
        }
        if let Some(t) = s.duration(cx, "delay_after_add") {
            d.delay_after_add = t;
        }
        if let Some(t) = s.duration(cx, "delay_after_failure") {
            d.delay_after_failure = t;
        }
        if let Some(n) = s.uint(cx, "max_empty_bulk_delete") {
            d.max_empty_bulk_delete = (n as u32).max(1);
        }
    }
    Some(AutoscalerSpec::ClusterAutoscaler(spec))
}

/// `least-waste`, `priority,least-waste` or `[priority, least-waste]`.
fn read_expanders(cx: &mut Ctx, v: &Located, path: &str) -> Vec<Expander> {
    let names: Vec<(String, &Located, String)> = match &v.node {
        Node::Str(s) => s
            .split(',')
            .map(|n| (n.trim().to_string(), v, path.to_string()))
            .collect(),
        Node::Seq(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let text = item.node.scalar_text().unwrap_or_default();
                (text, item, index(path, i))
            })
            .collect(),
        _ => {
            type_error(
                cx,
                v,
                path,
                &Ty::NameList {
                    max_items: 6,
                    rule: None,
                },
            );
            return vec![Expander::LeastWaste];
        }
    };
    let mut out = Vec::new();
    for (name, node, at) in names {
        match Expander::parse(&name) {
            Some(e) if out.contains(&e) => {
                cx.err(&node.origin, &at, format!("'{name}' is listed twice"))
            }
            Some(e) => out.push(e),
            None => {
                let mut message = format!(
                    "unknown expander '{name}', expected one of {}",
                    list_names(Expander::NAMES.iter().copied())
                );
                if let Some(s) = did_you_mean(&name, Expander::NAMES.iter().copied()) {
                    message.push_str(&format!("; did you mean '{s}'?"));
                }
                cx.err(&node.origin, &at, message);
            }
        }
    }
    if out.is_empty() {
        out.push(Expander::LeastWaste);
    }
    out
}
