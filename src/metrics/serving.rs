//! Served load: what share of a Deployment's requests its ready pods can serve.
//!
//! At time t the Deployment receives rps(t) requests per second and its ready pods can serve
//! ready(t) × per_pod; the served share is min(1, ready × per_pod / rps). Between two instants
//! `ready` is constant, so the integrals are exact: piecewise constant curves sum rectangles,
//! and the diurnal cosine is integrated in closed form between the times where it crosses the
//! capacity.

use std::f64::consts::TAU;

use crate::scenario::{LoadCurve, LoadSpec};
use crate::time::SimTime;

const DAY_S: f64 = 86_400.0;

/// The served-load integrals of one Deployment.
#[derive(Clone, Debug)]
pub struct Serving {
    load: LoadSpec,
    pub totals: Integrals,
}

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Integrals {
    /// ∫ rps dt, in requests.
    pub requested: f64,
    /// ∫ min(rps, capacity) dt, in requests.
    pub served: f64,
    /// Time with served share < 1, in seconds.
    pub degraded_s: f64,
}

impl Serving {
    pub fn new(load: &LoadSpec) -> Self {
        Serving {
            load: load.clone(),
            totals: Integrals::default(),
        }
    }

    /// Requests per second at `t`.
    pub fn rps_at(&self, t: SimTime) -> f64 {
        rps_at(&self.load.requests_per_second, t)
    }

    /// The cpu utilization of each ready pod at `t`: rps ÷ (ready × per_pod), what a pod's
    /// cpu request is busy with (above 1 when the pods cannot keep up; `None` with no ready
    /// pod). The HPA reads this.
    pub fn utilization_at(&self, t: SimTime, ready: u32) -> Option<f64> {
        (ready > 0).then(|| self.rps_at(t) / (ready as f64 * self.load.per_pod))
    }

    /// Served share at `t` with `ready` pods.
    pub fn share_at(&self, t: SimTime, ready: u32) -> f64 {
        share(self.rps_at(t), ready as f64 * self.load.per_pod)
    }

    /// Accumulates `[from, to)` with `ready` pods throughout.
    pub fn advance(&mut self, from: SimTime, to: SimTime, ready: u32) {
        if to <= from {
            return;
        }
        let capacity = ready as f64 * self.load.per_pod;
        let (a, b) = (from.as_secs_f64(), to.as_secs_f64());
        let acc = &mut self.totals;
        match &self.load.requests_per_second {
            LoadCurve::Constant(r) => acc.add_flat(*r, capacity, b - a),
            LoadCurve::Steps(steps) => {
                // The step in force at `from`, then each step that starts before `to`.
                let mut i = steps.partition_point(|(at, _)| *at <= from);
                let mut rate = if i == 0 { 0.0 } else { steps[i - 1].1 };
                let mut t = a;
                while i < steps.len() && steps[i].0 < to {
                    let next = steps[i].0.as_secs_f64();
                    acc.add_flat(rate, capacity, next - t);
                    t = next;
                    rate = steps[i].1;
                    i += 1;
                }
                acc.add_flat(rate, capacity, b - t);
            }
            LoadCurve::Diurnal {
                mean,
                amplitude,
                peak,
            } => acc.add_diurnal(*mean, *amplitude, peak.as_secs_f64(), capacity, a, b),
        }
    }

    /// Request-weighted served share over the run so far (`None` before any request).
    pub fn served_fraction(&self) -> Option<f64> {
        let t = &self.totals;
        (t.requested > 0.0).then(|| (t.served / t.requested).min(1.0))
    }
}

impl Integrals {
    fn add_flat(&mut self, rps: f64, capacity: f64, dt: f64) {
        if dt <= 0.0 {
            return;
        }
        self.requested += rps * dt;
        self.served += rps.min(capacity) * dt;
        if rps > capacity {
            self.degraded_s += dt;
        }
    }

    /// rps(t) = m (1 + A cos(ω (t − p))) over [a, b].
    fn add_diurnal(&mut self, m: f64, amp: f64, p: f64, capacity: f64, a: f64, b: f64) {
        let omega = TAU / DAY_S;
        // ∫ rps over [x, y].
        let integral = |x: f64, y: f64| {
            m * ((y - x) + amp / omega * ((omega * (y - p)).sin() - (omega * (x - p)).sin()))
        };
        self.requested += integral(a, b);
        if m == 0.0 || amp == 0.0 {
            let rps = m;
            self.served += rps.min(capacity) * (b - a);
            if rps > capacity {
                self.degraded_s += b - a;
            }
            return;
        }
        // rps(t) > capacity ⇔ cos(ω(t − p)) > c.
        let c = (capacity / m - 1.0) / amp;
        if c >= 1.0 {
            self.served += integral(a, b);
            return;
        }
        if c < -1.0 {
            self.served += capacity * (b - a);
            self.degraded_s += b - a;
            return;
        }
        // Crossings: ω(t − p) = ±θ0 + 2πk.
        let theta0 = c.acos();
        let mut cuts = vec![a, b];
        let k_lo = ((omega * (a - p) - theta0) / TAU).floor() as i64 - 1;
        let k_hi = ((omega * (b - p) + theta0) / TAU).ceil() as i64 + 1;
        for k in k_lo..=k_hi {
            for sign in [-1.0, 1.0] {
                let t = p + (sign * theta0 + TAU * k as f64) / omega;
                if t > a && t < b {
                    cuts.push(t);
                }
            }
        }
        cuts.sort_by(f64::total_cmp);
        for w in cuts.windows(2) {
            let (x, y) = (w[0], w[1]);
            if y <= x {
                continue;
            }
            let mid = 0.5 * (x + y);
            if (omega * (mid - p)).cos() > c {
                self.served += capacity * (y - x);
                self.degraded_s += y - x;
            } else {
                self.served += integral(x, y);
            }
        }
    }
}

/// min(1, capacity / rps), 1 with no load.
pub fn share(rps: f64, capacity: f64) -> f64 {
    if rps <= 0.0 {
        1.0
    } else {
        (capacity / rps).min(1.0)
    }
}

/// Requests per second of `curve` at `t`.
pub fn rps_at(curve: &LoadCurve, t: SimTime) -> f64 {
    curve.rps_at(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utilization_is_rps_over_what_the_ready_pods_serve() {
        // 600 rps on 10 pods of 50 rps each: 600 / 500 = 1.2; on 24 pods: 0.5.
        let s = Serving::new(&LoadSpec {
            requests_per_second: LoadCurve::Constant(600.0),
            per_pod: 50.0,
        });
        assert_eq!(s.utilization_at(SimTime::ZERO, 10), Some(1.2));
        assert_eq!(s.utilization_at(SimTime::ZERO, 24), Some(0.5));
        assert_eq!(s.utilization_at(SimTime::ZERO, 0), None);
        // The served share caps at 1: 500 of 600 served by 10 pods.
        assert!((s.share_at(SimTime::ZERO, 10) - 500.0 / 600.0).abs() < 1e-12);
        assert_eq!(s.share_at(SimTime::ZERO, 24), 1.0);
    }
}
