//! Window quantiles: a request-weighted latency accumulator that is cheap to
//! add to.
//!
//! Each added distribution is approximated by a CDF that is piecewise linear
//! in log-latency between knots (exact at the knots: Φ at fixed z for a
//! lognormal, the closed-form M/M/c survival at geometric times for a queue).
//! A piecewise-linear CDF is a sum of ramps, and a ramp sampled on a uniform
//! grid has a second difference that is non-zero only at the two grid edges
//! around its kink, with weights linear in the kink's position. So adding a
//! distribution costs two array additions per knot (no `erf`, no bucket
//! loop), and two prefix sums at the end give the mixture's CDF exactly at
//! every grid edge. Grid: log-latency from 1 µs to 10⁴ s in steps of 0.01
//! (1 %), read with linear interpolation.
//!
//! The other helper's [`crate::histogram::LatencyHistogram`] integrates each
//! lognormal exactly over every bucket (≈ 1,400σ `erfc` calls per add); this
//! accumulator trades that for a fixed 81 (lognormal) or 134 (queue)
//! knots per add; quantiles come out within 0.4 % of the exact ones.

use std::cell::RefCell;
use std::sync::OnceLock;

use crate::expo::{floor_below_2_52, TWO_52};
use crate::latency::{std_normal_cdf, Distribution, LogNormal, Moments};
use crate::mmck::MMcKSolution;
use crate::queueing::MMcSolution;

/// How the requests of a [`Dist::Sojourn`] wait for a server.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Waiting {
    /// An M/M/c queue with room for everyone.
    Unlimited(MMcSolution),
    /// An M/M/c/K queue, for the requests it admits (its limit is full
    /// often enough to matter, at any load).
    Limited(MMcKSolution),
}

impl Waiting {
    /// Mean time in system, seconds.
    fn mean_time(&self) -> f64 {
        match self {
            Waiting::Unlimited(q) => q.mean_time(),
            Waiting::Limited(q) => q.mean_time(),
        }
    }

    /// P(T ≤ t).
    fn time_cdf(&self, t: f64) -> f64 {
        match self {
            Waiting::Unlimited(q) => q.time_cdf(t),
            Waiting::Limited(q) => q.time_cdf(t),
        }
    }
}

/// A latency distribution the engine can add to a [`Sketch`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Dist {
    /// Every request takes exactly this long (seconds).
    Point(f64),
    /// A lognormal.
    LogNormal(LogNormal),
    /// `shift` plus the time in system of an M/M/c or M/M/c/K queue
    /// (`queue`), or plus an exponential service time of rate `mu` when
    /// `queue` is `None`.
    Sojourn {
        /// Constant added, seconds.
        shift: f64,
        /// The queue, if requests may wait.
        queue: Option<Waiting>,
        /// Service rate of one server (1/s).
        mu: f64,
    },
}

impl Dist {
    /// A lognormal (or point) with these moments.
    pub(crate) fn fit(m: Moments) -> Dist {
        match Distribution::fit(m) {
            Distribution::Point(x) => Dist::Point(x),
            Distribution::LogNormal(l) => Dist::LogNormal(l),
        }
    }

    /// The mean, seconds.
    pub(crate) fn mean(&self) -> f64 {
        match self {
            Dist::Point(x) => *x,
            Dist::LogNormal(l) => l.mean(),
            Dist::Sojourn { shift, queue, mu } => shift + sojourn_mean(queue, *mu),
        }
    }

    /// P(X ≤ x).
    pub(crate) fn cdf(&self, x: f64) -> f64 {
        match self {
            Dist::Point(v) => {
                if x >= *v {
                    1.0
                } else {
                    0.0
                }
            }
            Dist::LogNormal(l) => l.cdf(x),
            Dist::Sojourn { shift, queue, mu } => {
                let t = x - shift;
                if t <= 0.0 {
                    0.0
                } else {
                    match queue {
                        Some(q) => q.time_cdf(t),
                        None => -libm::expm1(-mu * t),
                    }
                }
            }
        }
    }

    /// The p-quantile by bisection on the CDF (for one distribution).
    #[cfg(test)]
    pub(crate) fn quantile(&self, p: f64) -> f64 {
        quantile_of(&[(1.0, *self)], p, 1e-9)
    }
}

/// A latency as it is compared tick to tick: its moments and, when known,
/// its exact distribution. The lognormal fit (two logarithms) is only done
/// when the key is added to an accumulator.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct LatKey {
    pub m: Moments,
    pub exact: Option<Dist>,
}

impl LatKey {
    pub(crate) fn new(m: Moments, exact: Option<Dist>) -> Self {
        LatKey { m, exact }
    }

    /// A constant latency.
    pub(crate) fn point(x: f64) -> Self {
        LatKey {
            m: Moments::constant(x),
            exact: Some(Dist::Point(x)),
        }
    }

    /// The distribution: the exact one, or a lognormal fitted to the moments.
    pub(crate) fn dist(&self) -> Dist {
        self.exact.unwrap_or_else(|| Dist::fit(self.m))
    }
}

/// The p-quantile of a weighted mixture of distributions, by bisection
/// (`None` weights ignored); 0 for an empty mixture. The reference run's
/// series p95 (the default run's goes through [`quantile_of_memo`]).
pub(crate) fn quantile_of(parts: &[(f64, Dist)], p: f64, tol: f64) -> f64 {
    let total: f64 = parts.iter().map(|(w, _)| w.max(0.0)).sum();
    if total.is_nan() || total <= 0.0 {
        return 0.0;
    }
    let cdf = |x: f64| -> f64 {
        parts
            .iter()
            .map(|(w, d)| w.max(0.0) * d.cdf(x))
            .sum::<f64>()
            / total
    };
    let start = parts
        .iter()
        .map(|(_, d)| d.mean())
        .fold(0.0_f64, f64::max)
        .max(1e-6);
    bisect_quantile(start, p, tol, cdf)
}

/// What the last [`quantile_of_memo`] evaluated: the mixture's
/// distributions, the points its bisection visited and every part's CDF
/// there. A mixture whose distributions are unchanged (only the weights
/// moved) replays those CDF values instead of recomputing them, with the
/// same arithmetic in the same order, so the result is bit-identical.
#[derive(Clone, Debug, Default)]
pub(crate) struct QuantileMemo {
    dists: Vec<Dist>,
    xs: Vec<f64>,
    vals: Vec<f64>,
    new_xs: Vec<f64>,
    new_vals: Vec<f64>,
    same: Vec<bool>,
}

