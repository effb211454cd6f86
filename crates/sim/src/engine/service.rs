//! Service nodes (API, database, cache, serverless) as queues.
//!
//! Below capacity a node is an M/M/c queue in steady state at the tick's
//! arrival rate (the pointwise-stationary approximation of Green & Kolesar):
//! latency is the exact M/M/c time in system, a finite waiting room blocks
//! at the M/M/c/K rate (Erlang B when it holds no one), and requests whose
//! time in system passes the timeout fail. At or above capacity, or while a
//! backlog is left over, the node is a fluid queue carried across ticks
//! (Q ← clip(Q + (λ − cμ)Δt, 0, Q_max), [`crate::fluid`]); requests that do
//! not fit under Q_max, which is the smaller of the queue limit and what the
//! servers can clear before the timeout, fail. The c servers are never
//! merged into one fast server: capacity is cμ but each request still takes
//! 1/μ.

use crate::fluid::FluidQueue;
use crate::latency::Moments;
use crate::queueing::{erlang_b, MMc, MMcSolution};

use super::sketch::Dist;

/// What a queue did in one tick (requests, except where noted).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct QueueTick {
    /// Requests answered in time.
    pub served: f64,
    /// Requests refused, dropped or timed out.
    pub errors: f64,
    /// Backlog left at the end of the tick.
    pub backlog: f64,
    /// Share of server time in use, 0–1.
    pub utilisation: f64,
    /// Time in system of the requests answered (seconds), as moments.
    pub moments: Moments,
    /// The same as a distribution when it is known exactly (`None`: use a
    /// lognormal fitted to `moments`).
    pub dist: Option<Dist>,
}

/// The queue inputs that do not change from tick to tick.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct QueueParams {
    /// Mean service time, seconds.
    pub service_s: f64,
    /// Squared coefficient of variation of the service time.
    pub scv: f64,
    /// Most requests that may wait (not in service).
    pub queue_limit: f64,
    /// A request that has been in the system this long fails, seconds.
    pub timeout_s: f64,
}

/// One service queue: the fluid backlog plus a memo of the last M/M/c
/// solves.
#[derive(Clone, Debug)]
pub(crate) struct Queue {
    fluid: FluidQueue,
    /// Variance of the backlog (requests²): a backlogged queue drifts like
    /// a random walk whose variance grows by λ + cμ per second (Poisson
    /// arrivals, exponential services while every server is busy).
    var: f64,
    /// The last few steady-state ticks (a noisy arrival rate comes back
    /// to a count it had a few ticks ago, and a solve runs the O(c)
    /// Erlang recursion), and the next entry to replace.
    memo: Vec<Memo>,
    memo_next: usize,
    /// Whether the memo is used (off in the engine's reference run).
    remember: bool,
    /// Steady-state ticks answered from the memo (a fast-path count).
    pub(crate) memo_hits: u32,
}

/// Steady-state ticks a queue remembers.
const QUEUE_MEMO: usize = 16;

/// A steady-state tick, reused when the inputs repeat exactly.
#[derive(Clone, Copy, Debug)]
struct Memo {
    lambda: u64,
    servers: u32,
    params: [u64; 4],
    out: QueueTick,
}

impl Queue {
    pub(crate) fn new() -> Self {
        Queue {
            fluid: FluidQueue::new(f64::INFINITY),
            var: 0.0,
            memo: Vec::new(),
            memo_next: 0,
            remember: true,
            memo_hits: 0,
        }
    }

    /// Uses the memo of steady-state ticks (`true`, the default) or solves
    /// every tick (the engine's reference run).
    pub(crate) fn set_memo(&mut self, on: bool) {
        self.remember = on;
        self.memo.clear();
        self.memo_next = 0;
    }

    /// Exchanges the remembered steady-state ticks with `other`'s (see
    /// `run_in_step` in `branch.rs`): a memo holds only what a solve would
    /// compute, so either gives the same ticks.
    pub(crate) fn swap_memo(&mut self, other: &mut Queue) {
        std::mem::swap(&mut self.memo, &mut other.memo);
        std::mem::swap(&mut self.memo_next, &mut other.memo_next);
    }

