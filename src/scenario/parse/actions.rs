//! Operator actions in `events`: rollouts, rollbacks, cordons, drains and pool upgrades, once
//! (`at`) or repeated (`every`, from `start`).

use super::deployment::read_probability;
use super::*;

/// The keys that make an event an operator action.
pub(super) const ACTIONS: [&str; 6] = [
    "rollout", "rollback", "cordon", "uncordon", "drain", "upgrade",
];

pub(super) fn parse_action(
    cx: &mut Ctx,
    e: &Obj,
    item: &Located,
    path: &str,
    cluster: &ClusterSpec,
    workloads: &[WorkloadSpec],
) -> Option<ScheduledAction> {
    let present: Vec<&str> = ACTIONS
        .iter()
        .copied()
        .filter(|a| item.get(a).is_some())
        .collect();
    if present.len() > 1
        || item.get("zone_outage").is_some()
        || item.get("random_zone_outages").is_some()
    {
        cx.err(
            &item.origin,
            path,
            "an event does one thing: give each action its own list entry",
        );
        return None;
    }
    let when = parse_timing(cx, e, item, path)?;
    let action = match present[0] {
        "rollout" => {
            let r = e.object(cx, "rollout")?;
            let workload = deployment_named(cx, &r, workloads)?;
            let healthy = r
                .value(cx, "healthy")
                .map_or(Some(1.0), |(v, p)| read_probability(cx, v, &p))?;
            let requests = r.object(cx, "set").and_then(|set| {
                let req = set.object(cx, "requests")?;
                let base = workloads[workload].template.requests;
                Some(Resources::new(
                    req.quantity(cx, "cpu").unwrap_or(base.cpu_m),
                    req.quantity(cx, "memory").unwrap_or(base.memory),
                    super::gpu_request(cx, &req, base.gpu),
                ))
            });
            Action::Rollout {
                workload,
                requests,
                healthy,
            }
        }
        "rollback" => {
            let r = e.object(cx, "rollback")?;
            Action::Rollback {
                workload: deployment_named(cx, &r, workloads)?,
            }
        }
        kind @ ("cordon" | "uncordon") => {
            let r = e.object(cx, kind)?;
            let node = r.string(cx, "node")?;
            check_node_name(cx, &r, &node, cluster);
            if kind == "cordon" {
                Action::Cordon { node }
            } else {
                Action::Uncordon { node }
            }
        }
        "drain" => {
            let d = e.object(cx, "drain")?;
            let node = d.string(cx, "node");
            let pool = d.value(cx, "pool").and_then(|(v, p)| {
                let name = read_string(cx, v, &p, &Ty::Name)?;
                pool_named(cx, v, &p, &name, cluster)
            });
            let target = match (node, pool) {
                (Some(node), None) => {
                    check_node_name(cx, &d, &node, cluster);
                    NodeTarget::Node(node)
                }
                (None, Some(pool)) => NodeTarget::Pool(pool),
                _ => {
                    cx.err(
                        d.origin,
                        &d.path,
                        "a drain names exactly one of node and pool",
                    );
                    return None;
                }
            };
            Action::Drain {
                target,
                timeout: d.duration(cx, "drain_timeout"),
                on_timeout: timeout_action(cx, &d),
            }
        }
        _ => {
            let u = e.object(cx, "upgrade")?;
            let pool = u.value(cx, "pool").and_then(|(v, p)| {
                let name = read_string(cx, v, &p, &Ty::Name)?;
                pool_named(cx, v, &p, &name, cluster)
            })?;
            let max_surge = u.uint(cx, "max_surge").unwrap_or(1) as u32;
            let max_unavailable = u.uint(cx, "max_unavailable").unwrap_or(0) as u32;
            if max_surge == 0 && max_unavailable == 0 {
                cx.err(
                    u.origin,
                    &u.path,
                    "max_surge and max_unavailable cannot both be 0: no node could ever be replaced",
                );
            }
            let new_nodes_healthy = u
                .value(cx, "new_nodes_healthy")
                .map_or(Some(1.0), |(v, p)| read_probability(cx, v, &p))?;
            Action::Upgrade {
                pool,
                max_surge,
                max_unavailable,
                drain_timeout: Some(
                    u.duration(cx, "drain_timeout")
                        .unwrap_or(SimDuration::from_secs(3600)),
                ),
                on_timeout: timeout_action(cx, &u),
                new_nodes_healthy,
            }
        }
    };
    Some(ScheduledAction { when, action })
}

