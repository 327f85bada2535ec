//! A Deployment's fields: strategy, probes, load, refresh, dependencies and crash loops; the
//! disruption budget of any workload; and the readers for counts-or-percentages,
//! probabilities and load curves.

use super::*;

/// A dependency named in `depends_on`, resolved once every workload is known.
pub(super) struct NamedDependency<'n> {
    pub name: String,
    pub node: &'n Located,
    pub path: String,
    pub min_ready: u32,
}

pub(super) fn parse_deployment_kind<'n>(
    cx: &mut Ctx,
    obj: &Obj<'n>,
) -> (DeploymentSpec, Vec<NamedDependency<'n>>) {
    let defaults = DeploymentSpec::default();
    let replicas = obj
        .uint(cx, "replicas")
        .map_or(0, |r| u32::try_from(r).unwrap_or(u32::MAX));
    let readiness = obj.object(cx, "readiness").map(|r| {
        let d = ReadinessProbe::default();
        let probe = ReadinessProbe {
            initial_delay: r.duration(cx, "initial_delay").unwrap_or(d.initial_delay),
            period: r.duration(cx, "period").unwrap_or(d.period),
            failure_threshold: r
                .uint(cx, "failure_threshold")
                .map_or(d.failure_threshold, |n| n as u32),
        };
        positive(cx, &r, "period", probe.period);
        if probe.failure_threshold == 0
            && let Some((v, p)) = r.value(cx, "failure_threshold")
        {
            cx.err(&v.origin, &p, "must be at least 1");
        }
        probe
    });
    let strategy = obj
        .object(cx, "strategy")
        .map_or(defaults.strategy, |s| parse_strategy(cx, &s));
    let progress_deadline = obj
        .duration(cx, "progress_deadline")
        .unwrap_or(defaults.progress_deadline);
    positive(cx, obj, "progress_deadline", progress_deadline);
    let on_progress_deadline = match obj.enumerated(cx, "on_progress_deadline") {
        Some("rollback") => DeadlineAction::Rollback,
        _ => DeadlineAction::Halt,
    };
    let load = obj.object(cx, "load").and_then(|l| {
        let rps = l
            .value(cx, "requests_per_second")
            .and_then(|(v, p)| read_load(cx, v, &p));
        let per_pod = l.number(cx, "per_pod");
        Some(LoadSpec {
            requests_per_second: rps?,
            per_pod: per_pod?,
        })
    });
    let in_place_refresh = obj.object(cx, "in_place_refresh").and_then(|r| {
        let spec = RefreshSpec {
            every: r.duration(cx, "every")?,
            downtime: r.duration(cx, "downtime")?,
            jitter: r.duration(cx, "jitter").unwrap_or(SimDuration::ZERO),
        };
        positive(cx, &r, "every", spec.every);
        Some(spec)
    });
    let mut dependencies = Vec::new();
    if let Some((_, items)) = obj.list(cx, "depends_on") {
        for (item, path) in items {
            let Some(d) = open(cx, item, &path, fields::DEPENDENCY, None) else {
                continue;
            };
            let min_ready = d.uint(cx, "min_ready").map_or(1, |n| n as u32);
            if let Some((node, p)) = d.value(cx, "workload")
                && let Some(name) = read_string(cx, node, &p, &Ty::Name)
            {
                dependencies.push(NamedDependency {
                    name,
                    node,
                    path: p,
                    min_ready,
                });
            }
        }
    }
    let crash_after = obj.duration(cx, "crash_after");
    let crashes = obj
        .object(cx, "crashes")
        .and_then(|c| read_mean_time_between(cx, &c, "mean_time_between"));
    let backoff = obj.object(cx, "backoff").map_or(defaults.backoff, |b| {
        let d = BackoffSpec::default();
        let spec = BackoffSpec {
            initial: b.duration(cx, "initial").unwrap_or(d.initial),
            max: b.duration(cx, "max").unwrap_or(d.max),
            reset_after: b.duration(cx, "reset_after").unwrap_or(d.reset_after),
        };
        positive(cx, &b, "initial", spec.initial);
        if spec.max < spec.initial
            && let Some((v, p)) = b.value(cx, "max")
        {
            cx.err(
                &v.origin,
                &p,
                format!("must be at least initial ({})", spec.initial),
            );
        }
        spec
    });
    if !dependencies.is_empty()
        && crash_after.is_none()
        && let Some((v, p)) = obj.value(cx, "depends_on")
    {
        cx.err(
            &v.origin,
            &p,
            "depends_on needs crash_after: how long a container that starts without its \
             dependencies runs before it exits",
        );
    }
    let autoscaling = obj
        .object(cx, "autoscaling")
        .and_then(|a| parse_hpa(cx, &a));
    if autoscaling.is_some()
        && load.is_none()
        && let Some((v, p)) = obj.value(cx, "autoscaling")
    {
        cx.err(
            &v.origin,
            &p,
            "autoscaling needs load: the HPA scales on cpu utilization, which is \
             rps ÷ (ready pods × per_pod)",
        );
    }
    let spec = DeploymentSpec {
        replicas,
        startup: obj.dist(cx, "startup"),
        readiness,
        min_ready: obj.duration(cx, "min_ready").unwrap_or(SimDuration::ZERO),
        strategy,
        progress_deadline,
        on_progress_deadline,
        load,
        in_place_refresh,
        depends_on: Vec::new(),
        crash_after,
        crashes,
        backoff,
        autoscaling,
        ordered_ready: obj.enumerated(cx, "pod_management_policy") == Some("OrderedReady"),
    };
    (spec, dependencies)
}

