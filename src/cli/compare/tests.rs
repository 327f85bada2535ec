use super::*;

#[test]
fn student_t_interval() {
    // n = 4, mean 2.5, s² = 5/3, t(0.975, 3) = 3.182446: half = 3.182446·√(5/12).
    let e = estimate(&[1.0, 2.0, 3.0, 4.0]);
    assert!((e.mean - 2.5).abs() < 1e-12);
    let half = 3.182446 * (5.0f64 / 12.0).sqrt();
    assert!((e.high - e.mean - half).abs() < 1e-5, "{e:?}");
    let one = estimate(&[7.0]);
    assert_eq!((one.low, one.high, one.n), (7.0, 7.0, 1));
    assert_eq!(one.interval(), None);
    assert!(e.interval().is_some());
}

#[test]
fn one_replicate_shows_no_interval_rather_than_a_zero_width_one() {
    let v = VariantResult {
        name: "a".into(),
        metrics: vec![("cost.total_usd".into(), estimate(&[55.3]))],
        timeseries: TimeSeries::default(),
    };
    let csv = comparison_csv(std::slice::from_ref(&v));
    assert!(csv.ends_with("\na,cost.total_usd,55.3,,,1\n"), "{csv}");
    let table = comparison_table(&[v], 1, &default_columns(&[]));
    assert!(
        table.contains("$55.30 ┆") || table.contains("$55.30 │"),
        "{table}"
    );
    assert!(!table.contains('±'), "{table}");
    assert!(table.ends_with("one replicate: values without confidence intervals"));
}

#[test]
fn aggregate_keeps_first_appearance_order_and_derives_availability() {
    let a =
        json!({"seed": 1, "cost": {"total_usd": 2.0}, "deployments": {"w": {"availability": 0.5}}});
    let b =
        json!({"seed": 2, "cost": {"total_usd": 4.0}, "deployments": {"w": {"availability": 1.0}}});
    let m = aggregate_estimates(&[a, b]);
    let names: Vec<&str> = m.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        names,
        [
            "availability",
            "availability_after_first_ready",
            "cost.total_usd",
            "deployments.w.availability"
        ]
    );
    assert_eq!(m[0].1.mean, 0.75);
    // No first-ready figure: the whole-run availability stands in.
    assert_eq!(m[1].1.mean, 0.75);
    assert_eq!(m[2].1.mean, 3.0);
}

#[test]
fn a_count_missing_from_a_replicate_counts_as_zero() {
    let a = json!({"unschedulable_reasons": {"Insufficient cpu": 8}});
    let b = json!({"unschedulable_reasons": {}});
    let m = aggregate_estimates(&[a, b]);
    let (_, e) = m
        .iter()
        .find(|(k, _)| k == "unschedulable_reasons.Insufficient cpu")
        .unwrap();
    assert_eq!((e.mean, e.n), (4.0, 2));
}

#[test]
fn a_metric_that_does_not_apply_is_absent_or_estimated_where_it_does() {
    // Replicate a had no Deployment and no censored pods' waits; b had censored pods.
    let a = json!({"cost": {"total_usd": 1.0}, "pending_time_s": {"censored": {"count": 0}}});
    let b = json!({"cost": {"total_usd": 3.0},
        "pending_time_s": {"censored": {"count": 2, "wait_so_far": {"mean": 50.0}}}});
    let m = aggregate_estimates(&[a, b]);
    let get = |k: &str| m.iter().find(|(n, _)| n == k).map(|(_, e)| e.clone());
    assert!(
        get(AVAILABILITY).is_none(),
        "no Deployment, no availability"
    );
    assert_eq!(get("pending_time_s.censored.count").unwrap().n, 2);
    // The wait so far exists in one replicate only: estimated over that one, not as 0.
    let w = get("pending_time_s.censored.wait_so_far.mean").unwrap();
    assert_eq!((w.mean, w.n), (50.0, 1));
}

fn variant(name: &str, metrics: &[(&str, f64)]) -> VariantResult {
    VariantResult {
        name: name.into(),
        metrics: metrics
            .iter()
            .map(|&(k, x)| (k.to_string(), estimate(&[x, x])))
            .collect(),
        timeseries: TimeSeries::default(),
    }
}

#[test]
fn default_columns_are_those_that_apply() {
    let headers = |r: &[VariantResult]| -> Vec<String> {
        default_columns(r).into_iter().map(|c| c.header).collect()
    };
    // Deployments only, nothing left pending: cost, availability, p95.
    let web = [variant(
        "a",
        &[
            ("cost.total_usd", 1.0),
            (AVAILABILITY_AFTER_START_UP, 1.0),
            ("pending_time_s.p95", 0.0),
            ("pending_time_s.censored.count", 0.0),
        ],
    )];
    assert_eq!(
        headers(&web),
        [
            "cost (USD)",
            "availability after start-up",
            "p95 pending (s)"
        ]
    );
    // Batch only, some pods never placed in one variant: no availability column.
    let batch = [
        variant(
            "a",
            &[
                ("cost.total_usd", 1.0),
                ("pending_time_s.censored.count", 3.0),
                ("work.lost_core_hours", 0.0),
            ],
        ),
        variant("b", &[("cost.total_usd", 1.0)]),
    ];
    assert_eq!(
        headers(&batch),
        ["cost (USD)", "never scheduled", "lost core-hours"]
    );
    let table = comparison_table(&batch, 2, &default_columns(&batch));
    // Variant b lacks lost core-hours: a dash, not 0.
    let b_row = table.lines().find(|l| l.contains(" b ")).unwrap();
    assert!(b_row.contains(" - "), "{table}");
}

#[test]
fn chosen_columns_must_exist() {
    let r = [variant(
        "a",
        &[
            ("cost.total_usd", 1.5),
            ("pending_time_s.mean", 2.3040000000000003),
        ],
    )];
    let cols = chosen_columns(&r, &["pending_time_s.mean".into(), "cost.total_usd".into()])
        .unwrap_or_else(|_| panic!());
    let table = comparison_table(&r, 2, &cols);
    assert!(table.contains("2.30 ± 0"), "{table}");
    assert!(table.contains("$1.50 ± $0.00"), "{table}");
    assert!(!table.contains("2.304000"), "{table}");
    let Err(Failure::Input(e)) = chosen_columns(&r, &["cost.totl_usd".into()]) else {
        panic!("unknown metric accepted")
    };
    assert!(
        e.to_string().contains("did you mean 'cost.total_usd'"),
        "{e}"
    );
    // Shares read as percentages (0.9999 is 99.990%, not 1.00); (metric, mean, half-width,
    // cell); the half-width of a plain number takes the mean's decimals.
    for (metric, mean, half, want) in [
        ("availability", 0.9999, 0.0002, "99.990% ± 0.020%"),
        (
            "deployments.web.availability_after_first_ready",
            0.5,
            0.0,
            "50.000% ± 0.000%",
        ),
        (
            "pending_time_s.waited_fraction",
            0.25,
            0.01,
            "25.000% ± 1.000%",
        ),
        ("cost.by_pool.spot", 3.256, 0.5, "$3.26 ± $0.50"),
        ("pending_time_s.mean", 45.9412, 9.5213, "45.94 ± 9.52"),
        ("work.useful_core_hours", 21323.4, 318.1, "21323 ± 318"),
    ] {
        let e = Estimate {
            mean,
            low: mean - half,
            high: mean + half,
            n: 2,
        };
        assert_eq!(metric_format(metric).pm(Some(&e)), want, "{metric}");
    }
}
