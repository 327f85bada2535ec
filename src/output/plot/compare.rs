//! `compare`'s charts: cost against availability per variant, and cost by capacity type.

use super::*;

/// Writes `<stem>.png` and `<stem>.svg`: cost (x) against availability (y), one labelled point
/// per variant with error bars in both directions.
pub fn cost_vs_availability(
    stem: &Path,
    title: &str,
    points: &[VariantPoint],
) -> Result<(), PlotError> {
    write_both(stem, &ScatterFigure { title, points })
}

/// Writes `<stem>.png` and `<stem>.svg`: one stacked bar per variant, one colour per capacity
/// type (in order of first appearance), with the total above each bar.
pub fn cost_breakdown(stem: &Path, title: &str, rows: &[CostBreakdown]) -> Result<(), PlotError> {
    write_both(stem, &BreakdownFigure { title, rows })
}

struct ScatterFigure<'a> {
    title: &'a str,
    points: &'a [VariantPoint],
}

impl Figure for ScatterFigure<'_> {
    fn size(&self) -> (u32, u32) {
        (1100, 750)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        root.fill(&WHITE)?;
        let body = root.titled(self.title, title_style())?;
        // Variants that all land on one point make a scatter of one dot: say so in a table.
        if self.points.len() > 1
            && self.points.windows(2).all(|w| {
                (w[0].cost - w[1].cost).abs() < 0.005
                    && (w[0].availability - w[1].availability).abs() < 1e-6
            })
        {
            let p = &self.points[0];
            let style = TextStyle::from((FONT, 18).into_font()).color(&BLACK);
            let mut lines = vec![format!(
                "All {} variants coincide: cost {}, availability after start-up {:.3}%",
                self.points.len(),
                fmt_usd(p.cost),
                p.availability * 100.0
            )];
            lines.push(String::new());
            lines.extend(self.points.iter().map(|v| {
                format!(
                    "{}: {}, {:.3}%",
                    legend_text(&v.variant),
                    fmt_usd(v.cost),
                    v.availability * 100.0
                )
            }));
            for (i, l) in lines.iter().enumerate() {
                body.draw(&Text::new(
                    l.clone(),
                    (60, 60 + 30 * i as i32),
                    style.clone(),
                ))?;
            }
            return Ok(());
        }
        let (w, _) = body.dim_in_pixel();
        let (plot_area, legend_area) = body.split_horizontally(w.saturating_sub(LEGEND_WIDTH));

        let finite = |p: &&VariantPoint| p.cost.is_finite() && p.availability.is_finite();
        let xs = self
            .points
            .iter()
            .filter(finite)
            .flat_map(|p| [p.cost, p.cost_lo, p.cost_hi]);
        let ys = self
            .points
            .iter()
            .filter(finite)
            .flat_map(|p| [p.availability, p.avail_lo, p.avail_hi]);
        let x_range = padded(finite_bounds(xs), 1.0);
        let y_range = padded(finite_bounds(ys), 0.001);

        let mut chart = ChartBuilder::on(&plot_area)
            .margin(16)
            .x_label_area_size(50)
            .y_label_area_size(80)
            .build_cartesian_2d(x_range.0..x_range.1, y_range.0..y_range.1)?;
        let x_dec = decimals_for(x_range.1 - x_range.0);
        let y_dec = decimals_for((y_range.1 - y_range.0) * 100.0);
        let x_fmt = move |v: &f64| format!("${v:.x_dec$}");
        let y_fmt = move |v: &f64| format!("{:.y_dec$}%", v * 100.0);
        // Zoomed axes say so, so a gap of 0.2 points does not read as a cliff.
        let x_desc = if x_range.0 > 0.0 {
            format!("total cost (USD; axis starts at {})", x_fmt(&x_range.0))
        } else {
            "total cost (USD)".to_string()
        };
        let y_desc = if y_range.0 > 0.0 {
            format!(
                "availability after start-up (axis starts at {})",
                y_fmt(&y_range.0)
            )
        } else {
            "availability after start-up".to_string()
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
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&y_fmt)
            .x_desc(x_desc)
            .y_desc(y_desc)
            .draw()?;

        let label_style = TextStyle::from((FONT, 14).into_font())
            .color(&BLACK)
            .pos(Pos::new(HPos::Left, VPos::Bottom));
        let mut legend = Vec::new();
        for (i, p) in self.points.iter().enumerate() {
            if !finite(&p) {
                continue;
            }
            let c = colour(i);
            let style = c.stroke_width(2);
            let (x, y) = (p.cost, p.availability);
            if p.cost_lo.is_finite() && p.cost_hi.is_finite() {
                chart.draw_series([PathElement::new(
                    vec![(p.cost_lo, y), (p.cost_hi, y)],
                    style,
                )])?;
                for end in [p.cost_lo, p.cost_hi] {
                    chart.draw_series(std::iter::once(
                        EmptyElement::at((end, y)) + PathElement::new(vec![(0, -6), (0, 6)], style),
                    ))?;
                }
            }
            if p.avail_lo.is_finite() && p.avail_hi.is_finite() {
                chart.draw_series([PathElement::new(
                    vec![(x, p.avail_lo), (x, p.avail_hi)],
                    style,
                )])?;
                for end in [p.avail_lo, p.avail_hi] {
                    chart.draw_series(std::iter::once(
                        EmptyElement::at((x, end)) + PathElement::new(vec![(-6, 0), (6, 0)], style),
                    ))?;
                }
            }
            chart.draw_series(std::iter::once(
                EmptyElement::at((x, y))
                    + Circle::new((0, 0), 6, c.filled())
                    + Text::new(p.variant.clone(), (8, -6), label_style.clone()),
            ))?;
            legend.push((p.variant.as_str(), c, false));
        }
        draw_legend(&legend_area, 16, &legend)?;
        Ok(())
    }
}

