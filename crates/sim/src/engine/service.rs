//! Service nodes (API, database, cache, serverless) as queues.
//!
//! Below capacity a node is an M/M/c queue in steady state at the tick's
//! arrival rate (the pointwise-stationary approximation of Green & Kolesar):
//! latency is the exact M/M/c time in system, a finite waiting room blocks
//! at the M/M/c/K rate (Erlang B when it holds no one), and requests whose
//! time in system passes the timeout fail; when that blocking is large
//! enough to matter the tick is the M/M/c/K steady state itself
//! ([`crate::mmck`]). At or above capacity, or while a backlog is left
//! over, the node is a fluid queue carried across ticks
//! (Q ← clip(Q + (λ − cμ)Δt, 0, Q_max), [`crate::fluid`]); requests that do
//! not fit under Q_max, which is the smaller of the queue limit and what the
//! servers can clear before the timeout, fail. A limit that fills before
//! the timeout hands the fluid over to the M/M/c/K steady state once the
//! backlog reaches its mean number waiting; a draining backlog is a random
//! walk that empties at a random time. The c servers are never merged into
//! one fast server: capacity is cμ but each request still takes 1/μ.

use crate::fluid::{FluidQueue, FluidStep};
use crate::latency::{std_normal_cdf, Moments};
use crate::mmck::{MMcK, MMcKSolution, MAX_LIMIT};
use crate::queueing::{erlang_b, MMc, MMcSolution};

use super::sketch::{Dist, Waiting};

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

impl QueueTick {
    /// A tick the fluid queue stepped through (`s`): of the requests it
    /// served, the share `late` outlasted the timeout and fails, beside
    /// those it dropped; the answered ones took `moments` (`dist`).
    fn of_fluid(s: &FluidStep, late: f64, moments: Moments, dist: Option<Dist>) -> Self {
        QueueTick {
            served: s.served * (1.0 - late),
            errors: s.dropped + s.served * late,
            backlog: s.backlog,
            utilisation: s.utilisation,
            moments,
            dist,
        }
    }
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
    /// How far below empty the mean of that random walk has drifted since
    /// the fluid backlog drained (requests, ≥ 0): while the walk's spread
    /// still reaches above zero, some arrivals find a backlog the fluid
    /// says is gone (see [`Queue::step`]).
    below: f64,
    /// The last few steady-state ticks (a noisy arrival rate comes back
    /// to a count it had a few ticks ago, and a solve runs the O(c)
    /// Erlang recursion).
    memo: Recent<QueueTick>,
    /// Whether the memos are used (off in the engine's reference run).
    remember: bool,
    /// Steady-state and overloaded ticks answered from the memos (a
    /// fast-path count).
    pub(crate) memo_hits: u32,
    /// The last few overloaded steady states (M/M/c/K) and their
    /// latency, for the same reason: a saturated node's arrival count
    /// repeats, and each solve sums its waiting room and evaluates the
    /// time in system at the timeout.
    overload: Recent<Overloaded>,
}

/// Ticks a queue's memos remember.
const QUEUE_MEMO: usize = 16;

/// What a queue's memos are keyed on: the exact bits of its inputs.
#[derive(Clone, Copy, Debug, PartialEq)]
struct MemoKey {
    lambda: u64,
    servers: u32,
    params: [u64; 4],
}

impl MemoKey {
    fn new(lambda: f64, servers: u32, p: &QueueParams) -> Self {
        MemoKey {
            lambda: lambda.to_bits(),
            servers,
            params: params_key(p),
        }
    }
}

/// The last [`QUEUE_MEMO`] results of a pure function of a queue's
/// inputs, the oldest replaced first: a hit is the same bits as computing
/// again.
#[derive(Clone, Debug)]
struct Recent<T> {
    entries: Vec<(MemoKey, T)>,
    next: usize,
}

impl<T: Copy> Recent<T> {
    fn new() -> Self {
        Recent {
            entries: Vec::new(),
            next: 0,
        }
    }

    fn get(&self, key: &MemoKey) -> Option<T> {
        self.entries.iter().find(|(k, _)| k == key).map(|&(_, v)| v)
    }

