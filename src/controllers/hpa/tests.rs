//! The HPA's arithmetic against Kubernetes' own test tables (`horizontal_test.go`:
//! TestScalingWithRules, TestNormalizeDesiredReplicasWithBehavior, TestNormalizeDesiredReplicas,
//! TestConvertDesiredReplicasWithRules) and hand-computed sequences.

use super::*;
use crate::scenario::{ScalingPolicy, SelectPolicy};
use crate::time::SimDuration;

const NOW: SimTime = SimTime(10_000_000);

fn ago(s: u64) -> SimTime {
    SimTime(NOW.0 - s * 1000)
}

fn pods(value: u32, period_s: u64) -> ScalingPolicy {
    ScalingPolicy {
        kind: PolicyKind::Pods,
        value,
        period: SimDuration::from_secs(period_s),
    }
}

fn pct(value: u32, period_s: u64) -> ScalingPolicy {
    ScalingPolicy {
        kind: PolicyKind::Percent,
        value,
        period: SimDuration::from_secs(period_s),
    }
}

fn rules(policies: Vec<ScalingPolicy>) -> Option<ScalingRules> {
    Some(ScalingRules {
        stabilization_window: SimDuration::ZERO,
        policies,
        select_policy: SelectPolicy::Max,
    })
}

/// Events spread as upstream's `generateEventsUniformDistribution(ev, 120)`: n events at ages
/// 120 − seg·(i+1) + seg/2 with seg = 120/n (3 events: 100, 60, 20 s; 1 event: 60 s).
fn uniform(changes: &[u32]) -> Vec<(SimTime, u32)> {
    let n = changes.len() as u64;
    changes
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let seg = 120 / n;
            (ago(120 - seg * (i as u64 + 1) + seg / 2), c)
        })
        .collect()
}

