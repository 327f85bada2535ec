//! Spot interruptions, node failures, outages, burn-in and checkpoints: closed forms and event
//! order.

use clustersim::dist::DurationDist;
use clustersim::quantity::Resources;
use clustersim::reference_models::{pool, scenario};
use clustersim::scenario::{
    BurnInSpec, CapacityType, ClusterEvent, DeploymentSpec, InterruptionSpec, PodTemplate,
    ReclaimAmount, ReclaimRow, ReplacePolicy, Scenario, TraceRow, UnavailableSpec, WindowTiming,
    WorkloadKind, WorkloadSpec,
};
use clustersim::sim::{EventLog, RunOptions, run, run_recorded};
use clustersim::theory::alternating_renewal_availability;
use clustersim::time::{SimDuration, SimTime};
use statrs::distribution::{ContinuousCDF, StudentsT};

const H: u64 = 3_600_000;

fn hours(h: f64) -> SimDuration {
    SimDuration::from_secs_f64(h * 3600.0)
}

fn spot_pool_scenario(
    n: u32,
    mean: SimDuration,
    notice: SimDuration,
    delay: SimDuration,
) -> Scenario {
    let mut p = pool("spot", Resources::new(16_000, 64 << 30, 0), n, 0.23);
    p.capacity_type = CapacityType::Spot;
    p.provisioning_delay = DurationDist::Constant(delay);
    let mut s = scenario("spot", 1, hours(2000.0), vec![p], vec![]);
    s.cluster.pool_failures[0].interruption = Some(InterruptionSpec {
        mean_time_between: Some(mean),
        notice,
        waves: None,
        trace: vec![],
    });
    s
}

fn ready_mean(s: &Scenario) -> f64 {
    let r = run(s, RunOptions::default()).unwrap();
    r.summary["nodes"]["ready_mean"].as_f64().unwrap()
}

/// Mean and 99% confidence half-width over independent replicates (Student t).
fn ci99(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    let t = StudentsT::new(0.0, 1.0, n - 1.0)
        .unwrap()
        .inverse_cdf(0.995);
    (mean, t * (var / n).sqrt())
}

#[test]
fn spot_pool_ready_mean_matches_alternating_renewal() {
    // N·M/(M+D): 20 nodes, interruptions every 10 h on average, replaced after exactly 1 h.
    let (n, m, d) = (20u32, 10.0, 1.0);
    let estimates: Vec<f64> = (1..=8)
        .map(|seed| {
            let mut s = spot_pool_scenario(n, hours(m), SimDuration::ZERO, hours(d));
            s.seed = seed;
            ready_mean(&s)
        })
        .collect();
    let expected = n as f64 * alternating_renewal_availability(m, d);
    let (mean, half) = ci99(&estimates);
    println!("spot ready_mean {mean:.4} ± {half:.4} (99%), closed form {expected:.4}");
    assert!(
        (mean - expected).abs() <= half,
        "{mean} ± {half} vs {expected}"
    );
}

#[test]
fn failing_pool_ready_mean_matches_alternating_renewal() {
    // 20 on-demand nodes, mtbf 10 h, exponential repair of mean 2 h: 20·10/12.
    let (n, m, r) = (20u32, 10.0, 2.0);
    let estimates: Vec<f64> = (1..=8)
        .map(|seed| {
            let mut s = scenario(
                "mtbf",
                seed,
                hours(2000.0),
                vec![pool("general", Resources::new(4000, 0, 0), n, 0.1)],
                vec![],
            );
            s.cluster.pool_failures[0].mtbf = Some(hours(m));
            s.cluster.pool_failures[0].repair = Some(DurationDist::Exponential { mean: hours(r) });
            ready_mean(&s)
        })
        .collect();
    let expected = n as f64 * alternating_renewal_availability(m, r);
    let (mean, half) = ci99(&estimates);
    println!("mtbf ready_mean {mean:.4} ± {half:.4} (99%), closed form {expected:.4}");
    assert!(
        (mean - expected).abs() <= half,
        "{mean} ± {half} vs {expected}"
    );
}