    fn put(&mut self, key: MemoKey, value: T) {
        if self.entries.len() < QUEUE_MEMO {
            self.entries.push((key, value));
        } else {
            self.entries[self.next] = (key, value);
            self.next = (self.next + 1) % QUEUE_MEMO;
        }
    }

    fn clear(&mut self) {
        self.entries.clear();
        self.next = 0;
    }
}

/// An M/M/c/K steady state and its latency: moments, distribution and
/// the share of admitted requests that outlast the timeout.
type Overloaded = (MMcKSolution, (Moments, Option<Dist>, f64));

/// The exact bits of a queue's parameters, a memo key.
fn params_key(p: &QueueParams) -> [u64; 4] {
    [
        p.service_s.to_bits(),
        p.scv.to_bits(),
        p.queue_limit.to_bits(),
        p.timeout_s.to_bits(),
    ]
}

impl Queue {
    pub(crate) fn new() -> Self {
        Queue {
            fluid: FluidQueue::new(f64::INFINITY),
            var: 0.0,
            below: 0.0,
            memo: Recent::new(),
            remember: true,
            memo_hits: 0,
            overload: Recent::new(),
        }
    }

    /// Uses the memos of steady-state and overloaded ticks (`true`, the
    /// default) or solves every tick (the engine's reference run).
    pub(crate) fn set_memo(&mut self, on: bool) {
        self.remember = on;
        self.memo.clear();
        self.overload.clear();
    }

    /// Exchanges the remembered ticks with `other`'s (see `run_in_step` in
    /// `branch.rs`): a memo holds only what a solve would compute, so
    /// either gives the same ticks.
    pub(crate) fn swap_memo(&mut self, other: &mut Queue) {
        std::mem::swap(&mut self.memo, &mut other.memo);
        std::mem::swap(&mut self.overload, &mut other.overload);
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
        self.below = 0.0;
        q
    }

    /// The steady state at `lambda` with `servers` servers, the M/M/c/K
    /// blocking probability, and the Erlang B value both came from.
    fn solve(
        lambda: f64,
        servers: u32,
        p: &QueueParams,
    ) -> Option<(MMcSolution, f64, Option<f64>)> {
        let mu = 1.0 / p.service_s;
        // The solve's Erlang B is the one the blocking needs (the same
        // servers and load λ/μ): computed once.
        let (sol, b) = MMc::new(lambda, mu, servers).solve_with_erlang_b().ok()?;
        let block = blocking_with(servers, lambda / mu, p.queue_limit, b);
        Some((sol, block, b))
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
    ///
    /// Four regimes (`docs/model.md`, "Services"):
    /// - idle and below capacity: the steady state at λ, M/M/c, or
    ///   M/M/c/K when the waiting room is full often enough to matter;
    /// - at or above capacity with a waiting room that fills before the
    ///   timeout ([`limited_room`]): the fluid fills until it reaches the
    ///   M/M/c/K mean number waiting, then the queue is in that steady
    ///   state ([`Queue::stationary_overload`]);
    /// - otherwise at or above capacity, or below it while the fluid
    ///   backlog stays above its spread: the fluid backlog;
    /// - a backlog that drains: the backlog is a random walk (mean, and
    ///   variance from `var`), so it empties at a random time; arrivals
    ///   wait behind its positive part, and those that find it empty see
    ///   the steady state ([`Queue::drain`]).
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
            self.below = 0.0;
            return QueueTick {
                errors: lambda + q0,
                utilisation: if lambda > 0.0 { 1.0 } else { 0.0 },
                ..QueueTick::default()
            };
        }
        if q0 <= 0.0 && self.var == 0.0 && lambda < cap {
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
            let key = MemoKey::new(lambda, servers, p);
            if let Some(out) = self.memo.get(&key) {
                self.memo_hits += 1;
                return out;
            }
            if let Some((sol, block, b)) = Queue::solve(lambda, servers, p) {
                // A waiting room that is full often enough to matter: the
                // M/M/c/K steady state (its admitted requests wait less
                // than M/M/c's, whose room has no end).
                let limited = binding_room(p, cap, block).and_then(|k| {
                    MMcK::new(lambda, mu, servers, k)
                        .solve_with_erlang_b(b?)
                        .ok()
                });
                let (admitted, (moments, dist, late)) = match limited {
                    Some(sk) => (
                        lambda * (1.0 - sk.blocking()),
                        stationary_latency(sk.wait_moments(), Waiting::Limited(sk), p),
                    ),
                    None => (
                        lambda * (1.0 - block),
                        stationary_latency(sol.wait_moments(), Waiting::Unlimited(sol), p),
                    ),
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
                if self.remember {
                    // (The reference run keeps nothing.)
                    self.memo.put(key, out);
                }
                return out;
            }
        }
        if lambda >= cap {
            // Overload ends any drained backlog's tail.
            self.below = 0.0;
            if let Some(k) = limited_room(p, cap) {
                if let Some((sk, latency)) = self.overloaded(lambda, servers, k, p) {
                    // The fluid fill hands over once it would reach the
                    // steady state's mean number waiting this tick.
                    if q0 + (lambda - cap) >= sk.mean_queue_length() {
                        return self.stationary_overload(lambda, cap, k, &sk, latency);
                    }
                }
            }
        }
        // Fluid: overloaded, or a backlog is draining.
        let q_max = p.queue_limit.min(p.timeout_s * cap).max(0.0);
        let r = cap - lambda;
        let sigma = (self.var + 0.5 * (lambda + cap)).sqrt();
        if lambda < cap && q0 - self.below - r < DRAIN_SPREAD * sigma {
            return self.drain(lambda, servers, p, q_max);
        }
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
        QueueTick::of_fluid(&s, late, moments, dist)
    }

