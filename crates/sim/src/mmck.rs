//! The M/M/c/K queue in steady state: Poisson arrivals at rate λ, c servers
//! of rate μ, room for K waiting; an arrival that finds c + K in the system
//! is refused. Unlike M/M/c it has a steady state at any load, ρ > 1
//! included, which is what a service with a short queue limit settles into
//! when arrivals stay above capacity (`docs/model.md`, "Services").
//!
//! State probabilities (n in the system): π_n ∝ aⁿ/n! for n ≤ c and
//! π_{c+i} = π_c ρⁱ for i ≤ K, with a = λ/μ, ρ = a/c. With Erlang
//! B = B(c, a), Σ_{n≤c} π_n = π_c/B, so π_c = 1/((1/B − 1) + Σ_{i=0}^{K} ρⁱ)
//! and the blocking probability is π_{c+K}. For ρ > 1 every term is divided
//! through by ρ^K (the solution keeps π_c·ρ^K), so neither ρ^K nor a
//! factorial ever overflows: K up to [`MAX_LIMIT`] and c in the thousands
//! are fine.
//!
//! An admitted arrival (PASTA) that finds c + j − 1 in the system, j ≥ 1,
//! waits j services of the busy pool, Erlang(j, cμ), then its own
//! service Exp(μ). The weights are a truncated geometric, so the time in
//! system has a closed form in Poisson CDFs F_x(n) = P(Pois(x) ≤ n) (the
//! regularized incomplete gamma function, [`ln_gamma_pq`]):
//!
//! P(T > t) = q₀e^{−μt} + π̃ { [α − ρ^K F_{cμt}(K−1)]/(1 − ρ)
//!            + cμ [α + e^{−μt}(R^K P(Pois((c−1)μt) ≥ K) − 1)]/(μ − θ) },
//!
//! with θ = cμ − λ, α = e^{−θt} F_{λt}(K−1), R = ρc/(c−1), q₀ the share of
//! admitted arrivals that do not wait and π̃ = π_c/(1 − blocking). For one
//! server the R^K term is (λt)^K/K!. Each term is evaluated in logarithms,
//! and the two removable singularities (ρ = 1, μ = θ) by the mean of the
//! values on either side.
#![deny(missing_docs)]

use serde::{Deserialize, Serialize};

use crate::latency::Moments;
use crate::queueing::{erlang_b, quantile_by_bisection, QueueError};

/// The largest waiting room [`MMcK::solve`] accepts (its moments are sums
/// over the waiting room, its CDF needs incomplete gamma functions of
/// order K).
pub const MAX_LIMIT: u32 = 10_000;

/// An M/M/c/K queue: arrivals at `lambda`, `c` servers of rate `mu`, room
/// for `k` waiting.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct MMcK {
    /// Arrival rate λ (requests per second).
    pub lambda: f64,
    /// Service rate μ of one server (requests per second).
    pub mu: f64,
    /// Number of servers c.
    pub c: u32,
    /// Most requests waiting (not in service), K.
    pub k: u32,
}

/// The steady state of an M/M/c/K queue ([`MMcK::solve`]), for the
/// requests it admits.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct MMcKSolution {
    lambda: f64,
    mu: f64,
    c: u32,
    k: u32,
    /// The scale every geometric term is divided by: e^{−scale},
    /// scale = K·max(ln ρ, 0).
    scale: f64,
    /// π_{c+K}.
    blocking: f64,
    /// Share of admitted arrivals that find a free server.
    no_wait: f64,
    /// π_c·e^{scale}/(1 − blocking): the admitted weight of finding c + i
    /// in the system is this times ρ^i·e^{−scale}.
    admitted_scale: f64,
    /// Mean number waiting, L_q.
    mean_waiting: f64,
    /// Mean and variance of the wait of an admitted request.
    wait_mean: f64,
    wait_variance: f64,
}

impl MMcK {
    /// An M/M/c/K queue.
    pub fn new(lambda: f64, mu: f64, c: u32, k: u32) -> Self {
        MMcK { lambda, mu, c, k }
    }