/// [`quantile_of`] (the plain bisection), reusing the
/// CDF values of the last call for the parts whose distribution did not
/// change (exactly the same result).
pub(crate) fn quantile_of_memo(
    parts: &[(f64, Dist)],
    p: f64,
    tol: f64,
    memo: &mut QuantileMemo,
) -> f64 {
    let total: f64 = parts.iter().map(|(w, _)| w.max(0.0)).sum();
    if total.is_nan() || total <= 0.0 {
        return 0.0;
    }
    let QuantileMemo {
        dists,
        xs,
        vals,
        new_xs,
        new_vals,
        same,
    } = memo;
    let stride = dists.len();
    same.clear();
    same.extend(
        parts
            .iter()
            .enumerate()
            .map(|(i, (_, d))| dists.get(i) == Some(d)),
    );
    new_xs.clear();
    new_vals.clear();
    let mut on_path = same.iter().any(|&b| b);
    let mut k = 0usize;
    let cdf = |x: f64| -> f64 {
        let hit = on_path && xs.get(k).is_some_and(|v| v.to_bits() == x.to_bits());
        if !hit {
            on_path = false;
        }
        let base = k * stride;
        let s = parts
            .iter()
            .enumerate()
            .map(|(i, (w, d))| {
                let c = if hit && same[i] {
                    vals[base + i]
                } else {
                    d.cdf(x)
                };
                new_vals.push(c);
                w.max(0.0) * c
            })
            .sum::<f64>()
            / total;
        new_xs.push(x);
        k += 1;
        s
    };
    let start = parts
        .iter()
        .map(|(_, d)| d.mean())
        .fold(0.0_f64, f64::max)
        .max(1e-6);
    let hi = bisect_quantile(start, p, tol, cdf);
    std::mem::swap(xs, new_xs);
    std::mem::swap(vals, new_vals);
    dists.clear();
    dists.extend(parts.iter().map(|(_, d)| *d));
    hi
}

/// Lower edge of the grid, ln(1 µs).
const Y0: f64 = -13.815_510_557_964_274;
/// Grid step in log-latency.
const H: f64 = 0.01;
/// Grid edges: ln(1e4 s) − ln(1e-6 s) = 23.03 ⇒ 2,303 steps.
const NB: usize = 2304;

/// The grid edge at or below log-latency `y` and how far past it `y` lies,
/// in steps (0 ≤ f < 1): the edge is in [0, NB − 1] (below the grid is its
/// first edge, NaN too; above, its last).
#[inline(always)]
fn edge_below(y: f64) -> (usize, f64) {
    // u in [0, NB − 1]; its floor, and the index from the bits of
    // floor + 2⁵². (A float-to-integer conversion saturates, and its checks
    // cost more than the rest of the kink.)
    let u = (y - Y0) * (1.0 / H);
    let u = if u > 0.0 { u } else { 0.0 };
    let u = if u < (NB - 1) as f64 {
        u
    } else {
        (NB - 1) as f64
    };
    let floor = floor_below_2_52(u);
    let k = (((floor + TWO_52).to_bits() & 0xfff) as usize).min(NB - 1);
    (k, u - floor)
}

/// A kink as the grid takes it: the edge below it ([`edge_below`]) and
/// the shares of its amount that go to that edge and the next.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Edged {
    k: usize,
    lower: f64,
    upper: f64,
}

/// A kink of one request, as a memo keeps it: its edge ([`edge_below`]),
/// how far past it, and its amount per request.
#[derive(Clone, Copy, Debug, PartialEq)]
struct UnitKink {
    k: usize,
    f: f64,
    amount: f64,
}

/// The kink at log-latency `y` of `amount`, as the grid takes it.
#[inline(always)]
fn edged(y: f64, amount: f64) -> Edged {
    let (k, f) = edge_below(y);
    shares(k, f, amount)
}

/// `amount` split between edge `k` and the next, `f` of the way along.
#[inline(always)]
fn shares(k: usize, f: f64, amount: f64) -> Edged {
    Edged {
        k,
        lower: amount * (1.0 - f),
        upper: amount * f,
    }
}

/// Knot tables, computed once.
struct Tables {
    /// Lognormal: (z, kink in the CDF's slope per unit z, times H).
    lognormal: Vec<(f64, f64)>,
    /// Queue knots: multiples of the mean, and their logarithms.
    times: [(f64, f64); TIMES],
}

/// Queue knots: the multiples 0.002 × 1.08ᵏ of the mean up to 60.
const TIMES: usize = 134;

fn tables() -> &'static Tables {
    static T: OnceLock<Tables> = OnceLock::new();
    T.get_or_init(|| {
        // z knots: 0.1 apart on [−3.5, 3.5] (where p50–p99.9 of any
        // component lie), 0.25 apart out to ±4.5, then ramps for the tails.
        // Linear interpolation of Φ between knots errs by ≈ Δz²·z/8 in z.
        let mut pts: Vec<(f64, f64)> = Vec::new();
        pts.push((-5.5, 0.0));
        let mut zs: Vec<f64> = (-35..=35).map(|k| 0.1 * f64::from(k)).collect();
        for k in 1..=4 {
            let z = 3.5 + 0.25 * f64::from(k);
            zs.push(z);
            zs.push(-z);
        }
        zs.sort_by(f64::total_cmp);
        for z in zs {
            pts.push((z, std_normal_cdf(z)));
        }
        pts.push((5.5, 1.0));
        let mut out = Vec::with_capacity(pts.len());
        let mut prev_slope = 0.0;
        for j in 0..pts.len() {
            let slope = if j + 1 < pts.len() {
                (pts[j + 1].1 - pts[j].1) / (pts[j + 1].0 - pts[j].0)
            } else {
                0.0
            };
            out.push((pts[j].0, (slope - prev_slope) * H));
            prev_slope = slope;
        }
        let mut times = [(0.0, 0.0); TIMES];
        let mut g = 0.002;
        for knot in &mut times {
            *knot = (g, libm::log(g));
            g *= 1.08;
        }
        Tables {
            lognormal: out,
            times,
        }
    })
}