/// Every node's billed span from the event log: launch (or time 0) to termination (or end).
fn cost_from_events(log: &EventLog, price: f64, end_ms: u64) -> f64 {
    let mut spans: std::collections::BTreeMap<&str, (u64, Option<u64>)> = Default::default();
    for e in &log.0 {
        match e.event {
            "NodeLaunched" | "NodeReady" => {
                spans.entry(&e.name).or_insert((e.time_ms, None));
            }
            "NodeTerminated" => spans.get_mut(e.name.as_str()).unwrap().1 = Some(e.time_ms),
            _ => {}
        }
    }
    spans
        .values()
        .map(|(a, b)| (b.unwrap_or(end_ms) - a) as f64 / H as f64 * price)
        .sum()
}

#[test]
fn total_cost_is_node_uptime_times_price() {
    let mut s = spot_pool_scenario(10, hours(5.0), SimDuration::from_secs(120), hours(0.05));
    s.duration = hours(200.0);
    let (r, log) = run_recorded(&s).unwrap();
    let total = r.summary["cost"]["total_usd"].as_f64().unwrap();
    let from_events = cost_from_events(&log, 0.23, s.duration.0);
    assert!(r.summary["interruptions"]["notices"].as_u64().unwrap() > 100);
    assert!(
        (total - from_events).abs() < 1e-9 * total,
        "{total} vs {from_events}"
    );
    let by_type = r.summary["cost"]["by_capacity_type"]["spot"]
        .as_f64()
        .unwrap();
    assert_eq!(by_type, total);
}

/// One spot node running one 10 h batch pod; a reclaim at 3.5 h.
fn one_pod_reclaimed(
    replace: ReplacePolicy,
    checkpoint: Option<SimDuration>,
) -> (Scenario, EventLog) {
    let mut s = spot_pool_scenario(1, hours(1.0), SimDuration::from_secs(120), hours(0.25));
    s.duration = hours(24.0);
    let f = &mut s.cluster.pool_failures[0];
    f.replace = replace;
    let i = f.interruption.as_mut().unwrap();
    i.mean_time_between = None;
    i.trace = vec![ReclaimRow {
        time: SimTime(7 * H / 2),
        zone: 0,
        amount: ReclaimAmount::Count(1),
    }];
    s.workloads = vec![WorkloadSpec {
        name: "job".into(),
        template: PodTemplate {
            namespace: "research".into(),
            requests: Resources::new(4000, 0, 0),
            checkpoint_interval: checkpoint,
            ..Default::default()
        },
        disruption_budget: None,
        kind: WorkloadKind::Trace {
            path: "inline".into(),
            rows: vec![TraceRow {
                submit: SimTime::ZERO,
                requests: Resources::new(4000, 0, 0),
                duration: Some(hours(10.0)),
                name: None,
                namespace: None,
                priority: None,
            }],
        },
    }];
    let (_, log) = run_recorded(&s).unwrap();
    (s, log)
}

fn events_of(log: &EventLog) -> Vec<(u64, &str, &str)> {
    log.0
        .iter()
        .filter(|e| e.event != "Submitted" && e.event != "FailedScheduling")
        .map(|e| (e.time_ms, e.name.as_str(), e.event))
        .collect()
}

#[test]
fn notice_evicts_then_replaces_then_terminates() {
    let t = 7 * H / 2;
    let (_, log) = one_pod_reclaimed(ReplacePolicy::OnNotice, None);
    let e = events_of(&log);
    let at = e.iter().position(|x| x.2 == "InterruptionNotice").unwrap();
    assert_eq!(
        &e[at - 1..at + 6],
        &[
            (t, "spot", "InterruptionWave"),
            (t, "spot-0", "InterruptionNotice"),
            (t, "job-0", "Evicted"),
            (t, "spot-1", "NodeLaunched"),
            (t + 120_000, "spot-0", "NodeTerminated"),
            (t + H / 4, "spot-1", "NodeReady"),
            (t + H / 4, "job-0", "Scheduled"),
        ]
    );
    let (_, log) = one_pod_reclaimed(ReplacePolicy::OnTermination, None);
    let e = events_of(&log);
    let at = e.iter().position(|x| x.2 == "NodeTerminated").unwrap();
    assert_eq!(
        &e[at..at + 3],
        &[
            (t + 120_000, "spot-0", "NodeTerminated"),
            (t + 120_000, "spot-1", "NodeLaunched"),
            (t + 120_000 + H / 4, "spot-1", "NodeReady"),
        ]
    );
    let (_, log) = one_pod_reclaimed(ReplacePolicy::Never, None);
    assert!(!events_of(&log).iter().any(|x| x.1 == "spot-1"));
}

