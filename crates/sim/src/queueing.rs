//! Closed-form queueing results: Erlang B and C, the M/M/c queue in steady
//! state (means, the exact waiting-time and sojourn-time distributions, their
//! quantiles and moments), Pollaczek–Khinchine for M/G/1, and the TTL-cache
//! closed forms.
//!
//! Notation follows `docs/validation.md`: λ arrival rate (1/s), μ service
//! rate of one server (1/s), c servers, a = λ/μ, ρ = a/c, θ = cμ − λ. Times are
//! in seconds. An unstable queue (ρ ≥ 1) has no steady state: the functions
//! say so with [`QueueError::Unstable`] or `None` and never return NaN.
#![deny(missing_docs)]

use core::fmt;

use serde::{Deserialize, Serialize};

use crate::expo;
use crate::latency::Moments;

/// Why a queue has no steady-state answer.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum QueueError {
    /// The offered load is at or above capacity (ρ ≥ 1): the queue grows
    /// without bound. `utilisation` is ρ (possibly +∞).
    Unstable {
        /// ρ = λ / (cμ).
        utilisation: f64,
    },
    /// A rate is negative or not finite, μ is not positive, or c = 0.
    InvalidInput,
}

impl fmt::Display for QueueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QueueError::Unstable { utilisation } => write!(
                f,
                "unstable queue: utilisation {:.3} is at or above 1",
                utilisation
            ),
            QueueError::InvalidInput => write!(f, "invalid queue parameters"),
        }
    }
}

impl std::error::Error for QueueError {}

/// Erlang B blocking probability for `servers` servers and offered load `a`
/// (erlangs), by the stable recursion B₀ = 1, B_k = a·B_{k−1}/(k + a·B_{k−1}).
/// O(c); exact for any c (no factorials, no overflow). A negative or NaN load
/// counts as 0; an infinite load blocks everything (1).
pub fn erlang_b(servers: u32, offered_load: f64) -> f64 {
    let a = offered_load;
    if a.is_nan() || a <= 0.0 {
        return if servers == 0 { 1.0 } else { 0.0 };
    }
    if a.is_infinite() {
        return 1.0;
    }
    let mut b = 1.0_f64;
    for k in 1..=servers {
        let ab = a * b;
        b = ab / (k as f64 + ab);
        if b == 0.0 {
            break;
        }
    }
    b
}

/// Erlang C: the probability that an arrival waits in an M/M/c queue,
/// C = B_c / (1 − ρ(1 − B_c)). `None` if the queue is unstable (a ≥ c) or
/// the input is invalid (c = 0, negative or non-finite load).
pub fn erlang_c(servers: u32, offered_load: f64) -> Option<f64> {
    erlang_c_and_b(servers, offered_load).map(|(c, _)| c)
}

/// [`erlang_c`], and the Erlang B value it was computed from (`None` when
/// it needed none: no load), so that a caller who needs B too (an M/M/c/K
/// queue's blocking) does not run the O(c) recursion again.
fn erlang_c_and_b(servers: u32, offered_load: f64) -> Option<(f64, Option<f64>)> {
    let a = offered_load;
    if servers == 0 || !a.is_finite() || a < 0.0 {
        return None;
    }
    let c = servers as f64;
    if a >= c {
        return None;
    }
    if a == 0.0 {
        return Some((0.0, None));
    }
    let rho = a / c;
    let b = erlang_b(servers, a);
    Some(((b / (1.0 - rho * (1.0 - b))).clamp(0.0, 1.0), Some(b)))
}

/// An M/M/c queue: Poisson arrivals at rate `lambda`, `c` identical servers
/// each completing work at rate `mu`, FCFS, unbounded waiting room.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct MMc {
    /// Arrival rate λ (requests per second).
    pub lambda: f64,
    /// Service rate μ of one server (requests per second).
    pub mu: f64,
    /// Number of servers c.
    pub c: u32,
}

impl MMc {
    /// An M/M/c queue with the given rates and server count.
    pub fn new(lambda: f64, mu: f64, c: u32) -> Self {
        MMc { lambda, mu, c }
    }

    /// Offered load a = λ/μ in erlangs (0 if μ is not positive).
    pub fn offered_load(&self) -> f64 {
        if self.mu > 0.0 && self.lambda > 0.0 {
            self.lambda / self.mu
        } else {
            0.0
        }
    }