/// The request-weighted accumulator (see the module docs).
#[derive(Clone, Debug)]
pub(crate) struct Sketch {
    /// The grid of second differences, allocated when the first kink is
    /// added (empty until then: a sketch nothing reached costs nothing).
    d2: Vec<f64>,
    lo: usize,
    hi: usize,
    /// Requests that took no time at all.
    zero: f64,
    /// All requests added.
    total: f64,
    /// Σ weight × mean.
    weighted: f64,
}

/// The kinks (log-latency, amount) that adding `w` requests of latency
/// `d` makes, in order, passed to `emit`. Returns `None` when nothing is
/// added, else the mean and whether the requests took no time (then no
/// kink is emitted).
#[inline(always)]
fn knots(w: f64, d: &Dist, mut emit: impl FnMut(f64, f64)) -> Option<(f64, bool)> {
    if !(w > 0.0 && w.is_finite()) {
        return None;
    }
    let mean = d.mean();
    if !mean.is_finite() {
        return None;
    }
    let point = |x: f64, emit: &mut dyn FnMut(f64, f64)| -> bool {
        if !(x > 0.0) {
            return true;
        }
        let y = libm::log(x);
        // A steep ramp one grid step wide, centred on x.
        emit(y - 0.5 * H, w);
        emit(y + 0.5 * H, -w);
        false
    };
    let zero = match *d {
        Dist::Point(x) => point(x, &mut emit),
        Dist::LogNormal(l) => {
            if !(l.sigma * 8.0 > H) || !l.mu.is_finite() {
                point(l.median(), &mut emit)
            } else {
                let scale = w / l.sigma;
                for &(z, k) in &tables().lognormal {
                    emit(l.mu + l.sigma * z, k * scale);
                }
                false
            }
        }
        Dist::Sojourn { shift, queue, mu } => {
            let m = sojourn_mean(&queue, mu);
            if !(m > 0.0 && m.is_finite()) {
                point(shift, &mut emit)
            } else {
                sojourn_units(shift, queue, mu, m, |y, u| emit(y, u * w));
                false
            }
        }
    };
    Some((mean, zero))
}

/// The kinks of one request whose latency is `shift` plus a sojourn (an
/// M/M/c time in system, or an exponential service of rate `mu`) of mean
/// `m` (> 0, finite): (log-latency, amount per request), in order. `w`
/// requests make the amounts `amount × w` (one rounding, whether computed
/// now or remembered; see [`Kinks`]).
#[inline(always)]
fn sojourn_units(shift: f64, queue: Option<Waiting>, mu: f64, m: f64, emit: impl FnMut(f64, f64)) {
    // (One loop per kind of queue: the M/M/c survival stays inline.)
    let times = &tables().times;
    match queue {
        Some(Waiting::Unlimited(q)) => sojourn_kinks(shift, m, times, |t| q.time_survival(t), emit),
        Some(Waiting::Limited(q)) => {
            // A full waiting room of many makes a narrow time in system
            // (Erlang of hundreds of phases): knots 8 % apart would miss
            // its shape, so they follow its spread instead.
            let cv = q.time_variance().sqrt() / m;
            if cv < NARROW_CV {
                let s = libm::sqrt(libm::log1p(cv * cv));
                let mut knots = [(0.0, 0.0); NARROW];
                for (j, k) in knots.iter_mut().enumerate() {
                    let ln_g = s * (0.1 * j as f64 - 8.0);
                    *k = (libm::exp(ln_g), ln_g);
                }
                sojourn_kinks(shift, m, &knots, |t| q.time_survival(t), emit)
            } else {
                sojourn_kinks(shift, m, times, |t| q.time_survival(t), emit)
            }
        }
        None => sojourn_kinks(
            shift,
            m,
            times,
            |t| crate::expo::exp_nonpositive(-mu * t),
            emit,
        ),
    }
}

/// A limited queue's time in system whose coefficient of variation is
/// below this takes [`NARROW`] knots spread over ±8 of its lognormal σ
/// instead of the fixed multiples of the mean.
const NARROW_CV: f64 = 0.5;

/// Knots of a narrow time in system: 0.1σ apart.
const NARROW: usize = 161;

/// [`sojourn_units`] for the survival function `surv` of the sojourn.
#[inline(always)]
fn sojourn_kinks<const N: usize>(
    shift: f64,
    m: f64,
    knots: &[(f64, f64); N],
    surv: impl Fn(f64) -> f64,
    mut emit: impl FnMut(f64, f64),
) {
    let ln_m = libm::log(m);
    // Knot j (the multiple g_j of the mean and its logarithm): y_j, F_j,
    // all computed first (they do not depend on each other, so their
    // exponentials overlap), then the kinks between them.
    let mut ys = [0.0; N];
    let mut fs = [0.0; N];
    for ((&(g, ln_g), y), f) in knots.iter().zip(&mut ys).zip(&mut fs) {
        let t = m * g;
        *y = if shift > 0.0 {
            libm::log(shift + t)
        } else {
            ln_m + ln_g
        };
        *f = 1.0 - surv(t);
    }
    // Lower tail: mass F_0 spread evenly over one unit of y.
    let mut prev_slope = fs[0];
    emit(ys[0] - 1.0, prev_slope * H);
    for j in 1..N {
        let dy = ys[j] - ys[j - 1];
        let slope = if dy > 0.0 {
            (fs[j] - fs[j - 1]) / dy
        } else {
            0.0
        };
        emit(ys[j - 1], (slope - prev_slope) * H);
        prev_slope = slope;
    }
    // Upper tail: the rest spread over one unit of y.
    let (last_y, last_f) = (ys[N - 1], fs[N - 1]);
    let slope = 1.0 - last_f;
    emit(last_y, (slope - prev_slope) * H);
    emit(last_y + 1.0, -slope * H);
}

/// The mean time in system of a sojourn (without its shift): the queue's,
/// or an exponential service's 1/μ.
fn sojourn_mean(queue: &Option<Waiting>, mu: f64) -> f64 {
    match queue {
        Some(q) => q.mean_time(),
        None => 1.0 / mu,
    }
}

/// Sojourn distributions whose unit kinks [`Kinks`] remembers.
const MEMO: usize = 16;