#[test]
fn checkpoints_bound_the_lost_work() {
    // Evicted at 3.5 h with checkpoints every hour: 3 h are saved, 0.5 h lost; the pod restarts
    // on the replacement at 3.75 h with 7 h left and completes at 10.75 h.
    let (s, log) = one_pod_reclaimed(ReplacePolicy::OnNotice, Some(hours(1.0)));
    assert_eq!(log.times("job-0", "Completed"), [43 * H / 4]);
    let r = run(&s, RunOptions::default()).unwrap();
    let work = &r.summary["work"];
    assert!((work["lost_core_hours"].as_f64().unwrap() - 4.0 * 0.5).abs() < 1e-9);
    assert!((work["useful_core_hours"].as_f64().unwrap() - 4.0 * 10.0).abs() < 1e-9);
    assert_eq!(
        r.summary["pods"]["evicted_by_reason"]["SpotInterruption"],
        1
    );
    // Without checkpoints all 3.5 h are lost and the pod runs 10 h again: done at 13.75 h.
    let (_, log) = one_pod_reclaimed(ReplacePolicy::OnNotice, None);
    assert_eq!(log.times("job-0", "Completed"), [55 * H / 4]);
    // Namespace cost: 4 of 16 cores for the pod's 10.5 h on nodes; the rest is idle.
    let ns = r.summary["cost"]["by_namespace"]["research"]
        .as_f64()
        .unwrap();
    let idle = r.summary["cost"]["idle_usd"].as_f64().unwrap();
    let total = r.summary["cost"]["total_usd"].as_f64().unwrap();
    assert!((ns - 0.23 * 0.25 * 10.5).abs() < 1e-9, "{ns}");
    assert!((ns + idle - total).abs() < 1e-9);
}

#[test]
fn zone_outage_downs_the_zone_and_blocks_launches() {
    let mut p = pool("general", Resources::new(1000, 0, 0), 4, 1.0);
    p.zones = vec![0, 1];
    let mut s = scenario("outage", 1, hours(10.0), vec![p], vec![]);
    s.cluster.zones = vec!["zone-a".into(), "zone-b".into()];
    s.events = vec![ClusterEvent::ZoneOutage {
        at: SimTime(2 * H),
        zone: 1,
        duration: hours(1.0),
    }];
    s.workloads = vec![WorkloadSpec {
        name: "web".into(),
        template: PodTemplate {
            requests: Resources::new(1000, 0, 0),
            ..Default::default()
        },
        kind: WorkloadKind::Deployment(Box::new(DeploymentSpec {
            replicas: 4,
            ..Default::default()
        })),
        disruption_budget: None,
    }];
    let r = run(&s, RunOptions::default()).unwrap();
    // Two of four nodes down for 1 h of 10: 4 − 2·0.1.
    let ready = r.summary["nodes"]["ready_mean"].as_f64().unwrap();
    assert!((ready - 3.8).abs() < 1e-9, "{ready}");
    assert_eq!(r.summary["pods"]["evicted_by_reason"]["ZoneOutage"], 2);
    // The two lost replicas wait out the outage: the Deployment is short for 1 h.
    let avail = r.summary["deployments"]["web"]["availability"]
        .as_f64()
        .unwrap();
    assert!((avail - 0.9).abs() < 1e-9, "{avail}");

    // A capacity shortage in the only zone delays a replacement until the window ends.
    let mut s = spot_pool_scenario(1, hours(1.0), SimDuration::ZERO, SimDuration::ZERO);
    s.duration = hours(5.0);
    let f = &mut s.cluster.pool_failures[0];
    let i = f.interruption.as_mut().unwrap();
    i.mean_time_between = None;
    i.trace = vec![ReclaimRow {
        time: SimTime(H),
        zone: 0,
        amount: ReclaimAmount::Share(1.0),
    }];
    f.unavailable = vec![UnavailableSpec {
        zone: Some(0),
        when: WindowTiming::At(SimTime(H / 2)),
        duration: DurationDist::Constant(hours(1.0)),
    }];
    let r = run(&s, RunOptions::default()).unwrap();
    let ready = r.summary["nodes"]["ready_mean"].as_f64().unwrap();
    assert!((ready - 4.5 / 5.0).abs() < 1e-9, "{ready}");
}