#[test]
fn rate_limits_match_kubernetes_scaling_with_rules() {
    // (cur, desired, min, max, up rules (None: default), down rules, up events, down events,
    //  expected). Rows of TestScalingWithRules, in order; the arithmetic is in comments.
    type Row = (
        u32,
        u32,
        u32,
        u32,
        Option<ScalingRules>,
        Option<ScalingRules>,
        Vec<u32>,
        Vec<u32>,
        u32,
    );
    let rows: Vec<Row> = vec![
        // 7 is within [3, 8] and the default up limit max(2·5, 5+4) = 10.
        (5, 7, 3, 8, None, None, vec![], vec![], 7),
        // Scale down to 1 is held at min 2.
        (3, 1, 2, 8, None, None, vec![], vec![], 2),
        (1, 0, 0, 10, None, None, vec![], vec![], 0),
        // max 10 is below the up limit 40.
        (20, 1000, 1, 10, None, None, vec![], vec![], 10),
        // ⌈3 · 1.01⌉ = ⌈3.03⌉ = 4.
        (
            3,
            1000,
            1,
            2000,
            rules(vec![pct(1, 60)]),
            None,
            vec![],
            vec![],
            4,
        ),
        // Default: max(10 · 2, 10 + 4) = 20.
        (10, 50, 1, 1000, None, None, vec![], vec![], 20),
        // max(10 + 100, 10 · 2) = 110.
        (
            10,
            500,
            1,
            1000,
            rules(vec![pods(100, 60), pct(100, 60)]),
            None,
            vec![],
            vec![],
            110,
        ),
        // 10 · 3 = 30.
        (
            10,
            50,
            1,
            1000,
            rules(vec![pct(200, 60)]),
            None,
            vec![],
            vec![],
            30,
        ),
        // min(100 − 20, ⌊100 · 0.99⌋) = 80.
        (
            100,
            2,
            1,
            1000,
            None,
            rules(vec![pods(20, 60), pct(1, 60)]),
            vec![],
            vec![],
            80,
        ),
        // min(100 − 2, 99) = 98.
        (
            100,
            2,
            1,
            1000,
            None,
            rules(vec![pods(2, 60), pct(1, 60)]),
            vec![],
            vec![],
            98,
        ),
        (
            10,
            2,
            5,
            1000,
            None,
            rules(vec![pct(100, 60)]),
            vec![],
            vec![],
            5,
        ),
        // Period start 100 − 15 = 85; 85 + 5 = 90 < 100, so no scale-up: 100.
        (
            100,
            500,
            1,
            1000,
            rules(vec![pods(5, 120)]),
            None,
            vec![1, 5, 9],
            vec![],
            100,
        ),
        // 85 + 150 = 235.
        (
            100,
            500,
            1,
            1000,
            rules(vec![pods(150, 120)]),
            None,
            vec![1, 5, 9],
            vec![],
            235,
        ),
        // 85 · 3 = 255.
        (
            100,
            500,
            1,
            1000,
            rules(vec![pct(200, 120)]),
            None,
            vec![1, 5, 9],
            vec![],
            255,
        ),
        // Start 6 − 4 + 2 = 4; 4 · 4 = 16.
        (
            6,
            24,
            1,
            1000,
            rules(vec![pct(300, 300)]),
            None,
            vec![4],
            vec![2],
            16,
        ),
        (10, 5, 1, 1000, None, None, vec![], vec![1, 5, 9], 5),
        // Start 100 + 12 = 112; 112 · 0.5 = 56.
        (
            100,
            0,
            1,
            1000,
            None,
            rules(vec![pct(50, 120)]),
            vec![],
            vec![2, 4, 6],
            56,
        ),
        // Start 10 − 2 + 4 = 12 (both events 60 s old, inside 180 s); 12 · 0.5 = 6.
        (
            10,
            1,
            1,
            1000,
            None,
            rules(vec![pct(50, 180)]),
            vec![2],
            vec![4],
            6,
        ),
        // Start 130; ⌊130 · 0.9⌋ = 117 > 100: no scale-down.
        (
            100,
            0,
            1,
            1000,
            None,
            rules(vec![pct(10, 120)]),
            vec![],
            vec![10, 10, 10],
            100,
        ),
        // 130 · (1 − 10) < 0: the limit is below min, so desired 5 stands.
        (
            10,
            5,
            1,
            1000,
            None,
            rules(vec![pct(1000, 120)]),
            vec![],
            vec![10, 10, 10],
            5,
        ),
        // Start 115; 115 − 5 = 110 > 100: no scale-down.
        (
            100,
            2,
            1,
            1000,
            None,
            rules(vec![pods(5, 120)]),
            vec![],
            vec![1, 5, 9],
            100,
        ),
    ];
    for (i, (cur, desired, min, max, up, down, up_ev, down_ev, want)) in
        rows.into_iter().enumerate()
    {
        let mut spec = HpaSpec::new(min, max, 50);
        spec.behavior = true;
        if let Some(up) = up {
            spec.scale_up = up;
        }
        if let Some(down) = down {
            spec.scale_down = down;
        }
        let mut state = HpaState::new(spec);
        state.up_events = if up_ev.len() == 1 {
            vec![(ago(60), up_ev[0])]
        } else {
            uniform(&up_ev)
        };
        state.down_events = if down_ev.len() == 1 {
            vec![(ago(60), down_ev[0])]
        } else {
            uniform(&down_ev)
        };
        assert_eq!(
            state.rate_limit(NOW, cur, desired),
            want,
            "row {}: {cur} → {desired}",
            i + 1
        );
    }
}

#[test]
fn select_policy_min_takes_the_smallest_change() {
    // Up: min(1 + 2, ⌈1 · 1.5⌉) = 2. Down: max(5 − 2, ⌊5 · 0.5⌋) = 3.
    let r = ScalingRules {
        stabilization_window: SimDuration::ZERO,
        policies: vec![pods(2, 60), pct(50, 60)],
        select_policy: SelectPolicy::Min,
    };
    assert_eq!(scale_up_limit(1, NOW, &[], &[], &r), 2);
    assert_eq!(scale_down_limit(5, NOW, &[], &[], &r), 3);
    let disabled = ScalingRules {
        select_policy: SelectPolicy::Disabled,
        ..r
    };
    assert_eq!(scale_up_limit(7, NOW, &[], &[], &disabled), 7);
    assert_eq!(scale_down_limit(7, NOW, &[], &[], &disabled), 7);
}