    /// The backlog now.
    #[cfg(test)]
    pub(crate) fn backlog(&self) -> f64 {
        self.fluid.backlog()
    }

    /// True with nothing queued (the next tick depends only on its inputs).
    pub(crate) fn is_idle(&self) -> bool {
        self.fluid.backlog() <= 0.0 && self.var == 0.0
    }

    /// Drops the backlog (the node went down); returns how many requests
    /// were in it.
    pub(crate) fn drop_backlog(&mut self) -> f64 {
        let q = self.fluid.backlog();
        let limit = self.fluid.max_backlog();
        self.fluid = FluidQueue::new(limit);
        self.var = 0.0;
        q
    }

    /// The steady state at `lambda` with `servers` servers, and the
    /// M/M/c/K blocking probability.
    fn solve(lambda: f64, servers: u32, p: &QueueParams) -> Option<(MMcSolution, f64)> {
        let mu = 1.0 / p.service_s;
        // The solve's Erlang B is the one the blocking needs (the same
        // servers and load λ/μ): computed once.
        let (sol, b) = MMc::new(lambda, mu, servers).solve_with_erlang_b().ok()?;
        let block = blocking_with(servers, lambda / mu, p.queue_limit, b);
        Some((sol, block))
    }

    /// One tick of a node that may be down: down, it drops its backlog and
    /// every arrival and dropped request is an error; up, [`Queue::step`].
    pub(crate) fn step_or_fail(
        &mut self,
        down: bool,
        lambda: f64,
        servers: u32,
        p: &QueueParams,
    ) -> QueueTick {
        if down {
            let dropped = self.drop_backlog();
            QueueTick {
                errors: lambda + dropped,
                ..Default::default()
            }
        } else {
            self.step(lambda, servers, p)
        }
    }