#[test]
fn burn_in_failures_are_replaced() {
    let mut p = pool("gpu", Resources::new(8000, 0, 8), 10, 2.0);
    p.provisioning_delay = DurationDist::Constant(hours(0.1));
    let mut s = scenario("gpu", 3, hours(500.0), vec![p], vec![]);
    let f = &mut s.cluster.pool_failures[0];
    f.mtbf = Some(hours(50.0));
    f.burn_in = Some(BurnInSpec {
        duration: DurationDist::Constant(hours(1.0)),
        failure_probability: 0.3,
    });
    let (r, log) = run_recorded(&s).unwrap();
    let failed = r.summary["nodes"]["burn_in_failures"].as_u64().unwrap();
    let failures = r.summary["nodes"]["failures"].as_u64().unwrap();
    assert!(failures > 50 && failed > 10, "{failures} {failed}");
    // Each failure and each failed burn-in launches exactly one replacement.
    let launched = log.0.iter().filter(|e| e.event == "NodeLaunched").count() as u64;
    assert_eq!(launched, failures + failed);
    // A node joins only after passing: every NodeReady of a launched node follows BurnInPassed.
    let passed = log.0.iter().filter(|e| e.event == "BurnInPassed").count();
    let ready_later = log
        .0
        .iter()
        .filter(|e| e.event == "NodeReady" && e.time_ms > 0)
        .count();
    assert_eq!(passed, ready_later);
}

#[test]
fn random_zone_outages_take_down_the_share_theory_predicts() {
    // Outages strike the cluster at rate 1/(10 h), each in one of 3 zones and lasting an
    // exponential 1 h; outages of one zone overlap freely. A zone is then down whenever at least
    // one of its outages is active: an M/G/∞ queue with arrival rate λ = 1/(3·10 h) and mean
    // duration 1 h, so P(down) = 1 − exp(−λ·1 h) = 1 − exp(−1/30) and, with one node per zone,
    // ready_mean = 3·exp(−1/30) = 2.9017.
    let yaml = |seed: u64| {
        format!(
            "name: outages\nseed: {seed}\nduration: 3000h\nsample_interval: 1h\n\
             cluster:\n  zones: [a, b, c]\n  pools:\n    - {{name: p, node: {{cpu: 1, memory: 1Gi}}, count: 3}}\n\
             events:\n  - random_zone_outages: {{mean_time_between: 10h, duration: {{exponential: {{mean: 1h}}}}}}\n"
        )
    };
    let values: Vec<f64> = (1..=8)
        .map(|seed| {
            let s = clustersim::scenario::load_str(&yaml(seed), "outages.yaml", None, &[]).unwrap();
            ready_mean(&s)
        })
        .collect();
    let (mean, hw) = ci99(&values);
    let expected = 3.0 * (-1.0f64 / 30.0).exp();
    eprintln!("random zone outages: ready_mean {mean:.4} ± {hw:.4} against {expected:.4}");
    assert!(
        (mean - expected).abs() <= hw,
        "{mean} ± {hw} misses {expected}"
    );
    assert!(
        hw < 0.01,
        "the interval is tight enough to mean something: {hw}"
    );
}