    /// Solves the queue: O(c) for Erlang B, O(K) for the moments.
    /// [`QueueError::InvalidInput`] for c = 0, μ ≤ 0, a negative or
    /// non-finite rate, or K above [`MAX_LIMIT`].
    pub fn solve(&self) -> Result<MMcKSolution, QueueError> {
        self.solve_with(None)
    }

    /// [`MMcK::solve`], given Erlang B(c, λ/μ) already computed.
    pub(crate) fn solve_with_erlang_b(&self, b: f64) -> Result<MMcKSolution, QueueError> {
        self.solve_with(Some(b))
    }

    /// [`MMcK::solve`] with Erlang B(c, λ/μ) `given`, or computed when it
    /// counts: above capacity B ≥ 1 − 1/ρ > 0 (the servers carry
    /// a(1 − B) ≤ c), and B only enters through the idle states' weight
    /// (1/B − 1)e^{−K ln ρ}; once e^{−K ln ρ} underflows to 0 that weight
    /// is exactly 0 whatever B is, so the O(c) recursion is skipped (B = 1
    /// gives the same 0, bit for bit).
    fn solve_with(&self, given: Option<f64>) -> Result<MMcKSolution, QueueError> {
        let MMcK { lambda, mu, c, k } = *self;
        if c == 0
            || k > MAX_LIMIT
            || !lambda.is_finite()
            || lambda < 0.0
            || !mu.is_finite()
            || mu <= 0.0
        {
            return Err(QueueError::InvalidInput);
        }
        let cap = f64::from(c) * mu;
        let rho = lambda / cap;
        let kf = f64::from(k);
        let ln_rho = libm::log(rho);
        let scale = kf * ln_rho.max(0.0);
        let shrink = libm::exp(-scale);
        let b = match given {
            Some(b) => b,
            None if ln_rho > 0.0 && shrink == 0.0 => 1.0,
            None => erlang_b(c, lambda / mu),
        };
        if lambda == 0.0 || b.is_nan() || b <= 0.0 {
            // No load (or a load so light that no arrival ever finds the
            // servers busy): nobody waits or is refused.
            return Ok(MMcKSolution {
                lambda,
                mu,
                c,
                k,
                scale: 0.0,
                blocking: 0.0,
                no_wait: 1.0,
                admitted_scale: 0.0,
                mean_waiting: 0.0,
                wait_mean: 0.0,
                wait_variance: 0.0,
            });
        }
        // Σ_{i=0}^{K} ρ^i e^{−scale}, and the idle states' weight
        // (1/B − 1)e^{−scale}.
        let all = geometric(k + 1, ln_rho, scale);
        let idle = (1.0 / b - 1.0) * shrink;
        let pi_c = 1.0 / (idle + all);
        let blocking = (pi_c * libm::exp(kf * ln_rho - scale)).clamp(0.0, 1.0);
        let admitted = 1.0 - blocking;
        let admitted_scale = pi_c / admitted;
        // Moments of the number of phases j = i + 1 an admitted arrival
        // that finds c + i (i < K) waits, and of the number waiting, summed
        // from the heavy end of the geometric.
        let (mut s0, mut s1, mut s2, mut lq) = (0.0, 0.0, 0.0, 0.0);
        let ratio = if ln_rho > 0.0 { 1.0 / rho } else { rho };
        let mut w = if ln_rho > 0.0 {
            libm::exp(kf * ln_rho - scale)
        } else {
            1.0
        };
        for n in 0..=k {
            let i = if ln_rho > 0.0 { k - n } else { n };
            let fi = f64::from(i);
            if i < k {
                s0 += w;
                s1 += w * (fi + 1.0);
                s2 += w * (fi + 1.0) * (fi + 2.0);
            }
            lq += w * fi;
            // The terms, w·(i + 2)² at most, only fall from here once they
            // fall (from the heavy end both factors fall; from the light
            // end the ratio ρ((i + 3)/(i + 2))² only falls): stop when
            // they no longer count. O(1/|ln ρ|) terms instead of O(K).
            if w * (fi + 2.0) * (fi + 2.0) <= 1e-18 * (s0 + s2 + lq) {
                break;
            }
            w *= ratio;
            if w == 0.0 {
                break;
            }
        }
        let wait_prob = (admitted_scale * s0).clamp(0.0, 1.0);
        let e1 = admitted_scale * s1 / cap;
        let e2 = admitted_scale * s2 / (cap * cap);
        Ok(MMcKSolution {
            lambda,
            mu,
            c,
            k,
            scale,
            blocking,
            no_wait: 1.0 - wait_prob,
            admitted_scale,
            mean_waiting: pi_c * lq,
            wait_mean: e1,
            wait_variance: (e2 - e1 * e1).max(0.0),
        })
    }
}