#[test]
fn stabilization_matches_kubernetes_normalize_with_behavior() {
    // (recommendations as (value, age s), current, desired, up window s, down window s,
    //  expected): rows of TestNormalizeDesiredReplicasWithBehavior.
    type Row = (Vec<(u32, u64)>, u32, u32, u64, u64, u32);
    let rows: Vec<Row> = vec![
        (vec![], 100, 5, 0, 0, 5),
        // Down window 180 s holds 4 and 5: max(3, 4, 5) = 5.
        (vec![(4, 120), (5, 60)], 100, 3, 0, 180, 5),
        // Up window 300 s holds 4 and 5: min(7, 4, 5) = 4; from 1 up to 4.
        (vec![(4, 120), (5, 60)], 1, 7, 300, 0, 4),
        (vec![(1, 120), (2, 60)], 100, 3, 300, 0, 3),
        (vec![(10, 600), (9, 540)], 100, 3, 0, 0, 3),
        (
            vec![(10, 600), (4, 60), (5, 120), (9, 540)],
            100,
            3,
            0,
            180,
            5,
        ),
        // 10 is 100 min old: outside; min(100, 6, 5, 9) = 5.
        (
            vec![(10, 6000), (6, 60), (5, 120), (9, 180)],
            1,
            100,
            300,
            0,
            5,
        ),
        // Window [1, 3]: current 2 stays.
        (vec![(2, 6000), (3, 180)], 2, 1, 300, 300, 2),
        (vec![(2, 6000), (1, 180)], 2, 3, 300, 300, 2),
    ];
    for (i, (recs, cur, desired, up_w, down_w, want)) in rows.into_iter().enumerate() {
        let mut spec = HpaSpec::new(1, 1000, 50);
        spec.behavior = true;
        spec.scale_up.stabilization_window = SimDuration::from_secs(up_w);
        spec.scale_down.stabilization_window = SimDuration::from_secs(down_w);
        let mut state = HpaState::new(spec);
        state.recommendations = recs.iter().map(|&(v, a)| (ago(a), v)).collect();
        assert_eq!(state.stabilize(NOW, cur, desired), want, "row {}", i + 1);
        assert_eq!(state.recommendations.last(), Some(&(NOW, desired)));
    }
}

#[test]
fn without_behavior_kubernetes_older_rules_apply() {
    // TestNormalizeDesiredReplicas (5 min window, its edge included): max of the window.
    type Legacy = (Vec<(u32, u64)>, u32, u32);
    let rows: Vec<Legacy> = vec![
        (vec![(4, 120), (5, 60)], 3, 5),
        (vec![(10, 600), (9, 540)], 3, 3),
        (vec![(10, 600), (4, 60), (5, 120), (9, 540)], 3, 5),
        (vec![], 5, 5),
        // Exactly 300 s old still counts (the legacy window is inclusive).
        (vec![(8, 300)], 3, 8),
    ];
    for (i, (recs, desired, want)) in rows.into_iter().enumerate() {
        let mut state = HpaState::new(HpaSpec::new(1, 1000, 50));
        state.recommendations = recs.iter().map(|&(v, a)| (ago(a), v)).collect();
        assert_eq!(state.stabilize_legacy(NOW, desired), want, "row {}", i + 1);
    }
    // TestConvertDesiredReplicasWithRules: (current, desired, min, max) → expected.
    let rows = [
        (5, 7, 3, 8, 7),
        (3, 1, 2, 8, 2),
        (1, 0, 0, 10, 0),
        (20, 1000, 1, 10, 10),
        // max(2 · 3, 4) = 6 (upstream's test raises the factor to 8 and expects 24).
        (3, 1000, 1, 2000, 6),
        // max(2 · 1, 4) = 4.
        (1, 1000, 1, 2000, 4),
    ];
    for (cur, desired, min, max, want) in rows {
        assert_eq!(
            legacy_limit(cur, desired, min, max),
            want,
            "{cur} → {desired}"
        );
    }
}

fn seen(current: u32, ready: u32, unready: u32, rps: f64) -> Observed {
    Observed {
        current,
        ready,
        unready,
        rps,
        per_pod: 50.0,
    }
}