/// `at`, or `every` with an optional `start`.
fn parse_timing(cx: &mut Ctx, e: &Obj, item: &Located, path: &str) -> Option<EventTiming> {
    let at = e.duration(cx, "at");
    let every = e.duration(cx, "every");
    let start = e.duration(cx, "start");
    match (at, every) {
        (Some(at), None) => {
            if let Some((v, p)) = e.value(cx, "start") {
                cx.err(
                    &v.origin,
                    &p,
                    "`start` goes with `every`; a single action takes `at`",
                );
            }
            Some(EventTiming::At(SimTime::ZERO + at))
        }
        (None, Some(every)) if every > SimDuration::ZERO => Some(EventTiming::Every {
            start: SimTime::ZERO + start.unwrap_or(every),
            every,
        }),
        (None, Some(_)) => {
            if let Some((v, p)) = e.value(cx, "every") {
                cx.err(&v.origin, &p, "must be longer than 0s");
            }
            None
        }
        (None, None) => {
            cx.err(
                &item.origin,
                path,
                "an action needs `at` (once) or `every` (repeated)",
            );
            None
        }
        (Some(_), Some(_)) => {
            cx.err(&item.origin, path, "give either `at` or `every`, not both");
            None
        }
    }
}

fn timeout_action(cx: &mut Ctx, obj: &Obj) -> TimeoutAction {
    match obj.enumerated(cx, "on_timeout") {
        Some("abort") => TimeoutAction::Abort,
        _ => TimeoutAction::Force,
    }
}

/// The index of the Deployment named by `obj.workload`.
fn deployment_named(cx: &mut Ctx, obj: &Obj, workloads: &[WorkloadSpec]) -> Option<usize> {
    let (v, p) = obj.value(cx, "workload")?;
    let name = read_string(cx, v, &p, &Ty::Name)?;
    match workloads.iter().position(|w| w.name == name) {
        Some(i) if matches!(workloads[i].kind, WorkloadKind::Deployment(_)) => Some(i),
        Some(_) => {
            cx.err(&v.origin, &p, format!("'{name}' is not a Deployment"));
            None
        }
        None => {
            let mut message = format!("no workload is named '{name}'");
            if let Some(s) = did_you_mean(&name, workloads.iter().map(|w| w.name.as_str())) {
                message.push_str(&format!("; did you mean '{s}'?"));
            }
            cx.err(&v.origin, &p, message);
            None
        }
    }
}

fn pool_named(
    cx: &mut Ctx,
    v: &Located,
    path: &str,
    name: &str,
    cluster: &ClusterSpec,
) -> Option<usize> {
    let found = cluster.pools.iter().position(|p| p.name == name);
    if found.is_none() {
        let mut message = format!("no pool is named '{name}'");
        if let Some(s) = did_you_mean(name, cluster.pools.iter().map(|p| p.name.as_str())) {
            message.push_str(&format!("; did you mean '{s}'?"));
        }
        cx.err(&v.origin, path, message);
    }
    found
}

/// A node name must be `<pool>-<n>` for an existing pool (the node may be launched later).
fn check_node_name(cx: &mut Ctx, obj: &Obj, node: &str, cluster: &ClusterSpec) {
    let ok = node.rsplit_once('-').is_some_and(|(pool, n)| {
        n.parse::<u32>().is_ok() && cluster.pools.iter().any(|p| p.name == pool)
    });
    if !ok && let Some((v, p)) = obj.value(cx, "node") {
        let pools: Vec<&str> = cluster.pools.iter().map(|p| p.name.as_str()).collect();
        cx.err(
            &v.origin,
            &p,
            format!(
                "'{node}' is not a node name: nodes are named <pool>-<n>, n counting the \
                 pool's launches from 0 (pools: {})",
                pools.join(", ")
            ),
        );
    }
}