/// Σ_{i=0}^{n−1} e^{i·ln_rho − scale}, without overflow (scale ≥ n·ln ρ
/// for ρ > 1) and without cancellation near ρ = 1.
fn geometric(n: u32, ln_rho: f64, scale: f64) -> f64 {
    let nf = f64::from(n);
    if ln_rho == 0.0 {
        return nf * libm::exp(-scale);
    }
    if ln_rho < 0.0 {
        // (1 − ρⁿ)/(1 − ρ)·e^{−scale}
        libm::expm1(nf * ln_rho) / libm::expm1(ln_rho) * libm::exp(-scale)
    } else {
        // (ρⁿ − 1)/(ρ − 1)·e^{−scale} = e^{n ln ρ − scale}(1 − ρ^{−n})/(ρ − 1)
        libm::exp(nf * ln_rho - scale) * -libm::expm1(-nf * ln_rho) / libm::expm1(ln_rho)
    }
}

impl MMcKSolution {
    /// The queue this solves.
    pub fn queue(&self) -> MMcK {
        MMcK::new(self.lambda, self.mu, self.c, self.k)
    }

    /// ρ = λ/(cμ), any value ≥ 0.
    pub fn utilisation(&self) -> f64 {
        self.lambda / (f64::from(self.c) * self.mu)
    }

    /// Probability that an arrival is refused, π_{c+K}.
    pub fn blocking(&self) -> f64 {
        self.blocking
    }

    /// Probability that an admitted request waits.
    pub fn wait_probability(&self) -> f64 {
        1.0 - self.no_wait
    }

    /// Mean number waiting (not in service), L_q.
    pub fn mean_queue_length(&self) -> f64 {
        self.mean_waiting
    }

    /// Mean and variance of the wait of an admitted request (seconds).
    pub fn wait_moments(&self) -> Moments {
        Moments::new(self.wait_mean, self.wait_variance)
    }

    /// Mean time in system of an admitted request, W_q + 1/μ (seconds).
    pub fn mean_time(&self) -> f64 {
        self.wait_mean + 1.0 / self.mu
    }

    /// Variance of the time in system of an admitted request.
    pub fn time_variance(&self) -> f64 {
        self.wait_variance + 1.0 / (self.mu * self.mu)
    }

    /// Mean and variance of the time in system, as a latency hop.
    pub fn time_moments(&self) -> Moments {
        Moments::new(self.mean_time(), self.time_variance())
    }

    /// P(T > t) for an admitted request (the closed form of the module
    /// docs).
    pub fn time_survival(&self, t: f64) -> f64 {
        if t.is_nan() || t <= 0.0 {
            return 1.0;
        }
        let mu = self.mu;
        let own = libm::exp(-mu * t);
        if self.k == 0 || self.admitted_scale == 0.0 {
            return own;
        }
        let waited = self.first_term(t) + self.second_term(t);
        (self.no_wait * own + self.admitted_scale * waited).clamp(0.0, 1.0)
    }

    /// P(T ≤ t).
    pub fn time_cdf(&self, t: f64) -> f64 {
        1.0 - self.time_survival(t)
    }

    /// The p-quantile of the time in system of an admitted request, by
    /// bisection (relative precision 1e-12); 0 for p ≤ 0, +∞ for p ≥ 1.
    pub fn time_quantile(&self, p: f64) -> f64 {
        quantile_by_bisection(p, self.mean_time(), |t| self.time_survival(t))
    }