/// What adding one distribution does to a sketch: the kinks to add (or
/// a mass at zero), computed once and applied to any number of sketches.
#[derive(Clone, Debug, Default)]
pub(crate) struct Kinks {
    /// Nothing to add (no weight, or an infinite mean).
    skip: bool,
    w: f64,
    mean: f64,
    /// The requests took no time at all.
    zero: bool,
    /// Each kink, in order, as the grid takes it: computed once however
    /// many sketches take it.
    list: Vec<Edged>,
    /// The unit kinks of the last few sojourn distributions prepared (a
    /// queue's latency recurs tick after tick, and its kinks cost an `exp`
    /// and a `log` each), each as its edge, how far past it, and its
    /// amount per request; and the next entry to replace.
    memo: Vec<(Dist, Vec<UnitKink>)>,
    memo_next: usize,
    /// Computes every sojourn's kinks afresh (the engine's reference run).
    pub(crate) forget: bool,
    /// Sojourn kinks taken from the memo (a fast-path count).
    pub(crate) memo_hits: u32,
}

impl Kinks {
    /// Computes the kinks of `w` requests whose latency follows `d`.
    pub(crate) fn prepare(&mut self, w: f64, d: &Dist) {
        self.list.clear();
        if let Dist::Sojourn { shift, queue, mu } = *d {
            let mean = d.mean();
            let m = sojourn_mean(&queue, mu);
            if w > 0.0 && w.is_finite() && mean.is_finite() && m > 0.0 && m.is_finite() {
                if self.forget {
                    self.memo.clear();
                    self.memo_next = 0;
                }
                let hit = self.memo.iter().position(|(k, _)| k == d);
                let units = match hit {
                    Some(i) => {
                        self.memo_hits += 1;
                        &self.memo[i].1
                    }
                    None => {
                        let i = if self.memo.len() < MEMO {
                            // A knot a time, and the two tail ramps' ends.
                            let units = Vec::with_capacity(TIMES + 2);
                            self.memo.push((*d, units));
                            self.memo.len() - 1
                        } else {
                            let i = self.memo_next;
                            self.memo_next = (i + 1) % MEMO;
                            self.memo[i].0 = *d;
                            i
                        };
                        let units = &mut self.memo[i].1;
                        units.clear();
                        sojourn_units(shift, queue, mu, m, |y, u| {
                            let (k, f) = edge_below(y);
                            units.push(UnitKink { k, f, amount: u });
                        });
                        &self.memo[i].1
                    }
                };
                self.list
                    .extend(units.iter().map(|u| shares(u.k, u.f, u.amount * w)));
                self.skip = false;
                self.w = w;
                self.mean = mean;
                self.zero = false;
                return;
            }
        }
        // A lognormal's table of kinks, as `knots` emits them (under the
        // same conditions), written in one pass over the table.
        if let Dist::LogNormal(l) = *d {
            if w > 0.0 && w.is_finite() && l.sigma * 8.0 > H && l.mu.is_finite() {
                let mean = d.mean();
                if mean.is_finite() {
                    let scale = w / l.sigma;
                    self.list.extend(
                        tables()
                            .lognormal
                            .iter()
                            .map(|&(z, k)| edged(l.mu + l.sigma * z, k * scale)),
                    );
                    self.skip = false;
                    self.w = w;
                    self.mean = mean;
                    self.zero = false;
                    return;
                }
            }
        }
        let list = &mut self.list;
        match knots(w, d, |y, a| list.push(edged(y, a))) {
            Some((mean, zero)) => {
                self.skip = false;
                self.w = w;
                self.mean = mean;
                self.zero = zero;
            }
            None => self.skip = true,
        }
    }

    /// Exchanges the remembered sojourn kinks with `other`'s. The memo
    /// holds what [`Kinks::prepare`] would compute anyway, so whichever
    /// one a simulation uses, it adds the same numbers.
    pub(crate) fn swap_memo(&mut self, other: &mut Kinks) {
        std::mem::swap(&mut self.memo, &mut other.memo);
        std::mem::swap(&mut self.memo_next, &mut other.memo_next);
    }

    /// Adds `w` requests whose latency follows `d` to `sk` alone: what
    /// [`Kinks::prepare`] then [`Kinks::apply`] add, the same numbers, but
    /// a lognormal's kinks go straight to the grid (no other sketch will
    /// take them, so they are not listed; the report adds each mixture
    /// part to one sketch).
    pub(crate) fn add_once(&mut self, w: f64, d: &Dist, sk: &mut Sketch) {
        match *d {
            // The conditions under which `knots` emits the table's kinks.
            Dist::LogNormal(l)
                if w > 0.0 && w.is_finite() && l.sigma * 8.0 > H && l.mu.is_finite() =>
            {
                let mean = d.mean();
                if !mean.is_finite() {
                    return;
                }
                sk.total += w;
                sk.weighted += w * mean;
                sk.grid();
                let scale = w / l.sigma;
                sk.kinks_from(
                    tables()
                        .lognormal
                        .iter()
                        .map(|&(z, k)| (l.mu + l.sigma * z, k * scale)),
                );
            }
            _ => {
                self.prepare(w, d);
                self.apply(sk);
            }
        }
    }

    /// Adds what was prepared to `sk`.
    pub(crate) fn apply(&self, sk: &mut Sketch) {
        if self.skip {
            return;
        }
        sk.total += self.w;
        sk.weighted += self.w * self.mean;
        if self.zero {
            sk.zero += self.w;
            return;
        }
        sk.grid();
        sk.add_edged(self.list.iter().copied());
    }
}

/// Grids of dropped sketches, zeroed, for the next sketches to take: a
/// run fills a few dozen 18 kB grids, and taking them back keeps the
/// allocator from handing every run (or every scenario of a grade) fresh
/// memory to zero. Per thread; the grids hold no data, so nothing of one
/// run reaches another.
const SPARE_MAX: usize = 64;

thread_local! {
    static SPARE_GRIDS: RefCell<Vec<Vec<f64>>> = const { RefCell::new(Vec::new()) };
}