/// Runs a scenario given as text (with its files) through the real CLI and returns events.csv.
fn run_cli(name: &str, yaml: &str, files: &[(&str, &str)]) -> String {
    let dir =
        std::env::temp_dir().join(format!("clustersim-failures-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (file, text) in files {
        std::fs::write(dir.join(file), text).unwrap();
    }
    std::fs::write(dir.join("s.yaml"), yaml).unwrap();
    let out = dir.join("out");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_clustersim"))
        .args(["run", "-q", "--events", "--out"])
        .arg(&out)
        .arg(dir.join("s.yaml"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::read_to_string(out.join("events.csv")).unwrap()
}

#[test]
fn a_node_under_notice_stays_down_after_a_zone_outage_ends() {
    // The only spot node gets a 30-minute notice at 60 s; its zone goes down from 2m to 3m.
    // When the zone comes back the node must not return (it terminates at 1860 s) and the pool
    // must never hold more than its count of 1 live node.
    let yaml = "name: notice-outage\nduration: 1h\ncluster:\n  zones: [a]\n  pools:\n    - name: s\n      capacity_type: spot\n      node: { cpu: 4, memory: 8Gi }\n      count: 1\n      provisioning_delay: 1m\n      replace: on-termination\n      interruption: { notice: 30m, trace: reclaims.csv }\nevents:\n  - { at: 2m, zone_outage: { zone: a, duration: 1m } }\nworkloads:\n  - { name: web, kind: Deployment, replicas: 1, tolerations: [{ operator: Exists }], requests: { cpu: 1 , memory: 1Gi} }\n";
    let events = run_cli(
        "notice-outage",
        yaml,
        &[("reclaims.csv", "time_s,zone,count\n60,a,1\n")],
    );
    let s0: Vec<&str> = events
        .lines()
        .filter(|l| l.contains(",node,s-0,"))
        .collect();
    assert!(
        !s0.iter()
            .any(|l| l.starts_with("180,") && l.contains("NodeReady")),
        "{s0:?}"
    );
    assert!(
        s0.iter()
            .any(|l| l.starts_with("1860,") && l.contains("NodeTerminated")),
        "{s0:?}"
    );
    let launches = events
        .lines()
        .filter(|l| l.contains(",NodeLaunched,"))
        .count();
    assert_eq!(launches, 1, "one replacement, at termination:\n{events}");
}

#[test]
fn a_batch_pod_runs_out_its_grace_period_and_may_reach_a_checkpoint() {
    // One 60-minute job checkpointing every 10 minutes starts at 0 on the only spot node. The
    // node gets a 2-minute notice at 29.5 min. With a 60 s grace period the job runs to
    // 30.5 min, passing its 30-minute checkpoint: it is evicted then, 30 min of work left, and
    // restarts on the replacement (ready at 29.5 + 1 = 30.5 min), finishing at 60.5 min.
    // Without a grace period it goes at 29.5 min with 40 min left and finishes at 70.5 min.
    let run = |grace: &str| {
        let yaml = format!(
            "name: grace\nduration: 2h\ncluster:\n  zones: [a]\n  pools:\n    - name: s\n      capacity_type: spot\n      node: {{ cpu: 4, memory: 8Gi }}\n      count: 1\n      provisioning_delay: 1m\n      interruption: {{ notice: 2m, trace: reclaims.csv }}\nworkloads:\n  - {{ name: job, kind: Trace, path: jobs.csv, checkpoint_interval: 10m, termination_grace_period: {grace} }}\n"
        );
        run_cli(
            &format!("grace-{grace}"),
            &yaml,
            &[
                ("reclaims.csv", "time_s,zone,count\n1770,a,1\n"),
                (
                    "jobs.csv",
                    "submit_time,cpu,memory,duration,name\n0,1,1Gi,3600,job\n",
                ),
            ],
        )
    };
    let at = |events: &str, what: &str| -> Vec<String> {
        events
            .lines()
            .filter(|l| l.contains(",pod,job,") && l.contains(what))
            .map(|l| l.split(',').next().unwrap().to_string())
            .collect()
    };
    let with_grace = run("60s");
    assert_eq!(at(&with_grace, ",Evicted,"), ["1830"], "{with_grace}");
    assert_eq!(at(&with_grace, ",Completed,"), ["3630"], "{with_grace}");
    let without = run("0s");
    assert_eq!(at(&without, ",Evicted,"), ["1770"], "{without}");
    assert_eq!(at(&without, ",Completed,"), ["4230"], "{without}");
}