    /// Σ_{i<K} ρ^i F_{cμt}(i)·e^{−scale}: the admitted arrivals whose
    /// wait alone outlasts t, as [α − ρ^K F_{cμt}(K−1)]/(1 − ρ).
    fn first_term(&self, t: f64) -> f64 {
        let x = f64::from(self.c) * self.mu * t;
        let k = f64::from(self.k);
        let scale = self.scale;
        // With ρ' for ρ and x fixed: λt = ρ'x, θt = (1 − ρ')x.
        let at = |rho: f64| -> f64 {
            let a = libm::exp(-(1.0 - rho) * x - scale + ln_gamma_pq(k, rho * x).1);
            let b = libm::exp(k * libm::log(rho) - scale + remembered_ln_gamma_pq(k, x).1);
            (a - b) / (1.0 - rho)
        };
        near_singular(self.utilisation(), 1.0, at)
    }

    /// Σ_{j=1}^{K} ρ^{j−1} e^{−μt} E[e^{μE_j}; E_j ≤ t]·e^{−scale}, E_j ~
    /// Erlang(j, cμ): the admitted arrivals whose wait ends before t and
    /// whose service outlasts it.
    fn second_term(&self, t: f64) -> f64 {
        let mu = self.mu;
        let c = f64::from(self.c);
        let k = f64::from(self.k);
        let scale = self.scale;
        let lt = self.lambda * t;
        if self.c == 1 {
            // μ/λ·[α + e^{−μt}(λt)^K/K! − e^{−μt}]
            let a = libm::exp(-(mu - self.lambda) * t - scale + ln_gamma_pq(k, lt).1);
            let b = libm::exp(k * libm::log(lt) - libm::lgamma(k + 1.0) - mu * t - scale);
            let d = libm::exp(-mu * t - scale);
            return (a + b - d) * mu / self.lambda;
        }
        // In R = ρc/(c − 1) with y = (c − 1)μt fixed: λt = Ry, θt =
        // μt − (R − 1)y, and cμ/(μ − θ) = (c/(c − 1))/(R − 1).
        let y = (c - 1.0) * mu * t;
        let r0 = c / (c - 1.0);
        let at = |r: f64| -> f64 {
            let a = libm::exp(-mu * t + (r - 1.0) * y - scale + ln_gamma_pq(k, r * y).1);
            let b = libm::exp(k * libm::log(r) - scale - mu * t + remembered_ln_gamma_pq(k, y).0);
            let d = libm::exp(-mu * t - scale);
            r0 * (a + b - d) / (r - 1.0)
        };
        near_singular(self.utilisation() * r0, 1.0, at)
    }
}

/// f(v) for a function with a removable singularity at `v = at`: near it
/// (within 1e-8, where the closed form cancels), the mean of f at
/// v ± 2e-8: exact to second order (f is smooth there), an error of about
/// (K·2e-8)² relative.
fn near_singular(v: f64, at: f64, f: impl Fn(f64) -> f64) -> f64 {
    const NEAR: f64 = 1e-8;
    if (v - at).abs() >= NEAR * at {
        f(v)
    } else {
        let d = 2.0 * NEAR * at;
        0.5 * (f(v - d) + f(v + d))
    }
}

/// Values a thread remembers of a pure function of two floats, by their
/// exact bits (a queue asks for the same ones tick after tick): the
/// value is the one computed afresh, bit for bit.
struct Remembered<const N: usize> {
    keys: [(u64, u64); N],
    values: [(f64, f64); N],
    next: usize,
}

impl<const N: usize> Remembered<N> {
    /// Empty (keys no computed value has: NaN bit patterns the functions
    /// are never asked for).
    const EMPTY: Self = Remembered {
        keys: [(u64::MAX, u64::MAX); N],
        values: [(0.0, 0.0); N],
        next: 0,
    };

    /// f(a, x), remembered.
    fn get(&mut self, a: f64, x: f64, f: impl FnOnce(f64, f64) -> (f64, f64)) -> (f64, f64) {
        let key = (a.to_bits(), x.to_bits());
        if let Some(i) = self.keys.iter().position(|&k| k == key) {
            return self.values[i];
        }
        let v = f(a, x);
        self.keys[self.next] = key;
        self.values[self.next] = v;
        self.next = (self.next + 1) % N;
        v
    }
}

