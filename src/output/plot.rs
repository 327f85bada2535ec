//! Charts written as PNG and SVG.
//!
//! Every chart is drawn twice from the same plain data: once into an in-memory RGB buffer that is
//! encoded as PNG, once into an SVG string. Both files are written atomically with
//! [`write_atomic`], so an interrupted run never leaves a truncated image.
//!
//! Text is drawn with the DejaVu Sans font bundled in the crate (registered with plotters'
//! `ab_glyph` font table under the `sans-serif` family), so rendering needs no system fonts.
//! Colours come from a fixed Okabe–Ito palette assigned by series index, and nothing depends on
//! hash order or the clock, so identical data gives byte-identical SVG files.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use image::ImageEncoder;
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::output::atomic::write_atomic;

mod allocation;
mod compare;
mod frontier;
mod stack;
mod zoom;
pub use allocation::{AllocationCurve, allocation};
pub use compare::{cost_breakdown, cost_vs_availability};
pub use frontier::{FrontierPoint, frontier};
use stack::{draw_stack, startup_minutes};

/// One named line of values, aligned with the chart's time axis.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Series {
    pub label: String,
    pub values: Vec<f64>,
}

/// Data for [`timeline`]. All vectors are aligned with `time_hours`; extra values are ignored,
/// missing ones leave the line short. Non-finite values are skipped.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TimelineData {
    /// Overall title, e.g. "quickstart — seed 7".
    pub title: String,
    /// X axis, one entry per sample.
    pub time_hours: Vec<f64>,
    /// Ready nodes, one series per node pool.
    pub ready_nodes: Vec<Series>,
    pub pods_running: Vec<f64>,
    pub pods_pending: Vec<f64>,
    /// Fraction 0..1 of allocatable CPU that is requested by pods.
    pub cpu_allocated: Vec<f64>,
    /// Fraction 0..1 of allocatable memory that is requested by pods.
    pub memory_allocated: Vec<f64>,
    /// Fraction 0..1 of allocatable milli-GPU requested; empty when no pool has GPUs (no line).
    pub gpu_allocated: Vec<f64>,
    /// Desired and ready replicas of each autoscaled Deployment (a fourth panel when any).
    pub replicas: Vec<Series>,
    /// What happened when, drawn across the nodes panel: (hours, what), e.g. "spot notice".
    pub marks: Vec<(f64, String)>,
    /// Ready pods of each Deployment without an HPA (those are in `replicas`); at most 8.
    pub deployment_ready: Vec<Series>,
    /// Served share of each Deployment with a load; at most 8.
    pub served: Vec<Series>,
}

/// One variant of a `compare` run, with confidence intervals.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct VariantPoint {
    pub variant: String,
    /// Cost in USD and its interval.
    pub cost: f64,
    pub cost_lo: f64,
    pub cost_hi: f64,
    /// Availability as a fraction 0..1 (plotted as a percentage) and its interval.
    pub availability: f64,
    pub avail_lo: f64,
    pub avail_hi: f64,
}

/// Cost of one variant split by capacity type (e.g. "spot", "on-demand") → USD.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CostBreakdown {
    pub variant: String,
    pub by_type: Vec<(String, f64)>,
}

#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    #[error("writing {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("drawing chart: {0}")]
    Draw(String),
    #[error("encoding PNG: {0}")]
    Encode(String),
    #[error("the bundled font could not be loaded")]
    Font,
}

impl<E: std::error::Error + Send + Sync> From<DrawingAreaErrorKind<E>> for PlotError {
    fn from(e: DrawingAreaErrorKind<E>) -> Self {
        PlotError::Draw(e.to_string())
    }
}

/// Writes `<stem>.png` and `<stem>.svg` (e.g. stem = dir/"timeline"): three stacked panels
/// sharing the time axis — ready nodes per pool, pods running/pending, CPU/memory allocated.
/// The PNG is 1200×900 px.
pub fn timeline(stem: &Path, data: &TimelineData) -> Result<(), PlotError> {
    write_both(stem, &TimelineFigure(data))
}

