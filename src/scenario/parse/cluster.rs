//! The cluster: zones, pools, and each pool's failure, interruption and capacity settings.

use super::*;

pub(super) fn parse_cluster(cx: &mut Ctx, obj: &Obj) -> ClusterSpec {
    let zone_list = obj.name_list(cx, "zones");
    let zones: Option<Vec<String>> = match zone_list {
        Some(list) if list.is_empty() => {
            if let Some((v, path)) = obj.value(cx, "zones") {
                cx.err(&v.origin, &path, "at least one zone is needed");
            }
            None
        }
        Some(list) => Some(list.into_iter().map(|(z, _)| z).collect()),
        None => match obj.entries.iter().find(|(k, _)| k.name == "zones") {
            // `zones: ~`, `zones:` or `--set cluster.zones=null`: not the same as leaving the
            // field out, and a cluster without zones has nowhere to put a node.
            Some((_, v)) if v.node == Node::Null => {
                cx.err(
                    &v.origin,
                    &join(&obj.path, "zones"),
                    "zones must be a non-empty list of zone names, found null (omit the field for the single zone 'default')",
                );
                None
            }
            // An explicitly given but invalid list was reported; don't check references to it.
            Some(_) => None,
            None => Some(vec!["default".to_string()]),
        },
    };

    let mut pools = Vec::new();
    let mut pool_failures = Vec::new();
    if let Some((list_node, items)) = obj.list(cx, "pools") {
        if items.is_empty() {
            cx.err(
                &list_node.origin,
                &join(&obj.path, "pools"),
                "at least one pool is needed",
            );
        }
        let mut seen: HashSet<String> = HashSet::new();
        let mut total_nodes: u64 = 0;
        for (item, path) in items {
            let Some(pool_obj) = open(cx, item, &path, fields::POOL, None) else {
                continue;
            };
            let pool = parse_pool(cx, &pool_obj, zones.as_deref());
            let capacity_type = pool.capacity_type;
            pool_failures.push(parse_pool_failures(
                cx,
                &pool_obj,
                capacity_type,
                zones.as_deref(),
            ));
            if !pool.name.is_empty()
                && !seen.insert(pool.name.clone())
                && let Some((v, p)) = pool_obj.value(cx, "name")
            {
                cx.err(
                    &v.origin,
                    &p,
                    format!("duplicate pool name '{}'", pool.name),
                );
            }
            total_nodes += u64::from(pool.count);
            pools.push(pool);
        }
        for (resource, total) in [
            (
                "cpu",
                pools
                    .iter()
                    .map(|p: &PoolSpec| p.count as u128 * p.node.cpu_m as u128)
                    .sum::<u128>(),
            ),
            (
                "memory",
                pools
                    .iter()
                    .map(|p| p.count as u128 * p.node.memory as u128)
                    .sum(),
            ),
            (
                "gpu",
                pools
                    .iter()
                    .map(|p| p.count as u128 * p.node.gpu as u128)
                    .sum(),
            ),
        ] {
            if total > fields::MAX_CLUSTER_RESOURCE {
                cx.err(
                    &list_node.origin,
                    &join(&obj.path, "pools"),
                    format!("the pools hold an absurd amount of {resource} in all (count × node summed over pools)"),
                );
            }
        }
        if total_nodes > fields::MAX_TOTAL_NODES {
            cx.err(
                &list_node.origin,
                &join(&obj.path, "pools"),
                format!(
                    "{total_nodes} nodes in all is absurdly many; the limit is {}",
                    fields::MAX_TOTAL_NODES
                ),
            );
        }
    }
    ClusterSpec {
        zones: zones.unwrap_or_default(),
        pools,
        pool_failures,
    }
}