    /// Utilisation ρ = λ/(cμ); may be ≥ 1 for an overloaded queue, +∞ with
    /// no capacity and positive load, 0 with no load.
    pub fn utilisation(&self) -> f64 {
        let cap = self.c as f64 * self.mu;
        if self.lambda.is_nan() || self.lambda <= 0.0 {
            0.0
        } else if cap > 0.0 {
            self.lambda / cap
        } else {
            f64::INFINITY
        }
    }

    /// True if the queue has a steady state (ρ < 1 and valid parameters).
    pub fn is_stable(&self) -> bool {
        self.solve().is_ok()
    }

    /// Solves the queue (one O(c) Erlang recursion) and returns its
    /// steady state, or why there is none.
    pub fn solve(&self) -> Result<MMcSolution, QueueError> {
        self.solve_with_erlang_b().map(|(sol, _)| sol)
    }

    /// [`MMc::solve`], and the Erlang B value B(c, λ/μ) it computed on the
    /// way (`None` when it computed none: no load). The engine's M/M/c/K
    /// blocking needs the same B; taking it from here halves the O(c) work
    /// of every tick a queue is solved, with the same bits.
    pub(crate) fn solve_with_erlang_b(&self) -> Result<(MMcSolution, Option<f64>), QueueError> {
        let MMc { lambda, mu, c } = *self;
        if c == 0 || !lambda.is_finite() || lambda < 0.0 || !mu.is_finite() || mu <= 0.0 {
            return Err(QueueError::InvalidInput);
        }
        let capacity = c as f64 * mu;
        let rho = lambda / capacity;
        let theta = capacity - lambda;
        if rho >= 1.0 || theta <= 0.0 {
            return Err(QueueError::Unstable { utilisation: rho });
        }
        let (wait_probability, b) =
            erlang_c_and_b(c, lambda / mu).ok_or(QueueError::Unstable { utilisation: rho })?;
        Ok((
            MMcSolution {
                lambda,
                mu,
                c,
                rho,
                theta,
                wait_probability,
            },
            b,
        ))
    }
}

/// The steady state of a stable M/M/c queue ([`MMc::solve`]).
///
/// The wait W_q is 0 with probability 1 − C and Exp(θ) with probability C;
/// the time in system is T = W_q + S with S ~ Exp(μ) independent.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct MMcSolution {
    lambda: f64,
    mu: f64,
    c: u32,
    rho: f64,
    theta: f64,
    wait_probability: f64,
}

impl MMcSolution {
    /// A sojourn of the M/M/c shape, T = W + S with W = 0 with probability
    /// 1 − `wait_probability` and Exp(`theta`) otherwise, S ~ Exp(μ): the
    /// engine's stand-in for a wait whose mean and variance it knows (a
    /// draining backlog's) but that is no M/M/c steady state.
    pub(crate) fn with_wait(
        lambda: f64,
        mu: f64,
        c: u32,
        wait_probability: f64,
        theta: f64,
    ) -> Self {
        let capacity = c as f64 * mu;
        MMcSolution {
            lambda,
            mu,
            c,
            rho: if capacity > 0.0 {
                lambda / capacity
            } else {
                0.0
            },
            theta,
            wait_probability,
        }
    }

    /// The queue this solves.
    pub fn queue(&self) -> MMc {
        MMc::new(self.lambda, self.mu, self.c)
    }

    /// Utilisation ρ = λ/(cμ), in [0, 1).
    pub fn utilisation(&self) -> f64 {
        self.rho
    }

    /// θ = cμ − λ, the rate of the conditional wait (1/s).
    pub fn theta(&self) -> f64 {
        self.theta
    }

    /// Probability of waiting, C (Erlang C).
    pub fn wait_probability(&self) -> f64 {
        self.wait_probability
    }

    /// Mean wait in queue, W_q = C/θ (seconds).
    pub fn mean_wait(&self) -> f64 {
        self.wait_probability / self.theta
    }

    /// Mean time in system, W = W_q + 1/μ (seconds).
    pub fn mean_time(&self) -> f64 {
        self.mean_wait() + 1.0 / self.mu
    }

    /// Mean number waiting, L_q = λ·W_q.
    pub fn mean_queue_length(&self) -> f64 {
        self.lambda * self.mean_wait()
    }