/// One panel of [`variant_timelines`]: a quantity, one line per variant.
pub struct VariantPanel {
    pub y_desc: String,
    /// Values are shares in 0..=1 (drawn as percentages).
    pub share: bool,
    pub series: Vec<Series>,
    /// Repeat this panel over the first minutes, described so, when its lines rise early in a
    /// long run and then hold (Deployments starting up); the first panel so marked gets the
    /// zoom.
    pub startup_zoom: Option<String>,
}

/// Writes `<stem>.png` and `<stem>.svg`: panels sharing the time axis, one line per variant
/// in each (series are matched to colours by index).
pub fn variant_timelines(
    stem: &Path,
    title: &str,
    time_hours: &[f64],
    panels: &[VariantPanel],
) -> Result<(), PlotError> {
    write_both(
        stem,
        &VariantTimelinesFigure {
            title,
            time_hours,
            panels,
        },
    )
}

// ---------------------------------------------------------------------------------------------
// Rendering plumbing

const FONT: &str = "sans-serif";
const FONT_BYTES: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// Registers the bundled font once per process.
fn ensure_font() -> Result<(), PlotError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        plotters::style::register_font(FONT, FontStyle::Normal, FONT_BYTES).is_ok()
    });
    if ok { Ok(()) } else { Err(PlotError::Font) }
}

/// Okabe–Ito colours, reordered so the first few are distinct lines on white
/// (yellow and black come last).
const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 114, 178),   // blue
    RGBColor(230, 159, 0),   // orange
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(86, 180, 233),  // sky blue
    RGBColor(0, 0, 0),       // black
    RGBColor(240, 228, 66),  // yellow
];

fn colour(index: usize) -> RGBColor {
    PALETTE[index % PALETTE.len()]
}

const GRID_BOLD: RGBColor = RGBColor(215, 215, 215);
const GRID_LIGHT: RGBColor = RGBColor(238, 238, 238);
const LEGEND_WIDTH: u32 = 210;

/// A chart that can be drawn on any plotters backend.
trait Figure {
    fn size(&self) -> (u32, u32);
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError>;
}

fn with_extension(stem: &Path, ext: &str) -> PathBuf {
    let mut name: OsString = stem.as_os_str().to_owned();
    name.push(".");
    name.push(ext);
    PathBuf::from(name)
}

fn write_both<F: Figure>(stem: &Path, fig: &F) -> Result<(), PlotError> {
    ensure_font()?;
    let (w, h) = fig.size();

    let png_path = with_extension(stem, "png");
    let png = render_png(fig, w, h)?;
    write_atomic(&png_path, &png).map_err(|source| PlotError::Io {
        path: png_path,
        source,
    })?;

    let svg_path = with_extension(stem, "svg");
    let svg = render_svg(fig, w, h)?;
    write_atomic(&svg_path, svg.as_bytes()).map_err(|source| PlotError::Io {
        path: svg_path,
        source,
    })?;
    Ok(())
}

fn render_png<F: Figure>(fig: &F, w: u32, h: u32) -> Result<Vec<u8>, PlotError> {
    let mut rgb = vec![0u8; w as usize * h as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (w, h)).into_drawing_area();
        fig.draw(&root)?;
        root.present()?;
    }
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new(&mut png)
        .write_image(&rgb, w, h, image::ColorType::Rgb8)
        .map_err(|e| PlotError::Encode(e.to_string()))?;
    Ok(png)
}

fn render_svg<F: Figure>(fig: &F, w: u32, h: u32) -> Result<String, PlotError> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        fig.draw(&root)?;
        root.present()?;
    }
    Ok(svg)
}

// ---------------------------------------------------------------------------------------------
// Number helpers

/// Smallest and largest finite value, if any.
fn finite_bounds(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
        })
}