pub(super) fn parse_pool(cx: &mut Ctx, obj: &Obj, cluster_zones: Option<&[String]>) -> PoolSpec {
    let name = obj.string(cx, "name").unwrap_or_default();
    let capacity_type = obj
        .enumerated(cx, "capacity_type")
        .and_then(CapacityType::parse)
        .unwrap_or(CapacityType::OnDemand);
    let mut gpu_model = None;
    let (node, max_pods) = match obj.object(cx, "node") {
        Some(n) => {
            let cpu_m = n.quantity(cx, "cpu").unwrap_or_default();
            let memory = n.quantity(cx, "memory").unwrap_or_default();
            let gpu = n.quantity(cx, "gpu").unwrap_or_default();
            if gpu > crate::quantity::MAX_GPUS_PER_NODE * 1000
                && let Some((v, p)) = n.value(cx, "gpu")
            {
                cx.err(
                    &v.origin,
                    &p,
                    format!(
                        "at most {} GPUs per node",
                        crate::quantity::MAX_GPUS_PER_NODE
                    ),
                );
            }
            gpu_model = n.string(cx, "gpu_model");
            // Bounded by the field table, far below u32::MAX.
            let pods = n
                .uint(cx, "pods")
                .map_or(DEFAULT_MAX_PODS, |p| u32::try_from(p).unwrap_or(u32::MAX));
            (Resources::new(cpu_m, memory, gpu), pods)
        }
        None => (Resources::ZERO, DEFAULT_MAX_PODS),
    };
    let price_per_hour = obj.number(cx, "price_per_hour").unwrap_or(0.0);
    let count = obj
        .uint(cx, "count")
        .map_or(0, |c| u32::try_from(c).unwrap_or(u32::MAX));

    let zones = match (obj.name_list(cx, "zones"), cluster_zones) {
        (Some(list), Some(all)) => {
            let mut indices = Vec::with_capacity(list.len());
            for (i, (zone, node)) in list.iter().enumerate() {
                match all.iter().position(|z| z == zone) {
                    Some(ix) => indices.push(ix),
                    None => {
                        let mut message = format!(
                            "unknown zone '{zone}'; the cluster's zones are {}",
                            list_names(all.iter().map(String::as_str))
                        );
                        if let Some(s) = did_you_mean(zone, all.iter().map(String::as_str)) {
                            message.push_str(&format!("; did you mean '{s}'?"));
                        }
                        cx.err(&node.origin, &index(&join(&obj.path, "zones"), i), message);
                    }
                }
            }
            if list.is_empty()
                && let Some((v, path)) = obj.value(cx, "zones")
            {
                cx.err(
                    &v.origin,
                    &path,
                    "at least one zone is needed (omit the field for all zones)",
                );
            }
            indices
        }
        (None, Some(all)) => (0..all.len()).collect(),
        (_, None) => vec![],
    };

    let mut labels = obj.str_map(cx, "labels").unwrap_or_default();
    if let Some(model) = gpu_model {
        labels
            .entry(crate::model::GPU_PRODUCT_LABEL.to_string())
            .or_insert(model);
    }
    let taints = parse_taints(cx, obj);
    let provisioning_delay = obj
        .dist(cx, "provisioning_delay")
        .unwrap_or(DurationDist::Constant(SimDuration::ZERO));
    let autoscaling = obj
        .object(cx, "autoscaling")
        .and_then(|g| parse_node_group(cx, &g, count));

    PoolSpec {
        name,
        capacity_type,
        node,
        max_pods,
        price_per_hour,
        count,
        zones,
        labels,
        taints,
        provisioning_delay,
        autoscaling,
    }
}

/// The zone index of a zone name, or an error naming the choices.
pub(super) fn resolve_zone(
    cx: &mut Ctx,
    v: &Located,
    path: &str,
    name: &str,
    zones: &[String],
) -> Option<usize> {
    if let Some(ix) = zones.iter().position(|z| z == name) {
        return Some(ix);
    }
    let mut message = format!(
        "unknown zone '{name}'; the cluster's zones are {}",
        list_names(zones.iter().map(String::as_str))
    );
    if let Some(s) = did_you_mean(name, zones.iter().map(String::as_str)) {
        message.push_str(&format!("; did you mean '{s}'?"));
    }
    cx.err(&v.origin, path, message);
    None
}