fn parse_strategy(cx: &mut Ctx, s: &Obj) -> DeploymentStrategy {
    let kind = s.enumerated(cx, "type").unwrap_or("RollingUpdate");
    let surge = s.value(cx, "max_surge").map(|(v, p)| (v, p.clone()));
    let unavailable = s.value(cx, "max_unavailable").map(|(v, p)| (v, p.clone()));
    if kind == "Recreate" {
        for (v, p) in surge.iter().chain(unavailable.iter()) {
            cx.err(
                &v.origin,
                p,
                "only a RollingUpdate strategy has max_surge and max_unavailable",
            );
        }
        return DeploymentStrategy::Recreate;
    }
    let read = |cx: &mut Ctx, f: &Option<(&Located, String)>| {
        f.as_ref()
            .map(|(v, p)| read_int_or_percent(cx, v, p))
            .unwrap_or(Some(IntOrPercent::Percent(25)))
    };
    let (Some(max_surge), Some(max_unavailable)) = (read(cx, &surge), read(cx, &unavailable))
    else {
        return DeploymentStrategy::default();
    };
    if max_surge.is_zero() && max_unavailable.is_zero() {
        cx.err(
            s.origin,
            &s.path,
            "max_surge and max_unavailable cannot both be 0: the rollout could never make \
             progress",
        );
    }
    DeploymentStrategy::RollingUpdate {
        max_surge,
        max_unavailable,
    }
}

/// A workload's `disruption_budget`: exactly one of min_available and max_unavailable.
pub(super) fn parse_budget(
    cx: &mut Ctx,
    obj: &Obj,
    kind: Option<&str>,
) -> Option<DisruptionBudget> {
    let b = obj.object(cx, "disruption_budget")?;
    let min = b.value(cx, "min_available").map(|(v, p)| (v, p.clone()));
    let max = b.value(cx, "max_unavailable").map(|(v, p)| (v, p.clone()));
    let budget = match (&min, &max) {
        (Some((v, p)), None) => DisruptionBudget::MinAvailable(read_int_or_percent(cx, v, p)?),
        (None, Some((v, p))) => DisruptionBudget::MaxUnavailable(read_int_or_percent(cx, v, p)?),
        _ => {
            cx.err(
                b.origin,
                &b.path,
                "a disruption budget has exactly one of min_available and max_unavailable",
            );
            return None;
        }
    };
    // Kubernetes' disruption controller needs a scale (a Deployment's replicas) for a
    // percentage or for maxUnavailable; other pods support only an integer minAvailable.
    let needs_scale = !matches!(budget, DisruptionBudget::MinAvailable(IntOrPercent::Int(_)));
    if needs_scale
        && kind != Some("Deployment")
        && let Some((v, p)) = min.as_ref().or(max.as_ref())
    {
        cx.err(
            &v.origin,
            p,
            "a percentage or max_unavailable needs a Deployment's replica count; for Batch and \
             Trace pods give min_available as a whole number",
        );
    }
    Some(budget)
}

/// A field that must be longer than zero.
pub(super) fn positive(cx: &mut Ctx, obj: &Obj, name: &str, value: SimDuration) {
    if value == SimDuration::ZERO
        && let Some((v, p)) = obj.value(cx, name)
    {
        cx.err(&v.origin, &p, "must be longer than 0s");
    }
}