std::thread_local! {
    /// ln Γ(K): every incomplete gamma function of a queue has order K.
    static LGAMMA: std::cell::RefCell<Remembered<2>> =
        const { std::cell::RefCell::new(Remembered::EMPTY) };
    /// The incomplete gamma functions of the time in system that do not
    /// depend on the arrival rate (order K at cμt and (c − 1)μt).
    static GAMMA_PQ: std::cell::RefCell<Remembered<8>> =
        const { std::cell::RefCell::new(Remembered::EMPTY) };
}

/// ln Γ(a), remembered ([`Remembered`]).
fn remembered_lgamma(a: f64) -> f64 {
    LGAMMA.with(|m| m.borrow_mut().get(a, 0.0, |a, _| (libm::lgamma(a), 0.0)).0)
}

/// [`ln_gamma_pq`], remembered ([`Remembered`]).
fn remembered_ln_gamma_pq(a: f64, x: f64) -> (f64, f64) {
    GAMMA_PQ.with(|m| m.borrow_mut().get(a, x, ln_gamma_pq))
}

/// (ln P(a, x), ln Q(a, x)): the logarithms of the regularized lower and
/// upper incomplete gamma functions, so that for an integer a = n
/// Q(n, x) = P(Pois(x) ≤ n − 1) and P(n, x) = P(Pois(x) ≥ n). The series
/// for x < a + 1 and Lentz's continued fraction above (each accurate in
/// its own tail, so deep tails keep their relative precision). a > 0;
/// x ≤ 0 gives (−∞, 0).
pub fn ln_gamma_pq(a: f64, x: f64) -> (f64, f64) {
    if x.is_nan() || x <= 0.0 {
        return (f64::NEG_INFINITY, 0.0);
    }
    if x.is_infinite() {
        return (0.0, f64::NEG_INFINITY);
    }
    let ln_prefix = -x + a * libm::log(x) - remembered_lgamma(a);
    if x < a + 1.0 {
        // P = e^{−x} x^a / Γ(a + 1) Σ_n x^n / ((a + 1)…(a + n)).
        let mut term = 1.0 / a;
        let mut sum = term;
        let mut n = a;
        for _ in 0..20_000 {
            n += 1.0;
            term *= x / n;
            sum += term;
            if term <= sum * 1e-16 {
                break;
            }
        }
        let ln_p = ln_prefix + libm::log(sum);
        (ln_p, libm::log1p(-libm::exp(ln_p)))
    } else {
        // Q = e^{−x} x^a / Γ(a) · 1/(x + 1 − a − 1·(1 − a)/(x + 3 − a − …)).
        let tiny = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / tiny;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..20_000 {
            let fi = f64::from(i);
            let an = -fi * (fi - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < tiny {
                d = tiny;
            }
            c = b + an / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            let del = d * c;
            h *= del;
            if (del - 1.0).abs() <= 1e-15 {
                break;
            }
        }
        let ln_q = ln_prefix + libm::log(h);
        (libm::log1p(-libm::exp(ln_q)), ln_q)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::queueing::MMc;

    /// State probabilities of the birth–death chain, by brute force.
    fn chain(lambda: f64, mu: f64, c: u32, k: u32) -> Vec<f64> {
        let n = (c + k) as usize;
        let mut p = vec![1.0f64];
        for i in 1..=n {
            let death = mu * f64::from((i as u32).min(c));
            let next = p[i - 1] * lambda / death;
            p.push(next);
        }
        let s: f64 = p.iter().sum();
        p.iter().map(|x| x / s).collect()
    }

    /// P(Erlang(j, a) + Exp(μ) > t) by Simpson's rule on the convolution.
    fn hypo_survival(j: u32, a: f64, mu: f64, t: f64) -> f64 {
        let mut tail = 0.0;
        let mut term = (-a * t).exp();
        for n in 0..j {
            if n > 0 {
                term *= a * t / f64::from(n);
            }
            tail += term;
        }
        let steps = 4000;
        let h = t / f64::from(steps);
        let ln_fact = libm::lgamma(f64::from(j));
        let f = |w: f64| -> f64 {
            if w <= 0.0 {
                return if j == 1 { a * (-mu * t).exp() } else { 0.0 };
            }
            (f64::from(j) * a.ln() + f64::from(j - 1) * w.ln() - a * w - ln_fact - mu * (t - w))
                .exp()
        };
        let mut s = f(0.0) + f(t);
        for i in 1..steps {
            let w = f64::from(i) * h;
            s += if i % 2 == 1 { 4.0 } else { 2.0 } * f(w);
        }
        tail + s * h / 3.0
    }

    #[test]
    fn matches_the_birth_death_chain() {
        let mu = 10.0;
        for c in [1u32, 2, 3, 5] {
            for k in [0u32, 1, 3, 8] {
                let cf = f64::from(c);
                for rho in [0.3, 0.5, 0.8, (cf - 1.0) / cf, 1.0, 1.2, 2.0] {
                    let lambda = rho * cf * mu;
                    if lambda <= 0.0 {
                        continue;
                    }
                    let sol = MMcK::new(lambda, mu, c, k).solve().unwrap();
                    let p = chain(lambda, mu, c, k);
                    let n = (c + k) as usize;
                    let block = p[n];
                    assert!((sol.blocking() - block).abs() < 1e-12, "{c} {k} {rho}");
                    let lq: f64 = (0..=k).map(|i| f64::from(i) * p[(c + i) as usize]).sum();
                    assert!((sol.mean_queue_length() - lq).abs() < 1e-10 * (1.0 + lq));
                    // Admitted: finds n < c + K; waits n − c + 1 phases.
                    let adm = 1.0 - block;
                    let cap = cf * mu;
                    let (mut m1, mut m2) = (0.0, 0.0);
                    for (i, &pi) in p.iter().enumerate().take(n).skip(c as usize) {
                        let j = (i - c as usize + 1) as f64;
                        m1 += pi / adm * j / cap;
                        m2 += pi / adm * j * (j + 1.0) / (cap * cap);
                    }
                    let w = sol.wait_moments();
                    assert!((w.mean - m1).abs() < 1e-12, "{c} {k} {rho}");
                    assert!((w.variance - (m2 - m1 * m1)).abs() < 1e-12);
                    for t in [0.01, 0.05, 0.1, 0.3, 1.0, 3.0] {
                        let mut s = 0.0;
                        for (i, &pi) in p.iter().enumerate().take(n) {
                            let q = pi / adm;
                            s += if i < c as usize {
                                q * (-mu * t).exp()
                            } else {
                                q * hypo_survival((i - c as usize + 1) as u32, cap, mu, t)
                            };
                        }
                        let got = sol.time_survival(t);
                        assert!(
                            (got - s).abs() < 1e-7,
                            "c={c} K={k} ρ={rho} t={t}: {got} vs {s}"
                        );
                    }
                }
            }
        }
    }

    /// Large waiting rooms and pools: finite, a survival that falls from
    /// 1 to 0, whose integral is the mean; close to M/M/c when the room is
    /// never full.
    #[test]
    fn large_rooms_and_pools_stay_finite() {
        for (c, k, rho) in [
            (1u32, 2000u32, 2.0),
            (4000, 2000, 2.0),
            (10, 2000, 1.05),
            (10, 2000, 1.0 + 1e-9),
            (64, 100, 1.2),
            (2, 16, 0.5),
            (1000, 10_000, 0.9),
            (3, 1, 1.5),
        ] {
            let mu = 50.0;
            let lambda = rho * f64::from(c) * mu;
            let sol = MMcK::new(lambda, mu, c, k).solve().unwrap();
            assert!(sol.blocking().is_finite() && sol.mean_time().is_finite());
            let m = sol.mean_time();
            // ∫ S(t) dt by the trapezoid rule in log time.
            let (mut integral, mut prev_t, mut prev_s) = (0.0, 0.0, 1.0);
            let mut t = m * 1e-4;
            while t < 60.0 * m {
                let s = sol.time_survival(t);
                assert!(s <= prev_s + 1e-9, "{c} {k} {rho} at {t}: {s} > {prev_s}");
                integral += 0.5 * (s + prev_s) * (t - prev_t);
                prev_t = t;
                prev_s = s;
                t *= 1.002;
            }
            assert!(prev_s < 1e-6, "{c} {k} {rho}: tail {prev_s}");
            assert!(
                (integral / m - 1.0).abs() < 2e-3,
                "{c} {k} {rho}: {integral} vs {m}"
            );
            let p99 = sol.time_quantile(0.99);
            let s99 = sol.time_survival(p99);
            assert!((s99 - 0.01).abs() < 1e-8, "{c} {k} {rho}: {s99}");
        }
        // A room that is never full: M/M/c.
        let sol = MMcK::new(300.0, 100.0, 4, 2000).solve().unwrap();
        let mmc = MMc::new(300.0, 100.0, 4).solve().unwrap();
        assert!((sol.mean_time() / mmc.mean_time() - 1.0).abs() < 1e-12);
        for t in [0.005, 0.02, 0.1] {
            let (a, b) = (sol.time_survival(t), mmc.time_survival(t));
            assert!((a - b).abs() < 1e-9, "{t}: {a} vs {b}");
        }
        assert!(MMcK::new(1.0, 1.0, 1, MAX_LIMIT + 1).solve().is_err());
        assert!(MMcK::new(1.0, 0.0, 1, 8).solve().is_err());
    }

    /// The shortcuts of a solve are the plain computation, bit for bit:
    /// skipping Erlang B when the idle states' weight underflows, and the
    /// remembered incomplete gamma functions (after evictions too, and
    /// against a thread whose memory is empty).
    #[test]
    fn shortcuts_give_the_plain_bits() {
        let mu = 100.0;
        let mut sols = Vec::new();
        for c in [1u32, 2, 16, 40] {
            for k in [0u32, 8, 128, 496, 2000, MAX_LIMIT] {
                for rho in [
                    0.0, 0.5, 0.99, 1.0, 1.0003, 1.05, 1.2, 1.45, 1.46, 2.0, 18.7,
                ] {
                    let q = MMcK::new(rho * f64::from(c) * mu, mu, c, k);
                    let plain = q.solve_with_erlang_b(erlang_b(c, q.lambda / mu)).unwrap();
                    let fast = q.solve().unwrap();
                    assert_eq!(format!("{plain:?}"), format!("{fast:?}"), "{c} {k} {rho}");
                    sols.push(fast);
                }
            }
        }
        let times = [0.003, 0.05, 0.3, 1.0, 4.0];
        let survival = |sols: &[MMcKSolution]| -> Vec<u64> {
            let mut out = Vec::new();
            for _ in 0..2 {
                for s in sols {
                    for t in times {
                        out.push(s.time_survival(t).to_bits());
                    }
                }
            }
            out
        };
        let here = survival(&sols);
        for (i, s) in sols.iter().enumerate() {
            let s = *s;
            let alone = std::thread::spawn(move || times.map(|t| s.time_survival(t).to_bits()))
                .join()
                .unwrap();
            assert_eq!(&alone[..], &here[i * times.len()..(i + 1) * times.len()]);
        }
        for (a, x) in [(8.0, 3.0), (2000.0, 1900.0), (2000.0, 2100.0), (5.0, 40.0)] {
            for _ in 0..3 {
                let (p, q) = remembered_ln_gamma_pq(a, x);
                let (p0, q0) = ln_gamma_pq(a, x);
                assert_eq!((p.to_bits(), q.to_bits()), (p0.to_bits(), q0.to_bits()));
                assert_eq!(remembered_lgamma(a).to_bits(), libm::lgamma(a).to_bits());
            }
        }
    }

    #[test]
    fn incomplete_gamma_against_poisson_sums() {
        for (n, x) in [
            (1u32, 0.5f64),
            (5, 3.0),
            (8, 20.0),
            (30, 10.0),
            (100, 100.0),
        ] {
            let mut term = (-x).exp();
            let mut cdf = 0.0;
            for i in 0..n {
                if i > 0 {
                    term *= x / f64::from(i);
                }
                cdf += term;
            }
            let (lp, lq) = ln_gamma_pq(f64::from(n), x);
            assert!((lq.exp() - cdf).abs() < 1e-13, "{n} {x}");
            assert!((lp.exp() - (1.0 - cdf)).abs() < 1e-13, "{n} {x}");
        }
    }
}
