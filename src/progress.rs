//! Progress reporting for long runs, for the CLI only.
//!
//! This is the only module that reads the wall clock: simulation results never depend on it.
//! A bar appears on stderr only when stderr is a terminal and the run has already lasted more
//! than a second, so short runs, pipes, CI logs and tests stay silent.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long a run must last before a bar is shown.
const SHOW_AFTER: Duration = Duration::from_secs(1);
/// Minimum wall-clock time between bar refreshes.
const REFRESH_EVERY: Duration = Duration::from_millis(100);

/// Reports how far a run has got in simulated time.
pub struct Progress {
    total_sim_ms: u64,
    label: String,
    /// False when the bar can never be shown; then `update` does nothing at all.
    enabled: bool,
    started: Instant,
    show_after: Duration,
    hidden_target: bool,
    bar: Option<ProgressBar>,
    last_refresh: Instant,
    sim_ms: u64,
}

impl Progress {
    /// A reporter for a run of `total_sim_ms` simulated milliseconds; `label` prefixes the bar
    /// (e.g. the scenario name).
    pub fn new(total_sim_ms: u64, label: &str) -> Self {
        Self::with_options(
            total_sim_ms,
            label,
            std::io::stderr().is_terminal(),
            SHOW_AFTER,
            false,
        )
    }

    fn with_options(
        total_sim_ms: u64,
        label: &str,
        enabled: bool,
        show_after: Duration,
        hidden_target: bool,
    ) -> Self {
        let now = Instant::now();
        Progress {
            total_sim_ms,
            label: label.to_string(),
            enabled,
            started: now,
            show_after,
            hidden_target,
            bar: None,
            last_refresh: now,
            sim_ms: 0,
        }
    }

    /// Records that the simulation has reached `sim_ms`. Cheap enough to call every few
    /// thousand events: the bar is redrawn at most every 100 ms of wall-clock time.
    pub fn update(&mut self, sim_ms: u64) {
        if !self.enabled {
            return;
        }
        self.sim_ms = sim_ms;
        let now = Instant::now();
        match &self.bar {
            Some(bar) => {
                if now.duration_since(self.last_refresh) >= REFRESH_EVERY {
                    self.last_refresh = now;
                    refresh(bar, sim_ms, self.total_sim_ms);
                }
            }
            None => {
                if now.duration_since(self.started) > self.show_after {
                    self.last_refresh = now;
                    let bar = self.make_bar();
                    refresh(&bar, sim_ms, self.total_sim_ms);
                    self.bar = Some(bar);
                }
            }
        }
    }

    /// Removes the bar, if one was shown.
    pub fn finish(mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }

    fn make_bar(&self) -> ProgressBar {
        let target = if self.hidden_target {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        };
        let bar = ProgressBar::with_draw_target(Some(self.total_sim_ms.max(1)), target);
        let style = ProgressStyle::with_template(
            "{prefix} [{elapsed_precise}] {wide_bar} {percent:>3}% {msg} (eta {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        bar.set_style(style);
        bar.set_prefix(self.label.clone());
        bar
    }
}

impl Drop for Progress {
    /// A run that ends early (e.g. on an error) does not leave a stale bar behind.
    fn drop(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

fn refresh(bar: &ProgressBar, sim_ms: u64, total_sim_ms: u64) {
    bar.set_position(sim_ms.min(total_sim_ms.max(1)));
    bar.set_message(format!(
        "sim {} / {}",
        fmt_sim(sim_ms),
        fmt_sim(total_sim_ms)
    ));
}

/// Simulated time for humans: minutes, hours or days.
fn fmt_sim(ms: u64) -> String {
    const MIN: u64 = 60_000;
    const HOUR: u64 = 60 * MIN;
    if ms < HOUR {
        format!("{:.1} min", ms as f64 / MIN as f64)
    } else if ms < 72 * HOUR {
        format!("{:.1} h", ms as f64 / HOUR as f64)
    } else {
        format!("{:.1} d", ms as f64 / (24 * HOUR) as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn silent_when_disabled() {
        let mut p = Progress::with_options(1000, "run", false, Duration::ZERO, true);
        for t in 0..1000 {
            p.update(t);
        }
        assert!(p.bar.is_none());
        p.finish();
    }

    #[test]
    fn no_bar_before_the_delay() {
        let mut p = Progress::with_options(1000, "run", true, Duration::from_secs(3600), true);
        p.update(10);
        assert!(p.bar.is_none());
        p.finish();
    }

    #[test]
    fn bar_appears_lazily_and_tracks_position() {
        let mut p = Progress::with_options(1000, "run", true, Duration::ZERO, true);
        std::thread::sleep(Duration::from_millis(2));
        p.update(250);
        let bar = p.bar.clone().expect("bar created after the delay");
        assert_eq!(bar.position(), 250);
        assert_eq!(bar.length(), Some(1000));
        // Past the end is clamped; zero-length runs do not divide by zero.
        p.last_refresh -= REFRESH_EVERY;
        p.update(5000);
        assert_eq!(bar.position(), 1000);
        p.finish();
        assert!(bar.is_finished());

        let mut z = Progress::with_options(0, "empty", true, Duration::ZERO, true);
        std::thread::sleep(Duration::from_millis(2));
        z.update(0);
        drop(z);
    }

    #[test]
    fn public_constructor_is_quiet_for_short_runs() {
        let mut p = Progress::new(10, "quick");
        p.update(5);
        assert!(p.bar.is_none(), "no bar within the first second");
        p.finish();
    }

    #[test]
    fn sim_time_formatting() {
        assert_eq!(fmt_sim(90_000), "1.5 min");
        assert_eq!(fmt_sim(2 * 3_600_000), "2.0 h");
        assert_eq!(fmt_sim(30 * 24 * 3_600_000), "30.0 d");
    }
}