    /// Mean number in system, L = λ·W.
    pub fn mean_in_system(&self) -> f64 {
        self.lambda * self.mean_time()
    }

    /// Variance of the wait: C(2 − C)/θ².
    pub fn wait_variance(&self) -> f64 {
        let c = self.wait_probability;
        c * (2.0 - c) / (self.theta * self.theta)
    }

    /// Mean and variance of the wait in queue.
    pub fn wait_moments(&self) -> Moments {
        Moments::new(self.mean_wait(), self.wait_variance())
    }

    /// Variance of the time in system: Var T = 1/μ² + C(2 − C)/θ²
    /// (S and W_q independent; E\[W_q\] = C/θ, E\[W_q²\] = 2C/θ²).
    pub fn time_variance(&self) -> f64 {
        1.0 / (self.mu * self.mu) + self.wait_variance()
    }

    /// Mean and variance of the time in system, as a latency hop.
    pub fn time_moments(&self) -> Moments {
        Moments::new(self.mean_time(), self.time_variance())
    }

    /// P(W_q > t) = C·e^{−θt} for t ≥ 0 (1 for t < 0).
    pub fn wait_survival(&self, t: f64) -> f64 {
        if t.is_nan() || t < 0.0 {
            return 1.0;
        }
        self.wait_probability * libm::exp(-self.theta * t)
    }

    /// The p-quantile of the wait: 0 if p ≤ 1 − C, else ln(C/(1−p))/θ;
    /// +∞ for p ≥ 1.
    pub fn wait_quantile(&self, p: f64) -> f64 {
        if p.is_nan() || 1.0 - p >= self.wait_probability {
            return 0.0;
        }
        if p >= 1.0 {
            return f64::INFINITY;
        }
        libm::log(self.wait_probability / (1.0 - p)) / self.theta
    }

    /// P(T > t) = (1−C)e^{−μt} + C(θe^{−μt} − μe^{−θt})/(θ−μ), evaluated in a
    /// form that is stable as θ → μ (where it becomes C·e^{−μt}(1+μt)) and
    /// for θ ≪ μ. (Inline: a latency sketch evaluates it at every one of
    /// its knots, and a call would spill the knot loop's registers.)
    #[inline(always)]
    pub fn time_survival(&self, t: f64) -> f64 {
        if t.is_nan() || t <= 0.0 {
            return 1.0;
        }
        let c = self.wait_probability;
        let (mu, theta) = (self.mu, self.theta);
        // (θe^{−μt} − μe^{−θt})/(θ−μ) = e^{−lo·t}(1 + lo·t·g((hi−lo)t)),
        // with lo = min(μ,θ), hi = max(μ,θ), g(x) = (1 − e^{−x})/x.
        let (lo, hi) = if mu <= theta {
            (mu, theta)
        } else {
            (theta, mu)
        };
        // (The exponentials from `expo`: a latency sketch evaluates this
        // at every one of its knots.)
        let g = expo::one_minus_exp_neg_over((hi - lo) * t);
        let e_mu = expo::exp_nonpositive(-mu * t);
        // (The same exponential when μ is the smaller rate, as it usually
        // is: θ = cμ − λ.)
        let e_lo = if lo == mu {
            e_mu
        } else {
            expo::exp_nonpositive(-lo * t)
        };
        let second = e_lo * (1.0 + lo * t * g);
        ((1.0 - c) * e_mu + c * second).clamp(0.0, 1.0)
    }

    /// P(T ≤ t).
    pub fn time_cdf(&self, t: f64) -> f64 {
        1.0 - self.time_survival(t)
    }

    /// The p-quantile of the time in system, by bisection on
    /// [`time_survival`](Self::time_survival) (relative precision 1e-12);
    /// 0 for p ≤ 0, +∞ for p ≥ 1.
    pub fn time_quantile(&self, p: f64) -> f64 {
        quantile_by_bisection(p, self.mean_time(), |t| self.time_survival(t))
    }
}

/// An M/G/1 queue: Poisson arrivals at rate `lambda`, one server with a
/// general service time of mean `mean_service` (seconds) and squared
/// coefficient of variation `scv` (0 deterministic, 1 exponential).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct MG1 {
    /// Arrival rate λ (requests per second).
    pub lambda: f64,
    /// Mean service time E\[S\] (seconds).
    pub mean_service: f64,
    /// Squared coefficient of variation of the service time, C_s².
    pub scv: f64,
}

