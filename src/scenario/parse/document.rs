//! The document's top level: the scenario fields, priority classes, quotas, cluster events,
//! variants, and the checks that span several fields.

use super::*;
use crate::scenario::names::MAX_SCENARIO_NAME_BYTES;

/// Walks the whole document. The result is meaningful only when `cx.errors` stays empty.
pub(crate) fn parse_scenario(root: &Located, cx: &mut Ctx) -> Option<Scenario> {
    let top = open(cx, root, "", fields::SCENARIO, None)?;
    let name = top.string(cx, "name").unwrap_or_default();
    check_name_is_a_file_name(cx, &top, &name);
    let seed = top.uint(cx, "seed").unwrap_or(DEFAULT_SEED);
    let duration = top.duration(cx, "duration");
    let sample_interval = top.duration(cx, "sample_interval");
    check_sampling(cx, &top, duration, sample_interval);

    let cluster = match top.object(cx, "cluster") {
        Some(obj) => parse_cluster(cx, &obj),
        None => ClusterSpec {
            zones: vec![],
            pools: vec![],
            pool_failures: vec![],
        },
    };
    let scheduler_obj = top.object(cx, "scheduler");
    let scheduler = parse_scheduler(cx, scheduler_obj);
    let priority_classes = parse_priority_classes(cx, &top);
    let quotas = parse_quotas(cx, &top);
    let workloads = parse_workloads(cx, &top, &priority_classes);
    if let Some(d) = duration {
        check_expected_pods(cx, &top, d, &workloads);
    }
    let (events, actions) = parse_events(cx, &top, &cluster, &workloads);
    if let Some(d) = duration
        && cx.errors.is_empty()
    {
        check_memory_budget(
            cx,
            &top,
            d,
            sample_interval.unwrap_or(DEFAULT_SAMPLE_INTERVAL),
            &cluster,
            &workloads,
            &actions,
        );
    }
    let variants = parse_variants(cx, &top);
    let mut cluster = cluster;
    let autoscaler = parse_autoscaler(cx, &top, &mut cluster);

    Some(Scenario {
        name,
        seed,
        duration: duration.unwrap_or_default(),
        sample_interval: sample_interval.unwrap_or(DEFAULT_SAMPLE_INTERVAL),
        cluster,
        scheduler,
        workloads,
        events,
        actions,
        variants,
        priority_classes,
        quotas,
        source: None,
        warnings: Vec::new(),
        provenance: Default::default(),
        autoscaler,
    })
}

pub(super) fn parse_priority_classes(cx: &mut Ctx, top: &Obj) -> Vec<PriorityClass> {
    let mut out: Vec<PriorityClass> = Vec::new();
    let Some((list_node, items)) = top.list(cx, "priority_classes") else {
        return out;
    };
    if items.len() > fields::MAX_PRIORITY_CLASSES {
        cx.err(
            &list_node.origin,
            "priority_classes",
            format!(
                "{} classes is absurdly many; the limit is {}",
                items.len(),
                fields::MAX_PRIORITY_CLASSES
            ),
        );
        return out;
    }
    let mut default_seen: Option<String> = None;
    for (item, path) in items {
        let Some(o) = open(cx, item, &path, fields::PRIORITY_CLASS, None) else {
            continue;
        };
        let name = o.string(cx, "name");
        let value = o.int32(cx, "value");
        let default = o.boolean(cx, "default").unwrap_or(false);
        let preemption_policy = o
            .enumerated(cx, "preemption_policy")
            .and_then(PreemptionPolicy::parse)
            .unwrap_or_default();
        let (Some(name), Some(value)) = (name, value) else {
            continue;
        };
        if out.iter().any(|c| c.name == name) {
            if let Some((v, p)) = o.value(cx, "name") {
                cx.err(&v.origin, &p, format!("duplicate priority class '{name}'"));
            }
            continue;
        }
        if default {
            if let Some(first) = &default_seen
                && let Some((v, p)) = o.value(cx, "default")
            {
                cx.err(
                    &v.origin,
                    &p,
                    format!("only one priority class may be the default; '{first}' already is"),
                );
            }
            default_seen.get_or_insert_with(|| name.clone());
        }
        out.push(PriorityClass {
            name,
            value,
            default,
            preemption_policy,
        });
    }
    out
}