/// The unit a time axis reads best in for a run of `span_hours`: minutes up to 3 hours, hours
/// up to 3 days, days up to 8 weeks, weeks beyond. Returns the factor from hours and the name.
fn time_unit(span_hours: f64) -> (f64, &'static str) {
    if span_hours <= 3.0 {
        (60.0, "simulated time (minutes)")
    } else if span_hours <= 72.0 {
        (1.0, "simulated time (hours)")
    } else if span_hours <= 8.0 * 168.0 {
        (1.0 / 24.0, "simulated time (days)")
    } else {
        (1.0 / 168.0, "simulated time (weeks)")
    }
}

/// The span of a time axis in hours.
fn x_range_hours(time_hours: &[f64]) -> f64 {
    let (lo, hi) = time_range(time_hours);
    hi - lo
}

/// `time_hours` in the unit [`time_unit`] picks, and that unit's axis description.
fn scaled_time(time_hours: &[f64]) -> (Vec<f64>, &'static str) {
    let (lo, hi) = time_range(time_hours);
    let (factor, desc) = time_unit(hi - lo);
    (time_hours.iter().map(|t| t * factor).collect(), desc)
}

/// X range for a time axis: the data span, or something sensible when it is empty or a point.
fn time_range(time: &[f64]) -> (f64, f64) {
    match finite_bounds(time.iter().copied()) {
        None => (0.0, 1.0),
        Some((lo, hi)) if hi - lo < 1e-9 => (lo, lo + 1.0),
        Some(b) => b,
    }
}

/// Y range `0..max` with a little headroom; `0..1` when there is nothing positive.
fn count_range<'a>(series: impl IntoIterator<Item = &'a [f64]>) -> (f64, f64) {
    let max = finite_bounds(series.into_iter().flat_map(|s| s.iter().copied()))
        .map(|(_, hi)| hi)
        .unwrap_or(0.0);
    if max <= 0.0 {
        (0.0, 1.0)
    } else {
        (0.0, max * 1.08)
    }
}

/// Decimal places that distinguish ticks on an axis spanning `span`.
fn decimals_for(span: f64) -> usize {
    if !(span.is_finite() && span > 0.0) {
        return 0;
    }
    let step = span / 5.0;
    (-step.log10().floor()).clamp(0.0, 6.0) as usize
}

/// A tick label: whole numbers without decimals, others with `decimals` places.
fn fmt_tick(v: f64, decimals: usize) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{:.0}", v.round() + 0.0)
    } else {
        format!("{v:.decimals$}")
    }
}

fn fmt_usd(v: f64) -> String {
    let decimals = if v.abs() >= 100.0 { 0 } else { 2 };
    format!("${v:.decimals$}")
}

/// Legend text, shortened so it fits the legend column.
fn legend_text(label: &str) -> String {
    shortened(label, 26)
}

/// `text` cut to `max` characters, the last one an ellipsis, when longer.
fn shortened(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(max - 1).collect();
        s.push('…');
        s
    }
}

// ---------------------------------------------------------------------------------------------
// Shared drawing pieces

#[derive(Clone, Copy, PartialEq)]
enum YAxis {
    Count,
    Percent,
}

struct Line<'a> {
    label: &'a str,
    values: &'a [f64],
    colour: RGBColor,
}

struct Panel<'a> {
    y_desc: &'a str,
    y_axis: YAxis,
    lines: Vec<Line<'a>>,
    /// Vertical marks across the panel: (time in the axis unit, what happened).
    marks: Vec<(f64, &'a str)>,
}

/// Marks drawn across the pods panel; the others go across the nodes panel.
const POD_MARKS: [&str; 1] = ["preemption"];

/// Kinds with more marks than this are drawn as a rug of short ticks, not full-height lines.
const MAX_MARK_LINES: usize = 40;

/// Colours of the timeline's marks, by label (fixed, so a kind keeps its colour everywhere).
fn mark_colour(label: &str) -> RGBColor {
    match label {
        "spot notice" => RGBColor(150, 150, 150),
        "spot wave" => RGBColor(110, 40, 150),
        "capacity shortage" => RGBColor(200, 0, 0),
        "zone outage" => RGBColor(0, 0, 0),
        "zone back" => RGBColor(0, 150, 60),
        "rollout" => RGBColor(0, 90, 200),
        "node upgrade" => RGBColor(150, 90, 0),
        "scale-up" => RGBColor(0, 160, 160),
        "node failure" => RGBColor(230, 120, 0),
        "burn-in failed" => RGBColor(120, 120, 0),
        "preemption" => RGBColor(200, 0, 120),
        _ => RGBColor(220, 120, 200),
    }
}

