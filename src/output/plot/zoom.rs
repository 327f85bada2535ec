//! A start-up zoom: when Deployments come up in the first minutes of a long run and then hold,
//! the whole-run axis squeezes the part worth reading into a few pixels, so the timeline adds
//! a panel of the same lines over the first minutes only.

/// Round lengths a zoomed axis may end at, in minutes.
const NICE_MINUTES: [f64; 16] = [
    1.0, 2.0, 3.0, 5.0, 10.0, 15.0, 20.0, 30.0, 45.0, 60.0, 90.0, 120.0, 180.0, 240.0, 360.0, 480.0,
];

/// Fewest samples a zoom window may hold.
pub(super) const MIN_SAMPLES: usize = 8;

/// The window a start-up zoom covers, in hours (from the axis start), or `None` when the lines
/// need none. A zoom is drawn when every line first reaches its highest value within the first
/// tenth of the run, holds it for at least 95% of the samples after that (brief dips, such as a
/// crash-looping pod's, are allowed), and the window, a round number of minutes about a quarter
/// longer than the slowest line's rise, is at most a quarter of the run and holds at least
/// [`MIN_SAMPLES`] samples (a window of two samples would draw a made-up straight rise).
///
/// Lines that never move (a fixed node count) have nothing to zoom into and are ignored; when
/// every line is flat there is no zoom.
pub(super) fn startup_window(time_hours: &[f64], lines: &[&[f64]]) -> Option<f64> {
    let (&start, &end) = (time_hours.first()?, time_hours.last()?);
    let span = end - start;
    if !(span.is_finite() && span > 0.0) {
        return None;
    }
    let mut slowest: Option<f64> = None;
    for values in lines {
        let n = values.len().min(time_hours.len());
        let values = &values[..n];
        let max = values
            .iter()
            .copied()
            .filter(|v| v.is_finite())
            .fold(f64::NEG_INFINITY, f64::max);
        let Some(first) = values.iter().position(|&v| v >= max) else {
            continue;
        };
        if first == 0 {
            continue; // at its highest from the start: flat or only falling
        }
        let rise = time_hours[first] - start;
        let after = &values[first..];
        let held = after.iter().filter(|&&v| v >= max).count();
        if rise > span / 10.0 || (held as f64) < 0.95 * after.len() as f64 {
            return None;
        }
        slowest = Some(slowest.map_or(rise, |s: f64| s.max(rise)));
    }
    let wanted_minutes = slowest? * 60.0 * 1.25;
    let minutes = NICE_MINUTES
        .iter()
        .copied()
        .find(|&m| m >= wanted_minutes)?;
    let hours = minutes / 60.0;
    let samples = window_minutes(time_hours, hours).len();
    (hours <= span / 4.0 && samples >= MIN_SAMPLES).then_some(hours)
}

/// The samples of `time_hours` inside `0..=window` from the axis start, as minutes.
pub(super) fn window_minutes(time_hours: &[f64], window_hours: f64) -> Vec<f64> {
    let start = time_hours.first().copied().unwrap_or(0.0);
    time_hours
        .iter()
        .take_while(|&&t| t - start <= window_hours + 1e-9)
        .map(|t| (t - start) * 60.0)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Samples every `step` hours over `span` hours.
    fn axis(step: f64, span: f64) -> Vec<f64> {
        (0..=((span / step).round() as usize))
            .map(|i| i as f64 * step)
            .collect()
    }

    #[test]
    fn a_quick_start_in_a_long_run_gets_a_round_window() {
        // 6 h sampled every 1 min (361 samples). One line rises to 8 at minute 10 and holds;
        // another rises to 3 at minute 4. The slowest rise is 10 min; 10 × 1.25 = 12.5 min,
        // rounded up to 15 min = 0.25 h, well under a quarter of 6 h.
        let t = axis(1.0 / 60.0, 6.0);
        let slow: Vec<f64> = (0..t.len())
            .map(|i| if i >= 10 { 8.0 } else { 0.0 })
            .collect();
        let fast: Vec<f64> = (0..t.len())
            .map(|i| if i >= 4 { 3.0 } else { 1.0 })
            .collect();
        let w = startup_window(&t, &[&slow, &fast]).unwrap();
        assert!((w - 0.25).abs() < 1e-12, "{w}");
        // The window's samples: minutes 0..=15, 16 of them.
        let m = window_minutes(&t, w);
        assert_eq!(m.len(), 16);
        assert!((m[15] - 15.0).abs() < 1e-9);
    }

    #[test]
    fn brief_dips_are_allowed_but_a_line_that_keeps_moving_is_not() {
        let t = axis(1.0 / 60.0, 6.0);
        // Up at minute 10, then a dip of one sample every hour: 6 dips in 351 samples (98%).
        let dips: Vec<f64> = (0..t.len())
            .map(|i| if i < 10 || i % 60 == 30 { 7.0 } else { 8.0 })
            .collect();
        assert!(startup_window(&t, &[&dips]).is_some());
        // Half the time below its top after the rise: no zoom.
        let moving: Vec<f64> = (0..t.len())
            .map(|i| if i < 10 || i % 2 == 0 { 7.0 } else { 8.0 })
            .collect();
        assert_eq!(startup_window(&t, &[&moving]), None);
    }

    #[test]
    fn no_zoom_for_flat_lines_slow_rises_or_short_runs() {
        let t = axis(1.0 / 60.0, 6.0);
        let flat = vec![4.0; t.len()];
        assert_eq!(startup_window(&t, &[&flat]), None);
        // A rise at 1 h is past a tenth of 6 h (36 min).
        let late: Vec<f64> = (0..t.len())
            .map(|i| if i >= 60 { 8.0 } else { 0.0 })
            .collect();
        assert_eq!(startup_window(&t, &[&late]), None);
        // A 12 min run sampled every 15 s, rising at 1 min (a twelfth): 1.25 min rounds up
        // to 2 min, under 12 / 4 = 3 min, so a zoom. Every line already at its top at the
        // first sample (a dying line, say) has none.
        let short = axis(0.25 / 60.0, 12.0 / 60.0);
        let rise: Vec<f64> = (0..short.len())
            .map(|i| if i >= 4 { 1.0 } else { 0.0 })
            .collect();
        assert_eq!(startup_window(&short, &[&rise]), Some(2.0 / 60.0));
        let falling: Vec<f64> = rise.iter().map(|v| 1.0 - v).collect();
        assert_eq!(startup_window(&short, &[&falling]), None);
        // Sampled every 15 min over 14 days, a rise by the first sample would get a 20 min
        // window holding 2 samples: too few to draw, so no zoom.
        let sparse = axis(0.25, 14.0 * 24.0);
        let up: Vec<f64> = (0..sparse.len())
            .map(|i| if i >= 1 { 9.0 } else { 0.0 })
            .collect();
        assert_eq!(startup_window(&sparse, &[&up]), None);
        assert_eq!(startup_window(&[], &[]), None);
    }
}