    /// Advances one tick (Δt = 1 s) with `lambda` arrivals and `servers`
    /// servers.
    pub(crate) fn step(&mut self, lambda: f64, servers: u32, p: &QueueParams) -> QueueTick {
        let lambda = if lambda.is_finite() && lambda > 0.0 {
            lambda
        } else {
            0.0
        };
        let mu = 1.0 / p.service_s;
        let cap = f64::from(servers) * mu;
        let q0 = self.fluid.backlog();
        if servers == 0 || !(cap > 0.0) {
            // No server at all: everything waiting or arriving fails.
            self.fluid = FluidQueue::new(0.0);
            self.var = 0.0;
            return QueueTick {
                errors: lambda + q0,
                utilisation: if lambda > 0.0 { 1.0 } else { 0.0 },
                ..QueueTick::default()
            };
        }
        if q0 <= 0.0 && lambda < cap {
            if lambda == 0.0 {
                return QueueTick {
                    moments: Moments::exponential(p.service_s),
                    dist: Some(Dist::Sojourn {
                        shift: 0.0,
                        queue: None,
                        mu,
                    }),
                    ..QueueTick::default()
                };
            }
            let key = [
                p.service_s.to_bits(),
                p.scv.to_bits(),
                p.queue_limit.to_bits(),
                p.timeout_s.to_bits(),
            ];
            let lambda_bits = lambda.to_bits();
            if let Some(m) = self
                .memo
                .iter()
                .find(|m| m.lambda == lambda_bits && m.servers == servers && m.params == key)
            {
                self.memo_hits += 1;
                return m.out;
            }
            if let Some((sol, block)) = Queue::solve(lambda, servers, p) {
                let admitted = lambda * (1.0 - block);
                // Waiting scales with (1 + C_s²)/2 (Allen–Cunneen; exact
                // Pollaczek–Khinchine for one server).
                let k = 0.5 * (1.0 + p.scv);
                let wait = sol.wait_moments();
                let moments = Moments::new(
                    k * wait.mean + p.service_s,
                    k * k * wait.variance + p.scv * p.service_s * p.service_s,
                );
                let exact = (p.scv - 1.0).abs() < 1e-12;
                let dist = if exact {
                    Some(Dist::Sojourn {
                        shift: 0.0,
                        queue: Some(sol),
                        mu,
                    })
                } else {
                    None
                };
                let late = if exact {
                    sol.time_survival(p.timeout_s)
                } else {
                    lognormal_tail(moments, p.timeout_s)
                };
                let served = admitted * (1.0 - late);
                let out = QueueTick {
                    served,
                    errors: lambda - served,
                    backlog: 0.0,
                    utilisation: (admitted / cap).min(1.0),
                    moments,
                    dist,
                };
                let m = Memo {
                    lambda: lambda_bits,
                    servers,
                    params: key,
                    out,
                };
                if !self.remember {
                    // The reference run keeps nothing.
                } else if self.memo.len() < QUEUE_MEMO {
                    self.memo.push(m);
                } else {
                    self.memo[self.memo_next] = m;
                    self.memo_next = (self.memo_next + 1) % QUEUE_MEMO;
                }
                return out;
            }
        }
        // Fluid: overloaded, or a backlog is draining.
        let q_max = p.queue_limit.min(p.timeout_s * cap).max(0.0);
        self.fluid.set_max_backlog(q_max);
        let s = self.fluid.step(lambda, cap, 1.0);
        let service = Moments::new(p.service_s, p.scv * p.service_s * p.service_s);
        // The backlog's spread: it grows while the queue is backlogged and
        // vanishes when it empties or is pinned at its limit.
        let var_before = self.var;
        self.var = if s.backlog > 0.0 && s.backlog < q_max {
            var_before + lambda + cap
        } else {
            0.0
        };
        let (moments, dist, late) = if s.backlog > 0.0 || lambda >= cap {
            // Backlogged all tick: every arrival waits behind the backlog
            // (mid-tick value, with its spread) and then is served.
            let d = 0.5 * (q0 + s.backlog) / cap;
            let var_d = 0.5 * (var_before + self.var) / (cap * cap);
            let moments = Moments::new(d, var_d) + service;
            let late = if p.timeout_s <= d {
                1.0
            } else {
                libm::exp(-(p.timeout_s - d) / p.service_s)
            };
            let dist = if var_d > 0.0 || (p.scv - 1.0).abs() > 1e-12 {
                None
            } else {
                Some(Dist::Sojourn {
                    shift: d,
                    queue: None,
                    mu,
                })
            };
            (moments, dist, late)
        } else {
            // The backlog drains at t₀ = Q/(cμ − λ) into the tick: arrivals
            // before it wait a share of the remaining backlog, later ones
            // see the M/M/c queue at λ.
            let t0 = (q0 / (cap - lambda)).clamp(0.0, 1.0);
            let d0 = q0 / cap;
            let during = Moments::new(0.5 * d0, d0 * d0 / 12.0) + service;
            let after = match MMc::new(lambda, mu, servers).solve() {
                Ok(sol) => sol.time_moments(),
                Err(_) => service,
            };
            let moments = Moments::mixture(&[(t0, during), (1.0 - t0, after)]);
            let late = lognormal_tail(moments, p.timeout_s);
            (moments, None, late)
        };
        let served = s.served * (1.0 - late);
        QueueTick {
            served,
            errors: s.dropped + s.served * late,
            backlog: s.backlog,
            utilisation: s.utilisation,
            moments,
            dist,
        }
    }
}

/// Erlang B values remembered by servers and load (a serverless node's
/// blocking, an O(c) recursion, asked for again when the same demand comes
/// back).
#[derive(Clone, Debug, Default)]
pub(crate) struct ErlangMemo {
    entries: Vec<(u32, u64, f64)>,
    next: usize,
    /// Values answered from the memo (a fast-path count).
    pub(crate) hits: u32,
}

/// Erlang B values an [`ErlangMemo`] holds.
const ERLANG_MEMO: usize = 16;