/// Draws a legend (coloured swatch + label per entry) into its own area to the right of a
/// plot, so it never hides data.
fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    top: i32,
    entries: &[(&str, RGBColor, bool)],
) -> Result<(), PlotError> {
    let style = TextStyle::from((FONT, 14).into_font())
        .color(&BLACK)
        .pos(Pos::new(HPos::Left, VPos::Center));
    let note_style = TextStyle::from((FONT, 12).into_font())
        .color(&RGBColor(80, 80, 80))
        .pos(Pos::new(HPos::Left, VPos::Center));
    // An entry "label\nnote" takes a second, smaller line for its note.
    let mut y = top + 10;
    for (label, colour, bar) in entries {
        let (first, note) = match label.split_once('\n') {
            Some((first, note)) => (first, Some(note)),
            None => (*label, None),
        };
        if *bar {
            area.draw(&Rectangle::new([(10, y - 6), (32, y + 6)], colour.filled()))?;
        } else {
            area.draw(&PathElement::new(
                vec![(10, y), (32, y)],
                colour.stroke_width(3),
            ))?;
        }
        area.draw(&Text::new(legend_text(first), (40, y), style.clone()))?;
        if let Some(note) = note {
            y += 16;
            area.draw(&Text::new(legend_note(note), (40, y), note_style.clone()))?;
        }
        y += 22;
    }
    Ok(())
}

/// A legend entry's second line (smaller type), shortened so it fits the legend column.
fn legend_note(note: &str) -> String {
    shortened(note, 30)
}