struct BreakdownFigure<'a> {
    title: &'a str,
    rows: &'a [CostBreakdown],
}

impl Figure for BreakdownFigure<'_> {
    fn size(&self) -> (u32, u32) {
        (1100, 750)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        root.fill(&WHITE)?;
        let body = root.titled(self.title, title_style())?;
        let (w, _) = body.dim_in_pixel();
        let (plot_area, legend_area) = body.split_horizontally(w.saturating_sub(LEGEND_WIDTH));

        // Capacity types in order of first appearance, so colours are stable.
        let mut types: Vec<&str> = Vec::new();
        for row in self.rows {
            for (t, _) in &row.by_type {
                if !types.contains(&t.as_str()) {
                    types.push(t);
                }
            }
        }
        let amount = |v: f64| if v.is_finite() { v.max(0.0) } else { 0.0 };
        let totals: Vec<f64> = self
            .rows
            .iter()
            .map(|r| r.by_type.iter().map(|(_, v)| amount(*v)).sum())
            .collect();
        let max_total = totals.iter().copied().fold(0.0, f64::max);
        let y_max = if max_total > 0.0 {
            max_total * 1.12
        } else {
            1.0
        };

        // Bars sit at x = 0, 1, …; their names are drawn under the axis by hand, since the
        // numeric axis would not put its ticks exactly under the bars.
        let n = self.rows.len().max(1);
        let mut chart = ChartBuilder::on(&plot_area)
            .margin(16)
            .x_label_area_size(50)
            .y_label_area_size(80)
            .build_cartesian_2d(-0.5..n as f64 - 0.5, 0.0..y_max)?;
        let y_dec = if y_max >= 50.0 { 0 } else { 2 };
        let y_fmt = move |v: &f64| format!("${v:.y_dec$}");
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(0)
            .y_labels(8)
            .bold_line_style(GRID_BOLD)
            .light_line_style(GRID_LIGHT)
            .max_light_lines(4)
            .label_style((FONT, 14))
            .axis_desc_style((FONT, 15))
            .y_label_formatter(&y_fmt)
            .x_desc("variant")
            .y_desc("cost (USD)")
            .draw()?;
        let name_style = TextStyle::from((FONT, 14).into_font())
            .color(&BLACK)
            .pos(Pos::new(HPos::Center, VPos::Top));
        for (ri, row) in self.rows.iter().enumerate() {
            chart.draw_series(std::iter::once(
                EmptyElement::at((ri as f64, 0.0))
                    + Text::new(row.variant.clone(), (0, 8), name_style.clone()),
            ))?;
        }

        const HALF_BAR: f64 = 0.3;
        for (ti, t) in types.iter().enumerate() {
            let c = colour(ti);
            let mut bars = Vec::new();
            for (ri, row) in self.rows.iter().enumerate() {
                // Stack in capacity-type order: the base is the sum of earlier types.
                let base: f64 = types[..ti]
                    .iter()
                    .map(|earlier| value_of(row, earlier, amount))
                    .sum();
                let v = value_of(row, t, amount);
                if v <= 0.0 {
                    continue;
                }
                let x = ri as f64;
                bars.push(Rectangle::new(
                    [(x - HALF_BAR, base), (x + HALF_BAR, base + v)],
                    c.filled(),
                ));
            }
            chart.draw_series(bars)?;
        }
        let total_style = TextStyle::from((FONT, 14).into_font())
            .color(&BLACK)
            .pos(Pos::new(HPos::Center, VPos::Bottom));
        for (ri, total) in totals.iter().enumerate() {
            chart.draw_series(std::iter::once(
                EmptyElement::at((ri as f64, *total))
                    + Text::new(fmt_usd(*total), (0, -4), total_style.clone()),
            ))?;
        }
        let legend: Vec<(&str, RGBColor, bool)> = types
            .iter()
            .enumerate()
            .map(|(i, t)| (*t, colour(i), true))
            .collect();
        draw_legend(&legend_area, 16, &legend)?;
        Ok(())
    }
}

/// Sum of a row's amounts for one capacity type (a type may appear more than once).
fn value_of(row: &CostBreakdown, ty: &str, amount: impl Fn(f64) -> f64) -> f64 {
    row.by_type
        .iter()
        .filter(|(t, _)| t == ty)
        .map(|(_, v)| amount(*v))
        .sum()
}