impl MG1 {
    /// An M/G/1 queue.
    pub fn new(lambda: f64, mean_service: f64, scv: f64) -> Self {
        MG1 {
            lambda,
            mean_service,
            scv,
        }
    }

    /// Utilisation ρ = λ·E\[S\].
    pub fn utilisation(&self) -> f64 {
        let r = self.lambda * self.mean_service;
        if r.is_nan() || r < 0.0 {
            0.0
        } else {
            r
        }
    }

    /// Mean wait by Pollaczek–Khinchine: W_q = E\[S\]·ρ(1 + C_s²) / (2(1 − ρ)).
    pub fn mean_wait(&self) -> Result<f64, QueueError> {
        let MG1 {
            lambda,
            mean_service,
            scv,
        } = *self;
        let valid = |x: f64| x.is_finite() && x >= 0.0;
        if !(valid(lambda) && valid(mean_service) && valid(scv)) {
            return Err(QueueError::InvalidInput);
        }
        let rho = lambda * mean_service;
        if rho >= 1.0 {
            return Err(QueueError::Unstable { utilisation: rho });
        }
        Ok(mean_service * rho * (1.0 + scv) / (2.0 * (1.0 - rho)))
    }

    /// Mean time in system, W = W_q + E\[S\].
    pub fn mean_time(&self) -> Result<f64, QueueError> {
        Ok(self.mean_wait()? + self.mean_service)
    }

    /// Mean number waiting, L_q = λ·W_q.
    pub fn mean_queue_length(&self) -> Result<f64, QueueError> {
        Ok(self.lambda * self.mean_wait()?)
    }
}