/// One line panel sharing the time axis; the x description is drawn only when `x_desc` is set.
fn draw_line_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    time: &[f64],
    x_range: (f64, f64),
    panel: &Panel<'_>,
    x_desc: Option<&str>,
) -> Result<(), PlotError> {
    let (w, _) = area.dim_in_pixel();
    let (plot_area, legend_area) = area.split_horizontally(w.saturating_sub(LEGEND_WIDTH));
    let y_range = match panel.y_axis {
        YAxis::Percent => {
            let max = finite_bounds(panel.lines.iter().flat_map(|l| l.values.iter().copied()))
                .map_or(1.0, |(_, hi)| hi);
            (0.0, if max > 1.0 { max * 1.05 } else { 1.0 })
        }
        YAxis::Count => count_range(panel.lines.iter().map(|l| l.values)),
    };
    // Kinds of marks in order of first appearance; frequent ones become a rug (short ticks in
    // a strip of their own above the data), rare ones full-height lines.
    let mut kinds: Vec<(&str, usize)> = Vec::new();
    for &(_, label) in &panel.marks {
        match kinds.iter_mut().find(|(k, _)| *k == label) {
            Some(k) => k.1 += 1,
            None => kinds.push((label, 1)),
        }
    }
    let rugs: Vec<&str> = kinds
        .iter()
        .filter(|(k, n)| *n > MAX_MARK_LINES && !k.starts_with("zone"))
        .map(|(k, _)| *k)
        .collect();
    let data_top = y_range.1;
    let strip = (y_range.1 - y_range.0) * 0.07;
    let y_range = (y_range.0, y_range.1 + strip * rugs.len() as f64);
    let top_margin = 12;
    let mut chart = ChartBuilder::on(&plot_area)
        .margin_top(top_margin)
        .margin_left(8)
        .margin_right(16)
        .margin_bottom(4)
        .x_label_area_size(if x_desc.is_some() { 48 } else { 26 })
        .y_label_area_size(72)
        .build_cartesian_2d(x_range.0..x_range.1, y_range.0..y_range.1)?;

    let x_dec = decimals_for(x_range.1 - x_range.0);
    let y_dec = decimals_for(y_range.1 - y_range.0);
    let x_fmt = move |v: &f64| fmt_tick(*v, x_dec);
    let y_fmt = move |v: &f64| match panel.y_axis {
        YAxis::Percent => format!("{:.0}%", v * 100.0),
        YAxis::Count => fmt_tick(*v, y_dec),
    };
    {
        let mut mesh = chart.configure_mesh();
        mesh.x_labels(12)
            .y_labels(6)
            .bold_line_style(GRID_BOLD)
            .light_line_style(GRID_LIGHT)
            .max_light_lines(4)
            .label_style((FONT, 13))
            .axis_desc_style((FONT, 15))
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&y_fmt)
            .y_desc(panel.y_desc);
        if let Some(desc) = x_desc {
            mesh.x_desc(desc);
        }
        mesh.draw()?;
    }

    // Zone outages as shaded bands from each outage to the next "zone back".
    let mut open: Option<f64> = None;
    for &(t, label) in &panel.marks {
        match (label, open) {
            ("zone outage", None) => open = Some(t),
            ("zone back", Some(start)) => {
                let (a, b) = (start.max(x_range.0), t.min(x_range.1));
                if a < b {
                    chart.draw_series(std::iter::once(Rectangle::new(
                        [(a, y_range.0), (b, y_range.1)],
                        BLACK.mix(0.08).filled(),
                    )))?;
                }
                open = None;
            }
            _ => {}
        }
    }
    // Marks next, so the lines stay on top of them.
    for &(t, label) in &panel.marks {
        if !(t.is_finite() && t >= x_range.0 && t <= x_range.1) {
            continue;
        }
        let (lo, hi) = match rugs.iter().position(|k| *k == label) {
            Some(row) => (
                data_top + strip * (row as f64 + 0.15),
                data_top + strip * (row as f64 + 0.85),
            ),
            None => (y_range.0, data_top),
        };
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(t, lo), (t, hi)],
            mark_colour(label).mix(0.7).stroke_width(1),
        )))?;
    }
    // A line that a later one covers (cpu and memory at the same share, say) says so in the
    // legend, or a reader would think it missing: "(under X)" when covered at every sample,
    // "(mostly under X)" when at 90% of them or more.
    let labels: Vec<String> = panel
        .lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let covered = |other: &[f64]| {
                if other.len() != line.values.len() || other.is_empty() {
                    return 0.0;
                }
                // Samples where neither line is drawn count for nothing.
                let drawn = line
                    .values
                    .iter()
                    .zip(other)
                    .filter(|(x, y)| !(x.is_nan() && y.is_nan()));
                let (same, total) = drawn.fold((0usize, 0usize), |(s, t), (x, y)| {
                    (s + usize::from((*x - *y).abs() <= 1e-9), t + 1)
                });
                if total == 0 {
                    0.0
                } else {
                    same as f64 / total as f64
                }
            };
            let cover = panel.lines[i + 1..]
                .iter()
                .map(|l| (covered(l.values), l.label))
                .filter(|(share, _)| *share >= 0.9)
                // the most covering, the first of equals
                .fold(None, |best: Option<(f64, &str)>, c| match best {
                    Some(b) if b.0 >= c.0 => Some(b),
                    _ => Some(c),
                });
            let note = match cover {
                Some((share, by)) if share >= 1.0 => format!("(under {by})"),
                Some((_, by)) => format!("(mostly under {by})"),
                None => return line.label.to_string(),
            };
            // On the label's line where it fits whole, else on a line of its own.
            if line.label.chars().count() + 1 + note.chars().count() <= 26 {
                format!("{} {note}", line.label)
            } else {
                format!("{}\n{note}", line.label)
            }
        })
        .collect();
    let mut legend = Vec::new();
    for (line, label) in panel.lines.iter().zip(&labels) {
        draw_line(&mut chart, time, line.values, line.colour)?;
        legend.push((label.as_str(), line.colour, false));
    }
    for (k, _) in kinds {
        legend.push((k, mark_colour(k), true));
    }
    draw_legend(&legend_area, top_margin, &legend)?;
    Ok(())
}