/// `3` or `25%`.
pub(super) fn read_int_or_percent(cx: &mut Ctx, v: &Located, path: &str) -> Option<IntOrPercent> {
    match &v.node {
        Node::Int(i) if *i >= 0 && *i <= u32::MAX as i128 => Some(IntOrPercent::Int(*i as u32)),
        Node::Str(s) if s.ends_with('%') => match s[..s.len() - 1].parse::<u32>() {
            Ok(p) if p <= 100 => Some(IntOrPercent::Percent(p)),
            Ok(p) => {
                cx.err(&v.origin, path, format!("must be at most 100%, found {p}%"));
                None
            }
            Err(_) => {
                cx.err(
                    &v.origin,
                    path,
                    format!("expected a whole percentage such as 25%, found '{s}'"),
                );
                None
            }
        },
        _ => {
            type_error(cx, v, path, &Ty::IntOrPercent);
            None
        }
    }
}

/// `true` (1), `false` (0) or a number in [0, 1].
pub(super) fn read_probability(cx: &mut Ctx, v: &Located, path: &str) -> Option<f64> {
    let p = match &v.node {
        Node::Bool(b) => return Some(if *b { 1.0 } else { 0.0 }),
        Node::Int(i) => *i as f64,
        Node::Float(x) if x.is_finite() => *x,
        _ => {
            type_error(cx, v, path, &Ty::Probability);
            return None;
        }
    };
    if !(0.0..=1.0).contains(&p) {
        cx.err(
            &v.origin,
            path,
            format!("a probability is between 0 and 1, found {p}"),
        );
        return None;
    }
    Some(p)
}

/// Most rows a load curve may have (steps or a trace file).
const MAX_LOAD_ROWS: usize = 1_000_000;
/// Most requests per second anywhere in a curve.
const MAX_RPS: f64 = 1e12;

/// Requests per second over time: a number, `{diurnal: …}`, `{steps: …}` or `{trace: …}`.
pub(super) fn read_load(cx: &mut Ctx, v: &Located, path: &str) -> Option<LoadCurve> {
    let rps = |cx: &mut Ctx, v: &Located, path: &str| -> Option<f64> {
        let x = match v.node {
            Node::Int(i) => i as f64,
            Node::Float(x) if x.is_finite() => x,
            _ => {
                cx.err(
                    &v.origin,
                    path,
                    format!("expected requests per second, found {}", found(&v.node)),
                );
                return None;
            }
        };
        if !(0.0..=MAX_RPS).contains(&x) {
            cx.err(
                &v.origin,
                path,
                format!("requests per second must be between 0 and {MAX_RPS}, found {x}"),
            );
            return None;
        }
        Some(x)
    };
    match &v.node {
        Node::Int(_) | Node::Float(_) => rps(cx, v, path).map(LoadCurve::Constant),
        Node::Map(entries) if entries.len() == 1 => {
            let (key, value) = &entries[0];
            let inner = join(path, &key.name);
            match key.name.as_str() {
                "diurnal" => {
                    let d = open(cx, value, &inner, fields::DIURNAL, None)?;
                    let mean = d.number(cx, "mean");
                    let amplitude = d.number(cx, "amplitude").unwrap_or(0.5);
                    let peak = d
                        .duration(cx, "peak")
                        .unwrap_or(SimDuration::from_secs(12 * 3600));
                    Some(LoadCurve::Diurnal {
                        mean: mean?,
                        amplitude,
                        peak,
                    })
                }
                "steps" => read_steps(cx, value, &inner),
                "trace" => {
                    let text = read_string(cx, value, &inner, &Ty::Name)?;
                    let file = resolve_path(cx, &text);
                    match read_load_trace(&file) {
                        Ok(rows) => Some(LoadCurve::Steps(rows)),
                        Err(message) => {
                            cx.err(&value.origin, &inner, message);
                            None
                        }
                    }
                }
                other => {
                    let mut message =
                        format!("unknown load form '{other}'; expected diurnal, steps or trace");
                    if let Some(s) = did_you_mean(other, ["diurnal", "steps", "trace"]) {
                        message.push_str(&format!("; did you mean '{s}'?"));
                    }
                    cx.err(&key.origin, path, message);
                    None
                }
            }
        }
        _ => {
            type_error(cx, v, path, &Ty::Load);
            None
        }
    }
}

