//! Panels stacked on one time axis, with the start-up zoom ([`super::zoom`]) slotted in after
//! the panel it repeats.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{Line, Panel, PlotError, draw_line_panel, scaled_time, time_range, zoom};

/// Splits `area` into panels of equal plot height, each taller by its entry in `extras` (room
/// for an x-axis description).
fn stack_panels<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    extras: &[u32],
) -> Vec<DrawingArea<DB, Shift>> {
    let (_, h) = area.dim_in_pixel();
    let count = extras.len().max(1) as u32;
    let each = h.saturating_sub(extras.iter().sum()) / count;
    let mut panels = Vec::new();
    let mut rest = area.clone();
    for extra in extras.iter().take(extras.len().saturating_sub(1)) {
        let (top, bottom) = rest.split_vertically(each + extra);
        panels.push(top);
        rest = bottom;
    }
    panels.push(rest);
    panels
}

/// Room below a panel for its x-axis description.
const X_DESC_HEIGHT: u32 = 22;

/// The start-up zoom of `lines`, if [`zoom::startup_window`] finds one: the window in minutes.
pub(super) fn startup_minutes(time_hours: &[f64], lines: &[Line<'_>]) -> Option<f64> {
    let values: Vec<&[f64]> = lines.iter().map(|l| l.values).collect();
    zoom::startup_window(time_hours, &values).map(|h| h * 60.0)
}

/// Draws `panels` stacked on the shared time axis (described under the last one). When panel
/// `zoom.0` has a start-up zoom, a copy of it over the first minutes, on an axis of its own
/// and described as `zoom.1`, follows it.
pub(super) fn draw_stack<DB: DrawingBackend>(
    body: &DrawingArea<DB, Shift>,
    time_hours: &[f64],
    panels: &[Panel<'_>],
    zoom: Option<(usize, &str)>,
) -> Result<(), PlotError> {
    let (time, x_unit) = scaled_time(time_hours);
    let x_range = time_range(&time);
    let zoomed = zoom.and_then(|(i, _)| {
        let minutes = startup_minutes(time_hours, &panels.get(i)?.lines)?;
        Some((i, minutes))
    });
    let zoom_time = zoomed.map(|(_, m)| zoom::window_minutes(time_hours, m / 60.0));
    let zoom_desc = zoomed.map(|(_, m)| format!("simulated time (minutes): the first {m:.0}"));
    let zoom_panel = zoomed.map(|(i, _)| {
        let n = zoom_time.as_ref().map_or(0, Vec::len);
        Panel {
            y_desc: zoom.map_or("", |z| z.1),
            y_axis: panels[i].y_axis,
            lines: panels[i]
                .lines
                .iter()
                .map(|l| Line {
                    label: l.label,
                    values: &l.values[..n.min(l.values.len())],
                    colour: l.colour,
                })
                .collect(),
            marks: vec![],
        }
    });
    /// A panel as stacked: its time values, x range and x description.
    struct Placed<'p, 'a> {
        panel: &'p Panel<'a>,
        time: &'p [f64],
        x_range: (f64, f64),
        x_desc: Option<&'p str>,
    }
    let mut stack = Vec::new();
    for (i, panel) in panels.iter().enumerate() {
        let last = i + 1 == panels.len();
        stack.push(Placed {
            panel,
            time: &time,
            x_range,
            x_desc: last.then_some(x_unit),
        });
        if let (Some((z, minutes)), Some(zp)) = (zoomed, zoom_panel.as_ref())
            && z == i
        {
            stack.push(Placed {
                panel: zp,
                time: zoom_time.as_deref().unwrap_or_default(),
                x_range: (0.0, minutes),
                x_desc: zoom_desc.as_deref(),
            });
        }
    }
    let extras: Vec<u32> = stack
        .iter()
        .map(|s| if s.x_desc.is_some() { X_DESC_HEIGHT } else { 0 })
        .collect();
    let areas = stack_panels(body, &extras);
    for (s, area) in stack.iter().zip(&areas) {
        draw_line_panel(area, s.time, s.x_range, s.panel, s.x_desc)?;
    }
    Ok(())
}