pub(super) fn resolve_path(cx: &Ctx, text: &str) -> PathBuf {
    match cx.base_dir {
        Some(dir) => dir.join(text),
        None => PathBuf::from(text),
    }
}

pub(super) fn parse_pool_failures(
    cx: &mut Ctx,
    obj: &Obj,
    capacity_type: CapacityType,
    cluster_zones: Option<&[String]>,
) -> PoolFailures {
    let zones = cluster_zones.unwrap_or(&[]);
    let mut out = PoolFailures {
        replace: obj
            .enumerated(cx, "replace")
            .and_then(ReplacePolicy::parse)
            .unwrap_or(ReplacePolicy::OnNotice),
        ..PoolFailures::default()
    };
    if let Some(i) = obj.object(cx, "interruption") {
        if capacity_type != CapacityType::Spot
            && let Some((v, path)) = obj.value(cx, "interruption")
        {
            cx.err(
                &v.origin,
                &path,
                format!(
                    "interruptions are for capacity_type spot; this pool is {}",
                    capacity_type.as_str()
                ),
            );
        }
        let mean = read_mean_time_between(cx, &i, "mean_time_between");
        let bucket = i.enumerated(cx, "frequency");
        if mean.is_some() && bucket.is_some() {
            cx.err(
                i.origin,
                &i.path,
                "give mean_time_between or frequency, not both",
            );
        }
        let mean_time_between = mean.or_else(|| bucket.and_then(frequency_bucket_mean));
        let notice = i
            .duration(cx, "notice")
            .unwrap_or(SimDuration::from_secs(120));
        let waves = i.object(cx, "waves").and_then(|w| {
            let mean = read_mean_time_between(cx, &w, "mean_time_between");
            let share = w
                .value(cx, "share")
                .and_then(|(v, path)| read_share(cx, v, &path));
            Some(WaveSpec {
                mean_time_between: mean?,
                share: share?,
            })
        });
        let mut trace = Vec::new();
        if let Some((v, path)) = i.value(cx, "trace")
            && let Some(text) = read_string(cx, v, &path, &Ty::Name)
        {
            let resolved = resolve_path(cx, &text);
            cx.inputs.push(resolved.clone());
            let loaded = crate::scenario::pool_traces::load_reclaim_trace(&resolved, zones);
            if let Some(rows) = trace_rows(cx, v, &path, &resolved, "reclaim trace", loaded) {
                trace = rows;
            }
        }
        out.interruption = Some(InterruptionSpec {
            mean_time_between,
            notice,
            waves,
            trace,
        });
    }
    out.mtbf = read_mean_time_between(cx, obj, "mtbf");
    out.repair = obj.dist(cx, "repair");
    out.burn_in = obj.object(cx, "burn_in").and_then(|b| {
        let duration = b.dist(cx, "duration");
        let failure_probability = b.number(cx, "failure_probability").unwrap_or(0.0);
        Some(BurnInSpec {
            duration: duration?,
            failure_probability,
        })
    });
    out.unavailable = parse_unavailable(cx, obj, zones);
    if capacity_type == CapacityType::Reserved
        && let Some((v, path)) = obj.value(cx, "price_trace")
    {
        cx.err(
            &v.origin,
            &path,
            "a reserved pool pays its committed price_per_hour; a price trace is for on-demand and spot pools",
        );
    } else if let Some((v, path)) = obj.value(cx, "price_trace")
        && let Some(text) = read_string(cx, v, &path, &Ty::Name)
    {
        let resolved = resolve_path(cx, &text);
        cx.inputs.push(resolved.clone());
        let loaded = crate::scenario::pool_traces::load_price_trace(&resolved);
        if let Some(rows) = trace_rows(cx, v, &path, &resolved, "price trace", loaded) {
            out.price_trace = rows;
        }
    }
    out
}