/// `[[0s, 100], [2h, 900]]`: times in increasing order, each with its rate.
fn read_steps(cx: &mut Ctx, v: &Located, path: &str) -> Option<LoadCurve> {
    let Node::Seq(items) = &v.node else {
        cx.err(
            &v.origin,
            path,
            format!(
                "expected a list of [time, requests per second] pairs, found {}",
                found(&v.node)
            ),
        );
        return None;
    };
    if items.is_empty() || items.len() > MAX_LOAD_ROWS {
        cx.err(
            &v.origin,
            path,
            format!(
                "a load needs 1 to {MAX_LOAD_ROWS} steps, found {}",
                items.len()
            ),
        );
        return None;
    }
    let mut out: Vec<(SimTime, f64)> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let item_path = index(path, i);
        let Node::Seq(pair) = &item.node else {
            cx.err(
                &item.origin,
                &item_path,
                format!(
                    "expected [time, requests per second], found {}",
                    found(&item.node)
                ),
            );
            continue;
        };
        if pair.len() != 2 {
            cx.err(
                &item.origin,
                &item_path,
                format!(
                    "expected [time, requests per second], found {} values",
                    pair.len()
                ),
            );
            continue;
        }
        let at = read_duration(cx, &pair[0], &index(&item_path, 0));
        let x = match pair[1].node {
            Node::Int(n) if n >= 0 => Some(n as f64),
            Node::Float(x) if x.is_finite() && (0.0..=MAX_RPS).contains(&x) => Some(x),
            _ => {
                cx.err(
                    &pair[1].origin,
                    &index(&item_path, 1),
                    format!(
                        "expected requests per second between 0 and {MAX_RPS}, found {}",
                        found(&pair[1].node)
                    ),
                );
                None
            }
        };
        if let (Some(at), Some(x)) = (at, x) {
            let at = SimTime::ZERO + at;
            if out.last().is_some_and(|(prev, _)| *prev >= at) {
                cx.err(&item.origin, &item_path, "step times must increase");
                continue;
            }
            out.push((at, x));
        }
    }
    Some(LoadCurve::Steps(out))
}

/// A load trace: CSV with a `time_s,rps` header, times increasing, read through the guarded
/// input path (regular files only, at most 64 MiB).
fn read_load_trace(file: &Path) -> Result<Vec<(SimTime, f64)>, String> {
    let name = file.display();
    let text =
        crate::scenario::input::read_to_string(file, crate::scenario::input::InputKind::LoadTrace)
            .map_err(|e| format!("cannot read {name}: {e}"))?;
    let mut rows: Vec<(SimTime, f64)> = Vec::new();
    let mut lines = text.lines().enumerate();
    match lines.next() {
        Some((_, header)) if header.trim() == "time_s,rps" => {}
        _ => return Err(format!("{name}:1: expected the header time_s,rps")),
    }
    for (i, line) in lines {
        let line_no = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let mut cols = line.split(',');
        let (Some(t), Some(r), None) = (cols.next(), cols.next(), cols.next()) else {
            return Err(format!(
                "{name}:{line_no}: expected two columns, time_s,rps"
            ));
        };
        let t: f64 = t
            .trim()
            .parse()
            .ok()
            .filter(|t: &f64| t.is_finite() && *t >= 0.0 && *t < 1e12)
            .ok_or_else(|| {
                format!("{name}:{line_no}:1: time_s must be seconds ≥ 0, found '{t}'")
            })?;
        let r: f64 = r
            .trim()
            .parse()
            .ok()
            .filter(|r: &f64| r.is_finite() && (0.0..=MAX_RPS).contains(r))
            .ok_or_else(|| {
                format!(
                    "{name}:{line_no}:2: rps must be a number between 0 and {MAX_RPS}, found '{r}'"
                )
            })?;
        let at = SimTime((t * 1000.0).round() as u64);
        if rows.last().is_some_and(|(prev, _)| *prev >= at) {
            return Err(format!("{name}:{line_no}:1: times must increase"));
        }
        if rows.len() >= MAX_LOAD_ROWS {
            return Err(format!("{name}: more than {MAX_LOAD_ROWS} rows"));
        }
        rows.push((at, r));
    }
    if rows.is_empty() {
        return Err(format!("{name}: no rows after the header"));
    }
    Ok(rows)
}