    /// The M/M/c/K steady state at `lambda` with `servers` servers and
    /// room for `k`, and its latency ([`stationary_latency`]): remembered
    /// by exact inputs (the last [`QUEUE_MEMO`]), solved otherwise.
    /// `None` if it does not solve.
    fn overloaded(
        &mut self,
        lambda: f64,
        servers: u32,
        k: u32,
        p: &QueueParams,
    ) -> Option<Overloaded> {
        let solve = || {
            let sk = MMcK::new(lambda, 1.0 / p.service_s, servers, k)
                .solve()
                .ok()?;
            Some((
                sk,
                stationary_latency(sk.wait_moments(), Waiting::Limited(sk), p),
            ))
        };
        if !self.remember {
            return solve();
        }
        let key = MemoKey::new(lambda, servers, p);
        if let Some(state) = self.overload.get(&key) {
            self.memo_hits += 1;
            return Some(state);
        }
        let state = solve()?;
        self.overload.put(key, state);
        Some(state)
    }

    /// A tick of an overloaded queue whose waiting room fills before the
    /// timeout, in the M/M/c/K steady state `sk` (K = `k`): arrivals are
    /// refused at its blocking rate, admitted ones take its time in
    /// system, and the backlog is its mean number waiting L_q. Requests are
    /// conserved exactly: a backlog below L_q fills to it (what fills it
    /// is not refused), one above it (left by a heavier overload) drains
    /// towards it at cμ − λ(1 − P_B) while the servers work flat out.
    fn stationary_overload(
        &mut self,
        lambda: f64,
        cap: f64,
        k: u32,
        sk: &MMcKSolution,
        latency: (Moments, Option<Dist>, f64),
    ) -> QueueTick {
        let q0 = self.fluid.backlog();
        let lq = sk.mean_queue_length();
        let admitted = lambda * (1.0 - sk.blocking());
        let refused = lambda * sk.blocking();
        // (q0 + λ − cμ ≥ L_q and λ(1 − P_B) < cμ, so the fill L_q − q0 is
        // at most λ − cμ < λ·P_B: the refusals stay non-negative.)
        let (q1, through, refused) = if q0 <= lq {
            (lq, admitted, refused - (lq - q0))
        } else {
            let q1 = lq.max(q0 - (cap - admitted));
            (q1, admitted + (q0 - q1), refused)
        };
        self.fluid = FluidQueue::with_backlog(q1, f64::from(k));
        self.var = 0.0;
        self.below = 0.0;
        let (moments, dist, late) = latency;
        QueueTick {
            served: through * (1.0 - late),
            errors: refused + through * late,
            backlog: q1,
            utilisation: (through / cap).min(1.0),
            moments,
            dist,
        }
    }