pub(super) fn parse_quotas(cx: &mut Ctx, top: &Obj) -> Vec<QuotaSpec> {
    let mut out: Vec<QuotaSpec> = Vec::new();
    let Some((_, items)) = top.list(cx, "quotas") else {
        return out;
    };
    for (item, path) in items {
        let Some(o) = open(cx, item, &path, fields::QUOTA, None) else {
            continue;
        };
        let Some(namespace) = o.string(cx, "namespace") else {
            continue;
        };
        if out.iter().any(|q| q.namespace == namespace) {
            if let Some((v, p)) = o.value(cx, "namespace") {
                cx.err(
                    &v.origin,
                    &p,
                    format!("namespace '{namespace}' has a quota already"),
                );
            }
            continue;
        }
        out.push(QuotaSpec {
            namespace,
            cpu_m: o.quantity(cx, "cpu"),
            memory: o.quantity(cx, "memory"),
            gpu: o.quantity(cx, "gpu"),
            pods: o.uint(cx, "pods"),
        });
    }
    out
}

/// The name becomes the default output directory `out/<name>/`, so it must be a plain file
/// name: no path separators, not `.` or `..`, and short enough for any file system (at most
/// [`MAX_SCENARIO_NAME_BYTES`] bytes, leaving room for the temporary `.<name>.tmp-<pid>`).
pub(super) fn check_name_is_a_file_name(cx: &mut Ctx, top: &Obj, name: &str) {
    let plain = name
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'));
    let Some((_, v)) = top.entries.iter().find(|(k, _)| k.name == "name") else {
        return;
    };
    if !name.is_empty() && (!plain || name == "." || name == "..") {
        cx.err(
            &v.origin,
            "name",
            format!(
                "{} cannot name the output directory; use letters, digits, '-', '_' and '.' (e.g. spot-vs-reserved)",
                found(&v.node).trim_start_matches("the string ")
            ),
        );
    } else if name.len() > MAX_SCENARIO_NAME_BYTES {
        cx.err(
            &v.origin,
            "name",
            format!(
                "the name is {} bytes long; it names the output directory, so the limit is {MAX_SCENARIO_NAME_BYTES}",
                name.len()
            ),
        );
    }
}

/// Refuses runs that would create an absurd number of pods (every pod is kept for reporting).
pub(super) fn check_expected_pods(
    cx: &mut Ctx,
    top: &Obj,
    duration: SimDuration,
    workloads: &[WorkloadSpec],
) {
    let expected = expected_pods(duration, workloads, &[]);
    if expected > fields::MAX_EXPECTED_PODS
        && let Some((_, v)) = top.entries.iter().find(|(k, _)| k.name == "workloads")
    {
        cx.err(
            &v.origin,
            "workloads",
            format!(
                "about {expected:.0} pods would be created over {duration}; the limit is {:.0}: lower the arrival rates, set a `limit`, or shorten the run",
                fields::MAX_EXPECTED_PODS
            ),
        );
    }
}

/// Pods a run is expected to create: Poisson arrivals over the run (capped by `limit`),
/// Deployment replicas plus a new set of replicas per rollout, trace rows.
fn expected_pods(
    duration: SimDuration,
    workloads: &[WorkloadSpec],
    actions: &[ScheduledAction],
) -> f64 {
    let hours = duration.as_hours_f64();
    let base: f64 = workloads
        .iter()
        .map(|w| match &w.kind {
            WorkloadKind::Batch {
                poisson_per_hour,
                limit,
                start,
                ..
            } => {
                let mean = poisson_per_hour * (hours - start.as_hours_f64()).max(0.0);
                limit.map_or(mean, |l| mean.min(l as f64))
            }
            WorkloadKind::Deployment(d) => f64::from(d.replicas),
            WorkloadKind::Trace { rows, .. } => rows.len() as f64,
            WorkloadKind::Job(j) => {
                let start = SimTime::ZERO + j.start;
                let end = SimTime::ZERO + duration;
                let runs = match &j.schedule {
                    None => f64::from(u8::from(start <= end)),
                    // Cheap enough: one step per firing, and a run of years of every minute is
                    // refused by the pod count anyway.
                    Some(s) => s.firings(start, end).len() as f64,
                };
                let per_run = j.completions.unwrap_or(j.parallelism) as f64;
                runs * per_run
            }
        })
        .sum();
    let end = SimTime::ZERO + duration;
    let rollouts: f64 = actions
        .iter()
        .map(|a| {
            let Action::Rollout { workload, .. } = a.action else {
                return 0.0;
            };
            let WorkloadKind::Deployment(d) = &workloads[workload].kind else {
                return 0.0;
            };
            let times = match a.when {
                EventTiming::At(at) => f64::from(u8::from(at <= end)),
                EventTiming::Every { start, every } if start <= end => {
                    (end.since(start).0 / every.0.max(1)) as f64 + 1.0
                }
                EventTiming::Every { .. } => 0.0,
            };
            times * f64::from(d.replicas)
        })
        .sum();
    base + rollouts
}