impl ErlangMemo {
    /// [`erlang_b`]`(servers, a)`: remembered, or computed and remembered.
    /// The same bits either way.
    pub(crate) fn erlang_b(&mut self, servers: u32, a: f64) -> f64 {
        let bits = a.to_bits();
        if let Some(&(_, _, b)) = self.entries.iter().find(|e| e.0 == servers && e.1 == bits) {
            self.hits += 1;
            return b;
        }
        let b = erlang_b(servers, a);
        if self.entries.len() < ERLANG_MEMO {
            self.entries.push((servers, bits, b));
        } else {
            self.entries[self.next] = (servers, bits, b);
            self.next = (self.next + 1) % ERLANG_MEMO;
        }
        b
    }

    /// Exchanges what is remembered with `other` (as [`Queue::swap_memo`]).
    pub(crate) fn swap(&mut self, other: &mut ErlangMemo) {
        std::mem::swap(self, other);
    }
}

/// Blocking probability of an M/M/c queue with room for `limit` waiting:
/// P(N = c + K) = ρ^K / ((1/B − 1) + Σ_{j=0}^{K} ρ^j), B = Erlang B. Zero
/// for an unlimited (or very large) waiting room.
#[cfg(test)]
pub(crate) fn blocking(servers: u32, a: f64, limit: f64) -> f64 {
    blocking_with(servers, a, limit, None)
}

/// [`blocking`], given Erlang B(`servers`, `a`) when it is known already
/// (`None`: computed here if needed). The same bits either way.
fn blocking_with(servers: u32, a: f64, limit: f64, known_b: Option<f64>) -> f64 {
    if !(a > 0.0) || servers == 0 {
        return if servers == 0 { 1.0 } else { 0.0 };
    }
    let rho = a / f64::from(servers);
    let k = if limit.is_finite() {
        limit.max(0.0).floor()
    } else {
        f64::INFINITY
    };
    if k > 1e7 && rho < 1.0 {
        return 0.0;
    }
    let b = match known_b {
        Some(b) => b,
        None => erlang_b(servers, a),
    };
    if b <= 0.0 {
        return 0.0;
    }
    let rk = libm::pow(rho, k);
    let sum = if (rho - 1.0).abs() < 1e-12 {
        k + 1.0
    } else {
        (1.0 - rho * rk) / (1.0 - rho)
    };
    let p = rk / ((1.0 / b - 1.0) + sum);
    if p.is_finite() {
        p.clamp(0.0, 1.0)
    } else {
        0.0
    }
}