    /// A tick of a draining backlog (λ < cμ) within [`DRAIN_SPREAD`]
    /// standard deviations of empty. The fluid says when the mean
    /// empties; requests are counted by it. The latency takes the
    /// backlog's randomness into account: it is a random walk, Normal with
    /// mean m(s) = Q − (cμ − λ)s (not stopped at zero) and variance σ²
    /// (`var`, taken at mid-tick), so an arrival at s finds Q(s)⁺ waiting
    /// (E = ψ(m), the Gaussian's positive part) and, with probability
    /// Φ(−m/σ), an empty queue and the steady state at λ. The tick's
    /// averages over s have closed forms (antiderivatives of ψ and of
    /// E[Q⁺²]). After the mean empties, the walk's mean keeps drifting
    /// below zero (`below`) until its spread no longer reaches above it:
    /// without this, the window right after a drain ignored the runs whose
    /// backlog was still there.
    fn drain(&mut self, lambda: f64, servers: u32, p: &QueueParams, q_max: f64) -> QueueTick {
        let mu = 1.0 / p.service_s;
        let cap = f64::from(servers) * mu;
        let r = cap - lambda;
        let q0 = self.fluid.backlog();
        let m0 = q0 - self.below;
        let m1 = m0 - r;
        let var_mid = self.var + 0.5 * (lambda + cap);
        let sigma = var_mid.sqrt();
        self.fluid.set_max_backlog(q_max);
        let s = self.fluid.step(lambda, cap, 1.0);
        let var_end = self.var + lambda + cap;
        if s.backlog > 0.0 || m1 > -DRAIN_TAIL * var_end.sqrt() {
            self.var = var_end;
            // (Zero while the fluid holds a backlog: then m₁ > 0.)
            self.below = (-m1).max(0.0);
        } else {
            self.var = 0.0;
            self.below = 0.0;
        }
        // Tick averages over s ∈ [0, 1] of P(Q > 0), E[Q⁺] and E[Q⁺²].
        let (phi0, big0, sq0) = positive_part(m0, sigma);
        let (phi1, big1, sq1) = positive_part(m1, sigma);
        let busy = ((phi0 - phi1) / r).clamp(0.0, 1.0);
        let e1 = ((big0 - big1) / r).max(0.0);
        let e2 = ((sq0 - sq1) / r).max(e1 * e1 / busy.max(f64::MIN_POSITIVE));
        // The wait: behind the backlog's positive part, or the steady
        // state's.
        let after = steady_wait(lambda, servers, p);
        let wait = if busy > 1e-12 {
            let mean_d = e1 / (busy * cap);
            let var_d = (e2 / (busy * cap * cap) - mean_d * mean_d).max(0.0);
            Moments::mixture(&[(busy, Moments::new(mean_d, var_d)), (1.0 - busy, after)])
        } else {
            after
        };
        let service = Moments::new(p.service_s, p.scv * p.service_s * p.service_s);
        let moments = wait + service;
        // Its distribution: most arrivals wait nothing and a few a long
        // time, which one lognormal fits badly (its p95 was 66 % high
        // after a drain); for exponential service, a wait of the M/M/c
        // shape (none, or exponential) with the same two moments.
        let second = wait.variance + wait.mean * wait.mean;
        let exact = if (p.scv - 1.0).abs() < 1e-12
            && wait.mean > 0.0
            && second >= 2.0 * wait.mean * wait.mean
        {
            let theta = 2.0 * wait.mean / second;
            let sol = MMcSolution::with_wait(lambda, mu, servers, wait.mean * theta, theta);
            Some(sol)
        } else {
            None
        };
        let (late, dist) = match exact {
            Some(sol) => (
                sol.time_survival(p.timeout_s),
                Some(Dist::Sojourn {
                    shift: 0.0,
                    queue: Some(Waiting::Unlimited(sol)),
                    mu,
                }),
            ),
            None => (lognormal_tail(moments, p.timeout_s), None),
        };
        QueueTick::of_fluid(&s, late, moments, dist)
    }
}