/// What a run may hold in memory: every pod it creates (about [`fields::BYTES_PER_POD`] each,
/// pods are kept for reporting), the samples kept (at most
/// [`crate::metrics::timeseries::MAX_KEPT_SAMPLES`]), every node. A run that would not fit in
/// [`fields::MEMORY_BUDGET_BYTES`] is refused before it starts, with what to change.
fn check_memory_budget(
    cx: &mut Ctx,
    top: &Obj,
    duration: SimDuration,
    sample_interval: SimDuration,
    cluster: &ClusterSpec,
    workloads: &[WorkloadSpec],
    actions: &[ScheduledAction],
) {
    let pods = expected_pods(duration, workloads, actions);
    // Memory keeps a bounded downsample of the samples; the rest stream to timeseries.csv.
    let samples = match sample_interval.0 {
        0 => 1.0,
        step => (duration.0 / step) as f64 + 1.0,
    }
    .min(crate::metrics::timeseries::MAX_KEPT_SAMPLES as f64);
    let deployments = workloads
        .iter()
        .filter(|w| matches!(w.kind, WorkloadKind::Deployment(_)))
        .count() as f64;
    let per_sample = 96.0 + 8.0 * cluster.pools.len() as f64 + 16.0 * deployments;
    let nodes: f64 = cluster.pools.iter().map(|p| f64::from(p.count)).sum();
    let bytes =
        pods * fields::BYTES_PER_POD + samples * per_sample + nodes * fields::BYTES_PER_NODE;
    if bytes <= fields::MEMORY_BUDGET_BYTES {
        return;
    }
    let gib = |b: f64| b / (1u64 << 30) as f64;
    let origin = top
        .entries
        .iter()
        .find(|(k, _)| k.name == "workloads")
        .map_or(top.origin, |(_, v)| &v.origin);
    cx.err(
        origin,
        "",
        format!(
            "this run would hold about {:.1} GiB in memory ({pods:.0} pods at about {:.0} bytes, \
             {samples:.0} samples, {nodes:.0} nodes); the budget is {:.0} GiB: lower the arrival \
             rates or replicas, set a `limit`, shorten the run or lengthen sample_interval",
            gib(bytes),
            fields::BYTES_PER_POD,
            gib(fields::MEMORY_BUDGET_BYTES)
        ),
    );
}

/// The run must be longer than zero and not produce an absurd number of samples.
pub(super) fn check_sampling(
    cx: &mut Ctx,
    top: &Obj,
    duration: Option<SimDuration>,
    sample_interval: Option<SimDuration>,
) {
    let at = |name: &str| {
        top.entries
            .iter()
            .find(|(k, _)| k.name == name)
            .map(|(_, v)| (v.origin.clone(), join("", name)))
    };
    if duration == Some(SimDuration::ZERO)
        && let Some((origin, path)) = at("duration")
    {
        cx.err(&origin, &path, "must be longer than 0s");
    }
    if sample_interval == Some(SimDuration::ZERO)
        && let Some((origin, path)) = at("sample_interval")
    {
        cx.err(&origin, &path, "must be longer than 0s");
        return;
    }
    if let Some(d) = duration {
        let interval = sample_interval.unwrap_or(DEFAULT_SAMPLE_INTERVAL);
        let rows = d.0 / interval.0.max(1);
        if rows > fields::MAX_SAMPLE_ROWS {
            let (origin, path) = at("sample_interval")
                .or_else(|| at("duration"))
                .unwrap_or((top.origin.clone(), String::new()));
            cx.err(
                &origin,
                &path,
                format!(
                    "sampling {d} every {interval} gives {rows} rows; the limit is {}, so use a longer sample_interval",
                    fields::MAX_SAMPLE_ROWS
                ),
            );
        }
    }
}

