//! A sweep's frontier: every cell's mean cost against its availability (or served share),
//! the non-dominated cells joined and labelled, the rest as grey dots.

use super::*;

/// One cell of a sweep.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FrontierPoint {
    pub label: String,
    pub cost: f64,
    pub cost_interval: Option<(f64, f64)>,
    /// A share in 0..=1.
    pub y: f64,
    pub y_interval: Option<(f64, f64)>,
    pub on_frontier: bool,
}

/// Writes `<stem>.png` and `<stem>.svg`. With no points (no cell has the y metric) the chart
/// says so instead.
pub fn frontier(
    stem: &Path,
    title: &str,
    y_desc: &str,
    points: &[FrontierPoint],
) -> Result<(), PlotError> {
    write_both(
        stem,
        &FrontierFigure {
            title,
            y_desc,
            points,
        },
    )
}

struct FrontierFigure<'a> {
    title: &'a str,
    y_desc: &'a str,
    points: &'a [FrontierPoint],
}

/// Labels drawn at most (the frontier's cheapest first); the rest are in frontier.csv.
const MAX_LABELS: usize = 12;

impl Figure for FrontierFigure<'_> {
    fn size(&self) -> (u32, u32) {
        (1200, 750)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        root.fill(&WHITE)?;
        let body = root.titled(
            self.title,
            TextStyle::from((FONT, 20).into_font()).color(&BLACK),
        )?;
        if self.points.is_empty() {
            let style = TextStyle::from((FONT, 18).into_font())
                .color(&BLACK)
                .pos(Pos::new(HPos::Center, VPos::Center));
            let (w, h) = body.dim_in_pixel();
            body.draw(&Text::new(
                "no cell reports availability or a served share (the scenario has no Deployment)",
                (w as i32 / 2, h as i32 / 2),
                style,
            ))?;
            return Ok(());
        }
        let xs = self.points.iter().flat_map(|p| {
            let (lo, hi) = p.cost_interval.unwrap_or((p.cost, p.cost));
            [lo, hi]
        });
        let ys = self.points.iter().flat_map(|p| {
            let (lo, hi) = p.y_interval.unwrap_or((p.y, p.y));
            [lo * 100.0, (hi * 100.0).min(100.0)]
        });
        let x = padded(finite_bounds(xs), 1.0);
        let (ylo, yhi) = padded(finite_bounds(ys), 0.1);
        let y = (ylo.max(0.0), yhi.min(100.0 + (yhi - ylo) * 0.02));
        let zoomed = y.0 > 0.0;
        let mut chart = ChartBuilder::on(&body)
            .margin(16)
            .x_label_area_size(52)
            .y_label_area_size(80)
            .build_cartesian_2d(x.0..x.1, y.0..y.1)?;
        let y_dec = decimals_for(y.1 - y.0);
        let y_label = if zoomed {
            format!(
                "{} (%; axis starts at {}%)",
                self.y_desc,
                fmt_tick(y.0, y_dec)
            )
        } else {
            format!("{} (%)", self.y_desc)
        };
        chart
            .configure_mesh()
            .x_labels(10)
            .y_labels(8)
            .bold_line_style(GRID_BOLD)
            .light_line_style(GRID_LIGHT)
            .max_light_lines(4)
            .label_style((FONT, 13))
            .axis_desc_style((FONT, 15))
            .x_label_formatter(&|v: &f64| fmt_usd(*v))
            .y_label_formatter(&move |v: &f64| format!("{}%", fmt_tick(*v, y_dec)))
            .x_desc("cost (USD, mean over replicates)")
            .y_desc(y_label)
            .draw()?;
        let grey = RGBColor(150, 150, 150);
        let front_colour = colour(3);
        for p in self.points.iter().filter(|p| !p.on_frontier) {
            chart.draw_series(std::iter::once(Circle::new(
                (p.cost, p.y * 100.0),
                3,
                grey.filled(),
            )))?;
        }
        let mut front: Vec<&FrontierPoint> = self.points.iter().filter(|p| p.on_frontier).collect();
        front.sort_by(|a, b| a.cost.total_cmp(&b.cost).then(a.y.total_cmp(&b.y)));
        // Error bars on the frontier only: a cloud of bars would hide the points.
        for p in &front {
            if let Some((lo, hi)) = p.y_interval {
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(p.cost, lo * 100.0), (p.cost, (hi * 100.0).min(y.1))],
                    front_colour.stroke_width(1),
                )))?;
            }
            if let Some((lo, hi)) = p.cost_interval {
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(lo, p.y * 100.0), (hi, p.y * 100.0)],
                    front_colour.stroke_width(1),
                )))?;
            }
        }
        chart.draw_series(LineSeries::new(
            front.iter().map(|p| (p.cost, p.y * 100.0)),
            front_colour.stroke_width(2),
        ))?;
        chart.draw_series(
            front
                .iter()
                .map(|p| Circle::new((p.cost, p.y * 100.0), 5, front_colour.filled())),
        )?;
        // Labels in pixels: each takes the first spot around its point that overlaps no label
        // placed before and stays inside the chart; a label with no free spot is left out.
        let style = TextStyle::from((FONT, 12).into_font()).color(&BLACK);
        let (w, h) = root.dim_in_pixel();
        let mut placed: Vec<(i32, i32, i32, i32)> = Vec::new();
        for p in front.iter().take(MAX_LABELS) {
            let text = short(&p.label);
            let (px, py) = chart.backend_coord(&(p.cost, p.y * 100.0));
            let tw = 7 * text.chars().count() as i32;
            let th = 14;
            let spots = [
                (8, -18),
                (8, 6),
                (-tw - 8, -18),
                (-tw - 8, 6),
                (8, -34),
                (8, 22),
                (-tw - 8, -34),
                (-tw - 8, 22),
            ];
            let free = spots
                .iter()
                .map(|&(dx, dy)| (px + dx, py + dy))
                .find(|&(x, y)| {
                    let r = (x, y, x + tw, y + th);
                    r.0 >= 90
                        && r.2 <= w as i32 - 8
                        && r.1 >= 40
                        && r.3 <= h as i32 - 60
                        && placed
                            .iter()
                            .all(|q| r.2 < q.0 || q.2 < r.0 || r.3 < q.1 || q.3 < r.1)
                });
            if let Some((x, y)) = free {
                placed.push((x, y, x + tw, y + th));
                root.draw(&Text::new(text, (x, y), style.clone()))?;
            }
        }
        Ok(())
    }
}

/// A label of at most 48 characters.
fn short(label: &str) -> String {
    if label.chars().count() <= 48 {
        label.to_string()
    } else {
        let mut s: String = label.chars().take(47).collect();
        s.push('…');
        s
    }
}
