//! The fluid backlog of an overloaded service (`docs/model.md`, "How a
//! tick works"; `docs/validation.md`, case Q7).
//!
//! At or above capacity a service is modelled as a fluid queue carried across
//! ticks: Q ← clip(Q + (λ − cμ)Δt, 0, Q_max). What does not fit under Q_max is
//! dropped. The backlog feeds the next tick as an effective utilisation
//! ρ_eff = (λ + Q/Δt)/(cμ) and a queueing delay ≈ Q/(cμ).
//!
//! Conservation holds per step: arrivals = served + dropped + (Q′ − Q), up to
//! f64 rounding.
#![deny(missing_docs)]

use serde::{Deserialize, Serialize};

/// A fluid backlog with an upper limit (requests).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct FluidQueue {
    backlog: f64,
    max_backlog: f64,
}

/// What happened during one [`FluidQueue::step`] (all in requests, except
/// `delay` in seconds and `utilisation`, a fraction).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FluidStep {
    /// Requests that arrived during the step, λΔt.
    pub arrivals: f64,
    /// Requests served during the step, min(Q + λΔt, cμΔt).
    pub served: f64,
    /// Requests dropped because the backlog would exceed its limit.
    pub dropped: f64,
    /// The backlog at the end of the step, Q′ ∈ [0, Q_max].
    pub backlog: f64,
    /// Queueing delay a request arriving next tick sees from the backlog,
    /// Q′/(cμ) (seconds; +∞ with a backlog and no capacity).
    pub delay: f64,
    /// Share of the step's capacity used, served/(cμΔt) (1 with no capacity
    /// and work waiting, 0 with neither).
    pub utilisation: f64,
}

impl FluidQueue {
    /// An empty backlog limited to `max_backlog` requests (`f64::INFINITY`
    /// for no limit; a negative or NaN limit counts as 0).
    pub fn new(max_backlog: f64) -> Self {
        FluidQueue {
            backlog: 0.0,
            max_backlog: non_negative(max_backlog),
        }
    }

    /// A backlog that already holds `backlog` requests (clipped to the limit).
    pub fn with_backlog(backlog: f64, max_backlog: f64) -> Self {
        let max_backlog = non_negative(max_backlog);
        FluidQueue {
            backlog: non_negative(backlog).min(max_backlog),
            max_backlog,
        }
    }

    /// The current backlog Q (requests).
    pub fn backlog(&self) -> f64 {
        self.backlog
    }

    /// The limit Q_max (requests).
    pub fn max_backlog(&self) -> f64 {
        self.max_backlog
    }

    /// Changes the limit; a backlog above the new limit is kept until the
    /// next step, which drops the excess.
    pub fn set_max_backlog(&mut self, max_backlog: f64) {
        self.max_backlog = non_negative(max_backlog);
    }

    /// Advances by `dt` seconds with arrivals at `arrival_rate` (1/s) and
    /// service capacity `capacity_rate` = cμ (1/s):
    /// Q′ = clip(Q + (λ − cμ)Δt, 0, Q_max). Negative or NaN inputs count as 0.
    pub fn step(&mut self, arrival_rate: f64, capacity_rate: f64, dt: f64) -> FluidStep {
        let dt = non_negative(dt);
        let capacity_rate = non_negative(capacity_rate);
        let arrivals = non_negative(arrival_rate) * dt;
        let capacity = capacity_rate * dt;
        let available = self.backlog + arrivals;
        let served = available.min(capacity);
        let remaining = available - served;
        let backlog = remaining.min(self.max_backlog);
        let dropped = remaining - backlog;
        self.backlog = backlog;
        let utilisation = if capacity > 0.0 {
            (served / capacity).min(1.0)
        } else if available > 0.0 {
            1.0
        } else {
            0.0
        };
        FluidStep {
            arrivals,
            served,
            dropped,
            backlog,
            delay: backlog_delay(backlog, capacity_rate),
            utilisation,
        }
    }

    /// ρ_eff = (λ + Q/Δt)/(cμ) for the coming tick of length `dt` with
    /// arrivals at `arrival_rate`.
    pub fn effective_utilisation(&self, arrival_rate: f64, capacity_rate: f64, dt: f64) -> f64 {
        effective_utilisation(arrival_rate, self.backlog, capacity_rate, dt)
    }

    /// Queueing delay from the backlog, Q/(cμ) (seconds).
    pub fn delay(&self, capacity_rate: f64) -> f64 {
        backlog_delay(self.backlog, capacity_rate)
    }
}

/// ρ_eff = (λ + Q/Δt)/(cμ): the utilisation a tick sees when it must also
/// work off a carried backlog Q. +∞ with work and no capacity, 0 with neither;
/// with Δt = 0 the backlog is ignored.
pub fn effective_utilisation(arrival_rate: f64, backlog: f64, capacity_rate: f64, dt: f64) -> f64 {
    let dt = non_negative(dt);
    let carried = if dt > 0.0 {
        non_negative(backlog) / dt
    } else {
        0.0
    };
    let load = non_negative(arrival_rate) + carried;
    let capacity_rate = non_negative(capacity_rate);
    if capacity_rate > 0.0 {
        load / capacity_rate
    } else if load > 0.0 {
        f64::INFINITY
    } else {
        0.0
    }
}

/// Queueing delay a new arrival sees behind a backlog of `backlog` requests
/// served at `capacity_rate` = cμ: Q/(cμ) seconds (+∞ with a backlog and no
/// capacity, 0 with no backlog).
pub fn backlog_delay(backlog: f64, capacity_rate: f64) -> f64 {
    let q = non_negative(backlog);
    let cap = non_negative(capacity_rate);
    if q <= 0.0 {
        0.0
    } else if cap > 0.0 {
        q / cap
    } else {
        f64::INFINITY
    }
}

fn non_negative(x: f64) -> f64 {
    if x > 0.0 {
        x
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn below_capacity_serves_everything() {
        let mut q = FluidQueue::new(f64::INFINITY);
        let s = q.step(800.0, 1000.0, 1.0);
        assert_eq!(s.served, 800.0);
        assert_eq!(s.backlog, 0.0);
        assert_eq!(s.dropped, 0.0);
        assert_eq!(s.delay, 0.0);
        assert!((s.utilisation - 0.8).abs() < 1e-15);
    }

    #[test]
    fn overload_builds_then_drops() {
        let mut q = FluidQueue::new(300.0);
        let s = q.step(1200.0, 1000.0, 1.0);
        assert_eq!((s.served, s.backlog, s.dropped), (1000.0, 200.0, 0.0));
        assert!((q.effective_utilisation(1200.0, 1000.0, 1.0) - 1.4).abs() < 1e-15);
        assert!((q.delay(1000.0) - 0.2).abs() < 1e-15);
        let s = q.step(1200.0, 1000.0, 1.0);
        assert_eq!((s.served, s.backlog, s.dropped), (1000.0, 300.0, 100.0));
    }

    #[test]
    fn no_capacity_is_infinite_delay_not_nan() {
        let mut q = FluidQueue::new(f64::INFINITY);
        let s = q.step(10.0, 0.0, 1.0);
        assert_eq!(s.backlog, 10.0);
        assert_eq!(s.delay, f64::INFINITY);
        assert_eq!(s.utilisation, 1.0);
        assert_eq!(effective_utilisation(0.0, 0.0, 0.0, 1.0), 0.0);
        assert_eq!(effective_utilisation(1.0, 0.0, 0.0, 1.0), f64::INFINITY);
        let s = FluidQueue::new(5.0).step(f64::NAN, f64::NAN, f64::NAN);
        assert_eq!(s, FluidStep::default());
    }
}