type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

fn draw_line<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    time: &[f64],
    values: &[f64],
    colour: RGBColor,
) -> Result<(), PlotError> {
    let points: Vec<(f64, f64)> = time
        .iter()
        .zip(values)
        .map(|(&t, &v)| (t, v))
        .filter(|(t, v)| t.is_finite() && v.is_finite())
        .collect();
    let points = decimate(points, MAX_LINE_POINTS);
    if points.len() == 1 {
        // A line needs two points; show a lone sample as a dot.
        chart.draw_series(std::iter::once(Circle::new(points[0], 4, colour.filled())))?;
    } else {
        // Thick lines join with mitres, which overshoot at every sharp turn of a dense,
        // jagged series and seem to leave the plot: dense series get a thin line.
        let width = if points.len() > 600 { 1 } else { 2 };
        chart.draw_series(LineSeries::new(points, colour.stroke_width(width)))?;
    }
    Ok(())
}

/// Most points one line is drawn with: a chart is about a thousand pixels wide, and an SVG of a
/// run sampled ten million times would otherwise hold every sample (hundreds of megabytes).
const MAX_LINE_POINTS: usize = 4000;

/// At most `max` points (about): above it, consecutive points are grouped into `max / 2`
/// buckets, each drawn by its lowest and highest point in time order, so spikes stay visible.
fn decimate(points: Vec<(f64, f64)>, max: usize) -> Vec<(f64, f64)> {
    if points.len() <= max {
        return points;
    }
    let buckets = (max / 2).max(1);
    let size = points.len().div_ceil(buckets);
    let mut out = Vec::with_capacity(2 * buckets);
    for chunk in points.chunks(size) {
        let lo = chunk.iter().min_by(|a, b| a.1.total_cmp(&b.1)).copied();
        let hi = chunk.iter().max_by(|a, b| a.1.total_cmp(&b.1)).copied();
        if let (Some(lo), Some(hi)) = (lo, hi) {
            let (first, second) = if lo.0 <= hi.0 { (lo, hi) } else { (hi, lo) };
            out.push(first);
            if second != first {
                out.push(second);
            }
        }
    }
    out
}

fn title_style() -> TextStyle<'static> {
    TextStyle::from((FONT, 24).into_font()).color(&BLACK)
}

// ---------------------------------------------------------------------------------------------
// Figures

struct TimelineFigure<'a>(&'a TimelineData);

