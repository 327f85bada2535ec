//! The saturation experiment's figure: GPU allocation against arrived workload, one line per
//! policy (the FGD paper's Fig. 9a), beside a zoom on the saturated end where the policies
//! part, with the published means as open circles.

use super::*;

/// Data for [`allocation`]: per policy, its (arrived %, allocated %) means and the published
/// points to compare with (may be empty).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AllocationCurve {
    pub title: String,
    #[allow(clippy::type_complexity)]
    pub series: Vec<(String, Vec<(f64, f64)>, Vec<(f64, f64)>)>,
}

/// Writes `<stem>.png` and `<stem>.svg`.
pub fn allocation(stem: &Path, data: &AllocationCurve) -> Result<(), PlotError> {
    write_both(stem, &AllocationFigure(data))
}

struct AllocationFigure<'a>(&'a AllocationCurve);

/// Where the zoom panel starts (arrived %).
const ZOOM_FROM: f64 = 80.0;

impl Figure for AllocationFigure<'_> {
    fn size(&self) -> (u32, u32) {
        (1400, 650)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let d = self.0;
        root.fill(&WHITE)?;
        let body = root.titled(
            &d.title,
            TextStyle::from((FONT, 20).into_font()).color(&BLACK),
        )?;
        let (w, _) = body.dim_in_pixel();
        let (charts, legend_area) = body.split_horizontally(w.saturating_sub(LEGEND_WIDTH));
        let (cw, _) = charts.dim_in_pixel();
        let (left, right) = charts.split_horizontally(cw * 9 / 20);
        let x_max = d
            .series
            .iter()
            .flat_map(|s| s.1.iter().map(|p| p.0))
            .fold(100.0f64, f64::max);
        panel(
            &left,
            d,
            (0.0, x_max),
            (0.0, 100.0),
            false,
            "GPU allocated (% of capacity)",
        )?;
        // The zoom's y range covers every line and published point past ZOOM_FROM.
        let zoomed = d.series.iter().flat_map(|s| {
            s.1.iter()
                .chain(s.2.iter())
                .filter(|p| p.0 >= ZOOM_FROM)
                .map(|p| p.1)
        });
        let (lo, hi) = finite_bounds(zoomed).unwrap_or((0.0, 100.0));
        let pad = ((hi - lo) * 0.08).max(0.5);
        panel(
            &right,
            d,
            (ZOOM_FROM, x_max),
            ((lo - pad).max(0.0), (hi + pad).min(100.0)),
            true,
            "GPU allocated (%), zoom",
        )?;
        let mut legend: Vec<(&str, RGBColor, bool)> = d
            .series
            .iter()
            .enumerate()
            .map(|(i, s)| (s.0.as_str(), colour(i), false))
            .collect();
        let any_published = d.series.iter().any(|s| !s.2.is_empty());
        legend_entries(&legend_area, &mut legend, any_published)?;
        Ok(())
    }
}

fn legend_entries<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &mut [(&str, RGBColor, bool)],
    published: bool,
) -> Result<(), PlotError> {
    draw_legend(area, 20, entries)?;
    if published {
        let y = 20 + 10 + 22 * entries.len() as i32 + 8;
        area.draw(&Circle::new((21, y), 5, BLACK.stroke_width(2)))?;
        let style = TextStyle::from((FONT, 14).into_font())
            .color(&BLACK)
            .pos(Pos::new(HPos::Left, VPos::Center));
        area.draw(&Text::new("published mean", (40, y), style))?;
    }
    Ok(())
}

fn panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    d: &AllocationCurve,
    x: (f64, f64),
    y: (f64, f64),
    show_published: bool,
    y_desc: &str,
) -> Result<(), PlotError> {
    let mut chart = ChartBuilder::on(area)
        .margin(14)
        .x_label_area_size(48)
        .y_label_area_size(64)
        .build_cartesian_2d(x.0..x.1, y.0..y.1)?;
    let y_dec = decimals_for(y.1 - y.0);
    chart
        .configure_mesh()
        .x_labels(10)
        .y_labels(8)
        .bold_line_style(GRID_BOLD)
        .light_line_style(GRID_LIGHT)
        .max_light_lines(4)
        .label_style((FONT, 13))
        .axis_desc_style((FONT, 15))
        .x_label_formatter(&|v: &f64| format!("{v:.0}%"))
        .y_label_formatter(&move |v: &f64| format!("{}%", fmt_tick(*v, y_dec)))
        .x_desc("arrived GPU request (% of capacity)")
        .y_desc(y_desc)
        .draw()?;
    for (i, (_, points, published)) in d.series.iter().enumerate() {
        let c = colour(i);
        let inside: Vec<(f64, f64)> = points
            .iter()
            .copied()
            .filter(|p| p.0 >= x.0 && p.0 <= x.1 && p.1.is_finite())
            .collect();
        chart.draw_series(LineSeries::new(inside, c.stroke_width(2)))?;
        if show_published {
            chart.draw_series(
                published
                    .iter()
                    .filter(|p| p.0 >= x.0 && p.0 <= x.1 && p.1 >= y.0 && p.1 <= y.1)
                    .map(|&p| Circle::new(p, 6, c.stroke_width(2))),
            )?;
        }
    }
    Ok(())
}
