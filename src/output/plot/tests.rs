use super::*;
use std::fs;

struct TempDir(PathBuf);
impl TempDir {
    fn new(name: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("clustersim-plot-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}
impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn sample() -> TimelineData {
    let n = 49;
    let time_hours: Vec<f64> = (0..n).map(|i| i as f64 * 0.5).collect();
    let wave = |i: usize, a: f64, b: f64| a + b * ((i as f64) / 6.0).sin().abs();
    TimelineData {
        title: "quickstart — seed 7".into(),
        time_hours,
        ready_nodes: vec![
            Series {
                label: "general-spot".into(),
                values: (0..n).map(|i| wave(i, 3.0, 6.0).round()).collect(),
            },
            Series {
                label: "general-on-demand".into(),
                values: (0..n).map(|i| if i < 10 { 2.0 } else { 3.0 }).collect(),
            },
        ],
        pods_running: (0..n).map(|i| wave(i, 20.0, 40.0).round()).collect(),
        pods_pending: (0..n).map(|i| if i % 12 < 3 { 7.0 } else { 0.0 }).collect(),
        cpu_allocated: (0..n).map(|i| wave(i, 0.4, 0.5)).collect(),
        memory_allocated: (0..n).map(|i| wave(i, 0.3, 0.4)).collect(),
        gpu_allocated: vec![],
        // Two rare marks (full-height lines) and a frequent kind (a rug above the data).
        marks: std::iter::once((3.0, "zone outage".to_string()))
            .chain(std::iter::once((5.0, "zone back".to_string())))
            .chain((0..60).map(|i| (i as f64 * 0.4, "scale-up".to_string())))
            .collect(),
        deployment_ready: vec![],
        served: vec![],
        replicas: vec![],
    }
}

/// Width and height from a PNG's IHDR chunk, after checking the signature.
fn png_dimensions(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    assert_eq!(&bytes[12..16], b"IHDR");
    let w = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let h = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    (w, h)
}

#[test]
fn timeline_writes_png_and_svg() {
    let dir = TempDir::new("timeline");
    let stem = dir.0.join("timeline");
    timeline(&stem, &sample()).unwrap();

    let png = fs::read(dir.0.join("timeline.png")).unwrap();
    assert!(png.len() > 1000);
    assert_eq!(png_dimensions(&png), (1200, 900));
    let decoded = image::load_from_memory(&png).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (1200, 900));

    let svg = fs::read_to_string(dir.0.join("timeline.svg")).unwrap();
    assert!(svg.starts_with("<svg"));
    for text in [
        "quickstart — seed 7",
        "general-spot",
        "general-on-demand",
        "running",
        "pending",
        "CPU",
        "memory",
        "simulated time (hours)",
        "ready nodes",
        "zone outage",
        "scale-up",
    ] {
        assert!(svg.contains(text), "SVG lacks {text:?}");
    }
    // No temporary files are left beside the outputs.
    let names: Vec<_> = fs::read_dir(&dir.0)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn autoscaled_deployments_get_a_replicas_panel() {
    let dir = TempDir::new("timeline-replicas");
    let mut data = sample();
    data.replicas = vec![
        Series {
            label: "web desired".into(),
            values: (0..49).map(|i| 4.0 + i as f64).collect(),
        },
        Series {
            label: "web ready".into(),
            values: (0..49).map(|i| 3.0 + i as f64).collect(),
        },
    ];
    timeline(&dir.0.join("t"), &data).unwrap();
    let png = fs::read(dir.0.join("t.png")).unwrap();
    // A fourth panel: the figure is taller.
    assert_eq!(png_dimensions(&png), (1200, 1180));
    let svg = fs::read_to_string(dir.0.join("t.svg")).unwrap();
    for text in ["replicas", "web desired", "web ready"] {
        assert!(svg.contains(text), "SVG lacks {text:?}");
    }
}

#[test]
fn degenerate_timelines_do_not_panic() {
    let dir = TempDir::new("degenerate");
    let empty = TimelineData {
        title: "empty".into(),
        ..Default::default()
    };
    timeline(&dir.0.join("empty"), &empty).unwrap();

    let single = TimelineData {
        title: "single".into(),
        time_hours: vec![0.0],
        ready_nodes: vec![Series {
            label: "pool".into(),
            values: vec![3.0],
        }],
        pods_running: vec![5.0],
        pods_pending: vec![0.0],
        cpu_allocated: vec![0.5],
        memory_allocated: vec![0.25],
        gpu_allocated: vec![],
        marks: vec![],
        deployment_ready: vec![],
        served: vec![],
        replicas: vec![],
    };
    timeline(&dir.0.join("single"), &single).unwrap();

    let zeros = TimelineData {
        title: "zeros".into(),
        time_hours: vec![0.0, 1.0, 2.0],
        ready_nodes: vec![Series {
            label: "pool".into(),
            values: vec![0.0; 3],
        }],
        pods_running: vec![0.0; 3],
        pods_pending: vec![0.0; 3],
        cpu_allocated: vec![0.0; 3],
        memory_allocated: vec![0.0; 3],
        gpu_allocated: vec![],
        marks: vec![],
        deployment_ready: vec![],
        served: vec![],
        replicas: vec![],
    };
    timeline(&dir.0.join("zeros"), &zeros).unwrap();

    let odd = TimelineData {
        title: "mismatched & non-finite <values>".into(),
        time_hours: vec![0.0, 1.0, f64::NAN, 3.0],
        ready_nodes: vec![Series {
            label: "pool".into(),
            values: vec![1.0, f64::INFINITY],
        }],
        pods_running: vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
        pods_pending: vec![],
        cpu_allocated: vec![f64::NAN; 4],
        memory_allocated: vec![2.0, 0.5, 0.5, 0.5],
        gpu_allocated: vec![],
        marks: vec![],
        deployment_ready: vec![],
        served: vec![],
        replicas: vec![],
    };
    timeline(&dir.0.join("odd"), &odd).unwrap();

    for stem in ["empty", "single", "zeros", "odd"] {
        let png = fs::read(dir.0.join(format!("{stem}.png"))).unwrap();
        assert_eq!(png_dimensions(&png), (1200, 900));
        assert!(dir.0.join(format!("{stem}.svg")).exists());
    }

    cost_vs_availability(&dir.0.join("scatter-empty"), "none", &[]).unwrap();
    cost_breakdown(&dir.0.join("bars-empty"), "none", &[]).unwrap();
    variant_timelines(&dir.0.join("vt-empty"), "none", &[], &panels(&[], &[])).unwrap();
    let one = VariantPoint {
        variant: "spot".into(),
        cost: 10.0,
        cost_lo: 10.0,
        cost_hi: 10.0,
        availability: 1.0,
        avail_lo: 1.0,
        avail_hi: 1.0,
    };
    cost_vs_availability(&dir.0.join("scatter-one"), "one", &[one]).unwrap();
    let zero_row = CostBreakdown {
        variant: "free".into(),
        by_type: vec![("spot".into(), 0.0)],
    };
    cost_breakdown(&dir.0.join("bars-zero"), "zero", &[zero_row]).unwrap();
}

#[test]
fn long_lines_are_drawn_with_a_bounded_number_of_points() {
    // (points in, most points out): short lines are drawn as they are (the committed
    // results' bytes depend on it), long ones keep each bucket's lowest and highest point.
    for (n, most) in [(1, 1), (4000, 4000), (4001, 4000), (7_200_000, 4000)] {
        let points: Vec<(f64, f64)> = (0..n).map(|i| (i as f64, (i % 97) as f64)).collect();
        let out = decimate(points.clone(), MAX_LINE_POINTS);
        assert!(out.len() <= most, "{n}: {}", out.len());
        if n <= MAX_LINE_POINTS {
            assert_eq!(out, points);
        } else {
            // The envelope survives: the extremes and the time span.
            let max = out.iter().map(|p| p.1).fold(f64::MIN, f64::max);
            assert_eq!((max, out[0].0), (96.0, 0.0));
            assert!(out.windows(2).all(|w| w[0].0 < w[1].0), "in time order");
        }
    }
    let spike: Vec<(f64, f64)> = (0..100_000)
        .map(|i| (i as f64, if i == 54_321 { 1e6 } else { 0.0 }))
        .collect();
    assert!(decimate(spike, MAX_LINE_POINTS).contains(&(54_321.0, 1e6)));
}

#[test]
fn svg_is_deterministic() {
    let dir = TempDir::new("determinism");
    let data = sample();
    timeline(&dir.0.join("a"), &data).unwrap();
    timeline(&dir.0.join("b"), &data).unwrap();
    let a = fs::read(dir.0.join("a.svg")).unwrap();
    let b = fs::read(dir.0.join("b.svg")).unwrap();
    assert!(a == b, "SVG output differs between identical renders");
    let a = fs::read(dir.0.join("a.png")).unwrap();
    let b = fs::read(dir.0.join("b.png")).unwrap();
    assert!(a == b, "PNG output differs between identical renders");
}

type CompareInputs = (
    Vec<VariantPoint>,
    Vec<CostBreakdown>,
    Vec<f64>,
    Vec<Series>,
    Vec<Series>,
);

/// The two panels compare draws for a scenario without Deployments.
fn panels(ready: &[Series], pending: &[Series]) -> Vec<VariantPanel> {
    let panel = |y_desc: &str, series: &[Series]| VariantPanel {
        y_desc: y_desc.into(),
        share: false,
        series: series
            .iter()
            .map(|s| Series {
                label: s.label.clone(),
                values: s.values.clone(),
            })
            .collect(),
        startup_zoom: None,
    };
    vec![panel("ready nodes", ready), panel("pending pods", pending)]
}

fn compare_inputs() -> CompareInputs {
    let point = |variant: &str, cost: f64, avail: f64| VariantPoint {
        variant: variant.into(),
        cost,
        cost_lo: cost * 0.93,
        cost_hi: cost * 1.06,
        availability: avail,
        avail_lo: avail - 0.002,
        avail_hi: (avail + 0.001).min(1.0),
    };
    let points = vec![
        point("spot", 412.0, 0.9931),
        point("reserved", 780.0, 0.9992),
        point("on-demand", 1105.0, 0.9995),
    ];
    let rows = vec![
        CostBreakdown {
            variant: "spot".into(),
            by_type: vec![("spot".into(), 300.0), ("on-demand".into(), 112.0)],
        },
        CostBreakdown {
            variant: "reserved".into(),
            by_type: vec![("reserved".into(), 700.0), ("on-demand".into(), 80.0)],
        },
        CostBreakdown {
            variant: "on-demand".into(),
            by_type: vec![("on-demand".into(), 1105.0)],
        },
    ];
    let time: Vec<f64> = (0..25).map(|i| i as f64).collect();
    let series = |label: &str, f: &dyn Fn(usize) -> f64| Series {
        label: label.into(),
        values: (0..25).map(f).collect(),
    };
    let ready = vec![
        series("spot", &|i| 4.0 + (i % 7) as f64),
        series("reserved", &|i| 6.0 + (i % 3) as f64),
        series("on-demand", &|_| 7.0),
    ];
    let pending = vec![
        series("spot", &|i| if i % 8 == 0 { 5.0 } else { 0.0 }),
        series("reserved", &|i| if i % 12 == 0 { 2.0 } else { 0.0 }),
        series("on-demand", &|_| 0.0),
    ];
    (points, rows, time, ready, pending)
}

#[test]
fn compare_charts_render() {
    let dir = TempDir::new("compare");
    let (points, rows, time, ready, pending) = compare_inputs();
    cost_vs_availability(
        &dir.0.join("cost-vs-availability"),
        "spot vs reserved",
        &points,
    )
    .unwrap();
    cost_breakdown(
        &dir.0.join("cost-breakdown"),
        "cost by capacity type",
        &rows,
    )
    .unwrap();
    variant_timelines(
        &dir.0.join("variants"),
        "variants over time",
        &time,
        &panels(&ready, &pending),
    )
    .unwrap();
    for (stem, texts) in [
        (
            "cost-vs-availability",
            &["spot vs reserved", "reserved", "availability"][..],
        ),
        (
            "cost-breakdown",
            &["cost by capacity type", "on-demand", "$412"][..],
        ),
        (
            "variants",
            &["variants over time", "pending pods", "spot"][..],
        ),
    ] {
        let png = fs::read(dir.0.join(format!("{stem}.png"))).unwrap();
        png_dimensions(&png);
        let svg = fs::read_to_string(dir.0.join(format!("{stem}.svg"))).unwrap();
        for text in texts {
            assert!(svg.contains(text), "{stem}.svg lacks {text:?}");
        }
    }
}

#[test]
fn stem_keeps_dots() {
    assert_eq!(
        with_extension(Path::new("out/run.v2"), "png"),
        PathBuf::from("out/run.v2.png")
    );
}

#[test]
fn tick_formatting() {
    assert_eq!(fmt_tick(3.0, 2), "3");
    assert_eq!(fmt_tick(-0.0, 2), "0");
    assert_eq!(fmt_tick(2.5, 1), "2.5");
    assert_eq!(decimals_for(100.0), 0);
    assert_eq!(decimals_for(1.0), 1);
    assert_eq!(decimals_for(0.0), 0);
    assert_eq!(legend_text(&"x".repeat(40)).chars().count(), 26);
}

/// Writes example charts for eyeballing when CLUSTERSIM_PLOT_DIR is set.
#[test]
fn write_examples_when_asked() {
    let Some(dir) = std::env::var_os("CLUSTERSIM_PLOT_DIR") else {
        return;
    };
    let dir = PathBuf::from(dir);
    timeline(&dir.join("timeline"), &sample()).unwrap();
    let empty = TimelineData {
        title: "empty run".into(),
        ..Default::default()
    };
    timeline(&dir.join("timeline-empty"), &empty).unwrap();
    let (points, rows, time, ready, pending) = compare_inputs();
    cost_vs_availability(
        &dir.join("cost-vs-availability"),
        "spot vs reserved",
        &points,
    )
    .unwrap();
    cost_breakdown(&dir.join("cost-breakdown"), "cost by capacity type", &rows).unwrap();
    variant_timelines(
        &dir.join("variants"),
        "variants over time",
        &time,
        &panels(&ready, &pending),
    )
    .unwrap();
}

#[test]
fn time_axis_unit_follows_the_run_length() {
    // (span in hours, factor from hours, unit): 2 h reads in minutes (0..120), 30 days in
    // days (0..30), a year in weeks (0..52.1).
    let cases = [
        (2.0, 60.0, "minutes"),
        (3.0, 60.0, "minutes"),
        (24.0, 1.0, "hours"),
        (72.0, 1.0, "hours"),
        (720.0, 1.0 / 24.0, "days"),
        (8760.0, 1.0 / 168.0, "weeks"),
    ];
    for (span, factor, unit) in cases {
        let (f, desc) = time_unit(span);
        assert_eq!(f, factor, "{span} h");
        assert!(desc.ends_with(&format!("({unit})")), "{span} h: {desc}");
    }
    let (t, desc) = scaled_time(&[0.0, 1.0, 2.0]);
    assert_eq!(
        (t, desc),
        (vec![0.0, 60.0, 120.0], "simulated time (minutes)")
    );
}

#[test]
fn coinciding_variants_get_a_table_not_a_lone_dot() {
    let dir = TempDir::new("coincide");
    let p = |name: &str| VariantPoint {
        variant: name.into(),
        cost: 12.5,
        cost_lo: 12.5,
        cost_hi: 12.5,
        availability: 1.0,
        avail_lo: 1.0,
        avail_hi: 1.0,
    };
    cost_vs_availability(&dir.0.join("same"), "same", &[p("a"), p("b")]).unwrap();
    let svg = fs::read_to_string(dir.0.join("same.svg")).unwrap();
    assert!(
        svg.contains("All 2 variants coincide: cost $12.50"),
        "{svg}"
    );
    // Variants that differ keep the scatter.
    let mut q = p("c");
    q.cost = 20.0;
    cost_vs_availability(&dir.0.join("apart"), "apart", &[p("a"), q]).unwrap();
    let svg = fs::read_to_string(dir.0.join("apart.svg")).unwrap();
    assert!(
        !svg.contains("coincide") && svg.contains("total cost"),
        "scatter expected"
    );
}

#[test]
fn deployments_get_ready_and_served_panels() {
    let dir = TempDir::new("deployments");
    let mut d = sample();
    let n = d.time_hours.len();
    d.deployment_ready = vec![Series {
        label: "web".into(),
        values: vec![5.0; n],
    }];
    d.served = vec![Series {
        label: "web".into(),
        values: vec![0.9; n],
    }];
    timeline(&dir.0.join("t"), &d).unwrap();
    let png = fs::read(dir.0.join("t.png")).unwrap();
    // Three panels and two more: 900 + 2 × 280 px high.
    assert_eq!(png_dimensions(&png), (1200, 1460));
    let svg = fs::read_to_string(dir.0.join("t.svg")).unwrap();
    assert!(svg.contains("ready pods") && svg.contains("served share"));
}

#[test]
fn a_line_covered_by_another_says_so() {
    let dir = TempDir::new("covered");
    let mut d = sample();
    d.memory_allocated = d.cpu_allocated.clone();
    timeline(&dir.0.join("t"), &d).unwrap();
    let svg = fs::read_to_string(dir.0.join("t.svg")).unwrap();
    assert!(
        svg.contains("CPU (under memory)"),
        "the hidden CPU line is not named"
    );
    timeline(&dir.0.join("u"), &sample()).unwrap();
    let svg = fs::read_to_string(dir.0.join("u.svg")).unwrap();
    assert!(!svg.contains("(under "));
}

/// Draws `d` as `<dir>/<name>` and returns the SVG.
fn timeline_svg(dir: &TempDir, name: &str, d: &TimelineData) -> String {
    timeline(&dir.0.join(name), d).unwrap();
    fs::read_to_string(dir.0.join(format!("{name}.svg"))).unwrap()
}

#[test]
fn a_mostly_covered_line_says_so_too() {
    let dir = TempDir::new("mostly");
    let mut d = sample();
    // Memory equals CPU at 45 of 49 samples (92%, over the 90% bar).
    d.memory_allocated = d.cpu_allocated.clone();
    for v in &mut d.memory_allocated[..4] {
        *v += 0.05;
    }
    let svg = timeline_svg(&dir, "t", &d);
    assert!(svg.contains("CPU (mostly under memory)"), "no note");
    // At 44 of 49 (90%, 44/49 = 0.898) there is none.
    d.memory_allocated[4] += 0.05;
    let svg = timeline_svg(&dir, "u", &d);
    assert!(!svg.contains("under memory"));
}

#[test]
fn deployments_that_start_quickly_in_a_long_run_get_a_start_up_zoom() {
    let dir = TempDir::new("zoom");
    let mut d = sample();
    // 24 h sampled every minute; web is ready at minute 12 and holds.
    d.time_hours = (0..=1440).map(|i| i as f64 / 60.0).collect();
    let n = d.time_hours.len();
    d.deployment_ready = vec![Series {
        label: "web".into(),
        values: (0..n).map(|i| if i < 12 { 0.0 } else { 5.0 }).collect(),
    }];
    timeline(&dir.0.join("t"), &d).unwrap();
    let png = fs::read(dir.0.join("t.png")).unwrap();
    // Three panels, ready pods and its zoom: 900 + 2 × 280 px.
    assert_eq!(png_dimensions(&png), (1200, 1460));
    let svg = fs::read_to_string(dir.0.join("t.svg")).unwrap();
    // 12 min × 1.25 = 15 min.
    assert!(svg.contains("ready pods (start-up)"), "no zoom panel");
    assert!(svg.contains("the first 15"), "zoom axis not described");
    // Ready from the first sample: nothing to zoom into.
    d.deployment_ready[0].values = vec![5.0; n];
    timeline(&dir.0.join("u"), &d).unwrap();
    let png = fs::read(dir.0.join("u.png")).unwrap();
    assert_eq!(png_dimensions(&png), (1200, 1180));
}

#[test]
fn a_note_too_long_for_the_label_line_gets_a_line_of_its_own() {
    let dir = TempDir::new("note-line");
    let mut d = sample();
    // "general-on-demand (under general-spot)" is 38 characters, over the 26 a legend line
    // holds: the note goes on a second line.
    d.ready_nodes[1].values = d.ready_nodes[0].values.clone();
    d.ready_nodes.swap(0, 1);
    let svg = timeline_svg(&dir, "t", &d);
    assert!(svg.contains("(under general-spot)"), "no note");
    assert!(
        !svg.contains("general-on-demand (under"),
        "note was put on the label line"
    );
}