impl Figure for TimelineFigure<'_> {
    fn size(&self) -> (u32, u32) {
        // Three panels, and one more for each of replicas, ready pods and served share.
        let extra = [
            !self.0.replicas.is_empty(),
            !self.0.deployment_ready.is_empty(),
            !self.0.served.is_empty(),
        ]
        .iter()
        .filter(|&&b| b)
        .count() as u32;
        let zoom = self.startup_zoom().is_some() as u32;
        (1200, 900 + 280 * (extra + zoom))
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let d = self.0;
        root.fill(&WHITE)?;
        let body = root.titled(&d.title, title_style())?;
        let factor = time_unit(x_range_hours(&d.time_hours)).0;
        let marks: Vec<(f64, &str)> = d
            .marks
            .iter()
            .map(|(t, label)| (t * factor, label.as_str()))
            .collect();
        let mut panels = vec![
            Panel {
                y_desc: "ready nodes",
                y_axis: YAxis::Count,
                lines: series_lines(&d.ready_nodes),
                marks: marks
                    .iter()
                    .filter(|m| !POD_MARKS.contains(&m.1))
                    .copied()
                    .collect(),
            },
            Panel {
                y_desc: "pods",
                y_axis: YAxis::Count,
                lines: vec![
                    Line {
                        label: "running",
                        values: &d.pods_running,
                        colour: colour(2),
                    },
                    Line {
                        label: "pending",
                        values: &d.pods_pending,
                        colour: colour(3),
                    },
                ],
                marks: marks
                    .iter()
                    .filter(|m| POD_MARKS.contains(&m.1))
                    .copied()
                    .collect(),
            },
            Panel {
                y_desc: "allocated",
                y_axis: YAxis::Percent,
                lines: vec![
                    Line {
                        label: "CPU",
                        values: &d.cpu_allocated,
                        colour: colour(0),
                    },
                    Line {
                        label: "memory",
                        values: &d.memory_allocated,
                        colour: colour(4),
                    },
                ],
                marks: vec![],
            },
        ];
        if !d.gpu_allocated.is_empty() {
            panels[2].lines.push(Line {
                label: "GPU",
                values: &d.gpu_allocated,
                colour: colour(1),
            });
        }
        if !d.deployment_ready.is_empty() {
            panels.push(Panel {
                y_desc: "ready pods",
                y_axis: YAxis::Count,
                lines: series_lines(&d.deployment_ready),
                marks: vec![],
            });
        }
        if !d.served.is_empty() {
            panels.push(Panel {
                y_desc: "served share",
                y_axis: YAxis::Percent,
                lines: series_lines(&d.served),
                marks: vec![],
            });
        }
        if !d.replicas.is_empty() {
            panels.push(Panel {
                y_desc: "replicas",
                y_axis: YAxis::Count,
                lines: series_lines(&d.replicas),
                marks: vec![],
            });
        }
        let zoom = (!d.deployment_ready.is_empty()).then_some((3, "ready pods (start-up)"));
        draw_stack(&body, &d.time_hours, &panels, zoom)
    }
}

impl TimelineFigure<'_> {
    /// The start-up zoom of the Deployments' ready pods, in minutes, if they need one.
    fn startup_zoom(&self) -> Option<f64> {
        startup_minutes(&self.0.time_hours, &series_lines(&self.0.deployment_ready))
    }
}

/// One line per series, coloured by index.
fn series_lines(series: &[Series]) -> Vec<Line<'_>> {
    series
        .iter()
        .enumerate()
        .map(|(i, s)| Line {
            label: &s.label,
            values: &s.values,
            colour: colour(i),
        })
        .collect()
}

struct VariantTimelinesFigure<'a> {
    title: &'a str,
    time_hours: &'a [f64],
    panels: &'a [VariantPanel],
}

impl Figure for VariantTimelinesFigure<'_> {
    fn size(&self) -> (u32, u32) {
        let zoom = self.zoomed().is_some_and(|(i, _)| {
            startup_minutes(self.time_hours, &series_lines(&self.panels[i].series)).is_some()
        });
        (1200, if zoom { 1000 } else { 750 })
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        root.fill(&WHITE)?;
        let body = root.titled(self.title, title_style())?;
        let panels: Vec<Panel> = self
            .panels
            .iter()
            .map(|p| Panel {
                y_desc: &p.y_desc,
                y_axis: if p.share {
                    YAxis::Percent
                } else {
                    YAxis::Count
                },
                lines: series_lines(&p.series),
                marks: vec![],
            })
            .collect();
        draw_stack(&body, self.time_hours, &panels, self.zoomed())
    }
}

impl VariantTimelinesFigure<'_> {
    /// The panel a start-up zoom would repeat (the first one marked for it) and its zoom's
    /// description.
    fn zoomed(&self) -> Option<(usize, &str)> {
        self.panels
            .iter()
            .enumerate()
            .find_map(|(i, p)| Some((i, p.startup_zoom.as_deref()?)))
    }
}

/// A padded axis range covering `bounds`, widened when it is a single value.
fn padded(bounds: Option<(f64, f64)>, min_width: f64) -> (f64, f64) {
    let (lo, hi) = bounds.unwrap_or((0.0, 1.0));
    let span = hi - lo;
    if span < 1e-12 {
        let half = (lo.abs() * 0.05).max(min_width / 2.0);
        (lo - half, hi + half)
    } else {
        (lo - span * 0.12, hi + span * 0.12)
    }
}

#[cfg(test)]
mod tests;