/// A draining backlog's latency follows its random walk (not the fluid
/// mean) once the mean at the end of the tick is within this many standard
/// deviations of empty.
const DRAIN_SPREAD: f64 = 3.0;

/// ... and until the walk's mean is this many standard deviations below
/// empty (E[Q⁺] ≈ 1e-10 σ there).
const DRAIN_TAIL: f64 = 6.0;

/// The longest waiting room whose M/M/c/K time in system a tick always
/// hands to the latency sketches exactly.
const EXACT_ROOM: u32 = 128;

/// A longer room is also exact unless K·|ln ρ| reaches this: the
/// admitted weights then fall by e⁻⁸ across the room, so the wait is
/// concentrated at one end of it.
const EXACT_SPREAD: f64 = 8.0;

/// Whether the latency sketches take `q`'s exact time in system (see
/// [`stationary_latency`]).
fn exact_room(q: &MMcKSolution) -> bool {
    let k = q.queue().k;
    k <= EXACT_ROOM || f64::from(k) * libm::log(q.utilisation()).abs() < EXACT_SPREAD
}

/// A waiting room is full often enough to matter below capacity when the
/// M/M/c/K blocking reaches this (below it, M/M/c and M/M/c/K differ by
/// about as little).
const BINDING: f64 = 1e-6;

/// The waiting room K when it fills before the timeout bites (K requests
/// are cleared in K/(cμ) ≤ the timeout) and [`MMcK`] can solve it; `None`
/// for an unlimited room, a room so long that requests time out first
/// (the fluid then stops at timeout·cμ), or one above [`MAX_LIMIT`].
fn limited_room(p: &QueueParams, cap: f64) -> Option<u32> {
    let k = p.queue_limit.max(0.0).floor();
    if k.is_finite() && k <= f64::from(MAX_LIMIT) && k <= p.timeout_s * cap {
        Some(k as u32)
    } else {
        None
    }
}

/// [`limited_room`] when the M/M/c/K blocking `block` says it matters.
fn binding_room(p: &QueueParams, cap: f64, block: f64) -> Option<u32> {
    if block >= BINDING {
        limited_room(p, cap)
    } else {
        None
    }
}

/// The latency of a queue in steady state whose wait has moments `wait`:
/// the time in system, its exact distribution for exponential service
/// (`queue`), and the share of requests that outlast the timeout.
/// Waiting scales with (1 + C_s²)/2 (Allen–Cunneen; exact
/// Pollaczek–Khinchine for one server).
fn stationary_latency(
    wait: Moments,
    queue: Waiting,
    p: &QueueParams,
) -> (Moments, Option<Dist>, f64) {
    let mu = 1.0 / p.service_s;
    let k = 0.5 * (1.0 + p.scv);
    let moments = Moments::new(
        k * wait.mean + p.service_s,
        k * k * wait.variance + p.scv * p.service_s * p.service_s,
    );
    if (p.scv - 1.0).abs() < 1e-12 {
        let late = match queue {
            Waiting::Unlimited(q) => q.time_survival(p.timeout_s),
            Waiting::Limited(q) => q.time_survival(p.timeout_s),
        };
        // Exact for any waiting room: a lognormal with the M/M/c/K moments
        // put the p99 up to 20 % off at K = 100 and ρ = 1.05 (the wait is
        // nearly uniform there), and the closed form costs about 0.3–0.5 µs
        // a knot whatever K is (the incomplete gamma functions converge in
        // O(√K) terms only near their transition).
        let dist = match queue {
            // A long waiting room that is full most of the time (K·ln ρ
            // large: the wait is K services less a short geometric) has a
            // narrow, nearly normal time in system: a lognormal with its
            // exact moments stands in (the closed form's incomplete gamma
            // functions of order K at every knot of every tick made
            // grading a design with the default limit of 2,000 about 100×
            // slower). Shorter rooms, and rooms near ρ = 1 whose wait is
            // spread over the whole room (a lognormal put the p99 20 % off
            // at K = 100, ρ = 1.05), keep the exact distribution.
            Waiting::Limited(q) if !exact_room(&q) => None,
            _ => Some(Dist::Sojourn {
                shift: 0.0,
                queue: Some(queue),
                mu,
            }),
        };
        (moments, dist, late)
    } else {
        (moments, None, lognormal_tail(moments, p.timeout_s))
    }
}