impl Drop for Sketch {
    fn drop(&mut self) {
        if self.d2.len() != NB + 2 {
            return;
        }
        let mut d2 = std::mem::take(&mut self.d2);
        // Only the used range is non-zero (see `kinks` and `load`).
        if self.lo <= self.hi {
            d2[self.lo..=self.hi.min(NB + 1)].fill(0.0);
        }
        // (During a thread's teardown the spares may be gone: the grid is
        // then freed.)
        let _ = SPARE_GRIDS.try_with(|spare| {
            let mut spare = spare.borrow_mut();
            if spare.len() < SPARE_MAX {
                spare.push(d2);
            }
        });
    }
}

/// Mean and quantiles of what a sketch holds, seconds.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Quantiles {
    pub requests: f64,
    pub mean: f64,
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
}

impl Sketch {
    pub(crate) fn new() -> Self {
        Sketch {
            d2: Vec::new(),
            lo: usize::MAX,
            hi: 0,
            zero: 0.0,
            total: 0.0,
            weighted: 0.0,
        }
    }

    /// Gives the sketch its grid if it has none yet: a spare one, or a new
    /// one.
    fn grid(&mut self) {
        if self.d2.is_empty() {
            self.d2 = SPARE_GRIDS
                .with(|spare| spare.borrow_mut().pop())
                .unwrap_or_else(|| vec![0.0; NB + 2]);
        }
    }

    /// [`Sketch::kinks_from`] from a slice.
    #[cfg(test)]
    fn kinks(&mut self, list: &[(f64, f64)]) {
        self.kinks_from(list.iter().copied());
    }

    /// Adds kinks (log-latency, amount) in turn: each one's amount split
    /// between the two grid edges around it, by its position ([`edged`];
    /// the grid must be allocated: [`Sketch::grid`]).
    #[inline(always)]
    fn kinks_from(&mut self, list: impl Iterator<Item = (f64, f64)>) {
        self.add_edged(list.map(|(y, amount)| edged(y, amount)));
    }

    /// Adds kinks as the grid takes them ([`Edged`]), in turn.
    #[inline(always)]
    fn add_edged(&mut self, list: impl Iterator<Item = Edged>) {
        // The grid and the range in locals: stores to the grid cannot
        // touch them, so they stay in registers.
        let Ok(d2) = <&mut [f64; NB + 2]>::try_from(&mut self.d2[..]) else {
            return;
        };
        let (mut lo, mut hi) = (self.lo, self.hi);
        // The upper edge of the last kink stays in a register (`held`, the
        // value of `d2[at]`, stored back one kink later): the next kink's
        // lower edge is often that same edge, and reading it back from
        // memory just after storing it would make every kink wait for the
        // one before. The additions are the same, in the same order.
        let mut at = NB + 1;
        let mut held = d2[at];
        for Edged { k, lower, upper } in list {
            // (Read before the held edge is stored back, so that the read
            // never waits for that store.)
            let below = if k == at { held } else { d2[k] };
            d2[at] = held;
            d2[k] = below + lower;
            at = k + 1;
            held = d2[at] + upper;
            lo = lo.min(k);
            hi = hi.max(k + 1);
        }
        d2[at] = held;
        self.lo = lo;
        self.hi = hi;
    }

    /// Makes this sketch hold what `other` holds, reusing its grid (a
    /// report reads many sketches through one; copying the used range is
    /// cheaper than cloning an 18 kB grid).
    pub(crate) fn load(&mut self, other: &Sketch) {
        if self.lo <= self.hi {
            self.d2[self.lo..=self.hi.min(NB + 1)].fill(0.0);
        }
        if other.lo <= other.hi {
            self.grid();
            let range = other.lo..=other.hi.min(NB + 1);
            self.d2[range.clone()].copy_from_slice(&other.d2[range]);
        }
        self.lo = other.lo;
        self.hi = other.hi;
        self.zero = other.zero;
        self.total = other.total;
        self.weighted = other.weighted;
    }

    /// Adds `w` requests whose latency follows `d` (the engine goes
    /// through [`Kinks`], which remembers recent queues' kinks).
    #[cfg(test)]
    pub(crate) fn add(&mut self, w: f64, d: &Dist) {
        self.grid();
        let mut list = Vec::new();
        let Some((mean, zero)) = knots(w, d, |y, a| list.push((y, a))) else {
            return;
        };
        self.kinks(&list);
        self.total += w;
        self.weighted += w * mean;
        if zero {
            self.zero += w;
        }
    }

    /// Adds `w` requests whose latency follows `d` to each of `sketches`
    /// (the same as adding them to each one by one, computing the knots
    /// once).
    pub(crate) fn add_to_each<'a>(
        kinks: &mut Kinks,
        w: f64,
        d: &Dist,
        sketches: impl Iterator<Item = &'a mut Sketch>,
    ) {
        let mut prepared = false;
        for sk in sketches {
            if !prepared {
                kinks.prepare(w, d);
                prepared = true;
            }
            kinks.apply(sk);
        }
    }

    /// Adds everything `other` holds.
    #[cfg(test)]
    pub(crate) fn merge(&mut self, other: &Sketch) {
        if other.total <= 0.0 {
            return;
        }
        if other.lo <= other.hi {
            self.grid();
        }
        for i in other.lo..=other.hi.min(NB + 1) {
            self.d2[i] += other.d2[i];
        }
        self.lo = self.lo.min(other.lo);
        self.hi = self.hi.max(other.hi);
        self.zero += other.zero;
        self.total += other.total;
        self.weighted += other.weighted;
    }

    /// Mean, p50, p95 and p99.
    pub(crate) fn quantiles(&self) -> Quantiles {
        if self.total <= 0.0 {
            return Quantiles::default();
        }
        let targets = [0.5, 0.95, 0.99];
        let mut out = [0.0; 3];
        let grid_total = self.total - self.zero;
        let mut ti = 0;
        // Requests at zero latency come first.
        while ti < 3 && targets[ti] * self.total <= self.zero {
            out[ti] = 0.0;
            ti += 1;
        }
        if ti < 3 && grid_total > 0.0 && self.lo <= self.hi {
            let last = self.hi.min(NB);
            let goals = targets.map(|p| p * self.total);
            let mut found = [f64::NAN; 3];
            let ti_end = scan(&self.d2[self.lo..=last], self.zero, &goals, ti, &mut found);
            for k in ti..ti_end {
                out[k] = libm::exp(Y0 + (self.lo as f64 + found[k]) * H);
            }
            // Rounding left a target just out of reach: the top of the range.
            for o in out.iter_mut().skip(ti_end) {
                *o = libm::exp(Y0 + (last as f64 + 1.0) * H);
            }
        }
        Quantiles {
            requests: self.total,
            mean: self.weighted / self.total,
            p50: out[0],
            p95: out[1],
            p99: out[2],
        }
    }
}

