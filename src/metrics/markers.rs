//! What happened, for the timeline's markers: spot notices and waves, capacity shortages, zone
//! outages, rollouts, upgrades and autoscaler actions, each at its time. Kept apart from the
//! summary (which they do not change) and bounded in number.

/// Most markers a run keeps (the first ones; the rest are counted).
pub const MAX_MARKERS: usize = 20_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MarkKind {
    SpotNotice,
    SpotWave,
    CapacityShortage,
    ZoneOutage,
    ZoneRestored,
    Rollout,
    Upgrade,
    ScaleUp,
    ScaleDown,
    NodeFailure,
    BurnInFailure,
    Preemption,
}

impl MarkKind {
    /// The legend's words.
    pub fn label(self) -> &'static str {
        match self {
            MarkKind::SpotNotice => "spot notice",
            MarkKind::SpotWave => "spot wave",
            MarkKind::CapacityShortage => "capacity shortage",
            MarkKind::ZoneOutage => "zone outage",
            MarkKind::ZoneRestored => "zone back",
            MarkKind::Rollout => "rollout",
            MarkKind::Upgrade => "node upgrade",
            MarkKind::ScaleUp => "scale-up",
            MarkKind::ScaleDown => "scale-down",
            MarkKind::NodeFailure => "node failure",
            MarkKind::BurnInFailure => "burn-in failed",
            MarkKind::Preemption => "preemption",
        }
    }

    /// The kind an observation stands for, if any (zone outages and capacity shortages are
    /// marked where they happen).
    pub fn of_observation(what: &super::Observation) -> Option<MarkKind> {
        use super::Observation as O;
        Some(match what {
            O::InterruptionNotice => MarkKind::SpotNotice,
            O::InterruptionWave => MarkKind::SpotWave,
            O::RolloutStarted { .. } => MarkKind::Rollout,
            O::UpgradeStarted { .. } => MarkKind::Upgrade,
            O::AutoscalerScaleUp { .. } => MarkKind::ScaleUp,
            O::AutoscalerNodeRemoved => MarkKind::ScaleDown,
            O::AutoscalerLaunchFailure => MarkKind::CapacityShortage,
            O::NodeFailure => MarkKind::NodeFailure,
            O::BurnInFailure => MarkKind::BurnInFailure,
            _ => return None,
        })
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Markers {
    /// (time in ms, kind), in time order.
    pub marks: Vec<(u64, MarkKind)>,
    /// Markers past [`MAX_MARKERS`] (or past [`MAX_PREEMPTION_MARKERS`]), not kept.
    pub dropped: u64,
    /// Preemption marks kept.
    preemptions: usize,
}

/// Most preemption marks a run keeps, so a preemption-heavy run leaves room for the rarer
/// kinds (spot notices, scale-ups) that are drawn across the nodes panel.
pub const MAX_PREEMPTION_MARKERS: usize = MAX_MARKERS / 4;

impl Markers {
    pub fn add(&mut self, time_ms: u64, kind: MarkKind) {
        if kind == MarkKind::Preemption {
            if self.preemptions >= MAX_PREEMPTION_MARKERS {
                self.dropped += 1;
                return;
            }
            self.preemptions += 1;
        }
        if self.marks.len() < MAX_MARKERS {
            self.marks.push((time_ms, kind));
        } else {
            self.dropped += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_map_to_markers_and_the_count_is_bounded() {
        use super::super::Observation as O;
        assert_eq!(
            MarkKind::of_observation(&O::InterruptionNotice),
            Some(MarkKind::SpotNotice)
        );
        assert_eq!(
            MarkKind::of_observation(&O::AutoscalerNodeRemoved),
            Some(MarkKind::ScaleDown)
        );
        assert_eq!(MarkKind::of_observation(&O::EvictionGranted), None);
        let mut m = Markers::default();
        for t in 0..(MAX_MARKERS as u64 + 5) {
            m.add(t, MarkKind::Rollout);
        }
        assert_eq!((m.marks.len(), m.dropped), (MAX_MARKERS, 5));
        // Preemptions stop at a quarter of the budget (5,000), leaving room for other kinds.
        let mut m = Markers::default();
        for t in 0..6_000 {
            m.add(t, MarkKind::Preemption);
        }
        m.add(7_000, MarkKind::SpotNotice);
        assert_eq!(
            (m.marks.len(), m.dropped),
            (MAX_PREEMPTION_MARKERS + 1, 1_000)
        );
        assert_eq!(m.marks.last(), Some(&(7_000, MarkKind::SpotNotice)));
    }
}
