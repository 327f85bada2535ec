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
    cluster: &mut ClusterSpec,
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
    let kind = obj.enumerated(cx, "kind")?;
    // Each kind has its own fields.
    let own: &[&str] = if kind == "karpenter" {
        &["node_pools", "batch_idle_duration", "batch_max_duration"]
    } else {
        &[
            "expander",
            "priorities",
            "scan_interval",
            "max_node_provision_time",
            "expendable_pods_priority_cutoff",
            "scale_down",
        ]
    };
    for (key, _) in obj.entries {
        let general = key.name == "kind";
        let other_kind = fields::AUTOSCALER.iter().any(|f| f.name == key.name);
        if !general && other_kind && !own.contains(&key.name.as_str()) {
            cx.err(
                &key.origin,
                &obj.path,
                format!("field '{}' is not valid for kind {kind}", key.name),
            );
        }
    }
    if kind == "karpenter" {
        return parse_karpenter(cx, top, &obj, cluster).map(AutoscalerSpec::Karpenter);
    }
    if let Some((v, p)) = top.value(cx, "instance_types") {
        cx.err(
            &v.origin,
            &p,
            "instance_types are read by kind karpenter only",
        );
    }
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

/// `autoscaler: {kind: karpenter, node_pools: [...]}`: the catalog, then each NodePool, whose
/// instance types and capacity types become generated pools (`<nodepool>-<type>-<capacity>`,
/// count 0) appended to the cluster's.
fn parse_karpenter(
    cx: &mut Ctx,
    top: &Obj,
    obj: &Obj,
    cluster: &mut ClusterSpec,
) -> Option<KarpenterSpec> {
    use crate::scenario::instance_types;
    let catalog = match top.object(cx, "instance_types") {
        Some(t) => {
            let (v, path) = t.value(cx, "path")?;
            let text = read_string(cx, v, &path, &Ty::Name)?;
            let resolved = resolve_path(cx, &text);
            cx.inputs.push(resolved.clone());
            match instance_types::load(&resolved) {
                Ok(types) => types,
                Err(errors) => {
                    cx.errors.extend(errors);
                    return None;
                }
            }
        }
        None => instance_types::bundled(),
    };
    let mut spec = KarpenterSpec {
        node_pools: Vec::new(),
        batch_idle: obj
            .duration(cx, "batch_idle_duration")
            .unwrap_or(SimDuration::from_secs(1)),
        batch_max: obj
            .duration(cx, "batch_max_duration")
            .unwrap_or(SimDuration::from_secs(10)),
        instance_types: Vec::new(),
    };
    positive(cx, obj, "batch_idle_duration", spec.batch_idle);
    positive(cx, obj, "batch_max_duration", spec.batch_max);
    let zones = cluster.zones.clone();
    let Some((list, items)) = obj.list(cx, "node_pools") else {
        cx.err(
            obj.origin,
            &obj.path,
            "karpenter needs node_pools: [{name, instance_types, ...}]",
        );
        return None;
    };
    if items.is_empty() {
        cx.err(
            &list.origin,
            &join(&obj.path, "node_pools"),
            "at least one NodePool is needed",
        );
    }
    for (item, path) in items {
        let Some(np) = open(cx, item, &path, fields::KARPENTER_NODE_POOL, None) else {
            continue;
        };
        let Some(name) = np.string(cx, "name") else {
            continue;
        };
        if spec.node_pools.iter().any(|p| p.name == name) {
            cx.err(
                np.origin,
                &path,
                format!("NodePool '{name}' is listed twice"),
            );
        }
        let names: Vec<&str> = catalog.iter().map(|t| t.name.as_str()).collect();
        let mut types = Vec::new();
        for (i, (t, node)) in np
            .name_list(cx, "instance_types")
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            match names.iter().position(|n| n == t) {
                Some(ix) => types.push(ix),
                None => {
                    let mut message = format!(
                        "unknown instance type '{t}'; the catalog lists {}",
                        list_names(names.iter().copied())
                    );
                    if let Some(s) = did_you_mean(t, names.iter().copied()) {
                        message.push_str(&format!("; did you mean '{s}'?"));
                    }
                    cx.err(
                        &node.origin,
                        &index(&join(&path, "instance_types"), i),
                        message,
                    );
                }
            }
        }
        let mut capacity_types = Vec::new();
        match np.name_list(cx, "capacity_types") {
            None => capacity_types.push(CapacityType::OnDemand),
            Some(list) => {
                for (i, (c, node)) in list.iter().enumerate() {
                    let at = index(&join(&path, "capacity_types"), i);
                    match CapacityType::parse(c) {
                        Some(CapacityType::Reserved) => cx.err(&node.origin, &at, "reserved capacity (a capacity reservation of fixed size) is not modelled for Karpenter; use a pool with capacity_type: reserved"),
                        Some(ct) => capacity_types.push(ct),
                        None => cx.err(&node.origin, &at, format!("unknown capacity type '{c}', expected spot or on-demand")),
                    }
                }
            }
        }
        // Preference: spot before on-demand (reserved would come first).
        capacity_types.sort_by_key(|c| match c {
            CapacityType::Reserved => 0,
            CapacityType::Spot => 1,
            CapacityType::OnDemand => 2,
        });
        let pool_zones: Vec<usize> = match np.name_list(cx, "zones") {
            None => (0..zones.len()).collect(),
            Some(list) => list
                .iter()
                .filter_map(|(z, node)| resolve_zone(cx, node, &join(&path, "zones"), z, &zones))
                .collect(),
        };
        let mut labels = np.str_map(cx, "labels").unwrap_or_default();
        labels.insert("karpenter.sh/nodepool".into(), name.clone());
        let taints = parse_taints(cx, &np);
        let provisioning_delay = np
            .dist(cx, "provisioning_delay")
            .unwrap_or(DurationDist::Constant(SimDuration::from_secs(60)));
        let unavailable = parse_unavailable(cx, &np, &zones);
        let frequency = np
            .enumerated(cx, "interruption_frequency")
            .and_then(frequency_bucket_mean);
        let limit_cpu_m = np.object(cx, "limits").and_then(|l| l.quantity(cx, "cpu"));
        let mut consolidation = ConsolidationPolicy::WhenEmptyOrUnderutilized;
        let mut consolidate_after = SimDuration::ZERO;
        let mut budgets = vec![IntOrPercent::Percent(10)];
        if let Some(d) = np.object(cx, "disruption") {
            if d.enumerated(cx, "consolidation_policy") == Some("WhenEmpty") {
                consolidation = ConsolidationPolicy::WhenEmpty;
            }
            consolidate_after = d
                .duration(cx, "consolidate_after")
                .unwrap_or(SimDuration::ZERO);
            if let Some((_, items)) = d.list(cx, "budgets") {
                budgets.clear();
                for (item, bpath) in items {
                    if let Some(b) = open(cx, item, &bpath, fields::DISRUPTION_BUDGET_NODES, None)
                        && let Some((v, p)) = b.value(cx, "nodes")
                        && let Some(n) = read_int_or_percent(cx, v, &p)
                    {
                        budgets.push(n);
                    }
                }
            }
        }
        let mut offerings = Vec::new();
        for &t in &types {
            let it = &catalog[t];
            for &ct in &capacity_types {
                let pool_name = format!("{name}-{}-{}", it.name.replace('.', "-"), ct.as_str());
                if !crate::scenario::names::NameRule::DnsLabel.check(&pool_name) {
                    cx.err(np.origin, &path, format!("the generated pool name '{pool_name}' is not a valid DNS label (at most 63 characters); shorten the NodePool's name"));
                    continue;
                }
                if cluster.pools.iter().any(|p| p.name == pool_name) {
                    cx.err(
                        np.origin,
                        &path,
                        format!(
                            "the generated pool '{pool_name}' clashes with a pool of the same name"
                        ),
                    );
                    continue;
                }
                let mut pool_labels = labels.clone();
                pool_labels.insert("node.kubernetes.io/instance-type".into(), it.name.clone());
                let spot = ct == CapacityType::Spot;
                offerings.push(Offering {
                    pool: cluster.pools.len(),
                    instance_type: t,
                    capacity_type: ct,
                });
                cluster.pools.push(PoolSpec {
                    name: pool_name,
                    capacity_type: ct,
                    node: it.resources,
                    max_pods: DEFAULT_MAX_PODS,
                    price_per_hour: if spot { it.spot_usd } else { it.on_demand_usd },
                    count: 0,
                    zones: pool_zones.clone(),
                    labels: pool_labels,
                    taints: taints.clone(),
                    provisioning_delay: provisioning_delay.clone(),
                    autoscaling: None,
                });
                cluster.pool_failures.push(PoolFailures {
                    // Karpenter provisions for the evicted pods; the cloud replaces nothing.
                    replace: ReplacePolicy::Never,
                    interruption: (spot && frequency.or(it.spot_interruptions).is_some()).then(
                        || InterruptionSpec {
                            mean_time_between: frequency.or(it.spot_interruptions),
                            notice: SimDuration::from_secs(120),
                            waves: None,
                            trace: Vec::new(),
                        },
                    ),
                    unavailable: if spot {
                        unavailable.clone()
                    } else {
                        Vec::new()
                    },
                    ..PoolFailures::default()
                });
            }
        }
        spec.node_pools.push(KarpenterNodePool {
            name,
            weight: np.int32(cx, "weight").unwrap_or(0),
            offerings,
            limit_cpu_m,
            consolidation,
            consolidate_after,
            budgets,
        });
    }
    spec.instance_types = catalog;
    Some(spec)
}