/// Buckets a quantile scan steps over at once.
const SCAN_BLOCK: usize = 16;

/// Finds where the CDF whose second differences are `d2` (one per bucket,
/// from bucket 0 of the slice, starting at mass `m0`) reaches `goals[k]`
/// for `k` from `from`: writes each one's position in buckets (bucket plus
/// the fraction into it) to `at[k]` and returns the first goal not reached.
/// Each bucket adds its slope (the running sum of `d2`) to the mass; a block
/// of [`SCAN_BLOCK`] buckets that reaches no goal is stepped over with two
/// sums (slope′ = slope + Σd, m′ = m + B·slope + Σ(B − j)·d_j), the block
/// that reaches one is walked bucket by bucket.
fn scan(d2: &[f64], m0: f64, goals: &[f64; 3], from: usize, at: &mut [f64; 3]) -> usize {
    let mut ti = from;
    let mut slope = 0.0; // mass per bucket
    let mut m = m0;
    let mut b = 0;
    while ti < 3 && b < d2.len() {
        if let Some(block) = d2.get(b..b + SCAN_BLOCK) {
            let (mut s1, mut s2) = (0.0, 0.0);
            for (j, &d) in block.iter().enumerate() {
                s1 += d;
                s2 += (SCAN_BLOCK - j) as f64 * d;
            }
            let next = m + SCAN_BLOCK as f64 * slope + s2;
            if next < goals[ti] {
                slope += s1;
                m = next;
                b += SCAN_BLOCK;
                continue;
            }
        }
        // This block reaches a goal (or is the short last one): bucket by
        // bucket.
        let end = (b + SCAN_BLOCK).min(d2.len());
        while b < end {
            scan_bucket(b, d2[b], &mut slope, &mut m, goals, &mut ti, at);
            b += 1;
        }
    }
    ti
}

/// One bucket of a quantile scan: bucket `b`'s second difference `d`
/// added to the slope and the slope to the mass `m`; each goal from `ti`
/// that the mass reaches in the bucket gets its position (`at`).
#[inline(always)]
fn scan_bucket(
    b: usize,
    d: f64,
    slope: &mut f64,
    m: &mut f64,
    goals: &[f64; 3],
    ti: &mut usize,
    at: &mut [f64; 3],
) {
    *slope += d;
    let next = *m + *slope;
    while *ti < 3 && next >= goals[*ti] {
        let frac = if *slope > 0.0 {
            ((goals[*ti] - *m) / *slope).clamp(0.0, 1.0)
        } else {
            0.0
        };
        at[*ti] = b as f64 + frac;
        *ti += 1;
    }
    *m = next;
}