/// The `events` list: outages for the cloud, and operator actions.
pub(super) fn parse_events(
    cx: &mut Ctx,
    top: &Obj,
    cluster: &ClusterSpec,
    workloads: &[WorkloadSpec],
) -> (Vec<ClusterEvent>, Vec<ScheduledAction>) {
    let zones = &cluster.zones;
    let mut out = Vec::new();
    let mut actions = Vec::new();
    let Some((_, items)) = top.list(cx, "events") else {
        return (out, actions);
    };
    for (item, path) in items {
        let Some(e) = open(cx, item, &path, fields::CLUSTER_EVENT, None) else {
            continue;
        };
        if ACTIONS.iter().any(|a| item.get(a).is_some()) {
            if let Some(a) = parse_action(cx, &e, item, &path, cluster, workloads) {
                actions.push(a);
            }
            continue;
        }
        for repeat in ["every", "start"] {
            if let Some((v, p)) = e.value(cx, repeat) {
                cx.err(
                    &v.origin,
                    &p,
                    format!("`{repeat}` repeats operator actions; outages take `at`"),
                );
            }
        }
        let at = e.duration(cx, "at");
        if let Some(r) = e.object(cx, "random_zone_outages") {
            let mean_time_between = read_mean_time_between(cx, &r, "mean_time_between");
            let duration = r.dist(cx, "duration");
            let zones = match r.name_list(cx, "zones") {
                Some(list) if list.is_empty() => {
                    if let Some((v, p)) = r.value(cx, "zones") {
                        cx.err(
                            &v.origin,
                            &p,
                            "at least one zone is needed (omit the field for all zones)",
                        );
                    }
                    vec![]
                }
                Some(list) => list
                    .iter()
                    .enumerate()
                    .filter_map(|(i, (name, v))| {
                        resolve_zone(cx, v, &index(&join(&r.path, "zones"), i), name, zones)
                    })
                    .collect(),
                None => (0..zones.len()).collect(),
            };
            if let (Some(mean_time_between), Some(duration)) = (mean_time_between, duration) {
                out.push(ClusterEvent::RandomZoneOutages {
                    at: SimTime::ZERO + at.unwrap_or_default(),
                    mean_time_between,
                    duration,
                    zones,
                });
            }
            continue;
        }
        let Some(o) = e.object(cx, "zone_outage") else {
            cx.err(
                &item.origin,
                &path,
                "an event needs a kind: zone_outage, random_zone_outages, rollout, rollback, cordon, uncordon, drain or upgrade",
            );
            continue;
        };
        let Some(at) = at else {
            cx.err(
                &item.origin,
                &path,
                "a zone_outage needs `at`: when it starts",
            );
            continue;
        };
        let zone = o.value(cx, "zone").and_then(|(v, zpath)| {
            let name = read_string(cx, v, &zpath, &Ty::Name)?;
            resolve_zone(cx, v, &zpath, &name, zones)
        });
        let duration = o.duration(cx, "duration");
        if let (Some(zone), Some(duration)) = (zone, duration) {
            out.push(ClusterEvent::ZoneOutage {
                at: SimTime::ZERO + at,
                zone,
                duration,
            });
        }
    }
    (out, actions)
}

pub(super) fn parse_variants(cx: &mut Ctx, top: &Obj) -> Vec<Variant> {
    let mut out: Vec<Variant> = Vec::new();
    let Some((_, items)) = top.list(cx, "variants") else {
        return out;
    };
    for (item, path) in items {
        let Some(v) = open(cx, item, &path, fields::VARIANT, None) else {
            continue;
        };
        let name = v.string(cx, "name");
        let mut set = Vec::new();
        if let Some((node, set_path)) = v.value(cx, "set") {
            match &node.node {
                Node::Map(entries) => {
                    // Values may be mappings and lists, as `--set` values may.
                    for (key, value) in entries {
                        set.push((key.name.clone(), value.node.to_flow_yaml()));
                    }
                }
                _ => type_error(cx, node, &set_path, &Ty::OverrideMap),
            }
        }
        if let Some(name) = name {
            if out.iter().any(|o| o.name == name)
                && let Some((n, p)) = v.value(cx, "name")
            {
                cx.err(&n.origin, &p, format!("duplicate variant name '{name}'"));
            }
            out.push(Variant { name, set });
        }
    }
    out
}