#[test]
fn replica_calculator_on_cpu() {
    let spec = HpaSpec::new(1, 1000, 60);
    // (observed, expected desired). per_pod 50 rps = 100% of the request; target 60%.
    let rows = [
        // 4 ready share 120 rps: 60% → ratio 1: no change.
        (seen(4, 4, 0, 120.0), 4),
        // 64%: ratio 1.067, inside the 0.1 tolerance.
        (seen(4, 4, 0, 128.0), 4),
        // 70%: ratio 1.1667 → ⌈1.1667 · 4⌉ = 5.
        (seen(4, 4, 0, 140.0), 5),
        // 30%: ratio 0.5 → ⌈0.5 · 4⌉ = 2.
        (seen(4, 4, 0, 60.0), 2),
        // 2 ready at 600%: ratio 10, 4 unready count as 0%: 600 rps over 6 pods = 200%,
        // ratio 3.333 → ⌈3.333 · 6⌉ = 20.
        (seen(6, 2, 4, 600.0), 20),
        // 2 ready at 66% (ratio 1.1, over 1) with 2 unready: over 4 pods 33%, ratio 0.55
        // crosses 1: no change.
        (seen(4, 2, 2, 66.0), 4),
        // Scale-down with unready pods: they are simply set aside. 2 ready at 20%:
        // ratio 0.333 → ⌈0.333 · 2⌉ = 1.
        (seen(4, 2, 2, 20.0), 1),
    ];
    for (i, (s, want)) in rows.into_iter().enumerate() {
        assert_eq!(
            replicas_for_cpu(&spec, s),
            Some(want),
            "row {}: {s:?}",
            i + 1
        );
    }
    assert_eq!(replicas_for_cpu(&spec, seen(4, 0, 4, 100.0)), None);
}

/// Syncs every 15 s with all pods ready at once and a constant 600 rps (20 pods at 60%).
fn sequence(spec: HpaSpec, start: u32, syncs: usize) -> Vec<u32> {
    let mut state = HpaState::new(spec);
    let mut current = start;
    let mut out = vec![current];
    for k in 1..=syncs {
        let now = SimTime(15_000 * k as u64);
        if let Decision::Rescale { to, .. } = state.sync(now, seen(current, current, 0, 600.0)) {
            current = to;
        }
        out.push(current);
    }
    out
}

#[test]
fn constant_load_settles_as_kubernetes_reaches_it() {
    // Default policies (behavior given): max(2c, c + 4): 2 → 6 → 12 → 20 (24 capped by the
    // metric's 20).
    let mut with = HpaSpec::new(2, 300, 60);
    with.behavior = true;
    assert_eq!(sequence(with, 2, 4), vec![2, 6, 12, 20, 20]);
    // Without behavior: max(2c, 4): 2 → 4 → 8 → 16 → 20.
    let without = HpaSpec::new(2, 300, 60);
    assert_eq!(sequence(without, 2, 5), vec![2, 4, 8, 16, 20, 20]);
    // From above, scale-down waits out the first window: the initial recommendation (40) is
    // recorded at 15 s and holds until it is 300 s old.
    let without = HpaSpec::new(2, 300, 60);
    // Legacy window includes its edge: 40 recorded at 15 s still counts at 315 s, not at 330 s.
    assert_eq!(scale_down_from_40(without), (20, Some(SimTime(330_000))));
    let mut with = HpaSpec::new(2, 300, 60);
    with.behavior = true;
    // With behavior the window excludes its edge: 40 recorded at 15 s is out at 315 s.
    assert_eq!(scale_down_from_40(with), (20, Some(SimTime(315_000))));
}

/// From 40 replicas under a load for 20, 30 syncs of 15 s: the count at the end and when it
/// first changed.
fn scale_down_from_40(spec: HpaSpec) -> (u32, Option<SimTime>) {
    let mut state = HpaState::new(spec);
    let mut current = 40;
    let mut changed_at = None;
    for k in 1..=30u64 {
        let now = SimTime(15_000 * k);
        if let Decision::Rescale { to, .. } = state.sync(now, seen(current, current, 0, 600.0)) {
            current = to;
            changed_at.get_or_insert(now);
        }
    }
    (current, changed_at)
}

#[test]
fn bounds_apply_before_the_metric() {
    let mut state = HpaState::new(HpaSpec::new(3, 10, 60));
    // Below min: straight to min whatever the load.
    assert_eq!(
        state.sync(NOW, seen(1, 1, 0, 0.0)),
        Decision::Rescale {
            to: 3,
            reason: "Current number of replicas below Spec.MinReplicas"
        }
    );
    assert_eq!(
        state.sync(NOW, seen(50, 50, 0, 1e6)),
        Decision::Rescale {
            to: 10,
            reason: "Current number of replicas above Spec.MaxReplicas"
        }
    );
    // No replicas: scaling is disabled.
    assert_eq!(state.sync(NOW, seen(0, 0, 0, 1e6)), Decision::Keep);
    assert_eq!(state.sync(NOW, seen(5, 0, 5, 1e6)), Decision::NoMetrics);
}