/// The smallest `x` (to relative tolerance `tol`) with `cdf(x) ≥ p`:
/// doubling from `start` until the CDF reaches `p`, then bisection. Shared
/// by the plain and the memoised quantile so both visit the same points.
fn bisect_quantile(start: f64, p: f64, tol: f64, mut cdf: impl FnMut(f64) -> f64) -> f64 {
    let mut hi = start;
    let mut lo = 0.0;
    let mut guard = 0;
    while cdf(hi) < p && guard < 60 {
        lo = hi;
        hi *= 2.0;
        guard += 1;
    }
    for _ in 0..60 {
        let mid = 0.5 * (lo + hi);
        if cdf(mid) >= p {
            hi = mid;
        } else {
            lo = mid;
        }
        if hi - lo <= tol * hi {
            break;
        }
    }
    hi
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::queueing::MMc;

    fn rel(a: f64, b: f64) -> f64 {
        (a / b - 1.0).abs()
    }

    #[test]
    fn lognormal_quantiles_within_a_third_of_a_percent() {
        for sigma in [0.05, 0.3, 0.5, 0.83, 1.5] {
            let l = LogNormal::from_median(0.02, sigma);
            let mut s = Sketch::new();
            s.add(1000.0, &Dist::LogNormal(l));
            let q = s.quantiles();
            for (got, p) in [(q.p50, 0.5), (q.p95, 0.95), (q.p99, 0.99)] {
                assert!(
                    rel(got, l.quantile(p)) < 0.005,
                    "σ={sigma} p{p}: {got} vs {}",
                    l.quantile(p)
                );
            }
            assert!(rel(q.mean, l.mean()) < 1e-12);
        }
    }

    #[test]
    fn queue_quantiles_match_closed_form() {
        for (lambda, mu, c) in [
            (80.0, 100.0, 1),
            (300.0, 100.0, 4),
            (1800.0, 100.0, 20),
            (5.0, 100.0, 8),
        ] {
            let q = MMc::new(lambda, mu, c).solve().unwrap();
            let d = Dist::Sojourn {
                shift: 0.0,
                queue: Some(Waiting::Unlimited(q)),
                mu,
            };
            let mut s = Sketch::new();
            s.add(3.0, &d);
            let got = s.quantiles();
            for (g, p) in [(got.p50, 0.5), (got.p95, 0.95), (got.p99, 0.99)] {
                let exact = q.time_quantile(p);
                assert!(
                    rel(g, exact) < 0.005,
                    "{lambda}/{mu}/{c} p{p}: {g} vs {exact}"
                );
                assert!(rel(d.quantile(p), exact) < 1e-6);
            }
        }
        // Shifted exponential.
        let d = Dist::Sojourn {
            shift: 0.5,
            queue: None,
            mu: 10.0,
        };
        let mut s = Sketch::new();
        s.add(1.0, &d);
        let exact = 0.5 + libm::log(20.0) / 10.0;
        assert!(rel(s.quantiles().p95, exact) < 0.003);
    }

    /// What [`Kinks`] remembers adds exactly what computing the kinks adds:
    /// first sight, a hit with another weight, and after the distribution
    /// was evicted from the memo.
    #[test]
    fn remembered_kinks_add_exactly_what_computing_them_adds() {
        let sojourn = |lambda: f64, shift: f64| Dist::Sojourn {
            shift,
            queue: Some(Waiting::Unlimited(
                MMc::new(lambda, 100.0, 4).solve().expect("stable"),
            )),
            mu: 100.0,
        };
        let mut kinks = Kinks::default();
        let mut via_memo = Sketch::new();
        let mut direct = Sketch::new();
        let mut add = |w: f64, d: &Dist, kinks: &mut Kinks| {
            kinks.prepare(w, d);
            kinks.apply(&mut via_memo);
            direct.add(w, d);
        };
        let a = sojourn(250.0, 0.0);
        add(3.0, &a, &mut kinks);
        add(7.25, &a, &mut kinks); // a hit, another weight
        for k in 0..MEMO {
            add(1.5, &sojourn(10.0 + k as f64, 0.001), &mut kinks);
        }
        add(2.0, &a, &mut kinks); // evicted, computed again
        add(0.5, &sojourn(10.0, 0.001), &mut kinks);
        assert_eq!(via_memo.d2, direct.d2);
        assert_eq!(via_memo.total.to_bits(), direct.total.to_bits());
        assert_eq!(via_memo.weighted.to_bits(), direct.weighted.to_bits());
        assert_eq!(via_memo.quantiles(), direct.quantiles());
    }

    /// A lognormal's kinks prepared in one pass over the table add what
    /// `knots` emits, bit for bit: wide and narrow ones, one too narrow for
    /// the table (a point), and weights that add nothing.
    #[test]
    fn prepared_lognormal_kinks_add_what_the_knots_add() {
        let mut kinks = Kinks::default();
        let mut prepared = Sketch::new();
        let mut direct = Sketch::new();
        for (i, (median, sigma)) in [
            (0.02, 0.5),
            (0.3, 1.8),
            (1e-5, 0.01),
            (0.05, 0.001),
            (2.0, 0.2),
        ]
        .into_iter()
        .enumerate()
        {
            let d = Dist::LogNormal(LogNormal::from_median(median, sigma));
            for w in [1.0, 3.75 + i as f64, 0.0, f64::NAN, 1e-9] {
                kinks.prepare(w, &d);
                kinks.apply(&mut prepared);
                direct.add(w, &d);
            }
        }
        assert_eq!(prepared.d2.len(), direct.d2.len());
        for (a, b) in prepared.d2.iter().zip(&direct.d2) {
            assert_eq!(a.to_bits(), b.to_bits());
        }
        assert_eq!(prepared.total.to_bits(), direct.total.to_bits());
        assert_eq!(prepared.weighted.to_bits(), direct.weighted.to_bits());
        assert_eq!(prepared.zero.to_bits(), direct.zero.to_bits());
    }

    #[test]
    fn memoised_quantiles_and_shared_kinks_are_bit_identical() {
        let q = MMc::new(300.0, 100.0, 4).solve().unwrap();
        let a = Dist::LogNormal(LogNormal::from_median(0.02, 0.5));
        let b = Dist::Sojourn {
            shift: 0.01,
            queue: Some(Waiting::Unlimited(q)),
            mu: 100.0,
        };
        let mut memo = QuantileMemo::default();
        for (k, parts) in [
            vec![(0.9, a)],
            vec![(0.8, a)],
            vec![(0.7, a), (0.3, b)],
            vec![(0.6, a), (0.4, b)],
            vec![(0.6, b), (0.4, a)],
            vec![(1.0, Dist::Point(0.0))],
        ]
        .iter()
        .enumerate()
        {
            for p in [0.5, 0.95] {
                let got = quantile_of_memo(parts, p, 1e-4, &mut memo);
                let want = quantile_of(parts, p, 1e-4);
                assert_eq!(got.to_bits(), want.to_bits(), "case {k} p{p}");
            }
        }
        let mut kinks = Kinks::default();
        for d in [a, b, Dist::Point(0.05), Dist::Point(0.0)] {
            let mut one = [Sketch::new(), Sketch::new()];
            let mut each = [Sketch::new(), Sketch::new()];
            for s in &mut one {
                s.add(2.0, &a);
                s.add(3.0, &d);
            }
            for s in &mut each {
                s.add(2.0, &a);
            }
            Sketch::add_to_each(&mut kinks, 3.0, &d, each.iter_mut());
            for (x, y) in one.iter().zip(&each) {
                assert_eq!(x.quantiles(), y.quantiles());
                assert_eq!(x.d2, y.d2);
                assert_eq!(x.zero.to_bits(), y.zero.to_bits());
            }
        }
    }

    #[test]
    fn mixtures_points_and_zero() {
        let mut s = Sketch::new();
        s.add(50.0, &Dist::Point(0.0));
        s.add(45.0, &Dist::Point(0.010));
        s.add(5.0, &Dist::Point(0.100));
        let q = s.quantiles();
        assert_eq!(q.p50, 0.0);
        assert!(rel(q.p95, 0.010) < 0.01, "{}", q.p95);
        assert!(rel(q.p99, 0.100) < 0.01, "{}", q.p99);
        let mut t = Sketch::new();
        t.merge(&s);
        assert_eq!(t.quantiles(), q);
        assert_eq!(Sketch::new().quantiles(), Quantiles::default());
    }

    /// [`scan`]'s reference: the buckets walked one by one.
    fn walk(d2: &[f64], m0: f64, goals: &[f64; 3], from: usize, at: &mut [f64; 3]) -> usize {
        let (mut ti, mut slope, mut m) = (from, 0.0, m0);
        for (b, &d) in d2.iter().enumerate() {
            scan_bucket(b, d, &mut slope, &mut m, goals, &mut ti, at);
        }
        ti
    }

    /// The queue knots' table is what its definition says: 0.002 of the
    /// mean, times 1.08 from knot to knot, the last under 60.
    #[test]
    fn queue_knots_run_from_0_002_to_60_means() {
        let t = &tables().times;
        assert_eq!(t[0].0, 0.002);
        assert!(t[TIMES - 1].0 <= 60.0 && t[TIMES - 1].0 * 1.08 > 60.0);
        for w in t.windows(2) {
            assert_eq!(w[1].0, w[0].0 * 1.08);
        }
    }

    /// Stepping over blocks of buckets finds every goal where walking them
    /// one by one does (to rounding): on lognormals, queues, points and
    /// mixtures, with goals in the first and the last (short) block, at
    /// the zero mass, and out of reach.
    #[test]
    fn block_scan_finds_what_the_bucket_walk_finds() {
        let queue = Dist::Sojourn {
            shift: 0.004,
            queue: Some(Waiting::Unlimited(
                MMc::new(350.0, 100.0, 4).solve().expect("stable"),
            )),
            mu: 100.0,
        };
        let cases: Vec<Vec<(f64, Dist)>> = vec![
            vec![(1.0, Dist::LogNormal(LogNormal::from_median(0.02, 0.5)))],
            vec![(1.0, queue)],
            vec![(3.0, Dist::Point(0.05)), (1.0, Dist::Point(2.0))],
            vec![
                (0.3, Dist::Point(0.0)),
                (0.6, Dist::LogNormal(LogNormal::from_median(0.001, 1.5))),
                (0.1, queue),
            ],
        ];
        let mut compared = 0;
        for (k, parts) in cases.iter().enumerate() {
            let mut s = Sketch::new();
            for (w, d) in parts {
                s.add(*w, d);
            }
            let d2 = &s.d2[s.lo..=s.hi.min(NB)];
            let mass = s.total - s.zero;
            for goals in [
                [0.5, 0.95, 0.99],
                [1e-9, 0.5, 1.0 - 1e-9],
                [0.999, 0.9999, 2.0],
                [2.0, 3.0, 4.0],
            ] {
                let goals = goals.map(|p| s.zero + p * mass);
                let (mut a, mut b) = ([f64::NAN; 3], [f64::NAN; 3]);
                let ta = scan(d2, s.zero, &goals, 0, &mut a);
                let tb = walk(d2, s.zero, &goals, 0, &mut b);
                assert_eq!(ta, tb, "case {k}, goals {goals:?}");
                // 10⁻⁴ of a bucket is 10⁻⁶ of the latency (the far tail,
                // where the slope is tiny, is the most sensitive).
                for i in 0..ta {
                    assert!((a[i] - b[i]).abs() < 1e-4, "case {k}: {a:?} vs {b:?}");
                    compared += 1;
                }
            }
            // A goal already passed is not looked for again.
            let mut a = [f64::NAN; 3];
            assert_eq!(scan(d2, s.zero, &[0.0, 0.0, 2.0 * s.total], 2, &mut a), 2);
        }
        assert!(compared >= 24, "{compared}");
    }

    /// The kinks loop keeps the last upper edge in a register; whatever
    /// the kinks' order (rising, falling, several in one step, off the
    /// grid), the grid holds what adding each kink's two shares in turn
    /// holds, bit for bit.
    #[test]
    fn kinks_add_what_adding_each_edge_in_turn_adds() {
        let mut rng = crate::rng::SimRng::new(7);
        for case in 0..200 {
            let n = 1 + (rng.uniform() * 200.0) as usize;
            let mut y = Y0 + 23.0 * rng.uniform();
            let list: Vec<(f64, f64)> = (0..n)
                .map(|_| {
                    // Steps of a fraction of a grid step to several, either
                    // way, now and then a jump off either end.
                    let r = rng.uniform();
                    y += match case % 4 {
                        0 => H * 3.0 * r,
                        1 => -H * 3.0 * r,
                        2 => H * (6.0 * r - 3.0),
                        _ => H * 0.2 * r,
                    };
                    if rng.uniform() < 0.01 {
                        y = if r < 0.5 { Y0 - 5.0 } else { Y0 + 40.0 };
                    }
                    (y, 10.0 * rng.uniform() - 3.0)
                })
                .collect();
            let mut fast = Sketch::new();
            fast.grid();
            fast.kinks(&list);
            fast.kinks(&list[..n / 2]);
            let mut plain = vec![0.0_f64; NB + 2];
            for &(y, a) in list.iter().chain(&list[..n / 2]) {
                let (k, f) = edge_below(y);
                plain[k] += a * (1.0 - f);
                plain[k + 1] += a * f;
            }
            let bits = |d: &[f64]| d.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&fast.d2), bits(&plain), "case {case}");
        }
    }

    /// A grid handed back by a dropped sketch is taken by the next one,
    /// zeroed: the new sketch holds its own kinks only.
    #[test]
    fn spare_grids_come_back_zeroed() {
        let mut kinks = Kinks::default();
        let mut a = Sketch::new();
        kinks.prepare(3.0, &Dist::LogNormal(LogNormal::from_median(0.02, 0.5)));
        kinks.apply(&mut a);
        let grid = a.d2.as_ptr();
        drop(a);
        let mut b = Sketch::new();
        kinks.prepare(1.0, &Dist::Point(0.5));
        kinks.apply(&mut b);
        assert_eq!(b.d2.as_ptr(), grid, "the spare grid is taken");
        let mut fresh = Sketch::new();
        fresh.d2 = vec![0.0; NB + 2];
        kinks.apply(&mut fresh);
        assert_eq!(b.d2, fresh.d2);
    }

    /// A sketch gets its grid with its first kink: nothing added, or only
    /// requests that took no time, leave it unallocated, and reading or
    /// loading such a sketch works as for one with a grid.
    #[test]
    fn the_grid_is_allocated_with_the_first_kink() {
        let mut kinks = Kinks::default();
        let mut s = Sketch::new();
        assert!(s.d2.is_empty());
        kinks.prepare(5.0, &Dist::Point(0.0));
        kinks.apply(&mut s);
        assert!(s.d2.is_empty());
        assert_eq!(s.quantiles().p99, 0.0);
        let mut full = Sketch::new();
        kinks.prepare(2.0, &Dist::Point(0.03));
        kinks.apply(&mut full);
        assert_eq!(full.d2.len(), NB + 2);
        // Loading an unallocated sketch over a used one empties its grid.
        let mut scratch = Sketch::new();
        scratch.load(&full);
        assert_eq!(scratch.quantiles(), full.quantiles());
        scratch.load(&s);
        assert_eq!(scratch.quantiles(), s.quantiles());
        assert!(scratch.d2.iter().all(|&x| x == 0.0));
    }
}