/// The rows of a trace file named by the field at `v`/`path`. A file that cannot be read is
/// reported at that field (the scenario's line that named it); bad rows at their own lines.
pub(super) fn trace_rows<T>(
    cx: &mut Ctx,
    v: &Located,
    path: &str,
    file: &Path,
    what: &str,
    loaded: Result<Vec<T>, TraceLoadError>,
) -> Option<Vec<T>> {
    match loaded {
        Ok(rows) => Some(rows),
        Err(TraceLoadError::Unreadable(reason)) => {
            cx.err(
                &v.origin,
                path,
                format!("cannot read {what} '{}': {reason}", file.display()),
            );
            None
        }
        Err(TraceLoadError::Invalid(errors)) => {
            cx.errors.extend(errors);
            None
        }
    }
}

/// A share: a fraction in (0, 1], or `{uniform: {min, max}}`.
pub(super) fn read_share(cx: &mut Ctx, v: &Located, path: &str) -> Option<ShareDist> {
    match v.node {
        Node::Int(1) => return Some(ShareDist::Fixed(1.0)),
        Node::Float(x) if x > 0.0 && x <= 1.0 => return Some(ShareDist::Fixed(x)),
        Node::Map(_) => {}
        _ => {
            type_error(cx, v, path, &Ty::Share);
            return None;
        }
    }
    let obj = open(cx, v, path, fields::SHARE, None)?;
    let u = obj.object(cx, "uniform");
    let Some(u) = u else {
        type_error(cx, v, path, &Ty::Share);
        return None;
    };
    let (min, max) = (u.number(cx, "min")?, u.number(cx, "max")?);
    in_order(cx, v, path, min, max).then_some(ShareDist::Uniform { min, max })
}

/// A pool's `unavailable` windows (capacity shortages).
pub(super) fn parse_unavailable(cx: &mut Ctx, obj: &Obj, zones: &[String]) -> Vec<UnavailableSpec> {
    let mut out = Vec::new();
    if let Some((_, items)) = obj.list(cx, "unavailable") {
        for (item, path) in items {
            let Some(u) = open(cx, item, &path, fields::UNAVAILABLE, None) else {
                continue;
            };
            let zone = match u.value(cx, "zone") {
                Some((v, zpath)) => match read_string(cx, v, &zpath, &Ty::Name) {
                    Some(name) => match resolve_zone(cx, v, &zpath, &name, zones) {
                        Some(z) => Some(z),
                        None => continue,
                    },
                    None => continue,
                },
                None => None,
            };
            let at = u.duration(cx, "at");
            let given = u.value(cx, "mean_time_between").is_some();
            let mean = read_mean_time_between(cx, &u, "mean_time_between");
            let when = match (at, mean) {
                (Some(at), None) if !given => WindowTiming::At(SimTime::ZERO + at),
                (None, Some(m)) => WindowTiming::Random {
                    mean_time_between: m,
                },
                // A bad mean_time_between was reported already.
                (None, None) if given => continue,
                _ => {
                    cx.err(
                        &item.origin,
                        &path,
                        "give exactly one of at or mean_time_between",
                    );
                    continue;
                }
            };
            if let Some(duration) = u.dist(cx, "duration") {
                out.push(UnavailableSpec {
                    zone,
                    when,
                    duration,
                });
            }
        }
    }
    out
}

/// A pool's (or a NodePool's) `taints`.
pub(super) fn parse_taints(cx: &mut Ctx, obj: &Obj) -> Vec<Taint> {
    let mut taints = Vec::new();
    if let Some((_, items)) = obj.list(cx, "taints") {
        for (item, path) in items {
            let Some(t) = open(cx, item, &path, fields::TAINT, None) else {
                continue;
            };
            let key = t.string(cx, "key");
            let value = t.string(cx, "value").unwrap_or_default();
            let effect = t.enumerated(cx, "effect").and_then(TaintEffect::parse);
            if let (Some(key), Some(effect)) = (key, effect) {
                taints.push(Taint { key, value, effect });
            }
        }
    }
    taints
}