/// The p-quantile of a time whose survival function is `survival` and
/// whose mean is `mean`, by bisection (relative precision 1e-12): 0 for
/// p ≤ 0, +∞ for p ≥ 1 or when the survival never falls to 1 − p. The
/// search starts at the mean and doubles until it brackets the quantile.
pub(crate) fn quantile_by_bisection(p: f64, mean: f64, survival: impl Fn(f64) -> f64) -> f64 {
    if p.is_nan() || p <= 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    let target = 1.0 - p;
    let mut lo = 0.0;
    let mut hi = mean.max(f64::MIN_POSITIVE);
    while survival(hi) > target {
        lo = hi;
        hi *= 2.0;
        if !hi.is_finite() {
            return f64::INFINITY;
        }
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if hi - lo <= 1e-12 * hi || mid <= lo || mid >= hi {
            break;
        }
        if survival(mid) > target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// Hit ratio of one object in a TTL cache under Poisson requests at
/// `request_rate` (1/s) with the TTL `ttl` (s) started on a miss:
/// λT / (1 + λT). 0 for no traffic or no TTL.
pub fn ttl_hit_ratio(request_rate: f64, ttl: f64) -> f64 {
    let x = request_rate * ttl;
    if x.is_nan() || x <= 0.0 {
        0.0
    } else if x.is_infinite() {
        1.0
    } else {
        x / (1.0 + x)
    }
}

/// Origin (miss) request rate of one object in a TTL cache:
/// λ / (1 + λT) — one miss per TTL cycle of mean T + 1/λ.
pub fn ttl_origin_rate(request_rate: f64, ttl: f64) -> f64 {
    if request_rate.is_nan() || request_rate <= 0.0 {
        return 0.0;
    }
    let ttl = if ttl.is_nan() || ttl < 0.0 { 0.0 } else { ttl };
    request_rate / (1.0 + request_rate * ttl)
}

/// Share of responses that are stale when content changes every
/// `update_interval` seconds (U) and a cache keeps copies for `ttl` seconds
/// (T) without purge: T/(2U) for T ≤ U, 1 − U/(2T) for T > U (a copy
/// fetched at a uniform phase is stale from the next update until it expires).
pub fn stale_share_without_purge(ttl: f64, update_interval: f64) -> f64 {
    if ttl.is_nan() || ttl <= 0.0 {
        return 0.0;
    }
    if update_interval.is_nan() || update_interval <= 0.0 {
        return 1.0;
    }
    let share = if ttl <= update_interval {
        ttl / (2.0 * update_interval)
    } else {
        1.0 - update_interval / (2.0 * ttl)
    };
    share.clamp(0.0, 1.0)
}

/// Mean age of a cached copy served without purge, T/2 (at most T).
pub fn mean_age_without_purge(ttl: f64) -> f64 {
    if ttl.is_nan() || ttl <= 0.0 {
        0.0
    } else {
        0.5 * ttl
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erlang_edge_cases() {
        assert_eq!(erlang_b(0, 5.0), 1.0);
        assert_eq!(erlang_b(3, 0.0), 0.0);
        assert_eq!(erlang_b(3, f64::NAN), 0.0);
        assert_eq!(erlang_b(3, f64::INFINITY), 1.0);
        assert_eq!(erlang_c(0, 1.0), None);
        assert_eq!(erlang_c(4, 4.0), None);
        assert_eq!(erlang_c(4, 0.0), Some(0.0));
        // M/M/1: C = ρ.
        let c = erlang_c(1, 0.8).unwrap();
        assert!((c - 0.8).abs() < 1e-15);
        // Huge c does not overflow.
        let c = erlang_c(100_000, 99_000.0).unwrap();
        assert!(c.is_finite() && (0.0..=1.0).contains(&c));
    }

    #[test]
    fn unstable_and_invalid_queues_are_typed() {
        assert_eq!(
            MMc::new(100.0, 100.0, 1).solve(),
            Err(QueueError::Unstable { utilisation: 1.0 })
        );
        assert!(matches!(
            MMc::new(500.0, 100.0, 4).solve(),
            Err(QueueError::Unstable { .. })
        ));
        assert_eq!(MMc::new(1.0, 0.0, 4).solve(), Err(QueueError::InvalidInput));
        assert_eq!(MMc::new(1.0, 1.0, 0).solve(), Err(QueueError::InvalidInput));
        assert_eq!(
            MMc::new(f64::NAN, 1.0, 1).solve(),
            Err(QueueError::InvalidInput)
        );
        assert_eq!(MMc::new(1.0, 0.0, 4).utilisation(), f64::INFINITY);
        assert!(MG1::new(100.0, 0.01, 1.0).mean_wait().is_err());
    }

    #[test]
    fn near_saturation_stays_finite() {
        for eps in [1e-3, 1e-6, 1e-9, 1e-12] {
            let q = MMc::new(100.0 * (1.0 - eps), 100.0, 1).solve().unwrap();
            let w = q.mean_time();
            assert!(w.is_finite() && w > 0.0);
            let p95 = q.time_quantile(0.95);
            // M/M/1: T ~ Exp(μ − λ).
            let exact = -libm::log(0.05) / q.theta();
            assert!(
                (p95 / exact - 1.0).abs() < 1e-6,
                "eps={eps}: {p95} vs {exact}"
            );
            assert!(q.time_variance().is_finite());
        }
        let q = MMc::new(100_000.0 * (1.0 - 1e-9), 1.0, 100_000)
            .solve()
            .unwrap();
        assert!(q.time_quantile(0.99).is_finite());
    }

    #[test]
    fn theta_equal_mu_is_continuous() {
        // c = 2, μ = 100, λ = 100 ⇒ θ = 100 = μ.
        let q = MMc::new(100.0, 100.0, 2).solve().unwrap();
        let c = q.wait_probability();
        for t in [0.001, 0.01, 0.05, 0.2] {
            let expected =
                (1.0 - c) * libm::exp(-100.0 * t) + c * libm::exp(-100.0 * t) * (1.0 + 100.0 * t);
            assert!((q.time_survival(t) - expected).abs() < 1e-12);
            // Slightly off θ = μ agrees too.
            let q2 = MMc::new(100.0 + 1e-7, 100.0, 2).solve().unwrap();
            assert!((q2.time_survival(t) - expected).abs() < 1e-8);
        }
    }

    #[test]
    fn cache_closed_forms() {
        assert!((ttl_hit_ratio(10.0, 60.0) - 600.0 / 601.0).abs() < 1e-15);
        assert!((ttl_origin_rate(10.0, 60.0) - 10.0 / 601.0).abs() < 1e-15);
        assert_eq!(ttl_hit_ratio(0.0, 60.0), 0.0);
        assert_eq!(stale_share_without_purge(60.0, 600.0), 0.05);
        assert_eq!(
            stale_share_without_purge(3600.0, 600.0),
            1.0 - 600.0 / 7200.0
        );
        assert_eq!(mean_age_without_purge(60.0), 30.0);
    }
}