/// The wait (moments) in the steady state at `lambda` that a draining
/// queue returns to: M/M/c, or M/M/c/K when its room matters; none if
/// neither solves.
fn steady_wait(lambda: f64, servers: u32, p: &QueueParams) -> Moments {
    let mu = 1.0 / p.service_s;
    let cap = f64::from(servers) * mu;
    match Queue::solve(lambda, servers, p) {
        Some((sol, block, b)) => binding_room(p, cap, block)
            .and_then(|k| {
                let sk = MMcK::new(lambda, mu, servers, k)
                    .solve_with_erlang_b(b?)
                    .ok()?;
                Some(sk.wait_moments())
            })
            .unwrap_or_else(|| sol.wait_moments()),
        None => Moments::new(0.0, 0.0),
    }
}

/// For X ~ Normal(x, σ²), the antiderivatives in x of P(X > 0), E[X⁺]
/// and E[(X⁺)²]: (ψ, Ψ, Ψ₂) with
/// ψ(x) = xΦ(z) + σφ(z), Ψ(x) = ((x² + σ²)Φ(z) + xσφ(z))/2,
/// Ψ₂(x) = ((x³ + 3xσ²)Φ(z) + (x² + 2σ²)σφ(z))/3, z = x/σ. The mean of
/// each quantity over a backlog falling linearly from x₀ to x₁ is
/// (F(x₀) − F(x₁))/(x₀ − x₁).
fn positive_part(x: f64, sigma: f64) -> (f64, f64, f64) {
    let z = x / sigma;
    let cdf = std_normal_cdf(z);
    let pdf = libm::exp(-0.5 * z * z) * 0.398_942_280_401_432_7;
    let s2 = sigma * sigma;
    (
        x * cdf + sigma * pdf,
        0.5 * ((x * x + s2) * cdf + x * sigma * pdf),
        ((x * x * x + 3.0 * x * s2) * cdf + (x * x + 2.0 * s2) * sigma * pdf) / 3.0,
    )
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
                        (Some((s0, b0)), Some((s1, b1, _))) => {
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

    /// A remembered overloaded steady state is the one solved afresh, bit
    /// for bit, after evictions too.
    #[test]
    fn remembered_overloads_are_the_solves() {
        let p = QueueParams {
            service_s: 0.01,
            scv: 1.0,
            queue_limit: 2000.0,
            timeout_s: 2.0,
        };
        let other = QueueParams {
            queue_limit: 100.0,
            ..p
        };
        let mut q = Queue::new();
        let mut n = 0;
        for round in 0..3u32 {
            for k in 0..(QUEUE_MEMO as u32 + 5) {
                let lambda = f64::from(4000 + (k * 7 + round) % 23);
                for (servers, p) in [(40, &p), (16, &p), (40, &other)] {
                    let room = p.queue_limit as u32;
                    let got = q.overloaded(lambda, servers, room, p).unwrap();
                    let mu = 1.0 / p.service_s;
                    let sk = MMcK::new(lambda, mu, servers, room)
                        .solve_with_erlang_b(erlang_b(servers, lambda / mu))
                        .unwrap();
                    let plain = (
                        sk,
                        stationary_latency(sk.wait_moments(), Waiting::Limited(sk), p),
                    );
                    assert_eq!(
                        format!("{got:?}"),
                        format!("{plain:?}"),
                        "{lambda} {servers}"
                    );
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