/// P(X > t) for a lognormal with these moments.
pub(crate) fn lognormal_tail(m: Moments, t: f64) -> f64 {
    match Dist::fit(m) {
        Dist::Point(x) => {
            if x > t {
                1.0
            } else {
                0.0
            }
        }
        d => 1.0 - d.cdf(t),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(service_s: f64, limit: f64) -> QueueParams {
        QueueParams {
            service_s,
            scv: 1.0,
            queue_limit: limit,
            timeout_s: 1e9,
        }
    }

    #[test]
    fn blocking_matches_erlang_b_with_no_room() {
        assert!((blocking(10, 8.0, 0.0) - erlang_b(10, 8.0)).abs() < 1e-15);
        assert_eq!(blocking(10, 8.0, f64::INFINITY), 0.0);
        // M/M/1/2 (one waiting): p₂ = ρ²/(1 + ρ + ρ²).
        let r: f64 = 0.8;
        assert!((blocking(1, r, 1.0) - r * r / (1.0 + r + r * r)).abs() < 1e-12);
    }

    /// The solve that takes Erlang B from the M/M/c solution gives the
    /// bits of solving and computing the blocking separately, over loads,
    /// server counts (up to the thousands of a large fleet) and waiting
    /// rooms.
    #[test]
    fn one_erlang_b_per_solve_changes_no_bit() {
        let mut checked = 0;
        for servers in [1u32, 2, 3, 7, 16, 64, 250, 1600, 4096, 20_000] {
            for load in [0.0, 1e-300, 0.01, 0.3, 0.5, 0.8, 0.95, 0.999_9, 1.0, 1.5] {
                for limit in [0.0, 1.0, 10.0, 300.0, 2000.0, 1e8, f64::INFINITY] {
                    let p = params(0.013, limit);
                    let mu = 1.0 / p.service_s;
                    let lambda = load * f64::from(servers) * mu;
                    let plain = MMc::new(lambda, mu, servers)
                        .solve()
                        .ok()
                        .map(|sol| (sol, blocking(servers, lambda / mu, p.queue_limit)));
                    let once = Queue::solve(lambda, servers, &p);
                    match (plain, once) {
                        (Some((s0, b0)), Some((s1, b1))) => {
                            assert_eq!(s0, s1);
                            assert_eq!(
                                s0.wait_probability().to_bits(),
                                s1.wait_probability().to_bits()
                            );
                            assert_eq!(b0.to_bits(), b1.to_bits(), "{servers} {load} {limit}");
                            checked += 1;
                        }
                        (None, None) => {}
                        (a, b) => panic!("{servers} {load} {limit}: {a:?} vs {b:?}"),
                    }
                }
            }
        }
        assert!(checked > 300, "{checked}");
    }

    /// A remembered steady-state tick is the tick computed afresh, bit for
    /// bit: rates that come back after more distinct ones than are
    /// remembered, other server counts, other parameters.
    #[test]
    fn remembered_ticks_are_the_ticks_computed_afresh() {
        let mut q = Queue::new();
        let p = params(0.02, 300.0);
        let other = QueueParams {
            scv: 0.5,
            timeout_s: 0.3,
            ..p
        };
        let bits = |t: &QueueTick| {
            [
                t.served.to_bits(),
                t.errors.to_bits(),
                t.backlog.to_bits(),
                t.utilisation.to_bits(),
                t.moments.mean.to_bits(),
                t.moments.variance.to_bits(),
            ]
        };
        let mut n = 0;
        for round in 0..3u32 {
            for k in 0..(QUEUE_MEMO as u32 + 5) {
                let lambda = f64::from(900 + (k * 7 + round) % 23);
                for (servers, p) in [(32, &p), (40, &p), (32, &other)] {
                    let got = q.step(lambda, servers, p);
                    let fresh = Queue::new().step(lambda, servers, p);
                    assert_eq!(bits(&got), bits(&fresh), "{lambda} {servers}");
                    assert_eq!(got.dist, fresh.dist);
                    n += 1;
                }
            }
        }
        assert!(n > 100);
    }

    /// A remembered Erlang B value is the one computed afresh, bit for
    /// bit, after evictions and exchanges between two memos too.
    #[test]
    fn remembered_erlang_b_values_are_the_values() {
        let mut memo = ErlangMemo::default();
        let mut other = ErlangMemo::default();
        for round in 0..3u32 {
            for k in 0..(ERLANG_MEMO as u32 + 7) {
                let servers = 100 + (k % 5) * 400;
                let a = 0.37 * f64::from(300 + (k * 11 + round) % 29);
                assert_eq!(
                    memo.erlang_b(servers, a).to_bits(),
                    erlang_b(servers, a).to_bits()
                );
                memo.swap(&mut other);
            }
        }
    }

    #[test]
    fn conservation_in_both_regimes() {
        let mut q = Queue::new();
        let p = params(0.01, 2000.0);
        for lambda in [50.0, 1200.0, 1200.0, 3000.0, 500.0, 0.0, 900.0] {
            let before = q.backlog();
            let s = q.step(lambda, 10, &p);
            let lhs = lambda;
            let rhs = s.served + s.errors + s.backlog - before;
            assert!(
                (lhs - rhs).abs() < 1e-9 * (1.0 + lhs),
                "{lambda}: {lhs} vs {rhs}"
            );
            assert!(s.moments.mean.is_finite());
        }
    }

    #[test]
    fn no_servers_fail_everything() {
        let mut q = Queue::new();
        let s = q.step(10.0, 0, &params(0.01, 10.0));
        assert_eq!(s.errors, 10.0);
        assert_eq!(s.served, 0.0);
    }
}
